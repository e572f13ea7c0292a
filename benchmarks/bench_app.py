"""The app's step path: wall time from a click on Step to every view redrawn (100 prosumers).

The app (``server.py``) is rendered with ``solara.render`` inside a Solara kernel context, as
``solara run`` serves it to one browser session, and its Step button is clicked ``steps`` times;
the figure is the median [ms] per click: the model's hour, the chain, and the re-rendering of
every component (the six plots drawn to PNG). It also reports the model's hour alone and the
same clicks without a kernel context (how ``solara.render`` in a plain process or a notebook
runs it: one render pass per component, so slower). Target: < 200 ms per hour.

Run ``python benchmarks/bench_app.py``; ``main()`` returns the figures. The measurement runs in
a fresh Python process, because importing Solara's server patches ipywidgets for the process.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_MS = 200.0


def _load_server():
    spec = importlib.util.spec_from_file_location("server", ROOT / "server.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["server"] = module
    spec.loader.exec_module(module)
    return module


def _click_steps(server, steps: int) -> list[float]:
    import ipyvuetify as v
    import solara

    box, rc = solara.render(solara.AppLayout(children=[server.Page()]), handle_error=False)
    try:
        step = rc.find(v.Btn, children=["Step"]).widget
        times = []
        for _ in range(steps):
            start = time.perf_counter()
            step.click()
            times.append(time.perf_counter() - start)
        return times
    finally:
        rc.close()


def _model_steps(server, steps: int) -> list[float]:
    model = server.AppModel(**server.initial_values())
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        model.step()
        times.append(time.perf_counter() - start)
    return times


def measure(steps: int) -> dict[str, float]:
    """The figures, measured in this process [ms per step]."""
    server = _load_server()
    model = _model_steps(server, steps)
    plain = _click_steps(server, steps)  # before Solara's server is imported

    import solara.server.starlette  # noqa: F401  (as under `solara run`)
    from solara.server import kernel, kernel_context

    context = kernel_context.VirtualKernelContext(
        id="bench", kernel=kernel.Kernel(), session_id="bench"
    )
    with context:
        served = _click_steps(server, steps)
    served_ms = sorted(1e3 * t for t in served)
    return {
        "prosumers": server.initial_values()["n_prosumers"],
        "steps": steps,
        "step_ms_median": statistics.median(served_ms),
        "step_ms_p90": served_ms[int(0.9 * (len(served_ms) - 1))],
        "model_step_ms_median": 1e3 * statistics.median(model),
        "no_kernel_step_ms_median": 1e3 * statistics.median(plain),
        "target_ms": TARGET_MS,
    }


def main(steps: int = 48) -> dict[str, float]:
    """Measure in a fresh process, print one line, return the figures."""
    worker = [sys.executable, str(Path(__file__).resolve()), "--worker", "--steps", str(steps)]
    done = subprocess.run(worker, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"bench_app worker failed:\n{done.stderr}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    print(
        f"app step ({figures['prosumers']} prosumers, click Step to all views redrawn): "
        f"{figures['step_ms_median']:.0f} ms median, {figures['step_ms_p90']:.0f} ms p90 "
        f"over {steps} hours (target < {TARGET_MS:.0f}); model alone "
        f"{figures['model_step_ms_median']:.1f} ms; without a kernel context "
        f"{figures['no_kernel_step_ms_median']:.0f} ms"
    )
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=48, help="Step clicks (default 48)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(measure(args.steps)))
    else:
        main(args.steps)
