"""The community's homes: fixed characteristics drawn once per run."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from community_model.parameters import Parameters


@dataclass(frozen=True)
class Homes:
    """Fixed characteristics of each prosumer, one row per home."""

    home_type: np.ndarray  #: index into the home-type tables [-]
    pv_capacity_kw: np.ndarray  #: PV capacity [kW]
    base_load_kwh: np.ndarray  #: base consumption [kWh/h]
    battery_capacity_kwh: np.ndarray  #: battery capacity, 0 for homes without one [kWh]

    @property
    def n(self) -> int:
        return len(self.home_type)

    @property
    def has_battery(self) -> np.ndarray:
        return self.battery_capacity_kwh > 0


def draw_homes(params: Parameters, rng: np.random.Generator) -> Homes:
    """Draw each home's type uniformly and, with probability ``battery_share``, a battery.

    Draws, in this order: n home types, then n uniform numbers for the batteries.
    """
    n, n_types = params.n_prosumers, len(params.pv_capacities_kw)
    home_type = rng.integers(0, n_types, size=n)
    has_battery = rng.random(n) < params.battery_share
    battery = np.where(has_battery, np.asarray(params.battery_capacities_kwh)[home_type], 0.0)
    return Homes(
        home_type=home_type,
        pv_capacity_kw=np.asarray(params.pv_capacities_kw)[home_type] * params.pv_scale,
        base_load_kwh=np.asarray(params.base_loads_kwh)[home_type] * params.load_scale,
        battery_capacity_kwh=battery,
    )
