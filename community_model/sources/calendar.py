"""The run's calendar: real timestamps for model steps, with time zones and DST.

A run starts at ``start_date`` + ``start_hour`` on the local clock of ``timezone``. Steps are
spans of absolute (elapsed) time, ``step_hours`` each, so a day on which the clocks change has
23 or 25 hourly steps; the profile sources look every quantity up by the step's absolute time
(weather) or its local wall-clock time (household load, tariffs), and keep the energy of a
local day whatever its length (see :func:`local_day_scale`).

Pure functions; pandas ``DatetimeIndex`` in, numpy arrays out.
"""

from __future__ import annotations

import datetime as dt
import warnings
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from community_model.parameters import Parameters

#: Public holidays the standard load profiles and tariffs can treat as Sundays.
HOLIDAY_CALENDARS = ("germany", "none")


def start_instant(start_date: str, start_hour: int, timezone: str) -> pd.Timestamp:
    """The first step's start: ``start_date`` at ``start_hour``:00 local time, tz-aware.

    A local time that does not exist (the hour the clocks skip in spring) moves forward to
    the first that does; an ambiguous one (the hour repeated in autumn) is its first
    occurrence.

    Examples
    --------
    >>> str(start_instant("2023-03-26", 2, "Europe/Berlin"))
    '2023-03-26 03:00:00+02:00'
    """
    naive = pd.Timestamp(start_date) + pd.Timedelta(hours=start_hour)
    return naive.tz_localize(timezone, nonexistent="shift_forward", ambiguous=True)


def step_times(
    first: pd.Timestamp, step_hours: float, n_steps: int, offset: int = 0
) -> pd.DatetimeIndex:
    """Start times of steps ``offset .. offset + n_steps - 1`` in ``first``'s time zone.

    Parameters
    ----------
    first : Timestamp
        Start of step 0, tz-aware.
    step_hours : float
        Length of one step [h].
    n_steps, offset : int
        How many steps, and the index of the first one.

    Examples
    --------
    >>> times = step_times(start_instant("2023-03-26", 0, "Europe/Berlin"), 1.0, 4)
    >>> [t.strftime("%H:%M%z") for t in times]
    ['00:00+0100', '01:00+0100', '03:00+0200', '04:00+0200']
    """
    step_ns = _step_ns(step_hours)
    start_ns = first.value + offset * step_ns
    utc = pd.DatetimeIndex(start_ns + step_ns * np.arange(n_steps, dtype=np.int64), tz="UTC")
    return utc.tz_convert(first.tz)


def _step_ns(step_hours: float) -> int:
    return int(round(step_hours * 3_600_000_000_000))


def year_steps(first: pd.Timestamp, step_hours: float, years: int = 1) -> int:
    """Number of steps from ``first`` to the same local date and time ``years`` later [-].

    8760 hourly steps for a common year, 8784 when the span holds a 29 February.
    """
    later = (first.tz_localize(None) + pd.DateOffset(years=years)).tz_localize(
        first.tz, nonexistent="shift_forward", ambiguous=True
    )
    return int(round((later.value - first.value) / _step_ns(step_hours)))


def ns(times: pd.DatetimeIndex) -> np.ndarray:
    """Nanoseconds since the epoch of each of ``times`` (whatever the index's unit) [ns]."""
    return times.as_unit("ns").asi8


def parse_iso_timestamps(values) -> pd.DatetimeIndex:
    """Parse ISO 8601 timestamps (a column of text or datetimes).

    Raises ``ValueError`` with one line naming the first bad row (1-based) and its text.
    """
    series = pd.Series(values)
    if isinstance(series.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(series):
        return pd.DatetimeIndex(series)
    text = series.astype(str)
    has_offset = text.str.contains(r"(?:Z|[+-]\d\d:?\d\d)$", regex=True).to_numpy()
    parsed = None
    with warnings.catch_warnings():  # pandas warns (and will refuse) on several UTC offsets
        warnings.simplefilter("error", FutureWarning)
        try:
            parsed = pd.DatetimeIndex(pd.to_datetime(text, format="ISO8601"))
        except (ValueError, TypeError, FutureWarning):
            pass
    if parsed is None:
        try:  # several UTC offsets (daylight saving time): read them as UTC instants
            parsed = pd.DatetimeIndex(pd.to_datetime(text, format="ISO8601", utc=True))
        except (ValueError, TypeError):
            pass
    if parsed is not None:
        # (pandas reads a local time in the first row's offset: a mix is refused here)
        if has_offset.any() and not has_offset.all():
            raise _mixed(has_offset)
        return parsed
    for row, value in enumerate(text, start=1):
        try:
            pd.to_datetime(value, format="ISO8601", utc=True)
        except (ValueError, TypeError):  # (OutOfBoundsDatetime is a ValueError)
            raise ValueError(
                f"row {row}: {value!r} is not an ISO 8601 timestamp between the years 1678 and 2261"
            ) from None
    if has_offset.any() and not has_offset.all():
        raise _mixed(has_offset)
    raise ValueError("the rows are ISO 8601 timestamps one by one but not read as one column")


def _mixed(has_offset: np.ndarray) -> ValueError:
    """The error for a column that mixes UTC offsets and local times, naming two rows."""
    first = bool(has_offset[0])
    row = int(np.flatnonzero(has_offset != first)[0]) + 1
    return ValueError(
        f"timestamps mix UTC offsets and local times (row 1 {_offset_or_not(first)}, "
        f"row {row} {_offset_or_not(not first)})"
    )


def _offset_or_not(has: bool) -> str:
    return "has a UTC offset" if has else "has none"


def local_wall_clock(times: pd.DatetimeIndex) -> tuple[np.ndarray, np.ndarray]:
    """Local calendar day and minute of day of tz-aware ``times``.

    Returns
    -------
    day : array of datetime64[D]
        Local date.
    minute : array of int
        Minutes since local midnight on the wall clock [min] (0 .. 1439).
    """
    wall = times.tz_localize(None)
    day = wall.values.astype("datetime64[D]")
    minute = ((wall.values - day.astype(wall.values.dtype)) // np.timedelta64(1, "m")).astype(
        np.int64
    )
    return day, minute


def local_day_hours(days: np.ndarray, timezone: str) -> np.ndarray:
    """Length of each local calendar day [h]: 24, or 23/25 on the days the clocks change.

    Examples
    --------
    >>> days = np.array(["2023-03-26", "2023-06-01", "2023-10-29"], dtype="datetime64[D]")
    >>> local_day_hours(days, "Europe/Berlin").tolist()
    [23.0, 24.0, 25.0]
    """
    starts = pd.DatetimeIndex(days).tz_localize(timezone, nonexistent="shift_forward")
    ends = pd.DatetimeIndex(days + np.timedelta64(1, "D")).tz_localize(
        timezone, nonexistent="shift_forward"
    )
    return ((ns(ends) - ns(starts)) / 3.6e12).astype(float)


def german_holidays(years) -> list[dt.date]:
    """Germany's nationwide public holidays in ``years``, from the ``holidays`` package.

    New Year, Good Friday, Easter Monday, Labour Day, Ascension, Whit Monday, German Unity
    Day, Christmas Day and Boxing Day (and Reformation Day in 2017, its one nationwide year).
    Regional holidays (Epiphany, Corpus Christi, ...) are not included.

    Examples
    --------
    >>> [d.isoformat() for d in german_holidays([2024])][:3]
    ['2024-01-01', '2024-03-29', '2024-04-01']
    """
    import holidays

    return sorted(holidays.Germany(years=[int(y) for y in years]).keys())


def holidays_for(calendar_name: str, years) -> list[dt.date]:
    """Holidays of ``calendar_name`` (one of :data:`HOLIDAY_CALENDARS`) in ``years``."""
    if calendar_name == "germany":
        return german_holidays(years)
    return []


def weekday_of(days: np.ndarray) -> np.ndarray:
    """Weekday of datetime64[D] ``days``: 0 = Monday ... 6 = Sunday."""
    return (days.astype("datetime64[D]").astype(np.int64) + 3) % 7


def run_start(params: Parameters) -> pd.Timestamp:
    """Start of step 0 of a run with ``params`` (tz-aware)."""
    return start_instant(params.first_date, params.start_hour, params.timezone)


def run_times(params: Parameters, n_steps: int, offset: int = 0) -> pd.DatetimeIndex:
    """Start times of steps ``offset`` .. ``offset + n_steps - 1`` of a run (tz-aware)."""
    return step_times(run_start(params), params.step_hours, n_steps, offset)
