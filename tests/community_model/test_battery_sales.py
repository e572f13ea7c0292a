"""No battery charges from its own PV while selling stored energy in the same step (issue 15)."""

import numpy as np

from community_model import CommunityModel
from community_model.invariants import InvariantChecker


def test_a_battery_that_sells_in_a_charging_hour_sells_its_pv_instead():
    model = CommunityModel(
        profile_source="standard", n_prosumers=40, start_date="2023-04-01",
        chain_enabled=False, agent_data_every=0, rng=2,
    )  # fmt: skip
    checker = InvariantChecker(model)  # asserts: never charge and discharge in one step
    netted_steps = 0
    for _ in range(72):
        state = model.state
        model.step()
        checker.check()
        sold = state.p2p_sold_battery_kwh > 0
        assert not ((state.charge_kwh > 1e-9) & (state.discharge_kwh > 1e-9)).any()
        # a seller of stored energy that the PV would have charged did not discharge
        netted = sold & (state.discharge_kwh < state.p2p_sold_battery_kwh - 1e-12)
        netted_steps += int(netted.any())
    assert netted_steps > 0
    assert np.isfinite(model.kpis()["battery_loss_kwh"])
