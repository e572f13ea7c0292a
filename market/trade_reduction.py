"""McAfee's trade-reduction double auction, for divisible quantities."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .merit_order import match_merit_order
from .trades import QTY_EPS, Trades
from .validation import check_book


def _next_order_price(
    ranked_price: np.ndarray, ranked_qty: np.ndarray, marginal_rank: int, fallback: float
) -> float:
    """Price of the first order ranked after the marginal one that offers a quantity."""
    later = np.flatnonzero(ranked_qty[marginal_rank + 1 :] > QTY_EPS)
    if later.size == 0:
        return fallback
    return float(ranked_price[marginal_rank + 1 + later[0]])


def clear_trade_reduction(
    bid_price: ArrayLike, bid_qty: ArrayLike, ask_price: ArrayLike, ask_qty: ArrayLike
) -> Trades:
    """Clear a book with McAfee's dominant-strategy (trade reduction) double auction.

    Each order is one trader. The efficient matching is that of the seed rule
    (:func:`market.double_auction.clear_seed`). Let b_m and a_m be the bid and ask of the
    marginal (last matched) buyer and seller, and b_next, a_next those of the first buyer and
    seller ranked after them with a quantity > ``QTY_EPS``.

    - If p0 = (b_next + a_next) / 2 lies in [a_m, b_m], every matched kWh trades at p0.
    - Otherwise the marginal buyer and the marginal seller are excluded entirely (trade
      reduction). The others keep their pairing; as pairs come in merit order this drops
      exactly the trades that involve the marginal buyer or seller, so a seller that had
      sold part of its quantity to the marginal buyer sells that much less. Buyers pay b_m,
      sellers receive a_m, and the operator keeps (b_m - a_m) per kWh.

    When a side has no order left after its marginal one, b_next = b_m (a_next = a_m): the
    marginal trader's own price is the natural bound of what the next one would have bid.
    With both sides exhausted p0 is the marginal midpoint and nothing is reduced.

    Properties (McAfee 1992, for traders of one unit each): truthful bidding is a dominant
    strategy; individually rational (buyers pay <= bid, sellers receive >= ask); weakly
    budget balanced (the operator never runs a deficit, its surplus is
    :func:`market.trades.operator_surplus` >= 0); at most the marginal trade is lost, so the
    efficiency loss vanishes as the market grows. With unequal divisible quantities the
    dominant-strategy property is no longer guaranteed (an order's quantity decides who is
    marginal), nor is it when a side is exhausted (the marginal trader's own price then sets
    p0). Equal quantities on every order reproduce McAfee's setting exactly.

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

    Returns
    -------
    Trades
        Pairs in merit order. ``buyer_price == seller_price == p0``, or, after a reduction,
        ``buyer_price == b_m`` and ``seller_price == a_m``.

    Raises
    ------
    ValueError
        Naming the argument if the book is not 1-D, finite, of matching lengths and
        non-negative quantities.

    References
    ----------
    .. [1] R. P. McAfee, "A dominant strategy double auction", Journal of Economic Theory
       56(2):434-450, 1992.

    Examples
    --------
    Three unit buyers and sellers; p0 = (0.14 + 0.16) / 2 = 0.15 lies in [0.12, 0.18]:

    >>> trades = clear_trade_reduction(
    ...     [0.25, 0.18, 0.14], [1.0, 1.0, 1.0], [0.08, 0.12, 0.16], [1.0, 1.0, 1.0]
    ... )
    >>> trades.kwh.tolist(), trades.buyer_price.round(3).tolist()
    ([1.0, 1.0], [0.15, 0.15])
    """
    bid_price, bid_qty, ask_price, ask_qty = check_book(bid_price, bid_qty, ask_price, ask_qty)
    match = match_merit_order(bid_price, bid_qty, ask_price, ask_qty)
    if match.kwh.size == 0:
        return Trades.empty()
    buyer = match.bid_order[match.buyer_rank]
    seller = match.ask_order[match.seller_rank]
    marginal_buyer_rank, marginal_seller_rank = match.buyer_rank[-1], match.seller_rank[-1]
    marginal_bid, marginal_ask = bid_price[buyer[-1]], ask_price[seller[-1]]
    next_bid = _next_order_price(
        bid_price[match.bid_order], bid_qty[match.bid_order], marginal_buyer_rank, marginal_bid
    )
    next_ask = _next_order_price(
        ask_price[match.ask_order], ask_qty[match.ask_order], marginal_seller_rank, marginal_ask
    )
    candidate_price = (next_bid + next_ask) / 2
    if marginal_ask <= candidate_price <= marginal_bid:
        price = np.full(match.kwh.size, candidate_price)
        return Trades(buyer, seller, match.kwh, price, price.copy())

    kept = (match.buyer_rank != marginal_buyer_rank) & (match.seller_rank != marginal_seller_rank)
    n_kept = int(np.count_nonzero(kept))
    return Trades(
        buyer[kept],
        seller[kept],
        match.kwh[kept],
        np.full(n_kept, marginal_bid),
        np.full(n_kept, marginal_ask),
    )
