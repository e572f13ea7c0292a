"""Forecasts of PV, load and price over a planning horizon, for forecast-driven storage.

A forecaster gives, at step ``t``, the PV and load of each of its homes and the grid price
forecast for steps ``t .. t + H - 1``. Lead 0 is always the actual step ``t`` (its profile
has been drawn when the battery decides); leads 1 .. H - 1 are forecasts:

``perfect``
    What will actually happen, read from the profile source without changing the run: a source
    that can be peeked offers ``lookahead(step, n_steps)``, returning an ``HourProfile`` whose
    ``pv_kwh`` and ``load_kwh`` are (steps, homes) arrays and ``price_forecast`` a (steps,)
    array (it draws nothing from the model's generator). The ``standard`` and ``files``
    sources precompute a year from generators of their own, so their lookahead is the
    future exactly; time-of-use and file prices are known in advance too. The ``synthetic``
    source draws each step's noise (weather, load, price) from the model's generator only when
    the step comes, so its future does not exist yet: drawing it early would change every
    later random number of the run. Its lookahead therefore gives the conditional expectation
    (mean weather factor, mean load and price noise) -- the best forecast of independent
    noise, but not foresight. A perfect forecast in the strict sense needs a peekable source.
``naive``
    Same hour yesterday (the seasonal naive forecast, Hyndman & Athanasopoulos 2021, section
    5.2): lead k is the value observed at ``t + k - D * ceil(k / D)`` with D steps a day.
    Before a day has been observed the current step's value stands in (persistence).
``noisy``
    ``perfect`` PV and load times (1 + e * N(0, 1)) per home and step for leads >= 1, clipped
    at 0, with ``e = forecast_error``; drawn from the policy's own generator (seeded from the
    run's seed), so the rest of the run is unchanged. Prices are those of ``perfect``: a
    time-of-use tariff is published and a day-ahead price known a day ahead. (With the same
    error on the tariff the LP chases spreads that are not there: at e = 0.3 the owners'
    bill measured above greedy's, see docs/storage.md.)

References
----------
Hyndman, R. J., Athanasopoulos, G. (2021). *Forecasting: principles and practice*, 3rd ed.,
OTexts, section 5.2 (simple forecasting methods: seasonal naive).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from agents.storage.base import StorageInputs

FORECAST_KINDS = ("perfect", "naive", "noisy")


class Horizon(NamedTuple):
    """Forecast of the planning horizon, lead 0 = this step."""

    pv_kwh: np.ndarray  #: (homes, steps) [kWh]
    load_kwh: np.ndarray  #: (homes, steps) [kWh]
    price_forecast: np.ndarray  #: (steps,) grid price forecast [EUR/kWh]


def _with_actual(horizon: Horizon, inputs: StorageInputs) -> Horizon:
    """Lead 0 is the actual step."""
    horizon.pv_kwh[:, 0] = inputs.pv_kwh
    horizon.load_kwh[:, 0] = inputs.load_kwh
    horizon.price_forecast[0] = inputs.price_forecast
    return horizon


class PerfectForecast:
    """The source's own future (see the module docstring for what the synthetic source gives)."""

    kind = "perfect"

    def __init__(self, source: Any):
        if not callable(getattr(source, "lookahead", None)):
            raise ValueError(
                "a perfect (or noisy) forecast needs a profile source with "
                "lookahead(step, n_steps); this source has none: use forecast_kind 'naive'"
            )
        self.source = source

    def observe(self, inputs: StorageInputs) -> None:
        """Nothing to remember."""

    def horizon(self, inputs: StorageInputs, n_steps: int) -> Horizon:
        ahead = self.source.lookahead(inputs.step, n_steps)
        pv = np.asarray(ahead.pv_kwh, dtype=float)[:, inputs.rows].T.copy()
        load = np.asarray(ahead.load_kwh, dtype=float)[:, inputs.rows].T.copy()
        price = np.array(ahead.price_forecast, dtype=float)
        return _with_actual(Horizon(pv, load, price), inputs)


class NaiveForecast:
    """Same hour yesterday, from what the homes themselves observed."""

    kind = "naive"

    def __init__(self, steps_per_day: int):
        self.day = int(steps_per_day)
        self._rows: np.ndarray | None = None

    def observe(self, inputs: StorageInputs) -> None:
        """Remember this step's actual PV, load and price (a ring buffer of one day)."""
        if self._rows is None or not np.array_equal(self._rows, inputs.rows):
            n = len(inputs.rows)
            self._rows = inputs.rows.copy()
            self._pv = np.zeros((self.day, n))
            self._load = np.zeros((self.day, n))
            self._price = np.zeros(self.day)
            self._first = inputs.step
        slot = inputs.step % self.day
        self._pv[slot] = inputs.pv_kwh
        self._load[slot] = inputs.load_kwh
        self._price[slot] = inputs.price_forecast

    def horizon(self, inputs: StorageInputs, n_steps: int) -> Horizon:
        t, day = inputs.step, self.day
        lead = np.arange(n_steps)
        source_step = t + lead - day * np.ceil(lead / day).astype(np.int64)
        source_step = np.where(source_step < self._first, t, source_step)  # persistence
        slot = source_step % day
        horizon = Horizon(
            self._pv[slot].T.copy(), self._load[slot].T.copy(), self._price[slot].copy()
        )
        return _with_actual(horizon, inputs)


class NoisyForecast:
    """Perfect foresight of prices, PV and load with a relative error of standard deviation
    ``error`` [-]."""

    kind = "noisy"

    def __init__(self, source: Any, error: float, rng: np.random.Generator):
        self.perfect = PerfectForecast(source)
        self.error, self.rng = float(error), rng

    def observe(self, inputs: StorageInputs) -> None:
        """Nothing to remember."""

    def horizon(self, inputs: StorageInputs, n_steps: int) -> Horizon:
        exact = self.perfect.horizon(inputs, n_steps)
        n = len(inputs.rows)
        e, draw = self.error, self.rng.standard_normal
        pv = exact.pv_kwh * (1.0 + e * draw((n, n_steps)))
        load = exact.load_kwh * (1.0 + e * draw((n, n_steps)))
        horizon = Horizon(np.maximum(pv, 0.0), np.maximum(load, 0.0), exact.price_forecast)
        return _with_actual(horizon, inputs)


def make_forecast(
    kind: str, source: Any, error: float, steps_per_day: int, rng: np.random.Generator
):
    """The forecaster ``kind`` names (one of :data:`FORECAST_KINDS`)."""
    if kind == "perfect":
        return PerfectForecast(source)
    if kind == "naive":
        return NaiveForecast(steps_per_day)
    if kind == "noisy":
        return NoisyForecast(source, error, rng)
    raise ValueError(f"forecast_kind must be one of {FORECAST_KINDS}, got {kind!r}")


def steps_per_day(step_hours: float) -> int:
    """Steps in a day [-]."""
    return max(1, int(round(24.0 / step_hours)))


__all__ = [
    "FORECAST_KINDS",
    "Horizon",
    "NaiveForecast",
    "NoisyForecast",
    "PerfectForecast",
    "make_forecast",
    "steps_per_day",
]
