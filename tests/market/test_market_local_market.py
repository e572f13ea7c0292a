"""Grid settlement through the aggregator, by hand and as money accounting."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from market import FEE_MODES, QTY_EPS, grid_prices, settle_local_market

# Surplus 2 kWh, deficit 3 kWh, surplus 0.5 kWh, a negligible deficit and nothing.
NET_KWH = [2.0, -3.0, 0.5, -1e-13, 0.0]


def test_grid_prices():
    grid_buy, grid_sell = grid_prices(0.15, 0.03)
    assert grid_buy == pytest.approx(0.18, abs=1e-15)
    assert grid_sell == pytest.approx(0.12, abs=1e-15)
    grid_buy, grid_sell = grid_prices(np.array([0.10, 0.20]), 0.03)  # works on arrays too
    np.testing.assert_allclose(grid_buy, [0.13, 0.23], rtol=0, atol=1e-15)
    np.testing.assert_allclose(grid_sell, [0.07, 0.17], rtol=0, atol=1e-15)


def test_per_kwh_fee_by_hand():
    # Importers pay 0.15 + 0.03 = 0.18, exporters get 0.15 - 0.03 = 0.12 per kWh:
    # 2 kWh out -> -0.24 EUR, 3 kWh in -> 0.54 EUR, 0.5 kWh out -> -0.06 EUR.
    settlement = settle_local_market(NET_KWH, forecast=0.15, fee=0.03)
    np.testing.assert_array_equal(settlement.import_kwh, [0.0, 3.0, 0.0, 0.0, 0.0])
    np.testing.assert_array_equal(settlement.export_kwh, [2.0, 0.0, 0.5, 0.0, 0.0])
    np.testing.assert_allclose(settlement.import_price, [0, 0.18, 0, 0, 0], rtol=0, atol=1e-15)
    np.testing.assert_allclose(settlement.export_price, [0.12, 0, 0.12, 0, 0], rtol=0, atol=1e-15)
    np.testing.assert_allclose(settlement.cost, [-0.24, 0.54, -0.06, 0, 0], rtol=0, atol=1e-15)


def test_quantity_scaled_fee_by_hand():
    # The original rule, price = 0.15 +/- 0.03 * kWh: the 3 kWh import pays
    # 0.15 + 0.09 = 0.24 per kWh (0.72 EUR); the 2 kWh export gets 0.15 - 0.06 = 0.09
    # (-0.18 EUR); the 0.5 kWh export gets 0.15 - 0.015 = 0.135 (-0.0675 EUR).
    settlement = settle_local_market(NET_KWH, forecast=0.15, fee=0.03, fee_mode="quantity_scaled")
    np.testing.assert_allclose(settlement.import_price, [0, 0.24, 0, 0, 0], rtol=0, atol=1e-15)
    np.testing.assert_allclose(settlement.export_price, [0.09, 0, 0.135, 0, 0], rtol=0, atol=1e-15)
    np.testing.assert_allclose(settlement.cost, [-0.18, 0.72, -0.0675, 0, 0], rtol=0, atol=1e-15)


@settings(max_examples=200, deadline=None)
@given(
    net_kwh=st.lists(st.floats(-5.0, 5.0), max_size=50),
    forecast=st.floats(0.0, 0.5),
    fee=st.floats(0.0, 0.1),
    fee_mode=st.sampled_from(FEE_MODES),
)
def test_settlement_accounts_for_energy_and_money(net_kwh, forecast, fee, fee_mode):
    net_kwh = np.array(net_kwh, dtype=np.float64)
    settlement = settle_local_market(net_kwh, forecast, fee, fee_mode=fee_mode)
    imports, exports = settlement.import_kwh, settlement.export_kwh
    # Energy: each prosumer imports or exports what it lacks or has, never both.
    assert np.all(imports >= 0) and np.all(exports >= 0)
    assert not np.any((imports > 0) & (exports > 0))
    significant = np.abs(net_kwh) > QTY_EPS
    np.testing.assert_array_equal(np.where(significant, net_kwh, 0.0), exports - imports)
    # Money: the costs add up to what importers pay minus what exporters receive.
    paid = np.sum(imports * settlement.import_price)
    received = np.sum(exports * settlement.export_price)
    assert np.sum(settlement.cost) == pytest.approx(paid - received, abs=1e-12)
    # The aggregator earns the fee on every kWh it moves, at forecast +/- fee(kWh).
    fee_per_kwh = fee * (imports + exports) if fee_mode == "quantity_scaled" else fee
    margin = np.sum(settlement.cost) - forecast * np.sum(imports - exports)
    assert margin == pytest.approx(np.sum(fee_per_kwh * (imports + exports)), abs=1e-12)
    # Prices are quoted only where energy moves.
    assert np.all(settlement.import_price[imports == 0] == 0)
    assert np.all(settlement.export_price[exports == 0] == 0)


@pytest.mark.parametrize(
    ("arguments", "complaint"),
    [
        ({"fee_mode": "flat"}, r"fee_mode must be one of \['per_kwh', 'quantity_scaled'\]"),
        ({"net_kwh": [1.0, np.nan]}, "net_kwh must be finite"),
        ({"forecast": np.inf}, "forecast must be finite"),
        ({"fee": -0.01}, "fee must be >= 0"),
    ],
)
def test_invalid_settlement_names_the_argument(arguments, complaint):
    call = {"net_kwh": [1.0, -1.0], "forecast": 0.15, "fee": 0.03, **arguments}
    with pytest.raises(ValueError, match=complaint):
        settle_local_market(**call)
