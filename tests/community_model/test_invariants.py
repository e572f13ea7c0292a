"""SPEC section 8 invariants on every step of seeded runs, across configurations."""

import dataclasses

import numpy as np
import pytest

from community_model import CommunityModel
from community_model.invariants import InvariantChecker, InvariantError, run_checked

CONFIGS = {
    "default": {},
    "no batteries": {"battery_share": 0.0},
    "all batteries": {"battery_share": 1.0},
    "no PV": {"pv_scale": 0.0},
    "one prosumer": {"n_prosumers": 1},
    "two prosumers": {"n_prosumers": 2},
    "zero-intelligence pricing": {"pricing_strategy": "zic"},
    "uniform price": {"clearing_mechanism": "uniform", "uniform_k": 0.3},
    "trade reduction": {"clearing_mechanism": "trade_reduction"},
    "quantity-scaled fee": {"fee_mode": "quantity_scaled"},
    "battery power limit": {"battery_power_kw": 0.8},
    "quarter-hour steps": {"step_hours": 0.25},
    "small trade cap": {"max_trade_cap": 0.2},
    "no dead band, no threshold": {"dead_band": 0.0, "imbalance_threshold": 0.0},
    "lossless full-range battery": {"battery_efficiency": 1.0, "soc_min": 0.0, "soc_max": 1.0},
    "big PV, small load": {"pv_scale": 3.0, "load_scale": 0.3},
    "homes without PV, batteries per MWh at 0.5 C, shared clouds": {
        "pv_share": 0.5,
        "battery_on_pv_only": True,
        "battery_kwh_per_mwh": 1.2,
        "battery_c_rate": 0.5,
        "synthetic_weather": "shared",
        "weather_spread": 0.1,
    },
    "zero fee, zic, maximize_p2p": {
        "local_market_fee": 0.0,
        "pricing_strategy": "zic",
        "objective": "maximize_p2p",
    },
}


@pytest.mark.parametrize("seed", [1, 7, 2024])
@pytest.mark.parametrize("config", CONFIGS.values(), ids=CONFIGS.keys())
def test_invariants_hold_every_step(config, seed):
    model = CommunityModel(**{"n_prosumers": 40, **config}, rng=seed)
    checker = run_checked(model, 48)
    assert checker.steps_checked == 48
    # No regulator yet in these runs: nobody is ever banned.
    assert (model.step_frame()["banned"] == 0).all()


def test_checker_detects_broken_energy_balance():
    model = CommunityModel(n_prosumers=10, rng=3)
    checker = InvariantChecker(model)
    model.step()
    model.state.grid_import_kwh[4] += 1e-6  # a kWh from nowhere
    with pytest.raises(InvariantError, match="energy does not balance"):
        checker.check()


def test_checker_detects_a_battery_beyond_its_power_limit():
    model = CommunityModel(n_prosumers=10, battery_share=1.0, rng=3)
    checker = InvariantChecker(model)
    model.step()  # unlimited; every other invariant holds
    through = np.maximum(model.state.charge_kwh, model.state.discharge_kwh)
    assert through.max() > 0.05
    # the same hour judged against a C-rate of 0.01 per hour: the busiest batteries broke it
    model.params = dataclasses.replace(model.params, battery_c_rate=0.01)
    assert (0.01 * model.homes.battery_capacity_kwh < through).any()
    with pytest.raises(InvariantError, match="exceeded its power limit"):
        checker.check()


def test_checker_detects_soc_out_of_bounds():
    model = CommunityModel(n_prosumers=10, battery_share=1.0, rng=3)
    checker = InvariantChecker(model)
    model.step()
    model.state.stored_kwh[0] = 0.0
    with pytest.raises(InvariantError):
        checker.check()


def test_checker_detects_unexplained_balance_change():
    model = CommunityModel(n_prosumers=10, rng=3)
    checker = InvariantChecker(model)
    model.step()
    model.state.balance_eur[2] += 0.01
    with pytest.raises(InvariantError, match="balance change"):
        checker.check()


def test_banned_prosumers_make_no_p2p_trade_and_grid_settles_them():
    model = CommunityModel(n_prosumers=30, rng=5)
    checker = InvariantChecker(model)
    banned_rows = np.arange(0, 30, 3)
    for _ in range(24):
        model.state.ban_remaining[banned_rows] = 1  # held banned by hand every hour
        model.step()
        checker.check()
        s = model.state
        assert (s.offer_kwh[banned_rows] == 0).all()
        assert (s.battery_offer_kwh[banned_rows] == 0).all()
        assert (s.p2p_bought_kwh[banned_rows] == 0).all()
        assert (s.p2p_sold_kwh[banned_rows] == 0).all()
        # whatever a banned home could not balance itself went to the grid
        net = s.residual_kwh[banned_rows]
        np.testing.assert_allclose(
            s.grid_export_kwh[banned_rows] - s.grid_import_kwh[banned_rows], net, atol=1e-12
        )
