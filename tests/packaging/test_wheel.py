"""A plain ``pip install`` of the built wheel works: the command line, the app and the
notebooks' imports, in a fresh virtual environment (issue 21).

Builds the wheel, installs it with its ``app`` extra (what a user of the app installs) into a
new venv with nothing else in it, runs a short ``community-sim run``, serves
``community-sim app`` and fetches its page over HTTP on 127.0.0.1, and imports what the
notebooks import. It takes one to three minutes (pip installs about a hundred packages, from
its cache when it has them), so it runs once per suite.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: The project's modules the notebooks import (notebooks/*.ipynb), and the learning extra's.
NOTEBOOK_IMPORTS = (
    "import community_model, agents.prosumer, chain, market.zero_intelligence; "
    "import community_model.experiments.economics, community_model.experiments.mechanisms, "
    "community_model.experiments.sweeps, community_model.outputs.files, mesa, scipy, matplotlib"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh venv with the wheel and its ``app`` extra installed; its bin folder."""
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "source"  # a copy: building in the checkout would leave build/ in it
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "build", "results", "docs", "*.egg-info", "__pycache__", ".*cache"
        ),
    )
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", tmp, source],
        check=True,
    )
    (wheel,) = tmp.glob("prosumer_community_sim-*.whl")
    subprocess.run([sys.executable, "-m", "venv", tmp / "venv"], check=True)
    bin_dir = tmp / "venv" / "bin"
    subprocess.run(
        [bin_dir / "python", "-m", "pip", "install", "--quiet", f"{wheel}[app]"], check=True
    )
    return bin_dir


def test_the_installed_wheel_runs_the_command_line(installed, tmp_path):
    out = tmp_path / "out"
    done = subprocess.run(
        [installed / "community-sim", "run", "--prosumers", "5", "--hours", "3", "--out", out],
        capture_output=True, text=True, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (out / "community_summary.csv").read_text().count("\n") == 4  # header + 3 hours
    assert (out / "chain.jsonl").is_file()
    version = subprocess.run([installed / "community-sim", "--version"], capture_output=True,
                             text=True, check=True)  # fmt: skip
    assert version.stdout.startswith("community-sim ")


def test_the_installed_wheel_has_the_notebooks_imports(installed, tmp_path):
    done = subprocess.run(
        [installed / "python", "-c", NOTEBOOK_IMPORTS + "; print(community_model.__file__)"],
        capture_output=True, text=True, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "site-packages" in done.stdout  # the installed package, not the checkout


def test_the_installed_wheel_serves_the_app(installed, tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    server = subprocess.Popen(
        [installed / "community-sim", "app", "--no-open", "--port", str(port)],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    try:
        page, deadline = None, time.monotonic() + 120
        while page is None and time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as answer:
                    page = answer.read().decode()
            except OSError:
                time.sleep(0.5)
        assert server.poll() is None, server.stdout.read().decode()
        assert page is not None and "solara" in page.lower()
    finally:
        os.killpg(server.pid, 15)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, 9)
            server.wait()
