"""verify_chain_file() and the ``python -m chain.cli_verify`` command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from chain import read_chain, write_chain
from chain.cli_verify import main, verify_chain_file

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def chain_file(small_chain, tmp_path) -> Path:
    path = tmp_path / "chain.jsonl"
    write_chain(path, small_chain.blocks)
    return path


def test_valid_file_message(chain_file, small_chain):
    ok, message = verify_chain_file(chain_file, accept_unsigned=True, accept_unanchored=True)
    tip = small_chain.blocks[-1].hash.hex()
    assert ok
    assert message == (
        f"valid chain: 4 blocks, 7 transactions, difficulty 2, tip {tip[:16]}...\n"
        "UNSIGNED: no key registry and no signatures -- the trades are protected by the "
        "hash chain only, which anyone can re-mine\n"
        "UNANCHORED: no anchor.json beside the chain and no --tip, so blocks or trades "
        "removed before re-mining cannot be detected"
    )
    assert not verify_chain_file(chain_file)[0]  # accepted only when asked


def test_invalid_file_message_names_the_block(chain_file):
    lines = chain_file.read_bytes().splitlines(keepends=True)
    lines[3] = lines[3].replace(b'"nonce":', b'"nonce":1', 1)  # block 2's header
    chain_file.write_bytes(b"".join(lines))
    ok, message = verify_chain_file(chain_file)
    assert not ok
    assert message == "invalid chain: block 2 (line 4): stored hash does not match its header"


def test_unreadable_file(tmp_path):
    ok, message = verify_chain_file(tmp_path / "missing.jsonl")
    assert not ok and message.startswith("cannot read chain file")


def test_main_exit_codes(chain_file, tmp_path, capsys):
    assert main([str(chain_file)]) == 5  # unsigned and unanchored
    assert capsys.readouterr().out.startswith("valid chain: 4 blocks")
    assert main([str(chain_file), "--accept-unanchored"]) == 4  # unsigned
    assert main([str(chain_file), "--accept-unsigned"]) == 3  # unanchored
    assert main([str(chain_file), "--accept-unsigned", "--accept-unanchored"]) == 0
    tip = read_chain(chain_file)[-1].hash.hex()
    assert main([str(chain_file), "--accept-unsigned", "--tip", tip[:16]]) == 0
    capsys.readouterr()
    assert main([str(chain_file), "--tip", tip[:4]]) == 2  # a short prefix: a usage error
    assert "--tip must be 16 to 64 hex digits" in capsys.readouterr().err

    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b"hour,kwh\n1,2\n")
    assert main([str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(
        "invalid chain: line 1 (file header): not a prosumer-community-chain file"
    )

    assert main([str(tmp_path / "missing.jsonl")]) == 2
    assert "No such file" in capsys.readouterr().err
    assert main([str(tmp_path)]) == 2  # a directory

    with pytest.raises(SystemExit) as info:
        main([])  # usage error
    assert info.value.code == 2


def test_python_dash_m(chain_file):
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "chain.cli_verify",
            str(chain_file),
            "--accept-unsigned",
            "--accept-unanchored",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=PROJECT_ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("valid chain: 4 blocks, 7 transactions, difficulty 2, tip ")
    assert done.stderr == ""  # in particular no runpy warning
