"""Homes without PV, batteries only on PV homes, batteries sized by load, power from a C-rate,
shared synthetic weather (issue 15)."""

import numpy as np
import pytest

from community_model import CommunityModel
from community_model.hour import battery_power_limit_kwh
from community_model.invariants import run_checked

FAST = dict(chain_enabled=False, agent_data_every=0)


def test_pv_share_and_batteries_only_on_pv_homes():
    model = CommunityModel(n_prosumers=2000, pv_share=0.6, battery_on_pv_only=True, **FAST, rng=1)
    homes = model.homes
    has_pv = homes.pv_capacity_kw > 0
    assert has_pv.mean() == pytest.approx(0.6, abs=0.03)
    assert not (homes.has_battery & ~has_pv).any()
    assert homes.has_battery[has_pv].mean() == pytest.approx(0.8, abs=0.03)


def test_the_seeds_homes_are_unchanged_by_the_new_parameters_at_their_defaults():
    a = CommunityModel(n_prosumers=50, **FAST, rng=3).homes
    b = CommunityModel(n_prosumers=50, pv_share=1.0, battery_on_pv_only=False, **FAST, rng=3).homes
    assert np.array_equal(a.battery_capacity_kwh, b.battery_capacity_kwh)
    assert np.array_equal(a.pv_capacity_kw, b.pv_capacity_kw)


def test_battery_sized_per_mwh_of_load_with_power_from_a_c_rate():
    model = CommunityModel(
        n_prosumers=40, profile_source="standard", battery_share=1.0, battery_kwh_per_mwh=1.2,
        battery_c_rate=0.5, **FAST, rng=2,
    )  # fmt: skip
    annual = np.asarray(model.params.annual_loads_kwh)[model.homes.home_type]
    assert np.allclose(model.homes.battery_capacity_kwh, 1.2 * annual / 1000)
    limit = battery_power_limit_kwh(model.params, model.homes)
    assert np.allclose(limit, 0.5 * model.homes.battery_capacity_kwh)
    run_checked(model, 24)
    assert (model.step_frame()["battery_charge_kwh"] >= 0).all()
    through = model.state.charge_kwh + model.state.discharge_kwh
    assert (through <= limit + 1e-9).all()


def test_shared_synthetic_weather_gives_every_home_the_same_sky():
    model = CommunityModel(n_prosumers=30, synthetic_weather="shared", start_hour=10, **FAST, rng=4)
    model.step()
    per_kw = model.state.pv_kwh / model.homes.pv_capacity_kw
    assert np.allclose(per_kw, per_kw[0])
    spread = CommunityModel(
        n_prosumers=30, synthetic_weather="shared", weather_spread=0.1, start_hour=10, **FAST,
        rng=4,
    )  # fmt: skip
    spread.step()
    ratio = spread.state.pv_kwh / spread.homes.pv_capacity_kw
    assert ratio.std() > 0 and (ratio.max() / ratio.min()) <= 1.1 / 0.9 + 1e-9
