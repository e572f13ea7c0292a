"""Time zone, weather station and site checked against each other; P25/S25 not with PV."""

import pytest

from community_model import CommunityModel
from community_model.errors import ParameterError

REAL = dict(profile_source="standard", n_prosumers=3, chain_enabled=False)


def test_a_time_zone_far_from_the_sites_solar_time_is_refused():
    with pytest.raises(ParameterError, match=r"timezone 'America/New_York' \(UTC-5\)"):
        CommunityModel(**REAL, timezone="America/New_York")


def test_the_sites_own_zone_and_a_moved_site_are_accepted():
    CommunityModel(**REAL, timezone="UTC")  # Potsdam: solar time UTC+0.9
    model = CommunityModel(
        **REAL, weather_file="723170TYA", timezone="America/New_York", start_date="2023-07-01"
    )
    model.step()


def test_a_site_far_from_the_weather_station_is_warned_of():
    with pytest.warns(UserWarning, match="km from the station of weather 'TRY2010_04"):
        CommunityModel(**REAL, site_latitude=47.12, site_longitude=9.29, timezone="Europe/Zurich")


@pytest.mark.parametrize("profile", ["P25", "S25"])
def test_pv_home_profiles_are_refused_with_pv(profile):
    with pytest.raises(ParameterError, match="PV would count twice"):
        CommunityModel(**REAL, standard_load_profile=profile)
    CommunityModel(**REAL, standard_load_profile=profile, pv_scale=0.0)


# --- the synthetic day's clock (issue 15: an honest clock for the synthetic day) ------------
def test_the_synthetic_day_is_stamped_on_the_equinox_its_sun_stands_for():
    """The synthetic sun shines from 06:00 to 18:00 with noon at 12:00: an equinox day. Its
    default date is the March equinox, when Berlin's real day is 12 h long and the sun's noon
    within a quarter of an hour of 12:00 on the local clock (pvlib's solar position)."""
    import numpy as np
    import pandas as pd
    import pvlib

    from community_model import CommunityModel

    model = CommunityModel(n_prosumers=4, chain_enabled=False, rng=0)
    model.run_for(24)
    steps = model.step_frame()
    assert steps.timestamp.iloc[0] == pd.Timestamp("2023-03-20 00:00", tz="Europe/Berlin")
    local_hour = steps.timestamp.dt.hour + 0.5  # the middle of each hour
    noon = float(np.average(local_hour, weights=steps.pv_kwh))
    # the half sine is sampled at each hour's start, so its energy centres on 12:30
    assert noon == pytest.approx(12.5, abs=0.05)
    times = pd.date_range("2023-03-20", periods=24 * 60, freq="min", tz="Europe/Berlin")
    sun = pvlib.solarposition.get_solarposition(times, 52.52, 13.40)  # Berlin
    up = times[sun.apparent_elevation.to_numpy() > 0]
    day_hours = (up[-1] - up[0]).total_seconds() / 3600
    solar_noon = times[int(np.argmax(sun.apparent_elevation.to_numpy()))]
    assert day_hours == pytest.approx(12.0, abs=0.25)
    assert abs(solar_noon.hour + solar_noon.minute / 60 - noon) < 0.5


def test_the_seed_scenario_and_data_sources_keep_their_dates():
    import pandas as pd

    from community_model import CommunityModel
    from community_model.parameters import Parameters

    seed = CommunityModel.from_scenario("seed", n_prosumers=4, chain_enabled=False, rng=0)
    seed.run_for(1)
    assert seed.step_frame().timestamp.iloc[0] == pd.Timestamp("2023-01-01", tz="Europe/Berlin")
    assert Parameters(profile_source="standard").first_date == "2023-01-01"
    assert Parameters(profile_source="synthetic", start_date="2023-07-01").first_date == (
        "2023-07-01"
    )
