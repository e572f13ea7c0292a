"""Invalid books are refused with an error that names the argument."""

import numpy as np
import pytest

from market import MECHANISMS, clear, clear_seed_naive, clear_uniform

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
            clear(mechanism, **book)


@pytest.mark.parametrize("k", [-0.1, 1.5, float("nan")])
def test_uniform_refuses_k_outside_unit_interval(k):
    with pytest.raises(ValueError, match=r"k must be in \[0, 1\]"):
        clear_uniform(**GOOD, k=k)
