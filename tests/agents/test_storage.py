"""Storage policies as functions: greedy is the original rule, the arbitrage LP does what a
hand calculation says, the forecasts are what their names say."""

import numpy as np
import pytest

from agents.battery import self_balance
from agents.storage import BatterySpec, GreedyPolicy, GridTariff, StorageInputs
from agents.storage.forecast_arbitrage import plan_storage
from agents.storage.forecasts import NaiveForecast, NoisyForecast, PerfectForecast
from community_model.sources.base import HourProfile

ETA = 0.9
SPEC = BatterySpec(soc_min=0.0, soc_max=1.0, efficiency=ETA, power_limit_kwh=None)


def two_hours(buy, sell, load=(0.0, 2.0), stored=0.0, capacity=10.0, spec=SPEC):
    return plan_storage(
        np.zeros((1, 2)), np.array([load]), np.array(buy), np.array(sell),
        np.array([stored]), np.array([capacity]), spec,
    )  # fmt: skip


def test_greedy_policy_is_self_balance_bit_for_bit():
    rng = np.random.default_rng(5)
    n = 200
    cap = np.where(rng.random(n) < 0.7, rng.uniform(5, 20, n), 0.0)
    stored = cap * rng.uniform(0.1, 0.95, n)
    pv, load = rng.uniform(0, 4, n), rng.uniform(0, 4, n)
    for limit in (None, 1.5):
        policy = GreedyPolicy()
        spec = BatterySpec(0.1, 0.95, 0.95, limit)
        policy.setup(spec, GridTariff(0.03, None), 1.0, None, np.random.default_rng(0))
        rows = np.arange(n)
        got = policy.decide(StorageInputs(0, rows, pv, load, stored, cap, 0.2))
        want = self_balance(
            pv - load, stored, cap, soc_min=0.1, soc_max=0.95, efficiency=0.95,
            power_limit_kwh=limit,
        )  # fmt: skip
        for a, b in zip(got, want, strict=True):
            assert np.array_equal(a, b)


def test_lp_charges_in_the_cheap_hour_and_covers_the_expensive_one():
    # Importing 2 / eta^2 kWh at 0.10 beats importing 2 kWh at 0.30 (0.30 * 0.81 > 0.10);
    # exporting stored energy does not pay (0.10 * 0.81 < 0.10), so it stores just enough.
    plan = two_hours(buy=[0.10, 0.30], sell=[0.05, 0.10])
    assert plan.ok
    assert plan.charge_kwh[0] == pytest.approx([2.0 / ETA**2, 0.0], abs=1e-9)
    assert plan.discharge_kwh[0] == pytest.approx([0.0, 2.0], abs=1e-9)
    assert plan.import_kwh[0] == pytest.approx([2.0 / ETA**2, 0.0], abs=1e-9)
    assert plan.stored_kwh[0] == pytest.approx([2.0 / ETA, 0.0], abs=1e-9)


def test_lp_never_cycles_when_the_spread_does_not_beat_the_round_trip_losses():
    # 0.30 * 0.81 = 0.243 < 0.25: the loss eats the spread.
    plan = two_hours(buy=[0.25, 0.30], sell=[0.05, 0.10])
    assert np.all(plan.charge_kwh < 1e-9) and np.all(plan.discharge_kwh < 1e-9)
    assert plan.import_kwh[0] == pytest.approx([0.0, 2.0], abs=1e-9)


def test_lp_exports_into_the_peak_when_the_export_price_beats_losses():
    # Export at 0.25 in hour 2 beats import at 0.10 after losses (0.25 * 0.81 > 0.10): fill up.
    plan = two_hours(buy=[0.10, 0.30], sell=[0.05, 0.25], load=(0.0, 0.0))
    assert plan.stored_kwh[0, 0] == pytest.approx(10.0, abs=1e-9)
    assert plan.export_kwh[0, 1] == pytest.approx(10.0 * ETA, abs=1e-9)


def test_lp_keeps_soc_bounds_and_power_limit():
    spec = BatterySpec(soc_min=0.2, soc_max=0.8, efficiency=ETA, power_limit_kwh=1.0)
    plan = two_hours(buy=[0.10, 0.30], sell=[0.05, 0.25], load=(0.0, 3.0), stored=4.0, spec=spec)
    assert np.all(plan.charge_kwh <= 1.0 + 1e-9) and np.all(plan.discharge_kwh <= 1.0 + 1e-9)
    assert np.all(plan.stored_kwh >= 2.0 - 1e-9) and np.all(plan.stored_kwh <= 8.0 + 1e-9)
    # the plan balances: pv - load - charge + discharge + import - export = 0
    balance = -np.array([[0.0, 3.0]]) - plan.charge_kwh + plan.discharge_kwh
    balance += plan.import_kwh - plan.export_kwh
    assert np.abs(balance).max() < 1e-9


def test_lp_of_many_homes_equals_each_home_alone():
    rng = np.random.default_rng(2)
    n, h = 6, 24
    pv, load = rng.uniform(0, 3, (n, h)), rng.uniform(0, 3, (n, h))
    buy = 0.2 + 0.1 * np.sin(np.arange(h) / 4)
    sell = buy - 0.06
    cap = rng.uniform(5, 15, n)
    stored = cap * 0.5
    together = plan_storage(pv, load, buy, sell, stored, cap, SPEC)
    for i in range(n):
        alone = plan_storage(pv[i : i + 1], load[i : i + 1], buy, sell, stored[i : i + 1],
                             cap[i : i + 1], SPEC)  # fmt: skip
        cost = lambda p: float(np.sum(buy * p.import_kwh - sell * p.export_kwh))  # noqa: E731
        assert cost(alone) == pytest.approx(
            float(np.sum(buy * together.import_kwh[i] - sell * together.export_kwh[i])),
            abs=1e-6,
        )


def _inputs(step, pv, load, price, rows=None):
    rows = np.arange(len(pv)) if rows is None else rows
    return StorageInputs(step, rows, np.asarray(pv, float), np.asarray(load, float),
                         np.zeros(len(rows)), np.ones(len(rows)), float(price))  # fmt: skip


def test_naive_forecast_is_the_same_hour_yesterday():
    day = 4
    naive = NaiveForecast(day)
    for t in range(6):  # steps 0..5, values = step number
        naive.observe(_inputs(t, [t, 10 + t], [2 * t, 0], 0.1 * t))
    horizon = naive.horizon(_inputs(5, [5, 15], [10, 0], 0.5), 6)
    # lead 0 is the actual step; lead k comes from step 5 + k - 4 * ceil(k / 4)
    assert horizon.pv_kwh[0].tolist() == [5, 2, 3, 4, 5, 2]
    assert horizon.price_forecast.tolist() == pytest.approx([0.5, 0.2, 0.3, 0.4, 0.5, 0.2])


def test_naive_forecast_before_a_day_is_observed_uses_the_current_step():
    naive = NaiveForecast(24)
    naive.observe(_inputs(0, [1.0], [2.0], 0.3))
    horizon = naive.horizon(_inputs(0, [1.0], [2.0], 0.3), 5)
    assert horizon.pv_kwh.tolist() == [[1.0] * 5]
    assert horizon.load_kwh.tolist() == [[2.0] * 5]


class _Known:
    """A source whose future is a fixed table (steps x homes)."""

    def __init__(self, pv):
        self.pv = np.asarray(pv, float)

    def lookahead(self, step, n_steps):
        rows = self.pv[step : step + n_steps]
        return HourProfile(rows, rows * 0 + 1.0, np.full(n_steps, 0.2))


def test_perfect_forecast_reads_the_sources_future_and_noisy_perturbs_only_later_leads():
    source = _Known(np.arange(20.0).reshape(10, 2))
    perfect = PerfectForecast(source).horizon(_inputs(3, [6.0, 7.0], [1, 1], 0.2), 4)
    assert perfect.pv_kwh.tolist() == [[6, 8, 10, 12], [7, 9, 11, 13]]
    noisy = NoisyForecast(source, 0.2, np.random.default_rng(1))
    got = noisy.horizon(_inputs(3, [6.0, 7.0], [1, 1], 0.2), 4)
    assert got.pv_kwh[:, 0].tolist() == [6, 7]  # lead 0: the actual step
    assert not np.allclose(got.pv_kwh[:, 1:], perfect.pv_kwh[:, 1:])
    assert np.all(got.pv_kwh >= 0) and np.array_equal(got.price_forecast, perfect.price_forecast)
    relative = got.pv_kwh[:, 1:] / perfect.pv_kwh[:, 1:] - 1
    assert 0.02 < relative.std() < 0.5


def test_perfect_forecast_needs_a_source_that_can_be_read_ahead():
    with pytest.raises(ValueError, match="lookahead"):
        PerfectForecast(object())


@pytest.mark.parametrize("limit", [None, 1.2])
def test_the_compact_lp_has_the_optimum_of_the_flow_lp(limit):
    from agents.storage.forecast_arbitrage import _plan_flows, _plan_pieces

    rng = np.random.default_rng(9)
    n, h = 8, 24
    pv, load = rng.uniform(0, 3, (n, h)) * (rng.random((n, h)) < 0.5), rng.uniform(0, 3, (n, h))
    buy = rng.uniform(0.1, 0.35, h)
    sell = buy - rng.uniform(0.0, 0.08, h)
    cap = rng.uniform(5, 15, n)
    spec = BatterySpec(0.1, 0.95, 0.95, limit)
    args = (pv, load, buy, sell, cap * rng.uniform(0.1, 0.95, n), cap, spec)
    compact, flows = _plan_pieces(*args), _plan_flows(*args)
    bill = lambda p: (buy * p.import_kwh - sell * p.export_kwh).sum(axis=1)  # noqa: E731
    np.testing.assert_allclose(bill(compact), bill(flows), atol=1e-6)
    assert np.all(compact.charge_kwh <= (np.inf if limit is None else limit) + 1e-9)
