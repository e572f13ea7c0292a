"""The record of a clearing: who traded how much with whom, at what prices."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

#: Quantities at or below this are treated as zero and never traded [kWh].
QTY_EPS = 1e-12


class Trades(NamedTuple):
    """Trades of one clearing, one entry per trade, in matching order.

    Attributes
    ----------
    buyer : np.ndarray of int64
        Index of the buyer into the bid arrays given to the clearing function [-].
    seller : np.ndarray of int64
        Index of the seller into the ask arrays given to the clearing function [-].
    kwh : np.ndarray of float64
        Traded energy, every entry > ``QTY_EPS`` [kWh].
    buyer_price : np.ndarray of float64
        Price the buyer pays [EUR/kWh].
    seller_price : np.ndarray of float64
        Price the seller receives [EUR/kWh]; equal to ``buyer_price`` except in mechanisms
        that leave a surplus to the market operator (trade reduction).
    """

    buyer: np.ndarray
    seller: np.ndarray
    kwh: np.ndarray
    buyer_price: np.ndarray
    seller_price: np.ndarray

    @classmethod
    def empty(cls) -> Trades:
        """No trade at all."""
        no_index = np.empty(0, dtype=np.int64)
        no_value = np.empty(0, dtype=np.float64)
        return cls(no_index, no_index.copy(), no_value, no_value.copy(), no_value.copy())

    @property
    def n_trades(self) -> int:
        """Number of trades [-] (``len()`` of a NamedTuple is its field count)."""
        return int(self.kwh.size)


def operator_surplus(trades: Trades) -> float:
    """Money left with the market operator by a clearing.

    Parameters
    ----------
    trades : Trades
        Result of a clearing function.

    Returns
    -------
    float
        sum(kwh * (buyer_price - seller_price)) [EUR]; 0 for budget-balanced mechanisms,
        >= 0 for trade reduction.
    """
    return float(np.sum(trades.kwh * (trades.buyer_price - trades.seller_price)))
