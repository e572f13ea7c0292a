"""A run's folder is whole or absent: killed at random moments, failing on a full disk, or
written over an earlier run, it holds exactly one complete run (``write_folder_atomic``)."""

from __future__ import annotations

import errno
import hashlib
import os
import random
import signal
import sys
import time

import pytest

from chain.atomic_files import STAGING_INFIX
from community_model import CommunityModel
from community_model.outputs import files
from community_model.outputs.files import write_outputs


def _files(folder) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


def _leftovers(folder) -> list[str]:
    return [p.name for p in folder.parent.iterdir() if STAGING_INFIX in p.name]


@pytest.fixture(scope="module")
def models():
    runs = []
    for seed in (1, 2):
        model = CommunityModel(n_prosumers=30, rng=seed, difficulty=1)
        model.run_for(48)
        runs.append(model)
    return runs


@pytest.fixture(scope="module")
def expected(models, tmp_path_factory):
    prints = []
    for k, model in enumerate(models):
        folder = tmp_path_factory.mktemp("expected") / f"run{k}"
        write_outputs(model, folder)
        prints.append(_files(folder))
    return prints


def test_an_earlier_run_leaves_nothing_and_the_users_files_stay(tmp_path):
    out = tmp_path / "results"
    model = CommunityModel(n_prosumers=5, rng=1)
    model.run_for(3)
    write_outputs(model, out)
    (out / "notes.txt").write_text("mine")
    (out / "battery").mkdir()
    (out / "battery" / "sweep.json").write_text("{}")
    (out / ".all_trades.csv.abc123.tmp").write_bytes(b"partial")  # left by an old writer
    unchained = CommunityModel(n_prosumers=5, rng=1, chain_enabled=False)
    unchained.run_for(3)
    write_outputs(unchained, out)
    names = sorted(p.name for p in out.iterdir())
    assert "chain.jsonl" not in names and "keys.json" not in names and "anchor.json" not in names
    assert (out / "notes.txt").read_text() == "mine"
    assert (out / "battery" / "sweep.json").exists()
    assert not any(name.endswith(".tmp") for name in names)
    assert _leftovers(out) == []


def test_a_full_disk_leaves_the_earlier_folder_as_it_was(models, expected, tmp_path, monkeypatch):
    out = tmp_path / "results"
    write_outputs(models[0], out)
    calls = []

    def full_disk(frame, path):  # the third file finds the disk full
        calls.append(path)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        return original(frame, path)

    original = files.write_csv
    monkeypatch.setattr(files, "write_csv", full_disk)
    with pytest.raises(OSError, match="No space left"):
        write_outputs(models[1], out)
    assert _files(out) == expected[0]
    assert _leftovers(out) == []


def test_a_killed_writer_is_cleaned_up_by_the_next_run(models, expected, tmp_path):
    out = tmp_path / "results"
    write_outputs(models[0], out)
    stale = tmp_path / f".results{STAGING_INFIX}dead.tmp"
    stale.mkdir()
    (stale / "all_trades.csv").write_bytes(b"13 MB of a killed run")
    (stale / "mine.txt").write_text("moved aside during a swap")
    write_outputs(models[1], out)
    assert _leftovers(out) == []
    assert (out / "mine.txt").read_text() == "moved aside during a swap"
    assert {k: v for k, v in _files(out).items() if k != "mine.txt"} == expected[1]


@pytest.mark.skipif(sys.platform == "win32", reason="fork and SIGKILL")
def test_fifty_kills_at_random_moments_leave_exactly_one_complete_run(models, expected, tmp_path):
    out = tmp_path / "results"
    write_outputs(models[0], out)
    start = time.perf_counter()
    write_outputs(models[1], out)
    duration = time.perf_counter() - start
    rng = random.Random(20)
    held, kills_mid_write = 1, 0
    for _ in range(50):
        target = 1 - held
        pid = os.fork()
        if pid == 0:  # the child writes the other run and is killed at a random moment
            try:
                write_outputs(models[target], out)
            finally:
                os._exit(0)
        time.sleep(rng.uniform(0, 1.2 * duration))
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        kills_mid_write += os.WIFSIGNALED(status)
        now = _files(out)
        assert now in expected, sorted(now)  # one complete run, never a mixture
        held = expected.index(now)
    assert kills_mid_write >= 10  # the kills did land while writing
    write_outputs(models[0], out)
    assert _leftovers(out) == [] and _files(out) == expected[0]
