"""The phases of one community step (docs/hour.md), each a few vectorised operations.

Each phase reads and writes whole columns of :class:`ProsumerState` and returns arrays or a
small record; none reaches into another's internals. ``CommunityModel.step`` calls them in
order. No Python loop runs per prosumer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from agents.battery import deliverable_kwh, discharge_for_sale, headroom_kwh, self_balance
from agents.bidding import BiddingPopulation
from agents.flexible_load import DeferrableLoad
from agents.pricing import PriceContext
from agents.regulator_rules import NO_INCENTIVES, Incentives
from community_model.errors import ParameterError
from community_model.parameters import Parameters
from community_model.sources.base import HourProfile
from community_model.state import BANNED, BUYER, IDLE, SELLER, ProsumerState
from market import MECHANISMS, NEEDS_RNG, QTY_EPS, Trades, settle_local_market
from market.efficiency import max_surplus, realised_surplus

if TYPE_CHECKING:
    from community_model.storage import StorageAssignment

#: Agent id of the aggregator that trades with the grid on the chain and in the trade files.
AGGREGATOR_ID = 0
# Trade kinds and energy sources in the trade log.
P2P, MARKET = 0, 1
KIND_NAMES = ("p2p", "market")
FROM_PV, FROM_BATTERY, FROM_GRID, TO_GRID = 0, 1, 2, 3
SOURCE_NAMES = ("pv", "battery", "grid", "grid")


class OrderBook(NamedTuple):
    """This step's P2P orders. ``*_owner`` are prosumer rows."""

    bid_owner: np.ndarray
    bid_qty: np.ndarray  #: [kWh]
    bid_price: np.ndarray  #: [EUR/kWh]
    bid_to_battery: np.ndarray  #: True for bids that buy energy to store
    ask_owner: np.ndarray
    ask_qty: np.ndarray  #: [kWh]
    ask_price: np.ndarray  #: [EUR/kWh]
    ask_from_battery: np.ndarray  #: True for asks that sell stored energy


class TradeLog(NamedTuple):
    """Trades of one step, P2P first, then grid settlements; ids are agent unique_ids."""

    kind: np.ndarray  #: P2P or MARKET
    source: np.ndarray  #: FROM_PV, FROM_BATTERY, FROM_GRID (import) or TO_GRID (export)
    buyer: np.ndarray
    seller: np.ndarray
    kwh: np.ndarray  #: [kWh]
    price: np.ndarray  #: what the buyer pays [EUR/kWh]
    seller_price: np.ndarray  #: what the seller receives [EUR/kWh]

    @property
    def n(self) -> int:
        return len(self.kwh)


def battery_power_limit_kwh(params: Parameters, homes=None) -> float | np.ndarray | None:
    """Largest energy through a battery's terminals in one step [kWh], None if unlimited.

    ``battery_power_kw`` for every battery, or, with ``battery_c_rate`` [1/h] and ``homes``,
    C-rate x each home's capacity (the smaller of the two when both are set).
    """
    limit = None if params.battery_power_kw is None else params.battery_power_kw
    if params.battery_c_rate is not None and homes is not None:
        per_home = params.battery_c_rate * homes.battery_capacity_kwh
        limit = per_home if limit is None else np.minimum(per_home, limit)
    return None if limit is None else limit * params.step_hours


def price_context(
    forecast: float, params: Parameters, incentives: Incentives = NO_INCENTIVES
) -> PriceContext:
    """Grid reference prices of this step (docs/hour.md) and the regulator's incentives.

    Raises ParameterError when a fixed ``feed_in_tariff`` lies above this step's import price
    (only a user's price file can get here; other sources are checked up front).
    """
    fee = params.local_market_fee
    feed_in = params.feed_in_tariff
    if feed_in is not None and feed_in > forecast + fee:
        raise ParameterError(
            f"feed_in_tariff must not exceed the import price, got {feed_in} above "
            f"forecast + local_market_fee = {forecast + fee:.4f} EUR/kWh in this step"
        )
    return PriceContext(
        forecast=forecast,
        grid_buy=forecast + fee,
        grid_sell=forecast - fee if feed_in is None else feed_in,
        trade_cap=params.trade_cap_kwh,
        buyer_incentive=incentives.buyer_p2p,
        seller_incentive=incentives.seller_p2p,
        storage_incentive=incentives.storage,
    )


# --- 1-2. profiles and self-balance ---------------------------------------------------------
def apply_self_balance(
    state: ProsumerState,
    profile: HourProfile,
    params: Parameters,
    flexible: DeferrableLoad,
    defer: bool,
    storage: StorageAssignment | None = None,
    step: int = 0,
) -> None:
    """Record this step's PV and demand, decide what load is served now (deferrable load,
    see :mod:`agents.flexible_load`) and balance it with each home's own battery.

    Each home's battery follows its storage policy (``storage``, see
    :mod:`community_model.storage`); with every home on ``greedy`` (or no ``storage``) this is
    :func:`agents.battery.self_balance` over all homes, the seed system's rule."""
    cap = state.homes.battery_capacity_kwh
    limit = battery_power_limit_kwh(params, state.homes)
    can_deliver = deliverable_kwh(state.stored_kwh, cap, params.soc_min, params.battery_efficiency)
    if limit is not None:
        can_deliver = np.minimum(can_deliver, limit)
    # A home that left the community (agent.remove()) has neither PV nor load in it.
    active = state.active
    state.in_community[:] = active
    pv, demand = (profile.pv_kwh, profile.load_kwh) if active.all() else (
        np.where(active, profile.pv_kwh, 0.0), np.where(active, profile.load_kwh, 0.0)
    )  # fmt: skip
    state.pv_kwh[:] = pv
    state.demand_kwh[:] = demand
    state.load_kwh[:] = flexible.schedule(
        demand, params.flexible_load_share, pv + can_deliver, defer
    )
    state.deferred_kwh[:] = flexible.backlog_kwh
    if storage is None or storage.all_greedy:
        flows = self_balance(
            state.pv_kwh - state.load_kwh,
            state.stored_kwh,
            cap,
            soc_min=params.soc_min,
            soc_max=params.soc_max,
            efficiency=params.battery_efficiency,
            power_limit_kwh=limit,
        )
    else:
        flows = storage.balance(step, state, profile.price_forecast)
    state.charge_kwh[:] = flows.charge_kwh
    state.discharge_kwh[:] = flows.discharge_kwh
    state.loss_kwh[:] = flows.loss_kwh
    state.stored_kwh[:] = flows.stored_kwh
    state.residual_kwh[:] = state.pv_kwh - state.load_kwh - flows.charge_kwh + flows.discharge_kwh


# --- 3. offers ------------------------------------------------------------------------------
def make_offers(
    state: ProsumerState,
    ctx: PriceContext,
    bidding: BiddingPopulation,
    rng: np.random.Generator,
    params: Parameters,
) -> OrderBook:
    """Turn each residual outside the dead band into one bid or ask, capped at the trade cap,
    priced by each home's bidding strategy (:mod:`agents.bidding`).

    Banned prosumers make no offer. Draws bid prices first, then ask prices. Every price a
    strategy makes (a researcher's own too) is kept in the range a trader can be willing to
    pay or accept: asks at most grid_buy, bids at least grid_sell, incentives widening the
    other end (:meth:`PriceContext.bids_in_range`, :meth:`PriceContext.asks_in_range`);
    :func:`clear_p2p` keeps the trade prices in the band [grid_sell, grid_buy].
    """
    residual, banned = state.residual_kwh, state.banned
    # (a home outside the community has no residual: no PV, load or battery flows in it)
    buyers = np.flatnonzero((residual < -params.dead_band_kwh) & ~banned)
    sellers = np.flatnonzero((residual > params.dead_band_kwh) & ~banned)
    bid_qty = np.minimum(-residual[buyers], params.trade_cap_kwh)
    ask_qty = np.minimum(residual[sellers], params.trade_cap_kwh)
    bid_price = ctx.bids_in_range(bidding.price("buyer_bids", ctx, bid_qty, buyers, rng))
    ask_price = ctx.asks_in_range(bidding.price("seller_asks", ctx, ask_qty, sellers, rng))

    state.role[banned] = BANNED
    state.role[buyers] = BUYER
    state.role[sellers] = SELLER
    state.offer_kwh[buyers], state.offer_price[buyers] = bid_qty, bid_price
    state.offer_kwh[sellers], state.offer_price[sellers] = ask_qty, ask_price
    return OrderBook(
        bid_owner=buyers,
        bid_qty=bid_qty,
        bid_price=bid_price,
        bid_to_battery=np.zeros(len(buyers), dtype=bool),
        ask_owner=sellers,
        ask_qty=ask_qty,
        ask_price=ask_price,
        ask_from_battery=np.zeros(len(sellers), dtype=bool),
    )


# --- 4. battery offers on a shortfall -------------------------------------------------------
def sharing_fraction(base_fraction: float, ctx: PriceContext) -> float:
    """Share of deliverable stored energy a battery owner offers [-].

    ``battery_offer_fraction`` without incentives. A regulator's reward for selling P2P
    rather than using the grid (``ctx.seller_incentive``) raises it toward 1 in proportion to
    the incentive relative to the grid spread: stored energy sold to a neighbour is then worth
    more than keeping it as a reserve.
    """
    if ctx.seller_incentive <= 0 or ctx.spread <= 0:
        return base_fraction
    return base_fraction + (1.0 - base_fraction) * min(1.0, ctx.seller_incentive / ctx.spread)


def add_battery_offers(
    state: ProsumerState,
    book: OrderBook,
    ctx: PriceContext,
    bidding: BiddingPopulation,
    rng: np.random.Generator,
    params: Parameters,
) -> OrderBook:
    """When bids exceed asks by more than ``imbalance_threshold``, stored energy is offered.

    Prosumers with a battery that are neither banned nor buying, taken by stored energy
    (largest first, ties by row), each offer up to :func:`sharing_fraction` of what their
    battery can deliver (after losses, within the trade cap and the power limit) until the
    shortfall is covered. Homes that withhold their battery (``withholding_share``) decline
    what the call asks of them (``state.withheld_kwh``, which the regulator's
    "withheld_storage" rule reads) and the next homes are asked instead. Draws one ask price
    per battery offer.
    """
    shortfall = book.bid_qty.sum() - book.ask_qty.sum()
    if shortfall <= params.imbalance_threshold_kwh:
        return book
    cap = state.homes.battery_capacity_kwh
    candidates = (cap > 0) & ~state.banned & (state.role != BUYER) & state.active
    available = sharing_fraction(params.battery_offer_fraction, ctx) * deliverable_kwh(
        state.stored_kwh, cap, params.soc_min, params.battery_efficiency
    )
    available = np.minimum(available, params.trade_cap_kwh)
    limit = battery_power_limit_kwh(params, state.homes)
    if limit is not None:
        available = np.minimum(available, limit - state.charge_kwh - state.discharge_kwh)
    candidates &= available > QTY_EPS
    rows = np.flatnonzero(candidates)
    rows = rows[np.argsort(-state.stored_kwh[rows], kind="stable")]
    withholds = state.homes.withholds[rows]
    if withholds.any():
        # The call goes to every candidate in this order; a withholding home declines what
        # it is asked for (recorded for the regulator) and the homes after it fill in.
        asked = _called_kwh(available[rows], shortfall)
        state.withheld_kwh[rows[withholds]] = asked[withholds]
        rows = rows[~withholds]
    qty = _called_kwh(available[rows], shortfall)
    keep = qty > QTY_EPS
    rows, qty = rows[keep], qty[keep]
    price = ctx.asks_in_range(bidding.price("battery_asks", ctx, qty, rows, rng))

    state.battery_offer_kwh[rows], state.battery_offer_price[rows] = qty, price
    state.role[rows] = SELLER
    return book._replace(
        ask_owner=np.concatenate([book.ask_owner, rows]),
        ask_qty=np.concatenate([book.ask_qty, qty]),
        ask_price=np.concatenate([book.ask_price, price]),
        ask_from_battery=np.concatenate([book.ask_from_battery, np.ones(len(rows), bool)]),
    )


def _called_kwh(available: np.ndarray, shortfall: float) -> np.ndarray:
    """What a shortfall call asks of each home, in order: all it has available until the
    shortfall is covered [kWh]."""
    offered_before = np.cumsum(available) - available
    return np.minimum(available, np.maximum(shortfall - offered_before, 0.0))


def add_storage_bids(state: ProsumerState, book: OrderBook, ctx: PriceContext, params: Parameters):
    """Community storage: when the regulator rewards P2P purchases (``storage_incentive``),
    battery owners with room left bid for neighbours' surplus that would otherwise go to the
    grid.

    Idle, unbanned homes with a battery that is not discharging this step bid for what
    their battery can still take (before losses, within the trade cap and the power limit)
    at ``grid_sell * 1.01 +
    storage_incentive``: the stored energy is worth what its owner would otherwise get for its
    own PV at the grid, plus the bonus. No random draw. Without the incentive, storing a
    neighbour's energy only displaces the owner's own PV later, so nobody bids.
    """
    if ctx.storage_incentive <= 0 or len(book.ask_qty) == 0:
        return book
    cap = state.homes.battery_capacity_kwh
    room = headroom_kwh(state.stored_kwh, cap, params.soc_max) / params.battery_efficiency
    room = np.minimum(room, params.trade_cap_kwh)
    limit = battery_power_limit_kwh(params, state.homes)
    if limit is not None:
        room = np.minimum(room, limit - state.charge_kwh - state.discharge_kwh)
    # a battery discharging for its own home this step does not also charge
    idle = (state.role == IDLE) & (state.discharge_kwh <= QTY_EPS)
    rows = np.flatnonzero((cap > 0) & idle & (room > QTY_EPS) & state.active)
    qty = room[rows]
    price = ctx.bids_in_range(
        np.full(len(rows), min(ctx.grid_sell * 1.01 + ctx.storage_incentive, ctx.grid_buy * 0.99))
    )
    state.storage_bid_kwh[rows] = qty
    state.storage_bid_price[rows] = price
    state.role[rows] = BUYER
    return book._replace(
        bid_owner=np.concatenate([book.bid_owner, rows]),
        bid_qty=np.concatenate([book.bid_qty, qty]),
        bid_price=np.concatenate([book.bid_price, price]),
        bid_to_battery=np.concatenate([book.bid_to_battery, np.ones(len(rows), bool)]),
    )


# --- 5. P2P clearing ------------------------------------------------------------------------
def clear_p2p(
    book: OrderBook,
    params: Parameters,
    ctx: PriceContext | None = None,
    rng: np.random.Generator | None = None,
) -> Trades:
    """Clear the book with the mechanism ``params.clearing_mechanism`` names.

    With ``ctx``, the trade prices are kept in the step's grid band [grid_sell, grid_buy]
    (:meth:`PriceContext.in_band`), whatever the mechanism (one added later included):
    incentives let a bid lie above grid_buy, and a mechanism pricing between bid and ask
    could then trade above it. Clipping keeps every trade within its bid and ask (bids are
    at least grid_sell, asks at most grid_buy, see :func:`make_offers`); the invariants
    check the band (:class:`~community_model.invariants.InvariantChecker`).

    ``trade_reduction`` gets McAfee's bounded dummy traders at the hour's grid band (nobody
    sells below the export price ``ctx.grid_sell`` or buys above the import price
    ``ctx.grid_buy``), widened to the book's own prices should an order lie outside it; ``cda``
    draws its arrival order from ``rng`` (the model's generator: same seed, same trades).
    """
    name = params.clearing_mechanism
    options: dict = {}
    if name == "uniform":
        options["k"] = params.uniform_k
    elif name == "trade_reduction" and ctx is not None:
        options["price_floor"] = float(min(ctx.grid_sell, book.bid_price.min(initial=np.inf)))
        options["price_cap"] = float(max(ctx.grid_buy, book.ask_price.max(initial=-np.inf)))
    if name in NEEDS_RNG:
        options["rng"] = rng
    trades = MECHANISMS[name](book.bid_price, book.bid_qty, book.ask_price, book.ask_qty, **options)
    if ctx is None:
        return trades
    return trades._replace(
        buyer_price=ctx.in_band(trades.buyer_price), seller_price=ctx.in_band(trades.seller_price)
    )


def order_valuations(book: OrderBook, ctx: PriceContext) -> tuple[np.ndarray, np.ndarray]:
    """What each order's kWh is truly worth to its trader [EUR/kWh]: (bids, asks).

    A buyer's alternative to a P2P kWh is importing it at ``grid_buy``, and the regulator's
    P2P incentive (``buyer_incentive``) adds to what the P2P kWh is worth; a seller's
    alternative is exporting at ``grid_sell``, less its incentive (``seller_incentive``). A bid
    to store energy in a battery is worth its stated price (the value of the stored kWh later
    is the storage rule's own estimate). These valuations, not the prices the strategies bid,
    measure the gains from trade (:func:`market.efficiency.allocative_efficiency`).
    """
    bid_value = np.where(book.bid_to_battery, book.bid_price, ctx.grid_buy + ctx.buyer_incentive)
    ask_value = np.full(len(book.ask_qty), ctx.grid_sell - ctx.seller_incentive)
    return bid_value, ask_value


def p2p_surplus(book: OrderBook, trades: Trades, ctx: PriceContext) -> tuple[float, float]:
    """(Realised, largest possible) gains from P2P trade this step at true valuations [EUR]."""
    bid_value, ask_value = order_valuations(book, ctx)
    realised = realised_surplus(bid_value, ask_value, trades)
    return realised, max_surplus(bid_value, book.bid_qty, ask_value, book.ask_qty)


def apply_p2p_trades(
    state: ProsumerState,
    book: OrderBook,
    trades: Trades,
    prosumer_ids: np.ndarray,
    params: Parameters,
) -> TradeLog:
    """Book the trades on both sides: energy, money, counts, battery charge and discharge."""
    n = state.n
    buyer = book.bid_owner[trades.buyer]
    seller = book.ask_owner[trades.seller]
    from_battery = book.ask_from_battery[trades.seller]
    to_battery = book.bid_to_battery[trades.buyer]
    kwh = trades.kwh
    eff = params.battery_efficiency

    state.p2p_bought_kwh[:] = np.bincount(buyer, kwh, n)
    state.p2p_paid_eur[:] = np.bincount(buyer, kwh * trades.buyer_price, n)
    state.p2p_sold_kwh[:] = np.bincount(seller, kwh, n)
    state.p2p_received_eur[:] = np.bincount(seller, kwh * trades.seller_price, n)
    state.p2p_sold_battery_kwh[:] = np.bincount(seller, np.where(from_battery, kwh, 0.0), n)
    state.p2p_trades[:] = np.bincount(buyer, minlength=n) + np.bincount(seller, minlength=n)

    state.p2p_bought_battery_kwh[:] = np.bincount(buyer, np.where(to_battery, kwh, 0.0), n)

    # A home that charged its battery from its own PV this step and sells stored energy
    # sells that PV first: the charge is undone (no round-trip losses, never charge and
    # discharge in one step); only the rest leaves the battery, with the losses of any
    # discharge. Energy bought to store enters it with the same losses as any charge.
    sold, stored_in = state.p2p_sold_battery_kwh, state.p2p_bought_battery_kwh
    uncharged = np.minimum(sold, state.charge_kwh)
    state.charge_kwh -= uncharged
    state.loss_kwh -= uncharged * (1.0 - eff)
    from_store = sold - uncharged
    stored, loss = discharge_for_sale(from_store, state.stored_kwh - uncharged * eff, eff)
    state.stored_kwh[:] = stored + stored_in * eff
    state.discharge_kwh += from_store
    state.charge_kwh += stored_in
    state.loss_kwh += loss + stored_in * (1.0 - eff)
    return TradeLog(
        kind=np.full(len(kwh), P2P, dtype=np.int8),
        source=np.where(from_battery, FROM_BATTERY, FROM_PV).astype(np.int8),
        buyer=prosumer_ids[buyer],
        seller=prosumer_ids[seller],
        kwh=kwh,
        price=trades.buyer_price,
        seller_price=trades.seller_price,
    )


# --- 6. local market ------------------------------------------------------------------------
def settle_with_grid(
    state: ProsumerState, forecast: float, params: Parameters, prosumer_ids: np.ndarray
) -> TradeLog:
    """Settle every remaining imbalance with the aggregator at grid prices.

    This covers what was above the trade cap or inside the dead band, what P2P did not
    match, and the imbalance of banned prosumers.
    """
    pv_sold = state.p2p_sold_kwh - state.p2p_sold_battery_kwh
    bought_for_use = state.p2p_bought_kwh - state.p2p_bought_battery_kwh
    net = state.residual_kwh - pv_sold + bought_for_use
    grid = settle_local_market(
        net, forecast, params.local_market_fee, params.fee_mode, params.feed_in_tariff
    )
    state.grid_import_kwh[:] = grid.import_kwh
    state.grid_export_kwh[:] = grid.export_kwh
    state.grid_cost_eur[:] = grid.cost
    imports = np.flatnonzero(grid.import_kwh > 0)
    exports = np.flatnonzero(grid.export_kwh > 0)
    state.market_trades[imports] += 1
    state.market_trades[exports] += 1

    n_imp = len(imports)
    rows = np.concatenate((imports, exports))
    home = prosumer_ids[rows]
    buyer, seller = home.copy(), home  # importers buy from the aggregator, exporters sell to it
    buyer[n_imp:] = AGGREGATOR_ID
    seller[:n_imp] = AGGREGATOR_ID
    source = np.full(len(rows), TO_GRID, dtype=np.int8)
    source[:n_imp] = FROM_GRID
    price = np.concatenate((grid.import_price[imports], grid.export_price[exports]))
    return TradeLog(
        kind=np.full(len(rows), MARKET, dtype=np.int8),
        source=source,
        buyer=buyer,
        seller=seller,
        kwh=np.concatenate((grid.import_kwh[imports], grid.export_kwh[exports])),
        price=price,
        seller_price=price.copy(),
    )


# --- the counterfactual of savings_eur --------------------------------------------------------
def no_p2p_cost(
    state: ProsumerState, shadow_stored_kwh: np.ndarray, forecast: float, params: Parameters
) -> np.ndarray:
    """What each home would have paid this step without P2P trading [EUR] (its stand-alone
    cost; the community's is the sum).

    The counterfactual of ``savings_eur``: the same homes, PV and served load, but each
    battery only balances its own home and every residual is settled with the grid, as in
    the ``grid_battery`` scenario of :mod:`community_model.experiments.economics`. The
    counterfactual batteries are tracked in ``shadow_stored_kwh`` [kWh] (updated in place)
    from the run's start, so energy a battery sold to a neighbour is missing from its
    owner's later hours as it would be in a run without P2P. (An hourly counterfactual from
    the real batteries would count that energy as free.)
    """
    flows = self_balance(
        state.pv_kwh - state.load_kwh,
        shadow_stored_kwh,
        state.homes.battery_capacity_kwh,
        soc_min=params.soc_min,
        soc_max=params.soc_max,
        efficiency=params.battery_efficiency,
        power_limit_kwh=battery_power_limit_kwh(params, state.homes),
    )
    shadow_stored_kwh[:] = flows.stored_kwh
    residual = state.pv_kwh - state.load_kwh - flows.charge_kwh + flows.discharge_kwh
    grid = settle_local_market(
        residual, forecast, params.local_market_fee, params.fee_mode, params.feed_in_tariff
    )
    return grid.cost


def concat_logs(*logs: TradeLog) -> TradeLog:
    return TradeLog(*(np.concatenate(cols) for cols in zip(*logs, strict=True)))
