"""Run every benchmark and write the figures to benchmarks/results.json."""

import json
import os
import platform
from pathlib import Path

from benchmarks import (
    bench_app,
    bench_chain,
    bench_grid,
    bench_learning,
    bench_market,
    bench_model,
    bench_scale,
    bench_startup,
    bench_storage,
    bench_sweep,
    bench_year_files,
)


def main() -> None:
    results = {
        "machine": {
            "python": platform.python_version(),
            "processor": platform.machine(),
            "cpus": os.cpu_count(),
        },
        "startup": bench_startup.main(),
        "model": bench_model.main(),
        "scale": bench_scale.main(),
        "market": bench_market.main(),
        "chain": bench_chain.main(),
        "grid": bench_grid.main(),
        "learning": bench_learning.main(),
        "app": bench_app.main(),
        "sweep": bench_sweep.main(),
        "storage": bench_storage.main(),
        "year_with_files": bench_year_files.main(),
    }
    path = Path(__file__).with_name("results.json")
    path.write_text(json.dumps(results, indent=2, default=float) + "\n")
    print(f"figures written to {path}")


if __name__ == "__main__":
    main()
