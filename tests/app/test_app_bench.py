"""Smoke test of benchmarks/bench_app.py (two clicks; the figures are not judged here)."""

from __future__ import annotations

from benchmarks import bench_app


def test_benchmark_runs(capsys):
    figures = bench_app.main(steps=2)
    (line,) = capsys.readouterr().out.splitlines()
    assert line.startswith("app step (100 prosumers")
    assert figures["steps"] == 2 and figures["prosumers"] == 100
    for key in (
        "step_ms_median",
        "step_ms_p90",
        "model_step_ms_median",
        "no_kernel_step_ms_median",
    ):
        assert figures[key] > 0
