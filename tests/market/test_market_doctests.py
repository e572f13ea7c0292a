"""The Examples sections of the market docstrings run and hold."""

import doctest
import importlib

import pytest

MODULES = [
    "double_auction",
    "uniform_price",
    "trade_reduction",
    "local_market",
    "pay_as_bid",
    "pay_as_clear",
    "huang",
    "cda",
    "efficiency",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(f"market.{name}"))
    assert result.attempted > 0
    assert result.failed == 0
