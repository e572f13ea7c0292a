"""Mesa's batch_run and the sweep backends give the sequential results, whatever the number of
processes: every run is seeded by its own seed only."""

from __future__ import annotations

import mesa
import pandas as pd
import pytest

from community_model import CommunityModel
from community_model.experiments.sweeps import SweepSpec, load_frames, load_results, run_sweep
from community_model.metrics import STEP_FIGURES

HOURS = 24
SEEDS = [0, 1]
GRID = {"battery_share": [0.0, 1.0], "objective": ["none", "maximize_p2p"]}
# reproducible_keys: the same hash counts in every process (fresh keys would change them)
FIXED = {"n_prosumers": 15, "difficulty": 1, "n_miners": 3, "reproducible_keys": True}
SPEC = SweepSpec(grid=GRID, fixed=FIXED, seeds=SEEDS, hours=HOURS, frames=True)


def batch(number_processes: int) -> pd.DataFrame:
    rows = mesa.batch_run(
        CommunityModel,
        parameters={**FIXED, **GRID},
        rng=SEEDS,
        max_steps=HOURS,
        number_processes=number_processes,
        data_collection_period=-1,
        display_progress=False,
    )
    return pd.DataFrame(rows).sort_values("RunId", ignore_index=True)


@pytest.fixture(scope="module")
def sequential_batch() -> pd.DataFrame:
    return batch(1)


@pytest.fixture(scope="module")
def sequential_sweep(tmp_path_factory) -> tuple[pd.DataFrame, pd.DataFrame]:
    out = tmp_path_factory.mktemp("sequential")
    result = run_sweep(SPEC, out, workers=1, progress=False)
    assert result.completed == len(SPEC.runs()) and not result.failures
    return load_results(out).drop(columns="run_seconds"), load_frames(out)


def test_batch_run_works_out_of_the_box_with_one_row_of_model_reporters_per_run(
    sequential_batch,
):
    table = sequential_batch
    assert len(table) == 2 * 2 * len(SEEDS)
    assert set(STEP_FIGURES) <= set(table.columns)
    assert {"RunId", "iteration", "Step", "rng", "battery_share", "objective"} <= set(table.columns)
    assert (table.Step == HOURS).all()  # the last collection: the end of hour 24
    assert sorted(table.rng.unique()) == SEEDS
    # the row of a run is the last hour of the same model run by hand
    row = table[(table.rng == 1) & (table.battery_share == 1.0) & (table.objective == "none")]
    model = CommunityModel(**FIXED, battery_share=1.0, objective="none", rng=1)
    model.run_for(HOURS)
    last = model.step_frame().iloc[-1]
    for name in STEP_FIGURES:
        assert row[name].item() == pytest.approx(last[name], nan_ok=True), name


def test_batch_run_on_two_processes_equals_the_sequential_run(sequential_batch):
    pd.testing.assert_frame_equal(batch(2), sequential_batch)


def test_sweep_on_two_local_processes_equals_the_sequential_sweep(tmp_path, sequential_sweep):
    results, frames = sequential_sweep
    run_sweep(SPEC, tmp_path, workers=2, progress=False)
    pd.testing.assert_frame_equal(load_results(tmp_path).drop(columns="run_seconds"), results)
    pd.testing.assert_frame_equal(load_frames(tmp_path), frames)


def test_dask_sweep_on_a_two_worker_local_cluster_equals_the_sequential_runs(
    tmp_path, sequential_sweep, sequential_batch
):
    results, frames = sequential_sweep
    outcome = run_sweep(SPEC, tmp_path, backend="dask", workers=2, progress=False)
    assert outcome.completed == len(SPEC.runs()) and not outcome.failures
    pd.testing.assert_frame_equal(load_results(tmp_path).drop(columns="run_seconds"), results)
    pd.testing.assert_frame_equal(load_frames(tmp_path), frames)
    # and the sweep's last hour is batch_run's row of the same parameters and seed
    last = load_frames(tmp_path).query(f"hour == {HOURS - 1}")
    merged = last.merge(
        sequential_batch, left_on=["seed", *GRID], right_on=["rng", *GRID], suffixes=("", "_b")
    )
    assert len(merged) == len(sequential_batch)
    for name in STEP_FIGURES:
        pd.testing.assert_series_equal(
            merged[name], merged[f"{name}_b"], check_names=False, check_dtype=False
        )


def test_results_hold_parameters_seed_and_kpis(sequential_sweep):
    results, frames = sequential_sweep
    model = CommunityModel(**FIXED, battery_share=0.0, objective="maximize_p2p", rng=0)
    model.run_for(HOURS)
    kpis = model.kpis()
    assert not set(kpis) & set(SPEC.runs()[0].params)  # no KPI shadows a parameter
    row = results.query("seed == 0 and battery_share == 0.0 and objective == 'maximize_p2p'")
    assert len(row) == 1
    assert row.n_prosumers.item() == 15 and row.hours.item() == HOURS
    for name, value in kpis.items():
        assert row[name].item() == pytest.approx(value, nan_ok=True), name
    assert len(frames) == len(results) * HOURS
    assert list(frames.columns[:6]) == ["run_key", "run_index", "seed", *GRID, "hour"]


def test_a_running_dask_cluster_is_used_through_its_scheduler_address(tmp_path):
    import logging

    from distributed import LocalCluster

    spec = SweepSpec(fixed=FIXED, grid={"battery_share": [0.0, 1.0]}, seeds=1, hours=4)
    run_sweep(spec, tmp_path / "here", workers=1, progress=False)
    with LocalCluster(
        n_workers=1,
        threads_per_worker=1,
        host="127.0.0.1",
        dashboard_address=None,
        silence_logs=logging.ERROR,
    ) as cluster:
        result = run_sweep(
            spec,
            tmp_path / "there",
            backend="dask",
            scheduler=cluster.scheduler_address,
            progress=False,
        )
        assert result.completed == 2
        assert cluster.status.name == "running"  # the sweep leaves a cluster it did not start
    pd.testing.assert_frame_equal(
        load_results(tmp_path / "there").drop(columns="run_seconds"),
        load_results(tmp_path / "here").drop(columns="run_seconds"),
    )


def _race_loaded_in_this_process() -> bool:
    from chain import nonce_kernel

    return bool(nonce_kernel.race.signatures)  # machine code for at least one signature


def test_local_workers_start_with_the_compiled_race_loaded_by_the_fork_server():
    """The fork server loads numba's race once; a worker that had to load it again would pay
    about 0.3 s before its first run (a whole compile after an install)."""
    from concurrent.futures import ProcessPoolExecutor

    from community_model.experiments.sweeps import _process_context

    context = _process_context()
    if context.get_start_method() != "forkserver":
        pytest.skip("no fork server on this platform")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        assert pool.submit(_race_loaded_in_this_process).result(timeout=60) is True
