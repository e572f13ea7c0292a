"""Small reproducible experiments whose figures the documentation quotes.

``python -m community_model.experiments.objectives`` prints the table of docs/regulator.md.
"""

from __future__ import annotations

import pandas as pd

from community_model.model import CommunityModel
from community_model.parameters import OBJECTIVES

#: The KPI each regulator objective aims at, and whether higher is better.
OBJECTIVE_KPIS = {
    "maximize_renewable": ("self_sufficiency", True),
    "maximize_p2p": ("p2p_share", True),
    "maximize_profit": ("energy_cost_eur", False),
}


def objective_effects(seeds=range(10), hours: int = 48, **params) -> pd.DataFrame:
    """KPIs of every objective over ``seeds``: one row per (objective, seed)."""
    rows = []
    for objective in OBJECTIVES:
        for seed in seeds:
            model = CommunityModel(objective=objective, rng=seed, **params)
            model.run_for(hours)
            rows.append({"objective": objective, "seed": seed, **model.kpis()})
    return pd.DataFrame(rows)


def objective_table(effects: pd.DataFrame) -> pd.DataFrame:
    """Mean of each objective's own KPI against ``none``, and in how many seeds it moved the
    intended way."""
    base = effects[effects.objective == "none"].set_index("seed")
    rows = []
    for objective, (kpi, higher) in OBJECTIVE_KPIS.items():
        runs = effects[effects.objective == objective].set_index("seed")
        diff = runs[kpi] - base.loc[runs.index, kpi]
        better = diff > 0 if higher else diff < 0
        rows.append(
            {
                "objective": objective,
                "kpi": kpi,
                "none": base[kpi].mean(),
                "objective_mean": runs[kpi].mean(),
                "mean_change": diff.mean(),
                "seeds_improved": f"{int(better.sum())}/{len(diff)}",
            }
        )
    return pd.DataFrame(rows)


def markdown(table: pd.DataFrame) -> str:
    """A DataFrame as a markdown table, numbers to four decimals."""

    def cell(value) -> str:
        return f"{value:.4f}" if isinstance(value, float) else str(value)

    lines = ["| " + " | ".join(table.columns) + " |", "|" + " --- |" * len(table.columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in table.itertuples(False)]
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown(objective_table(objective_effects())))
