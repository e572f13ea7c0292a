"""The run's calendar: timestamps, time zones, clock changes, holidays."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from community_model import CommunityModel
from community_model.parameters import ParameterError, Parameters
from community_model.sources.calendar import (
    german_holidays,
    local_day_hours,
    start_instant,
    step_times,
    year_steps,
)


def test_step_times_cross_the_spring_clock_change():
    first = start_instant("2023-03-26", 0, "Europe/Berlin")
    times = step_times(first, 1.0, 24)
    assert times[0].isoformat() == "2023-03-26T00:00:00+01:00"
    assert [t.hour for t in times[:4]] == [0, 1, 3, 4]
    assert times[-1].isoformat() == "2023-03-27T00:00:00+02:00"  # 24 steps: the next day


def test_step_times_repeat_the_autumn_hour():
    first = start_instant("2023-10-29", 0, "Europe/Berlin")
    times = step_times(first, 1.0, 25)
    assert [t.hour for t in times[:5]] == [0, 1, 2, 2, 3]
    assert [t.utcoffset().seconds // 3600 for t in times[2:4]] == [2, 1]
    assert times[-1].date() == dt.date(2023, 10, 29)


def test_day_lengths_and_year_lengths():
    days = np.array(["2023-03-26", "2023-07-01", "2023-10-29"], dtype="datetime64[D]")
    assert local_day_hours(days, "Europe/Berlin").tolist() == [23.0, 24.0, 25.0]
    assert local_day_hours(days, "UTC").tolist() == [24.0, 24.0, 24.0]
    assert year_steps(start_instant("2023-01-01", 0, "Europe/Berlin"), 1.0) == 8760
    assert year_steps(start_instant("2024-01-01", 0, "Europe/Berlin"), 1.0) == 8784
    assert year_steps(start_instant("2023-07-01", 0, "Europe/Berlin"), 0.5) == 2 * 8784


def test_a_start_in_the_skipped_hour_moves_forward():
    assert start_instant("2023-03-26", 2, "Europe/Berlin").hour == 3


def _hand_computed_holidays(year: int) -> set[dt.date]:
    """The nine nationwide holidays from Easter by the anonymous Gregorian algorithm
    (Meeus/Jones/Butcher), as this module computed them before it used ``holidays``."""
    a, b, c = year % 19, year // 100, year % 100
    d, e, f = b // 4, b % 4, (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    easter = dt.date(year, (h + el - 7 * m + 114) // 31, (h + el - 7 * m + 114) % 31 + 1)
    fixed = [(1, 1), (5, 1), (10, 3), (12, 25), (12, 26)]
    return {dt.date(year, mo, dy) for mo, dy in fixed} | {
        easter + dt.timedelta(days=n) for n in (-2, 1, 39, 50)
    }


def test_german_holidays_are_the_hand_computed_ones_over_forty_years():
    for year in range(2000, 2041):
        expected = _hand_computed_holidays(year)
        if year == 2017:  # Reformation Day's 500th anniversary: nationwide that year only
            expected.add(dt.date(2017, 10, 31))
        assert set(german_holidays([year])) == expected, year


def test_german_holidays():
    days = german_holidays([2023])
    assert len(days) == 9
    assert dt.date(2023, 4, 7) in days and dt.date(2023, 5, 18) in days  # Good Friday, Ascension
    assert dt.date(2023, 10, 3) in days


def test_step_frame_carries_timestamps():
    model = CommunityModel(n_prosumers=5, chain_enabled=False, start_date="2023-03-25", rng=1)
    model.run_for(48)
    frame = model.step_frame()
    assert list(frame.columns[:2]) == ["hour", "timestamp"]
    stamps = frame["timestamp"]
    assert str(stamps.dt.tz) == "Europe/Berlin"
    assert stamps.iloc[0].isoformat() == "2023-03-25T00:00:00+01:00"
    assert (stamps.diff().dropna() == pd.Timedelta(hours=1)).all()  # elapsed time is regular
    assert stamps.dt.date.value_counts().loc[dt.date(2023, 3, 26)] == 23


def test_timestamps_follow_step_hours_and_start_hour():
    model = CommunityModel(
        n_prosumers=3, chain_enabled=False, step_hours=0.5, start_hour=6, timezone="UTC", rng=1
    )
    model.run_for(3)
    stamps = model.step_frame()["timestamp"]
    assert [t.strftime("%H:%M") for t in stamps] == ["06:00", "06:30", "07:00"]


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("start_date", "2023-02-30", "start_date must be a date YYYY-MM-DD"),
        ("start_date", "1st of May", "start_date must be a date YYYY-MM-DD"),
        ("timezone", "Mars/Olympus", "timezone must be an IANA time zone name"),
        ("holiday_calendar", "france", "holiday_calendar must be one of"),
    ],
)
def test_bad_calendar_parameters_are_refused(name, value, message):
    with pytest.raises(ParameterError, match=message):
        Parameters(**{name: value})
