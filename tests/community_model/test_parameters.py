"""Parameters: SPEC defaults, one clear error per bad value, same names as the model."""

import inspect

import numpy as np
import pytest

from community_model import CommunityModel, ParameterError, Parameters

BAD = [
    ({"n_prosumers": 0}, r"n_prosumers must be an integer in \[1, 1000000\], got 0"),
    ({"n_prosumers": 2.5}, "n_prosumers must be an integer"),
    ({"battery_efficiency": 1.5}, r"battery_efficiency must be a number in \(0, 1\], got 1.5"),
    ({"soc_min": 0.9, "soc_max": 0.5}, "soc_min must be below soc_max"),
    ({"initial_soc": 0.05}, r"initial_soc must be in \[soc_min, soc_max\]"),
    ({"battery_share": -0.1}, r"battery_share must be a number in \[0, 1\]"),
    ({"battery_share": float("nan")}, "battery_share must be a number"),
    ({"fee_mode": "flat"}, "fee_mode must be one of 'per_kwh', 'quantity_scaled', got 'flat'"),
    ({"clearing_mechanism": "vickrey"}, "clearing_mechanism must be one of"),
    ({"pricing_strategy": "smart"}, "pricing_strategy must be one of"),
    ({"step_hours": 0.3}, "step_hours must divide one hour evenly"),
    ({"load_shape": (1.0, 2.0)}, "load_shape must be a list of 24 numbers"),
    ({"base_loads_kwh": (0.5, 0.6)}, "base_loads_kwh must have one value per home type"),
    ({"max_trade_cap": 0}, r"max_trade_cap must be a number in \(0, 1000000.0\]"),
    ({"battery_power_kw": -1.0}, "battery_power_kw must be a number in"),
    ({"pv_weather_min": 0.9, "pv_weather_max": 0.8}, "pv_weather_min must not exceed"),
    ({"battery_share": True}, "battery_share must be a number"),
    # integers beyond any float, an array where a name is asked (found by a random search)
    ({"n_prosumers": 10**400}, r"n_prosumers must be an integer in \[1, 1000000\], got an int"),
    ({"n_prosumers": 10**5000}, "got an integer of 16610 bits"),
    ({"step_hours": -(10**400)}, "step_hours must be"),
    ({"pv_capacities_kw": (10**400, 1.0)}, "pv_capacities_kw must be a list"),
    ({"fee_mode": np.array(["a", "b"])}, "fee_mode must be one of .*got an array of shape"),
    ({"profile_source": np.array([1.0, 2.0])}, "profile_source must be one of"),
    # values the checks let through before and pandas refused later (found by the same search)
    ({"start_date": "2023-W01-1"}, "start_date must be a date YYYY-MM-DD in the years 1900-2200"),
    ({"start_date": "9999-12-31"}, "start_date must be a date"),
    ({"start_date": "1677-09-21"}, "start_date must be a date"),
    ({"timezone": "Factory"}, "timezone must be an IANA time zone name"),
    ({"timezone": "localtime"}, "timezone must be an IANA time zone name"),
    ({"step_hours": 2**-30}, "step_hours must divide one hour evenly into at most 60 steps"),
    ({"step_hours": 1 / 61}, "step_hours must divide one hour evenly into at most 60 steps"),
    ({"load_file": "/no/such/load.csv"}, r"got '/no/such/load.csv' \(no such file\)"),
]


def test_a_folder_given_as_a_file_is_named_so(tmp_path):
    folder = tmp_path / "loads.csv"
    folder.mkdir()
    with pytest.raises(ParameterError, match=r"load_file must be the path .*\(a folder\)"):
        Parameters(load_file=str(folder), profile_source="files")


def test_defaults_are_the_spec_defaults():
    p = Parameters()
    assert (p.n_prosumers, p.battery_share, p.battery_efficiency) == (100, 0.8, 0.95)
    assert (p.soc_min, p.soc_max, p.initial_soc) == (0.1, 0.95, 0.5)
    assert (p.base_price, p.local_market_fee, p.max_trade_cap) == (0.15, 0.03, 3.0)
    assert (p.dead_band, p.imbalance_threshold, p.battery_offer_fraction) == (0.01, 0.05, 0.5)
    assert p.pv_capacities_kw[0] == 2.5 and p.battery_capacities_kwh[-1] == 20.0
    assert p.fee_mode == "per_kwh" and p.clearing_mechanism == "seed"


@pytest.mark.parametrize(("kwargs", "message"), BAD)
def test_bad_value_names_parameter_and_range(kwargs, message):
    with pytest.raises(ParameterError, match=message):
        Parameters(**kwargs)
    with pytest.raises(ParameterError, match=message):  # the model validates the same way
        CommunityModel(**kwargs)


def test_model_signature_is_the_parameters_plus_rng():
    signature = inspect.signature(CommunityModel.__init__).parameters
    names = [n for n in signature if n != "self"]
    assert names == [*Parameters.names(), "rng"]
    defaults = Parameters()
    for name in Parameters.names():
        assert signature[name].default == getattr(defaults, name), name


def test_numpy_scalars_and_lists_are_normalised():
    p = Parameters(n_prosumers=np.int64(12), battery_share=np.float32(0.5), load_shape=[1] * 24)
    assert type(p.n_prosumers) is int and p.n_prosumers == 12
    assert type(p.battery_share) is float
    assert p.load_shape == (1.0,) * 24
