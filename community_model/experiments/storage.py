"""Forecast-driven batteries against the greedy rule under time-of-use prices.

``python -m community_model.experiments.storage --write docs/storage.md`` refreshes the table
of docs/storage.md. Each seed builds the same community (homes, PV, load: the ``standard``
source draws its profiles from generators of its own, so they do not depend on what the
batteries do) once with every battery on ``greedy`` and once with every battery on
``forecast_arbitrage`` for each forecast; a battery owner's *bill* is what it paid for energy
over the run (grid imports and P2P purchases less exports and P2P sales [EUR]; the regulator's
objective is ``none``, so there are no bonuses or penalties). The same homes are compared
run against run, seed by seed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from community_model.model import CommunityModel

START = (
    "<!-- storage table: python -m community_model.experiments.storage --write docs/storage.md -->"
)
END = "<!-- end of storage table -->"

#: The scenario: real weather and standard load profiles, a three-band time-of-use tariff.
SETTINGS = {
    "profile_source": "standard",
    "price_source": "tou",
    "objective": "none",
    "chain_enabled": False,
    "agent_data_every": 0,
}
#: (label, storage keywords); the first is the baseline.
VARIANTS = [
    ("greedy", {"storage_policy": "greedy"}),
    ("arbitrage, perfect", {"storage_policy": "forecast_arbitrage", "forecast_kind": "perfect"}),
    (
        "arbitrage, noisy 10 %",
        {"storage_policy": "forecast_arbitrage", "forecast_kind": "noisy", "forecast_error": 0.1},
    ),
    (
        "arbitrage, noisy 30 %",
        {"storage_policy": "forecast_arbitrage", "forecast_kind": "noisy", "forecast_error": 0.3},
    ),
    ("arbitrage, naive", {"storage_policy": "forecast_arbitrage", "forecast_kind": "naive"}),
]
#: Two weeks: winter (little PV, the tariff's spread dominates) and summer.
PERIODS = {"January": "2023-01-09", "July": "2023-07-03"}


def owners_bill(model: CommunityModel) -> float:
    """Mean bill of the battery owners over the run [EUR per home]."""
    owners = model.homes.battery_capacity_kwh > 0
    return float(-model.state.balance_eur[owners].mean())


def comparison(
    seeds=range(10), hours: int = 168, n_prosumers: int = 100, periods=PERIODS, **settings
) -> pd.DataFrame:
    """One row per (period, variant, seed): the owners' bill [EUR per home]."""
    rows = []
    for period, start_date in periods.items():
        for seed in seeds:
            for label, storage in VARIANTS:
                params = {**SETTINGS, **settings, **storage}
                model = CommunityModel(
                    n_prosumers=n_prosumers, start_date=start_date, rng=seed, **params
                )
                model.run_for(hours)
                rows.append(
                    {"period": period, "variant": label, "seed": seed, "bill": owners_bill(model)}
                )
    return pd.DataFrame(rows)


def summary(runs: pd.DataFrame) -> pd.DataFrame:
    """Per period and variant: mean bill, saving against greedy, the share of the perfect
    forecast's saving it achieves, and in how many seeds it beat greedy."""
    rows = []
    for period, group in runs.groupby("period", sort=False):
        bill = group.pivot(index="seed", columns="variant", values="bill")
        greedy = bill["greedy"]
        perfect_saving = (greedy - bill["arbitrage, perfect"]).mean()
        for label, _ in VARIANTS:
            saving = greedy - bill[label]
            rows.append(
                {
                    "period": period,
                    "variant": label,
                    "bill": bill[label].mean(),
                    "bill_sd": bill[label].std(ddof=1) if len(bill) > 1 else np.nan,
                    "saving": saving.mean(),
                    "of_perfect": saving.mean() / perfect_saving if perfect_saving else np.nan,
                    "seeds_cheaper": int((saving > 0).sum()),
                    "seeds": len(saving),
                }
            )
    return pd.DataFrame(rows)


def markdown_table(runs: pd.DataFrame) -> str:
    head = (
        "| period | battery policy | owners' bill [EUR/home] | saving vs greedy [EUR/home] "
        "| share of perfect's saving | seeds cheaper than greedy |"
    )
    lines = [head, "| --- | --- | --- | --- | --- | --- |"]
    for row in summary(runs).itertuples():
        baseline = row.variant == "greedy"
        lines.append(
            f"| {row.period} | {row.variant} | {row.bill:.2f} +- {row.bill_sd:.2f} | "
            + ("- | - | - |" if baseline else
               f"{row.saving:.2f} | {row.of_perfect:.0%} | {row.seeds_cheaper}/{row.seeds} |")
        )  # fmt: skip
    return "\n".join(lines)


def table() -> str:
    """The page's table, computed now (10 seeds, 100 homes, a week in January and one in July)."""
    return markdown_table(comparison())


if __name__ == "__main__":
    from community_model.outputs.readme_tables import main

    main(table, START, END)
