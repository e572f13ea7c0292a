"""Sweep speed-up: 8 runs on 2 workers against 1 worker, local processes and Dask.

Each run is 100 prosumers for 500 hours with everything on (about 2 s here), so that
starting the workers does not dominate. ``1 worker`` runs in this process (no start-up at
all); the 2-worker figures include starting the workers (the fork server, or the Dask
LocalCluster). Results are checked to be the same whatever the backend.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pandas as pd

from community_model.experiments.sweeps import SweepSpec, load_results, run_sweep

RUNS = 8
SPEC = SweepSpec(fixed={"n_prosumers": 100}, seeds=RUNS, hours=500)


def _timed_sweep(out: Path, **options) -> float:
    start = time.perf_counter()
    result = run_sweep(SPEC, out, progress=False, **options)
    seconds = time.perf_counter() - start
    assert result.completed == RUNS and not result.failures
    return seconds


def _kpis(out: Path) -> pd.DataFrame:
    return load_results(out).drop(columns="run_seconds")


def main() -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        one = _timed_sweep(root / "one", workers=1)
        two = _timed_sweep(root / "two", workers=2)
        dask_two = _timed_sweep(root / "dask", backend="dask", workers=2)
        run_seconds = float(load_results(root / "one")["run_seconds"].mean())
        pd.testing.assert_frame_equal(_kpis(root / "one"), _kpis(root / "two"))
        pd.testing.assert_frame_equal(_kpis(root / "one"), _kpis(root / "dask"))
    figures = {
        "runs": RUNS,
        "run_seconds": run_seconds,
        "one_worker_s": one,
        "two_workers_s": two,
        "speedup": one / two,
        "dask_two_workers_s": dask_two,
        "dask_speedup": one / dask_two,
    }
    print(
        f"sweep {RUNS} runs of {run_seconds:.2f} s: 1 worker {one:.1f} s, 2 processes "
        f"{two:.1f} s ({one / two:.2f}x), Dask LocalCluster of 2 {dask_two:.1f} s "
        f"({one / dask_two:.2f}x)"
    )
    return figures


if __name__ == "__main__":
    main()
