"""The synthetic profile source: a half-sine PV day, a load shape and a price shape per hour,
each with uniform noise (the profiles of the system this simulator grew from)."""

from __future__ import annotations

import numpy as np

from community_model.homes import Homes
from community_model.parameters import Parameters
from community_model.sources.base import HourProfile


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
    """The synthetic profiles of the system this simulator grew from, vectorised over homes.

    Each step draws, in this order: one weather factor per home (``synthetic_weather``
    'shared': one for the community, then a spread factor per home if ``weather_spread`` > 0),
    one load noise factor per home, one price noise factor. Energies are scaled by ``step_hours``.
    """

    def __init__(self, params: Parameters, homes: Homes):
        self.params = params
        self.homes = homes
        self.load_shape = np.asarray(params.load_shape)
        self.price_shape = np.asarray(params.price_shape)

    def hour(self, step: int, rng: np.random.Generator) -> HourProfile:
        p, n = self.params, self.homes.n
        clock = hour_of_day(step, p)
        if p.synthetic_weather == "per_home":  # the seed: every home its own cloud
            weather = rng.uniform(p.pv_weather_min, p.pv_weather_max, n)
        else:  # neighbours share the sky; an optional spread per home
            weather = np.full(n, rng.uniform(p.pv_weather_min, p.pv_weather_max))
            if p.weather_spread > 0:
                weather *= rng.uniform(1.0 - p.weather_spread, 1.0 + p.weather_spread, n)
        load_noise = rng.uniform(1.0 - p.load_noise, 1.0 + p.load_noise, n)
        price_noise = rng.uniform(1.0 - p.price_noise, 1.0 + p.price_noise)

        pv = synthetic_pv_kwh(clock, self.homes.pv_capacity_kw, p.pv_system_efficiency, weather)
        shape = self.load_shape[int(clock)]
        load = np.maximum(p.min_load_kwh, self.homes.base_load_kwh * shape * load_noise)
        forecast = p.base_price * self.price_shape[int(clock)] * price_noise
        return HourProfile(
            pv_kwh=pv * p.step_hours, load_kwh=load * p.step_hours, price_forecast=float(forecast)
        )

    def lookahead(self, step: int, n_steps: int) -> HourProfile:
        """Expected profiles of steps ``step .. step + n_steps - 1``, drawing nothing.

        Each step's noise is drawn from the model's generator only when the step comes, so
        the future cannot be read without changing the run; this gives the conditional
        expectation instead (mean weather factor, load and price noise of mean 1), as
        (steps, homes) arrays and a (steps,) price array (see :mod:`agents.storage.forecasts`).
        """
        p = self.params
        clock = (p.start_hour + (step + np.arange(n_steps)) * p.step_hours) % 24.0
        weather = 0.5 * (p.pv_weather_min + p.pv_weather_max)
        sun = np.where((clock >= 6.0) & (clock <= 18.0), np.sin(np.pi * (clock - 6.0) / 12.0), 0)
        sun = np.maximum(sun, 0.0)
        pv = sun[:, None] * self.homes.pv_capacity_kw[None, :] * p.pv_system_efficiency * weather
        shape = self.load_shape[clock.astype(np.int64)]
        load = np.maximum(p.min_load_kwh, shape[:, None] * self.homes.base_load_kwh[None, :])
        price = p.base_price * self.price_shape[clock.astype(np.int64)]
        return HourProfile(pv * p.step_hours, load * p.step_hours, price)
