"""Property-based runs (hypothesis): random valid parameter sets and run lengths.

Every step of every example is checked by the invariant checker (energy and money
conservation, SOC bounds, no trade above its bid or below its ask, nothing traded beyond what
was offered, no banned trader, every trade on the chain once); a second run with the same seed
must give identical frames.
"""

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from community_model import CommunityModel, Parameters
from community_model.invariants import run_checked
from community_model.parameters import CLEARING_MECHANISMS, OBJECTIVES, PRICING_STRATEGIES


@st.composite
def parameter_sets(draw):
    soc_min = draw(st.floats(0.0, 0.5))
    soc_max = draw(st.floats(soc_min + 0.05, 1.0))
    weather_min = draw(st.floats(0.0, 1.0))
    strict_bans = draw(st.booleans())
    params = dict(
        n_prosumers=draw(st.integers(1, 25)),
        battery_share=draw(st.floats(0.0, 1.0)),
        pv_scale=draw(st.floats(0.0, 3.0)),
        load_scale=draw(st.floats(0.1, 3.0)),
        step_hours=draw(st.sampled_from([1.0, 0.5, 0.25])),
        start_hour=draw(st.integers(0, 23)),
        pv_weather_min=weather_min,
        pv_weather_max=draw(st.floats(weather_min, 1.0)),
        battery_efficiency=draw(st.floats(0.5, 1.0)),
        soc_min=soc_min,
        soc_max=soc_max,
        initial_soc=draw(st.floats(soc_min, soc_max)),
        battery_power_kw=draw(st.none() | st.floats(0.1, 5.0)),
        max_trade_cap=draw(st.floats(0.05, 5.0)),
        dead_band=draw(st.floats(0.0, 0.3)),
        imbalance_threshold=draw(st.floats(0.0, 1.0)),
        battery_offer_fraction=draw(st.floats(0.0, 1.0)),
        local_market_fee=draw(st.floats(0.0, 0.1)),
        fee_mode=draw(st.sampled_from(["per_kwh", "quantity_scaled"])),
        pricing_strategy=draw(st.sampled_from(sorted(PRICING_STRATEGIES))),
        clearing_mechanism=draw(st.sampled_from(CLEARING_MECHANISMS)),
        uniform_k=draw(st.floats(0.0, 1.0)),
        objective=draw(st.sampled_from(OBJECTIVES)),
        flexible_load_share=draw(st.floats(0.0, 1.0)),
        max_deferral_hours=draw(st.integers(0, 24)),
        exempt_no_battery=draw(st.booleans()),
        chain_enabled=draw(st.booleans()),
        difficulty=draw(st.integers(0, 1)),
        max_transactions_per_block=draw(st.integers(1, 60)),
    )
    if strict_bans:
        params.update(ban_penalty_threshold=0.01, ban_bonus_threshold=1.0,
                      ban_balance_threshold=-0.2, ban_window=draw(st.integers(1, 24)))  # fmt: skip
    return params


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(params=parameter_sets(), hours=st.integers(1, 40), seed=st.integers(0, 2**32 - 1))
def test_any_valid_configuration_keeps_every_invariant(params, hours, seed):
    Parameters(**params)  # the strategy only draws valid sets
    model = CommunityModel(**params, rng=seed)
    checker = run_checked(model, hours)
    assert checker.steps_checked == hours


@settings(max_examples=15, deadline=None)
@given(params=parameter_sets(), seed=st.integers(0, 2**32 - 1))
def test_same_seed_same_run(params, seed):
    runs = []
    for _ in range(2):
        model = CommunityModel(**params, rng=seed, reproducible_keys=True)
        model.run_for(12)
        runs.append(model)
    a, b = runs
    pd.testing.assert_frame_equal(a.step_frame(), b.step_frame(), check_exact=True)
    pd.testing.assert_frame_equal(a.trades_frame(), b.trades_frame(), check_exact=True)
    if a.blockchain is not None:
        assert [blk.hash for blk in a.blockchain.blocks] == [
            blk.hash for blk in b.blockchain.blocks
        ]
