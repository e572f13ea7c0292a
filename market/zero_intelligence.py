"""Gode & Sunder's (1993) zero-intelligence traders in a continuous double auction.

A trading period (:func:`trading_period`) follows their protocol: traders hold units with
a redemption value (buyers) or a cost (sellers), traded in a fixed order, one unit per
order. Again and again a trader with units left is picked at random and submits a random
single-unit order, which replaces its previous one. An arriving order that crosses the
best standing order on the other side trades with it at the standing order's price (the
matching rule of :func:`market.cda.clear_cda`); a transaction clears the book, every
standing order lapses and traders submit new ones.

- ZI-C (budget constrained): a buyer bids uniformly in [price_floor, value of its next
  unit], a seller asks uniformly in [cost of its next unit, price_cap]: nobody trades at
  a loss.
- ZI-U (unconstrained): bids and asks uniform over the whole [price_floor, price_cap].

Efficiency is :func:`market.efficiency.allocative_efficiency` over the units: realised
surplus sum(value - cost) of the traded units over the largest possible. Gode & Sunder
report ZI-C markets at 97-100 % (mean about 99 %) and ZI-U markets well below (about
48-90 % across their five markets).

Setting: Gode & Sunder's own redemption values and costs (their markets 1-5, drawn in
their figures) could not be found while this was written. :data:`SYMMETRIC_BUYER_VALUES`
and :data:`SYMMETRIC_SELLER_COSTS` are a constructed setting of the same size and price
range (6 buyers and 6 sellers of 3 units each, prices 1..200), not theirs.

References
----------
.. [1] D. K. Gode and S. Sunder, "Allocative efficiency of markets with zero-intelligence
   traders: market as a partial substitute for individual rationality", Journal of
   Political Economy 101(1):119-137, 1993.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .cda import check_rng
from .efficiency import allocative_efficiency
from .trades import Trades

#: Constructed setting (not Gode & Sunder's numbers): buyer b's units are worth
#: 195 - 10 b, 135 - 10 b, 75 - 10 b, so demand falls from 195 to 25 in steps of 10.
SYMMETRIC_BUYER_VALUES = np.array(
    [[195.0 - 10 * b, 135.0 - 10 * b, 75.0 - 10 * b] for b in range(6)]
)
#: Seller s's units cost 5 + 8 s, 53 + 8 s, 101 + 8 s: supply rises from 5 to 141 in steps
#: of 8. Demand and supply cross after 11 of the 18 units (value 95 >= cost 85, then
#: 85 < 93); the largest surplus is 1,100.
SYMMETRIC_SELLER_COSTS = np.array([[5.0 + 8 * s, 53.0 + 8 * s, 101.0 + 8 * s] for s in range(6)])


def _check_units(name: str, units: ArrayLike) -> np.ndarray:
    array = np.asarray(units, dtype=np.float64)
    if array.ndim != 2 or array.size == 0:
        raise ValueError(f"{name} must be 2-D (traders x units) and not empty, got {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite")
    return array


def trading_period(
    buyer_values: ArrayLike,
    seller_costs: ArrayLike,
    rng: np.random.Generator,
    *,
    constrained: bool = True,
    price_floor: float = 1.0,
    price_cap: float = 200.0,
    n_orders: int = 3000,
) -> Trades:
    """One Gode & Sunder trading period with zero-intelligence traders.

    Parameters
    ----------
    buyer_values : array_like, 2-D (buyers x units)
        Redemption value of each buyer's units, in the order it trades them [price units].
    seller_costs : array_like, 2-D (sellers x units)
        Cost of each seller's units, in the order it trades them [price units].
    rng : numpy.random.Generator
        Picks the traders and draws their prices.
    constrained : bool, default True
        ZI-C (never bid above value, never ask below cost) or ZI-U (anywhere in the range).
    price_floor, price_cap : float, default 1 and 200
        Range of prices (Gode & Sunder's 1..200); every value and cost must lie inside.
    n_orders : int, default 3000
        Orders submitted in the period (Gode & Sunder ran a fixed time; with 12 traders
        ZI-C markets have exhausted their profitable trades long before 3,000 orders).

    Returns
    -------
    Trades
        One unit each (``kwh == 1``), ``buyer`` indexing ``buyer_values.ravel()`` (buyer b's
        unit u is b * units + u), ``seller`` likewise ``seller_costs.ravel()``;
        ``buyer_price == seller_price`` the standing order's price.

    Raises
    ------
    ValueError
        Naming the argument: values or costs not 2-D and finite, or outside
        [price_floor, price_cap]; ``rng`` not a Generator; ``n_orders`` < 0.
    """
    values = _check_units("buyer_values", buyer_values)
    costs = _check_units("seller_costs", seller_costs)
    rng = check_rng(rng)
    if not price_floor < price_cap:
        raise ValueError(f"price_cap must be above price_floor ({price_floor}), got {price_cap}")
    if values.min() < price_floor or values.max() > price_cap:
        raise ValueError(f"buyer_values must lie in [{price_floor}, {price_cap}]")
    if costs.min() < price_floor or costs.max() > price_cap:
        raise ValueError(f"seller_costs must lie in [{price_floor}, {price_cap}]")
    if n_orders < 0:
        raise ValueError(f"n_orders must be >= 0, got {n_orders}")

    n_buyers, n_buyer_units = values.shape
    n_sellers, n_seller_units = costs.shape
    value_list, cost_list = values.tolist(), costs.tolist()
    next_unit = [0] * (n_buyers + n_sellers)  # traders 0.. n_buyers - 1 buy, then sellers
    active = list(range(n_buyers + n_sellers))
    standing_bids: dict[int, float] = {}
    standing_asks: dict[int, float] = {}
    buyers, sellers, prices = [], [], []
    draws = rng.random((n_orders, 2)).tolist()
    for pick, price_draw in draws:
        if not active:
            break
        trader = active[int(pick * len(active))]
        is_buyer = trader < n_buyers
        if is_buyer:
            low = price_floor
            high = value_list[trader][next_unit[trader]] if constrained else price_cap
        else:
            low = cost_list[trader - n_buyers][next_unit[trader]] if constrained else price_floor
            high = price_cap
        price = low + (high - low) * price_draw
        # The new order replaces the trader's old one, then meets the best standing order
        # on the other side; it trades at that order's price if they cross, else it stands.
        if is_buyer:
            standing_bids.pop(trader, None)
            seller = min(standing_asks, key=standing_asks.__getitem__, default=None)
            if seller is None or standing_asks[seller] > price:
                standing_bids[trader] = price
                continue
            buyer, trade_price = trader, standing_asks[seller]
        else:
            standing_asks.pop(trader, None)
            buyer = max(standing_bids, key=standing_bids.__getitem__, default=None)
            if buyer is None or standing_bids[buyer] < price:
                standing_asks[trader] = price
                continue
            seller, trade_price = trader, standing_bids[buyer]
        buyers.append(buyer * n_buyer_units + next_unit[buyer])
        sellers.append((seller - n_buyers) * n_seller_units + next_unit[seller])
        prices.append(trade_price)
        for who, units in ((buyer, n_buyer_units), (seller, n_seller_units)):
            next_unit[who] += 1
            if next_unit[who] == units:
                active.remove(who)
        standing_bids.clear()  # a transaction clears the book
        standing_asks.clear()
    if not prices:
        return Trades.empty()
    price_array = np.array(prices, dtype=np.float64)
    return Trades(
        np.array(buyers, dtype=np.int64),
        np.array(sellers, dtype=np.int64),
        np.ones(len(prices)),
        price_array,
        price_array.copy(),
    )


def period_efficiency(buyer_values: ArrayLike, seller_costs: ArrayLike, trades: Trades) -> float:
    """Allocative efficiency of a :func:`trading_period` over its units [-]."""
    values = np.asarray(buyer_values, dtype=np.float64).ravel()
    costs = np.asarray(seller_costs, dtype=np.float64).ravel()
    return allocative_efficiency(values, np.ones(values.size), costs, np.ones(costs.size), trades)


def replicate(
    buyer_values: ArrayLike,
    seller_costs: ArrayLike,
    seeds: ArrayLike,
    *,
    constrained: bool = True,
    n_periods: int = 6,
    **period_options: float,
) -> np.ndarray:
    """Efficiency of ``n_periods`` trading periods (a session, G&S ran 6) per seed.

    Returns
    -------
    np.ndarray of float64, shape (len(seeds), n_periods)
        Each period's allocative efficiency [-]; the endowments are renewed every period.
    """
    seeds = np.asarray(seeds, dtype=np.int64).ravel()
    out = np.empty((seeds.size, n_periods))
    for row, seed in enumerate(seeds.tolist()):
        rng = np.random.default_rng(seed)
        for period in range(n_periods):
            trades = trading_period(
                buyer_values, seller_costs, rng, constrained=constrained, **period_options
            )
            out[row, period] = period_efficiency(buyer_values, seller_costs, trades)
    return out
