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
