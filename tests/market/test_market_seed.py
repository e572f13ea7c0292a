"""The vectorised seed rule against the original nested loop, and hand-worked books."""

from fractions import Fraction

import numpy as np
import pytest
from market_books import BOOK_KINDS, DECIMAL_QUANTITIES, random_book

from market import QTY_EPS, Trades, clear_seed, clear_seed_naive
from market.merit_order import _prefix_sums

BOOKS_PER_KIND = 400  # 1,600 books in all


def assert_same_trades(actual: Trades, expected: Trades) -> None:
    np.testing.assert_array_equal(actual.buyer, expected.buyer)
    np.testing.assert_array_equal(actual.seller, expected.seller)
    np.testing.assert_allclose(actual.kwh, expected.kwh, rtol=0, atol=1e-9)
    np.testing.assert_allclose(actual.buyer_price, expected.buyer_price, rtol=0, atol=1e-9)
    np.testing.assert_allclose(actual.seller_price, expected.seller_price, rtol=0, atol=1e-9)


@pytest.mark.parametrize("kind", BOOK_KINDS)
def test_seed_matches_nested_loop_on_random_books(kind):
    rng = np.random.default_rng(sum(map(ord, kind)))
    n_trades = 0
    for _ in range(BOOKS_PER_KIND):
        book = random_book(rng, kind)
        expected = clear_seed_naive(*book)
        assert_same_trades(clear_seed(*book), expected)
        n_trades += expected.n_trades
    assert n_trades > 10 * BOOKS_PER_KIND  # the books do trade, the comparison is not vacuous


def test_seed_matches_nested_loop_on_a_large_book_with_inexact_prefix_sums():
    # 5,000 orders a side of 0.1, 0.2, 0.3, 0.7 kWh: many buyer and seller segments end
    # together, and plain cumulative sums drift enough (> QTY_EPS) to open spurious trades.
    rng = np.random.default_rng(7)
    n = 5000
    book = (
        rng.uniform(0.1, 0.3, n),
        rng.choice(DECIMAL_QUANTITIES, n),
        rng.uniform(0.05, 0.25, n),
        rng.choice(DECIMAL_QUANTITIES, n),
    )
    expected = clear_seed_naive(*book)
    assert expected.n_trades > 1000
    assert_same_trades(clear_seed(*book), expected)


def test_prefix_sums_are_exact():
    qty = np.random.default_rng(3).choice([0.1, 0.2, 0.3, 0.7, 1.1], 5000)
    hi, lo = _prefix_sums(qty)
    exact = np.cumsum([Fraction(q) for q in qty.tolist()])
    errors = [abs(Fraction(h) + Fraction(x) - e) for h, x, e in zip(hi, lo, exact, strict=True)]
    assert max(errors) < 1e-20
    plain_errors = [abs(Fraction(h) - e) for h, e in zip(hi, exact, strict=True)]
    assert max(plain_errors) > 1e-14  # the plain sum does drift: lo is needed


def test_seed_hand_worked_book():
    # Buyers by bid: B1 0.25 x 1.0, B0 0.20 x 2.0, B2 0.12 x 1.0.
    # Sellers by ask: S1 0.10 x 1.0, S0 0.18 x 1.5, S2 0.22 x 2.0.
    # B1 takes 1.0 from S1 at (0.25 + 0.10) / 2 = 0.175; B0 takes 1.5 from S0 at
    # (0.20 + 0.18) / 2 = 0.19, then S2 asks 0.22 > 0.20; B2 bids 0.12 < 0.22: no more.
    trades = clear_seed([0.20, 0.25, 0.12], [2.0, 1.0, 1.0], [0.18, 0.10, 0.22], [1.5, 1.0, 2.0])
    assert trades.buyer.tolist() == [1, 0]
    assert trades.seller.tolist() == [1, 0]
    np.testing.assert_allclose(trades.kwh, [1.0, 1.5], rtol=0, atol=1e-12)
    np.testing.assert_allclose(trades.buyer_price, [0.175, 0.19], rtol=0, atol=1e-12)
    np.testing.assert_array_equal(trades.seller_price, trades.buyer_price)


def test_seed_ties_go_to_the_lower_index():
    # Two buyers bid 0.2 for 1 kWh, one seller offers 1.5 kWh at 0.1: buyer 0 is served
    # in full, buyer 1 gets the remaining 0.5 kWh. Same on the seller side.
    trades = clear_seed([0.2, 0.2], [1.0, 1.0], [0.1], [1.5])
    assert trades.buyer.tolist() == [0, 1]
    np.testing.assert_allclose(trades.kwh, [1.0, 0.5], rtol=0, atol=1e-12)
    trades = clear_seed([0.2], [1.5], [0.1, 0.1], [1.0, 1.0])
    assert trades.seller.tolist() == [0, 1]
    np.testing.assert_allclose(trades.kwh, [1.0, 0.5], rtol=0, atol=1e-12)


@pytest.mark.parametrize(
    "book",
    [
        ([], [], [], []),
        ([0.2], [1.0], [], []),
        ([], [], [0.1], [1.0]),
        ([0.2, 0.3], [0.0, 0.0], [0.1], [1.0]),
        ([0.2], [QTY_EPS], [0.1], [1.0]),
        ([0.1], [1.0], [0.2], [1.0]),
    ],
    ids=["empty", "no-asks", "no-bids", "zero-bids", "negligible-bid", "bid-below-ask"],
)
def test_seed_books_without_a_trade(book):
    trades = clear_seed(*book)
    assert trades.n_trades == 0
    assert trades.buyer.dtype == np.int64 and trades.kwh.dtype == np.float64
    assert clear_seed_naive(*book).n_trades == 0


def test_trades_empty():
    empty = Trades.empty()
    assert empty.n_trades == 0
    assert [field.size for field in empty] == [0] * 5
    assert empty.buyer.dtype == np.int64 and empty.seller.dtype == np.int64
