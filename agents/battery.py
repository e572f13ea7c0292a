"""Battery physics as pure functions over arrays of homes (pvlib style).

Efficiency is applied on charge (stored = input * efficiency) and on discharge
(delivered = withdrawn * efficiency). Stored energy stays within
[soc_min, soc_max] * capacity. Homes without a battery have capacity 0 and never move.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class BatteryFlows(NamedTuple):
    """Energy through each home's battery in one step (all >= 0)."""

    charge_kwh: np.ndarray  #: energy taken from the home to charge [kWh]
    discharge_kwh: np.ndarray  #: energy delivered to the home [kWh]
    loss_kwh: np.ndarray  #: conversion losses [kWh]
    stored_kwh: np.ndarray  #: stored energy after the step [kWh]


def headroom_kwh(stored_kwh, capacity_kwh, soc_max):
    """Energy that can still be stored before ``soc_max`` [kWh] (>= 0)."""
    return np.maximum(soc_max * capacity_kwh - stored_kwh, 0.0)


def deliverable_kwh(stored_kwh, capacity_kwh, soc_min, efficiency):
    """Energy the battery can deliver before ``soc_min``, after losses [kWh] (>= 0)."""
    return np.maximum(stored_kwh - soc_min * capacity_kwh, 0.0) * efficiency


def self_balance(
    imbalance_kwh: np.ndarray,
    stored_kwh: np.ndarray,
    capacity_kwh: np.ndarray,
    *,
    soc_min: float,
    soc_max: float,
    efficiency: float,
    power_limit_kwh: float | None = None,
) -> BatteryFlows:
    """Charge a surplus into, or cover a deficit from, each home's own battery.

    Parameters
    ----------
    imbalance_kwh : array
        PV minus load per home this step [kWh]; > 0 surplus, < 0 deficit.
    stored_kwh : array
        Stored energy at the start of the step [kWh].
    capacity_kwh : array
        Battery capacity, 0 without a battery [kWh].
    soc_min, soc_max : float
        State-of-charge bounds as fractions of capacity [-].
    efficiency : float
        One-way efficiency, applied on charge and on discharge [-].
    power_limit_kwh : float or None
        Largest energy through the battery terminals this step [kWh]; None for no limit.

    Returns
    -------
    BatteryFlows
    """
    charge = np.minimum(
        np.maximum(imbalance_kwh, 0.0), headroom_kwh(stored_kwh, capacity_kwh, soc_max) / efficiency
    )
    discharge = np.minimum(
        np.maximum(-imbalance_kwh, 0.0),
        deliverable_kwh(stored_kwh, capacity_kwh, soc_min, efficiency),
    )
    if power_limit_kwh is not None:
        charge = np.minimum(charge, power_limit_kwh)
        discharge = np.minimum(discharge, power_limit_kwh)
    return flows_of(charge, discharge, stored_kwh, efficiency)


def flows_of(charge_kwh, discharge_kwh, stored_kwh, efficiency: float) -> BatteryFlows:
    """The step's flows from the energy into the terminals (``charge_kwh``) and delivered
    (``discharge_kwh``) [kWh]: losses and the stored energy after the step, efficiency on
    both ways."""
    withdrawn = discharge_kwh / efficiency
    stored = stored_kwh + charge_kwh * efficiency - withdrawn
    loss = charge_kwh * (1.0 - efficiency) + (withdrawn - discharge_kwh)
    return BatteryFlows(charge_kwh, discharge_kwh, loss, stored)


def discharge_for_sale(
    sold_kwh: np.ndarray, stored_kwh: np.ndarray, efficiency: float
) -> tuple[np.ndarray, np.ndarray]:
    """Withdraw what a home sold from its battery: returns (stored after, loss) [kWh].

    ``sold_kwh`` is energy delivered to the buyer; the battery gives ``sold / efficiency``.
    Callers offer at most :func:`deliverable_kwh`, so the bounds hold.
    """
    withdrawn = sold_kwh / efficiency
    return stored_kwh - withdrawn, withdrawn - sold_kwh
