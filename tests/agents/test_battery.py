"""Battery physics: efficiency on both ways, SOC bounds, power limit."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agents.battery import deliverable_kwh, discharge_for_sale, self_balance

KW = dict(soc_min=0.1, soc_max=0.95, efficiency=0.95)


def test_surplus_charges_with_loss_until_soc_max():
    flows = self_balance(np.array([2.0, 20.0]), np.array([5.0, 5.0]), np.array([10.0, 10.0]), **KW)
    np.testing.assert_allclose(flows.charge_kwh, [2.0, 4.5 / 0.95])
    np.testing.assert_allclose(flows.stored_kwh, [5.0 + 2.0 * 0.95, 9.5])
    np.testing.assert_allclose(flows.loss_kwh, flows.charge_kwh * 0.05)
    assert (flows.discharge_kwh == 0).all()


def test_deficit_discharges_with_loss_until_soc_min():
    flows = self_balance(
        np.array([-1.0, -10.0]), np.array([5.0, 5.0]), np.array([10.0, 10.0]), **KW
    )
    np.testing.assert_allclose(flows.discharge_kwh, [1.0, 4.0 * 0.95])
    np.testing.assert_allclose(flows.stored_kwh, [5.0 - 1.0 / 0.95, 1.0])


def test_no_battery_no_flow_and_power_limit():
    flows = self_balance(np.array([3.0, -3.0]), np.zeros(2), np.zeros(2), **KW)
    assert not flows.charge_kwh.any() and not flows.discharge_kwh.any()
    limited = self_balance(
        np.array([3.0, -3.0]),
        np.array([5.0, 5.0]),
        np.array([10.0, 10.0]),
        power_limit_kwh=0.5,
        **KW,
    )
    np.testing.assert_allclose(limited.charge_kwh, [0.5, 0.0])
    np.testing.assert_allclose(limited.discharge_kwh, [0.0, 0.5])


@settings(max_examples=200, deadline=None)
@given(
    imbalance=st.floats(-30, 30),
    soc=st.floats(0.1, 0.95),
    capacity=st.floats(0, 25),
    efficiency=st.floats(0.5, 1.0),
)
def test_self_balance_keeps_bounds_and_conserves(imbalance, soc, capacity, efficiency):
    stored = np.array([soc * capacity])
    flows = self_balance(
        np.array([imbalance]),
        stored,
        np.array([capacity]),
        soc_min=0.1,
        soc_max=0.95,
        efficiency=efficiency,
    )
    assert flows.stored_kwh[0] >= 0.1 * capacity - 1e-9
    assert flows.stored_kwh[0] <= 0.95 * capacity + 1e-9
    assert flows.loss_kwh[0] >= -1e-12
    # energy in = energy stored + delivered + lost
    assert flows.charge_kwh[0] - flows.discharge_kwh[0] == pytest.approx(
        flows.stored_kwh[0] - stored[0] + flows.loss_kwh[0], abs=1e-9
    )
    # never more than the imbalance asks for
    assert flows.charge_kwh[0] <= max(imbalance, 0) + 1e-12
    assert flows.discharge_kwh[0] <= max(-imbalance, 0) + 1e-12


def test_selling_stored_energy_obeys_losses():
    stored = np.array([8.0])
    can = deliverable_kwh(stored, np.array([10.0]), 0.1, 0.95)
    after, loss = discharge_for_sale(can, stored, 0.95)
    np.testing.assert_allclose(after, [1.0])
    np.testing.assert_allclose(loss, [7.0 - 7.0 * 0.95])
