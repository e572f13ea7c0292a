"""Discriminatory (pay-as-bid) call auction: each side pays or receives its own price."""

from __future__ import annotations

from numpy.typing import ArrayLike

from .merit_order import match_merit_order
from .trades import Trades
from .validation import check_book


def clear_pay_as_bid(
    bid_price: ArrayLike, bid_qty: ArrayLike, ask_price: ArrayLike, ask_qty: ArrayLike
) -> Trades:
    """Clear a book as a discriminatory call auction: merit-order matching, own prices.

    The pairs and quantities are those of the seed rule
    (:func:`market.double_auction.clear_seed`): buyers by bid descending, sellers by ask
    ascending, ties to the lower index, each buyer in turn taking from the cheapest sellers
    while bid >= ask.

    Who pays what: every buyer pays its own bid on every kWh it buys, every seller receives
    its own ask on every kWh it sells, and the market operator keeps the difference,
    sum(kwh * (bid - ask)) = :func:`market.trades.operator_surplus` >= 0. That is the whole
    gain from trade at the submitted prices; the traders keep none of it unless they shade.

    Properties: individually rational (each trader gets exactly its limit price, so it never
    loses); weakly budget balanced (the operator never runs a deficit), not strongly (it
    keeps a surplus whenever a matched bid exceeds its ask); not incentive compatible (a
    buyer gains by bidding below its valuation, a seller by asking above its cost, so
    submitted prices do not reveal valuations); efficient for the submitted prices (the
    merit-order quantity), but with shaded bids and asks that is less than the efficient
    quantity at true valuations.

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
        Same buyer, seller and kwh as the seed rule; ``buyer_price`` is the buyer's bid and
        ``seller_price`` the seller's ask [EUR/kWh].

    Raises
    ------
    ValueError
        Naming the argument if the book is not 1-D, finite, of matching lengths and
        non-negative quantities.

    References
    ----------
    .. [1] P. Cramton, "Electricity market design", Oxford Review of Economic Policy
       33(4):589-612, 2017 (pay-as-bid versus pay-as-clear in electricity markets).

    Examples
    --------
    >>> trades = clear_pay_as_bid([0.20, 0.18], [2.0, 1.0], [0.10, 0.19], [1.5, 2.0])
    >>> trades.kwh.tolist(), trades.buyer_price.tolist(), trades.seller_price.tolist()
    ([1.5, 0.5], [0.2, 0.2], [0.1, 0.19])
    """
    bid_price, bid_qty, ask_price, ask_qty = check_book(bid_price, bid_qty, ask_price, ask_qty)
    match = match_merit_order(bid_price, bid_qty, ask_price, ask_qty)
    buyer = match.bid_order[match.buyer_rank]
    seller = match.ask_order[match.seller_rank]
    return Trades(buyer, seller, match.kwh, bid_price[buyer], ask_price[seller])
