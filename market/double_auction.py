"""The "seed" double auction: pay-as-bid-and-ask midpoint, one trade per matched pair."""

from __future__ import annotations

from numpy.typing import ArrayLike

from .merit_order import match_merit_order
from .trades import Trades
from .validation import check_book


def clear_seed(
    bid_price: ArrayLike, bid_qty: ArrayLike, ask_price: ArrayLike, ask_qty: ArrayLike
) -> Trades:
    """Clear a book with the rule of the system this simulator grew from, vectorised.

    Buyers are ranked by bid descending, sellers by ask ascending (ties: lower index first).
    Each buyer in turn takes from the cheapest sellers with remaining quantity while
    bid >= ask; each match is one trade of min(buyer remaining, seller remaining) at the
    midpoint (bid + ask) / 2. The result is that of the nested loop
    :func:`market.reference.clear_seed_naive`, computed as a merge of the two merit orders in
    O(n log n) (see :mod:`market.merit_order`).

    Properties: individually rational (a buyer never pays above its bid, a seller never
    receives below its ask), budget balanced (buyer and seller price are equal) and it trades
    the efficient quantity for the submitted prices. It is not truthful: the price depends on
    the trader's own bid or ask, so shading them pays.

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
        In the order of the nested loop: buyer rank, then seller rank.

    Raises
    ------
    ValueError
        Naming the argument if the book is not 1-D, finite, of matching lengths and
        non-negative quantities.

    Examples
    --------
    >>> trades = clear_seed([0.20, 0.18], [2.0, 1.0], [0.10, 0.19], [1.5, 2.0])
    >>> trades.buyer.tolist(), trades.seller.tolist(), trades.kwh.tolist()
    ([0, 0], [0, 1], [1.5, 0.5])
    >>> trades.buyer_price.round(3).tolist()
    [0.15, 0.195]
    """
    bid_price, bid_qty, ask_price, ask_qty = check_book(bid_price, bid_qty, ask_price, ask_qty)
    match = match_merit_order(bid_price, bid_qty, ask_price, ask_qty)
    buyer = match.bid_order[match.buyer_rank]
    seller = match.ask_order[match.seller_rank]
    price = (bid_price[buyer] + ask_price[seller]) / 2
    return Trades(buyer, seller, match.kwh, price, price.copy())
