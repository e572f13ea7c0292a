"""The invariants (docs/invariants.md), checked on the state after a step.

Tests call :meth:`InvariantChecker.check` after every step of every run; the command line
does too with ``--check-invariants``. A violation raises :class:`InvariantError` naming the
step, the invariant, the worst prosumer and the size of the error.
"""

from __future__ import annotations

import numpy as np

from community_model.hour import FROM_BATTERY, battery_power_limit_kwh
from community_model.state import BANNED, ProsumerState
from community_model.trades import trade_ids

TOL = 1e-9  #: tolerance on energy [kWh] and money [EUR] per prosumer per step
#: and a relative one: rounding grows with the numbers compared (about 1e-16 of them per
#: operation), so 17,000,000 kWh charged in an hour at battery_efficiency 1e-6 misses by 2e-9
REL_TOL = 1e-12


def _within(error: np.ndarray, *scales: np.ndarray) -> np.ndarray:
    """|error| <= TOL + REL_TOL * (the sum of the magnitudes that made it)."""
    return np.abs(error) <= TOL + REL_TOL * sum(np.abs(x) for x in scales)


class InvariantError(AssertionError):
    """An invariant (docs/invariants.md) does not hold."""


def _require(ok: np.ndarray | bool, step: int, what: str, error: np.ndarray | None = None):
    if np.all(ok):
        return
    detail = ""
    if error is not None:
        worst = int(np.argmax(np.abs(error)))
        detail = f" (worst row {worst}: {error[worst]:.3g})"
    raise InvariantError(f"step {step}: {what}{detail}")


class InvariantChecker:
    """Checks a model's state step after step; remembers the previous step's stored energy
    and balances to check that the changes are explained by this step's flows."""

    def __init__(self, model):
        self.model = model
        self.prev_stored = model.state.stored_kwh.copy()
        self.prev_balance = model.state.balance_eur.copy()
        self.demand_total = np.zeros(model.state.n)  # flexible load: demand = served + waiting
        self.served_total = np.zeros(model.state.n)
        self.chain_blocks_seen = len(model.blockchain.blocks) if model.blockchain else 0
        self.steps_checked = 0

    def check(self) -> None:
        m, s, p = self.model, self.model.state, self.model.params
        step = m.step_index
        eff, cap = p.battery_efficiency, s.homes.battery_capacity_kwh

        flows = [
            s.pv_kwh,
            s.load_kwh,
            s.charge_kwh,
            s.discharge_kwh,
            s.loss_kwh,
            s.p2p_bought_kwh,
            s.p2p_sold_kwh,
            s.grid_import_kwh,
            s.grid_export_kwh,
            s.bonus_eur,
            s.penalty_eur,
        ]
        _require(all((f >= 0).all() for f in flows), step, "a negative quantity")
        outside = ~s.in_community  # homes that left or have not joined: nothing moves
        _require(
            all((f[outside] == 0).all() for f in flows[:9]) and (s.offer_kwh[outside] == 0).all()
            and (s.battery_offer_kwh[outside] == 0).all(),
            step,
            "a home outside the community had energy flows, offers or trades in it",
        )  # fmt: skip

        energy_in = s.pv_kwh + s.discharge_kwh + s.p2p_bought_kwh + s.grid_import_kwh
        energy_out = s.load_kwh + s.charge_kwh + s.p2p_sold_kwh + s.grid_export_kwh
        _require(
            _within(energy_in - energy_out, energy_in, energy_out),
            step,
            "energy does not balance",
            energy_in - energy_out,
        )

        self.demand_total += s.demand_kwh
        self.served_total += s.load_kwh
        dropped = m.flexible_load.dropped_kwh  # left with homes that left the community
        unserved = self.demand_total - self.served_total - s.deferred_kwh - dropped
        _require(
            np.abs(unserved) <= TOL * max(1, self.steps_checked),
            step,
            "demand lost or invented by deferral",
            unserved,
        )
        _require(s.deferred_kwh >= -TOL, step, "negative deferred demand")

        stored_change = s.stored_kwh - self.prev_stored
        withdrawn = s.discharge_kwh / eff  # taken from the stored energy [kWh]
        battery_error = stored_change - (s.charge_kwh * eff - withdrawn)
        _require(
            _within(battery_error, s.stored_kwh, self.prev_stored, withdrawn),
            step,
            "stored energy change is not charge*eff - discharge/eff",
            battery_error,
        )
        expected_loss = s.charge_kwh - s.charge_kwh * eff + withdrawn - s.discharge_kwh
        loss_error = s.loss_kwh - expected_loss
        _require(
            _within(loss_error, s.charge_kwh, withdrawn),
            step,
            "battery losses misaccounted",
            loss_error,
        )

        _require(
            ~((s.charge_kwh > TOL) & (s.discharge_kwh > TOL)),
            step,
            "a battery charged and discharged in the same step",
        )
        limit = battery_power_limit_kwh(p, s.homes)
        if limit is not None:  # battery_power_kw and/or battery_c_rate, through the terminals
            through = np.maximum(s.charge_kwh, s.discharge_kwh)
            _require(
                through <= limit + TOL, step, "a battery exceeded its power limit", through - limit
            )
        has = cap > 0
        _require(s.stored_kwh[has] >= p.soc_min * cap[has] - TOL, step, "SOC below soc_min")
        _require(s.stored_kwh[has] <= p.soc_max * cap[has] + TOL, step, "SOC above soc_max")
        _require(s.stored_kwh[~has] == 0, step, "a home without battery stores energy")
        _require(
            s.p2p_sold_battery_kwh <= s.battery_offer_kwh + TOL,
            step,
            "sold more stored energy than offered",
        )
        _require(
            s.p2p_bought_battery_kwh <= s.storage_bid_kwh + TOL,
            step,
            "bought more to store than bid for",
        )
        _require(
            s.p2p_bought_kwh - s.p2p_bought_battery_kwh <= s.offer_kwh + TOL,
            step,
            "bought more than bid for",
        )
        _require(
            (s.p2p_sold_kwh - s.p2p_sold_battery_kwh) <= s.offer_kwh + TOL,
            step,
            "sold more PV than offered",
        )

        self._check_trades(step, s)
        self._check_feeder(step, s)
        self._check_chain(step)
        self._check_money(step, s)
        self.prev_stored = s.stored_kwh.copy()
        self.prev_balance = s.balance_eur.copy()
        self.steps_checked += 1

    def _check_trades(self, step: int, s: ProsumerState) -> None:
        log = self.model.last_trades
        p2p = log.kind == 0
        ids = self.model.prosumer_ids
        banned_ids = ids[s.role == BANNED]  # banned during this step's market
        traders = np.concatenate([log.buyer[p2p], log.seller[p2p]])
        _require(~np.isin(traders, banned_ids), step, "a banned prosumer traded P2P")
        _require(log.kwh > 0, step, "a trade of no energy")
        # No P2P trade above its bid or below its ask (each home has one bid at most; a seller
        # may have a PV ask and a battery ask, told apart by the trade's source).
        buyer_row = np.searchsorted(ids, log.buyer[p2p])
        seller_row = np.searchsorted(ids, log.seller[p2p])
        bid = np.maximum(s.offer_price, s.storage_bid_price)[buyer_row]
        from_battery = log.source[p2p] == FROM_BATTERY
        ask = np.where(from_battery, s.battery_offer_price[seller_row], s.offer_price[seller_row])
        _require(log.price[p2p] <= bid + 1e-12, step, "a trade above its bid")
        _require(log.seller_price[p2p] >= ask - 1e-12, step, "a trade below its ask")
        # Every P2P price within the step's grid band [what the grid pays, what it charges].
        ctx = self.model.price_context
        low, high = min(ctx.grid_sell, ctx.grid_buy), ctx.grid_buy
        for side, prices in (("buyer", log.price[p2p]), ("seller", log.seller_price[p2p])):
            _require(
                (prices >= low - 1e-12) & (prices <= high + 1e-12),
                step,
                f"a P2P {side} price outside the grid band [{low:.4f}, {high:.4f}] EUR/kWh",
                np.where(prices > high, prices - high, np.minimum(prices - low, 0.0)),
            )
        # P2P money: what buyers paid equals what sellers received plus the operator's share.
        paid, received = s.p2p_paid_eur.sum(), s.p2p_received_eur.sum()
        surplus = float(np.sum(log.kwh[p2p] * (log.price[p2p] - log.seller_price[p2p])))
        _require(
            abs(paid - received - surplus) <= TOL * max(1, len(log.kwh)),
            step,
            "P2P payments do not equal receipts",
        )

    def _check_feeder(self, step: int, s: ProsumerState) -> None:
        """With a feeder: what the transformer draws from upstream is the homes' net import
        plus the feeder's losses (the AC power flow's own balance), and curtailment only takes
        PV that was there."""
        feeder = self.model.feeder
        if feeder is None or not feeder.figures["grid_converged"]:
            return
        f = feeder.figures
        net_import = s.grid_import_kwh.sum() - s.grid_export_kwh.sum()
        error = f["grid_upstream_kwh"] - net_import - f["grid_losses_kwh"]
        _require(abs(error) <= 1e-6 * (1 + s.n), step, f"feeder energy off by {error:.3g} kWh")
        # Losses are sum(V * conj(Ybus V)) over every bus: with almost no flow on a large
        # feeder (ieee_european_lv, ~900 buses) its rounding reaches -5e-9 kWh, so the same
        # tolerance as the balance above, not 1e-9 (found by a random parameter search).
        _require(f["grid_losses_kwh"] >= -1e-6 * (1 + s.n), step, "negative feeder losses")
        p2p_losses = f["grid_losses_p2p_kwh"]  # attributed to trades: a part of the losses
        _require(
            -1e-12 <= p2p_losses <= max(f["grid_losses_kwh"], 0.0) + 1e-9,
            step,
            f"losses attributed to P2P trades {p2p_losses:.3g} kWh outside [0, feeder losses]",
        )
        _require(s.curtailed_kwh >= 0, step, "negative curtailment")

    def _check_chain(self, step: int) -> None:
        """This step's new blocks hold exactly this step's trades, in order, once each."""
        chain = self.model.blockchain
        if chain is None:
            return
        new_blocks = chain.blocks[self.chain_blocks_seen :]
        on_chain = [tx.tx_id for block in new_blocks for tx in block.transactions]
        _require(
            on_chain == trade_ids(step, self.model.last_trades),
            step,
            "the step's trades are not on the chain exactly once",
        )
        self.chain_blocks_seen = len(chain.blocks)

    def _check_money(self, step: int, s: ProsumerState) -> None:
        change = s.balance_eur - self.prev_balance
        explained = (
            s.p2p_received_eur - s.p2p_paid_eur - s.grid_cost_eur + s.bonus_eur - s.penalty_eur
        )
        _require(
            _within(
                change - explained,
                s.balance_eur,
                self.prev_balance,
                s.p2p_received_eur,
                s.p2p_paid_eur,
                s.grid_cost_eur,
                s.bonus_eur,
                s.penalty_eur,
            ),
            step,
            "balance change not explained by trades and regulator",
            change - explained,
        )


def run_checked(model, steps: int) -> InvariantChecker:
    """Run ``steps`` steps, checking every invariant after each one."""
    checker = InvariantChecker(model)
    for _ in range(steps):
        model.step()
        checker.check()
    return checker
