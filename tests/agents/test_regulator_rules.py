"""Regulator rules: payments per objective, bans, rolling windows."""

import numpy as np
import pytest

from agents.regulator_rules import (
    EXCESSIVE_MARKET_USAGE,
    NEGATIVE_BALANCE,
    NO_INCENTIVES,
    Rates,
    RollingSum,
    StepQuantities,
    expected_incentives,
    incentive_payments,
    new_bans,
)

RATES = Rates(renewable_bonus=0.02, p2p_bonus=0.01, market_penalty=0.02)
# home 0: imports 1 of its 3 kWh load; home 1: sells 2 P2P, exports 1; home 2: buys 0.5 P2P
Q = StepQuantities(
    load=np.array([3.0, 1.0, 0.5]),
    grid_import=np.array([1.0, 0.0, 0.0]),
    grid_export=np.array([0.0, 1.0, 0.0]),
    p2p_bought=np.array([0.0, 0.0, 0.5]),
    p2p_sold=np.array([0.0, 2.0, 0.0]),
)
NOT_EXEMPT = np.zeros(3, dtype=bool)


def test_none_pays_nothing():
    bonus, penalty = incentive_payments("none", RATES, Q, NOT_EXEMPT)
    assert not bonus.any() and not penalty.any()
    assert expected_incentives("none", RATES) == NO_INCENTIVES


def test_renewable_pays_for_local_energy_used_and_charges_imports():
    bonus, penalty = incentive_payments("maximize_renewable", RATES, Q, NOT_EXEMPT)
    np.testing.assert_allclose(bonus, [0.02 * 2.0, 0.02 * 1.0, 0.02 * 0.5])
    np.testing.assert_allclose(penalty, [0.02, 0.0, 0.0])


def test_p2p_pays_both_sides_of_p2p_trades():
    bonus, penalty = incentive_payments("maximize_p2p", RATES, Q, NOT_EXEMPT)
    np.testing.assert_allclose(bonus, [0.0, 0.02, 0.005])
    assert not penalty.any()


def test_profit_is_revenue_neutral():
    bonus, penalty = incentive_payments("maximize_profit", RATES, Q, NOT_EXEMPT)
    np.testing.assert_allclose(penalty, [0.02, 0.02, 0.0])
    assert bonus.sum() == pytest.approx(penalty.sum())
    np.testing.assert_allclose(bonus, [0.0, 0.04 * 2.0 / 2.5, 0.04 * 0.5 / 2.5])


def test_exempt_homes_pay_no_market_penalty():
    exempt = np.array([True, False, False])
    _, penalty = incentive_payments("maximize_renewable", RATES, Q, exempt)
    assert penalty[0] == 0


def _bans(**overrides):
    args = dict(
        step=10,
        window_penalty=np.array([6.0, 6.0, 0.0, 6.0, 0.0]),
        window_bonus=np.array([1.0, 6.0, 0.0, 1.0, 0.0]),
        window_balance_change=np.array([0.0, 0.0, -60.0, -60.0, -10.0]),
        ban_remaining=np.zeros(5, dtype=np.int64),
        last_ban_step=np.full((2, 5), -1),
        penalty_threshold=5.0,
        bonus_threshold=5.0,
        balance_threshold=-50.0,
        market_ban_steps=2,
        balance_ban_steps=3,
        cooldown=5,
    )
    args.update(overrides)
    return new_bans(**args)


def test_ban_rules_and_the_longer_ban_wins():
    duration, reason = _bans()
    np.testing.assert_array_equal(duration, [2, 0, 3, 3, 0])
    assert list(reason) == [EXCESSIVE_MARKET_USAGE, 0, NEGATIVE_BALANCE, NEGATIVE_BALANCE, 0]


def test_no_reban_within_cooldown_and_none_while_banned():
    last = np.full((2, 5), -1)
    last[0, 0] = 5  # banned for market usage 5 steps ago: 10 - 5 = 5, not more than 5
    last[1, 2] = 4  # 6 steps ago: allowed again
    duration, _ = _bans(last_ban_step=last, ban_remaining=np.array([0, 0, 0, 1, 0]))
    np.testing.assert_array_equal(duration, [0, 0, 3, 0, 0])


def test_rolling_sum_matches_a_window_sum_over_a_long_run():
    rng = np.random.default_rng(0)
    values = rng.uniform(0, 1, (500, 4))
    rolling = RollingSum(24, 4)
    for t in range(500):
        total = rolling.add(values[t]).copy()
        np.testing.assert_allclose(total, values[max(0, t - 23) : t + 1].sum(axis=0), atol=1e-12)
