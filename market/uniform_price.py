"""Uniform-price k-double auction: the seed rule's quantities at one clearing price."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .merit_order import match_merit_order
from .trades import Trades
from .validation import check_book


def clear_uniform(
    bid_price: ArrayLike,
    bid_qty: ArrayLike,
    ask_price: ArrayLike,
    ask_qty: ArrayLike,
    k: float = 0.5,
) -> Trades:
    """Clear a book as a k-double auction: same trades as the seed rule, one price for all.

    The pairs and quantities are those of :func:`market.double_auction.clear_seed`. Every
    trade is priced at

        p = k * b_m + (1 - k) * a_m

    where b_m and a_m are the bid and ask of the marginal (last matched) pair.

    Why every trade is individually rational: buyers trade in order of falling bid, so every
    matched buyer bids >= b_m; sellers trade in order of rising ask, so every matched seller
    asks <= a_m; and the marginal pair traded, so a_m <= b_m. For k in [0, 1], p lies in
    [a_m, b_m], hence bid >= b_m >= p >= a_m >= ask for every trade.

    Properties: individually rational, budget balanced (buyers pay what sellers receive),
    efficient quantity for the submitted prices, one price (as in a pool market). Not truthful:
    the marginal traders move the price with their own bid or ask, but the incentive to
    misreport vanishes as the market grows (Satterthwaite & Williams 1989). k = 0.5 is the
    midpoint; k = 1 (0) favours sellers (buyers).

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
    k : float, default 0.5
        Weight of the marginal bid in the clearing price, in [0, 1] [-].

    Returns
    -------
    Trades
        Same buyer, seller and kwh as the seed rule; ``buyer_price == seller_price == p``.

    Raises
    ------
    ValueError
        Naming the argument if the book is invalid or ``k`` is outside [0, 1].

    References
    ----------
    .. [1] K. Chatterjee and W. Samuelson, "Bargaining under incomplete information",
       Operations Research 31(5):835-851, 1983.
    .. [2] M. A. Satterthwaite and S. R. Williams, "The rate of convergence to efficiency in
       the buyer's bid double auction as the market becomes large", Review of Economic
       Studies 56(4):477-498, 1989.

    Examples
    --------
    >>> trades = clear_uniform([0.20, 0.18], [2.0, 1.0], [0.10, 0.19], [1.5, 2.0], k=0.5)
    >>> trades.kwh.tolist(), trades.buyer_price.round(3).tolist()
    ([1.5, 0.5], [0.195, 0.195])
    """
    if not 0.0 <= k <= 1.0:  # also refuses NaN
        raise ValueError(f"k must be in [0, 1], got {k}")
    bid_price, bid_qty, ask_price, ask_qty = check_book(bid_price, bid_qty, ask_price, ask_qty)
    match = match_merit_order(bid_price, bid_qty, ask_price, ask_qty)
    if match.kwh.size == 0:
        return Trades.empty()
    buyer = match.bid_order[match.buyer_rank]
    seller = match.ask_order[match.seller_rank]
    marginal_bid, marginal_ask = bid_price[buyer[-1]], ask_price[seller[-1]]
    # The clip only undoes rounding: k*b + (1-k)*a can land one ulp outside [a, b].
    clearing_price = min(
        max(k * marginal_bid + (1.0 - k) * marginal_ask, marginal_ask), marginal_bid
    )
    price = np.full(match.kwh.size, clearing_price)
    return Trades(buyer, seller, match.kwh, price, price.copy())
