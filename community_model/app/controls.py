"""The parameters' controls: grouped in collapsible sections, each value always shown.

The controls are declared in Mesa's ``model_params`` format (:data:`MODEL_PARAMS`, checked by
Mesa's own ``_check_model_params`` against the model's keywords), built from
:meth:`Parameters.describe`, so new parameters with a choice of values appear by themselves.
Each control's label is short and carries its current value (Solara's sliders show a value only
while dragged); the parameter's description from ``Parameters`` is its tooltip. A value that
differs from the model on screen is labelled "was ..." until Reset builds a model from it.
"""

from __future__ import annotations

import dataclasses
import inspect

import solara
from mesa.visualization import Slider

from community_model import CommunityModel, Parameters
from community_model.app.common import SEED

#: The numeric parameters shown as sliders: name -> (label, min, max, step). The ranges are
#: what is useful to explore interactively; ``Parameters`` accepts wider ones. A parameter
#: appears only if the model has it (in ``Parameters`` and ``CommunityModel``'s keywords).
SLIDERS: dict[str, tuple[str, float, float, float]] = {
    "n_prosumers": ("Prosumers", 2, 400, 1),
    "battery_share": ("Battery share [-]", 0.0, 1.0, 0.05),
    "pv_scale": ("PV scale [-]", 0.0, 3.0, 0.1),
    "load_scale": ("Load scale [-]", 0.1, 3.0, 0.1),
    "soc_min": ("Lowest battery SOC [-]", 0.0, 0.5, 0.05),
    "soc_max": ("Highest battery SOC [-]", 0.5, 1.0, 0.05),
    "base_price": ("Base grid price [EUR/kWh]", 0.05, 0.50, 0.01),
    "local_market_fee": ("Local market fee [EUR/kWh]", 0.0, 0.10, 0.005),
    "max_trade_cap": ("Largest P2P offer [kWh/h]", 0.5, 10.0, 0.5),
    "difficulty": ("Chain difficulty [hex zeros]", 0, 5, 1),
    "n_miners": ("Miners", 1, 50, 1),
    "grid_homes_per_bus": ("Homes per bus", 1, 10, 1),
}
#: Yes/no parameters shown as checkboxes.
CHECKBOXES = {"chain_enabled": "Record trades on the chain"}
#: Short labels of the selects (any other parameter with a choice gets its name, spelt out).
SELECT_LABELS = {
    "pricing_strategy": "Pricing strategy",
    "clearing_mechanism": "Clearing mechanism",
    "objective": "Regulator objective",
    "fee_mode": "Grid fee mode",
    "profile_source": "Profiles",
    "holiday_calendar": "Holidays",
    "standard_load_profile": "Load profile",
    "price_source": "Price forecast",
    "grid": "Feeder",
    "grid_line_type": "Cable type",
    "grid_trafo_type": "Transformer",
    "network_mode": "Network-aware trading",
}
#: Choices the app does not offer: they need a file of the user's, which it does not ask for.
NOT_OFFERED = {"profile_source": ("files",), "price_source": ("file",)}
#: Free-text parameters offered as a select of their built-in values.
TEXT_CHOICES = {"grid": ("off", "radial", "ieee_european_lv", "kerber_dorfnetz")}
SEED_CONTROL = {"type": "SliderInt", "value": SEED, "min": 0, "max": 999, "step": 1}
#: The sections of the sidebar, in order, and the parameters each holds; a control in none of
#: them goes to the last section.
GROUPS: dict[str, tuple[str, ...]] = {
    "Community": (
        "n_prosumers", "pv_scale", "load_scale", "profile_source", "standard_load_profile",
        "holiday_calendar", "household_load_model", "synthetic_weather", "rng",
    ),
    "Batteries": ("battery_share", "soc_min", "soc_max", "storage_policy", "forecast_kind"),
    "Prices": ("base_price", "price_source", "local_market_fee", "fee_mode"),
    "Market": ("pricing_strategy", "clearing_mechanism", "max_trade_cap"),
    "Chain": ("chain_enabled", "difficulty", "n_miners"),
    "Regulator": ("objective",),
    "Grid": (
        "grid", "network_mode", "grid_loss_allocation", "grid_homes_per_bus", "grid_line_type",
        "grid_trafo_type",
    ),
}  # fmt: skip
OPEN_GROUPS = (0,)  #: sections open when the page loads


def _spelt(name: str) -> str:
    return name.replace("_", " ").capitalize()


def build_model_params() -> dict[str, object]:
    """Mesa-style ``model_params`` from :meth:`Parameters.describe`, defaults as values.

    Only parameters that ``CommunityModel`` takes as keywords get a control.
    """
    choices = {f.name: f.metadata.get("choices") for f in dataclasses.fields(Parameters)}
    accepted = inspect.signature(CommunityModel.__init__).parameters
    controls: dict[str, object] = {}
    for row in Parameters.describe():
        name, default = row["name"], row["default"]
        if name not in accepted:  # a parameter the model does not take (yet)
            continue
        if name in SLIDERS:
            label, lo, hi, step = SLIDERS[name]
            if isinstance(default, int):
                controls[name] = Slider(label, default, int(lo), int(hi), int(step), dtype=int)
            else:
                controls[name] = Slider(label, default, lo, hi, step, dtype=float)
        elif choices.get(name) or name in TEXT_CHOICES:
            offered = choices.get(name) or TEXT_CHOICES[name]
            values = [c for c in offered if c not in NOT_OFFERED.get(name, ())]
            if len(values) < 2:
                continue
            label = SELECT_LABELS.get(name, _spelt(name))
            controls[name] = {"type": "Select", "value": default, "values": values, "label": label}
        elif name in CHECKBOXES:
            controls[name] = {"type": "Checkbox", "value": default, "label": CHECKBOXES[name]}
    controls["rng"] = {**SEED_CONTROL, "label": "Seed"}
    return controls


MODEL_PARAMS = build_model_params()
DOCS = {row["name"]: row for row in Parameters.describe()}


def initial_values() -> dict[str, object]:
    """The values the controls start with, as model keywords."""
    return {name: _option(control, "value") for name, control in MODEL_PARAMS.items()}


def _option(control, key: str):
    return getattr(control, key) if isinstance(control, Slider) else control.get(key)


def tooltip(name: str) -> str:
    """The long description of a control: the parameter's meaning, unit and name."""
    if name == "rng":
        return "seed of the model's random numbers (same seed: same run)"
    row = DOCS[name]
    unit = f" [{row['unit']}]" if row["unit"] not in ("-", "") else ""
    return f"{row['doc']}{unit} ({name})"


def show(value) -> str:
    """A value as the label shows it."""
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def changed(values: dict, applied: dict) -> list[str]:
    """Names of the controls whose value differs from the model's."""
    return [name for name, value in values.items() if applied.get(name) != value]


def group_of(name: str) -> str:
    return next((g for g, names in GROUPS.items() if name in names), list(GROUPS)[-1])


@solara.component
def Control(name: str, value, applied, on_value):
    """One control: short label with the value (and the model's value if it differs)."""
    control = MODEL_PARAMS[name]
    label = _option(control, "label")
    was = "" if applied == value else f" (was {show(applied)})"
    text = f"{label}: {show(value)}{was}"
    # the tooltip hangs on a plain div around the control: Solara's slider and select
    # components do not pass a tooltip's hover events on (none showed in the browser)
    with solara.Tooltip(tooltip(name)) as tip:
        with solara.Column(gap="0px", margin=0):
            if isinstance(control, Slider) or control.get("type") == "SliderInt":
                floating = isinstance(control, Slider) and control.is_float_slider
                kind = solara.SliderFloat if floating else solara.SliderInt
                kind(
                    text,
                    value=value,
                    on_value=on_value,
                    min=_option(control, "min"),
                    max=_option(control, "max"),
                    step=_option(control, "step"),
                    thumb_label=False,
                )
            elif control["type"] == "Select":
                solara.Select(text, value=value, values=control["values"], on_value=on_value)
            else:
                solara.Checkbox(label=text, value=value, on_value=on_value)
    return tip


@solara.component
def Controls(values: solara.Reactive[dict], applied: dict):
    """The sections of controls; ``values`` holds what the user set, ``applied`` the model's."""

    def setter(name):
        return lambda value: values.set({**values.value, name: value})

    sections: dict[str, list[str]] = {g: [] for g in GROUPS}
    for name in MODEL_PARAMS:
        sections[group_of(name)].append(name)
    shown = [(group, names) for group, names in sections.items() if names]
    opened = solara.use_reactive(list(OPEN_GROUPS))
    with solara.v.ExpansionPanels(
        multiple=True, accordion=True, v_model=opened.value, on_v_model=opened.set
    ):
        for index, (group, names) in enumerate(shown):
            n_changed = len(changed({k: values.value[k] for k in names}, applied))
            title = f"{group} ({n_changed} changed)" if n_changed else group
            with solara.v.ExpansionPanel():
                solara.v.ExpansionPanelHeader(children=[title], class_="app-section")
                with solara.v.ExpansionPanelContent():
                    # a closed section holds no widgets: the page has fewer to reconcile
                    # after every step (Solara walks the whole page each render)
                    if index in opened.value:
                        for name in names:
                            Control(name, values.value[name], applied.get(name), setter(name))
