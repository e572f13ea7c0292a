"""Storage policies in the model: the default is the original run bit for bit, the arbitrage
policy keeps every invariant, a policy written here runs for the homes it is given, and
reading ahead changes nothing."""

import numpy as np
import pandas as pd
import pytest

from agents.battery import BatteryFlows
from agents.storage import GreedyPolicy, StoragePolicy, register_storage_policy
from agents.storage.base import STORAGE_POLICIES
from community_model import CommunityModel
from community_model.errors import ParameterError
from community_model.homes import draw_homes
from community_model.invariants import run_checked
from community_model.parameters import Parameters
from community_model.sources.factory import make_profile_source

SMALL = dict(n_prosumers=20, chain_enabled=False)


def _run(hours=24, **params):
    model = CommunityModel(**{**SMALL, **params}, rng=7)
    model.run_for(hours)
    return model


def _same_run(a, b):
    pd.testing.assert_frame_equal(a.step_frame(), b.step_frame())
    assert np.array_equal(a.state.stored_kwh, b.state.stored_kwh)
    assert np.array_equal(a.state.balance_eur, b.state.balance_eur)


class PlainGreedy(GreedyPolicy):
    """The greedy rule as a user's subclass: forces the grouped code path."""


class Idle(StoragePolicy):
    """Never touches the battery."""

    def decide(self, inputs):
        zero = np.zeros(len(inputs.rows))
        return BatteryFlows(zero, zero, zero, inputs.stored_kwh.copy())


@pytest.fixture
def registered():
    register_storage_policy("plain_greedy", PlainGreedy)
    register_storage_policy("idle", Idle)
    yield
    STORAGE_POLICIES.pop("plain_greedy")
    STORAGE_POLICIES.pop("idle")


def test_default_and_a_zero_share_are_the_original_run():
    base = _run()
    assert base.storage.all_greedy
    _same_run(base, _run(storage_policy="forecast_arbitrage", storage_policy_share=0.0))


def test_the_grouped_path_with_greedy_everywhere_is_the_original_run(registered):
    _same_run(_run(), _run(storage_policy="plain_greedy"))
    model = CommunityModel(**SMALL, rng=7)
    model.storage.assign(np.arange(0, 20, 2), PlainGreedy())  # from Python, half the homes
    model.run_for(24)
    _same_run(_run(), model)


def test_a_policy_defined_here_runs_for_half_the_battery_homes(registered):
    # (a huge imbalance_threshold: no battery offers to the community, which sell stored energy)
    model = CommunityModel(
        **SMALL, storage_policy="idle", storage_policy_share=0.5, imbalance_threshold=1e6, rng=3
    )
    start = model.state.stored_kwh.copy()
    run_checked(model, 24)
    idle = model.storage.rows_of(model.storage.policies[1])
    battery = np.flatnonzero(model.homes.battery_capacity_kwh > 0)
    assert len(idle) == len(battery) // 2 and set(idle) <= set(battery)
    assert np.array_equal(model.state.stored_kwh[idle], start[idle])
    others = np.setdiff1d(battery, idle)
    assert np.any(model.state.stored_kwh[others] != start[others])


@pytest.mark.parametrize(
    "params",
    [
        dict(),
        dict(price_source="tou"),
        dict(price_source="tou", forecast_kind="naive", storage_policy_share=0.5),
        dict(price_source="tou", forecast_kind="noisy", forecast_error=0.5, battery_power_kw=2.0),
        dict(feed_in_tariff=0.05, arbitrage_horizon_hours=12, arbitrage_replan_hours=3),
        dict(objective="maximize_p2p", clearing_mechanism="uniform", chain_enabled=True,
             difficulty=1, sign_trades=False),
        # each home's own limit from a C-rate (the policy once saw battery_power_kw only)
        dict(price_source="tou", battery_c_rate=0.25),
        dict(price_source="tou", battery_c_rate=0.3, battery_power_kw=1.0, forecast_kind="naive"),
        # a fee above the price: exporting costs money, and the plan would charge and
        # discharge in one step to burn the surplus as losses (found by a random search)
        dict(local_market_fee=0.5),
    ],
)  # fmt: skip
def test_arbitrage_keeps_every_invariant_every_step(params):
    model = CommunityModel(**{**SMALL, **params}, storage_policy="forecast_arbitrage", rng=2)
    run_checked(model, 48)
    assert model.storage.policies[1].lp_failures == 0


def test_arbitrage_charges_from_the_grid_off_peak_and_serves_the_peak():
    model = _run(48, price_source="tou", storage_policy="forecast_arbitrage")
    log = model.storage_frame()
    assert set(log["policy"]) == {"forecast_arbitrage"}
    assert len(log) == 48 * len(model.storage.rows_of(model.storage.policies[1]))
    hour = (log.index.get_level_values("Step").to_numpy() - 1) % 24
    assert log["grid_charge_kwh"][hour < 6].sum() > 1.0  # off-peak night
    assert log["planned_discharge_kwh"][(hour >= 17) & (hour < 21)].sum() > 1.0  # peak


def test_perfect_foresight_of_the_standard_source_is_the_future_that_happens():
    model = _run(30, profile_source="standard", price_source="tou",
                 storage_policy="forecast_arbitrage", arbitrage_replan_hours=12)  # fmt: skip
    log = model.storage_frame()
    actual = model.prosumer_frame()["pv_kwh"].reindex(log.index)
    assert (log["lead"] > 0).any()
    np.testing.assert_allclose(log["forecast_pv_kwh"], actual, atol=1e-12)


@pytest.mark.parametrize("source", ["synthetic", "standard"])
def test_reading_ahead_changes_no_profile_and_no_random_number(source):
    params = Parameters(n_prosumers=5, profile_source=source, price_source="tou")
    homes = draw_homes(params, np.random.default_rng(0))
    peeked, plain = make_profile_source(params, homes), make_profile_source(params, homes)
    rng_a, rng_b = np.random.default_rng(1), np.random.default_rng(1)
    for step in range(30):
        a, b = peeked.hour(step, rng_a), plain.hour(step, rng_b)
        peeked.lookahead(step, 9000 if step == 3 else 24)  # across the year's end too
        assert np.array_equal(a.pv_kwh, b.pv_kwh) and np.array_equal(a.load_kwh, b.load_kwh)
        assert a.price_forecast == b.price_forecast
    assert rng_a.random() == rng_b.random()


def test_bad_storage_parameters_name_themselves():
    with pytest.raises(ParameterError, match="storage_policy must be one of"):
        CommunityModel(storage_policy="clever")
    with pytest.raises(ParameterError, match="arbitrage_replan_hours must not exceed"):
        CommunityModel(arbitrage_horizon_hours=12, arbitrage_replan_hours=24)
    with pytest.raises(ParameterError, match="forecast_kind must be one of"):
        CommunityModel(forecast_kind="oracle")
