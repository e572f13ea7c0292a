"""Deferrable household load: how incentives can move when energy is used.

A share ``flexible_load_share`` of each home's hourly demand (washing, dishwasher, water
heating, an electric car) may wait up to ``max_deferral_hours``. A home defers it only when
the regulator makes a kWh from its own renewable energy worth more than a grid kWh by more
than its discomfort cost (``buyer_incentive > flex_discomfort``); then it serves flexible
demand from its own PV and battery and lets the rest wait, oldest first, until its own energy
covers it or its deadline forces it. Without incentives (objective ``none``) nothing waits:
every demand is served in its hour, as in the original system.
"""

from __future__ import annotations

import numpy as np


class DeferrableLoad:
    """Flexible demand waiting to be served, by age, one column per home [kWh]."""

    def __init__(self, max_deferral_steps: int, n: int):
        #: waiting[a] is demand that has waited a + 1 steps; the last row is due now
        self.waiting = np.zeros((max(max_deferral_steps, 0), n))

    @property
    def backlog_kwh(self) -> np.ndarray:
        """Flexible demand waiting per home [kWh]."""
        return self.waiting.sum(axis=0)

    def schedule(
        self,
        demand_kwh: np.ndarray,
        flexible_share: float,
        own_supply_kwh: np.ndarray,
        defer: bool,
    ) -> np.ndarray:
        """Load each home serves this step [kWh]; what it defers is kept for later.

        Parameters
        ----------
        demand_kwh : array
            This step's demand per home [kWh].
        flexible_share : float
            Share of demand that may wait [-].
        own_supply_kwh : array
            Energy the home can supply itself this step: PV plus what its battery can deliver
            [kWh].
        defer : bool
            Whether homes defer at all this step.
        """
        if len(self.waiting) == 0 or (not defer and not self.waiting.any()):
            return demand_kwh.copy()
        fixed = demand_kwh * (1.0 - flexible_share)
        new_flexible = demand_kwh * flexible_share
        due = self.waiting[-1].copy()  # waited the longest allowed: served now
        older = self.waiting[:-1]
        if not defer:
            served = fixed + new_flexible + due + older.sum(axis=0)
            self.waiting[:] = 0.0
            return served
        # Serve waiting demand oldest first, then this step's, from what own energy is left.
        room = np.maximum(own_supply_kwh - fixed - due, 0.0)
        pool = np.vstack([older[::-1], new_flexible[None, :]])  # oldest first
        taken_before = np.cumsum(pool, axis=0) - pool
        take = np.clip(room - taken_before, 0.0, pool)
        left = pool - take
        # age everything by one step: what was left in pool row r (oldest first) moves on
        self.waiting[1:] = left[:-1][::-1]
        self.waiting[0] = left[-1]
        return fixed + due + take.sum(axis=0)
