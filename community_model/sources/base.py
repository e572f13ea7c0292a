"""What every profile source gives the model: hourly PV, load and the grid price forecast.

A source is any object with ``hour(step, rng) -> HourProfile`` (see :class:`ProfileSource`);
the model does not care where the numbers come from.
"""

from __future__ import annotations

from typing import NamedTuple, Protocol

import numpy as np


class HourProfile(NamedTuple):
    """What the outside world gives the community for one step."""

    pv_kwh: np.ndarray  #: PV generation per prosumer this step [kWh]
    load_kwh: np.ndarray  #: consumption per prosumer this step [kWh]
    price_forecast: float  #: grid price forecast this step [EUR/kWh]


class ProfileSource(Protocol):
    """Interface of every profile source."""

    def hour(self, step: int, rng: np.random.Generator) -> HourProfile:
        """Profiles of step ``step`` (0-based); randomness only from ``rng``."""
        ...
