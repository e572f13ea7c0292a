"""Uniform-price (pay-as-clear) call auction at the intersection of the merit orders."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .merit_order import match_merit_order, next_order_price
from .trades import QTY_EPS, Trades
from .validation import check_book


def clear_pay_as_clear(
    bid_price: ArrayLike, bid_qty: ArrayLike, ask_price: ArrayLike, ask_qty: ArrayLike
) -> Trades:
    """Clear a book at one price where the demand and supply curves cross.

    Quantities and pairs are those of the seed rule (:func:`market.double_auction.clear_seed`,
    the efficient merit-order matching, ties in price served by lower index first). Let Q be
    the matched energy, b_m and a_m the bid and ask of the marginal (last matched) buyer and
    seller, and b_next, a_next those of the next buyer and seller with a quantity
    > ``QTY_EPS`` (none: -inf and +inf).

    The price is taken from the set of market-clearing prices, the prices at which the
    stepwise demand and supply curves both pass through the quantity Q:

    - the marginal buyer is left with energy it wanted (> ``QTY_EPS``): the demand curve is
      flat at b_m there, so the price is b_m (the rationed buyer is indifferent);
    - else the marginal seller is left with energy: the price is a_m;
    - else both curves step at Q (a vertical overlap): every price in
      [max(a_m, b_next), min(b_m, a_next)] clears the market, and the price is the
      midpoint of that interval. The interval is never empty (b_next < a_next, otherwise
      they would have traded) and always finite (a_m <= b_m).

    Ties: orders at the same price stand in one step of the curve; the price does not
    depend on how a tie is broken, only who among tied traders gets the last kWh does
    (lower index first).

    Properties: individually rational (every matched bid is >= b_m >= price >= a_m >=
    every matched ask); strongly budget balanced (one price, buyers pay what sellers
    receive); efficient quantity for the submitted prices; not incentive compatible (the
    marginal traders set the price), though the incentive to misreport vanishes as the
    market grows. Unlike ``"uniform"`` (a fixed weight k between b_m and a_m) the price is
    always a market-clearing one: no unmatched buyer bids above it and no unmatched seller
    asks below it.

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
        Same buyer, seller and kwh as the seed rule; ``buyer_price == seller_price``, one
        value for all trades [EUR/kWh].

    Raises
    ------
    ValueError
        Naming the argument if the book is not 1-D, finite, of matching lengths and
        non-negative quantities.

    References
    ----------
    .. [1] M. Bichler et al., "Electricity spot market design 2030-2050", whitepaper,
       Technical University of Munich, 2021 (uniform-price clearing, its Figure 5).
    .. [2] P. Cramton, "Electricity market design", Oxford Review of Economic Policy
       33(4):589-612, 2017.

    Examples
    --------
    The buyer at 0.20 is left wanting 0.5 kWh, the next ask is 0.25: price 0.20.

    >>> trades = clear_pay_as_clear([0.30, 0.20], [1.0, 2.0], [0.10, 0.25], [2.5, 1.0])
    >>> trades.kwh.tolist(), trades.buyer_price.tolist()
    ([1.0, 1.5], [0.2, 0.2])

    Both curves step at 2 kWh: clearing prices [max(0.12, 0.05), min(0.30, 0.25)], midpoint:

    >>> clear_pay_as_clear([0.30, 0.05], [2.0, 1.0], [0.12, 0.25], [2.0, 1.0]).buyer_price
    array([0.185])
    """
    bid_price, bid_qty, ask_price, ask_qty = check_book(bid_price, bid_qty, ask_price, ask_qty)
    match = match_merit_order(bid_price, bid_qty, ask_price, ask_qty)
    if match.kwh.size == 0:
        return Trades.empty()
    buyer = match.bid_order[match.buyer_rank]
    seller = match.ask_order[match.seller_rank]
    marginal_buyer, marginal_seller = buyer[-1], seller[-1]
    marginal_bid, marginal_ask = bid_price[marginal_buyer], ask_price[marginal_seller]
    buyer_left = bid_qty[marginal_buyer] - match.kwh[buyer == marginal_buyer].sum()
    seller_left = ask_qty[marginal_seller] - match.kwh[seller == marginal_seller].sum()
    if buyer_left > QTY_EPS:
        clearing_price = marginal_bid
    elif seller_left > QTY_EPS:
        clearing_price = marginal_ask
    else:
        next_bid = next_order_price(
            bid_price[match.bid_order], bid_qty[match.bid_order], match.buyer_rank[-1], -np.inf
        )
        next_ask = next_order_price(
            ask_price[match.ask_order], ask_qty[match.ask_order], match.seller_rank[-1], np.inf
        )
        low, high = max(marginal_ask, next_bid), min(marginal_bid, next_ask)
        clearing_price = min(max((low + high) / 2, low), high)  # the clip undoes rounding
    price = np.full(match.kwh.size, float(clearing_price))
    return Trades(buyer, seller, match.kwh, price, price.copy())
