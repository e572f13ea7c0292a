"""Hypothesis properties of each mechanism: prices, budget balance, quantities, determinism."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from market_books import books

from market import (
    QTY_EPS,
    Trades,
    allocative_efficiency,
    clear_cda,
    clear_huang,
    clear_pay_as_bid,
    clear_pay_as_clear,
    clear_seed,
    clear_trade_reduction,
    max_surplus,
    operator_surplus,
)
from market.cda import match_in_arrival_order

PROPERTY_SETTINGS = settings(max_examples=200, deadline=None)


def traded_per_order(trades, n_bids, n_asks):
    bought = np.bincount(trades.buyer, weights=trades.kwh, minlength=n_bids)
    sold = np.bincount(trades.seller, weights=trades.kwh, minlength=n_asks)
    return bought, sold


def assert_rational_and_feasible(book, trades):
    bid_price, bid_qty, ask_price, ask_qty = book
    assert np.all(trades.kwh > QTY_EPS)
    assert np.all(trades.buyer_price <= bid_price[trades.buyer])
    assert np.all(trades.seller_price >= ask_price[trades.seller])
    bought, sold = traded_per_order(trades, bid_qty.size, ask_qty.size)
    assert np.all(bought <= bid_qty + 1e-12) and np.all(sold <= ask_qty + 1e-12)


# --- pay as bid ---------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(book=books())
def test_pay_as_bid_prices_are_the_orders_own_and_the_operator_never_loses(book):
    bid_price, _, ask_price, _ = book
    seed = clear_seed(*book)
    trades = clear_pay_as_bid(*book)
    np.testing.assert_array_equal(trades.buyer, seed.buyer)
    np.testing.assert_array_equal(trades.seller, seed.seller)
    np.testing.assert_array_equal(trades.kwh, seed.kwh)
    np.testing.assert_array_equal(trades.buyer_price, bid_price[trades.buyer])
    np.testing.assert_array_equal(trades.seller_price, ask_price[trades.seller])
    assert operator_surplus(trades) >= 0.0
    assert_rational_and_feasible(book, trades)


# --- pay as clear --------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(book=books())
def test_pay_as_clear_is_one_market_clearing_price(book):
    bid_price, bid_qty, ask_price, ask_qty = book
    seed = clear_seed(*book)
    trades = clear_pay_as_clear(*book)
    np.testing.assert_array_equal(trades.kwh, seed.kwh)
    np.testing.assert_array_equal(trades.seller_price, trades.buyer_price)
    assert operator_surplus(trades) == 0.0  # strongly budget balanced
    assert_rational_and_feasible(book, trades)
    if trades.n_trades == 0:
        return
    price = trades.buyer_price[0]
    assert np.all(trades.buyer_price == price)
    # Market clearing: nobody left wanting (offering) energy bids above (asks below) it.
    bought, sold = traded_per_order(trades, bid_qty.size, ask_qty.size)
    wanting = bid_qty - bought > 1e-9
    offering = ask_qty - sold > 1e-9
    assert np.all(bid_price[wanting] <= price)
    assert np.all(ask_price[offering] >= price)


# --- McAfee --------------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(book=books(), price_cap=st.one_of(st.just(np.inf), st.floats(0.3, 1.0)))
def test_trade_reduction_with_dummies_is_rational_and_never_runs_a_deficit(book, price_cap):
    trades = clear_trade_reduction(*book, price_cap=price_cap)
    assert_rational_and_feasible(book, trades)
    assert operator_surplus(trades) >= 0.0
    assert np.all(trades.seller_price <= trades.buyer_price)


# --- Huang ---------------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(book=books())
def test_huang_prices_set_by_the_marginal_pair_who_do_not_trade(book):
    bid_price, bid_qty, ask_price, ask_qty = book
    seed = clear_seed(*book)
    trades = clear_huang(*book)
    assert_rational_and_feasible(book, trades)
    assert operator_surplus(trades) >= 0.0  # weakly budget balanced
    if seed.n_trades == 0:
        assert trades.n_trades == 0
        return
    marginal_buyer, marginal_seller = seed.buyer[-1], seed.seller[-1]
    assert marginal_buyer not in trades.buyer and marginal_seller not in trades.seller
    assert np.all(trades.buyer_price == bid_price[marginal_buyer])
    assert np.all(trades.seller_price == ask_price[marginal_seller])
    # Everyone ranked before the marginal pair offers all; the short side trades all of it.
    order_b = np.argsort(-bid_price, kind="stable")
    order_s = np.argsort(ask_price, kind="stable")
    before_b = order_b[: np.flatnonzero(order_b == marginal_buyer)[0]]
    before_s = order_s[: np.flatnonzero(order_s == marginal_seller)[0]]
    offered_b = bid_qty[before_b][bid_qty[before_b] > QTY_EPS].sum()
    offered_s = ask_qty[before_s][ask_qty[before_s] > QTY_EPS].sum()
    assert trades.kwh.sum() == pytest.approx(min(offered_b, offered_s), abs=1e-9)


# --- continuous double auction ---------------------------------------------------------------


def naive_cda(arrival, n_bids, bid_price, bid_qty, ask_price, ask_qty):
    """The CDA as plainly as possible: scan the standing orders for the best one each time."""
    standing = []  # [side, time, index, price, remaining]
    trades = []
    for time, order in enumerate(arrival):
        is_bid = order < n_bids
        index = order if is_bid else order - n_bids
        price = bid_price[index] if is_bid else ask_price[index]
        left = bid_qty[index] if is_bid else ask_qty[index]
        if left <= QTY_EPS:
            continue
        while left > QTY_EPS:
            other = [s for s in standing if s[0] != is_bid and s[4] > QTY_EPS]
            if is_bid:
                other = [s for s in other if s[3] <= price]
                best = min(other, key=lambda s: (s[3], s[1]), default=None)
            else:
                other = [s for s in other if s[3] >= price]
                best = min(other, key=lambda s: (-s[3], s[1]), default=None)
            if best is None:
                break
            kwh = min(left, best[4])
            best[4] -= kwh
            left -= kwh
            trades.append((index, best[2]) if is_bid else (best[2], index))
            trades[-1] += (kwh, best[3])
        if left > QTY_EPS:
            standing.append([is_bid, time, index, price, left])
    return trades


@PROPERTY_SETTINGS
@given(book=books(), seed=st.integers(0, 2**32 - 1))
def test_cda_matches_the_plain_reference_and_is_deterministic(book, seed):
    bid_price, bid_qty, ask_price, ask_qty = book
    trades = clear_cda(*book, rng=np.random.default_rng(seed))
    again = clear_cda(*book, rng=np.random.default_rng(seed))
    for got, want in zip(again, trades, strict=True):
        np.testing.assert_array_equal(got, want)
    assert_rational_and_feasible(book, trades)
    np.testing.assert_array_equal(trades.seller_price, trades.buyer_price)
    arrival = np.random.default_rng(seed).permutation(bid_price.size + ask_price.size).tolist()
    expected = naive_cda(arrival, bid_price.size, *[a.tolist() for a in book])
    assert trades.n_trades == len(expected)
    if expected:
        buyer, seller, kwh, price = map(list, zip(*expected, strict=True))
        assert trades.buyer.tolist() == buyer and trades.seller.tolist() == seller
        np.testing.assert_allclose(trades.kwh, kwh, rtol=0, atol=1e-12)
        np.testing.assert_array_equal(trades.buyer_price, price)


@PROPERTY_SETTINGS
@given(book=books())
def test_cda_leaves_no_crossing_orders_standing(book):
    # At the end of the arrivals the best remaining bid is below the best remaining ask.
    bid_price, bid_qty, ask_price, ask_qty = book
    trades = clear_cda(*book, rng=np.random.default_rng(0))
    bought, sold = traded_per_order(trades, bid_qty.size, ask_qty.size)
    wanting = (bid_qty > QTY_EPS) & (bid_qty - bought > 1e-9)
    offering = (ask_qty > QTY_EPS) & (ask_qty - sold > 1e-9)
    if wanting.any() and offering.any():
        assert bid_price[wanting].max() < ask_price[offering].min()


def test_cda_different_seeds_give_different_orders():
    rng = np.random.default_rng(5)
    book = (
        rng.uniform(0.1, 0.3, 50),
        rng.uniform(0, 2, 50),
        rng.uniform(0.05, 0.25, 50),
        rng.uniform(0, 2, 50),
    )
    first = clear_cda(*book, rng=np.random.default_rng(1))
    second = clear_cda(*book, rng=np.random.default_rng(2))
    assert first.n_trades != second.n_trades or not np.array_equal(first.kwh, second.kwh)


def test_match_in_arrival_order_time_priority_on_equal_prices():
    # Two asks at 0.10 stand; the earlier (ask 1, arrived first) trades first.
    buyer, seller, kwh, price = match_in_arrival_order(
        [2, 1, 0], 1, [0.2], [1.0], [0.10, 0.10], [1.0, 1.0]
    )
    assert seller == [1] and kwh == [1.0] and price == [0.10]


# --- allocative efficiency -------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(book=books())
def test_efficiency_of_truthful_merit_order_is_one_and_no_mechanism_beats_it(book):
    best = max_surplus(*book)
    seed = clear_seed(*book)
    efficiency = allocative_efficiency(*book, seed)
    if best <= 0:
        assert np.isnan(efficiency)
        return
    assert efficiency == pytest.approx(1.0, abs=1e-9)
    for trades in (
        clear_huang(*book),
        clear_trade_reduction(*book),
        clear_cda(*book, rng=np.random.default_rng(0)),
    ):
        assert allocative_efficiency(*book, trades) <= 1.0 + 1e-9


def test_efficiency_hand_worked_and_negative():
    # Values 0.30, 0.20; costs 0.10, 0.25; 1 kWh each. Most: 0.30 - 0.10 = 0.20 EUR.
    # Buyer 1 (0.20) buying seller 1 (0.25) loses 0.05 EUR: efficiency -0.25.
    book = ([0.30, 0.20], [1.0, 1.0], [0.10, 0.25], [1.0, 1.0])
    assert max_surplus(*book) == pytest.approx(0.20)
    loss = Trades(np.array([1]), np.array([1]), np.array([1.0]), np.array([0.2]), np.array([0.2]))
    assert allocative_efficiency(*book, loss) == pytest.approx(-0.25)
    assert allocative_efficiency(*book, Trades.empty()) == 0.0
    assert np.isnan(allocative_efficiency([0.1], [1.0], [0.2], [1.0], Trades.empty()))


def test_efficiency_refuses_bad_inputs_naming_them():
    with pytest.raises(ValueError, match="bid_value must be finite"):
        allocative_efficiency([np.nan], [1.0], [0.1], [1.0], Trades.empty())
    with pytest.raises(ValueError, match="ask_qty must have the length of ask_value"):
        allocative_efficiency([0.2], [1.0], [0.1], [1.0, 2.0], Trades.empty())
    far = Trades(np.array([3]), np.array([0]), np.array([1.0]), np.array([0.2]), np.array([0.2]))
    with pytest.raises(ValueError, match="trades must index into bid_value and ask_value"):
        allocative_efficiency([0.2], [1.0], [0.1], [1.0], far)
