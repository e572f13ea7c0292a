"""Per-prosumer time series kept as columns of numpy arrays, not one object per agent-hour.

``AgentHistory.frame()`` gives the same DataFrame shape as Mesa's agent reporters
(MultiIndex ``Step``, ``AgentID``), built in one go from the stacked columns.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from community_model.state import ProsumerState

#: Columns recorded per prosumer and step, in frame order.
RECORDED = (
    "pv_kwh",
    "demand_kwh",
    "load_kwh",
    "deferred_kwh",
    "charge_kwh",
    "discharge_kwh",
    "loss_kwh",
    "stored_kwh",
    "soc",
    "residual_kwh",
    "role",
    "offer_kwh",
    "offer_price",
    "battery_offer_kwh",
    "battery_offer_price",
    "storage_bid_kwh",
    "storage_bid_price",
    "p2p_bought_kwh",
    "p2p_sold_kwh",
    "p2p_sold_battery_kwh",
    "p2p_bought_battery_kwh",
    "p2p_paid_eur",
    "p2p_received_eur",
    "p2p_trades",
    "grid_import_kwh",
    "grid_export_kwh",
    "grid_cost_eur",
    "market_trades",
    "bonus_eur",
    "penalty_eur",
    "balance_eur",
    "ban_remaining",
    "ban_reason",
    "new_ban",
)


class AgentHistory:
    """Snapshots of the prosumer columns at recorded steps."""

    def __init__(self, agent_ids: np.ndarray):
        self.agent_ids = np.asarray(agent_ids)
        self.steps: list[float] = []
        self._snapshots: dict[str, list[np.ndarray]] = {name: [] for name in RECORDED}

    def record(self, step: float, state: ProsumerState) -> None:
        self.steps.append(step)
        for name, values in self._snapshots.items():
            values.append(np.array(getattr(state, name), copy=True))

    def column(self, name: str) -> np.ndarray:
        """One quantity as a (recorded steps x prosumers) array."""
        values = self._snapshots[name]
        if not values:
            return np.empty((0, len(self.agent_ids)))
        return np.stack(values)

    def frame(self) -> pd.DataFrame:
        """All recorded quantities, indexed by (Step, AgentID) like Mesa's agent frames."""
        n_steps, n = len(self.steps), len(self.agent_ids)
        index = pd.MultiIndex.from_arrays(
            [np.repeat(np.asarray(self.steps, dtype=float), n), np.tile(self.agent_ids, n_steps)],
            names=["Step", "AgentID"],
        )
        data = {name: self.column(name).reshape(-1) for name in RECORDED}
        return pd.DataFrame(data, index=index)
