"""Deferrable load: nothing lost, deadlines kept, oldest served first."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from agents.flexible_load import DeferrableLoad


def test_no_deferral_serves_demand_now():
    flex = DeferrableLoad(4, 2)
    np.testing.assert_array_equal(flex.schedule(np.array([1.0, 2.0]), 0.5, np.zeros(2), False),
                                  [1.0, 2.0])  # fmt: skip
    assert not flex.backlog_kwh.any()


def test_deferred_demand_waits_at_most_its_deadline():
    flex = DeferrableLoad(3, 1)
    served = [flex.schedule(np.array([1.0]), 0.5, np.zeros(1), True)[0] for _ in range(6)]
    # no own energy: the flexible half waits exactly 3 steps, then is served with its deadline
    np.testing.assert_allclose(served, [0.5, 0.5, 0.5, 1.0, 1.0, 1.0])
    np.testing.assert_allclose(flex.backlog_kwh, [1.5])


def test_own_energy_serves_the_oldest_first_and_catch_up_without_incentive():
    flex = DeferrableLoad(5, 1)
    flex.schedule(np.array([2.0]), 0.5, np.zeros(1), True)  # 1.0 waits (age 1)
    flex.schedule(np.array([4.0]), 0.5, np.zeros(1), True)  # 2.0 waits (age 1), 1.0 age 2
    # 3.5 kWh own energy: fixed 0.5, then 1.0 (oldest), then 2.0; the new 0.5 must wait
    served = flex.schedule(np.array([1.0]), 0.5, np.array([3.5]), True)
    np.testing.assert_allclose(served, [3.5])
    np.testing.assert_allclose(flex.backlog_kwh, [0.5])
    served = flex.schedule(np.array([1.0]), 0.5, np.zeros(1), False)  # incentive gone
    np.testing.assert_allclose(served, [1.5])
    assert not flex.backlog_kwh.any()


@settings(max_examples=100, deadline=None)
@given(
    deadline=st.integers(1, 8),
    demands=st.lists(st.floats(0, 3), min_size=1, max_size=40),
    supplies=st.lists(st.floats(0, 5), min_size=40, max_size=40),
    defers=st.lists(st.booleans(), min_size=40, max_size=40),
)
def test_demand_is_conserved(deadline, demands, supplies, defers):
    flex = DeferrableLoad(deadline, 1)
    served_total = 0.0
    for demand, supply, defer in zip(demands, supplies, defers, strict=False):
        served_total += flex.schedule(np.array([demand]), 0.3, np.array([supply]), defer)[0]
    assert abs(sum(demands) - served_total - flex.backlog_kwh[0]) < 1e-9
    assert (flex.waiting >= -1e-12).all()
