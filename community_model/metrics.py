"""Community figures: per-step totals (model reporters) and run-level KPIs."""

from __future__ import annotations

import numpy as np
import pandas as pd

from community_model.hour import P2P, TradeLog
from community_model.state import BANNED, BUYER, SELLER, ProsumerState

#: Model reporters, each a per-step community figure; units in docs/output-files.md.
STEP_FIGURES = (
    "pv_kwh",
    "demand_kwh",
    "load_kwh",
    "deferred_kwh",
    "surplus_kwh",
    "deficit_kwh",
    "p2p_kwh",
    "p2p_battery_kwh",
    "p2p_trades",
    "grid_import_kwh",
    "grid_export_kwh",
    "market_trades",
    "avg_p2p_price",
    "price_forecast",
    "grid_buy_price",
    "grid_sell_price",
    "buyers",
    "sellers",
    "banned",
    "new_bans",
    "mean_soc",
    "stored_kwh",
    "battery_charge_kwh",
    "battery_discharge_kwh",
    "battery_loss_kwh",
    "self_sufficiency",
    "self_consumption",
    "energy_cost_eur",
    "baseline_cost_eur",
    "savings_eur",
    "operator_surplus_eur",
    "bonus_eur",
    "penalty_eur",
    "community_net_cost_eur",
    "blocks_mined",
    "hashes",
    "chain_height",
    "p2p_surplus_eur",
    "max_p2p_surplus_eur",
    "allocative_efficiency",
)
COUNT_FIGURES = frozenset(
    {
        "p2p_trades",
        "market_trades",
        "buyers",
        "sellers",
        "banned",
        "new_bans",
        "blocks_mined",
        "hashes",
        "chain_height",
    }
)


def _ratio(num: float, den: float) -> float:
    return float(num / den) if den > 0 else float("nan")


def step_figures(
    state: ProsumerState, log: TradeLog | None, ctx, baseline_cost_eur: float
) -> dict[str, float]:
    """Community totals of the step just run; ``log`` None gives the initial state."""
    has_battery = state.homes.battery_capacity_kwh > 0
    figures = {name: 0 if name in COUNT_FIGURES else 0.0 for name in STEP_FIGURES}
    figures["mean_soc"] = float(np.mean(state.soc[has_battery])) if has_battery.any() else np.nan
    figures["stored_kwh"] = float(state.stored_kwh.sum())
    figures["banned"] = int(state.banned.sum())
    figures["avg_p2p_price"] = figures["self_sufficiency"] = np.nan
    figures["self_consumption"] = np.nan
    if log is None:
        return figures

    pv, load = float(state.pv_kwh.sum()), float(state.load_kwh.sum())
    grid_import, grid_export = (
        float(state.grid_import_kwh.sum()),
        float(state.grid_export_kwh.sum()),
    )
    market = market_figures(state, log, ctx)
    paid, received = float(state.p2p_paid_eur.sum()), float(state.p2p_received_eur.sum())
    energy_cost = float(state.grid_cost_eur.sum()) + paid - received
    bonus, penalty = float(state.bonus_eur.sum()), float(state.penalty_eur.sum())
    figures.update(
        pv_kwh=pv,
        demand_kwh=float(state.demand_kwh.sum()),
        load_kwh=load,
        deferred_kwh=float(state.deferred_kwh.sum()),
        **market,
        p2p_battery_kwh=float(state.p2p_sold_battery_kwh.sum()),
        grid_import_kwh=grid_import,
        grid_export_kwh=grid_export,
        banned=int((state.role == BANNED).sum()),
        new_bans=int(state.new_ban.sum()),
        buyers=int((state.role == BUYER).sum()),
        sellers=int((state.role == SELLER).sum()),
        battery_charge_kwh=float(state.charge_kwh.sum()),
        battery_discharge_kwh=float(state.discharge_kwh.sum()),
        battery_loss_kwh=float(state.loss_kwh.sum()),
        self_sufficiency=_ratio(load - grid_import, load),
        self_consumption=_ratio(pv - grid_export, pv),
        energy_cost_eur=energy_cost,
        baseline_cost_eur=baseline_cost_eur,
        savings_eur=baseline_cost_eur - energy_cost,
        operator_surplus_eur=paid - received,
        bonus_eur=bonus,
        penalty_eur=penalty,
        community_net_cost_eur=energy_cost - bonus + penalty,
    )
    return figures


def market_figures(state: ProsumerState, log: TradeLog, ctx) -> dict[str, float]:
    """The step's market in a few figures (part of :func:`step_figures`, and all a learning
    environment observes, :mod:`community_model.learning.core`): the grid prices, the surplus
    and deficit offered [kWh], the P2P energy [kWh], trades and mean price [EUR/kWh] (NaN
    without P2P trades), and the number of grid settlements."""
    p2p = log.kind == P2P
    n_p2p = int(p2p.sum())
    p2p_kwh = float(log.kwh[p2p].sum())
    return {
        "surplus_kwh": float(np.maximum(state.residual_kwh, 0).sum()),
        "deficit_kwh": float(np.maximum(-state.residual_kwh, 0).sum()),
        "p2p_kwh": p2p_kwh,
        "p2p_trades": n_p2p,
        "market_trades": log.n - n_p2p,
        "avg_p2p_price": _ratio(float((log.kwh * log.price)[p2p].sum()), p2p_kwh),
        "price_forecast": ctx.forecast,
        "grid_buy_price": ctx.grid_buy,
        "grid_sell_price": ctx.grid_sell,
    }


def storage_neutral_shares(
    pv_kwh, load_kwh, grid_import_kwh, grid_export_kwh, stored_change_kwh, efficiency: float
):
    """Self-sufficiency and self-consumption over a period, net of the change in storage [-].

    Stored energy drawn down over the period (``stored_change_kwh`` < 0) served load without
    being produced in it: it counts like an import, ``-stored_change * efficiency`` delivered.
    Energy left in storage at the end (> 0) was produced but not yet consumed: it counts like
    an export, ``stored_change / efficiency`` drawn from PV. Over a year the change is small
    and both equal the usual figures (Luthander et al. 2015):

        self-sufficiency = (load - import - drained) / load
        self-consumption = (pv - export - kept) / pv

    Parameters
    ----------
    pv_kwh, load_kwh, grid_import_kwh, grid_export_kwh : numeric
        Sums over the period [kWh].
    stored_change_kwh : numeric
        Stored energy at the end minus at the start [kWh].
    efficiency : float
        One-way battery efficiency [-].

    Returns
    -------
    (self_sufficiency, self_consumption) : numeric, NaN where load (or PV) is zero [-].

    References
    ----------
    Luthander, R., Widen, J., Nilsson, D., & Palm, J. (2015). Photovoltaic self-consumption
    in buildings: A review. Applied Energy, 142, 80-94.

    Examples
    --------
    >>> [round(float(x), 3) for x in storage_neutral_shares(10.0, 10.0, 2.0, 4.0, -1.0, 0.9)]
    [0.71, 0.6]
    """
    change = np.asarray(stored_change_kwh, float)
    drained = np.maximum(-change, 0.0) * efficiency
    kept = np.maximum(change, 0.0) / efficiency
    load, pv = np.asarray(load_kwh, float), np.asarray(pv_kwh, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        sufficiency = np.where(load > 0, (load - grid_import_kwh - drained) / load, np.nan)
        consumption = np.where(pv > 0, (pv - grid_export_kwh - kept) / pv, np.nan)
    return sufficiency, consumption


def gini(values: np.ndarray) -> float:
    """Gini coefficient by mean absolute difference, G = sum|xi - xj| / (2 n^2 |mean|).

    Defined for values of either sign as long as their mean is not zero (net costs can be
    negative for homes that earn more than they pay); NaN when the mean is zero.
    """
    x = np.sort(np.asarray(values, dtype=float))
    n = len(x)
    mean = x.mean() if n else 0.0
    if n == 0 or mean == 0:
        return float("nan")
    # sum_{i,j} |xi - xj| = 2 * sum_i (2i - n + 1) x_(i) for sorted x, i = 0..n-1
    mad_sum = 2.0 * np.sum((2.0 * np.arange(n) - n + 1.0) * x)
    return float(mad_sum / (2.0 * n * n * abs(mean)))


def surplus_figures(realised_eur: float, largest_eur: float) -> dict[str, float]:
    """The step's gains from P2P trade at true valuations (:func:`community_model.hour.
    p2p_surplus`): realised, largest possible [EUR], and their ratio, the allocative
    efficiency [-] (NaN when no gain was possible)."""
    return {
        "p2p_surplus_eur": realised_eur,
        "max_p2p_surplus_eur": largest_eur,
        "allocative_efficiency": _ratio(realised_eur, largest_eur),
    }


def run_kpis(
    steps: pd.DataFrame,
    net_cost_per_prosumer: np.ndarray,
    stored_change_kwh: float = 0.0,
    efficiency: float = 1.0,
) -> dict[str, float]:
    """Run-level KPIs from the per-step figures (rows of executed steps only).

    ``self_sufficiency`` and ``self_consumption`` are net of the change in stored energy
    over the run (``stored_change_kwh`` [kWh], see :func:`storage_neutral_shares`); the
    ``*_raw`` figures ignore it (a day that drains the batteries reports up to 100 %).
    ``savings_eur`` is the bill without P2P (batteries tracked apart from the start, see
    :func:`community_model.hour.no_p2p_cost`) minus the bill with it.
    """
    total = steps.sum(numeric_only=True)
    sufficiency, consumption = storage_neutral_shares(
        total["pv_kwh"], total["load_kwh"], total["grid_import_kwh"], total["grid_export_kwh"],
        stored_change_kwh, efficiency,
    )  # fmt: skip
    traded = total["p2p_kwh"] + total["grid_import_kwh"] + total["grid_export_kwh"]
    return {
        "pv_kwh": total["pv_kwh"],
        "load_kwh": total["load_kwh"],
        "p2p_kwh": total["p2p_kwh"],
        "p2p_trades": int(total["p2p_trades"]),
        "grid_import_kwh": total["grid_import_kwh"],
        "grid_export_kwh": total["grid_export_kwh"],
        "market_trades": int(total["market_trades"]),
        "self_sufficiency": float(sufficiency),
        "self_consumption": float(consumption),
        "self_sufficiency_raw": _ratio(
            total["load_kwh"] - total["grid_import_kwh"], total["load_kwh"]
        ),
        "self_consumption_raw": _ratio(total["pv_kwh"] - total["grid_export_kwh"], total["pv_kwh"]),
        "p2p_share": _ratio(total["p2p_kwh"], traded),
        "avg_p2p_price": _ratio(
            float((steps["avg_p2p_price"].fillna(0) * steps["p2p_kwh"]).sum()), total["p2p_kwh"]
        ),
        "energy_cost_eur": total["energy_cost_eur"],
        "baseline_cost_eur": total["baseline_cost_eur"],
        "savings_eur": total["savings_eur"],
        "community_net_cost_eur": total["community_net_cost_eur"],
        "peak_grid_import_kwh": float(steps["grid_import_kwh"].max()) if len(steps) else 0.0,
        "battery_throughput_kwh": total["battery_discharge_kwh"],
        "battery_loss_kwh": total["battery_loss_kwh"],
        "bonus_eur": total["bonus_eur"],
        "penalty_eur": total["penalty_eur"],
        "operator_surplus_eur": total["operator_surplus_eur"],
        "allocative_efficiency": _ratio(total["p2p_surplus_eur"], total["max_p2p_surplus_eur"]),
        "gini_net_cost": gini(net_cost_per_prosumer),
    }
