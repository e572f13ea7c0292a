"""Bad inputs that slipped through before (issue 20): each refused with one line naming the
parameter, or accepted as documented."""

from __future__ import annotations

import pathlib

import numpy as np
import pytest

from community_model import CommunityModel
from community_model.errors import ParameterError
from community_model.parameters import Parameters


@pytest.mark.parametrize("text", ['objective = "none"', 'holiday_calendar = "none"'])
def test_documented_none_values_can_be_given_in_a_file(tmp_path, text):
    path = tmp_path / "p.toml"
    path.write_text(text + "\n")
    name = text.split(" = ")[0]
    assert Parameters.read_toml(path) == {name: "none"}
    assert getattr(Parameters.from_mapping(Parameters.read_toml(path)), name) == "none"


def test_none_still_means_none_for_an_optional_parameter(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text('feed_in_tariff = "none"\n')
    assert Parameters.read_toml(path) == {"feed_in_tariff": None}


@pytest.mark.parametrize("rng", [-1, "abc", 1.5, True, [1, 2]])
def test_a_bad_seed_is_named(rng):
    with pytest.raises(ParameterError, match=r"^rng must be None, an integer >= 0") as info:
        CommunityModel(n_prosumers=2, rng=rng)
    assert "\n" not in str(info.value)


def test_good_seeds_are_accepted():
    for rng in (None, 0, np.int64(3), np.random.default_rng(1), np.random.SeedSequence(2)):
        CommunityModel(n_prosumers=2, rng=rng)


def test_a_path_object_is_a_path(tmp_path):
    load = tmp_path / "load.csv"
    stamps = [f"2023-01-01T{h:02d}:00+01:00" for h in range(24)]
    load.write_text("timestamp,home_0\n" + "".join(f"{t},0.5\n" for t in stamps))
    model = CommunityModel(
        n_prosumers=1, profile_source="files", load_file=pathlib.Path(load), rng=1
    )
    assert model.params.load_file == str(load)
    model.run_for(2)


def test_an_array_of_the_wrong_length_is_one_line():
    with pytest.raises(ParameterError) as info:
        CommunityModel(n_prosumers=2, load_shape=np.ones(23))
    message = str(info.value)
    assert "\n" not in message and message.startswith("load_shape must be a list of 24")
    assert CommunityModel(n_prosumers=2, load_shape=np.ones(24)).params.load_shape == (1.0,) * 24


def test_infinity_is_not_offered_as_allowed():
    with pytest.raises(ParameterError, match=r"in \[0, inf\), got \(inf, 3.0\)"):
        Parameters(pv_capacities_kw=(np.inf, 3.0), base_loads_kwh=(1, 1),
                   battery_capacities_kwh=(1, 1), annual_loads_kwh=(1, 1))  # fmt: skip
