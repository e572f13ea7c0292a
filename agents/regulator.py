"""RegulatorAgent: pursues the community's objective with bonuses, penalties and bans."""

from __future__ import annotations

import mesa
import numpy as np

from agents.regulator_rules import (
    Incentives,
    Rates,
    RollingSum,
    StepQuantities,
    expected_incentives,
    incentive_payments,
    new_bans,
)


class RegulatorAgent(mesa.Agent):
    """The community's regulator (docs/regulator.md).

    Each step, after the markets: count down bans, pay this step's bonuses and charge its
    penalties (:func:`~agents.regulator_rules.incentive_payments`), then ban per the rolling
    window rules (:func:`~agents.regulator_rules.new_bans`). Before the markets, prosumers
    read :meth:`incentives` to price their offers, which is how the objective changes what
    they do. The rules are documented in :mod:`agents.regulator_rules`.
    """

    def __init__(self, model: mesa.Model, params, n_prosumers: int):
        super().__init__(model)
        self.params = params
        self.objective = params.objective
        self.rates = Rates(params.renewable_bonus, params.p2p_bonus, params.market_penalty)
        window = max(1, params.steps_of(params.ban_window))  # ban_window is in hours
        self.window_penalty = RollingSum(window, n_prosumers)
        self.window_bonus = RollingSum(window, n_prosumers)
        self.window_balance = RollingSum(window, n_prosumers)
        self.window_withheld = RollingSum(window, n_prosumers)  #: declined calls [kWh]
        self.last_ban_step = np.full((3, n_prosumers), -1, dtype=np.int64)
        #: the bonus per P2P kWh prosumers expect under maximize_profit [EUR/kWh]: what was
        #: paid back per P2P kWh over the last day (one hour's rate swings from 0 to several
        #: EUR/kWh when a few kWh trade in an hour of heavy grid use, and adaptive bidders
        #: that took it as their valuation saturated their margins and stopped trading)
        self.redistribution_rate = 0.0
        day = max(1, params.steps_of(24))
        self._redistributed = RollingSum(day, 1)  #: bonus paid back over the day [EUR]
        self._redistributed_kwh = RollingSum(day, 1)  #: P2P kWh over the day [kWh]
        self.bonus_paid_eur = 0.0  #: total since the start
        self.penalty_collected_eur = 0.0  #: total since the start
        self.bans_issued = 0

    def incentives(self) -> Incentives:
        """What this step's payments will make a kWh worth to prosumers [EUR/kWh]."""
        return expected_incentives(self.objective, self.rates, self.redistribution_rate)

    def act(self, state, step: int, balance_change_before_regulator: np.ndarray) -> None:
        """Count down bans, pay for this step, issue new bans (writes ``state`` columns)."""
        if self.objective == "none":
            return
        p = self.params
        np.maximum(state.ban_remaining - 1, 0, out=state.ban_remaining)
        state.ban_reason[state.ban_remaining == 0] = 0

        quantities = StepQuantities(
            state.load_kwh,
            state.grid_import_kwh,
            state.grid_export_kwh,
            state.p2p_bought_kwh,
            state.p2p_sold_kwh,
        )
        exempt = (state.homes.battery_capacity_kwh == 0) & p.exempt_no_battery
        bonus, penalty = incentive_payments(self.objective, self.rates, quantities, exempt)
        state.bonus_eur[:] = bonus
        state.penalty_eur[:] = penalty
        self.bonus_paid_eur += float(bonus.sum())
        self.penalty_collected_eur += float(penalty.sum())
        if self.objective == "maximize_profit":
            p2p_kwh = float((state.p2p_bought_kwh + state.p2p_sold_kwh).sum())
            paid = self._redistributed.add(np.array([bonus.sum()]))[0]
            traded = self._redistributed_kwh.add(np.array([p2p_kwh]))[0]
            self.redistribution_rate = float(paid / traded) if traded > 1e-9 else 0.0

        duration, reason = new_bans(
            step=step,
            window_penalty=self.window_penalty.add(penalty),
            window_bonus=self.window_bonus.add(bonus),
            window_balance_change=self.window_balance.add(
                balance_change_before_regulator + bonus - penalty
            ),
            ban_remaining=state.ban_remaining,
            last_ban_step=self.last_ban_step,
            penalty_threshold=p.ban_penalty_threshold,
            bonus_threshold=p.ban_bonus_threshold,
            balance_threshold=p.ban_balance_threshold,
            market_ban_steps=p.steps_of(p.market_ban_steps),  # durations in hours
            balance_ban_steps=p.steps_of(p.balance_ban_steps),
            cooldown=p.steps_of(p.reban_cooldown),
            window_withheld=self.window_withheld.add(state.withheld_kwh),
            withheld_threshold=p.withheld_ban_threshold,
            withheld_ban_steps=p.steps_of(p.withheld_ban_steps),
        )
        banned_now = duration > 0
        state.new_ban[:] = banned_now
        if banned_now.any():  # (most steps ban nobody)
            state.ban_remaining[banned_now] = duration[banned_now]
            state.ban_reason[banned_now] = reason[banned_now]
            self.last_ban_step[reason[banned_now] - 1, np.flatnonzero(banned_now)] = step
            self.bans_issued += int(banned_now.sum())
