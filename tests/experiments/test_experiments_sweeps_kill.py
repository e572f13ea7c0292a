"""A sweep driver killed with SIGKILL leaves no process behind: its fork server, resource
tracker and workers end with it (``sweeps.die_with_parent``)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

psutil = pytest.importorskip("psutil")  # installed with distributed

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork server, SIGKILL")
def test_a_killed_driver_leaves_no_process(tmp_path):
    spec = tmp_path / "long.toml"
    spec.write_text("hours = 2000\nseeds = 4\n[fixed]\nn_prosumers = 5\nchain_enabled = false\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    driver = subprocess.Popen(
        [sys.executable, "-m", "community_model", "sweep", str(spec), "--workers", "2",
         "--out", str(tmp_path / "out"), "--no-progress"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        parent = psutil.Process(driver.pid)
        deadline = time.monotonic() + 30
        family = []
        while time.monotonic() < deadline:  # the fork server and two workers under it
            family = parent.children(recursive=True)
            if sum(1 for p in family if p.ppid() != driver.pid) >= 2:
                break
            time.sleep(0.1)
        assert len(family) >= 3, family
        os.kill(driver.pid, signal.SIGKILL)
        driver.wait()
        gone, alive = psutil.wait_procs(family, timeout=10)
        assert alive == [], [(p.pid, p.cmdline()) for p in alive]
    finally:
        if driver.poll() is None:
            driver.kill()
