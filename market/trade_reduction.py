"""McAfee's trade-reduction double auction, for divisible quantities.

Two variants differ only when a side of the book has no order after its marginal one:
``clear_trade_reduction`` (McAfee's rule: a bounded dummy trader stands there) and
``clear_trade_reduction_own_price`` (the marginal trader's own price stands in, as this
package did before; not truthful).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .merit_order import match_merit_order, next_order_price
from .trades import Trades
from .validation import check_book, check_price_bounds


def _reduce(
    bid_price: np.ndarray,
    bid_qty: np.ndarray,
    ask_price: np.ndarray,
    ask_qty: np.ndarray,
    no_next_bid: float | None,
    no_next_ask: float | None,
) -> Trades:
    """The trade-reduction rule on a validated book.

    ``no_next_bid`` (``no_next_ask``) is the price standing in for a missing next bid (ask);
    None means the marginal trader's own price.
    """
    match = match_merit_order(bid_price, bid_qty, ask_price, ask_qty)
    if match.kwh.size == 0:
        return Trades.empty()
    buyer = match.bid_order[match.buyer_rank]
    seller = match.ask_order[match.seller_rank]
    marginal_buyer_rank, marginal_seller_rank = match.buyer_rank[-1], match.seller_rank[-1]
    marginal_bid, marginal_ask = bid_price[buyer[-1]], ask_price[seller[-1]]
    next_bid = next_order_price(
        bid_price[match.bid_order],
        bid_qty[match.bid_order],
        marginal_buyer_rank,
        marginal_bid if no_next_bid is None else no_next_bid,
    )
    next_ask = next_order_price(
        ask_price[match.ask_order],
        ask_qty[match.ask_order],
        marginal_seller_rank,
        marginal_ask if no_next_ask is None else no_next_ask,
    )
    candidate_price = (next_bid + next_ask) / 2  # inf with an unbounded dummy seller
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


def clear_trade_reduction(
    bid_price: ArrayLike,
    bid_qty: ArrayLike,
    ask_price: ArrayLike,
    ask_qty: ArrayLike,
    price_floor: float = 0.0,
    price_cap: float = np.inf,
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

    When a side has no order after its marginal one, McAfee's bounded dummy trader stands
    there: a buyer bidding ``price_floor`` (the lowest valuation a buyer may have) or a
    seller asking ``price_cap`` (the highest cost a seller may have). With the default
    ``price_cap = inf`` an exhausted seller side always reduces (p0 = inf > b_m); with
    ``price_floor = 0`` an exhausted buyer side keeps all trades only if
    a_next / 2 lies in [a_m, b_m], i.e. a_next >= 2 a_m.

    Properties (McAfee 1992, traders of one unit each): truthful bidding is a dominant
    strategy (a trader's own bid or ask decides only whether it trades, never its price);
    individually rational (buyers pay <= bid, sellers receive >= ask); weakly budget
    balanced (the operator never runs a deficit: :func:`market.trades.operator_surplus`
    >= 0, > 0 after a reduction); efficient except for at most the marginal pair, so the
    loss vanishes as the market grows. With unequal divisible quantities the dominant
    strategy property is no longer guaranteed (an order's quantity decides who is
    marginal); equal quantities on every order reproduce McAfee's setting exactly.

    Parameters
    ----------
    bid_price : array_like, 1-D
        Highest price each buyer accepts, >= ``price_floor`` [EUR/kWh].
    bid_qty : array_like, 1-D
        Energy each buyer wants, >= 0 [kWh].
    ask_price : array_like, 1-D
        Lowest price each seller accepts, <= ``price_cap`` [EUR/kWh].
    ask_qty : array_like, 1-D
        Energy each seller offers, >= 0 [kWh].
    price_floor : float, default 0.0
        Bid of the dummy buyer after the last real one: the lower bound of buyers'
        valuations; may be -inf [EUR/kWh].
    price_cap : float, default inf
        Ask of the dummy seller after the last real one: the upper bound of sellers'
        costs, > ``price_floor`` [EUR/kWh].

    Returns
    -------
    Trades
        Pairs in merit order. ``buyer_price == seller_price == p0``, or, after a reduction,
        ``buyer_price == b_m`` and ``seller_price == a_m``.

    Raises
    ------
    ValueError
        Naming the argument if the book is not 1-D, finite, of matching lengths and
        non-negative quantities, if the bounds are NaN or out of order, or if a bid lies
        below ``price_floor`` or an ask above ``price_cap``.

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

    Two buyers, one seller: no seller after the marginal one, so the dummy seller asks
    ``price_cap`` and p0 is out of range; the marginal pair is the only pair, nothing trades:

    >>> clear_trade_reduction([0.25, 0.20], [1.0, 1.0], [0.10], [1.0]).n_trades
    0
    """
    bid_price, bid_qty, ask_price, ask_qty = check_book(bid_price, bid_qty, ask_price, ask_qty)
    price_floor, price_cap = check_price_bounds(price_floor, price_cap, bid_price, ask_price)
    return _reduce(bid_price, bid_qty, ask_price, ask_qty, price_floor, price_cap)


def clear_trade_reduction_own_price(
    bid_price: ArrayLike, bid_qty: ArrayLike, ask_price: ArrayLike, ask_qty: ArrayLike
) -> Trades:
    """Trade reduction where an exhausted side's marginal trader stands in for the next one.

    The rule of :func:`clear_trade_reduction`, except that when a side has no order after
    its marginal one, b_next = b_m (a_next = a_m): the marginal trader's own price replaces
    McAfee's bounded dummy trader. With both sides exhausted p0 is the marginal midpoint
    and nothing is reduced. This was this package's ``"trade_reduction"`` before McAfee's
    rule; it is kept so that earlier runs can be reproduced.

    What it loses: truthfulness. When a side is exhausted the marginal trader's own bid or
    ask sets p0, and so its own price (a buyer that shades its bid lowers what it pays).
    It remains individually rational and weakly budget balanced, and it reduces less often
    than McAfee's rule (it trades everything when every bid beats every ask).

    Parameters, returns and errors are those of :func:`clear_trade_reduction`, without the
    bounds.

    References
    ----------
    .. [1] R. P. McAfee, "A dominant strategy double auction", Journal of Economic Theory
       56(2):434-450, 1992.

    Examples
    --------
    Two buyers buy from one seller who has nobody after it; no buyer is left either:
    b_next = b_m = 0.20 and a_next = a_m = 0.10, so p0 = 0.15 and both trades stand.

    >>> trades = clear_trade_reduction_own_price([0.25, 0.20], [1.0, 1.0], [0.10], [3.0])
    >>> trades.kwh.tolist(), trades.buyer_price.round(3).tolist()
    ([1.0, 1.0], [0.15, 0.15])
    """
    bid_price, bid_qty, ask_price, ask_qty = check_book(bid_price, bid_qty, ask_price, ask_qty)
    return _reduce(bid_price, bid_qty, ask_price, ask_qty, None, None)
