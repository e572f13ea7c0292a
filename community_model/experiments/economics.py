"""A year of battery and P2P economics: four scenarios of the same community compared.

The same homes, weather, load and prices (same parameters and seed) are simulated four times:

============================  ============================================================
``p2p_battery``               the community as parameterised: P2P trading, batteries
``p2p_no_battery``            P2P trading, nobody has a battery (``battery_share = 0``)
``grid_battery``              no P2P trading (every imbalance settled with the grid:
                              ``dead_band`` = 1000 kWh, so nobody makes an offer), batteries
``grid_no_battery``           neither
============================  ============================================================

Home types and every profile are drawn the same way in all four (the battery draw is made
whatever ``battery_share`` is, and the profile sources draw their seed at the same point), so
the scenarios differ only in batteries and trading. A home's *energy bill* is what it pays for
energy: grid cost + P2P purchases - P2P sales [EUR] (regulator bonuses and penalties are
transfers, reported apart; block rewards go to miners; the chain is switched off, it does not
change energy or bills).

Self-sufficiency and self-consumption are net of the change in stored energy
(:func:`community_model.metrics.storage_neutral_shares`). The run's own ``savings_eur``
(``community-sim run``) uses the same counterfactual as ``grid_battery`` and agrees with
``p2p_savings_eur_per_year`` to within a few per cent (only deferrable load, which follows
the regulator's incentives, can differ).

Battery economics per battery owner: savings = bill without battery - bill with battery
(with P2P, and without), investment = capacity * ``battery_price`` [EUR/kWh], simple payback
= investment / annual savings, NPV = -investment + annual savings * annuity factor over the
lifetime at the discount rate (no degradation, no replacement; runs shorter than a year are
scaled to a year, which ignores seasons).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from community_model.metrics import storage_neutral_shares
from community_model.parameters import Parameters

#: Parameter overrides of each scenario (applied to the user's parameters).
SCENARIOS: dict[str, dict[str, object]] = {
    "p2p_battery": {},
    "p2p_no_battery": {"battery_share": 0.0},
    "grid_battery": {"dead_band": 1000.0},
    "grid_no_battery": {"battery_share": 0.0, "dead_band": 1000.0},
}
#: Overrides of every scenario: no chain, no per-agent history (not needed, and slow).
RUN_OVERRIDES = {"chain_enabled": False, "agent_data_every": 0}
HOURS_PER_YEAR = 8760.0


# --- finance: pure functions --------------------------------------------------------------------
def annuity_factor(discount_rate: float, lifetime_years: float) -> float:
    """Present value of 1 EUR a year for ``lifetime_years`` years [years].

    (1 - (1 + r)^-L) / r, and L when r = 0.

    Examples
    --------
    >>> round(annuity_factor(0.05, 10), 4)
    7.7217
    """
    if discount_rate == 0:
        return float(lifetime_years)
    return (1.0 - (1.0 + discount_rate) ** -lifetime_years) / discount_rate


def net_present_value(
    investment_eur, annual_savings_eur, discount_rate: float, lifetime_years: float
):
    """NPV of an investment that saves the same each year [EUR].

    Parameters
    ----------
    investment_eur : numeric
        Paid at the start [EUR].
    annual_savings_eur : numeric
        Saved at the end of each year [EUR/a].
    discount_rate : float
        [1/a].
    lifetime_years : float
        [a].
    """
    factor = annuity_factor(discount_rate, lifetime_years)
    return np.asarray(annual_savings_eur, float) * factor - np.asarray(investment_eur, float)


def simple_payback_years(investment_eur, annual_savings_eur):
    """Years until the savings repay the investment [a]; inf when nothing is saved.

    Examples
    --------
    >>> simple_payback_years([1000.0, 1000.0], [100.0, -5.0]).tolist()
    [10.0, inf]
    """
    investment = np.asarray(investment_eur, float)
    savings = np.asarray(annual_savings_eur, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(savings > 0, investment / np.where(savings > 0, savings, 1.0), np.inf)


# --- one scenario ----------------------------------------------------------------------------
@dataclass
class ScenarioTotals:
    """Per-home sums over a run, and the community's peak."""

    name: str
    hours: float  #: simulated time [h]
    pv_kwh: np.ndarray
    demand_kwh: np.ndarray  #: demand that arose
    load_kwh: np.ndarray  #: load served (demand less what flexible homes still defer)
    grid_import_kwh: np.ndarray
    grid_export_kwh: np.ndarray
    p2p_bought_kwh: np.ndarray
    p2p_sold_kwh: np.ndarray
    bill_eur: np.ndarray  #: grid cost + P2P paid - P2P received
    regulator_net_eur: np.ndarray  #: bonuses - penalties
    peak_import_kw: np.ndarray  #: each home's largest grid import [kW]
    community_peak_import_kw: float
    battery_kwh: np.ndarray
    home_type: np.ndarray
    pv_capacity_kw: np.ndarray
    prosumer_id: np.ndarray
    frame: pd.DataFrame  #: the model's step frame (community figures per step, timestamps)
    stored_change_kwh: np.ndarray  #: stored energy at the end minus at the start [kWh]
    battery_efficiency: float  #: one-way [-]


def run_scenario(
    params: Parameters,
    name: str,
    seed: int,
    steps: int,
    progress: Callable[[Iterable], Iterable] | None = None,
) -> ScenarioTotals:
    """Simulate ``steps`` steps of scenario ``name`` and sum each home's flows and money."""
    from community_model.model import CommunityModel

    overrides = {**SCENARIOS[name], **RUN_OVERRIDES}
    model = CommunityModel.from_params(dataclasses.replace(params, **overrides), rng=seed)
    s, n, step_hours = model.state, model.state.n, params.step_hours
    stored_at_start = s.stored_kwh.copy()
    sums = {
        key: np.zeros(n) for key in ("pv", "demand", "load", "imp", "exp", "bought", "sold", "bill")
    }
    regulator = np.zeros(n)
    peak = np.zeros(n)
    community_peak = 0.0
    steps_iter = range(steps) if progress is None else progress(range(steps))
    for _ in steps_iter:
        model.step()
        sums["pv"] += s.pv_kwh
        sums["demand"] += s.demand_kwh
        sums["load"] += s.load_kwh
        sums["imp"] += s.grid_import_kwh
        sums["exp"] += s.grid_export_kwh
        sums["bought"] += s.p2p_bought_kwh
        sums["sold"] += s.p2p_sold_kwh
        sums["bill"] += s.grid_cost_eur + s.p2p_paid_eur - s.p2p_received_eur
        regulator += s.bonus_eur - s.penalty_eur
        np.maximum(peak, s.grid_import_kwh / step_hours, out=peak)
        community_peak = max(community_peak, float(s.grid_import_kwh.sum()) / step_hours)
    return ScenarioTotals(
        name=name,
        hours=steps * step_hours,
        pv_kwh=sums["pv"],
        demand_kwh=sums["demand"],
        load_kwh=sums["load"],
        grid_import_kwh=sums["imp"],
        grid_export_kwh=sums["exp"],
        p2p_bought_kwh=sums["bought"],
        p2p_sold_kwh=sums["sold"],
        bill_eur=sums["bill"],
        regulator_net_eur=regulator,
        peak_import_kw=peak,
        community_peak_import_kw=community_peak,
        battery_kwh=model.homes.battery_capacity_kwh.copy(),
        home_type=model.homes.home_type.copy(),
        pv_capacity_kw=model.homes.pv_capacity_kw.copy(),
        prosumer_id=model.prosumer_ids.copy(),
        frame=model.step_frame(),
        stored_change_kwh=s.stored_kwh - stored_at_start,
        battery_efficiency=model.params.battery_efficiency,
    )


def _ratio(num, den):
    num, den = np.asarray(num, float), np.asarray(den, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


# --- the comparison --------------------------------------------------------------------------
@dataclass
class Economics:
    """Result of :func:`compare_scenarios`."""

    scenarios: pd.DataFrame  #: one row per scenario, community figures
    homes: pd.DataFrame  #: one row per home, then a ``community`` row
    settings: dict[str, float]  #: battery price, discount rate, lifetime, hours, seed
    frames: dict[str, pd.DataFrame]  #: each scenario's step frame (``model.step_frame()``)

    def headline(self) -> dict[str, float]:
        """The community's key figures (p2p_battery scenario, battery economics)."""
        row = self.homes.iloc[-1]
        scen = self.scenarios.set_index("scenario").loc["p2p_battery"]
        return {
            "self_sufficiency": float(scen["self_sufficiency"]),
            "self_consumption": float(scen["self_consumption"]),
            "p2p_share": float(scen["p2p_share"]),
            "p2p_savings_eur_per_year": float(row["p2p_savings_eur_per_year"]),
            "battery_savings_eur_per_year": float(row["battery_savings_eur_per_year"]),
            "battery_investment_eur": float(row["battery_investment_eur"]),
            "battery_payback_years": float(row["battery_payback_years"]),
            "battery_npv_eur": float(row["battery_npv_eur"]),
        }


def compare_scenarios(
    params: Parameters,
    seed: int = 42,
    steps: int | None = None,
    battery_price_eur_per_kwh: float = 700.0,
    discount_rate: float = 0.04,
    lifetime_years: float = 15.0,
    progress: Callable[[Iterable], Iterable] | None = None,
) -> Economics:
    """Run the four scenarios and compute bills, savings, payback and NPV.

    Parameters
    ----------
    params : Parameters
        The community (e.g. ``profile_source="standard"``).
    seed : int
        Random seed, the same for every scenario.
    steps : int, optional
        Steps to simulate; default one year (8760 h / ``step_hours``).
    battery_price_eur_per_kwh : float
        Installed cost of a battery per kWh of capacity [EUR/kWh].
    discount_rate : float
        [1/a].
    lifetime_years : float
        Battery lifetime [a].
    progress : callable, optional
        Wraps the step range (e.g. ``tqdm``).
    """
    if steps is None:
        steps = int(round(HOURS_PER_YEAR / params.step_hours))
    runs = {name: run_scenario(params, name, seed, steps, progress) for name in SCENARIOS}
    base = runs["p2p_battery"]
    for other in runs.values():  # the scenarios share their homes, weather and load
        same = np.array_equal(other.home_type, base.home_type)
        if not same or not np.allclose(
            other.pv_kwh + other.demand_kwh, base.pv_kwh + base.demand_kwh
        ):
            raise AssertionError(f"scenario {other.name} simulated other homes or weather")
    per_year = HOURS_PER_YEAR / base.hours
    scenarios = pd.DataFrame([_community_row(r) for r in runs.values()])
    homes = _home_table(runs, per_year, battery_price_eur_per_kwh, discount_rate, lifetime_years)
    settings = {
        "battery_price_eur_per_kwh": battery_price_eur_per_kwh,
        "discount_rate": discount_rate,
        "lifetime_years": lifetime_years,
        "hours": base.hours,
        "seed": seed,
    }
    frames = {name: r.frame for name, r in runs.items()}
    return Economics(scenarios=scenarios, homes=homes, settings=settings, frames=frames)


def _community_row(r: ScenarioTotals) -> dict[str, float]:
    load, pv = r.load_kwh.sum(), r.pv_kwh.sum()
    imp, exp, p2p = r.grid_import_kwh.sum(), r.grid_export_kwh.sum(), r.p2p_bought_kwh.sum()
    sufficiency, consumption = storage_neutral_shares(
        pv, load, imp, exp, r.stored_change_kwh.sum(), r.battery_efficiency
    )
    return {
        "scenario": r.name,
        "pv_kwh": pv,
        "demand_kwh": r.demand_kwh.sum(),
        "load_kwh": load,
        "grid_import_kwh": imp,
        "grid_export_kwh": exp,
        "p2p_kwh": p2p,
        "bill_eur": r.bill_eur.sum(),
        "regulator_net_eur": r.regulator_net_eur.sum(),
        "self_sufficiency": float(sufficiency),
        "self_consumption": float(consumption),
        "p2p_share": float(_ratio(p2p, p2p + imp + exp)),
        "peak_import_kw": r.community_peak_import_kw,
    }


def _home_table(
    runs: dict[str, ScenarioTotals],
    per_year: float,
    battery_price: float,
    discount_rate: float,
    lifetime: float,
) -> pd.DataFrame:
    a = runs["p2p_battery"]
    bills = {name: r.bill_eur for name, r in runs.items()}
    owner = a.battery_kwh > 0
    investment = a.battery_kwh * battery_price
    battery_savings = (bills["p2p_no_battery"] - bills["p2p_battery"]) * per_year
    battery_savings_no_p2p = (bills["grid_no_battery"] - bills["grid_battery"]) * per_year
    sufficiency, consumption = storage_neutral_shares(
        a.pv_kwh, a.load_kwh, a.grid_import_kwh, a.grid_export_kwh, a.stored_change_kwh,
        a.battery_efficiency,
    )  # fmt: skip
    homes = pd.DataFrame(
        {
            "prosumer_id": a.prosumer_id.astype(str),
            "home_type": a.home_type,
            "pv_kw": a.pv_capacity_kw,
            "battery_kwh": a.battery_kwh,
            "pv_kwh": a.pv_kwh,
            "demand_kwh": a.demand_kwh,
            "load_kwh": a.load_kwh,
            "grid_import_kwh": a.grid_import_kwh,
            "grid_export_kwh": a.grid_export_kwh,
            "p2p_bought_kwh": a.p2p_bought_kwh,
            "p2p_sold_kwh": a.p2p_sold_kwh,
            **{f"bill_{name}_eur": bill for name, bill in bills.items()},
            "regulator_net_eur": a.regulator_net_eur,
            "p2p_savings_eur_per_year": (bills["grid_battery"] - bills["p2p_battery"]) * per_year,
            "battery_savings_eur_per_year": np.where(owner, battery_savings, np.nan),
            "battery_savings_no_p2p_eur_per_year": np.where(owner, battery_savings_no_p2p, np.nan),
            "battery_investment_eur": np.where(owner, investment, np.nan),
            "battery_payback_years": np.where(
                owner, simple_payback_years(investment, battery_savings), np.nan
            ),
            "battery_npv_eur": np.where(
                owner,
                net_present_value(investment, battery_savings, discount_rate, lifetime),
                np.nan,
            ),
            "self_sufficiency": sufficiency,
            "self_consumption": consumption,
            "stored_change_kwh": a.stored_change_kwh,
            "peak_import_kw": a.peak_import_kw,
        }
    )
    return pd.concat([homes, _community_total(homes, a, per_year, discount_rate, lifetime)])


def _community_total(homes, a: ScenarioTotals, per_year, discount_rate, lifetime) -> pd.DataFrame:
    """The ``community`` row: sums, ratios of sums, the community's own peak."""
    sums = homes.drop(columns=["prosumer_id", "home_type"]).sum(numeric_only=True, min_count=1)
    row = sums.to_dict()
    row.update(prosumer_id="community", home_type=-1)
    investment = (
        row["battery_investment_eur"] if math.isfinite(row["battery_investment_eur"]) else 0
    )
    # The community's battery savings: every home's bill, owners or not (P2P passes them on).
    savings = (row["bill_p2p_no_battery_eur"] - row["bill_p2p_battery_eur"]) * per_year
    row["battery_savings_eur_per_year"] = savings
    row["battery_savings_no_p2p_eur_per_year"] = (
        row["bill_grid_no_battery_eur"] - row["bill_grid_battery_eur"]
    ) * per_year
    row["battery_payback_years"] = float(simple_payback_years(investment, savings))
    row["battery_npv_eur"] = float(net_present_value(investment, savings, discount_rate, lifetime))
    sufficiency, consumption = storage_neutral_shares(
        row["pv_kwh"], row["load_kwh"], row["grid_import_kwh"], row["grid_export_kwh"],
        row["stored_change_kwh"], a.battery_efficiency,
    )  # fmt: skip
    row["self_sufficiency"], row["self_consumption"] = float(sufficiency), float(consumption)
    row["peak_import_kw"] = a.community_peak_import_kw
    return pd.DataFrame([row])[homes.columns]


def scenario_report(result: Economics) -> str:
    """The printed table: scenarios, then battery economics of the community."""
    s = result.scenarios
    hours = result.settings["hours"]
    lines = [
        f"Scenarios over {hours:g} h (bills in EUR, energy in kWh, peak in kW):",
        s.to_string(
            index=False, float_format=lambda v: f"{v:,.3f}" if abs(v) < 10 else f"{v:,.0f}"
        ),
        "",
    ]
    head = result.headline()
    cfg = result.settings
    lines += [
        "Community (P2P with batteries):",
        f"  self-sufficiency   {head['self_sufficiency']:.1%}",
        f"  self-consumption   {head['self_consumption']:.1%}",
        f"  P2P share          {head['p2p_share']:.1%} of traded energy",
        f"  P2P savings        {head['p2p_savings_eur_per_year']:,.0f} EUR/a against no P2P",
        f"  battery savings    {head['battery_savings_eur_per_year']:,.0f} EUR/a (P2P on), "
        f"investment {head['battery_investment_eur']:,.0f} EUR "
        f"at {cfg['battery_price_eur_per_kwh']:g} EUR/kWh",
        f"  battery payback    {head['battery_payback_years']:,.1f} years; "
        f"NPV {head['battery_npv_eur']:,.0f} EUR "
        f"({cfg['lifetime_years']:g} years at {cfg['discount_rate']:.1%})",
    ]
    return "\n".join(lines)
