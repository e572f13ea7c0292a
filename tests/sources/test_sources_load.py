"""Household load from the BDEW standard profiles in demandlib."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sources_helpers import PLAIN_LOAD, year_of_profiles

from community_model.parameters import ParameterError, Parameters
from community_model.sources.calendar import german_holidays, run_times


def _bdew_h25_daily_kwh(year: int, annual_kwh: float) -> pd.Series:
    """demandlib's own H25 for ``year`` (German holidays), daily energy scaled to a total."""
    from demandlib import bdew

    index = pd.date_range(f"{year}-01-01", f"{year}-12-31 23:45", freq="15min")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        power = bdew.H25(index, holidays=german_holidays([year]))
    daily = power.groupby(power.index.normalize()).sum() / 4
    return daily / daily.sum() * annual_kwh


@pytest.fixture(scope="module")
def plain_year():
    params = Parameters(
        n_prosumers=3,
        profile_source="standard",
        annual_loads_kwh=(3500.0,) * 10,
        **PLAIN_LOAD,
    )
    homes, source, pv, load, price = year_of_profiles(params)
    days = run_times(params, len(load)).tz_localize(None).normalize()
    return params, load, days


def test_h25_home_scaled_to_3500_kwh_sums_to_3500(plain_year):
    _, load, _ = plain_year
    assert load.shape == (8760, 3)
    np.testing.assert_allclose(load.sum(axis=0), 3500.0, rtol=1e-3)


def test_days_follow_demandlibs_h25_including_dst_days(plain_year):
    """Every local day has BDEW's daily energy, the 23- and 25-hour days included."""
    _, load, days = plain_year
    ours = pd.Series(load[:, 0], index=days).groupby(level=0).sum()
    reference = _bdew_h25_daily_kwh(2023, 3500.0)
    np.testing.assert_allclose(ours.to_numpy(), reference.to_numpy(), rtol=1e-9)


def test_dst_days_have_23_and_25_steps_and_keep_their_energy(plain_year):
    _, load, days = plain_year
    steps_per_day = pd.Series(1, index=days).groupby(level=0).sum()
    assert steps_per_day.loc["2023-03-26"] == 23
    assert steps_per_day.loc["2023-10-29"] == 25
    assert (
        steps_per_day.drop([pd.Timestamp("2023-03-26"), pd.Timestamp("2023-10-29")]) == 24
    ).all()
    daily = pd.Series(load[:, 0], index=days).groupby(level=0).sum()
    reference = _bdew_h25_daily_kwh(2023, 3500.0)
    for day in ("2023-03-26", "2023-10-29"):
        assert daily.loc[day] == pytest.approx(reference.loc[day], rel=1e-9)


def test_hourly_shape_is_the_bdew_shape(plain_year):
    """Without per-home variation, the mean winter weekday is BDEW's H25 January weekday."""
    _, load, days = plain_year
    from demandlib import bdew

    jan = pd.date_range("2023-01-09", "2023-01-13 23:45", freq="15min")  # Mon-Fri
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = bdew.H25(jan).to_numpy().reshape(5, 24, 4).mean(axis=(0, 2))
    ours = load[8 * 24 : 13 * 24, 0].reshape(5, 24).mean(axis=0)
    assert np.corrcoef(ours, reference)[0, 1] > 0.999


def test_homes_differ_day_to_day_and_hour_to_hour():
    params = Parameters(n_prosumers=20, profile_source="standard", annual_loads_kwh=(3500.0,) * 10)
    _, source, _, load, _ = year_of_profiles(params)
    totals = load.sum(axis=0)
    np.testing.assert_allclose(totals, source.annual_load_kwh)
    assert totals.std() / totals.mean() > 0.05  # each home its own annual consumption
    daily = load.reshape(365, 24, 20).sum(axis=1)
    assert np.corrcoef(daily[:, 0], daily[:, 1])[0, 1] < 0.95  # its own days
    hourly_corr = np.corrcoef(load[:, 0], load[:, 1])[0, 1]
    assert hourly_corr < 0.9  # its own routine
    assert (load > 0).all()


def test_annual_consumption_follows_home_type_and_scale():
    params = Parameters(n_prosumers=30, profile_source="standard", load_scale=2.0, **PLAIN_LOAD)
    homes, _, _, load, _ = year_of_profiles(params)
    expected = np.asarray(params.annual_loads_kwh)[homes.home_type] * 2.0
    np.testing.assert_allclose(load.sum(axis=0), expected, rtol=1e-9)


def test_same_seed_same_profiles_other_seed_other_profiles():
    params = Parameters(n_prosumers=5, profile_source="standard")
    a = year_of_profiles(params, steps=48, seed=3)[3]
    b = year_of_profiles(params, steps=48, seed=3)[3]
    c = year_of_profiles(params, steps=48, seed=4)[3]
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_steps_can_be_asked_in_any_order():
    params = Parameters(n_prosumers=4, profile_source="standard")
    forward = year_of_profiles(params, steps=30)[3]
    rng = np.random.default_rng(1)
    from community_model.homes import draw_homes
    from community_model.sources.factory import make_profile_source

    source = make_profile_source(params, draw_homes(params, rng))
    backward = np.array([source.hour(k, rng).load_kwh for k in reversed(range(30))])[::-1]
    np.testing.assert_array_equal(forward, backward)


def test_quarter_hour_steps_keep_the_annual_energy():
    params = Parameters(
        n_prosumers=2,
        profile_source="standard",
        step_hours=0.25,
        annual_loads_kwh=(3500.0,) * 10,
        **PLAIN_LOAD,
    )
    homes, source, pv, load, _ = year_of_profiles(params)
    assert load.shape == (4 * 8760, 2)
    np.testing.assert_allclose(load.sum(axis=0), 3500.0)
    hourly = year_of_profiles(params.__class__(**{**params.to_dict(), "step_hours": 1.0}))
    np.testing.assert_allclose(pv.sum(axis=0), hourly[2].sum(axis=0), rtol=1e-9)


def test_a_leap_year_block_has_8784_hours_and_the_next_year_follows():
    params = Parameters(
        n_prosumers=2,
        profile_source="standard",
        start_date="2024-01-01",
        annual_loads_kwh=(3500.0,) * 10,
        **PLAIN_LOAD,
    )
    _, source, _, load, _ = year_of_profiles(params, steps=8784 + 48)
    np.testing.assert_allclose(load[:8784].sum(axis=0), 3500.0)
    assert source.blocks.starts[:2] == [0, 8784]
    assert load[8784:].sum() > 0


def test_p25_is_the_grid_draw_of_pv_homes():
    """P25 (homes with PV) is BDEW's grid draw: far below H25 at a summer noon."""
    params = Parameters(n_prosumers=1, profile_source="standard", **PLAIN_LOAD)
    h25 = year_of_profiles(params)[3][:, 0]
    p25 = year_of_profiles(
        Parameters(**{**params.to_dict(), "standard_load_profile": "P25", "pv_scale": 0.0})
    )[3]
    july_noon = [d * 24 + 12 for d in range(182, 212)]
    assert p25[july_noon, 0].mean() < 0.5 * h25[july_noon].mean()


def test_unknown_profile_is_refused():
    with pytest.raises(ParameterError, match="standard_load_profile must be one of"):
        Parameters(standard_load_profile="H0")
