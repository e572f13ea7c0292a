"""Parameter sweeps on local processes or a Dask cluster, written run by run to Parquet.

A sweep is a :class:`~community_model.experiments.sweep_spec.SweepSpec`: a grid of model
parameters times a list of seeds (its module docstring has the file format). Each run is one
parameter combination and one seed, ``hours`` steps of
:class:`~community_model.model.CommunityModel`.

Python::

    from community_model.experiments.sweeps import SweepSpec, load_results, run_sweep

    spec = SweepSpec(
        grid={"battery_share": [0.0, 0.5, 1.0], "objective": ["none", "maximize_renewable"]},
        fixed={"n_prosumers": 50},
        seeds=5,
        hours=48,
    )
    result = run_sweep(spec, "results/battery", workers=2)  # or backend="dask"
    runs = load_results("results/battery")  # one row per run: parameters, seed, KPIs

Command line: ``community-sim sweep battery.toml --out results/battery --workers 2``
(``--backend dask`` for a ``LocalCluster``, plus ``--scheduler tcp://host:8786`` for a running
cluster; ``--resume`` to continue an interrupted sweep).

Output folder::

    sweep.json            the spec and the number of runs (rewritten by every call)
    runs/<key>.parquet    one row per finished run: run_key, run_index, seed, hours, the spec's
                          parameters, every KPI of model.kpis(), run_seconds
    frames/<key>.parquet  with frames on: model.step_frame() of the run (one row per step)
                          with run_key, run_index, seed and the grid parameters in front
    failed/<key>.json     a run that raised: its parameters, seed, error and traceback

Each file is written under a temporary name and renamed when complete, by the process that
drives the sweep, as soon as its run finishes, so a sweep killed at any moment keeps every run
it finished. ``resume=True`` (``--resume``) skips runs whose file is there (runs are identified
by :func:`~community_model.experiments.sweep_spec.run_key`, a hash of parameters, seed and
steps) and runs the rest, including runs that failed before; a folder that already holds runs is
refused without it. Extending a spec (more seeds, more grid values) and resuming runs only the
new runs.

A run that raises (e.g. a combination breaking ``soc_min < soc_max``) is recorded in
``failed/`` and reported with its parameters; the other runs complete.

Backends:

- ``"processes"`` (default): ``workers`` local processes, forked from a fork server that has
  imported the model once (``spawn`` on Windows); ``workers=1`` runs in this process.
- ``"dask"``: a ``distributed.LocalCluster`` of ``workers`` single-threaded worker processes
  bound to 127.0.0.1, or an existing cluster given by ``scheduler="tcp://host:port"`` (or
  ``client=``). Remote workers need this package installed (same version); results come back
  to this process, which writes the files, so workers need no shared file system.

Results do not depend on the backend or the number of workers: each run is seeded by its own
seed only. As with Mesa's ``batch_run``, a script that runs a sweep on several processes needs
an ``if __name__ == "__main__":`` guard (worker processes import the main module); notebooks
need nothing.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import shutil
import signal
import sys
import time
import traceback
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from chain.atomic_files import write_atomic
from community_model.experiments.sweep_spec import Run, SpecError, SweepSpec, load_spec

__all__ = [
    "BACKENDS",
    "Run",
    "RunOutcome",
    "SpecError",
    "SweepError",
    "SweepResult",
    "SweepSpec",
    "load_failures",
    "load_frames",
    "load_results",
    "load_spec",
    "run_one",
    "run_sweep",
]

BACKENDS = ("processes", "dask")
RUNS_DIR, FRAMES_DIR, FAILED_DIR = "runs", "frames", "failed"
MANIFEST = "sweep.json"


class SweepError(RuntimeError):
    """A sweep that cannot start or go on (folder in use, no scheduler, ...); one line."""


# --- one run (executed by the workers) --------------------------------------------------------
@dataclass
class RunOutcome:
    """What a worker sends back: the KPIs (and frame) of a run, or its error."""

    run: Run
    kpis: dict[str, Any] | None = None
    frame: pd.DataFrame | None = None
    error: str | None = None  #: ``"ParameterError: soc_min must be below soc_max, ..."``
    detail: str = ""  #: the traceback of the error
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def researcher_registrations() -> bytes | None:
    """The bidding strategies and storage policies registered beyond the package's own (a
    researcher's classes, from a script, a notebook or a module of theirs), pickled by value
    with cloudpickle, or None. Worker processes do not run the researcher's script, so a
    sweep sends them these with every run (:func:`run_registered`)."""
    from agents.bidding import BIDDING_STRATEGIES
    from agents.storage import STORAGE_POLICIES

    def theirs(registry: dict) -> dict:
        return {
            name: cls
            for name, cls in registry.items()
            if not cls.__module__.startswith(("agents.", "community_model."))
        }

    extra = {"bidding": theirs(BIDDING_STRATEGIES), "storage": theirs(STORAGE_POLICIES)}
    if not any(extra.values()):
        return None
    import cloudpickle

    modules = {cls.__module__ for group in extra.values() for cls in group.values()} - {
        "__main__"
    }  # (cloudpickle sends __main__'s classes by value anyway)
    registered = []
    try:
        for name in modules:
            if name in sys.modules:
                cloudpickle.register_pickle_by_value(sys.modules[name])
                registered.append(sys.modules[name])
        return cloudpickle.dumps(extra)
    finally:
        for module in registered:
            cloudpickle.unregister_pickle_by_value(module)


def run_registered(registrations: bytes | None, run: Run, frames: bool = False) -> RunOutcome:
    """:func:`run_one` after registering the researcher's classes in this process."""
    if registrations is not None:
        import pickle

        from agents.bidding import BIDDING_STRATEGIES, register_bidding_strategy
        from agents.storage import STORAGE_POLICIES, register_storage_policy

        extra = pickle.loads(registrations)
        for name, cls in extra["bidding"].items():
            if name not in BIDDING_STRATEGIES:
                register_bidding_strategy(name)(cls)
        for name, cls in extra["storage"].items():
            if name not in STORAGE_POLICIES:
                register_storage_policy(name, cls)
    return run_one(run, frames)


def run_one(run: Run, frames: bool = False) -> RunOutcome:
    """Run one combination and seed for ``run.hours`` steps; never raises on a model error.

    Agent-level data are not kept by sweeps, so they are not collected unless the spec sets
    ``agent_data_every`` (it changes nothing the run computes).
    """
    from community_model.model import CommunityModel

    start = time.perf_counter()
    try:
        params = dict(run.params)
        params.setdefault("agent_data_every", 0)
        # A sweep keeps no chain file, so there is nothing to forge: keys from the seed keep its
        # KPIs (hash counts included) the same on every backend and number of workers.
        params.setdefault("reproducible_keys", True)
        model = CommunityModel(**params, rng=run.seed)
        model.run_for(run.hours)
        kpis = {name: _plain(value) for name, value in model.kpis().items()}
        frame = model.step_frame() if frames else None
    except Exception as err:  # reported with the run's parameters; the sweep goes on
        return RunOutcome(
            run,
            error=f"{type(err).__name__}: {err}",
            detail=traceback.format_exc(),
            seconds=time.perf_counter() - start,
        )
    return RunOutcome(run, kpis, frame, seconds=time.perf_counter() - start)


# --- where results go -------------------------------------------------------------------------
def _cell(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


#: Default cap on the runs of one sweep (``--max-runs``): about a day of 10-second runs on
#: one core, far beyond any grid in this project, yet a typo such as ``seeds = 1000000000``
#: or a grid of 10,000 combinations x 1,000 seeds is refused at once.
DEFAULT_MAX_RUNS = 10_000


class _Store:
    """The output folder: one file per finished run, each written atomically."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.runs, self.frames, self.failed = out / RUNS_DIR, out / FRAMES_DIR, out / FAILED_DIR

    def prepare(self) -> None:
        for folder in (self.runs, self.frames, self.failed):
            folder.mkdir(parents=True, exist_ok=True)
            for stale in folder.glob(".*.tmp"):  # a write cut short by a kill
                stale.unlink(missing_ok=True)

    def done(self, frames: bool) -> set[str]:
        keys = {p.stem for p in self.runs.glob("*.parquet")}
        if frames:
            keys &= {p.stem for p in self.frames.glob("*.parquet")}
        return keys

    def write_manifest(self, spec: SweepSpec, planned: int) -> None:
        text = json.dumps({"spec": spec.to_dict(), "runs": planned}, indent=2) + "\n"
        write_atomic(self.out / MANIFEST, lambda tmp: tmp.write_text(text))

    def write(self, outcome: RunOutcome, spec: SweepSpec) -> None:
        run = outcome.run
        front = {"run_key": run.key, "run_index": run.index, "seed": run.seed}
        if outcome.frame is not None:
            frame = outcome.frame.copy()
            for position, (name, value) in enumerate(
                [*front.items(), *((n, run.params[n]) for n in spec.grid)]
            ):
                frame.insert(position, name, [_cell(value)] * len(frame))
            write_atomic(self.frames / f"{run.key}.parquet", lambda tmp: frame.to_parquet(tmp))
        params = {name: _cell(value) for name, value in run.params.items()}
        row = {**front, "hours": run.hours, **params, **outcome.kpis}
        row["run_seconds"] = outcome.seconds
        table = pd.DataFrame([row])
        # the run file last: its presence means the run (and its frame) is complete
        write_atomic(self.runs / f"{run.key}.parquet", lambda tmp: table.to_parquet(tmp))
        (self.failed / f"{run.key}.json").unlink(missing_ok=True)

    def write_failure(self, outcome: RunOutcome) -> None:
        run = outcome.run
        record = {
            "run_key": run.key,
            "run_index": run.index,
            "seed": run.seed,
            "hours": run.hours,
            "params": {name: _cell(value) for name, value in run.params.items()},
            "error": outcome.error,
            "traceback": outcome.detail,
        }
        text = json.dumps(record, indent=2) + "\n"
        write_atomic(self.failed / f"{run.key}.json", lambda tmp: tmp.write_text(text))


# --- backends ---------------------------------------------------------------------------------
def _ignore_sigint() -> None:
    """Worker initialiser: Ctrl-C is handled by the driving process, which stops the workers;
    a worker whose parent dies (a driver killed with SIGKILL) ends too (die_with_parent)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent()


_PR_SET_PDEATHSIG = 1


def die_with_parent(poll_seconds: float = 1.0) -> None:
    """End this process when its parent dies, so that a killed sweep leaves no process.

    On Linux the kernel sends SIGKILL (``prctl(PR_SET_PDEATHSIG)``, via ctypes); elsewhere a
    daemon thread polls ``os.getppid()`` every ``poll_seconds`` [s]. Called in the fork server
    (whose parent is the driver) and in every worker (whose parent is the fork server).
    """
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0:
                if os.getppid() != parent:  # the parent died before prctl took effect
                    os._exit(1)
                return
        except (OSError, AttributeError):
            pass
    import threading

    def watch() -> None:
        while True:
            time.sleep(poll_seconds)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="die-with-parent", daemon=True).start()


def _stop_pool(pool: ProcessPoolExecutor) -> None:
    """Cancel what has not started and end the workers now (not after their current run)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:  # ProcessPoolExecutor.terminate_workers() from Python 3.14
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=5)


def _process_context() -> multiprocessing.context.BaseContext:
    """Workers forked from a fork server that imported the model and loaded the compiled
    proof of work once (``sweep_worker_preload``): they start in milliseconds, where ``spawn``
    re-imports Mesa and pandas in every worker (about a second each). Both are safe with
    threads in this process (Jupyter); ``spawn`` where there is no fork server (Windows)."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["community_model.experiments.sweep_worker_preload"])
    return context


def _local(runs: Sequence[Run], frames: bool, workers: int) -> Iterator[RunOutcome]:
    if workers == 1:
        for run in runs:
            yield run_one(run, frames)
        return
    pool = ProcessPoolExecutor(
        max_workers=workers, mp_context=_process_context(), initializer=_ignore_sigint
    )
    finished = False
    try:
        extra = researcher_registrations()
        futures = {pool.submit(run_registered, extra, run, frames): run for run in runs}
        for future in as_completed(futures):
            try:
                yield future.result()
            except BrokenProcessPool:
                raise SweepError(
                    "a worker process died (out of memory?); the runs finished so far are "
                    "kept: run again with resume"
                ) from None
            except Exception as err:  # e.g. a result that cannot be sent back
                yield _task_failure(futures[future], err)
        finished = True
    finally:
        if finished:
            pool.shutdown(wait=True)
        else:
            _stop_pool(pool)


def _task_failure(run: Run, err: BaseException) -> RunOutcome:
    detail = "".join(traceback.format_exception(err))
    return RunOutcome(run, error=f"{type(err).__name__}: {err}", detail=detail)


def _dask(
    runs: Sequence[Run], frames: bool, workers: int, scheduler: str | None, client
) -> Iterator[RunOutcome]:
    """Connect (or start a LocalCluster) now, so that a bad address fails before any run."""
    from distributed import Client, LocalCluster

    owned = []  # what this sweep started, closed in reverse order
    if client is None:
        if scheduler:
            try:
                client = Client(scheduler, timeout="10s")
            except (OSError, ValueError, TypeError) as err:
                message = " ".join(str(err).split()) or type(err).__name__
                raise SweepError(
                    f"cannot connect to the Dask scheduler at {scheduler}: {message}"
                ) from None
            owned.append(client)
        else:
            cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
            owned.append(cluster)
            client = Client(cluster)
            owned.append(client)
    return _dask_outcomes(runs, frames, client, owned)


def _dask_outcomes(runs: Sequence[Run], frames: bool, client, owned: list) -> Iterator[RunOutcome]:
    from distributed import as_completed as dask_as_completed

    futures = []
    try:
        extra = researcher_registrations()
        futures = client.map(partial(run_registered, extra), list(runs), frames=frames, pure=False)
        by_key = {future.key: run for future, run in zip(futures, runs, strict=True)}
        for future in dask_as_completed(futures):
            try:
                outcome = future.result()
            except Exception as err:  # the task itself failed (e.g. a worker lacks the package)
                outcome = _task_failure(by_key[future.key], err)
            future.release()
            yield outcome
    finally:
        pending = [f for f in futures if not f.done()]
        if pending and client.status == "running":
            client.cancel(pending)
        for thing in reversed(owned):
            thing.close()


def _first_missing(path: Path) -> Path | None:
    """The outermost folder of ``path`` that does not exist yet (None if it exists)."""
    missing = None
    for folder in (path, *path.parents):
        if folder.exists():
            return missing
        missing = folder
    return missing


def default_workers(n_runs: int) -> int:
    """One worker per CPU this process may use, no more than there are runs."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, n_runs))


# --- the sweep --------------------------------------------------------------------------------
@dataclass
class SweepResult:
    """What :func:`run_sweep` did; the results themselves are in the output folder."""

    out: Path
    spec: SweepSpec
    planned: int  #: runs in the spec
    skipped: int  #: already in the folder (resume)
    completed: int = 0  #: finished by this call
    failures: list[RunOutcome] = field(default_factory=list)
    seconds: float = 0.0

    def results(self) -> pd.DataFrame:
        """One row per finished run of this spec (see :func:`load_results`)."""
        return load_results(self.out, self.spec)

    def frames(self) -> pd.DataFrame:
        """Per-step frames of this spec's runs (see :func:`load_frames`)."""
        return load_frames(self.out, self.spec)


def _as_spec(spec: SweepSpec | Mapping[str, Any] | str | os.PathLike) -> SweepSpec:
    if isinstance(spec, SweepSpec):
        return spec
    if isinstance(spec, Mapping):
        return SweepSpec.from_dict(spec)
    return load_spec(spec)


def run_sweep(
    spec: SweepSpec | Mapping[str, Any] | str | os.PathLike,
    out: str | os.PathLike,
    *,
    backend: str = "processes",
    workers: int | None = None,
    scheduler: str | None = None,
    client=None,
    resume: bool = False,
    frames: bool | None = None,
    progress: bool = True,
    max_runs: int = DEFAULT_MAX_RUNS,
) -> SweepResult:
    """Run every run of ``spec`` not yet in ``out``, writing each as soon as it finishes.

    Parameters
    ----------
    spec : SweepSpec, mapping (as in a spec file) or path of a TOML/YAML spec file
    out : output folder (created); see the module docstring for its layout
    backend : ``"processes"`` (local, default) or ``"dask"``
    workers : processes, or Dask workers of a LocalCluster (default: one per CPU)
    scheduler : address of a running Dask scheduler, ``"tcp://host:8786"`` (``backend="dask"``)
    client : a ``distributed.Client`` to use instead (``backend="dask"``)
    resume : skip the runs already in ``out``; without it a folder holding runs is refused
    frames : keep per-step frames (default: the spec's ``frames``)
    progress : tqdm progress bar on stderr
    max_runs : a spec of more runs is refused before any starts (SpecError)

    Returns
    -------
    SweepResult
        counts, the failed runs (each with its error) and accessors to the results.

    Raises
    ------
    SpecError
        the spec is invalid (one line naming the problem)
    SweepError
        the folder holds runs and ``resume`` is off, the scheduler cannot be reached, a worker
        process died; every run finished before stays in ``out``
    """
    started = time.perf_counter()
    spec = _as_spec(spec)
    if frames is not None and frames != spec.frames:
        spec = replace(spec, frames=frames)
    if backend not in BACKENDS:
        raise SweepError(f"backend must be one of {', '.join(BACKENDS)}, got {backend!r}")
    if (scheduler or client is not None) and backend != "dask":
        raise SweepError("a Dask scheduler or client needs backend='dask'")
    if workers is not None and (isinstance(workers, bool) or int(workers) < 1):
        raise SweepError(f"workers must be an integer >= 1, got {workers!r}")
    if backend == "dask" and client is None:
        from community_model.extras import missing_modules

        if missing_modules("dask"):
            raise SweepError(
                "backend 'dask' needs the optional extra 'dask' (distributed missing): "
                "pip install 'prosumer-community-sim[dask]'"
            )

    spec.check_size(max_runs)
    out = Path(out)
    store = _Store(out)
    plan = spec.runs()
    created = _first_missing(out)  # removed again if the sweep cannot even start
    try:
        store.prepare()
        done = store.done(spec.frames)
    except OSError as err:
        raise SweepError(f"cannot use output folder {str(out)!r}: {err}") from None
    if done and not resume:
        raise SweepError(
            f"{out} already holds {len(done)} finished run(s): resume (--resume) to complete "
            "that sweep, or choose another output folder"
        )
    todo = [run for run in plan if run.key not in done]
    result = SweepResult(out, spec, planned=len(plan), skipped=len(plan) - len(todo))
    store.write_manifest(spec, len(plan))
    n_workers = workers or default_workers(len(todo))
    try:
        if backend == "dask" and todo:
            outcomes = _dask(todo, spec.frames, n_workers, scheduler, client)
        else:
            outcomes = _local(todo, spec.frames, n_workers if todo else 1)
    except BaseException:  # e.g. no scheduler at that address: leave no empty folders
        if created is not None:
            shutil.rmtree(created, ignore_errors=True)
        raise

    from tqdm import tqdm

    bar = tqdm(
        total=len(plan),
        initial=result.skipped,
        desc="sweep",
        unit="run",
        file=sys.stderr,
        disable=not progress or not todo,
        dynamic_ncols=True,
    )
    try:
        for outcome in outcomes:
            if outcome.ok:
                store.write(outcome, spec)
                result.completed += 1
            else:
                store.write_failure(outcome)
                result.failures.append(outcome)
                bar.set_postfix(failed=len(result.failures))
            bar.update()
    finally:
        outcomes.close()  # stops the workers if the loop ended early (Ctrl-C, error)
        bar.close()
    result.failures.sort(key=lambda outcome: outcome.run.index)
    result.seconds = time.perf_counter() - started
    return result


# --- reading results back ---------------------------------------------------------------------
def _read_folder(folder: Path, spec: SweepSpec | None) -> list[pd.DataFrame]:
    paths = sorted(folder.glob("*.parquet"))
    if spec is not None:
        keys = {run.key for run in spec.runs()}
        paths = [p for p in paths if p.stem in keys]
    return [pd.read_parquet(p) for p in paths]


def load_results(out: str | os.PathLike, spec: SweepSpec | None = None) -> pd.DataFrame:
    """One row per finished run in ``out`` (only ``spec``'s runs if given), in plan order:
    ``run_key, run_index, seed, hours``, the spec's parameters, the KPIs, ``run_seconds``."""
    parts = _read_folder(Path(out) / RUNS_DIR, spec)
    if not parts:
        return pd.DataFrame(columns=["run_key", "run_index", "seed", "hours"])
    table = pd.concat(parts, ignore_index=True)
    return table.sort_values(["run_index", "run_key"], ignore_index=True)


def load_frames(out: str | os.PathLike, spec: SweepSpec | None = None) -> pd.DataFrame:
    """Per-step frames of the runs in ``out`` (``frames`` on): ``run_key, run_index, seed``,
    the grid parameters, then ``hour`` and every model reporter."""
    parts = _read_folder(Path(out) / FRAMES_DIR, spec)
    if not parts:
        return pd.DataFrame(columns=["run_key", "run_index", "seed", "hour"])
    table = pd.concat(parts, ignore_index=True)
    return table.sort_values(["run_index", "run_key", "hour"], ignore_index=True)


def load_failures(out: str | os.PathLike) -> pd.DataFrame:
    """The failed runs recorded in ``out``: key, index, seed, parameters and error."""
    rows = []
    for path in sorted((Path(out) / FAILED_DIR).glob("*.json")):
        record = json.loads(path.read_text())
        rows.append({k: record[k] for k in ("run_key", "run_index", "seed", "params", "error")})
    frame = pd.DataFrame(rows, columns=["run_key", "run_index", "seed", "params", "error"])
    return frame.sort_values("run_index", ignore_index=True)
