"""Continuous double auction: orders arrive one by one and trade on arrival."""

from __future__ import annotations

from heapq import heappop, heappush

import numpy as np
from numpy.typing import ArrayLike

from .trades import QTY_EPS, Trades
from .validation import check_book


def check_rng(rng: object) -> np.random.Generator:
    """Refuse anything but a numpy Generator, naming ``rng``."""
    if not isinstance(rng, np.random.Generator):
        raise ValueError(
            "rng must be a numpy.random.Generator (the order of arrival is random), "
            f"got {type(rng).__name__}"
        )
    return rng


def match_in_arrival_order(
    arrival: list[int],
    n_bids: int,
    bid_price: list[float],
    bid_qty: list[float],
    ask_price: list[float],
    ask_qty: list[float],
) -> tuple[list[int], list[int], list[float], list[float]]:
    """The continuous double auction's matching, for orders arriving in ``arrival`` order.

    ``arrival`` holds order numbers: 0 .. n_bids - 1 are bids, n_bids + j is ask j. Standing
    orders wait in two heaps, bids by (-price, arrival) and asks by (price, arrival): price
    priority, then time priority. An arriving order trades with the best standing order on
    the other side while their prices cross, each time min(remaining, standing remaining)
    at the standing order's price; what is left of it then stands.

    Returns
    -------
    buyer, seller, kwh, price : lists, one entry per trade, in the order they happen.
    """
    bids: list[tuple[float, int, int]] = []  # (-price, arrival, bid index)
    asks: list[tuple[float, int, int]] = []  # (price, arrival, ask index)
    bid_left = list(bid_qty)
    ask_left = list(ask_qty)
    buyers: list[int] = []
    sellers: list[int] = []
    kwhs: list[float] = []
    prices: list[float] = []
    # Local names: this loop is the CDA's whole cost (1-2 microseconds an order).
    push, pop, eps = heappush, heappop, QTY_EPS
    for time, order in enumerate(arrival):
        if order < n_bids:
            left = bid_left[order]
            if left <= eps:
                continue
            limit = bid_price[order]
            while asks and asks[0][0] <= limit:
                standing_price, _, seller = asks[0]
                available = ask_left[seller]
                if available <= left:
                    pop(asks)
                    traded = available
                    ask_left[seller] = 0.0
                else:
                    traded = left
                    ask_left[seller] = available - left
                    if ask_left[seller] <= eps:
                        pop(asks)
                buyers.append(order)
                sellers.append(seller)
                kwhs.append(traded)
                prices.append(standing_price)
                left -= traded
                if left <= eps:
                    break
            if left > eps:
                bid_left[order] = left
                push(bids, (-limit, time, order))
        else:
            seller = order - n_bids
            left = ask_left[seller]
            if left <= eps:
                continue
            limit = ask_price[seller]
            while bids and -bids[0][0] >= limit:
                negative_price, _, buyer = bids[0]
                wanted = bid_left[buyer]
                if wanted <= left:
                    pop(bids)
                    traded = wanted
                    bid_left[buyer] = 0.0
                else:
                    traded = left
                    bid_left[buyer] = wanted - left
                    if bid_left[buyer] <= eps:
                        pop(bids)
                buyers.append(buyer)
                sellers.append(seller)
                kwhs.append(traded)
                prices.append(-negative_price)
                left -= traded
                if left <= eps:
                    break
            if left > eps:
                ask_left[seller] = left
                push(asks, (limit, time, seller))
    return buyers, sellers, kwhs, prices


def clear_cda(
    bid_price: ArrayLike,
    bid_qty: ArrayLike,
    ask_price: ArrayLike,
    ask_qty: ArrayLike,
    *,
    rng: np.random.Generator | None = None,
) -> Trades:
    """Clear a book as a continuous double auction with a seeded random order of arrival.

    Within the step the book's orders (bids and asks together) arrive one at a time in the
    order ``rng.permutation(n_bids + n_asks)``. An arriving order is matched against the best
    standing order on the other side (highest bid, lowest ask; equal prices: the earlier
    one) as long as their prices cross, at the standing order's price. Quantities are
    divisible: each match trades min(what the arriving order has left, what the standing
    order has left), the standing order keeps any remainder, and what is left of the
    arriving order once prices no longer cross stands in the book. Orders of at most
    ``QTY_EPS`` never enter. At the end of the step the standing orders lapse.

    This is the trading institution of Smith's experiments (1962) and of Gode & Sunder
    (1993), where the earlier of two crossing orders sets the price; see
    :mod:`market.zero_intelligence` for their single-unit trading period.

    Properties: individually rational (an arriving bid only takes asks at or below it and
    pays their price, an arriving ask only takes bids at or above it and receives their
    price); strongly budget balanced (each trade has one price, buyer and seller price are
    equal); not incentive compatible (a trader's own price can be its trade price); not
    efficient: the outcome depends on the order of arrival, a late high bid can find the
    cheap asks already taken by earlier lower bids, so extra-marginal orders may trade and
    intra-marginal ones may not. Gode & Sunder found high efficiency nonetheless when
    traders never bid above their value (>= 97 % with budget-constrained random traders).

    Parameters
    ----------
    bid_price : array_like, 1-D
        Highest price each buyer accepts [EUR/kWh].
    bid_qty : array_like, 1-D
        Energy each buyer wants, >= 0 [kWh].
    ask_price : array_like, 1-D
        Lowest price each seller accepts [EUR/kWh].
    ask_qty : array_like, 1-D
        Energy each seller offers, >= 0 [kWh].
    rng : numpy.random.Generator
        Draws the order of arrival; required (keyword only). The same generator state gives
        the same trades.

    Returns
    -------
    Trades
        In the order they happen; ``buyer_price == seller_price`` is the standing order's
        price [EUR/kWh].

    Raises
    ------
    ValueError
        Naming the argument if the book is not 1-D, finite, of matching lengths and
        non-negative quantities, or naming ``rng`` if it is missing or not a
        ``numpy.random.Generator``.

    References
    ----------
    .. [1] V. L. Smith, "An experimental study of competitive market behavior", Journal of
       Political Economy 70(2):111-137, 1962.
    .. [2] D. K. Gode and S. Sunder, "Allocative efficiency of markets with
       zero-intelligence traders: market as a partial substitute for individual
       rationality", Journal of Political Economy 101(1):119-137, 1993.

    Examples
    --------
    >>> trades = clear_cda([0.2], [1.0], [0.1, 0.15], [0.5, 1.0], rng=np.random.default_rng(1))
    >>> float(trades.kwh.sum())
    1.0
    >>> bool(np.all(trades.buyer_price <= 0.2) and np.all(trades.seller_price >= 0.1))
    True
    """
    bid_price, bid_qty, ask_price, ask_qty = check_book(bid_price, bid_qty, ask_price, ask_qty)
    rng = check_rng(rng)
    n_bids = bid_price.size
    arrival = rng.permutation(n_bids + ask_price.size).tolist()
    buyer, seller, kwh, price = match_in_arrival_order(
        arrival, n_bids, bid_price.tolist(), bid_qty.tolist(), ask_price.tolist(), ask_qty.tolist()
    )
    if not kwh:
        return Trades.empty()
    price_array = np.array(price, dtype=np.float64)
    return Trades(
        np.array(buyer, dtype=np.int64),
        np.array(seller, dtype=np.int64),
        np.array(kwh, dtype=np.float64),
        price_array,
        price_array.copy(),
    )
