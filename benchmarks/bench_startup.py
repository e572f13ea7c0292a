"""Start-up: the whole process ``community-sim run --prosumers 100 --hours 24`` (files
included) against ``python -c "import mesa, pandas"``, the least any Mesa + pandas program
pays. Target: the run within 1.4x the imports. Runs alternate, so a busy moment of the
machine hits both; the figure is the median of each."""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_RATIO = 1.4
REPEATS = 15


def _seconds(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> dict[str, float]:
    # Byte-compile the project first, as Python does by itself on first import unless
    # PYTHONDONTWRITEBYTECODE is set (this workplace sets it; site-packages are compiled by pip).
    root = Path(__file__).resolve().parents[1]
    packages = [str(root / name) for name in ("community_model", "agents", "market", "chain")]
    subprocess.run([sys.executable, "-m", "compileall", "-q", *packages], check=True)
    cli = Path(sys.executable).with_name("community-sim")
    with tempfile.TemporaryDirectory() as tmp:
        run = [str(cli), "run", "--prosumers", "100", "--hours", "24", "--out", tmp]
        imports = [sys.executable, "-c", "import mesa, pandas"]
        _seconds(imports)  # a first start fills the operating system's file cache
        pairs = [(_seconds(imports), _seconds(run)) for _ in range(REPEATS)]
    base = statistics.median(p[0] for p in pairs)
    whole = statistics.median(p[1] for p in pairs)
    ratio = whole / base
    verdict = "within" if ratio <= TARGET_RATIO else "MISSED"
    print(
        f"start-up community-sim run 100 x 24 h (whole process): {whole:.2f} s; "
        f"import mesa, pandas: {base:.2f} s; {ratio:.2f}x ({verdict} target {TARGET_RATIO}x)"
    )
    return {"run_seconds": whole, "imports_seconds": base, "ratio": ratio}


if __name__ == "__main__":
    main()
