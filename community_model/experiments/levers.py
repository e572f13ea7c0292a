"""What each lever a researcher pulls does: a dose-response table over seeds.

For each regulator rate (at four levels, under the objective that uses it) and each bidding
strategy, the mean over seeds of the KPI the objective aims at, with the P2P volume and the
grid import beside it. The regulator acts through prices: its incentives enter what rational
bidders will pay or accept (their valuations, :mod:`agents.bidding`), so the table also shows
which strategies respond to incentives at all (the ``seed`` rule clamps its prices
into fixed shares of the grid band and barely does).

``python -m community_model.experiments.levers --write docs/levers.md`` refreshes the page.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from community_model.model import CommunityModel

#: (objective, rate, KPI it aims at, KPI direction: +1 higher is better)
LEVERS = (
    ("maximize_renewable", "renewable_bonus", "self_sufficiency", +1),
    ("maximize_renewable", "market_penalty", "self_sufficiency", +1),
    ("maximize_p2p", "p2p_bonus", "p2p_share", +1),
    ("maximize_profit", "market_penalty", "p2p_share", +1),
)
LEVELS = (0.0, 0.02, 0.05, 0.1)  # [EUR/kWh]
STRATEGIES = ("zic", "zip", "seed")
SETTINGS = {"n_prosumers": 100, "chain_enabled": False}
HOURS, SEEDS = 48, 10
START, END = "<!-- levers:start -->", "<!-- levers:end -->"
#: The present-day scenario: ``germany_2024`` (standard profiles, 0.40/0.08 EUR/kWh) over a
#: June Monday to Wednesday, when half the homes have a PV surplus to trade.
PRESENT_DAY = {"scenario": "germany_2024", "start_date": "2023-06-05", "hours": 72}
PRESENT_START, PRESENT_END = "<!-- levers-present:start -->", "<!-- levers-present:end -->"


def present_day_response(strategies=STRATEGIES, seeds=range(SEEDS)) -> pd.DataFrame:
    """:func:`dose_response` on :data:`PRESENT_DAY`."""
    from community_model.scenarios import scenario_parameters

    settings = {
        **scenario_parameters(PRESENT_DAY["scenario"]),
        "start_date": PRESENT_DAY["start_date"],
    }
    return dose_response(strategies=strategies, seeds=seeds, hours=PRESENT_DAY["hours"], **settings)


def dose_response(
    levers=LEVERS, levels=LEVELS, strategies=STRATEGIES, seeds=range(SEEDS), hours=HOURS,
    **settings,
) -> pd.DataFrame:  # fmt: skip
    """One row per lever, strategy, level and seed: the KPI, P2P kWh and grid import."""
    rows = []
    for objective, rate, kpi, _ in levers:
        for strategy in strategies:
            for level in levels:
                for seed in seeds:
                    model = CommunityModel(
                        **{**SETTINGS, **settings},
                        objective=objective,
                        pricing_strategy=strategy,
                        rng=seed,
                        **{rate: level},
                    )
                    model.run_for(hours)
                    k = model.kpis()
                    rows.append(
                        {
                            "objective": objective, "rate": rate, "kpi": kpi,
                            "strategy": strategy, "level": level, "seed": seed,
                            "value": k[kpi], "p2p_kwh": k["p2p_kwh"],
                            "grid_import_kwh": k["grid_import_kwh"],
                        }
                    )  # fmt: skip
    return pd.DataFrame(rows)


def markdown_table(runs: pd.DataFrame, digits: int = 3) -> str:
    """KPI means by level, one row per lever and strategy."""
    levels = sorted(runs["level"].unique())
    head = "| objective | rate | KPI | strategy | " + " | ".join(f"{v:g}" for v in levels) + " |"
    lines = [head, "| --- | --- | --- | --- |" + " --- |" * len(levels)]
    keys = ["objective", "rate", "strategy"]
    for (objective, rate, strategy), group in runs.groupby(keys, sort=False):
        means = group.groupby("level")["value"].mean()
        kpi = group["kpi"].iloc[0]
        cells = " | ".join(f"{means[v]:.{digits}f}" for v in levels)
        lines.append(f"| `{objective}` | `{rate}` | {kpi} | `{strategy}` | {cells} |")
    return "\n".join(lines)


def is_monotone(means: np.ndarray, direction: int = +1, tolerance: float = 1e-9) -> bool:
    """Whether ``means`` (by increasing level) never move against ``direction``."""
    steps = np.diff(np.asarray(means)) * direction
    return bool((steps >= -tolerance).all())


def table() -> str:
    return markdown_table(dose_response())


def present_day_table() -> str:
    return markdown_table(present_day_response(), digits=4)


if __name__ == "__main__":
    from community_model.outputs.readme_tables import DOCS, main_tables

    main_tables(
        [(table, START, END), (present_day_table, PRESENT_START, PRESENT_END)], DOCS / "levers.md"
    )
