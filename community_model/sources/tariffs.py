"""Grid price forecasts on the run's calendar: synthetic, time-of-use, or a user's series.

Every source gives the hourly price *forecast* (docs/hour.md); the model derives the grid prices
from it as everywhere else: grid_buy = forecast + ``local_market_fee``, grid_sell = forecast -
fee. To reproduce a retail tariff with price ``r`` and a feed-in tariff ``f``, set the forecast
to ``(r + f) / 2`` and the fee to ``(r - f) / 2`` (e.g. r = 0.35, f = 0.08: forecast 0.215,
fee 0.135).

``price_source``:

``synthetic``
    base_price * g(local hour) * U(1 - price_noise, 1 + price_noise), as in the seed system, on the
    local wall clock.
``tou``
    Time of use: each local hour belongs to a band (``tou_bands``: 0 off-peak, 1 shoulder,
    2 peak) with its forecast ``tou_prices``; with ``tou_weekend_offpeak`` Saturdays, Sundays
    and holidays are off-peak all day.
``file``
    A user's series, see :mod:`community_model.sources.files`.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from community_model.sources.calendar import local_wall_clock, weekday_of

PRICE_SOURCES = ("synthetic", "tou", "file")
#: Default time-of-use bands per local hour: 0 off-peak, 1 shoulder, 2 peak.
TOU_BANDS = (0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1,
             1, 1, 1, 1, 1, 2, 2, 2, 2, 1, 0, 0)  # fmt: skip


def local_hours(times: pd.DatetimeIndex) -> np.ndarray:
    """Hour on the local wall clock at each of ``times`` [h, 0 .. 23]."""
    _, minute = local_wall_clock(times)
    return minute // 60


def synthetic_forecast(
    times: pd.DatetimeIndex,
    base_price: float,
    price_shape: np.ndarray,
    noise: np.ndarray,
) -> np.ndarray:
    """The synthetic price forecast on real timestamps [EUR/kWh].

    Parameters
    ----------
    times : DatetimeIndex
        Step starts, tz-aware.
    base_price : float
        [EUR/kWh].
    price_shape : array (24,)
        Multiplier per local hour [-].
    noise : array
        Multiplier per step, U(1 - x, 1 + x) [-].
    """
    return base_price * np.asarray(price_shape)[local_hours(times)] * noise


def tou_forecast(
    times: pd.DatetimeIndex,
    band_prices: np.ndarray,
    bands: np.ndarray,
    weekend_offpeak: bool,
    holidays: list[dt.date],
) -> np.ndarray:
    """Time-of-use forecast of each step [EUR/kWh].

    Parameters
    ----------
    times : DatetimeIndex
        Step starts, tz-aware.
    band_prices : array (3,)
        Forecast in off-peak, shoulder and peak hours [EUR/kWh].
    bands : array (24,)
        Band of each local hour (0, 1, 2) [-].
    weekend_offpeak : bool
        Saturdays, Sundays and ``holidays`` are off-peak all day.
    holidays : list of date
        Public holidays.

    Examples
    --------
    >>> t = pd.date_range("2023-01-06 17:00", periods=2, freq="D", tz="Europe/Berlin")
    >>> tou_forecast(t, [0.1, 0.2, 0.3], [2] * 24, True, []).tolist()  # Friday, Saturday
    [0.3, 0.1]
    """
    band = np.asarray(bands, dtype=np.int64)[local_hours(times)]
    if weekend_offpeak:
        day, _ = local_wall_clock(times)
        rest = (weekday_of(day) >= 5) | np.isin(day, np.array(holidays, dtype="datetime64[D]"))
        band = np.where(rest, 0, band)
    return np.asarray(band_prices, float)[band]
