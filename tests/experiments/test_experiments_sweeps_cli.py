"""``community-sim sweep``: one-line errors, exit codes, and a sweep killed part-way that
``--resume`` completes without repeating or losing a run."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from community_model.commands.sweep import main
from community_model.experiments.sweep_spec import load_spec
from community_model.experiments.sweeps import load_results, run_one

COMMAND = [sys.executable, "-m", "community_model.commands.sweep"]

SMALL = """
hours = 4
seeds = 2
[fixed]
n_prosumers = 8
difficulty = 1
[grid]
battery_share = [0.0, 1.0]
"""


def write_spec(tmp_path: Path, text: str, name: str = "spec.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_sweep_command_runs_a_spec_file_and_prints_a_summary(tmp_path, capsys):
    spec = write_spec(tmp_path, SMALL)
    out = tmp_path / "out"
    assert main([str(spec), "--out", str(out), "--workers", "1", "--no-progress"]) == 0
    printed = capsys.readouterr().out
    assert "2 battery_share x 2 seeds = 4 runs of 4 steps" in printed
    assert "4 finished now, 0 already there, 0 failed" in printed
    assert len(load_results(out)) == 4


def test_failed_runs_give_exit_status_1_and_one_line_each(tmp_path, capsys):
    spec = write_spec(tmp_path, SMALL + "soc_min = [0.2, 0.99]\n")
    assert main([str(spec), "--out", str(tmp_path / "o"), "--workers", "1", "--no-progress"]) == 1
    captured = capsys.readouterr()
    failed = [line for line in captured.err.splitlines() if "run failed" in line]
    assert len(failed) == 4
    first = "community-sim: run failed (battery_share=0.0, soc_min=0.99, seed=0): ParameterError"
    assert failed[0].startswith(first)
    assert "ParameterError: soc_min must be below soc_max" in failed[0]
    assert "4 finished now, 0 already there, 4 failed" in captured.out


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("hours = [\n", "bad TOML"),
        ("[grid]\nbattery_shar = [0.5]\n", "unknown parameter 'battery_shar' in [grid]"),
        ("[grid]\nbattery_share = [3]\n", "[grid] battery_share must be a number in [0, 1], got 3"),
        ("[fixed]\nclearing_mechanism = 'vickrey'\n", "[fixed] clearing_mechanism must be one of"),
    ],
)
def test_a_bad_spec_file_exits_2_with_one_line_and_no_traceback(tmp_path, capsys, text, message):
    spec = write_spec(tmp_path, text)
    assert main([str(spec), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"community-sim: error: {spec}: ") and message in err
    assert not (tmp_path / "o").exists()


def exit_status(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as exit:  # argparse's own errors
        return exit.code


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--workers", "0"], "workers must be an integer >= 1, got '0'"),
        (["--backend", "spark"], "argument --backend: invalid choice: 'spark'"),
        (["--backend", "processes", "--scheduler", "tcp://h:1"], "--scheduler needs --backend"),
    ],
)
def test_bad_options_exit_2_with_one_line(tmp_path, capsys, arguments, message):
    spec = write_spec(tmp_path, SMALL)
    assert exit_status([str(spec), "--out", str(tmp_path / "o"), *arguments]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err
    assert not (tmp_path / "o").exists()


def test_missing_file_and_used_folder_exit_2(tmp_path, capsys):
    assert main([str(tmp_path / "absent.toml")]) == 2
    assert "cannot read sweep file" in capsys.readouterr().err
    spec = write_spec(tmp_path, SMALL)
    out = tmp_path / "o"
    assert main([str(spec), "--out", str(out), "--workers", "1", "--no-progress"]) == 0
    assert main([str(spec), "--out", str(out), "--workers", "1", "--no-progress"]) == 2
    assert "already holds 4 finished run(s)" in capsys.readouterr().err


def test_dry_run_lists_the_runs_and_writes_nothing(tmp_path, capsys):
    spec = write_spec(tmp_path, SMALL)
    assert main([str(spec), "--out", str(tmp_path / "o"), "--dry-run"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 5 and lines[1].split()[2:] == ["battery_share=0.0,", "seed=0"]
    assert not (tmp_path / "o").exists()


# --- killed and interrupted sweeps ----------------------------------------------------------
KILL_SPEC = """
hours = 48
seeds = 6
[fixed]
n_prosumers = 40
[grid]
battery_share = [0.5, 1.0]
"""


def start_sweep(tmp_path: Path, spec: Path, out: Path, *extra: str) -> subprocess.Popen:
    log = open(tmp_path / "first.log", "w")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(
        [*COMMAND, str(spec), "--out", str(out), "--no-progress", *extra],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: the workers go with it
    )


def wait_for_runs(out: Path, count: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while len(list((out / "runs").glob("*.parquet"))) < count:
        assert process.poll() is None, "the sweep ended before it could be interrupted"
        assert time.monotonic() < deadline, "no run finished in time"
        time.sleep(0.01)


def test_a_killed_sweep_resumes_without_repeating_or_losing_a_run(tmp_path):
    spec = write_spec(tmp_path, KILL_SPEC)
    out = tmp_path / "out"
    process = start_sweep(tmp_path, spec, out, "--workers", "2")
    wait_for_runs(out, 2, process)
    os.killpg(process.pid, signal.SIGKILL)  # no clean-up at all: the parent and its workers
    process.wait(timeout=30)

    plan = load_spec(spec).runs()
    kept = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in (out / "runs").iterdir()}
    kept = {name: stamp for name, stamp in kept.items() if name.endswith(".parquet")}
    assert 2 <= len(kept) < len(plan), f"{len(kept)} runs were finished when killed"
    assert len(load_results(out)) == len(kept)  # every kept file is a whole, readable run

    resumed = subprocess.run(
        [*COMMAND, str(spec), "--out", str(out), "--resume", "--no-progress", "--workers", "2"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert resumed.returncode == 0, resumed.stderr
    missing = len(plan) - len(kept)
    assert f"{missing} finished now, {len(kept)} already there, 0 failed" in resumed.stdout

    for name, stamp in kept.items():  # not written again
        path = out / "runs" / name
        assert (path.stat().st_ino, path.stat().st_mtime_ns) == stamp
    table = load_results(out)
    assert sorted(table.run_key) == sorted(run.key for run in plan)  # none lost, none twice
    assert table.run_index.tolist() == list(range(len(plan)))
    assert not list(out.rglob("*.tmp"))
    # a run finished before the kill and one after are the runs themselves
    before = next(run for run in plan if f"{run.key}.parquet" in kept)
    after = next(run for run in plan if f"{run.key}.parquet" not in kept)
    for run in (before, after):
        row = table.set_index("run_key").loc[run.key]
        assert row.self_sufficiency == run_one(run).kpis["self_sufficiency"]


def test_ctrl_c_stops_the_workers_keeps_finished_runs_and_exits_130(tmp_path):
    spec = write_spec(tmp_path, KILL_SPEC)
    out = tmp_path / "out"
    process = start_sweep(tmp_path, spec, out, "--workers", "2")
    wait_for_runs(out, 1, process)
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    assert process.wait(timeout=30) == 130
    log = (tmp_path / "first.log").read_text()
    assert "interrupted: every finished run is kept" in log and "Traceback" not in log
    assert 1 <= len(load_results(out)) < 12
    deadline = time.monotonic() + 20
    while group_alive(process.pid):  # no worker left behind in its process group
        assert time.monotonic() < deadline, "processes of the sweep still running"
        time.sleep(0.05)


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def test_community_sim_sweep_is_wired_into_the_main_command(tmp_path, capsys):
    from community_model.commands import main as cli

    parser = cli.build_parser()
    commands = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    if "sweep" not in commands.choices:
        pytest.skip("cli.py does not register the sweep command yet")
    spec = write_spec(tmp_path, SMALL)
    args = ["sweep", str(spec), "--out", str(tmp_path / "o"), "--workers", "1", "--no-progress"]
    assert cli.main(args) == 0
    assert "4 finished now" in capsys.readouterr().out
    assert cli.main(["sweep", str(tmp_path / "absent.toml")]) == 2
    assert re.match(r"community-sim: error: cannot read sweep file", capsys.readouterr().err)
