"""Deferrable household load: how incentives can move when energy is used.

A share ``flexible_load_share`` of each home's hourly demand (washing, dishwasher, water
heating, an electric car) may wait up to ``max_deferral_hours``. A home defers it only when
the regulator makes a kWh from its own renewable energy worth more than a grid kWh by more
than its discomfort cost (``self_supply > flex_discomfort``); then it serves flexible demand
from its own PV and battery and lets the rest wait, oldest first, until its own energy covers
it or its deadline forces it. Without incentives (objective ``none``) nothing waits: every
demand is served in its hour, as in the system this simulator grew from.
"""

from __future__ import annotations

import numpy as np

from market.arrays import clip


class DeferrableLoad:
    """Flexible demand waiting to be served, by age, one column per home [kWh].

    A ring buffer of ``max_deferral_steps`` rows: ``waiting[(head + a) % D]`` holds demand that
    has waited ``a + 1`` steps, so ageing everything is one move of ``head``, not a copy.
    """

    def __init__(self, max_deferral_steps: int, n: int):
        self.waiting = np.zeros((max(max_deferral_steps, 0), n))
        self.head = 0
        #: demand that waited and was dropped, because its home left the community [kWh]
        self.dropped_kwh = np.zeros(n)

    def drop(self, home: int) -> None:
        """Forget what home ``home`` has waiting (it left); counted in :attr:`dropped_kwh`."""
        self.dropped_kwh[home] += self.waiting[:, home].sum()
        self.waiting[:, home] = 0.0

    @property
    def backlog_kwh(self) -> np.ndarray:
        """Flexible demand waiting per home [kWh]."""
        return self.waiting.sum(axis=0)

    def _oldest_first(self) -> np.ndarray:
        """Row indices from the oldest (due now) to the youngest."""
        d = len(self.waiting)
        return (self.head + np.arange(d - 1, -1, -1)) % d

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
        d = len(self.waiting)
        if d == 0 or (not defer and not self.waiting.any()):
            return demand_kwh.copy()
        if not defer:  # catch up on everything waiting
            served = demand_kwh + self.waiting.sum(axis=0)
            self.waiting[:] = 0.0
            return served

        order = self._oldest_first()
        due_row = order[0]
        due = self.waiting[due_row].copy()  # waited the longest allowed: served now
        self.waiting[due_row] = demand_kwh * flexible_share  # reused below for the new demand
        fixed = demand_kwh * (1.0 - flexible_share)
        pool_total = self.waiting.sum(axis=0)  # older waiting demand plus this step's flexible
        room = np.maximum(own_supply_kwh - fixed - due, 0.0)

        served = fixed + due
        covered = room >= pool_total  # own energy covers all flexible demand: nothing waits
        served[covered] += pool_total[covered]
        self.waiting[:, covered] = 0.0
        partial = np.flatnonzero(~covered & (room > 0))
        if len(partial):
            # Serve the oldest first: rows in age order, the new demand (at due_row) last.
            rows = np.concatenate([order[1:], [due_row]])
            pool = self.waiting[np.ix_(rows, partial)]
            taken_before = np.cumsum(pool, axis=0) - pool
            take = clip(room[partial] - taken_before, 0.0, pool)
            self.waiting[np.ix_(rows, partial)] = pool - take
            served[partial] += take.sum(axis=0)
        # Age everything by one step: the row that held the new demand becomes age 1.
        self.head = due_row
        return served
