"""Properties every mechanism must have, and hand-worked books for uniform and trade reduction."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from market_books import books

from market import (
    MECHANISMS,
    NEEDS_RNG,
    QTY_EPS,
    Trades,
    clear,
    clear_seed,
    clear_trade_reduction,
    clear_trade_reduction_own_price,
    clear_uniform,
    operator_surplus,
)

PROPERTY_SETTINGS = settings(max_examples=200, deadline=None)
#: Mechanisms that drop the marginal traders even when every bid beats every ask.
REDUCING = frozenset({"trade_reduction", "huang"})


def options(mechanism: str, seed: int = 0) -> dict:
    """The keyword arguments a mechanism needs: a generator for the cda."""
    return {"rng": np.random.default_rng(seed)} if mechanism in NEEDS_RNG else {}


def traded_per_order(trades: Trades, n_bids: int, n_asks: int):
    bought = np.bincount(trades.buyer, weights=trades.kwh, minlength=n_bids)
    sold = np.bincount(trades.seller, weights=trades.kwh, minlength=n_asks)
    return bought, sold


@pytest.mark.parametrize("mechanism", sorted(MECHANISMS))
@PROPERTY_SETTINGS
@given(book=books())
def test_every_mechanism_is_individually_rational_and_feasible(mechanism, book):
    bid_price, bid_qty, ask_price, ask_qty = book
    trades = clear(mechanism, *book, **options(mechanism))
    assert trades.buyer.dtype == np.int64 and trades.seller.dtype == np.int64
    assert np.all(trades.kwh > QTY_EPS)
    assert np.all(trades.buyer_price <= bid_price[trades.buyer])
    assert np.all(trades.seller_price >= ask_price[trades.seller])
    assert np.all(trades.seller_price <= trades.buyer_price)
    bought, sold = traded_per_order(trades, bid_qty.size, ask_qty.size)
    assert np.all(bought <= bid_qty + 1e-12)
    assert np.all(sold <= ask_qty + 1e-12)


@pytest.mark.parametrize("mechanism", sorted(set(MECHANISMS) - REDUCING))
@PROPERTY_SETTINGS
@given(book=books(bid_range=(0.2, 0.3), ask_range=(0.05, 0.2)))
def test_every_mechanism_trades_everything_when_every_bid_beats_every_ask(mechanism, book):
    # With every bid >= every ask even trade_reduction_own_price keeps all: one side is
    # exhausted, so p0 is built from the marginal trader's own price and the next order's,
    # inside [a_m, b_m]. McAfee's rule (bounded dummies) and Huang's do reduce here.
    bid_price, bid_qty, ask_price, ask_qty = book
    trades = clear(mechanism, *book, **options(mechanism))
    tradable = min(bid_qty[bid_qty > QTY_EPS].sum(), ask_qty[ask_qty > QTY_EPS].sum())
    assert trades.kwh.sum() == pytest.approx(tradable, abs=1e-9)


@pytest.mark.parametrize("mechanism", sorted(MECHANISMS))
@PROPERTY_SETTINGS
@given(book=books(bid_range=(0.05, 0.15), ask_range=(0.16, 0.3)))
def test_no_mechanism_trades_when_every_bid_is_below_every_ask(mechanism, book):
    assert clear(mechanism, *book, **options(mechanism)).n_trades == 0


@PROPERTY_SETTINGS
@given(book=books(), k=st.floats(0.0, 1.0))
def test_uniform_trades_the_seed_quantities_at_one_price(book, k):
    seed = clear_seed(*book)
    trades = clear_uniform(*book, k=k)
    np.testing.assert_array_equal(trades.buyer, seed.buyer)
    np.testing.assert_array_equal(trades.seller, seed.seller)
    np.testing.assert_array_equal(trades.kwh, seed.kwh)
    assert np.unique(trades.buyer_price).size == min(1, seed.n_trades)
    np.testing.assert_array_equal(trades.seller_price, trades.buyer_price)


@pytest.mark.parametrize(
    "reduction", [clear_trade_reduction, clear_trade_reduction_own_price], ids=lambda f: f.__name__
)
@PROPERTY_SETTINGS
@given(book=books())
def test_trade_reduction_keeps_seed_pairs_and_never_runs_a_deficit(reduction, book):
    seed = clear_seed(*book)
    trades = reduction(*book)
    n = trades.n_trades
    assert n <= seed.n_trades
    # The kept trades are the first ones of the seed rule, with the same quantities.
    np.testing.assert_array_equal(trades.buyer, seed.buyer[:n])
    np.testing.assert_array_equal(trades.seller, seed.seller[:n])
    np.testing.assert_array_equal(trades.kwh, seed.kwh[:n])
    assert operator_surplus(trades) >= 0.0
    if n < seed.n_trades:  # reduced: the marginal buyer and seller are out altogether
        assert seed.buyer[-1] not in trades.buyer and seed.seller[-1] not in trades.seller
    else:  # not reduced: one price, budget balanced
        assert np.unique(trades.buyer_price).size == min(1, n)
        assert operator_surplus(trades) == 0.0


@PROPERTY_SETTINGS
@given(book=books())
def test_seed_is_budget_balanced(book):
    trades = clear_seed(*book)
    np.testing.assert_array_equal(trades.seller_price, trades.buyer_price)
    assert operator_surplus(trades) == 0.0


# Hand-worked book shared by the examples below.
# Buyers by bid: B1 0.25 x 1.0, B0 0.20 x 2.0, B2 0.12 x 1.0.
# Sellers by ask: S1 0.10 x 1.0, S0 0.18 x 1.5, S2 0.22 x 2.0.
# Seed matching: B1-S1 1.0 kWh, B0-S0 1.5 kWh; the marginal pair is B0 (0.20) and S0 (0.18).
HAND_BOOK = ([0.20, 0.25, 0.12], [2.0, 1.0, 1.0], [0.18, 0.10, 0.22], [1.5, 1.0, 2.0])


@pytest.mark.parametrize(
    ("k", "price"),
    [(0.5, 0.19), (1.0, 0.20), (0.0, 0.18), (0.25, 0.185)],  # 0.25*0.20 + 0.75*0.18 = 0.185
)
def test_uniform_hand_worked_book(k, price):
    trades = clear_uniform(*HAND_BOOK, k=k)
    assert trades.buyer.tolist() == [1, 0] and trades.seller.tolist() == [1, 0]
    np.testing.assert_allclose(trades.kwh, [1.0, 1.5], rtol=0, atol=1e-12)
    np.testing.assert_allclose(trades.buyer_price, [price, price], rtol=0, atol=1e-12)


@pytest.mark.parametrize(
    "reduction", [clear_trade_reduction, clear_trade_reduction_own_price], ids=lambda f: f.__name__
)
def test_trade_reduction_hand_worked_reduction(reduction):
    # Next bid B2 0.12, next ask S2 0.22: p0 = 0.17 is outside [0.18, 0.20], so B0 and S0
    # are dropped. B1-S1 keeps 1.0 kWh; B1 pays b_m = 0.20, S1 receives a_m = 0.18, and the
    # operator keeps 1.0 * (0.20 - 0.18) = 0.02 EUR. Both sides have a next order, so both
    # variants agree.
    trades = reduction(*HAND_BOOK)
    assert trades.buyer.tolist() == [1] and trades.seller.tolist() == [1]
    np.testing.assert_allclose(trades.kwh, [1.0], rtol=0, atol=1e-12)
    np.testing.assert_allclose(trades.buyer_price, [0.20], rtol=0, atol=1e-12)
    np.testing.assert_allclose(trades.seller_price, [0.18], rtol=0, atol=1e-12)
    assert operator_surplus(trades) == pytest.approx(0.02, abs=1e-12)


def test_trade_reduction_hand_worked_single_price():
    # Buyers B0 0.30 x 1, B1 0.20 x 2, B2 0.15 x 1; sellers S0 0.10 x 2, S1 0.16 x 1,
    # S2 0.19 x 1. Seed: B0-S0 1, B1-S0 1, B1-S1 1; B2 (0.15) < S2 (0.19).
    # Marginal B1 0.20 and S1 0.16; next B2 0.15 and S2 0.19: p0 = 0.17 in [0.16, 0.20],
    # so all 3 kWh trade at 0.17 and the operator keeps nothing.
    trades = clear_trade_reduction(
        [0.30, 0.20, 0.15], [1.0, 2.0, 1.0], [0.10, 0.16, 0.19], [2.0, 1.0, 1.0]
    )
    assert trades.buyer.tolist() == [0, 1, 1] and trades.seller.tolist() == [0, 0, 1]
    np.testing.assert_allclose(trades.kwh, [1.0, 1.0, 1.0], rtol=0, atol=1e-12)
    np.testing.assert_allclose(trades.buyer_price, [0.17] * 3, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(trades.seller_price, trades.buyer_price)


def test_trade_reduction_own_price_both_sides_exhausted_uses_the_marginal_midpoint():
    # Buyers 0.25 x 1 and 0.20 x 1 buy both from one seller 0.10 x 3 who has nobody after
    # it; no buyer is left either. b_next = b_m = 0.20, a_next = a_m = 0.10: p0 = 0.15.
    trades = clear_trade_reduction_own_price([0.25, 0.20], [1.0, 1.0], [0.10], [3.0])
    np.testing.assert_allclose(trades.kwh, [1.0, 1.0], rtol=0, atol=1e-12)
    np.testing.assert_allclose(trades.buyer_price, [0.15, 0.15], rtol=0, atol=1e-12)


def test_trade_reduction_both_sides_exhausted_uses_the_dummy_traders():
    # The same book under McAfee's rule: the dummy buyer bids price_floor = 0, the dummy
    # seller asks price_cap = inf, p0 = inf > b_m: B1 and S0 are out, and with them every
    # trade (both involve S0). With a finite cap of 0.30, p0 = (0 + 0.30) / 2 = 0.15 lies in
    # [0.10, 0.20] and both trades stand at 0.15.
    book = ([0.25, 0.20], [1.0, 1.0], [0.10], [3.0])
    assert clear_trade_reduction(*book).n_trades == 0
    trades = clear_trade_reduction(*book, price_cap=0.30)
    np.testing.assert_allclose(trades.kwh, [1.0, 1.0], rtol=0, atol=1e-12)
    np.testing.assert_allclose(trades.buyer_price, [0.15, 0.15], rtol=0, atol=1e-12)


def test_trade_reduction_own_price_exhausted_buyers_with_a_dear_next_seller_is_reduced():
    # Buyers 0.25 x 1 and 0.20 x 1; sellers S0 0.10 x 1.5, S1 0.22 x 1. Seed: B0-S0 1.0,
    # B1-S0 0.5. No buyer after B1: b_next = b_m = 0.20; a_next = 0.22; p0 = 0.21 > 0.20.
    # Dropping B1 and S0 drops every trade (they all involve S0).
    book = ([0.25, 0.20], [1.0, 1.0], [0.10, 0.22], [1.5, 1.0])
    assert clear_trade_reduction_own_price(*book).n_trades == 0


def test_trade_reduction_exhausted_buyers_meet_the_dummy_buyer():
    # The same book under McAfee's rule: b_next is the dummy buyer's price_floor = 0, so
    # p0 = (0 + 0.22) / 2 = 0.11 lies in [0.10, 0.20] and all 1.5 kWh trade at 0.11. With
    # price_floor = 0.05, p0 = 0.135, also inside.
    book = ([0.25, 0.20], [1.0, 1.0], [0.10, 0.22], [1.5, 1.0])
    trades = clear_trade_reduction(*book)
    np.testing.assert_allclose(trades.kwh, [1.0, 0.5], rtol=0, atol=1e-12)
    np.testing.assert_allclose(trades.buyer_price, [0.11, 0.11], rtol=0, atol=1e-12)
    trades = clear_trade_reduction(*book, price_floor=0.05)
    np.testing.assert_allclose(trades.buyer_price, [0.135, 0.135], rtol=0, atol=1e-12)


def test_trade_reduction_exhausted_sellers_with_the_default_cap_always_reduce():
    # Buyers 0.30 x 1, 0.25 x 1, 0.05 x 1; sellers 0.10 x 1, 0.12 x 1: the sellers run out
    # before the buyers do. The dummy seller asks inf: B1 (0.25) and S1 (0.12) are dropped,
    # B0 buys from S0, pays b_m = 0.25, S0 receives a_m = 0.12.
    trades = clear_trade_reduction([0.30, 0.25, 0.05], [1.0] * 3, [0.10, 0.12], [1.0] * 2)
    assert trades.buyer.tolist() == [0] and trades.seller.tolist() == [0]
    np.testing.assert_allclose(trades.buyer_price, [0.25], rtol=0, atol=1e-12)
    np.testing.assert_allclose(trades.seller_price, [0.12], rtol=0, atol=1e-12)


def test_trade_reduction_skips_empty_orders_when_looking_for_the_next_one():
    # A zero-quantity buyer at 0.19 is no trader: the next bid is 0.15, not 0.19.
    # Marginal B1 0.20 / S1 0.16, next bid 0.15, next ask 0.19: p0 = 0.17 (with the empty
    # order it would have been 0.19).
    trades = clear_trade_reduction(
        [0.30, 0.20, 0.19, 0.15], [1.0, 2.0, 0.0, 1.0], [0.10, 0.16, 0.19], [2.0, 1.0, 1.0]
    )
    np.testing.assert_allclose(trades.buyer_price, [0.17] * 3, rtol=0, atol=1e-12)


def test_clear_dispatches_by_name_and_passes_options():
    for name, function in MECHANISMS.items():
        expected = function(*HAND_BOOK, **options(name))
        actual = clear(name, *HAND_BOOK, **options(name))
        for got, want in zip(actual, expected, strict=True):
            np.testing.assert_array_equal(got, want)
    np.testing.assert_allclose(clear("uniform", *HAND_BOOK, k=1.0).buyer_price, [0.20, 0.20])


def test_clear_refuses_an_unknown_mechanism():
    message = (
        "mechanism must be one of ['cda', 'huang', 'pay_as_bid', 'pay_as_clear', 'seed', "
        "'trade_reduction', 'trade_reduction_own_price', 'uniform'], got 'x'"
    )
    with pytest.raises(ValueError) as error:
        clear("x", *HAND_BOOK)
    assert str(error.value) == message
