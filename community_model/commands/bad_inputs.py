"""Bad inputs tried against the command line, and the one-line error each gives.

``python -m community_model.commands.bad_inputs --write README.md`` refreshes the README's
table; a test runs every case and checks that the table is current, that each case fails with
the exit status listed and that its message is one line."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from community_model.commands.main import main
from community_model.outputs import readme_tables as docs

START, END = "<!-- bad-inputs:start -->", "<!-- bad-inputs:end -->"


def _write(folder: Path, name: str, content: bytes | str) -> str:
    path = folder / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return str(path)


def _chain_file(folder: Path, damage: Callable[[list[bytes]], list[bytes]]) -> str:
    """A small real chain file, damaged by ``damage`` (a function of its lines)."""
    run = folder / "chain-run"
    if not (run / "chain.jsonl").exists():
        with contextlib.redirect_stdout(io.StringIO()):
            main(["run", "--prosumers", "5", "--hours", "4", "--difficulty", "1", "--out",
                  str(run)])  # fmt: skip
    lines = (run / "chain.jsonl").read_bytes().splitlines(keepends=True)
    target = folder / f"chain-{len(list(folder.iterdir()))}.jsonl"
    target.write_bytes(b"".join(damage(lines)))
    keys = run / "keys.json"
    if keys.exists():
        shutil.copy(keys, target.parent / "keys.json")
    return str(target)


def _edit_first_tx(lines: list[bytes]) -> list[bytes]:
    block = json.loads(lines[2])
    block["transactions"][0]["kwh"] = block["transactions"][0]["kwh"] + 1
    return [*lines[:2], (json.dumps(block, sort_keys=True, separators=(",", ":")) + "\n").encode(),
            *lines[3:]]  # fmt: skip


def cases(folder: Path) -> list[tuple[str, list[str]]]:
    """(what is wrong, command-line arguments) for every case."""
    f = folder
    return [
        ("no prosumers", ["run", "--prosumers", "0"]),
        ("efficiency above 1", ["run", "--battery-efficiency", "1.5"]),
        ("min SOC above max SOC", ["run", "--soc-min", "0.96"]),
        ("initial SOC outside the SOC range", ["run", "--initial-soc", "0.05"]),
        ("a share that is not a number", ["run", "--battery-share", "lots"]),
        ("a negative price", ["run", "--base-price", "-0.1"]),
        ("an unknown objective", ["run", "--objective", "maximize_fun"]),
        ("an unknown clearing mechanism", ["run", "--clearing-mechanism", "vickrey"]),
        ("an unknown storage policy", ["run", "--storage-policy", "clever"]),
        ("re-planning less often than the horizon is long",
         ["run", "--arbitrage-horizon-hours", "12", "--arbitrage-replan-hours", "24"]),
        ("a step length that does not divide an hour", ["run", "--step-hours", "0.3"]),
        ("a load shape of the wrong length", ["run", "--load-shape", "1,2,3"]),
        ("difficulty beyond the allowed range", ["run", "--difficulty", "9"]),
        ("zero hours", ["run", "--hours", "0"]),
        ("an unknown flag", ["run", "--prosumer", "10"]),
        ("a parameter file that does not exist", ["run", "--config", str(f / "missing.toml")]),
        ("a parameter file that is not TOML",
         ["run", "--config", _write(f, "bad.toml", "n_prosumers = = 3\n")]),
        ("a misspelt parameter in a file",
         ["run", "--config", _write(f, "typo.toml", "batery_share = 0.5\n")]),
        ("a bad value in a file",
         ["run", "--config", _write(f, "value.toml", '[parameters]\nfee_mode = "flat"\n')]),
        ("a chain file that does not exist", ["verify-chain", str(f / "missing.jsonl")]),
        ("a chain file of random bytes",
         ["verify-chain", _write(f, "random.jsonl", bytes(range(256)) * 4)]),
        ("a CSV file given as a chain", ["verify-chain", _write(f, "trades.csv", "a,b\n1,2\n")]),
        ("an empty chain file", ["verify-chain", _write(f, "empty.jsonl", b"")]),
        ("a chain file cut short", ["verify-chain", _chain_file(f, lambda ls: ls[:-1])]),
        ("a chain with a block removed",
         ["verify-chain", _chain_file(f, lambda ls: [*ls[:2], *ls[3:]])]),
        ("a chain with two blocks swapped",
         ["verify-chain", _chain_file(f, lambda ls: [*ls[:2], ls[3], ls[2], *ls[4:]])]),
        ("a chain with a changed quantity", ["verify-chain", _chain_file(f, _edit_first_tx)]),
    ]  # fmt: skip


def run_case(argv: list[str]) -> tuple[int, str]:
    """Exit status and what the command printed on stderr."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            code = main(argv)
        except SystemExit as stop:
            code = stop.code
    return int(code or 0), err.getvalue().strip()


def table() -> str:
    """The markdown table of every case: input, exit status, message."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rows = ["| bad input | command | exit | message |", "| --- | --- | --- | --- |"]
        for what, argv in cases(folder):
            code, message = run_case(argv)
            shown = " ".join(a.replace(tmp, "DIR") for a in argv)
            message = message.replace(tmp, "DIR").replace("|", "\\|").replace("\n", "<br>")
            rows.append(f"| {what} | `community-sim {shown}` | {code} | {message} |")
    return "\n".join(rows)


if __name__ == "__main__":
    docs.main(table, START, END)
