"""Forecast-driven storage: a year of 100 homes with every battery on ``forecast_arbitrage``
(rolling-horizon LP with HiGHS, default horizon and re-planning), chain off. Target <= 30 s
(issue 16)."""

from __future__ import annotations

import time

from community_model import CommunityModel

TARGET_SECONDS = 30.0
#: (label, model keywords, hours)
WORKLOADS = [
    (
        "100 x 8,760 h, every battery on forecast_arbitrage, chain off",
        {"storage_policy": "forecast_arbitrage", "chain_enabled": False},
        8760,
    ),
]


def main() -> dict[str, dict[str, float]]:
    figures = {}
    for label, params, hours in WORKLOADS:
        start = time.perf_counter()
        model = CommunityModel(**params, rng=42)
        model.run_for(hours)
        seconds = time.perf_counter() - start
        policy = model.storage.policies[-1]
        homes = len(model.storage.rows_of(policy))
        figures[label] = {
            "seconds": seconds,
            "target_seconds": TARGET_SECONDS,
            "arbitrage_homes": homes,
            "lp_failures": policy.lp_failures,
        }
        print(
            f"storage {label}: {seconds:.1f} s (target <= {TARGET_SECONDS:.0f} s), "
            f"{homes} homes on forecast_arbitrage, {policy.lp_failures} LP failures"
        )
    return figures


if __name__ == "__main__":
    main()
