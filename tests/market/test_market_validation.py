"""Invalid books are refused with an error that names the argument."""

import numpy as np
import pytest

from market import (
    MECHANISMS,
    NEEDS_RNG,
    clear,
    clear_cda,
    clear_seed_naive,
    clear_trade_reduction,
    clear_uniform,
)

GOOD = {"bid_price": [0.2, 0.1], "bid_qty": [1.0, 2.0], "ask_price": [0.1], "ask_qty": [1.0]}


@pytest.mark.parametrize(
    ("argument", "value", "complaint"),
    [
        ("bid_price", [[0.2, 0.1]], "bid_price must be 1-D"),
        ("bid_price", 0.2, "bid_price must be 1-D"),
        ("bid_qty", [1.0, -0.5], "bid_qty must be >= 0"),
        ("bid_qty", [1.0], "bid_qty must have the length of bid_price"),
        ("ask_price", [np.nan], "ask_price must be finite"),
        ("ask_qty", [np.inf], "ask_qty must be finite"),
        ("ask_qty", [1.0, 1.0], "ask_qty must have the length of ask_price"),
    ],
)
@pytest.mark.parametrize("mechanism", [*sorted(MECHANISMS), "naive"])
def test_invalid_book_names_the_argument(mechanism, argument, value, complaint):
    book = {**GOOD, argument: value}
    with pytest.raises(ValueError, match=complaint):
        if mechanism == "naive":
            clear_seed_naive(**book)
        else:
            rng = {"rng": np.random.default_rng(0)} if mechanism in NEEDS_RNG else {}
            clear(mechanism, **book, **rng)


@pytest.mark.parametrize("k", [-0.1, 1.5, float("nan")])
def test_uniform_refuses_k_outside_unit_interval(k):
    with pytest.raises(ValueError, match=r"k must be in \[0, 1\]"):
        clear_uniform(**GOOD, k=k)


@pytest.mark.parametrize(
    "rng", [None, 42, np.random.RandomState(0)], ids=["missing", "int", "legacy"]
)
def test_cda_refuses_anything_but_a_generator_naming_rng(rng):
    with pytest.raises(ValueError, match=r"rng must be a numpy.random.Generator"):
        clear_cda(**GOOD, rng=rng)
    with pytest.raises(ValueError, match=r"rng must be a numpy.random.Generator"):
        clear("cda", **GOOD)


@pytest.mark.parametrize(
    ("bounds", "book", "complaint"),
    [
        ({"price_floor": float("nan")}, {}, "price_floor must be a number"),
        ({"price_floor": float("inf")}, {}, "price_floor must be a number"),
        ({"price_cap": float("nan")}, {}, "price_cap must be a number"),
        ({"price_floor": 0.5, "price_cap": 0.4}, {}, "price_cap must be >= price_floor"),
        ({"price_floor": 0.15}, {}, r"bid_price must be >= price_floor \(0.15\)"),
        ({"price_cap": 0.5}, {"ask_price": [0.6]}, r"ask_price must be <= price_cap \(0.5\)"),
    ],
)
def test_trade_reduction_refuses_bad_bounds_naming_them(bounds, book, complaint):
    with pytest.raises(ValueError, match=complaint):
        clear_trade_reduction(**{**GOOD, **book}, **bounds)
