"""``greedy``: the rule of the system this simulator grew from. Surplus charges the own
battery, deficit discharges it."""

from __future__ import annotations

from agents.battery import BatteryFlows, self_balance
from agents.storage.base import StorageInputs, StoragePolicy


class GreedyPolicy(StoragePolicy):
    """Charge every surplus, cover every deficit, within SOC bounds and the power limit.

    Exactly :func:`agents.battery.self_balance` on the homes' PV minus load: no forecast, no
    grid charging, no export from the battery. The default policy of every home.
    """

    name = "greedy"

    def decide(self, inputs: StorageInputs) -> BatteryFlows:
        b = self.battery_of(inputs)
        return self_balance(
            inputs.pv_kwh - inputs.load_kwh,
            inputs.stored_kwh,
            inputs.capacity_kwh,
            soc_min=b.soc_min,
            soc_max=b.soc_max,
            efficiency=b.efficiency,
            power_limit_kwh=b.power_limit_kwh,
        )
