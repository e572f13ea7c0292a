"""The feeder's step: fees, the AC power flow, limits; and its figures.

:class:`FeederPhase` is the one object of a model with a feeder. ``CommunityModel.step`` calls
:meth:`FeederPhase.step` once, between the P2P clearing and the booking of the trades: the
trades and the self-balance residuals fix every home's net injection, the grid settlement that
follows only books what the feeder carries anyway.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from community_model.grid import network_aware as na
from community_model.grid.feeders import load_network, prepare_feeder
from community_model.grid.placement import place_homes, placement_rng
from community_model.grid.power_flow import FlowResult, PowerFlow
from market import QTY_EPS, Trades

#: Model reporters added with a feeder (per step); units in the names, see docs/grid.md.
GRID_FIGURES = (
    "grid_v_min_pu", "grid_v_max_pu", "grid_voltage_violation", "grid_max_line_loading_pct",
    "grid_trafo_loading_pct", "grid_overload", "grid_losses_kwh", "grid_upstream_kwh",
    "grid_curtailed_kwh", "grid_reduced_p2p_kwh", "grid_distance_fees_eur",
    "grid_unresolved", "grid_pf_rounds", "grid_converged", "grid_losses_p2p_kwh",
)  # fmt: skip
#: Per-home columns recorded with a feeder
GRID_COLUMNS = ("voltage_pu", "curtailed_kwh")
REDUCTION_COLUMNS = ("hour", "buyer_id", "seller_id", "kind", "kwh_before", "kwh_after", "reason")
#: Columns of the losses attributed to P2P trades (``grid_loss_allocation='kwh_km'``)
TRADE_LOSS_COLUMNS = ("hour", "buyer_id", "seller_id", "kind", "kwh", "cable_km", "loss_kwh")


class FeederPhase:
    """The feeder, its homes' buses and its power flow; figures of the last step."""

    def __init__(self, params, net, load_buses: np.ndarray, bus_of_home: np.ndarray,
                 backend: str = "auto"):  # fmt: skip
        self.params = params
        self.net = net
        self.load_buses = load_buses
        self.bus_of_home = bus_of_home
        self.home_load = np.searchsorted(load_buses, bus_of_home)  # index into load-bus order
        self.flow = PowerFlow(net, backend)
        self.tan_phi = math.tan(math.acos(params.grid_power_factor))
        self.v_low, self.v_high = 1.0 - params.grid_voltage_band, 1.0 + params.grid_voltage_band
        self.distance_km = (
            na.cable_distance_km(net, load_buses)
            if params.network_mode == "distance_fees"
            else None
        )
        self.allocate_losses = params.grid_loss_allocation == "kwh_km"
        if self.allocate_losses:
            if self.distance_km is None:
                self.distance_km = na.cable_distance_km(net, load_buses)
            self.trafo_km = na.distance_to_transformer_km(net, load_buses)
        self.trade_losses: list[tuple] = []  # rows of TRADE_LOSS_COLUMNS
        self.reductions: list[tuple] = []  # rows of REDUCTION_COLUMNS
        self.figures = dict.fromkeys(GRID_FIGURES, 0.0)
        self.figures.update(grid_v_min_pu=np.nan, grid_v_max_pu=np.nan)
        self.last: FlowResult | None = None

    @classmethod
    def from_params(cls, params, rng_state: dict, backend: str = "auto") -> FeederPhase:
        net, load_buses = prepare_feeder(load_network(params.grid, params.n_prosumers, params))
        bus_of_home = place_homes(params.n_prosumers, load_buses, placement_rng(rng_state))
        return cls(params, net, load_buses, bus_of_home, backend)

    # --- the step ---------------------------------------------------------------------------
    def step(
        self, state, book, trades: Trades, step: int, prosumer_ids: np.ndarray,
        grid_buy: float = np.inf,
    ) -> Trades:  # fmt: skip
        """Fees, power flow and limits of this step; returns the trades to book.

        ``grid_buy``: the step's import price [EUR/kWh]; a trade whose price with its fee would
        exceed it (or the buyer's bid) is not made: the buyer imports instead, and every P2P
        price stays in the hour's grid band."""
        p, n_before = self.params, len(self.reductions)
        fees_eur = 0.0
        if p.network_mode == "distance_fees":
            trades, fees_eur = self._charge_distance_fees(
                book, trades, step, prosumer_ids, grid_buy
            )
        result = self._solve(state, book, trades)
        rounds = 1
        curtailed = np.zeros(state.n)
        unresolved = False
        if p.network_mode == "enforce_limits":
            while rounds <= na.MAX_ROUNDS and result.converged and self._excess(result)[0].size:
                trades, cut, unresolved = self._reduce(state, book, trades, result, step,
                                                       prosumer_ids)  # fmt: skip
                curtailed += cut
                result = self._solve(state, book, trades)
                rounds += 1
        state.curtailed_kwh[:] = curtailed
        state.voltage_pu[:] = result.vm_load_bus[self.home_load]
        self._record(result, rounds, fees_eur, n_before, curtailed, unresolved)
        if self.allocate_losses:
            self.figures["grid_losses_p2p_kwh"] = self._allocate_losses(
                state, book, trades, step, prosumer_ids
            )
        return trades

    def _allocate_losses(self, state, book, trades: Trades, step: int, ids) -> float:
        """Attribute this step's cable losses to the P2P trades and the homes' grid exchanges
        by kWh x km (:func:`network_aware.allocate_losses_kwh_km`); log each trade's share.
        The transformer's losses (most of them no-load losses, there whatever is traded) stay
        with the grid operator.
        Returns the losses attributed to P2P trades [kWh]. Recorded, not charged: no money
        moves for them."""
        n = state.n
        seller, buyer = book.ask_owner[trades.seller], book.bid_owner[trades.buyer]
        grid_kwh = (
            self._last_p_home * self.params.step_hours * 1000.0
            - np.bincount(seller, trades.kwh, n)
            + np.bincount(buyer, trades.kwh, n)
        )  # each home's exchange with the upstream grid [kWh], export positive
        trade_km = self.distance_km[self.home_load[buyer], self.home_load[seller]]
        line_losses_kwh = self.last.line_losses_mw * 1000.0 * self.params.step_hours
        trade_loss, _ = na.allocate_losses_kwh_km(
            line_losses_kwh, trades.kwh, trade_km, grid_kwh,
            self.trafo_km[self.home_load],
        )  # fmt: skip
        for t in range(len(trades.kwh)):
            kind = self._kind(book, trades, t)
            self.trade_losses.append(
                (step, int(ids[buyer[t]]), int(ids[seller[t]]), kind, float(trades.kwh[t]),
                 float(trade_km[t]), float(trade_loss[t]))
            )  # fmt: skip
        return float(trade_loss.sum())

    def _injection_kwh(self, state, book, trades: Trades) -> np.ndarray:
        """Each home's net injection into the feeder this step [kWh]: residual plus stored
        energy sold, minus energy bought to store (PV trades move no energy of their own)."""
        n = state.n
        seller = book.ask_owner[trades.seller]
        buyer = book.bid_owner[trades.buyer]
        sold = np.bincount(seller, np.where(book.ask_from_battery[trades.seller], trades.kwh, 0), n)
        stored = np.bincount(buyer, np.where(book.bid_to_battery[trades.buyer], trades.kwh, 0), n)
        return state.residual_kwh + sold - stored

    def _solve(self, state, book, trades: Trades) -> FlowResult:
        p_home = self._injection_kwh(state, book, trades) / self.params.step_hours / 1000.0
        n_bus = len(self.load_buses)
        p_bus = np.bincount(self.home_load, p_home, n_bus)  # [MW]
        q_bus = np.bincount(self.home_load, -self.tan_phi * np.abs(p_home), n_bus)  # [Mvar]
        self._q_per_p = np.where(np.abs(p_bus) > 1e-12, q_bus / np.where(p_bus == 0, 1, p_bus),
                                 -self.tan_phi)  # fmt: skip
        self.last = self.flow.solve(p_bus, q_bus)
        self._last_p_home = p_home
        return self.last

    def _excess(self, result: FlowResult) -> tuple[np.ndarray, np.ndarray]:
        """Violated limits: (which, excess); voltages of LV buses first, then loadings."""
        vm = np.abs(self.flow.V[self.flow.lv_ppc])
        limit = self.params.grid_loading_limit
        loading = np.concatenate([result.line_loading, result.trafo_loading])
        excess = np.concatenate([vm - self.v_high, self.v_low - vm, loading - limit])
        which = np.flatnonzero(excess > 1e-9)
        return which, excess[which]

    # --- network-aware trading ----------------------------------------------------------------
    def _charge_distance_fees(
        self, book, trades: Trades, step: int, ids: np.ndarray, grid_buy: float = np.inf
    ):
        buyer, seller = book.bid_owner[trades.buyer], book.ask_owner[trades.seller]
        fee = na.distance_fees(self.params.distance_fee_rate, self.distance_km,
                               self.home_load[buyer], self.home_load[seller])  # fmt: skip
        price = trades.buyer_price + fee
        keep = price <= np.minimum(book.bid_price[trades.buyer], grid_buy) + 1e-12
        for t in np.flatnonzero(~keep):
            self.reductions.append((step, int(ids[buyer[t]]), int(ids[seller[t]]),
                                    self._kind(book, trades, t), float(trades.kwh[t]), 0.0,
                                    "distance fee above the bid or the import price"))  # fmt: skip
        trades = Trades(*(np.asarray(col)[keep] for col in trades._replace(buyer_price=price)))
        return trades, float(np.sum(trades.kwh * fee[keep]))

    @staticmethod
    def _kind(book, trades: Trades, t: int) -> str:
        if book.ask_from_battery[trades.seller[t]]:
            return "p2p_battery"
        return "p2p_storage" if book.bid_to_battery[trades.buyer[t]] else "p2p_pv"

    def _reduce(self, state, book, trades: Trades, result: FlowResult, step: int, ids):
        """One round of limit enforcement: reduce battery sales, then curtail PV exports (and
        the PV trades above what is left), and reduce storage purchases, in proportion to the
        sensitivities of the violated limits. Returns trades, curtailed PV [kWh], unresolved."""
        n, h = state.n, self.params.step_hours
        which, excess = self._excess(result)
        n_lv = len(self.flow.lv_ppc)
        dvm, dload = self.flow.sensitivities(self._q_per_p)
        sens = np.concatenate([dvm, -dvm, dload])[which]
        kinds = np.where(
            which < n_lv,
            "voltage above the band",
            np.where(which < 2 * n_lv, "voltage below the band", "loading limit"),
        )
        reason = str(kinds[np.argmax(excess / np.where(which < 2 * n_lv, 0.01, 1.0))])
        seller = book.ask_owner[trades.seller]
        buyer = book.bid_owner[trades.buyer]
        from_battery = book.ask_from_battery[trades.seller]
        to_battery = book.bid_to_battery[trades.buyer]
        battery_sold = np.bincount(seller, np.where(from_battery, trades.kwh, 0), n)
        pv_sold = np.bincount(seller, np.where(from_battery, 0, trades.kwh), n)
        stored = np.bincount(buyer, np.where(to_battery, trades.kwh, 0), n)
        curtailable = np.minimum(np.maximum(state.residual_kwh, 0), state.pv_kwh)
        up_home = battery_sold + curtailable  # [kWh]
        n_bus = len(self.load_buses)
        to_mw = 1.0 / h / 1000.0
        up, down, unresolved = na.reduction_fractions(
            excess, sens, np.bincount(self.home_load, up_home, n_bus) * to_mw,
            np.bincount(self.home_load, stored, n_bus) * to_mw,
        )  # fmt: skip
        cut_up = up[self.home_load] * up_home  # [kWh] per home
        cut_battery = np.minimum(cut_up, battery_sold)
        curtail = np.minimum(cut_up - cut_battery, curtailable)
        state.pv_kwh -= curtail
        state.residual_kwh -= curtail
        export_left = np.maximum(state.residual_kwh, 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            battery_scale = np.where(battery_sold > 0, 1 - cut_battery / battery_sold, 1.0)
            pv_scale = np.where(pv_sold > export_left, export_left / pv_sold, 1.0)
        scale = np.where(from_battery, battery_scale[seller], pv_scale[seller])
        scale = scale * np.where(to_battery, 1 - down[self.home_load[buyer]], 1.0)
        kwh = trades.kwh * np.clip(scale, 0.0, 1.0)
        for t in np.flatnonzero(kwh < trades.kwh - 1e-12):
            after = float(kwh[t]) if kwh[t] > QTY_EPS else 0.0
            self.reductions.append((step, int(ids[buyer[t]]), int(ids[seller[t]]),
                                    self._kind(book, trades, t), float(trades.kwh[t]), after,
                                    reason))  # fmt: skip
        pv_exported = np.maximum(export_left + curtail - pv_sold, 0)
        for home in np.flatnonzero(curtail > 0):
            after = max(export_left[home] - pv_sold[home], 0.0)
            self.reductions.append((step, 0, int(ids[home]), "pv_export",
                                    float(pv_exported[home]), float(after), reason))  # fmt: skip
        keep = kwh > QTY_EPS
        trades = Trades(*(np.asarray(col)[keep] for col in trades._replace(kwh=kwh)))
        return trades, curtail, bool(unresolved.any())

    # --- figures ------------------------------------------------------------------------------
    def _record(self, result, rounds, fees_eur, n_before, curtailed, unresolved) -> None:
        h = self.params.step_hours
        which, _ = self._excess(result)
        n_lv = len(self.flow.lv_ppc)
        reduced = sum(r[4] - r[5] for r in self.reductions[n_before:] if r[3] != "pv_export")
        self.figures = {
            "grid_v_min_pu": result.vm_min,
            "grid_v_max_pu": result.vm_max,
            "grid_voltage_violation": int(bool((which < 2 * n_lv).any())),
            "grid_max_line_loading_pct": float(result.line_loading.max(initial=0.0)),
            "grid_trafo_loading_pct": float(result.trafo_loading.max(initial=0.0)),
            "grid_overload": int(bool((which >= 2 * n_lv).any())),
            "grid_losses_kwh": result.losses_mw * 1000.0 * h,
            "grid_upstream_kwh": result.upstream_mw * 1000.0 * h,
            "grid_curtailed_kwh": float(curtailed.sum()),
            "grid_reduced_p2p_kwh": float(reduced),
            "grid_distance_fees_eur": fees_eur,
            "grid_unresolved": int(unresolved and bool(which.size)),
            "grid_pf_rounds": rounds,
            "grid_converged": int(result.converged),
            "grid_losses_p2p_kwh": 0.0,
        }

    def reductions_frame(self) -> pd.DataFrame:
        """Every reduction of the run: a trade made smaller (or not made) or PV curtailed."""
        return pd.DataFrame(self.reductions, columns=list(REDUCTION_COLUMNS))

    def trade_losses_frame(self) -> pd.DataFrame:
        """The feeder losses attributed to each P2P trade (``grid_loss_allocation='kwh_km'``;
        empty otherwise)."""
        return pd.DataFrame(self.trade_losses, columns=list(TRADE_LOSS_COLUMNS))

    def kpis(self, steps: pd.DataFrame) -> dict[str, float]:
        """Run-level feeder figures from the per-step frame."""
        return {
            "hours_outside_voltage_band": float(steps["grid_voltage_violation"].sum())
            * self.params.step_hours,
            "hours_overloaded": float(steps["grid_overload"].sum()) * self.params.step_hours,
            "min_voltage_pu": float(steps["grid_v_min_pu"].min()),
            "max_voltage_pu": float(steps["grid_v_max_pu"].max()),
            "peak_line_loading_pct": float(steps["grid_max_line_loading_pct"].max()),
            "peak_trafo_loading_pct": float(steps["grid_trafo_loading_pct"].max()),
            "feeder_losses_kwh": float(steps["grid_losses_kwh"].sum()),
            "feeder_losses_p2p_kwh": float(steps["grid_losses_p2p_kwh"].sum()),
            "curtailed_kwh": float(steps["grid_curtailed_kwh"].sum()),
            "reduced_p2p_kwh": float(steps["grid_reduced_p2p_kwh"].sum()),
            "distance_fees_eur": float(steps["grid_distance_fees_eur"].sum()),
        }
