"""The DWD TRY2010 irradiance is on true solar time, not CET (issue 15).

Evidence the reader rests on, one test each: the irradiance is centred on solar noon, east-
and west-facing arrays yield alike, no irradiance while the sun is below the horizon.
"""

import numpy as np
import pandas as pd
import pytest

from community_model.sources.pv import pv_output_kw_per_kwp
from community_model.sources.solar_position import solar_geometry
from community_model.sources.weather import (
    TRY_REGIONS,
    hour_of_weather_year,
    read_try2010,
    solar_time_offset_hours,
)

WESTERN = (1, 5, 6, 12)  # Bremerhaven, Essen, Bad Marienberg, Mannheim: 1 h from CET's meridian


def _mean_hour_angle_min(weather) -> float:
    """Irradiance-weighted mean hour angle of the hour centres [min] (0: centred on noon)."""
    times = weather.hour_midpoints()
    day = np.arange(len(times)) // 24 + 1
    utc_hours = times.tz_convert("UTC").hour + times.tz_convert("UTC").minute / 60
    solar = np.asarray(utc_hours) + solar_time_offset_hours(weather.longitude, day)
    angle = (solar - 12.0 + 12.0) % 24.0 - 12.0
    return float(np.sum(weather.ghi * angle) / np.sum(weather.ghi) * 60.0)


@pytest.mark.parametrize("region", WESTERN)
def test_irradiance_is_centred_on_solar_noon(region):
    assert abs(_mean_hour_angle_min(read_try2010(region))) < 5.0


def test_no_region_has_its_irradiance_half_an_hour_early():
    angles = [_mean_hour_angle_min(read_try2010(int(r[-2:]))) for r in TRY_REGIONS]
    assert max(abs(a) for a in angles) < 20.0  # read as CET: 12-32 min early everywhere


def test_east_and_west_facing_arrays_yield_alike_in_mannheim():
    weather = read_try2010(12)
    per_kwp = pv_output_kw_per_kwp(weather, np.array([35.0, 35.0]), np.array([90.0, 270.0]))
    east, west = per_kwp.sum(axis=0)
    assert east / west == pytest.approx(1.0, abs=0.03)  # read as CET: 885 vs 752 kWh/kWp


@pytest.mark.parametrize("region", [3, 12])
def test_no_irradiance_while_the_sun_is_down_for_the_whole_hour(region):
    weather = read_try2010(region)
    start = weather.hour_midpoints() - pd.Timedelta(minutes=30)
    import pvlib

    zenith = [
        pvlib.solarposition.get_solarposition(t, weather.latitude, weather.longitude)[
            "zenith"
        ].to_numpy()
        for t in (start, start + pd.Timedelta(hours=1))
    ]
    dark = (zenith[0] > 90) & (zenith[1] > 90)
    assert not (weather.ghi[dark] > 0).any()


def test_solar_noon_falls_between_the_two_brightest_hours():
    """Mannheim, 21 June: solar noon at 13:27 CEST (8.55 deg E, equation of time -1.6 min);
    the hour-ending weather hours 12 and 13 of solar time flank it symmetrically."""
    weather = read_try2010(12)
    june21 = slice(171 * 24, 172 * 24)
    cos_zenith = np.cos(np.radians(solar_geometry(weather)["zenith"][june21]))
    first, second = np.sort(np.argsort(cos_zenith)[-2:])
    assert (first, second) == (11, 12)
    # equal within about a minute of solar time (as CET they differ by 26 min: 0.008)
    assert cos_zenith[first] == pytest.approx(cos_zenith[second], abs=1e-3)
    centres = weather.hour_midpoints()[june21][[first, second]].tz_convert("Europe/Berlin")
    noon = centres[0] + (centres[1] - centres[0]) / 2
    assert abs(noon - pd.Timestamp("2023-06-21 13:27", tz="Europe/Berlin")) < pd.Timedelta("2min")
    # a minute before solar noon reads the morning hour, a minute after the afternoon one
    around = pd.DatetimeIndex([noon - pd.Timedelta("1min"), noon + pd.Timedelta("1min")])
    index = hour_of_weather_year(around, weather.utc_offset_hours, weather.solar_time_longitude)
    assert index.tolist() == [171 * 24 + 11, 171 * 24 + 12]
