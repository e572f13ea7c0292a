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
    #: never offers stored energy to the community (``withholding_share``); all False if None
    withholds: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.withholds is None:
            object.__setattr__(self, "withholds", np.zeros(len(self.home_type), dtype=bool))

    @property
    def n(self) -> int:
        return len(self.home_type)

    @property
    def has_battery(self) -> np.ndarray:
        return self.battery_capacity_kwh > 0


def draw_homes(params: Parameters, rng: np.random.Generator) -> Homes:
    """Draw each home's type uniformly and, with probability ``battery_share``, a battery.

    Draws, in this order: n home types, n uniform numbers for the batteries, then, only when
    ``pv_share`` < 1, n uniform numbers for PV (so the seed's draws are unchanged). With
    ``battery_on_pv_only`` homes without PV get no battery. With ``battery_kwh_per_mwh`` a
    battery holds that many kWh per MWh of the home type's annual load (Weniger et al. 2014
    size batteries at about 1-1.5 kWh per MWh/a), instead of its type's capacity.

    References
    ----------
    Weniger, J., Tjaden, T., Quaschning, V. (2014): Sizing of residential PV battery systems.
    Energy Procedia 46, 78-87.
    """
    n, n_types = params.n_prosumers, len(params.pv_capacities_kw)
    home_type = rng.integers(0, n_types, size=n)
    has_battery = rng.random(n) < params.battery_share
    has_pv = rng.random(n) < params.pv_share if params.pv_share < 1 else np.ones(n, bool)
    if params.battery_on_pv_only:
        has_battery &= has_pv
    base_load = np.asarray(params.base_loads_kwh)[home_type] * params.load_scale
    if params.battery_kwh_per_mwh is None:
        size = np.asarray(params.battery_capacities_kwh)[home_type]
    else:
        size = params.battery_kwh_per_mwh * annual_load_kwh(params, home_type, base_load) / 1e3
    pv = np.asarray(params.pv_capacities_kw)[home_type] * params.pv_scale
    return Homes(
        home_type=home_type,
        pv_capacity_kw=np.where(has_pv, pv, 0.0),
        base_load_kwh=base_load,
        battery_capacity_kwh=np.where(has_battery, size, 0.0),
        withholds=withholding_homes(has_battery, params.withholding_share),
    )


def evenly_chosen(n: int, share: float) -> np.ndarray:
    """Boolean mask choosing round-down ``share * n`` of ``n`` items, evenly spread (item i
    when ``floor((i + 1) * share) > floor(i * share)``): no random draw, so choosing some
    homes for a role changes no other random number of the run."""
    i = np.arange(n)
    return np.floor((i + 1) * share + 1e-12) > np.floor(i * share + 1e-12)


def withholding_homes(has_battery: np.ndarray, share: float) -> np.ndarray:
    """The battery homes that withhold their battery from the community: ``share`` of them,
    evenly spread in row order (:func:`evenly_chosen`)."""
    withholds = np.zeros(len(has_battery), dtype=bool)
    rows = np.flatnonzero(has_battery)
    withholds[rows[evenly_chosen(len(rows), share)]] = True
    return withholds


def annual_load_kwh(params: Parameters, home_type: np.ndarray, base_load_kwh) -> np.ndarray:
    """A home type's annual consumption [kWh/a]: ``annual_loads_kwh`` x load_scale for the
    standard and files sources, base load x mean load shape x 8760 h for the synthetic one."""
    if params.profile_source == "synthetic":
        return np.asarray(base_load_kwh) * float(np.mean(params.load_shape)) * 8760.0
    return np.asarray(params.annual_loads_kwh)[home_type] * params.load_scale
