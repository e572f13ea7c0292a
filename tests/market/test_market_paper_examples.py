"""Mechanisms against worked examples published with their papers or reference implementations.

Where a paper's own numbers could not be found, the docstring says so and the test checks the
mechanism's defining rule on a book worked out by hand instead.
"""

import numpy as np
import pytest

from market import (
    clear_huang,
    clear_pay_as_bid,
    clear_pay_as_clear,
    clear_trade_reduction,
    operator_surplus,
)
from market.cda import match_in_arrival_order
from market.huang import ration_equal_loss

# --- Huang, Scheller-Wolf & Sycara (2002) -----------------------------------------------------


def per_order(trades, n_bids, n_asks):
    bought = np.bincount(trades.buyer, weights=trades.kwh, minlength=n_bids)
    sold = np.bincount(trades.seller, weights=trades.kwh, minlength=n_asks)
    return bought, sold


def test_huang_pymarket_dataset_0():
    """pymarket's test of its Huang auction, ``test_huang_auction_with_dataset_0``.

    Source: gus0k/pymarket, tests/conftest.py (``bid_dataset_0``) and tests/test_huang.py.
    The paper's own numerical example could not be read (its full text was not available);
    this is the example of the reference implementation the issue names.

    Bids (quantity, price, id): (1, 3, 0), (2, 4, 1), (5, 1, 2) buying; (4, 2, 3), (1, 1, 4),
    (5, 6, 5) selling. Expected transactions (bid id, quantity, price): (1, 1, 3) and
    (4, 1, 2): the buyer at 4 buys 1 unit at 3, the seller at 1 sells 1 unit at 2.
    """
    trades = clear_huang([3, 4, 1], [1, 2, 5], [2, 1, 6], [4, 1, 5])
    bought, sold = per_order(trades, 3, 3)
    np.testing.assert_allclose(bought, [0, 1, 0], rtol=0, atol=1e-12)
    np.testing.assert_allclose(sold, [0, 1, 0], rtol=0, atol=1e-12)
    assert trades.buyer_price.tolist() == [3.0] and trades.seller_price.tolist() == [2.0]
    assert operator_surplus(trades) == pytest.approx(1.0)


def test_huang_pymarket_dataset_3():
    """pymarket's ``test_huang_auction_with_dataset_3`` (tests/test_huang.py, conftest.py).

    Buying (quantity, price, id): (1, 6, 0), (0.1, 5, 1), (1.9, 4, 2), (1, 3, 3); selling:
    (1, 1, 4), (1.5, 2, 5), (1, 2.5, 6), (1, 4, 7). Expected transactions (bid id,
    quantity, price): (0, 0.8, 3), (1, 0, 3), (2, 1.7, 3), (4, 1, 2.5), (5, 1.5, 2.5).
    Buyers 0-2 want 3.0, sellers 4-5 offer 2.5: the 0.5 excess is cut in equal shares,
    buyer 1 (0.1 < 0.5 / 3) drops out, buyers 0 and 2 give up 0.2 each.
    """
    trades = clear_huang([6, 5, 4, 3], [1, 0.1, 1.9, 1], [1, 2, 2.5, 4], [1, 1.5, 1, 1])
    bought, sold = per_order(trades, 4, 4)
    np.testing.assert_allclose(bought, [0.8, 0.0, 1.7, 0.0], rtol=0, atol=1e-12)
    np.testing.assert_allclose(sold, [1.0, 1.5, 0.0, 0.0], rtol=0, atol=1e-12)
    assert set(trades.buyer_price.tolist()) == {3.0}
    assert set(trades.seller_price.tolist()) == {2.5}


@pytest.mark.parametrize(
    ("qty", "excess", "expected"),
    [([1, 2, 3], 0.6, [0.8, 1.8, 2.8]), ([1, 0.5, 2], 1.8, [0.35, 0.0, 1.35])],
)
def test_huang_rationing_pymarket_update_quantity(qty, excess, expected):
    """The doctest examples of pymarket's ``update_quantity``, which implements "the
    footnote in page 8" of Huang et al. (2002): the long side's equal-loss rationing."""
    np.testing.assert_allclose(
        ration_equal_loss(np.array(qty, float), excess), expected, rtol=0, atol=1e-12
    )


# --- McAfee (1992) -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "costs", "buyers", "sellers", "buyer_price", "seller_price"),
    [
        ([9, 8], [3, 4], [0], [0], 8, 4),  # both sides exhausted: reduced
        ([9, 4], [8, 3], [0], [1], 6, 6),  # p0 = (4 + 8) / 2 = 6 in [3, 9]
        ([9, 8], [4], [], [], None, None),  # no seller after the marginal: reduced
        ([9], [4, 3], [], [], None, None),  # p0 = (0 + 4) / 2 = 2 < 3: reduced
    ],
)
def test_mcafee_segal_halevi_doctests(values, costs, buyers, sellers, buyer_price, seller_price):
    """The doctests of Segal-Halevi's implementation of McAfee's protocol.

    Source: erelsgl/auctions, mcafee_protocol.py (``mcafee_trade_reduction``; sellers are
    written there as negative values). McAfee (1992) itself has no worked numerical book
    (its Table I is a simulation of efficiency), so these published examples stand in.
    Expected there: buyers [9, 8], sellers [3, 4]: buyer 9 trades and pays 8, seller 3
    trades and receives 4; buyers [9, 4], sellers [8, 3]: buyer 9 and seller 3 trade at 6;
    buyers [9, 8], seller [4]: no trade; buyer [9], sellers [4, 3]: no trade. That
    implementation puts a dummy at -1e6 where a side is exhausted; here the dummy buyer
    bids price_floor = 0 and the dummy seller asks price_cap = inf, which gives the same
    outcomes on these books.
    """
    trades = clear_trade_reduction(values, [1.0] * len(values), costs, [1.0] * len(costs))
    assert trades.buyer.tolist() == buyers and trades.seller.tolist() == sellers
    if buyer_price is not None:
        assert trades.buyer_price.tolist() == [buyer_price]
        assert trades.seller_price.tolist() == [seller_price]


def test_mcafee_segal_halevi_demo():
    """The two books of erelsgl/auctions, mcafee_demo.py, labelled there "Example without
    trade reduction" and "Example with trade reduction" (buyers 17, 14, 13, 9, 6; sellers
    1, 4, 5, 8 and 11 or 13). The file prints its results rather than stating them; the
    numbers below are McAfee's rule worked by hand: k = 4 (9 >= 8, 6 < 11); p0 = (6 + 11) / 2
    = 8.5 lies in [8, 9], all four trade at 8.5; with 13, p0 = 9.5 > 9, the fourth pair is
    dropped, three buyers pay 9, three sellers receive 8.
    """
    values, ones = [17, 14, 13, 9, 6], [1.0] * 5
    trades = clear_trade_reduction(values, ones, [1, 4, 5, 8, 11], ones)
    assert trades.n_trades == 4 and set(trades.buyer_price.tolist()) == {8.5}
    trades = clear_trade_reduction(values, ones, [1, 4, 5, 8, 13], ones)
    assert trades.buyer.tolist() == [0, 1, 2] and trades.seller.tolist() == [0, 1, 2]
    assert set(trades.buyer_price.tolist()) == {9.0} and set(trades.seller_price.tolist()) == {8.0}
    assert operator_surplus(trades) == pytest.approx(3.0)


# --- Pay as clear ------------------------------------------------------------------------------


def test_pay_as_clear_bichler_whitepaper_figure_5a():
    """Bichler et al. (2021), "Electricity spot market design 2030-2050", Figure 5 a), as
    encoded in ASSUME's tests/test_clearing_paper_examples.py
    (``test_complex_clearing_whitepaper_a``): demand 10 MW at 300 and 14 MW at 10, supply
    1 MW at 40, 11 MW at 40 and 13 MW at 100. Published clearing: 10 MW at a price of 40.

    In the paper the 11 MW at 40 is a block order; here every order is divisible. The
    published outcome is also the divisible clearing: the 40 step is cut at 10 MW, the
    supply curve is flat there, so the price is 40.
    """
    trades = clear_pay_as_clear([300, 10], [10, 14], [40, 40, 100], [1, 11, 13])
    assert trades.kwh.sum() == pytest.approx(10.0)
    assert set(trades.buyer_price.tolist()) == {40.0}
    assert set(trades.buyer.tolist()) == {0} and set(trades.seller.tolist()) == {0, 1}


def test_pay_as_clear_vertical_overlap_takes_the_midpoint():
    """No published example found for the vertical-overlap rule; a hand-worked book.

    Buyers 0.30 x 2 and 0.14 x 1, sellers 0.10 x 2 and 0.20 x 1: the 2 kWh of each side
    end together, both curves step at Q = 2. Every price in [max(0.10, 0.14),
    min(0.30, 0.20)] = [0.14, 0.20] clears the market; the midpoint 0.17 is used.
    """
    trades = clear_pay_as_clear([0.30, 0.14], [2.0, 1.0], [0.10, 0.20], [2.0, 1.0])
    np.testing.assert_allclose(trades.kwh, [2.0], rtol=0, atol=1e-12)
    np.testing.assert_allclose(trades.buyer_price, [0.17], rtol=0, atol=1e-12)


# --- Pay as bid --------------------------------------------------------------------------------


def test_pay_as_bid_hand_worked_book():
    """No published book with divisible P2P orders found; the rule on a hand-worked book.

    Buyers B1 0.25 x 1, B0 0.20 x 2; sellers S1 0.10 x 1, S0 0.18 x 1.5, S2 0.22 x 2 (the
    merit order of the seed tests): B1-S1 1.0 kWh, B0-S0 1.5 kWh. B1 pays 0.25, S1 gets
    0.10; B0 pays 0.20, S0 gets 0.18; the operator keeps 1.0 * 0.15 + 1.5 * 0.02 = 0.18 EUR.
    """
    trades = clear_pay_as_bid([0.20, 0.25, 0.12], [2.0, 1.0, 1.0], [0.18, 0.10, 0.22], [1.5, 1, 2])
    assert trades.buyer.tolist() == [1, 0] and trades.seller.tolist() == [1, 0]
    assert trades.buyer_price.tolist() == [0.25, 0.20]
    assert trades.seller_price.tolist() == [0.10, 0.18]
    assert operator_surplus(trades) == pytest.approx(0.18, abs=1e-12)


# --- Continuous double auction -------------------------------------------------------------


def test_cda_hand_worked_arrival_order():
    """The CDA rule (Smith 1962; Gode & Sunder 1993: the earlier order's price) on a fixed
    order of arrival, worked by hand; no published divisible example was found.

    Arrivals: ask A0 0.12 x 1, ask A1 0.10 x 1, bid B0 0.15 x 1.5, bid B1 0.20 x 1, ask A2
    0.14 x 2. B0 takes A1 first (cheapest, 1 kWh at 0.10), then 0.5 kWh of A0 at 0.12. B1
    takes A0's remaining 0.5 kWh at 0.12 and stands with 0.5 kWh. A2 (0.14) meets the
    standing B1 (0.20): 0.5 kWh at 0.20; A2's 1.5 kWh stand at the end.
    """
    bid_price, bid_qty = [0.15, 0.20], [1.5, 1.0]
    ask_price, ask_qty = [0.12, 0.10, 0.14], [1.0, 1.0, 2.0]
    arrival = [2, 3, 0, 1, 4]  # orders 0, 1 are the bids, 2 + j is ask j
    buyer, seller, kwh, price = match_in_arrival_order(
        arrival, 2, bid_price, bid_qty, ask_price, ask_qty
    )
    assert buyer == [0, 0, 1, 1] and seller == [1, 0, 0, 2]
    np.testing.assert_allclose(kwh, [1.0, 0.5, 0.5, 0.5], rtol=0, atol=1e-12)
    np.testing.assert_allclose(price, [0.10, 0.12, 0.12, 0.20], rtol=0, atol=1e-12)
