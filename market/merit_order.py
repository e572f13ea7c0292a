"""The matching shared by every mechanism: a merge of the bid and ask merit orders.

Buyers are ranked by bid, highest first, sellers by ask, lowest first (ties by original
index). Laid end to end, the ranked bid quantities and the ranked ask quantities cover two
segments starting at 0 kWh. Every stretch between consecutive breakpoints of the two segments
is served by exactly one (buyer, seller) pair, and the pairs come in the order the seed system's
nested loop "each buyer in turn takes from the cheapest sellers" visits them. Bid minus ask
never increases along that sequence, so the pairs that may trade (bid >= ask) are a prefix.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .trades import QTY_EPS


class MeritOrderMatch(NamedTuple):
    """Matched quantities, indexed by merit-order rank.

    Attributes
    ----------
    bid_order : np.ndarray of int64
        Bid indices ranked by bid descending (stable) [-].
    ask_order : np.ndarray of int64
        Ask indices ranked by ask ascending (stable) [-].
    buyer_rank : np.ndarray of int64
        Rank (position in ``bid_order``) of the buyer of each trade [-].
    seller_rank : np.ndarray of int64
        Rank (position in ``ask_order``) of the seller of each trade [-].
    kwh : np.ndarray of float64
        Energy of each trade, > ``QTY_EPS`` [kWh].
    """

    bid_order: np.ndarray
    ask_order: np.ndarray
    buyer_rank: np.ndarray
    seller_rank: np.ndarray
    kwh: np.ndarray


def _prefix_sums(qty: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Prefix sums of ``qty`` as unevaluated sums ``hi + lo`` (double-double).

    A plain cumulative sum of 10,000 orders drifts by ~1e-12 kWh, enough to open spurious
    stretches longer than ``QTY_EPS`` where a buyer's and a seller's segments should end
    together. The exact rounding error of each addition (Knuth's TwoSum) is accumulated in
    ``lo``, which makes the breakpoints exact to ~1e-25 kWh.
    """
    hi = np.cumsum(qty)  # sequential: hi[i] is the float sum hi[i-1] + qty[i]
    previous = np.empty_like(hi)
    previous[:1] = 0.0
    previous[1:] = hi[:-1]
    qty_part = hi - previous
    previous_part = hi - qty_part
    rounding_error = (previous - previous_part) + (qty - qty_part)
    return hi, np.cumsum(rounding_error)


def match_merit_order(
    bid_price: np.ndarray, bid_qty: np.ndarray, ask_price: np.ndarray, ask_qty: np.ndarray
) -> MeritOrderMatch:
    """Efficient matching of a validated order book, in O(n log n) without a per-order loop.

    Parameters
    ----------
    bid_price, bid_qty, ask_price, ask_qty : np.ndarray of float64
        A book as returned by :func:`market.validation.check_book` [EUR/kWh], [kWh].

    Returns
    -------
    MeritOrderMatch
        The trades of the "seed" rule, as merit-order ranks and quantities.
    """
    bid_order = np.argsort(-bid_price, kind="stable").astype(np.int64, copy=False)
    ask_order = np.argsort(ask_price, kind="stable").astype(np.int64, copy=False)
    n_bids = bid_order.size
    # Orders at or below QTY_EPS never trade (the nested loop skips them); zeroing them
    # keeps them from shifting everyone behind them.
    bid_ranked_qty = np.where(bid_qty > QTY_EPS, bid_qty, 0.0)[bid_order]
    ask_ranked_qty = np.where(ask_qty > QTY_EPS, ask_qty, 0.0)[ask_order]
    bid_end_hi, bid_end_lo = _prefix_sums(bid_ranked_qty)
    ask_end_hi, ask_end_lo = _prefix_sums(ask_ranked_qty)

    # Merge the two sorted lists of segment ends (stable: on a tie, the buyer's end first).
    end_hi = np.concatenate((bid_end_hi, ask_end_hi))
    merged = np.argsort(end_hi, kind="stable")
    is_bid_end = merged < n_bids
    # The breakpoints, from 0 kWh: row 0 hi, row 1 lo parts (one array: fewer numpy calls).
    point = np.zeros((2, merged.size + 1))
    point[0, 1:] = end_hi[merged]
    point[1, 1:] = np.concatenate((bid_end_lo, ask_end_lo))[merged]
    step = point[:, 1:] - point[:, :-1]
    stretch_kwh = step[0] + step[1]
    # The pair serving a stretch: the buyer and seller whose ends have not been passed yet.
    buyer_rank = np.cumsum(is_bid_end) - is_bid_end
    seller_rank = np.arange(merged.size) - buyer_rank

    # Past the end of either side nothing trades; a stretch <= QTY_EPS is a zero-quantity
    # order or a remainder the nested loop would skip.
    real = (stretch_kwh > QTY_EPS) & (buyer_rank < n_bids) & (seller_rank < ask_order.size)
    buyer_rank = buyer_rank[real]
    seller_rank = seller_rank[real]
    stretch_kwh = stretch_kwh[real]
    # bid - ask is non-increasing along the stretches, so this keeps a prefix.
    acceptable = bid_price[bid_order[buyer_rank]] >= ask_price[ask_order[seller_rank]]
    return MeritOrderMatch(
        bid_order,
        ask_order,
        buyer_rank[acceptable].astype(np.int64, copy=False),
        seller_rank[acceptable].astype(np.int64, copy=False),
        stretch_kwh[acceptable],
    )


def next_order_price(
    ranked_price: np.ndarray, ranked_qty: np.ndarray, marginal_rank: int, fallback: float
) -> float:
    """Price of the first order ranked after ``marginal_rank`` that offers a quantity.

    Parameters
    ----------
    ranked_price, ranked_qty : np.ndarray of float64
        One side of the book in merit order [EUR/kWh], [kWh].
    marginal_rank : int
        Rank of the marginal (last matched) order of that side [-].
    fallback : float
        Returned when no order with a quantity > ``QTY_EPS`` follows [EUR/kWh].
    """
    later = np.flatnonzero(ranked_qty[marginal_rank + 1 :] > QTY_EPS)
    if later.size == 0:
        return fallback
    return float(ranked_price[marginal_rank + 1 + later[0]])
