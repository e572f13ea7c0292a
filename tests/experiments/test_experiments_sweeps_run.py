"""run_sweep: files written run by run, failing runs reported alone, resume."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from community_model.experiments.sweeps import (
    SweepError,
    SweepSpec,
    load_failures,
    load_frames,
    load_results,
    run_one,
    run_sweep,
)

FIXED = {"n_prosumers": 10, "difficulty": 1, "n_miners": 2}


def test_a_failing_combination_is_reported_with_its_parameters_and_the_others_complete(
    tmp_path,
):
    spec = SweepSpec(
        grid={"battery_share": [0.0, 1.0], "soc_min": [0.2, 0.97]}, fixed=FIXED, seeds=2, hours=6
    )
    result = run_sweep(spec, tmp_path, workers=1, progress=False)
    assert result.planned == 8 and result.completed == 4 and len(result.failures) == 4
    for outcome in result.failures:
        assert outcome.run.params["soc_min"] == 0.97
        assert outcome.error.startswith("ParameterError: soc_min must be below soc_max")
        assert "soc_min=0.97" in outcome.run.label()
    assert (load_results(tmp_path).soc_min == 0.2).all() and len(load_results(tmp_path)) == 4
    failures = load_failures(tmp_path)
    assert len(failures) == 4 and failures.error.str.contains("soc_min must be below").all()
    record = json.loads(next((tmp_path / "failed").glob("*.json")).read_text())
    assert record["params"]["soc_min"] == 0.97 and "Traceback" in record["traceback"]


def test_resume_runs_only_what_is_missing_and_extending_the_seeds_adds_runs(tmp_path):
    spec = SweepSpec(grid={"battery_share": [0.0, 1.0]}, fixed=FIXED, seeds=[0], hours=6)
    first = run_sweep(spec, tmp_path, workers=1, progress=False)
    assert (first.completed, first.skipped) == (2, 0)
    with pytest.raises(SweepError, match="already holds 2 finished run"):
        run_sweep(spec, tmp_path, workers=1, progress=False)
    stamps = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "runs").iterdir()}
    again = run_sweep(spec, tmp_path, workers=1, progress=False, resume=True)
    assert (again.completed, again.skipped) == (0, 2)
    more = SweepSpec(grid={"battery_share": [0.0, 1.0]}, fixed=FIXED, seeds=[0, 1], hours=6)
    extended = run_sweep(more, tmp_path, workers=1, progress=False, resume=True)
    assert (extended.completed, extended.skipped) == (2, 2)
    for name, stamp in stamps.items():  # nothing re-run
        assert (tmp_path / "runs" / name).stat().st_mtime_ns == stamp
    table = extended.results()
    assert len(table) == 4 and table.run_key.is_unique
    pairs = table[["seed", "battery_share"]].values.tolist()
    assert pairs == [[0, 0.0], [0, 1.0], [1, 0.0], [1, 1.0]]
    assert json.loads((tmp_path / "sweep.json").read_text())["runs"] == 4


def test_frames_and_results_of_a_run_match_the_model(tmp_path):
    spec = SweepSpec(fixed=FIXED, grid={"objective": ["none"]}, seeds=[7], hours=5, frames=True)
    run_sweep(spec, tmp_path, workers=1, progress=False)
    (run,) = spec.runs()
    direct = run_one(run, frames=True)
    frames = load_frames(tmp_path)
    expected = direct.frame.assign(run_key=run.key, run_index=0, seed=7, objective="none")
    pd.testing.assert_frame_equal(frames[expected.columns], expected, check_dtype=False)
    row = load_results(tmp_path).iloc[0]
    assert row.run_key == run.key and row.seed == 7 and row.p2p_share == direct.kpis["p2p_share"]


def test_run_sweep_takes_a_spec_file_or_a_mapping(tmp_path):
    path = tmp_path / "spec.toml"
    path.write_text("hours = 3\nseeds = 1\n[fixed]\nn_prosumers = 5\ndifficulty = 1\n")
    from_file = run_sweep(path, tmp_path / "a", workers=1, progress=False)
    mapping = {"hours": 3, "seeds": 1, "fixed": {"n_prosumers": 5, "difficulty": 1}}
    from_mapping = run_sweep(mapping, tmp_path / "b", workers=1, progress=False)
    assert from_file.results().run_key.tolist() == from_mapping.results().run_key.tolist()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"backend": "spark"}, "backend must be one of processes, dask"),
        ({"scheduler": "tcp://127.0.0.1:8786"}, "needs backend='dask'"),
        ({"workers": 0}, "workers must be an integer >= 1"),
    ],
)
def test_bad_options_are_refused_before_any_run(tmp_path, options, message):
    with pytest.raises(SweepError, match=message):
        run_sweep(SweepSpec(fixed=FIXED), tmp_path, progress=False, **options)
    assert not (tmp_path / "runs").exists()


def test_the_dask_backend_without_its_extra_names_the_extra(monkeypatch, tmp_path):
    import importlib.util

    from community_model.experiments.sweep_spec import SweepSpec
    from community_model.experiments.sweeps import SweepError, run_sweep

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "distributed" else real(name, *a),
    )
    spec = SweepSpec(fixed={"n_prosumers": 3}, seeds=1, hours=2)
    with pytest.raises(SweepError, match=r"extra 'dask' \(distributed missing\): pip install"):
        run_sweep(spec, tmp_path / "out", backend="dask", progress=False)
    assert not (tmp_path / "out").exists()  # refused before anything was written
