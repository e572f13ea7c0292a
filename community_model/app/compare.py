"""Compare: the same community twice on the same seed, one parameter changed, KPIs side by side.

Run A is what the controls hold now; run B changes one parameter (e.g. the regulator's
objective or the clearing mechanism). Both run for the same number of hours with the chain
off (it changes no energy or money figure, see docs/chain.md) and the table shows every KPI of
A and B and their difference B - A.
"""

from __future__ import annotations

import warnings

import pandas as pd
import solara

from community_model.app.controls import MODEL_PARAMS
from community_model.errors import ParameterError

#: KPIs of the chain, which is off in both runs.
CHAIN_KPIS = ("blocks_mined", "hashes", "block_rewards_eur")


def comparable() -> dict[str, list]:
    """Parameters the compare view offers, with their values: the controls that are a choice."""
    return {
        name: list(control["values"])
        for name, control in MODEL_PARAMS.items()
        if isinstance(control, dict) and control.get("values")
    }


def compare_runs(values: dict, name: str, value_b, hours: int) -> pd.DataFrame:
    """KPIs of run A (``values``) and run B (``values`` with ``name`` = ``value_b``) after
    ``hours`` steps on the same seed, one row per KPI, columns ``A``, ``B``, ``B - A``.

    Raises ParameterError (from the model) when either set of values is refused."""
    from community_model import CommunityModel

    kpis = {}
    for label, run_values in (("A", values), ("B", {**values, name: value_b})):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # scenario notes; the app shows the figures
            model = CommunityModel(**{**run_values, "chain_enabled": False})
            model.run_for(hours)
        kpis[label] = {k: v for k, v in model.kpis().items() if k not in CHAIN_KPIS}
    table = pd.DataFrame(kpis)
    table["B - A"] = table["B"] - table["A"]
    table.index.name = "KPI"
    return table


def markdown(table: pd.DataFrame, a: str, b: str) -> str:
    """The comparison as a Markdown table, numbers to four significant digits."""
    lines = [f"| KPI | A ({a}) | B ({b}) | B - A |", "| --- | ---: | ---: | ---: |"]
    for kpi, row in table.iterrows():
        lines.append(f"| {kpi} | {row['A']:.4g} | {row['B']:.4g} | {row['B - A']:+.4g} |")
    return "\n".join(lines)


@solara.component
def Compare(values: solara.Reactive):
    """Choose the parameter and its value for run B, the hours, and press Compare."""
    options = comparable()
    name = solara.use_reactive("objective" if "objective" in options else next(iter(options)))
    value_b = solara.use_reactive(None)
    hours = solara.use_reactive(24)
    result = solara.use_reactive(None)
    message = solara.use_reactive("")
    choices = options[name.value]
    b = value_b.value if value_b.value in choices else choices[-1]

    def run() -> None:
        try:
            result.set(compare_runs(values.value, name.value, b, hours.value))
            message.set("")
        except ParameterError as err:
            result.set(None)
            message.set(str(err))

    with solara.Card("Compare", margin=0):
        a = values.value.get(name.value)
        solara.Select("Parameter", value=name.value, values=list(options), on_value=name.set)
        solara.Select(f"Run B's value (A: {a})", value=b, values=choices, on_value=value_b.set)
        solara.SliderInt(f"Hours: {hours.value}", value=hours, min=1, max=168)
        solara.Button("Compare", color="primary", on_click=run)
        if message.value:
            solara.Error(message.value)
        if result.value is not None:
            solara.Markdown(markdown(result.value, f"{name.value}={a}", f"{name.value}={b}"))
