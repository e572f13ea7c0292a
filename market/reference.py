"""The original system's nested-loop matching, kept as the reference for tests and benchmarks."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .trades import QTY_EPS, Trades
from .validation import check_book


def clear_seed_naive(
    bid_price: ArrayLike, bid_qty: ArrayLike, ask_price: ArrayLike, ask_qty: ArrayLike
) -> Trades:
    """The "seed" rule as the literal nested loop of the system this simulator grew from,
    O(n_bids * n_asks).

    Same parameters, result and errors as :func:`market.double_auction.clear_seed`; use that
    one. This one is deliberately plain so that it is obviously the rule.
    """
    bid_price, bid_qty, ask_price, ask_qty = check_book(bid_price, bid_qty, ask_price, ask_qty)
    buyers = np.argsort(-bid_price, kind="stable").tolist()
    sellers = np.argsort(ask_price, kind="stable").tolist()
    bids, asks = bid_price.tolist(), ask_price.tolist()
    bid_remaining, ask_remaining = bid_qty.tolist(), ask_qty.tolist()
    trades = []
    for b in buyers:
        for s in sellers:
            if ask_remaining[s] > QTY_EPS and bid_remaining[b] > QTY_EPS and bids[b] >= asks[s]:
                kwh = min(bid_remaining[b], ask_remaining[s])
                trades.append((b, s, kwh, (bids[b] + asks[s]) / 2))
                bid_remaining[b] -= kwh
                ask_remaining[s] -= kwh
    if not trades:
        return Trades.empty()
    buyer, seller, kwh, price = zip(*trades, strict=True)
    price = np.array(price, dtype=np.float64)
    return Trades(
        np.array(buyer, dtype=np.int64),
        np.array(seller, dtype=np.int64),
        np.array(kwh, dtype=np.float64),
        price,
        price.copy(),
    )
