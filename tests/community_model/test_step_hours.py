"""Durations in hours and per-step quantities as rates (issue 15): a quarter-hour run differs
from an hourly one only by resolution."""

import pytest

from community_model import CommunityModel
from community_model.parameters import Parameters


def test_durations_and_rates_scale_with_the_step():
    quarter = Parameters(step_hours=0.25)
    assert quarter.steps_of(quarter.ban_window) == 96  # 24 h, not 6 h
    assert quarter.steps_of(quarter.max_deferral_hours) == 48
    assert quarter.trade_cap_kwh == pytest.approx(0.75)  # 3 kWh/h, not 12 kWh/h
    assert quarter.dead_band_kwh == pytest.approx(0.0025)
    model = CommunityModel(step_hours=0.25, n_prosumers=3, chain_enabled=False)
    assert model.regulator.window_penalty.ring.shape[0] == 96
    assert model.flexible_load.waiting.shape[0] == 48


def _run(step_hours: float):
    model = CommunityModel(
        profile_source="standard", n_prosumers=30, step_hours=step_hours,
        start_date="2023-03-01", chain_enabled=False, agent_data_every=0,
        objective="maximize_p2p", rng=1,
    )  # fmt: skip
    for _ in range(int(72 / step_hours)):
        model.step()
    return model.kpis()


def test_hourly_and_quarter_hour_runs_agree_up_to_resolution():
    hourly, quarter = _run(1.0), _run(0.25)
    assert quarter["pv_kwh"] == pytest.approx(hourly["pv_kwh"], rel=1e-9)
    assert quarter["load_kwh"] == pytest.approx(hourly["load_kwh"], rel=0.01)
    assert quarter["self_sufficiency"] == pytest.approx(hourly["self_sufficiency"], abs=0.01)
    # with the cap and dead band per step the quarter-hour run traded 3.5x (per kWh/h: 12 %)
    assert quarter["p2p_kwh"] == pytest.approx(hourly["p2p_kwh"], rel=0.2)
