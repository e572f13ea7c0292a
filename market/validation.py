"""Checks on an order book before clearing; each error names the offending argument."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def _as_vector(name: str, values: ArrayLike) -> np.ndarray:
    vector = np.asarray(values, dtype=np.float64)
    if vector.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {vector.shape}")
    if not np.isfinite(vector).all():
        raise ValueError(f"{name} must be finite, got {vector[~np.isfinite(vector)][0]}")
    return vector


def _side(
    price_name: str, price: ArrayLike, qty_name: str, qty: ArrayLike
) -> tuple[np.ndarray, np.ndarray]:
    price_vector = _as_vector(price_name, price)
    qty_vector = _as_vector(qty_name, qty)
    if qty_vector.size != price_vector.size:
        raise ValueError(
            f"{qty_name} must have the length of {price_name} ({price_vector.size}), "
            f"got {qty_vector.size}"
        )
    if qty_vector.size and qty_vector.min() < 0:
        raise ValueError(f"{qty_name} must be >= 0 [kWh], got {qty_vector.min()}")
    return price_vector, qty_vector


def check_book(
    bid_price: ArrayLike, bid_qty: ArrayLike, ask_price: ArrayLike, ask_qty: ArrayLike
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Validate an order book and return it as float64 vectors.

    Parameters
    ----------
    bid_price : array_like, 1-D
        Highest price each buyer accepts [EUR/kWh].
    bid_qty : array_like, 1-D, same length as ``bid_price``
        Energy each buyer wants, >= 0 [kWh].
    ask_price : array_like, 1-D
        Lowest price each seller accepts [EUR/kWh].
    ask_qty : array_like, 1-D, same length as ``ask_price``
        Energy each seller offers, >= 0 [kWh].

    Returns
    -------
    tuple of four np.ndarray
        ``bid_price, bid_qty, ask_price, ask_qty`` as float64.

    Raises
    ------
    ValueError
        Naming the argument that is not 1-D, not finite, of the wrong length or negative.
    """
    bid_price, bid_qty = _side("bid_price", bid_price, "bid_qty", bid_qty)
    ask_price, ask_qty = _side("ask_price", ask_price, "ask_qty", ask_qty)
    return bid_price, bid_qty, ask_price, ask_qty


def check_price_bounds(
    price_floor: float, price_cap: float, bid_price: np.ndarray, ask_price: np.ndarray
) -> tuple[float, float]:
    """Check the bounds of a mechanism's dummy traders against each other and the book.

    Parameters
    ----------
    price_floor : float
        Lowest valuation a buyer may have, < ``price_cap``; may be -inf [EUR/kWh].
    price_cap : float
        Highest cost a seller may have; may be +inf [EUR/kWh].
    bid_price, ask_price : np.ndarray of float64
        The validated book's prices [EUR/kWh].

    Returns
    -------
    tuple of two float

    Raises
    ------
    ValueError
        Naming ``price_floor`` or ``price_cap`` if either is NaN or they are out of order,
        ``bid_price`` if a bid is below the floor, ``ask_price`` if an ask is above the cap.
    """
    price_floor, price_cap = float(price_floor), float(price_cap)
    if np.isnan(price_floor) or price_floor == np.inf:
        raise ValueError(f"price_floor must be a number below +inf [EUR/kWh], got {price_floor}")
    if np.isnan(price_cap) or price_cap == -np.inf:
        raise ValueError(f"price_cap must be a number above -inf [EUR/kWh], got {price_cap}")
    if price_floor > price_cap:  # equal bounds: a zero-width band (no fee), still valid
        raise ValueError(
            f"price_cap must be >= price_floor ({price_floor}) [EUR/kWh], got {price_cap}"
        )
    if bid_price.size and bid_price.min() < price_floor:
        raise ValueError(
            f"bid_price must be >= price_floor ({price_floor}) [EUR/kWh], got {bid_price.min()}"
        )
    if ask_price.size and ask_price.max() > price_cap:
        raise ValueError(
            f"ask_price must be <= price_cap ({price_cap}) [EUR/kWh], got {ask_price.max()}"
        )
    return price_floor, price_cap
