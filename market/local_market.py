"""Settlement of every remaining imbalance with the grid, through the aggregator."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from .trades import QTY_EPS

#: Ways of charging the local-market fee.
FEE_MODES = ("per_kwh", "quantity_scaled")


class GridSettlement(NamedTuple):
    """What each prosumer exchanges with the grid and pays for it.

    Attributes
    ----------
    import_kwh : np.ndarray
        Energy bought from the grid, >= 0 [kWh].
    export_kwh : np.ndarray
        Energy sold to the grid, >= 0 [kWh].
    import_price : np.ndarray
        Price paid per imported kWh, 0 where nothing is imported [EUR/kWh].
    export_price : np.ndarray
        Price received per exported kWh, 0 where nothing is exported [EUR/kWh].
    cost : np.ndarray
        import_kwh * import_price - export_kwh * export_price; negative is income [EUR].
    """

    import_kwh: np.ndarray
    export_kwh: np.ndarray
    import_price: np.ndarray
    export_price: np.ndarray
    cost: np.ndarray


def grid_prices(
    forecast: float | np.ndarray, fee: float | np.ndarray
) -> tuple[float | np.ndarray, float | np.ndarray]:
    """Prices at which the aggregator sells to and buys from the community.

    Parameters
    ----------
    forecast : numeric
        Grid price forecast for the hour [EUR/kWh].
    fee : numeric
        Local-market fee [EUR/kWh].

    Returns
    -------
    grid_buy : numeric
        forecast + fee, what a prosumer pays for a kWh from the grid [EUR/kWh].
    grid_sell : numeric
        forecast - fee, what a prosumer receives for a kWh to the grid [EUR/kWh].

    Examples
    --------
    >>> [round(p, 3) for p in grid_prices(0.15, 0.03)]
    [0.18, 0.12]
    """
    return forecast + fee, forecast - fee


def settle_local_market(
    net_kwh: ArrayLike,
    forecast: float,
    fee: float,
    fee_mode: str = "per_kwh",
    feed_in_tariff: float | None = None,
) -> GridSettlement:
    """Settle each prosumer's remaining imbalance with the grid.

    Parameters
    ----------
    net_kwh : array_like
        Remaining imbalance per prosumer: > 0 surplus exported, < 0 deficit imported; ``|net|``
        <= ``QTY_EPS`` counts as zero [kWh].
    forecast : float
        Grid price forecast for the hour [EUR/kWh].
    fee : float
        Local-market fee, >= 0 [EUR/kWh].
    fee_mode : {"per_kwh", "quantity_scaled"}, default "per_kwh"
        ``"per_kwh"``: importers pay forecast + fee, exporters receive forecast - fee (see
        :func:`grid_prices`). ``"quantity_scaled"``: the rule of the system this simulator grew
        from, price =
        forecast +/- fee * quantity, so a 3 kWh import pays forecast + 3 * fee per kWh and a
        large export can even be paid a negative price; kept only for comparison.
    feed_in_tariff : float or None
        Fixed price exporters receive [EUR/kWh], instead of the fee rule; None keeps the rule.

    Returns
    -------
    GridSettlement
        Arrays of the shape of ``net_kwh``.

    Raises
    ------
    ValueError
        Naming ``net_kwh``, ``forecast`` or ``fee`` if not finite (or ``fee`` < 0), and
        ``fee_mode`` if unknown.

    Examples
    --------
    >>> settlement = settle_local_market([2.0, -3.0, 0.0], forecast=0.15, fee=0.03)
    >>> settlement.cost.round(3).tolist()
    [-0.24, 0.54, 0.0]
    """
    if fee_mode not in FEE_MODES:
        raise ValueError(f"fee_mode must be one of {list(FEE_MODES)}, got {fee_mode!r}")
    net_kwh = np.asarray(net_kwh, dtype=np.float64)
    for name, value in (("net_kwh", net_kwh), ("forecast", forecast), ("fee", fee)):
        if not np.isfinite(value).all():  # (the method: np.all's wrapper costs more)
            raise ValueError(f"{name} must be finite, got {value}")
    if (np.asarray(fee) < 0).any():
        raise ValueError(f"fee must be >= 0 [EUR/kWh], got {fee}")

    import_kwh = np.where(net_kwh < -QTY_EPS, -net_kwh, 0.0)
    export_kwh = np.where(net_kwh > QTY_EPS, net_kwh, 0.0)
    if fee_mode == "per_kwh":
        import_fee, export_fee = fee, fee
    else:
        import_fee, export_fee = fee * import_kwh, fee * export_kwh
    import_price = np.where(import_kwh > 0, forecast + import_fee, 0.0)
    paid_for_export = forecast - export_fee if feed_in_tariff is None else feed_in_tariff
    export_price = np.where(export_kwh > 0, paid_for_export, 0.0)
    cost = import_kwh * import_price - export_kwh * export_price
    return GridSettlement(import_kwh, export_kwh, import_price, export_price, cost)
