"""Allocative efficiency of a clearing: realised gains from trade over the largest possible."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .merit_order import match_merit_order
from .trades import Trades
from .validation import check_book


def max_surplus(
    bid_value: ArrayLike, bid_qty: ArrayLike, ask_value: ArrayLike, ask_qty: ArrayLike
) -> float:
    """Largest gain from trade the traders can make at their true valuations.

    The surplus of the efficient merit-order matching at valuations: sum over its trades of
    (buyer value - seller value) * kWh [EUR]. No feasible set of trades (within every
    order's quantity) does better: the matching fills the highest values from the lowest
    costs while value >= cost.

    Parameters
    ----------
    bid_value, bid_qty, ask_value, ask_qty : array_like, 1-D
        Buyers' valuations [EUR/kWh] and quantities [kWh], sellers' costs [EUR/kWh] and
        quantities [kWh].

    Raises
    ------
    ValueError
        Naming the argument, as for a book (:func:`market.validation.check_book`), with
        ``bid_value``/``ask_value`` in place of the prices.
    """
    bid_value, bid_qty, ask_value, ask_qty = _check_valuations(
        bid_value, bid_qty, ask_value, ask_qty
    )
    return _max_surplus(bid_value, bid_qty, ask_value, ask_qty)


def _check_valuations(bid_value, bid_qty, ask_value, ask_qty):
    try:
        return check_book(bid_value, bid_qty, ask_value, ask_qty)
    except ValueError as error:  # name the valuations, not the prices
        message = str(error).replace("bid_price", "bid_value").replace("ask_price", "ask_value")
        raise ValueError(message) from None


def _max_surplus(bid_value, bid_qty, ask_value, ask_qty) -> float:
    match = match_merit_order(bid_value, bid_qty, ask_value, ask_qty)
    buyer = match.bid_order[match.buyer_rank]
    seller = match.ask_order[match.seller_rank]
    return float(np.sum(match.kwh * (bid_value[buyer] - ask_value[seller])))


def realised_surplus(bid_value: np.ndarray, ask_value: np.ndarray, trades: Trades) -> float:
    """Gain from trade of ``trades`` at valuations: sum(kwh * (value - cost)) [EUR].

    Prices do not enter: what a buyer pays a seller receives, or the operator keeps, and
    either way it is a transfer, not a gain.
    """
    return float(np.sum(trades.kwh * (bid_value[trades.buyer] - ask_value[trades.seller])))


def allocative_efficiency(
    bid_value: ArrayLike,
    bid_qty: ArrayLike,
    ask_value: ArrayLike,
    ask_qty: ArrayLike,
    trades: Trades,
) -> float:
    """Realised gains from trade over the largest possible, at the traders' true valuations.

    efficiency = sum_t kwh_t * (bid_value[buyer_t] - ask_value[seller_t]) / max_surplus,
    where max_surplus is the surplus of the efficient merit-order matching at valuations
    (:func:`max_surplus`). The valuations are what the energy is worth to each trader, not
    what it bid: a clearing of shaded or random bids is judged at the true values. 1.0 is
    efficient; it is below 1 when gains are missed, and can be negative when trades with
    value < cost (extra-marginal, or by traders bidding beyond their value) destroy more
    than the others create.

    Parameters
    ----------
    bid_value : array_like, 1-D
        What a kWh is worth to each buyer, same shape as the book's ``bid_price`` [EUR/kWh].
    bid_qty : array_like, 1-D
        Energy each buyer wants, as in the book, >= 0 [kWh].
    ask_value : array_like, 1-D
        What a kWh costs each seller, same shape as the book's ``ask_price`` [EUR/kWh].
    ask_qty : array_like, 1-D
        Energy each seller offers, as in the book, >= 0 [kWh].
    trades : Trades
        The clearing of that book, indexing into these arrays.

    Returns
    -------
    float
        Efficiency [-]; NaN when no surplus is possible (max_surplus <= 0: no buyer values
        a kWh above any seller's cost, or a side is empty), since then no clearing can be
        better or worse than another in this measure. Average with ``np.nanmean``.

    Raises
    ------
    ValueError
        Naming the argument if the valuations are not a valid book (``bid_value``,
        ``ask_value`` for the prices), or ``trades`` indexes outside it.

    References
    ----------
    .. [1] D. K. Gode and S. Sunder, "Allocative efficiency of markets with
       zero-intelligence traders", Journal of Political Economy 101(1):119-137, 1993
       (efficiency as the share of the maximum total profit extracted).

    Examples
    --------
    Buyers value 0.30 and 0.20, sellers cost 0.10 and 0.25, 1 kWh each: the most is
    0.30 - 0.10 = 0.20 EUR. Buyer 0 trading with seller 1 instead realises 0.05 EUR:

    >>> trades = Trades(np.array([0]), np.array([1]), np.array([1.0]),
    ...                 np.array([0.28]), np.array([0.28]))
    >>> round(allocative_efficiency([0.30, 0.20], [1, 1], [0.10, 0.25], [1, 1], trades), 6)
    0.25
    """
    bid_value, bid_qty, ask_value, ask_qty = _check_valuations(
        bid_value, bid_qty, ask_value, ask_qty
    )
    if trades.n_trades and (
        trades.buyer.min() < 0
        or trades.buyer.max() >= bid_value.size
        or trades.seller.min() < 0
        or trades.seller.max() >= ask_value.size
    ):
        raise ValueError("trades must index into bid_value and ask_value")
    best = _max_surplus(bid_value, bid_qty, ask_value, ask_qty)
    if best <= 0.0:
        return float("nan")
    return realised_surplus(bid_value, ask_value, trades) / best
