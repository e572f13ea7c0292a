"""Profile sources from real data: weather, standard load profiles, tariffs, a user's files.

:class:`RealProfiles` serves ``profile_source = "standard"`` (PV from a weather year through
pvlib, load from the BDEW profiles in demandlib) and ``"files"`` (load, and optionally PV,
from a user's CSV/Parquet; PV otherwise from the weather). Prices come from ``price_source``.

Everything is precomputed a simulated year at a time, as arrays of steps x homes, so that
``hour(step, rng)`` is a row lookup: a 100-home year costs one pvlib run over the distinct
array orientations and a few vectorised numpy operations. The year (a *block*) runs from the
start to the same local date and time a year later; a longer run computes the next block
when it gets there (its weekdays, holidays and clock changes are that year's).

Random numbers: on the first call of ``hour`` the source draws one seed from the model's
``rng``; home characteristics (array orientation, annual consumption, routine shift) come from
``default_rng([seed, 0])`` and block b's daily and per-step variation from
``default_rng([seed, b + 1])``, so results do not depend on the order in which steps are asked
for. Same parameters and seed, same profiles.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from community_model.homes import Homes
from community_model.parameters import Parameters
from community_model.sources.base import HourProfile, ProfileSource
from community_model.sources.calendar import (
    holidays_for,
    local_wall_clock,
    ns,
    run_start,
    step_times,
)
from community_model.sources.calendar import year_steps as calendar_year_steps
from community_model.sources.files import out_of_rows, read_home_file, read_price_file
from community_model.sources.pv import draw_orientations, pv_by_home_kw_per_kwp
from community_model.sources.standard_load import bdew_day_shapes, home_load_kwh, standard_energy
from community_model.sources.synthetic import SyntheticProfiles
from community_model.sources.tariffs import synthetic_forecast, tou_forecast
from community_model.sources.weather import BUILTIN_WEATHER, check_site_clock, load_weather

SLOT_HOURS = 0.25  #: resolution of the standard load profiles [h]


def subs_per_step(step_hours: float) -> int:
    """Sub-intervals per step so that each is at most a quarter hour long [-]."""
    return max(1, math.ceil(step_hours / SLOT_HOURS - 1e-9))


class YearBlocks:
    """Steps grouped in simulated years: block b runs from the start + b years to + b + 1."""

    def __init__(self, first: pd.Timestamp, step_hours: float):
        self.first, self.step_hours = first, step_hours
        self.starts = [0]

    def locate(self, step: int) -> tuple[int, int, int]:
        """(block, its first step, its number of steps) of ``step``."""
        b = 0
        while True:
            if len(self.starts) <= b + 1:
                self.starts.append(calendar_year_steps(self.first, self.step_hours, b + 1))
            if step < self.starts[b + 1]:
                return b, self.starts[b], self.starts[b + 1] - self.starts[b]
            b += 1


@dataclass
class _Block:
    index: int
    start: int
    n_steps: int
    pv: np.ndarray | None  #: (steps, homes) [kWh]
    load: np.ndarray | None  #: (steps, homes) [kWh]
    price: np.ndarray  #: (steps,) [EUR/kWh]


class RealProfiles:
    """PV, load and prices on the run's calendar from weather, standard profiles or files.

    Parameters
    ----------
    params : Parameters
        Selects the sources (``profile_source``, ``price_source``) and their settings.
    homes : Homes
        Each home's type and PV capacity [kW].
    """

    def __init__(self, params: Parameters, homes: Homes):
        self.params, self.homes = params, homes
        p = params
        self.first = run_start(p)
        self.blocks = YearBlocks(self.first, p.step_hours)
        self.subs = subs_per_step(p.step_hours)
        self.sub_hours = p.step_hours / self.subs
        # Files and weather are read now, so that a bad file fails when the model is built.
        self.load_rows = self.pv_rows = self.price_rows = None
        if p.profile_source == "files":
            self.load_rows = read_home_file(
                p.load_file, "load file", homes.n, self.first, p.step_hours
            )
            if p.pv_file:
                self.pv_rows = read_home_file(
                    p.pv_file, "PV file", homes.n, self.first, p.step_hours
                )
        if p.price_source == "file":
            self.price_rows = read_price_file(p.price_file, self.first, p.step_hours)
        self.weather = None
        if self.pv_rows is None:
            self.weather = load_weather(p.weather_file, p.site_latitude, p.site_longitude)
            station = self.weather  # a user's CSV has no station of its own
            if p.site_latitude is not None and p.weather_file in BUILTIN_WEATHER:
                station = load_weather(p.weather_file)
            check_site_clock(
                self.weather, p.timezone, self.first, station.longitude, station.latitude
            )
        self.seed: int | None = None
        self._block: _Block | None = None

    # --- the interface ------------------------------------------------------------------------
    def start(self, rng: np.random.Generator) -> None:
        """Draw the source's own seed from the model's generator, which the first
        :meth:`hour` does otherwise (nothing once started). A caller that reads ahead before
        the first hour (a learning environment's first observation) calls it right after the
        model is built, where that first hour would draw it: the run is the same."""
        if self.seed is None:
            self.seed = int(rng.integers(0, 2**63 - 1))
            self._draw_homes()

    def hour(self, step: int, rng: np.random.Generator) -> HourProfile:
        """Profiles of step ``step``: a row of the precomputed year."""
        self.start(rng)
        block = self._block_of(step)
        k = step - block.start
        pv = self._row(self.pv_rows, "PV file", self.params.pv_file, step, block.pv, k)
        load = self._row(self.load_rows, "load file", self.params.load_file, step, block.load, k)
        price = self._row(self.price_rows, "price file", self.params.price_file, step, None, k)
        if price is None:
            price = block.price[k]
        return HourProfile(pv_kwh=pv, load_kwh=load, price_forecast=float(price))

    def lookahead(self, step: int, n_steps: int) -> HourProfile:
        """The profiles of steps ``step .. step + n_steps - 1`` exactly, without changing the run.

        (steps, homes) PV and load arrays and a (steps,) price array, for perfect forecasts
        (:mod:`agents.storage.forecasts`). Every block is computed from the source's own
        generators, so reading ahead draws nothing from the model's; the block the run is in
        stays cached. Steps beyond the end of a user's file repeat its last row. Call it after
        ``start(rng)`` or ``hour(step, rng)``.
        """
        if self.seed is None:
            raise RuntimeError("lookahead needs the source's seed: call start() or hour() first")
        steps = step + np.arange(n_steps)
        current = self._block_of(step)
        blocks = {current.index: current}
        pv = np.zeros((n_steps, self.homes.n))
        load = np.zeros((n_steps, self.homes.n))
        price = np.zeros(n_steps)
        for i, s in enumerate(steps):
            b, start, length = self.blocks.locate(int(s))
            if b not in blocks:
                cached = getattr(self, "_peek_block", None)
                if cached is None or cached.index != b:
                    cached = self._peek_block = self._compute_block(b, start, length)
                blocks[b] = cached
            block, k = blocks[b], int(s) - blocks[b].start
            pv[i] = self._peek(self.pv_rows, s, block.pv, k)
            load[i] = self._peek(self.load_rows, s, block.load, k)
            file_price = self._peek(self.price_rows, s, None, k)
            price[i] = block.price[k] if file_price is None else file_price
        return HourProfile(pv_kwh=pv, load_kwh=load, price_forecast=price)

    @staticmethod
    def _peek(rows, step, computed, k):
        if rows is None:
            return None if computed is None else computed[k]
        return rows[min(int(step), len(rows) - 1)]

    def _row(self, rows, what, path, step, computed, k):
        if rows is None:
            return None if computed is None else computed[k].copy()
        if step >= len(rows):
            raise out_of_rows(what, path, len(rows), step, self.times(step, 1)[0])
        return rows[step].copy()

    def times(self, offset: int, n_steps: int) -> pd.DatetimeIndex:
        """Start times of steps ``offset`` .. ``offset + n_steps - 1``."""
        return step_times(self.first, self.params.step_hours, n_steps, offset)

    # --- homes ------------------------------------------------------------------------------
    def _draw_homes(self) -> None:
        p, n = self.params, self.homes.n
        rng = np.random.default_rng([self.seed, 0])
        self.tilt_deg, self.azimuth_deg = draw_orientations(
            n, p.pv_tilt_range_deg, p.pv_azimuth_range_deg, rng
        )
        spread = rng.uniform(1.0 - p.annual_load_spread, 1.0 + p.annual_load_spread, n)
        annual = np.asarray(p.annual_loads_kwh)[self.homes.home_type] * p.load_scale
        self.annual_load_kwh = annual * spread
        shift_hours = rng.uniform(-p.load_shift_hours, p.load_shift_hours, n)
        self.shift_subs = np.round(shift_hours / self.sub_hours).astype(np.int64)
        self.pv_unit = self.pv_column = None
        if self.weather is not None:
            self.pv_unit, self.pv_column = pv_by_home_kw_per_kwp(
                self.weather,
                self.tilt_deg,
                self.azimuth_deg,
                p.pv_system_losses,
                p.pv_temperature_coefficient,
                p.albedo,
            )

    # --- one simulated year -------------------------------------------------------------------
    def _block_of(self, step: int) -> _Block:
        block = self._block
        if block is not None and block.start <= step < block.start + block.n_steps:
            return block
        self._block = self._compute_block(*self.blocks.locate(step))
        return self._block

    def _compute_block(self, b: int, start: int, n_steps: int) -> _Block:
        p = self.params
        rng = np.random.default_rng([self.seed, b + 1])
        times = self.times(start, n_steps)
        years = range(times[0].year - 1, times[-1].year + 2)
        holidays = holidays_for(p.holiday_calendar, years)
        pv = self._weather_pv(times) if self.pv_unit is not None else None
        load = self._standard_load(times, holidays, rng) if self.load_rows is None else None
        price = np.zeros(n_steps)
        if p.price_source == "synthetic":
            noise = rng.uniform(1.0 - p.price_noise, 1.0 + p.price_noise, n_steps)
            price = synthetic_forecast(times, p.base_price, np.asarray(p.price_shape), noise)
        elif p.price_source == "tou":
            price = tou_forecast(times, p.tou_prices, p.tou_bands, p.tou_weekend_offpeak, holidays)
        return _Block(index=b, start=start, n_steps=n_steps, pv=pv, load=load, price=price)

    def _sub_times(self, times: pd.DatetimeIndex) -> pd.DatetimeIndex:
        """Starts of each step's sub-intervals, step-major."""
        sub_ns = int(round(self.sub_hours * 3.6e12))
        grid = ns(times)[:, None] + sub_ns * np.arange(self.subs, dtype=np.int64)[None, :]
        return pd.DatetimeIndex(grid.reshape(-1), tz="UTC")

    def _weather_pv(self, times: pd.DatetimeIndex) -> np.ndarray:
        """PV energy per step and home from the weather year [kWh]."""
        hour = self.weather.hour_of(self._sub_times(times))
        per_kwp = self.pv_unit[hour].reshape(len(times), self.subs, -1).sum(axis=1)
        per_kwp *= self.sub_hours
        return per_kwp[:, self.pv_column] * self.homes.pv_capacity_kw[None, :]

    def _crest_load(self, times: pd.DatetimeIndex) -> np.ndarray:
        """Load per step and home from cached CREST households [kWh] (see crest); the
        household year is read on the local calendar (day of year, hour)."""
        from community_model.sources.crest import community_year_kwh

        if getattr(self, "_crest", None) is None:
            cache = self.params.load_cache_dir or None
            self._crest = community_year_kwh(self.seed, self.annual_load_kwh, cache)
        sub = self._sub_times(times).tz_convert(self.first.tz)
        day = np.minimum(sub.day_of_year.to_numpy() - 1, 364)
        hour = day * 24 + sub.hour.to_numpy()
        per_sub = self._crest[hour] * self.sub_hours
        return per_sub.reshape(len(times), self.subs, -1).sum(axis=1)

    def _standard_load(self, times: pd.DatetimeIndex, holidays, rng) -> np.ndarray:
        """Load per step and home from the standard profile [kWh] (see standard_load)."""
        p, tz = self.params, self.first.tz
        if p.household_load_model == "crest":
            return self._crest_load(times)
        step_days, _ = local_wall_clock(times)
        first_day = step_days[0] - np.timedelta64(1, "D")
        last_day = step_days[-1] + np.timedelta64(2, "D")
        n_days = int((last_day - first_day) // np.timedelta64(1, "D"))
        grid_start = pd.Timestamp(first_day).tz_localize(tz, nonexistent="shift_forward")
        grid_end = pd.Timestamp(last_day).tz_localize(tz, nonexistent="shift_forward")
        sub_ns = int(round(self.sub_hours * 3.6e12))
        n_subs = int((grid_end.value - grid_start.value) // sub_ns)
        grid = pd.DatetimeIndex(grid_start.value + sub_ns * np.arange(n_subs), tz="UTC")
        shapes = bdew_day_shapes(first_day, n_days, p.standard_load_profile, holidays)
        energy = standard_energy(grid.tz_convert(tz), self.sub_hours, shapes, first_day)
        cumulative = np.concatenate([[0.0], np.cumsum(energy)])
        step_start = (ns(times) - grid_start.value) // sub_ns

        shape = (len(times), self.homes.n)
        sigma, x = p.load_day_variation, p.load_step_noise
        day_factor = np.ones(shape)
        if sigma > 0:  # lognormal with mean 1
            daily = rng.lognormal(-0.5 * sigma**2, sigma, size=(n_days, shape[1]))
            day_factor = daily[(step_days - first_day).astype(np.int64)]
        step_noise = rng.uniform(1.0 - x, 1.0 + x, size=shape) if x > 0 else np.ones(shape)
        return home_load_kwh(
            cumulative,
            step_start,
            self.subs,
            self.shift_subs,
            day_factor,
            step_noise,
            self.annual_load_kwh,
        )


class CalendarPrices:
    """Wraps a source and replaces its price forecast by a tariff or a user's series.

    Used with the synthetic source, whose own draws stay unchanged (its price noise is still
    drawn and then not used), so that switching the price source does not change PV or load.
    """

    def __init__(self, inner: ProfileSource, params: Parameters):
        self.inner, self.params = inner, params
        self.first = run_start(params)
        self.blocks = YearBlocks(self.first, params.step_hours)
        self.price_rows = None
        if params.price_source == "file":
            self.price_rows = read_price_file(params.price_file, self.first, params.step_hours)
        self._block: tuple[int, int, np.ndarray] | None = None

    def hour(self, step: int, rng: np.random.Generator) -> HourProfile:
        profile = self.inner.hour(step, rng)
        return profile._replace(price_forecast=float(self._price(step)))

    def lookahead(self, step: int, n_steps: int) -> HourProfile:
        """The inner source's lookahead with this tariff's (or file's) prices, which are known
        in advance; beyond the end of a price file its last value repeats."""
        ahead = self.inner.lookahead(step, n_steps)
        steps = step + np.arange(n_steps)
        if self.price_rows is not None:
            price = self.price_rows[np.minimum(steps, len(self.price_rows) - 1)]
        else:
            price = np.array([self._tou_price(int(s), keep=False) for s in steps])
        return ahead._replace(price_forecast=np.asarray(price, dtype=float))

    def _tou_price(self, step: int, keep: bool = True) -> float:
        """Time-of-use forecast of ``step``; ``keep=False`` reads ahead without replacing the
        cached year."""
        p = self.params
        b, start, n_steps = self.blocks.locate(step)
        block = self._block
        if block is None or block[0] != b:
            peeked = getattr(self, "_peek_block", None)
            if not keep and peeked is not None and peeked[0] == b:
                block = peeked
            else:
                times = step_times(self.first, p.step_hours, n_steps, start)
                years = range(times[0].year, times[-1].year + 1)
                holidays = holidays_for(p.holiday_calendar, years)
                prices = tou_forecast(
                    times, p.tou_prices, p.tou_bands, p.tou_weekend_offpeak, holidays
                )
                block = (b, start, prices)
            if keep or self._block is None:
                self._block = block
            else:
                self._peek_block = block
        return block[2][step - block[1]]

    def _price(self, step: int) -> float:
        p = self.params
        if self.price_rows is not None:
            if step >= len(self.price_rows):
                when = step_times(self.first, p.step_hours, 1, step)[0]
                raise out_of_rows("price file", p.price_file, len(self.price_rows), step, when)
            return self.price_rows[step]
        return self._tou_price(step)


def make_real_source(params: Parameters, homes: Homes) -> ProfileSource:
    """The source for ``profile_source`` standard/files, or a price wrapper for synthetic."""
    if params.profile_source in ("standard", "files"):
        return RealProfiles(params, homes)
    return CalendarPrices(SyntheticProfiles(params, homes), params)
