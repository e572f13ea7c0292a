"""A long run: every invariant every hour, memory flat once agent data streams to disk."""

import tracemalloc

from community_model import CommunityModel
from community_model.invariants import InvariantChecker
from community_model.metrics import STEP_FIGURES

WEEK = 168


def test_three_weeks_checked_every_hour_with_flat_memory(tmp_path):
    model = CommunityModel(
        n_prosumers=40, chain_enabled=False, agent_data_dir=str(tmp_path / "agents"), rng=12
    )
    checker = InvariantChecker(model)
    tracemalloc.start()
    used_after_week = []
    for _ in range(3):
        for _ in range(WEEK):
            model.step()
            checker.check()
        used_after_week.append(tracemalloc.get_traced_memory()[0])
    tracemalloc.stop()
    assert checker.steps_checked == 3 * WEEK
    # What still grows: the trade log kept for all_trades.csv (7 numbers per trade) and one
    # row of model reporters per step; nothing per prosumer-hour.
    trades_per_week = len(model.trades_frame()) / 3
    allowance = trades_per_week * 7 * 8 * 2 + WEEK * len(STEP_FIGURES) * 64
    growth = used_after_week[2] - used_after_week[1]
    assert growth < allowance, (used_after_week, allowance)
    # and the regulator's rolling windows have not drifted from exact sums
    reg = model.regulator
    exact = reg.window_bonus.ring.sum(axis=0)
    assert abs(reg.window_bonus.total - exact).max() < 1e-9
