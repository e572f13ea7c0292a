"""Household load from the BDEW standard load profiles shipped in demandlib.

The BDEW profiles give the mean power of each local quarter hour for a calendar day of a month
and a day type (working day, Saturday, Sunday/holiday), scaled to an annual consumption. They
are the average of many households: a single home is far spikier, so each home here gets its
own annual consumption, a daily factor (some days it uses more), a shift of its routine (it
gets up earlier or later) and noise on every step, all drawn from the run's random numbers.

Profiles (``standard_load_profile``):

``H25``
    BDEW 2025 household profile (gross consumption, the default).
``P25``, ``S25``
    BDEW 2025 profiles of households with PV, and with PV and a battery. They describe what
    such homes draw from the grid, after their own PV: use them only with ``pv_scale=0``
    (PV behind the meter), or the PV would count twice.

References
----------
BDEW (2025): Standardlastprofile Strom, Aktualisierung 2025 (H25, P25, S25), as implemented
in demandlib 0.2 (``demandlib.bdew``). The classic H0 profile is not offered: demandlib's
``ElecSlp`` turns every warning of the process into an error, which breaks under pandas 3.
"""

from __future__ import annotations

import datetime as dt
import warnings

import numpy as np
import pandas as pd

from community_model.sources.calendar import local_wall_clock

LOAD_PROFILES = ("H25", "P25", "S25")
SLOTS_PER_DAY = 96  #: quarter hours in a standard-profile day
SLOT_HOURS = 0.25


def bdew_day_shapes(
    first_day: np.datetime64, n_days: int, profile: str, holidays: list[dt.date]
) -> np.ndarray:
    """Quarter-hourly power of a standard profile on consecutive local days.

    Parameters
    ----------
    first_day : datetime64[D]
        First local calendar day.
    n_days : int
        Number of days.
    profile : str
        One of :data:`LOAD_PROFILES`.
    holidays : list of date
        Days treated as Sundays.

    Returns
    -------
    array (n_days, 96)
        Mean power of each local quarter hour per kWh of annual consumption [kW/(kWh/a)]
        (the profile's own annual scaling; callers rescale to their annual figure).
    """
    from demandlib import bdew

    start = pd.Timestamp(first_day)
    index = pd.date_range(start, periods=n_days * SLOTS_PER_DAY, freq="15min")
    cls = {"H25": bdew.H25, "P25": bdew.P25, "S25": bdew.S25}[profile]
    with warnings.catch_warnings():  # pandas deprecations inside demandlib
        warnings.simplefilter("ignore")
        power = cls(index, holidays=list(holidays) or None).to_numpy(float) / 1e6
    return power.reshape(n_days, SLOTS_PER_DAY)


def standard_energy(
    times: pd.DatetimeIndex,
    interval_hours: float,
    day_shapes: np.ndarray,
    first_day: np.datetime64,
) -> np.ndarray:
    """Energy of a standard profile in each interval ``[t, t + interval_hours)`` [kWh/(kWh/a)].

    Each interval takes the power of the local quarter hour it starts in. Local days of 23
    or 25 hours (daylight saving time changes) skip or repeat a local hour; their values are
    scaled so that the day keeps the energy of its 96 quarter hours, so no energy is lost or
    invented over a year. ``times`` must cover whole local days for that scaling.

    Parameters
    ----------
    times : DatetimeIndex
        Interval starts, tz-aware, consecutive, at most 15 minutes apart.
    interval_hours : float
        Interval length [h], at most 0.25.
    day_shapes : array (n_days, 96)
        :func:`bdew_day_shapes` from ``first_day`` [kW/(kWh/a)].
    first_day : datetime64[D]
        Local day of ``day_shapes[0]``.
    """
    day, minute = local_wall_clock(times)
    day_index = (day - first_day).astype(np.int64)
    slot = minute // 15
    energy = day_shapes[day_index, slot] * interval_hours
    day_energy = day_shapes.sum(axis=1) * SLOT_HOURS
    present = np.bincount(day_index, weights=energy, minlength=len(day_shapes))
    with np.errstate(invalid="ignore", divide="ignore"):
        keep_day_energy = np.where(present > 0, day_energy / present, 1.0)
    return energy * keep_day_energy[day_index]


def home_load_kwh(
    base_cumulative: np.ndarray,
    step_start: np.ndarray,
    subs_per_step: int,
    shift_subs: np.ndarray,
    day_factor: np.ndarray,
    step_noise: np.ndarray,
    annual_kwh: np.ndarray,
) -> np.ndarray:
    """Each home's load per step from the community's standard-profile energy [kWh].

    load[k, h] = (energy of home h's shifted routine in step k) * day_factor[k, h]
    * step_noise[k, h], then scaled so every home's column sums to ``annual_kwh[h]``.

    Parameters
    ----------
    base_cumulative : array (m + 1,)
        Cumulative sum of :func:`standard_energy` on the sub-interval grid, starting at 0
        [kWh/(kWh/a)].
    step_start : array (n_steps,)
        Index of each step's first sub-interval in that grid [-].
    subs_per_step : int
        Sub-intervals per step [-].
    shift_subs : array (n_homes,)
        Each home's shift of its routine, in sub-intervals (> 0: later) [-].
    day_factor, step_noise : arrays (n_steps, n_homes)
        Multipliers [-].
    annual_kwh : array (n_homes,)
        Energy of each home over the steps given [kWh].
    """
    first = step_start[:, None] - shift_subs[None, :]
    routine = base_cumulative[first + subs_per_step] - base_cumulative[first]
    load = routine * day_factor * step_noise
    totals = load.sum(axis=0)
    scale = np.divide(annual_kwh, totals, out=np.zeros_like(totals), where=totals > 0)
    return load * scale[None, :]
