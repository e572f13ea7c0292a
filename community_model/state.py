"""Prosumer state as a struct of arrays: one numpy column per quantity, one row per prosumer.

``ProsumerAgent`` objects are read-only views onto a row; the hour's phases update whole
columns at once. Columns listed in ``HOURLY`` are zeroed at the start of every step.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np

from agents.roles import BANNED, BUYER, IDLE, ROLE_NAMES, SELLER
from community_model.homes import Homes

__all__ = ["BANNED", "BUYER", "IDLE", "ROLE_NAMES", "SELLER", "ProsumerState"]


def _col(dtype=float):
    return field(default=None, metadata={"dtype": dtype})


@dataclass
class ProsumerState:
    """All per-prosumer quantities. Energies [kWh], money [EUR], prices [EUR/kWh]."""

    homes: Homes
    # carried from step to step
    stored_kwh: np.ndarray = _col()  #: energy in the battery
    balance_eur: np.ndarray = _col()  #: money received minus money paid since the start
    ban_remaining: np.ndarray = _col(np.int64)  #: steps of ban left (0: not banned)
    ban_reason: np.ndarray = _col(np.int8)  #: reason code of the active ban (regulator rules)
    active: np.ndarray = _col(bool)  #: still in the community (False after ``agent.remove()``)
    # this step
    in_community: np.ndarray = _col(bool)  #: a member during this step (``active`` at its start)
    pv_kwh: np.ndarray = _col()
    demand_kwh: np.ndarray = _col()  #: demand that arose this step
    load_kwh: np.ndarray = _col()  #: load served this step (demand less deferred plus caught up)
    deferred_kwh: np.ndarray = _col()  #: flexible demand still waiting after this step
    charge_kwh: np.ndarray = _col()  #: energy put into the battery (before losses)
    discharge_kwh: np.ndarray = _col()  #: energy delivered by the battery (after losses)
    loss_kwh: np.ndarray = _col()  #: battery conversion losses
    residual_kwh: np.ndarray = _col()  #: imbalance after self-balance (> 0 surplus)
    role: np.ndarray = _col(np.int8)
    offer_kwh: np.ndarray = _col()  #: quantity offered from PV surplus or bid for
    offer_price: np.ndarray = _col()  #: ask (seller) or bid (buyer)
    battery_offer_kwh: np.ndarray = _col()  #: quantity offered from the battery
    battery_offer_price: np.ndarray = _col()
    storage_bid_kwh: np.ndarray = _col()  #: quantity bid for to store (community storage)
    storage_bid_price: np.ndarray = _col()
    #: stored energy the community called for (a shortfall) and the home declined to offer
    withheld_kwh: np.ndarray = _col()
    p2p_bought_kwh: np.ndarray = _col()
    p2p_sold_kwh: np.ndarray = _col()  #: P2P sales, PV and battery together
    p2p_sold_battery_kwh: np.ndarray = _col()
    p2p_bought_battery_kwh: np.ndarray = _col()  #: P2P purchases that went into the battery
    p2p_paid_eur: np.ndarray = _col()
    p2p_received_eur: np.ndarray = _col()
    p2p_trades: np.ndarray = _col(np.int64)
    grid_import_kwh: np.ndarray = _col()
    grid_export_kwh: np.ndarray = _col()
    grid_cost_eur: np.ndarray = _col()  #: paid to the grid minus received from it
    market_trades: np.ndarray = _col(np.int64)
    bonus_eur: np.ndarray = _col()  #: regulator bonus this step
    penalty_eur: np.ndarray = _col()  #: regulator penalty this step
    new_ban: np.ndarray = _col(bool)  #: banned by the regulator at the end of this step
    voltage_pu: np.ndarray = _col()  #: voltage of the home's feeder bus [pu] (with a grid)
    curtailed_kwh: np.ndarray = _col()  #: PV curtailed to keep the feeder within its limits

    CARRIED = ("stored_kwh", "balance_eur", "ban_remaining", "ban_reason", "active")

    def __post_init__(self) -> None:
        n = self.homes.n
        for f in fields(self):
            if f.name != "homes" and getattr(self, f.name) is None:
                setattr(self, f.name, np.zeros(n, dtype=f.metadata["dtype"]))
        self.active[:] = True
        self.in_community[:] = True

    @classmethod
    def hourly_columns(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls) if f.name != "homes" and f.name not in cls.CARRIED)

    def start_step(self) -> None:
        """Zero the per-step columns."""
        for name in self.hourly_columns():
            getattr(self, name).fill(0)

    @property
    def n(self) -> int:
        return self.homes.n

    @property
    def banned(self) -> np.ndarray:
        return self.ban_remaining > 0

    @property
    def soc(self) -> np.ndarray:
        """State of charge as a fraction of capacity [-]; NaN for homes without a battery."""
        cap = self.homes.battery_capacity_kwh
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(cap > 0, self.stored_kwh / cap, np.nan)
