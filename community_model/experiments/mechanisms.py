"""Clearing mechanism x bidding strategy: what each market design does with the same homes.

Every combination runs the same homes, weather and seeds; a table row gives the mean over the
seeds (and the spread of the seeds' means) of:

- ``efficiency``: allocative efficiency of the P2P market at the traders' true valuations
  (realised over the largest possible gains from trade; :func:`market.efficiency`);
- ``p2p_kwh``: energy traded between neighbours [kWh];
- ``mean_price``: kWh-weighted mean P2P price paid by buyers [EUR/kWh];
- ``price_sd``: kWh-weighted standard deviation of those prices [EUR/kWh] (price dispersion);
- ``operator_surplus_eur``: what the market operator keeps, buyers' payments less sellers'
  receipts [EUR] (non-zero for pay-as-bid, trade reduction and Huang's mechanism).

``python -m community_model.experiments.mechanisms --write docs/mechanisms.md`` refreshes the
page between its markers; a test checks it is current.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from community_model.model import CommunityModel
from market import MECHANISMS

#: The settings every run of the table shares: 100 homes, two days, chain off (it does not
#: change the market), seeds 0..SEEDS-1.
SETTINGS = {"n_prosumers": 100, "chain_enabled": False}
HOURS = 48
SEEDS = 5
STRATEGIES = ("seed", "zic")
START, END = "<!-- mechanisms:start -->", "<!-- mechanisms:end -->"


#: Strategic bidders on the present-day scenario: the three designs a researcher compares
#: first, under the original rule, budget-constrained zero intelligence and adaptive ZIP
#: traders, on a June Monday-to-Wednesday of ``germany_2024`` (the P2P market is busiest
#: when half the homes have a PV surplus), seeds 0..9.
STRATEGIC = {
    "scenario": "germany_2024",
    "start_date": "2023-06-05",
    "hours": 72,
    "seeds": 10,
    "mechanisms": ("seed", "uniform", "trade_reduction"),
    "strategies": ("seed", "zic", "zip"),
}
STRATEGIC_START, STRATEGIC_END = "<!-- strategic:start -->", "<!-- strategic:end -->"


def run_figures(model: CommunityModel) -> dict[str, float]:
    """The table's figures of one finished run."""
    kpis = model.kpis()
    steps = model.step_frame()
    trades = model.trades_frame()
    p2p = trades[trades["kind"] == "p2p"]
    kwh, price = p2p["kwh"].to_numpy(), p2p["price_eur_per_kwh"].to_numpy()
    mean = float(np.average(price, weights=kwh)) if kwh.sum() > 0 else float("nan")
    sd = float(np.sqrt(np.average((price - mean) ** 2, weights=kwh))) if kwh.sum() > 0 else 0.0
    return {
        "efficiency": kpis["allocative_efficiency"],
        "p2p_kwh": kpis["p2p_kwh"],
        "mean_price": mean,
        "price_sd": sd,
        "operator_surplus_eur": kpis["operator_surplus_eur"],
        # the realised gains at true valuations less what the operator keeps
        "traders_surplus_eur": float(steps["p2p_surplus_eur"].sum()) - kpis["operator_surplus_eur"],
    }


def comparison(
    mechanisms=tuple(MECHANISMS), strategies=STRATEGIES, seeds=range(SEEDS), hours=HOURS, **settings
) -> pd.DataFrame:
    """One row per (mechanism, strategy, seed) with :func:`run_figures`."""
    rows = []
    for mechanism in mechanisms:
        for strategy in strategies:
            for seed in seeds:
                params = {**SETTINGS, **settings}
                model = CommunityModel(
                    **params, clearing_mechanism=mechanism, pricing_strategy=strategy, rng=seed
                )
                model.run_for(hours)
                rows.append(
                    {"mechanism": mechanism, "strategy": strategy, "seed": seed}
                    | run_figures(model)
                )
    return pd.DataFrame(rows)


def strategic_comparison(seeds=None) -> pd.DataFrame:
    """:func:`comparison` of :data:`STRATEGIC`: one row per (mechanism, strategy, seed)."""
    from community_model.scenarios import scenario_parameters

    c = STRATEGIC
    settings = {**scenario_parameters(c["scenario"]), "start_date": c["start_date"]}
    return comparison(
        c["mechanisms"], c["strategies"], range(c["seeds"] if seeds is None else seeds),
        c["hours"], **settings,
    )  # fmt: skip


COLUMNS = [
    ("efficiency", "efficiency [-]", "{:.3f}"),
    ("p2p_kwh", "P2P [kWh]", "{:.0f}"),
    ("mean_price", "mean price [EUR/kWh]", "{:.4f}"),
    ("price_sd", "price sd [EUR/kWh]", "{:.4f}"),
    ("operator_surplus_eur", "operator surplus [EUR]", "{:.2f}"),
]
STRATEGIC_COLUMNS = [
    ("p2p_kwh", "P2P [kWh]", "{:.1f}"),
    ("mean_price", "mean price [EUR/kWh]", "{:.4f}"),
    ("traders_surplus_eur", "traders' surplus [EUR]", "{:.2f}"),
    ("operator_surplus_eur", "operator surplus [EUR]", "{:.2f}"),
    ("efficiency", "efficiency [-]", "{:.3f}"),
]


def markdown_table(runs: pd.DataFrame, columns=None) -> str:
    """Mean over seeds (+- standard deviation across seeds) per mechanism and strategy."""
    columns = COLUMNS if columns is None else columns
    head = "| mechanism | strategy | " + " | ".join(c[1] for c in columns) + " |"
    lines = [head, "| --- | --- |" + " --- |" * len(columns)]
    for (mechanism, strategy), group in runs.groupby(["mechanism", "strategy"], sort=False):
        cells = [
            f"{_shown(fmt, group[name].mean())} +- {_shown(fmt, group[name].std(ddof=1))}"
            for name, _, fmt in columns
        ]
        lines.append(f"| `{mechanism}` | `{strategy}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _shown(fmt: str, value: float) -> str:
    """``value`` formatted, with no minus sign on a zero (a sum of rounding errors)."""
    text = fmt.format(value)
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def table() -> str:
    """The page's table, computed now."""
    return markdown_table(comparison())


def strategic_table() -> str:
    """The page's table of strategic bidders on the present-day scenario, computed now."""
    return markdown_table(strategic_comparison(), STRATEGIC_COLUMNS)


if __name__ == "__main__":
    from community_model.outputs.readme_tables import DOCS, main_tables

    main_tables(
        [(table, START, END), (strategic_table, STRATEGIC_START, STRATEGIC_END)],
        DOCS / "mechanisms.md",
    )
