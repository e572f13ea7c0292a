"""Smoke test of benchmarks/bench_app.py (two clicks; the figures are not judged here)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_app.py"


def load_bench():
    spec = importlib.util.spec_from_file_location("bench_app", BENCH)
    module = importlib.util.module_from_spec(spec)
    saved, sys.dont_write_bytecode = sys.dont_write_bytecode, True  # no __pycache__ there
    try:
        spec.loader.exec_module(module)
    finally:
        sys.dont_write_bytecode = saved
    return module


def test_benchmark_runs(capsys):
    figures = load_bench().main(steps=2)
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
