"""Profile sources: hourly PV and load per prosumer and the grid price forecast.

A source is any object with ``hour(step, rng) -> HourProfile`` (see :class:`ProfileSource`);
the model does not care where the numbers come from. The synthetic source reproduces the
original system's profiles (SPEC section 4); real-data sources plug in behind the same
interface.
"""

from __future__ import annotations

from typing import NamedTuple, Protocol

import numpy as np

from community_model.homes import Homes
from community_model.parameters import Parameters


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


def hour_of_day(step: int, params: Parameters) -> float:
    """Clock hour [h, 0 <= h < 24] at the start of 0-based step ``step``."""
    return (params.start_hour + step * params.step_hours) % 24.0


def synthetic_pv_kwh(
    hour: float, capacity_kw: np.ndarray, system_efficiency: float, weather: np.ndarray
) -> np.ndarray:
    """Synthetic PV energy over one hour [kWh/h]: a half sine between 06:00 and 18:00.

    PV(h) = capacity * sin(pi * (h - 6) / 12) * system_efficiency * weather for 6 <= h <= 18.

    Parameters
    ----------
    hour : float
        Clock hour [h].
    capacity_kw : array
        PV capacity per home [kW].
    system_efficiency : float
        PV system efficiency [-].
    weather : array
        Weather factor per home this hour [-].
    """
    if not 6.0 <= hour <= 18.0:
        return np.zeros_like(capacity_kw)
    sun_elevation_factor = max(np.sin(np.pi * (hour - 6.0) / 12.0), 0.0)
    return capacity_kw * sun_elevation_factor * system_efficiency * weather


class SyntheticProfiles:
    """The original system's synthetic profiles (SPEC section 4), vectorised over homes.

    Each step draws, in this order: one weather factor per home, one load noise factor per
    home, one price noise factor. Energies are scaled by ``step_hours``.
    """

    def __init__(self, params: Parameters, homes: Homes):
        self.params = params
        self.homes = homes
        self.load_shape = np.asarray(params.load_shape)
        self.price_shape = np.asarray(params.price_shape)

    def hour(self, step: int, rng: np.random.Generator) -> HourProfile:
        p, n = self.params, self.homes.n
        clock = hour_of_day(step, p)
        weather = rng.uniform(p.pv_weather_min, p.pv_weather_max, n)
        load_noise = rng.uniform(1.0 - p.load_noise, 1.0 + p.load_noise, n)
        price_noise = rng.uniform(1.0 - p.price_noise, 1.0 + p.price_noise)

        pv = synthetic_pv_kwh(clock, self.homes.pv_capacity_kw, p.pv_system_efficiency, weather)
        shape = self.load_shape[int(clock)]
        load = np.maximum(p.min_load_kwh, self.homes.base_load_kwh * shape * load_noise)
        forecast = p.base_price * self.price_shape[int(clock)] * price_noise
        return HourProfile(
            pv_kwh=pv * p.step_hours, load_kwh=load * p.step_hours, price_forecast=float(forecast)
        )


def make_profile_source(params: Parameters, homes: Homes) -> ProfileSource:
    """The profile source that ``params.profile_source`` names."""
    if params.profile_source == "synthetic" and params.price_source == "synthetic":
        return SyntheticProfiles(params, homes)
    if params.profile_source in ("synthetic", "standard", "files"):
        from community_model.real_profiles import make_real_source  # weather, BDEW, tariffs

        return make_real_source(params, homes)
    raise ValueError(f"unknown profile_source {params.profile_source!r}")  # validated earlier
