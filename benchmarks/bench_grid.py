"""The feeder: a year of 100 homes with an AC power flow every hour, and the grid-blind run.

``python -m benchmarks.bench_grid`` (the year: about a minute each); ``--hours N`` for less.
"""

from __future__ import annotations

import argparse
import time

from community_model import CommunityModel

#: the workloads of the issue's targets: 100 homes x 8,760 h, radial feeder, chain off so that
#: the figure is the power flow's and the model's (the chain has its own benchmarks)
COMMON = dict(n_prosumers=100, chain_enabled=False, profile_source="standard")
WORKLOADS = [
    ("100 x 8,760 h, grid-blind", {}),
    ("100 x 8,760 h, AC power flow every hour", {"grid": "radial"}),
    ("100 x 8,760 h, power flow + limits enforced",
     {"grid": "radial", "network_mode": "enforce_limits"}),
]  # fmt: skip


def main(hours: int = 8760) -> dict[str, dict[str, float]]:
    figures = {}
    for label, extra in WORKLOADS:
        label = label.replace("8,760", f"{hours:,}")
        start = time.perf_counter()
        model = CommunityModel(**COMMON, **extra, rng=42)
        model.run_for(hours)
        seconds = time.perf_counter() - start
        row = {"seconds": seconds, "ms_per_step": seconds / hours * 1000}
        if model.feeder is not None:
            kpis = model.kpis()
            row.update(backend=model.feeder.flow.backend,
                       hours_outside_band=kpis["hours_outside_voltage_band"],
                       curtailed_kwh=kpis["curtailed_kwh"])  # fmt: skip
        figures[label] = row
        print(f"grid {label}: {seconds:.1f} s ({row['ms_per_step']:.2f} ms/step)"
              + (f", backend {row['backend']}" if "backend" in row else ""))  # fmt: skip
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hours", type=int, default=8760)
    main(parser.parse_args().hours)
