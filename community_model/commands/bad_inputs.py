"""Bad inputs tried against the command line, and the one-line error each gives.

``python -m community_model.commands.bad_inputs --write`` refreshes the table of
``docs/bad-inputs.md``; a test runs every case and checks that the table is current, that each
case fails with the exit status listed and that its message is one line."""

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
PAGE = docs.DOCS / "bad-inputs.md"


def _write(folder: Path, name: str, content: bytes | str) -> str:
    path = folder / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return str(path)


def _chain_file(folder: Path, damage: Callable[[list[bytes]], list[bytes]]) -> str:
    """A small real chain file, damaged by ``damage`` (a function of its lines)."""
    run = folder / "chain-run"
    if not (run / "chain.jsonl").exists():
        with contextlib.redirect_stdout(io.StringIO()):
            main(
                [
                    "run",
                    "--prosumers",
                    "5",
                    "--hours",
                    "4",
                    "--difficulty",
                    "1",
                    "--out",
                    str(run),
                    "--reproducible-keys",
                    "true",
                ]
            )  # fmt: skip (stable fingerprint)
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


def _homes_csv(folder: Path, name: str, header: str, value: str = "0.5", rows: int = 24) -> str:
    """A load file of ``rows`` hours from the default start, one ``value`` per column."""
    import pandas as pd

    stamps = pd.date_range("2023-01-01", periods=rows, freq="h", tz="Europe/Berlin")
    n = header.count(",") + 1
    body = "".join(f"{t.isoformat()}{(',' + value) * n}\n" for t in stamps)
    return _write(folder, name, f"timestamp,{header}\n" + body)


def _files_run(path: str, what: str = "--load-file") -> list[str]:
    source = ["--profile-source", "files"] if what == "--load-file" else []
    source += ["--price-source", "file"] if what == "--price-file" else []
    return ["run", "--prosumers", "2", *source, what, path, "--no-files"]


def _spec(folder: Path, name: str, text: str) -> str:
    return _write(folder, name, text)


#: Python API cases: (what is wrong, the call shown, the call made).
API_CASES: list[tuple[str, str, Callable[[], object]]] = [
    ("a negative seed", "CommunityModel(rng=-1)", lambda: _model(rng=-1)),
    ("a seed that is text", 'CommunityModel(rng="abc")', lambda: _model(rng="abc")),
    ("a seed that is a fraction", "CommunityModel(rng=1.5)", lambda: _model(rng=1.5)),
    ("a load shape array of 23 values", "CommunityModel(load_shape=np.ones(23))",
     lambda: _model(load_shape=__import__("numpy").ones(23))),
]  # fmt: skip


def _model(**kw):
    from community_model.model import CommunityModel

    return CommunityModel(n_prosumers=2, **kw)


def api_table_rows() -> list[str]:
    """Rows of the Python API cases: the ParameterError's message."""
    from community_model.errors import ParameterError

    rows = []
    for what, shown, call in API_CASES:
        try:
            call()
        except ParameterError as err:
            message = str(err)
        else:
            raise AssertionError(f"{shown} was accepted")
        rows.append(f"| {what} | `{shown}` | ParameterError | {message} |")
    return rows


def cases(folder: Path) -> list[tuple[str, list[str]]]:
    """(what is wrong, command-line arguments) for every case."""
    f = folder
    return [
        ("no prosumers", ["run", "--prosumers", "0"]),
        ("efficiency above 1", ["run", "--battery-efficiency", "1.5"]),
        ("min SOC above max SOC", ["run", "--soc-min", "0.96"]),
        ("a time zone far from the site",
         ["run", "--profile-source", "standard", "--timezone", "America/New_York"]),
        ("a PV homes' grid-draw profile with PV",
         ["run", "--profile-source", "standard", "--standard-load-profile", "P25"]),
        ("feed-in tariff above the import price",
         ["run", "--pricing-strategy", "zic", "--feed-in-tariff", "0.12"]),  # fmt: skip
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
        ("an unknown feeder", ["run", "--grid", "kerber_nowhere"]),
        ("network-aware trading without a feeder", ["run", "--network-mode", "enforce_limits"]),
        ("a feeder file that is not a pandapower network",
         ["run", "--grid", _write(f, "feeder.json", '{"not": "a network"}')]),
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
        ("agent data not every step, with files", ["run", "--agent-data-every", "2"]),
        ("agent data never, with files", ["run", "--agent-data-every", "0"]),
        ('"none" for a parameter that is not optional',
         ["run", "--config", _write(f, "none.toml", 'fee_mode = "none"\n')]),
        ("a key beside the [parameters] table",
         ["run", "--config", _write(f, "beside.toml",
                                     "n_prosumers = 5\n[parameters]\nsoc_min = 0.2\n")]),
        ("an unknown table in a parameter file",
         ["run", "--config", _write(f, "table.toml",
                                     "[parameters]\nsoc_min = 0.2\n[extra]\nx = 1\n")]),
        ("a load of 1e308 kWh", _files_run(_homes_csv(f, "huge.csv", "home_0,home_1", "1e308"))),
        ("a price of 1e300 EUR/kWh",
         _files_run(_homes_csv(f, "prices.csv", "price_eur_per_kwh", "1e300"), "--price-file")),
        ("a load file with home_0 twice",
         _files_run(_homes_csv(f, "twice.csv", "home_0,home_1,home_0"))),
        ("a load file with a column home_x",
         _files_run(_homes_csv(f, "homex.csv", "home_0,home_1,home_x"))),
        ("a sweep of a billion seeds", ["sweep", _spec(f, "seeds.toml", "seeds = 1000000000\n")]),
        ("a sweep beyond --max-runs",
         ["sweep", _spec(f, "grid.toml", "seeds = 1000\n[grid]\nbattery_share = [0.0, 0.5, 1.0]\n"),
          "--max-runs", "1000"]),
        ("an endless line as a chain file", ["verify-chain", "/dev/zero"]),
        ("a tip prefix shorter than 16 digits",
         ["verify-chain", _chain_file(f, lambda ls: ls), "--tip", "0005"]),
        ("an infinite PV capacity", ["run", "--pv-capacities-kw", "inf,3"]),
        ("an integer of 401 digits in a file",
         ["run", "--config", _write(f, "digits.toml", "difficulty = 1" + "0" * 400 + "\n")]),
        ("a start date given as an ISO week", ["run", "--start-date", "2023-W01-1"]),
        ("a time zone pandas cannot use", ["run", "--timezone", "Factory"]),
        ("an agent data folder holding another run's data",
         ["run", "--no-files", "--agent-data-every", "1", "--agent-data-dir", _used_folder(f)]),
    ]  # fmt: skip


def _used_folder(folder: Path) -> str:
    """A folder that holds a part of another run's agent data."""
    used = folder / "agents"
    used.mkdir(exist_ok=True)
    return str(Path(_write(used, "part-00000.parquet", b"")).parent)


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
    rows += api_table_rows()
    return "\n".join(rows)


if __name__ == "__main__":
    docs.main(table, START, END, PAGE)
