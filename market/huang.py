"""Huang, Scheller-Wolf and Sycara's multi-unit double auction (2002)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .merit_order import match_merit_order
from .trades import QTY_EPS, Trades
from .validation import check_book


def ration_equal_loss(qty: np.ndarray, excess: float) -> np.ndarray:
    """Cut ``excess`` off a side's quantities in equal shares, never below zero.

    Every order gives up the same amount l, or all of its quantity if that is less than l,
    with l chosen so that the cuts add up to ``excess`` (constrained equal losses). This is
    the rationing of the long side in Huang et al. (2002), as pymarket implements it
    (``update_quantity`` in pymarket/mechanisms/huang_auction.py: drop the orders smaller
    than the equal share, share the rest equally among the others).

    Parameters
    ----------
    qty : np.ndarray of float64
        Quantities of the long side's trading orders, >= 0 [kWh].
    excess : float
        Energy to remove, in [0, qty.sum()] [kWh].

    Returns
    -------
    np.ndarray of float64
        max(qty - l, 0), in the order of ``qty`` [kWh].

    Examples
    --------
    The examples of pymarket's ``update_quantity``:

    >>> ration_equal_loss(np.array([1.0, 2.0, 3.0]), 0.6).round(12).tolist()
    [0.8, 1.8, 2.8]
    >>> ration_equal_loss(np.array([1.0, 0.5, 2.0]), 1.8).round(12).tolist()
    [0.35, 0.0, 1.35]
    """
    if excess <= 0.0 or qty.size == 0:
        return qty.copy()
    ascending = np.sort(qty)
    n = ascending.size
    # With the k smallest orders dropped entirely, the others share what is left to cut.
    dropped_sum = np.concatenate(([0.0], np.cumsum(ascending)[:-1]))
    share = (excess - dropped_sum) / (n - np.arange(n))
    # The first k whose own order is at least its share: the smaller ones are dropped.
    k = int(np.argmax(ascending >= share)) if np.any(ascending >= share) else n - 1
    return np.maximum(qty - share[k], 0.0)


def clear_huang(
    bid_price: ArrayLike, bid_qty: ArrayLike, ask_price: ArrayLike, ask_qty: ArrayLike
) -> Trades:
    """Clear a book with the multi-unit double auction of Huang, Scheller-Wolf & Sycara.

    Buyers are ranked by bid descending, sellers by ask ascending (ties: lower index first),
    as for the seed rule. The K-th buyer and the L-th seller are the ones whose steps of the
    demand and supply curves meet where the curves cross: the marginal (last matched) buyer
    and seller of the efficient merit-order matching.

    - The K-th buyer and the L-th seller set the prices and do not trade.
    - Buyers ranked before K buy, each paying p_b = b_K per kWh; sellers ranked before L
      sell, each receiving p_s = s_L per kWh.
    - Every trading order offers its whole quantity. The side offering more (the long side)
      is rationed down to the other side's total by equal losses
      (:func:`ration_equal_loss`: each long-side order gives up the same amount, orders
      smaller than that drop out), so exactly as much is bought as is sold.
    - The rationed quantities are paired in merit order (any pairing is feasible: every
      trading bid is >= b_K >= s_L >= every trading ask).

    The operator keeps Q * (p_b - p_s) >= 0, Q the traded energy.

    Properties (Huang et al. 2002): strategy-proof with respect to the reservation price
    (a trader's price decides only whether it trades, the prices are set by non-trading
    traders); individually rational; weakly budget balanced (the operator never pays in:
    p_b >= p_s; not strongly, it keeps the surplus above); sellers are unlikely to gain by
    under-reporting their quantity; not efficient (the price-setting pair and the rationed
    energy are lost), with the loss bounded and vanishing as the number of traders grows.

    Reconstruction: the paper's full text was not available while this was written; the
    rule follows its abstract and pymarket's implementation and tests
    (gus0k/pymarket, pymarket/mechanisms/huang_auction.py, tests/test_huang.py), which this
    function reproduces (tests/market/test_market_paper_examples.py). One difference: when
    an order's quantity is rationed to below ``QTY_EPS`` it does not appear in the trades.

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
        ``buyer_price`` = p_b = b_K and ``seller_price`` = p_s = s_L for every trade.

    Raises
    ------
    ValueError
        Naming the argument if the book is not 1-D, finite, of matching lengths and
        non-negative quantities.

    References
    ----------
    .. [1] P. Huang, A. Scheller-Wolf and K. Sycara, "Design of a multi-unit double auction
       e-market", Computational Intelligence 18(4):596-617, 2002.
    .. [2] D. Kiedanski, D. Kofman and J. Horta, "PyMarket - a simple library for
       simulating markets in Python", Journal of Open Source Software 4(44):1591, 2019.

    Examples
    --------
    pymarket's "dataset 0": buyers 3 x 1, 4 x 2, 1 x 5 and sellers 2 x 4, 1 x 1, 6 x 5
    (price x quantity). The curves cross on the buyer at 3 and the seller at 2: the buyer at
    4 (2 wanted) and the seller at 1 (1 offered) trade, the buyer rationed to 1.

    >>> trades = clear_huang([3, 4, 1], [1, 2, 5], [2, 1, 6], [4, 1, 5])
    >>> trades.buyer.tolist(), trades.seller.tolist(), trades.kwh.tolist()
    ([1], [1], [1.0])
    >>> trades.buyer_price.tolist(), trades.seller_price.tolist()
    ([3.0], [2.0])
    """
    bid_price, bid_qty, ask_price, ask_qty = check_book(bid_price, bid_qty, ask_price, ask_qty)
    match = match_merit_order(bid_price, bid_qty, ask_price, ask_qty)
    if match.kwh.size == 0:
        return Trades.empty()
    k_rank, l_rank = int(match.buyer_rank[-1]), int(match.seller_rank[-1])
    buyer_price = bid_price[match.bid_order[k_rank]]
    seller_price = ask_price[match.ask_order[l_rank]]
    buyers = match.bid_order[:k_rank]
    sellers = match.ask_order[:l_rank]
    bought = np.where(bid_qty[buyers] > QTY_EPS, bid_qty[buyers], 0.0)
    sold = np.where(ask_qty[sellers] > QTY_EPS, ask_qty[sellers], 0.0)
    gap = float(sold.sum() - bought.sum())
    if gap > 0:
        sold = ration_equal_loss(sold, gap)
    else:
        bought = ration_equal_loss(bought, -gap)
    # Every trading bid beats every trading ask: pair them in merit order at one dummy price.
    pairs = match_merit_order(
        np.zeros(buyers.size), bought, np.zeros(sellers.size), np.where(sold > QTY_EPS, sold, 0.0)
    )
    n = pairs.kwh.size
    return Trades(
        buyers[pairs.bid_order[pairs.buyer_rank]],
        sellers[pairs.ask_order[pairs.seller_rank]],
        pairs.kwh,
        np.full(n, buyer_price),
        np.full(n, seller_price),
    )
