"""Price forecasts on the calendar: synthetic, time of use, a user's series."""

import numpy as np
import pandas as pd
import pytest
from sources_helpers import year_of_profiles

from community_model import CommunityModel
from community_model.parameters import PRICE_SHAPE, ParameterError, Parameters
from community_model.sources.calendar import run_times
from community_model.sources.tariffs import TOU_BANDS, tou_forecast


def test_tou_bands_weekends_and_holidays():
    params = Parameters(n_prosumers=2, profile_source="standard", price_source="tou")
    _, _, _, _, price = year_of_profiles(params, steps=24 * 14)
    times = run_times(params, len(price))
    prices = pd.Series(price, index=times)
    low, mid, high = params.tou_prices
    assert prices.loc["2023-01-01"].eq(low).all()  # Sunday and New Year
    monday = prices.loc["2023-01-02"]
    expected = np.asarray(params.tou_prices)[np.asarray(TOU_BANDS, dtype=int)]
    np.testing.assert_array_equal(monday.to_numpy(), expected)
    assert prices.loc["2023-01-07"].eq(low).all()  # Saturday


def test_tou_follows_the_local_clock_across_dst():
    times = pd.date_range("2023-03-27 15:00", periods=4, freq="h", tz="Europe/Berlin")  # Monday
    bands = [0] * 17 + [2] * 4 + [0] * 3
    assert tou_forecast(times, [0.1, 0.2, 0.3], bands, True, []).tolist() == [0.1, 0.1, 0.3, 0.3]


def test_synthetic_prices_on_the_calendar_follow_local_hours():
    params = Parameters(n_prosumers=2, profile_source="standard", price_noise=0.0)
    _, _, _, _, price = year_of_profiles(params, steps=24 * 90)
    hours = run_times(params, len(price)).hour
    np.testing.assert_allclose(price, 0.15 * np.asarray(PRICE_SHAPE)[hours])


def test_synthetic_source_keeps_its_draws_with_a_tariff():
    plain = CommunityModel(n_prosumers=10, chain_enabled=False, rng=5)
    tou = CommunityModel(n_prosumers=10, chain_enabled=False, price_source="tou", rng=5)
    plain.run_for(24)
    tou.run_for(24)
    a, b = plain.step_frame(), tou.step_frame()
    np.testing.assert_array_equal(a["pv_kwh"], b["pv_kwh"])
    np.testing.assert_array_equal(a["demand_kwh"], b["demand_kwh"])
    assert set(b["price_forecast"]) <= set(tou.params.tou_prices)


def _price_file(path, params, prices):
    times = run_times(params, len(prices))
    frame = pd.DataFrame({"timestamp": [t.isoformat() for t in times], "price_eur_per_kwh": prices})
    frame.to_csv(path, index=False)
    return path


def test_user_price_series_drives_grid_prices(tmp_path):
    params = Parameters(n_prosumers=4, start_date="2023-01-01")  # a price file's clock
    prices = np.linspace(0.10, 0.30, 48)
    path = _price_file(tmp_path / "prices.csv", params, prices)
    model = CommunityModel(
        n_prosumers=4, chain_enabled=False, price_source="file", price_file=str(path), rng=2
    )
    model.run_for(48)
    frame = model.step_frame()
    np.testing.assert_allclose(frame["price_forecast"], prices)
    np.testing.assert_allclose(frame["grid_buy_price"], prices + model.params.local_market_fee)
    np.testing.assert_allclose(frame["grid_sell_price"], prices - model.params.local_market_fee)
    with pytest.raises(ParameterError, match="price file .* has 48 rows, too short for step 48"):
        model.step()


def test_price_file_is_checked(tmp_path):
    params = Parameters(n_prosumers=4, start_date="2023-01-01")  # a price file's clock
    path = _price_file(tmp_path / "prices.csv", params, [0.2, -0.1, 0.2])
    with pytest.raises(ParameterError, match="column 'price_eur_per_kwh', row 2: negative"):
        CommunityModel(n_prosumers=4, price_source="file", price_file=str(path), rng=2)
    with pytest.raises(ParameterError, match="price_source 'file' needs price_file"):
        Parameters(price_source="file")
    with pytest.raises(ParameterError, match="tou_bands must be 0, 1 or 2"):
        Parameters(tou_bands=(0.5,) * 24)
