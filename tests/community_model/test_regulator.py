"""The regulator in real runs: bans enforced and expiring, money accounted, objectives steer."""

import numpy as np
import pytest

from agents.regulator_rules import BAN_REASONS
from agents.roles import BANNED
from community_model import CommunityModel
from community_model.experiments.objectives import objective_effects, objective_table
from community_model.invariants import run_checked

# Thresholds low enough that a day bans many homes (the defaults ban almost nobody).
STRICT = dict(
    objective="maximize_renewable",
    ban_penalty_threshold=0.02,
    ban_bonus_threshold=0.5,
    ban_balance_threshold=-0.3,
    exempt_no_battery=False,
)


@pytest.fixture(scope="module")
def strict_run():
    model = CommunityModel(n_prosumers=60, rng=3, **STRICT)
    run_checked(model, 72)  # includes: no banned prosumer in any P2P trade, every hour
    return model


def test_strict_thresholds_do_ban(strict_run):
    frame = strict_run.step_frame()
    assert frame["new_bans"].sum() > 10
    reasons = strict_run.prosumer_frame()["ban_reason"]  # a category with its names
    assert {"excessive_market_usage", "negative_balance"} <= set(reasons)


def test_bans_last_exactly_their_duration(strict_run):
    p = strict_run.params
    frame = strict_run.prosumer_frame().drop(index=0.0, level="Step")
    role = frame["role"].cat.codes.unstack().to_numpy()  # hours x prosumers, role codes
    new_ban = frame["new_ban"].unstack().to_numpy()
    reason = frame["ban_reason"].cat.codes.unstack().to_numpy()
    checked = 0
    for hour, row in zip(*np.nonzero(new_ban), strict=True):
        steps = p.market_ban_steps if reason[hour, row] == 1 else p.balance_ban_steps
        if hour + steps + 1 >= len(role):
            continue
        assert (role[hour + 1 : hour + 1 + steps, row] == BANNED).all()
        if not new_ban[hour + steps, row]:  # not re-banned when the ban ended
            assert role[hour + steps + 1, row] != BANNED
        checked += 1
    assert checked > 10


def test_no_reban_for_the_same_reason_within_cooldown(strict_run):
    frame = strict_run.prosumer_frame().drop(index=0.0, level="Step")
    new_ban = frame["new_ban"].unstack().to_numpy()
    reason = frame["ban_reason"].cat.codes.unstack().to_numpy()
    cooldown = strict_run.params.reban_cooldown
    for code in (1, 2):
        hours, rows = np.nonzero(new_ban & (reason == code))
        for row in np.unique(rows):
            gaps = np.diff(hours[rows == row])
            assert (gaps > cooldown).all(), (BAN_REASONS[code], row, gaps)


def test_regulator_money_explains_balances(strict_run):
    frame = strict_run.step_frame()
    reg = strict_run.regulator
    assert frame["bonus_eur"].sum() == pytest.approx(reg.bonus_paid_eur)
    assert frame["penalty_eur"].sum() == pytest.approx(reg.penalty_collected_eur)
    trading = -frame["energy_cost_eur"].sum()
    assert strict_run.state.balance_eur.sum() == pytest.approx(
        trading + reg.bonus_paid_eur - reg.penalty_collected_eur
    )


def test_exemption_spares_homes_without_battery():
    model = CommunityModel(n_prosumers=40, rng=1)
    model.run_for(30)
    no_battery = model.homes.battery_capacity_kwh == 0
    penalties = model.prosumer_frame()["penalty_eur"].unstack().to_numpy()
    assert no_battery.any() and penalties[:, no_battery].sum() == 0
    assert penalties[:, ~no_battery].sum() > 0


def test_objective_none_changes_nothing_and_pays_nothing():
    model = CommunityModel(n_prosumers=30, objective="none", rng=2)
    run_checked(model, 30)
    frame = model.step_frame()
    assert frame[["bonus_eur", "penalty_eur", "banned", "deferred_kwh"]].abs().sum().sum() == 0


def test_each_objective_moves_its_own_kpi_over_ten_seeds():
    table = objective_table(objective_effects(seeds=range(10), hours=48)).set_index("objective")
    assert table.loc["maximize_renewable", "mean_change"] > 0  # self-sufficiency up
    assert table.loc["maximize_p2p", "mean_change"] > 0  # P2P share up
    assert table.loc["maximize_profit", "mean_change"] < 0  # energy cost down
    for objective in table.index:  # and in most seeds, not by one lucky run
        improved, total = map(int, table.loc[objective, "seeds_improved"].split("/"))
        assert improved >= 6, objective
