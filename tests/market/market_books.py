"""Random order books for the market tests: seeded numpy draws and a hypothesis strategy."""

import numpy as np
from hypothesis import strategies as st

#: A few prices and quantities drawn often, to force ties in price and equal prefix sums.
TIE_PRICES = (0.1, 0.15, 0.2)
TIE_QUANTITIES = (0.0, 0.5, 1.0, 1.5)
#: Quantities whose prefix sums are not exact in binary floating point.
DECIMAL_QUANTITIES = (0.1, 0.2, 0.3, 0.7)

BOOK_KINDS = ("continuous", "tied", "decimal", "sparse")


def random_book(rng: np.random.Generator, kind: str, max_orders: int = 60):
    """One book with 0..max_orders orders a side, prices in [0.05, 0.3], kWh in [0, 3].

    kind "continuous": uniform draws; "tied": prices and quantities from small sets;
    "decimal": quantities like 0.1, 0.7 (rounded prefix sums); "sparse": a third of the
    quantities zero or below QTY_EPS.
    """
    n_bids, n_asks = rng.integers(0, max_orders + 1, size=2)

    def prices(n):
        if kind == "tied":
            return rng.choice(TIE_PRICES, n)
        return rng.uniform(0.05, 0.3, n)

    def quantities(n):
        if kind == "tied":
            return rng.choice(TIE_QUANTITIES, n)
        if kind == "decimal":
            return rng.choice(DECIMAL_QUANTITIES, n)
        qty = rng.uniform(0.0, 3.0, n)
        if kind == "sparse":
            negligible = rng.random(n) < 0.3
            qty[negligible] = rng.choice([0.0, 1e-13, 1e-12], np.count_nonzero(negligible))
        return qty

    return prices(n_bids), quantities(n_bids), prices(n_asks), quantities(n_asks)


def _side(draw, n, price, qty):
    prices = draw(st.lists(price, min_size=n, max_size=n))
    quantities = draw(st.lists(qty, min_size=n, max_size=n))
    return np.array(prices, dtype=np.float64), np.array(quantities, dtype=np.float64)


@st.composite
def books(draw, max_orders=20, bid_range=(0.05, 0.3), ask_range=(0.05, 0.3)):
    """Hypothesis strategy for (bid_price, bid_qty, ask_price, ask_qty), ties included."""
    quantity = st.one_of(st.sampled_from(TIE_QUANTITIES), st.floats(0.0, 3.0))

    def price(lo, hi):
        ties = [p for p in TIE_PRICES if lo <= p <= hi]
        return st.one_of(st.sampled_from(ties), st.floats(lo, hi)) if ties else st.floats(lo, hi)

    n_bids = draw(st.integers(0, max_orders))
    n_asks = draw(st.integers(0, max_orders))
    bid_price, bid_qty = _side(draw, n_bids, price(*bid_range), quantity)
    ask_price, ask_qty = _side(draw, n_asks, price(*ask_range), quantity)
    return bid_price, bid_qty, ask_price, ask_qty
