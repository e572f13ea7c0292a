"""The storage-policy interface: how a home runs its battery in the self-balance phase.

A storage policy decides, for every home that uses it, how much energy goes into and out of
the home's battery this step, given the home's PV and load, its stored energy and the grid
prices. Whatever the battery does not cover (or the energy it draws beyond the home's own
surplus) is the home's *residual*: it goes to the P2P market and then to the grid as usual, so
a policy that charges from the grid makes its home a buyer, and one that discharges beyond the
home's load makes it a seller.

A policy is an object with a vectorised :meth:`StoragePolicy.decide` over the rows of the homes
that share it. Built-in policies are registered by name in :data:`STORAGE_POLICIES`; a
researcher's subclass, defined in their own script, is registered with
:func:`register_storage_policy` and is then a value of the ``storage_policy`` parameter like
the built-in ones.

This module knows nothing of the model (``agents`` sits below ``community_model``): what a
policy needs from the run reaches it as arguments.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from agents.battery import BatteryFlows


class BatterySpec(NamedTuple):
    """The battery parameters every home shares (``Parameters``' battery block)."""

    soc_min: float  #: lowest state of charge [-]
    soc_max: float  #: highest state of charge [-]
    efficiency: float  #: one-way efficiency, on charge and on discharge [-]
    #: largest energy through the terminals per step [kWh], from ``battery_power_kw``; the
    #: limit of each home (with ``battery_c_rate`` too) is in :class:`StorageInputs`
    power_limit_kwh: float | np.ndarray | None


class GridTariff(NamedTuple):
    """How a price forecast becomes the prices a home pays and gets (docs/hour.md)."""

    fee: float  #: ``local_market_fee`` [EUR/kWh]
    feed_in: float | None  #: ``feed_in_tariff`` [EUR/kWh], None: forecast - fee

    def buy(self, forecast):
        """Import price [EUR/kWh]: forecast + fee."""
        return np.asarray(forecast) + self.fee

    def sell(self, forecast):
        """Export price [EUR/kWh]: forecast - fee, or the fixed feed-in tariff."""
        forecast = np.asarray(forecast, dtype=float)
        return forecast - self.fee if self.feed_in is None else np.full_like(forecast, self.feed_in)


class StorageInputs(NamedTuple):
    """What a policy sees in one step, for the rows of the homes that use it."""

    step: int  #: 0-based step index
    rows: np.ndarray  #: the homes' rows in the model's state (int array)
    pv_kwh: np.ndarray  #: PV this step [kWh]
    load_kwh: np.ndarray  #: load served this step [kWh]
    stored_kwh: np.ndarray  #: stored energy at the start of the step [kWh]
    capacity_kwh: np.ndarray  #: battery capacity, 0 without a battery [kWh]
    price_forecast: float  #: this step's grid price forecast [EUR/kWh]
    #: largest energy through each home's battery terminals this step [kWh]: the smaller of
    #: ``battery_power_kw`` and ``battery_c_rate`` x capacity; None: unlimited, or not given
    #: (then :attr:`BatterySpec.power_limit_kwh` applies)
    power_limit_kwh: np.ndarray | float | None = None


class StoragePolicy:
    """Base class of every storage policy.

    Subclasses set ``name`` and implement :meth:`decide`; :meth:`setup` receives what the run
    knows before its first step (override it to keep forecasters or generators), and
    :meth:`log` returns the policy's record of decisions (empty by default).
    """

    name: str = ""

    def setup(
        self,
        battery: BatterySpec,
        tariff: GridTariff,
        step_hours: float,
        source: Any,
        rng: np.random.Generator,
    ) -> None:
        """Called once, before the first step.

        Parameters
        ----------
        battery : BatterySpec
        tariff : GridTariff
        step_hours : float
            Length of a step [h].
        source : profile source
            The model's profile source; it may offer ``lookahead(step, n_steps)``
            (see :mod:`agents.storage.forecasts`).
        rng : numpy Generator
            A generator of the policy's own, not the model's: drawing from it does not change
            the rest of the run.
        """
        self.battery, self.tariff, self.step_hours = battery, tariff, step_hours

    def decide(self, inputs: StorageInputs) -> BatteryFlows:
        """This step's battery flows of the homes ``inputs.rows`` (arrays of their length)."""
        raise NotImplementedError

    def battery_of(self, inputs: StorageInputs) -> BatterySpec:
        """The battery parameters of the homes ``inputs.rows``, with their own power limit
        (``battery_c_rate`` included) where the inputs give it. Policies read the limit here,
        not from ``self.battery``, which only knows ``battery_power_kw``."""
        if inputs.power_limit_kwh is None:
            return self.battery
        return self.battery._replace(power_limit_kwh=inputs.power_limit_kwh)

    def log(self) -> list[dict]:
        """The decisions made so far, one dict of equal-length arrays per step (may be [])."""
        return []


#: Storage policies by name; ``storage_policy`` accepts every key.
STORAGE_POLICIES: dict[str, type[StoragePolicy]] = {}


def register_storage_policy(name: str, cls: type[StoragePolicy]) -> type[StoragePolicy]:
    """Make ``cls`` available as ``storage_policy=name`` (returns ``cls``)."""
    if not (isinstance(cls, type) and issubclass(cls, StoragePolicy)):
        raise TypeError(f"a storage policy must subclass StoragePolicy, got {cls!r}")
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"a storage policy needs a non-empty name, got {name!r}")
    STORAGE_POLICIES[name] = cls
    cls.name = name
    return cls
