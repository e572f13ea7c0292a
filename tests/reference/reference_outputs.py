"""Fingerprints of the files that reference runs write, to prove a refactor changes no output.

Each case is a ``community-sim run`` command line. ``python tests/reference/reference_outputs.py
--write`` records the SHA-256 of every file each case writes in ``reference_outputs.json``
beside this file; the test ``test_reference_outputs.py`` runs the cases again and compares.
Re-record only when an output is *meant* to change, and say why in the commit message.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).parent
RECORD = HERE / "reference_outputs.json"

#: Signing keys from the seed, so that keys.json and chain.jsonl are the same in every run
#: (the default, fresh random keys, would change them every time).
SEEDED_KEYS = ["--reproducible-keys", "true"]

#: name -> the run's options (without --out).
CASES: dict[str, list[str]] = {
    "synthetic_20x30": ["--prosumers", "20", "--hours", "30", "--seed", "3", *SEEDED_KEYS],
    "standard_12x48_zic": [
        "--prosumers", "12", "--hours", "48", "--seed", "5", "--profile-source", "standard",
        "--pricing-strategy", "zic", "--objective", "maximize_renewable", *SEEDED_KEYS,
    ],
    "uniform_penalties_15x36": [
        "--prosumers", "15", "--hours", "36", "--seed", "11", "--clearing-mechanism", "uniform",
        "--objective", "maximize_p2p", "--flexible-load-share", "0.2", "--difficulty", "1",
        *SEEDED_KEYS,
    ],
    # what `make run` runs (the seed scenario), with seeded keys
    "seed_scenario_100x24": [
        "--scenario", "seed", "--prosumers", "100", "--hours", "24", "--seed", "42",
        *SEEDED_KEYS,
    ],
    "trade_reduction_unsigned_10x24": [
        "--prosumers", "10", "--hours", "24", "--seed", "2",
        "--clearing-mechanism", "trade_reduction", "--sign-trades", "false",
    ],
}  # fmt: skip


def run_case(options: list[str], out: Path) -> dict[str, str]:
    """Run one case into ``out``; the SHA-256 of each file it wrote, by file name."""
    subprocess.run(
        [sys.executable, "-m", "community_model", "run", *options, "--out", str(out)],
        check=True,
        capture_output=True,
    )
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.iterdir())
        if p.is_file()
    }


def fingerprints() -> dict[str, dict[str, str]]:
    """Every case's file fingerprints, each run in a fresh temporary folder."""
    with tempfile.TemporaryDirectory() as tmp:
        return {name: run_case(opts, Path(tmp) / name) for name, opts in CASES.items()}


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        RECORD.write_text(json.dumps(fingerprints(), indent=1, sort_keys=True) + "\n")
        print(f"wrote {RECORD}")
    else:
        print(json.dumps(fingerprints(), indent=1, sort_keys=True))
