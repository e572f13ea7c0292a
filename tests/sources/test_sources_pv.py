"""PV from real weather (pvlib) against independent figures."""

import numpy as np
import pandas as pd
import pytest
from sources_helpers import year_of_profiles

from community_model.parameters import Parameters
from community_model.sources.pv import pv_by_home_kw_per_kwp, pv_output_kw_per_kwp
from community_model.sources.weather import (
    BUILTIN_WEATHER,
    WeatherError,
    decompose_ghi,
    hour_of_weather_year,
    load_weather,
    read_weather_csv,
)

# Measured annual specific yields of 23,944 German rooftop PV systems, 2012-2018, range over
# regions and years: 816 kWh/kWp (Baltic coast, 2017) to 1049 kWh/kWp (Bavaria, 2018).
# te Heesen, H., Herbort, V., Rumpler, M. (2019): Performance of roof-top PV systems in Germany
# from 2012 to 2018. Solar Energy 194, 128-135, doi:10.1016/j.solener.2019.10.019.
GERMAN_YIELD_KWH_PER_KWP = (816.0, 1049.0)


@pytest.fixture(scope="module")
def potsdam():
    return load_weather("TRY2010_04")


def test_potsdam_1kwp_yield_is_in_the_published_german_range(potsdam):
    """1 kWp facing south at 35 deg, 14 % system losses (PVGIS's default) at the default
    weather year (DWD TRY2010 region 4, Potsdam)."""
    assert potsdam.name.startswith("TRY2010_04 (Potsdam")
    assert potsdam.latitude == pytest.approx(52.383, abs=0.01)
    annual = pv_output_kw_per_kwp(potsdam, np.array([35.0]), np.array([180.0])).sum()
    low, high = GERMAN_YIELD_KWH_PER_KWP
    assert low <= annual <= high, annual


def test_every_german_region_is_plausible():
    """The 15 TRY regions span the measured German range (with a margin for orientation)."""
    yields = {
        name: pv_output_kw_per_kwp(load_weather(name), np.array([35.0]), np.array([180.0])).sum()
        for name in BUILTIN_WEATHER
        if name.startswith("TRY")
    }
    assert all(780 <= v <= 1150 for v in yields.values()), yields
    assert yields["TRY2010_01"] < yields["TRY2010_04"]  # North Sea coast below Potsdam


def test_summer_days_produce_more_than_winter_days(potsdam):
    out = pv_output_kw_per_kwp(potsdam, np.array([35.0]), np.array([180.0]))[:, 0]
    daily = out.reshape(365, 24).sum(axis=1)
    june, december = daily[151:181].mean(), daily[334:365].mean()
    assert june > 4 * december > 0
    assert (out.reshape(365, 24)[:, [0, 1, 2, 22, 23]] == 0).all()  # nothing at night


def test_orientation_matters_as_expected(potsdam):
    tilt = np.array([35.0, 35.0, 35.0, 35.0, 0.0, 90.0])
    azimuth = np.array([180.0, 90.0, 270.0, 0.0, 180.0, 180.0])
    south, east, west, north, flat, facade = pv_output_kw_per_kwp(potsdam, tilt, azimuth).sum(0)
    assert south > max(east, west) > min(east, west) > north
    assert south > flat > facade


def test_irradiance_is_computed_once_per_distinct_orientation(potsdam):
    tilt = np.array([30.0, 35.0, 30.0, 30.0, 35.0])
    azimuth = np.array([180.0, 200.0, 180.0, 180.0, 200.0])
    output, column = pv_by_home_kw_per_kwp(potsdam, tilt, azimuth, 0.14, -0.004, 0.2)
    assert output.shape == (8760, 2)
    per_home = pv_output_kw_per_kwp(potsdam, tilt, azimuth)
    np.testing.assert_allclose(output[:, column], per_home)


def test_erbs_decomposition_of_ghi_only_data_agrees_with_measured_split(potsdam):
    """GHI-only data are split with Erbs; against the DWD's own direct/diffuse split the
    diffuse total is close and the PV yield within a few percent."""
    dni, dhi = decompose_ghi(potsdam)
    assert dhi.sum() == pytest.approx(potsdam.dhi.sum(), rel=0.15)
    from dataclasses import replace

    decomposed = replace(potsdam, dni=dni, dhi=dhi)
    measured = pv_output_kw_per_kwp(potsdam, np.array([35.0]), np.array([180.0])).sum()
    modelled = pv_output_kw_per_kwp(decomposed, np.array([35.0]), np.array([180.0])).sum()
    assert modelled == pytest.approx(measured, rel=0.05)


def test_tmy3_from_pvlib_loads():
    greensboro = load_weather("723170TYA")
    assert greensboro.utc_offset_hours == -5.0
    annual = pv_output_kw_per_kwp(greensboro, np.array([30.0]), np.array([180.0])).sum()
    assert 1250 < annual < 1600  # North Carolina: far sunnier than Germany


def test_hour_of_weather_year_maps_a_year_onto_every_hour_once():
    times = pd.date_range("2023-01-01", periods=8760, freq="h", tz="Europe/Berlin")
    hours = hour_of_weather_year(times, 1.0)
    assert sorted(hours) == list(range(8760))
    leap = pd.date_range("2024-01-01", periods=8784, freq="h", tz="UTC")
    hours = hour_of_weather_year(leap, 0.0)
    assert hours.max() == 8759
    feb29 = hours[59 * 24 : 60 * 24]
    np.testing.assert_array_equal(feb29, np.arange(58 * 24, 59 * 24))  # reuses 28 February


def test_standard_source_pv_sums_the_weather_year(potsdam):
    params = Parameters(n_prosumers=5, profile_source="standard")
    homes, source, pv, _, _ = year_of_profiles(params)
    per_kwp = pv.sum(axis=0) / homes.pv_capacity_kw
    expected = source.pv_unit.sum(axis=0)[source.pv_column]
    np.testing.assert_allclose(per_kwp, expected, rtol=1e-12)
    assert len(np.unique(source.tilt_deg)) > 1  # homes differ in orientation


def _weather_csv(tmp_path, weather, **changes):
    times = pd.date_range("2019-01-01", periods=8760, freq="h", tz="Etc/GMT-1")
    frame = pd.DataFrame(
        {
            "timestamp": [t.isoformat() for t in times],
            "ghi": weather.ghi,
            "temp_air": weather.temp_air,
            "wind_speed": weather.wind_speed,
        }
    )
    for column, value in changes.items():
        if value is None:
            frame = frame.drop(columns=column)
        else:
            frame[column] = value
    path = tmp_path / "weather.csv"
    frame.to_csv(path, index=False)
    return path


def test_weather_csv_with_ghi_only_is_decomposed(tmp_path, potsdam):
    path = _weather_csv(tmp_path, potsdam)
    own = read_weather_csv(path, potsdam.latitude, potsdam.longitude)
    assert own.utc_offset_hours == 1.0
    np.testing.assert_allclose(own.ghi, potsdam.ghi)
    ours = pv_output_kw_per_kwp(own, np.array([35.0]), np.array([180.0])).sum()
    dwd = pv_output_kw_per_kwp(potsdam, np.array([35.0]), np.array([180.0])).sum()
    assert ours == pytest.approx(dwd, rel=0.05)
    params = Parameters(
        n_prosumers=2,
        profile_source="standard",
        weather_file=str(path),
        site_latitude=potsdam.latitude,
        site_longitude=potsdam.longitude,
    )
    _, _, pv, _, _ = year_of_profiles(params, steps=24 * 10)
    assert pv.sum() > 0


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"ghi": None}, "missing column 'ghi'"),
        ({"timestamp": "yesterday"}, "bad timestamp"),
        ({"ghi": -1.0}, "column 'ghi' has a negative value"),
        ({"temp_air": "warm"}, "column 'temp_air' has a missing or non-numeric value"),
    ],
)
def test_weather_csv_errors_name_file_and_problem(tmp_path, potsdam, changes, message):
    path = _weather_csv(tmp_path, potsdam, **changes)
    with pytest.raises(WeatherError, match=message) as err:
        read_weather_csv(path, 52.0, 13.0)
    assert str(path) in str(err.value) and "\n" not in str(err.value)


def test_weather_csv_needs_a_whole_year_and_a_site(tmp_path, potsdam):
    path = _weather_csv(tmp_path, potsdam)
    short = tmp_path / "short.csv"
    pd.read_csv(path).iloc[:100].to_csv(short, index=False)
    with pytest.raises(WeatherError, match="100 rows, expected one year"):
        read_weather_csv(short, 52.0, 13.0)
    with pytest.raises(WeatherError, match="site_latitude and site_longitude"):
        load_weather(str(path))
