"""Model parameters: one typed, validated object for the API, the command line and the app.

Every default below is that of the system this simulator grew from (the `seed` scenario).
Each field carries its unit, a one-line meaning and the range it accepts in
``field(metadata=...)``; :func:`Parameters.validate` checks them all in one place and raises
:class:`ParameterError` naming the parameter, the value given and what is allowed.
``CommunityModel`` takes the same names as keywords, so ``batch_run`` and SolaraViz work with
plain keyword parameters.
"""

from __future__ import annotations

import math
import numbers
import os
import re
import tomllib
from dataclasses import MISSING, asdict, dataclass, field, fields
from typing import Any

import numpy as np

from agents.bidding import BIDDING_STRATEGIES, parse_mix
from agents.storage import FORECAST_KINDS, STORAGE_POLICIES
from community_model.errors import ParameterError
from community_model.sources.calendar import HOLIDAY_CALENDARS
from community_model.sources.standard_load import LOAD_PROFILES
from community_model.sources.tariffs import PRICE_SOURCES, TOU_BANDS
from market import FEE_MODES, MECHANISMS

#: PV capacity of the ten home types [kW]
PV_CAPACITIES_KW = (2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 5.5, 6.0, 6.5, 7.0)
#: Base consumption of the ten home types [kWh/h]
BASE_LOADS_KWH = (0.35, 0.45, 0.55, 0.65, 0.75, 0.90, 1.05, 1.20, 1.35, 1.50)
#: Battery capacity of the ten home types, for homes that have one [kWh]
BATTERY_CAPACITIES_KWH = (5.0, 7.0, 8.0, 10.0, 12.0, 13.0, 15.0, 17.0, 18.0, 20.0)
#: Hour-of-day load multipliers f(h) [-]
LOAD_SHAPE = (0.4, 0.35, 0.35, 0.35, 0.4, 0.6, 1.1, 1.4, 1.2, 0.9, 0.8, 0.9,
              1.0, 0.9, 0.8, 0.8, 0.9, 1.1, 1.6, 1.9, 1.7, 1.4, 1.0, 0.6)  # fmt: skip
#: Hour-of-day price multipliers g(h) [-]
PRICE_SHAPE = (0.7, 0.6, 0.6, 0.6, 0.7, 0.9, 1.3, 1.5, 1.4, 1.2, 1.1, 1.2,
               1.3, 1.1, 1.0, 1.0, 1.1, 1.2, 1.5, 1.6, 1.5, 1.3, 1.1, 0.9)  # fmt: skip

#: Registered bidding strategies (a live view: a strategy registered with
#: agents.bidding.register_bidding_strategy is valid at once).
PRICING_STRATEGIES = BIDDING_STRATEGIES.keys()
CLEARING_MECHANISMS = tuple(MECHANISMS)
PROFILE_SOURCES = ("synthetic", "standard", "files")
#: Annual consumption of the ten home types with the standard load profiles [kWh/a]
ANNUAL_LOADS_KWH = (2000.0, 2500.0, 3000.0, 3500.0, 4000.0, 4500.0, 5000.0, 5500.0, 6000.0, 6500.0)
#: Years a ``start_date`` may lie in: pandas' clock ends in 1677 and 2262, and a run and its
#: weather years and holidays need room on both sides.
FIRST_YEAR, LAST_YEAR = 1900, 2200
#: What free-text parameters accept, by kind (checked in ``_check_text``)
TEXT_KINDS = {
    "date": f"a date YYYY-MM-DD in the years {FIRST_YEAR}-{LAST_YEAR}",
    "timezone": "an IANA time zone name such as 'Europe/Berlin' or 'UTC'",
    "weather": "TRY2010_01 .. TRY2010_15, 723170TYA, 703165TY, or the path of a CSV file",
    "path": "the path of a .csv or .parquet file, or '' for none",
    "mix": "'' or NAME:SHARE,... of registered bidding strategies, shares >= 0 summing to 1",
    "feeder": "'off', 'radial', 'ieee_european_lv', a Kerber network ('kerber_landnetz_kabel_1', "
    "'kerber_landnetz_freileitung_1', 'kerber_dorfnetz', 'kerber_vorstadtnetz_kabel_1') or "
    "the path of a pandapower .json file",
    "folder": "a folder path, or '' for the default",
}
#: Feeders built in: pandapower's Kerber networks, the IEEE European LV feeder, a radial one
FEEDERS = (
    "off", "radial", "ieee_european_lv", "kerber_landnetz_kabel_1",
    "kerber_landnetz_freileitung_1", "kerber_dorfnetz", "kerber_vorstadtnetz_kabel_1",
)  # fmt: skip
NETWORK_MODES = ("blind", "distance_fees", "enforce_limits")
#: Default first dates (``Parameters.first_date``): the synthetic day is an equinox day.
SYNTHETIC_DAY_DATE = "2023-03-20"
DATA_YEAR_START = "2023-01-01"
LOSS_ALLOCATIONS = ("none", "kwh_km")
#: pandapower standard types offered for the generated radial feeder
LV_LINE_TYPES = ("NAYY 4x50 SE", "NAYY 4x120 SE", "NAYY 4x150 SE", "94-AL1/15-ST1A 0.4")
LV_TRAFO_TYPES = ("0.25 MVA 20/0.4 kV", "0.4 MVA 20/0.4 kV", "0.63 MVA 20/0.4 kV")
OBJECTIVES = ("maximize_renewable", "maximize_p2p", "maximize_profit", "none")


def _p(
    default,
    unit: str,
    doc: str,
    *,
    lo=None,
    hi=None,
    lo_open=False,
    hi_open=False,
    choices=None,
    length=None,
    optional=False,
    text=None,
):
    """Declare one parameter: default, unit, meaning and accepted range (``text``: the kind
    of a free-text parameter, a key of ``TEXT_KINDS``)."""
    meta = dict(
        text=text,
        unit=unit,
        doc=doc,
        lo=lo,
        hi=hi,
        lo_open=lo_open,
        hi_open=hi_open,
        choices=choices,
        length=length,
        optional=optional,
    )
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class Parameters:
    """All parameters of a community run, with their defaults (docs/parameters.md)."""

    # --- community and homes -------------------------------------------------------------
    n_prosumers: int = _p(100, "-", "number of prosumers (homes)", lo=1, hi=1_000_000)
    battery_share: float = _p(0.8, "-", "probability that a home has a battery", lo=0, hi=1)
    pv_capacities_kw: tuple = _p(PV_CAPACITIES_KW, "kW", "PV capacity per home type", lo=0)
    base_loads_kwh: tuple = _p(BASE_LOADS_KWH, "kWh/h", "base load per home type", lo=0)
    battery_capacities_kwh: tuple = _p(
        BATTERY_CAPACITIES_KWH, "kWh", "battery capacity per home type", lo=0, lo_open=True
    )
    pv_share: float = _p(1.0, "-", "probability that a home has PV", lo=0, hi=1)
    battery_on_pv_only: bool = _p(
        False, "-", "batteries only on homes with PV (battery_share is then a share of those)"
    )
    battery_kwh_per_mwh: float | None = _p(
        None, "kWh/(MWh/a)", "battery sized by the home's annual load (None: by home type)",
        lo=0, hi=100, lo_open=True, optional=True,
    )  # fmt: skip
    pv_scale: float = _p(1.0, "-", "multiplier on every home's PV capacity", lo=0, hi=100)
    load_scale: float = _p(1.0, "-", "multiplier on every home's load", lo=0, hi=100)
    # --- time and profiles ---------------------------------------------------------------
    step_hours: float = _p(
        1.0,
        "h",
        "length of one model step; 1/step_hours must be a whole number, at most 60",
        lo=0,
        hi=1,
        lo_open=True,
    )
    start_hour: int = _p(0, "h", "hour of day of the first step", lo=0, hi=23)
    profile_source: str = _p(
        "synthetic", "-", "where PV, load and prices come from", choices=PROFILE_SOURCES
    )
    pv_system_efficiency: float = _p(0.88, "-", "PV system efficiency", lo=0, hi=1)
    pv_weather_min: float = _p(0.5, "-", "lower bound of the hourly weather factor", lo=0, hi=1)
    pv_weather_max: float = _p(1.0, "-", "upper bound of the hourly weather factor", lo=0, hi=1)
    synthetic_weather: str = _p(
        "per_home", "-", "synthetic clouds: drawn per home, or one factor a step for all",
        choices=("per_home", "shared"),
    )  # fmt: skip
    weather_spread: float = _p(
        0.0, "-", "shared weather: each home's factor x U(1-x, 1+x) around the community's",
        lo=0, hi=1,
    )  # fmt: skip
    load_shape: tuple = _p(LOAD_SHAPE, "-", "load multiplier per hour of day", lo=0, length=24)
    load_noise: float = _p(
        0.15, "-", "load drawn in base*f(h)*U(1-x, 1+x)", lo=0, hi=1, hi_open=True
    )
    min_load_kwh: float = _p(0.25, "kWh/h", "floor of a home's hourly load", lo=0, hi=100)
    base_price: float = _p(0.15, "EUR/kWh", "base grid price", lo=0, hi=10, lo_open=True)
    price_shape: tuple = _p(PRICE_SHAPE, "-", "price multiplier per hour of day", lo=0, length=24)
    price_noise: float = _p(
        0.05, "-", "forecast drawn in base*g(h)*U(1-x, 1+x)", lo=0, hi=1, hi_open=True
    )
    start_date: str | None = _p(
        None, "-", "local date of the first step (None: the source's own, see first_date)",
        text="date", optional=True,
    )  # fmt: skip
    timezone: str = _p("Europe/Berlin", "-", "time zone of the run's clock", text="timezone")
    holiday_calendar: str = _p(
        "germany", "-", "public holidays, Sundays for load profiles and tariffs",
        choices=HOLIDAY_CALENDARS,
    )  # fmt: skip
    weather_file: str = _p(
        "TRY2010_04", "-", "weather year for PV (standard/files sources)", text="weather"
    )
    site_latitude: float | None = _p(
        None, "deg", "latitude of the homes (None: the weather station's)", lo=-90, hi=90,
        optional=True,
    )  # fmt: skip
    site_longitude: float | None = _p(
        None, "deg", "longitude of the homes, east (None: the weather station's)", lo=-180,
        hi=180, optional=True,
    )  # fmt: skip
    pv_tilt_range_deg: tuple = _p(
        (25.0, 45.0), "deg", "range of array tilts, drawn per home", lo=0, hi=90, length=2
    )
    pv_azimuth_range_deg: tuple = _p(
        (135.0, 225.0), "deg", "range of array azimuths (180: south), drawn per home", lo=0,
        hi=360, length=2,
    )  # fmt: skip
    pv_system_losses: float = _p(
        0.14, "-", "PV losses: cables, inverter, soiling (PVGIS 'system loss')", lo=0, hi=1,
        hi_open=True,
    )  # fmt: skip
    pv_temperature_coefficient: float = _p(
        -0.004, "1/K", "temperature coefficient of PV power", lo=-0.02, hi=0
    )
    albedo: float = _p(0.2, "-", "ground reflectance seen by the PV arrays", lo=0, hi=1)
    standard_load_profile: str = _p(
        "H25", "-", "BDEW standard load profile of household demand", choices=LOAD_PROFILES
    )
    household_load_model: str = _p(
        "bdew", "-", "standard source: the BDEW profile, or CREST households (richardsonpy; each "
        "home's year takes 10-30 s the first time per seed, then comes from load_cache_dir)",
        choices=("bdew", "crest"),
    )  # fmt: skip
    load_cache_dir: str = _p(
        "", "-", "cache of CREST household years ('': ~/.cache/community_model)", text="folder"
    )
    annual_loads_kwh: tuple = _p(
        ANNUAL_LOADS_KWH, "kWh/a", "annual consumption per home type (standard source)", lo=0
    )
    annual_load_spread: float = _p(
        0.2, "-", "a home's annual consumption: type value * U(1-x, 1+x)", lo=0, hi=1,
        hi_open=True,
    )  # fmt: skip
    load_day_variation: float = _p(
        0.2, "-", "day-to-day variation of a home's load (sigma of a lognormal)", lo=0, hi=2
    )
    load_shift_hours: float = _p(
        1.0, "h", "largest shift of a home's daily routine against the profile", lo=0, hi=12
    )
    load_step_noise: float = _p(
        0.1, "-", "noise on each step's load, U(1-x, 1+x)", lo=0, hi=1, hi_open=True
    )
    load_file: str = _p("", "-", "hourly load per home (profile_source files)", text="path")
    pv_file: str = _p("", "-", "hourly PV per home ('': PV from the weather)", text="path")
    price_source: str = _p(
        "synthetic", "-", "where the grid price forecast comes from", choices=PRICE_SOURCES
    )
    tou_prices: tuple = _p(
        (0.10, 0.15, 0.25), "EUR/kWh", "forecast in off-peak, shoulder, peak hours", lo=0,
        length=3,
    )  # fmt: skip
    tou_bands: tuple = _p(
        TOU_BANDS, "-", "band of each local hour: 0 off-peak, 1 shoulder, 2 peak", lo=0, hi=2,
        length=24,
    )  # fmt: skip
    tou_weekend_offpeak: bool = _p(True, "-", "weekends and holidays are off-peak all day")
    price_file: str = _p("", "-", "price forecast series (price_source file)", text="path")
    # --- battery -------------------------------------------------------------------------
    battery_efficiency: float = _p(
        0.95, "-", "one-way efficiency on charge and on discharge", lo=0, hi=1, lo_open=True
    )
    soc_min: float = _p(0.1, "-", "lowest state of charge, fraction of capacity", lo=0, hi=1)
    soc_max: float = _p(0.95, "-", "highest state of charge, fraction of capacity", lo=0, hi=1)
    initial_soc: float = _p(0.5, "-", "state of charge at the start", lo=0, hi=1)
    battery_power_kw: float | None = _p(
        None,
        "kW",
        "charge/discharge power limit (None: unlimited)",
        lo=0,
        lo_open=True,
        optional=True,
    )
    battery_c_rate: float | None = _p(
        None, "1/h", "battery power = C-rate x capacity, per home (None: battery_power_kw)",
        lo=0, hi=10, lo_open=True, optional=True,
    )  # fmt: skip
    # --- storage policies (agents/storage, docs/storage.md) ----------------------------
    storage_policy: str = _p(
        "greedy", "-", "how battery owners run their battery (registered policies)",
        choices=STORAGE_POLICIES,
    )  # fmt: skip
    storage_policy_share: float = _p(
        1.0, "-", "share of battery homes on storage_policy (the rest greedy)", lo=0, hi=1
    )
    arbitrage_horizon_hours: int = _p(
        24, "h", "planning horizon of forecast_arbitrage", lo=1, hi=168
    )
    arbitrage_replan_hours: int = _p(
        24, "h", "hours between re-plans of forecast_arbitrage (at most the horizon)", lo=1,
        hi=168,
    )  # fmt: skip
    forecast_kind: str = _p(
        "perfect", "-", "forecast of forecast_arbitrage: the future, yesterday, or noisy",
        choices=FORECAST_KINDS,
    )  # fmt: skip
    forecast_error: float = _p(
        0.1, "-", "relative error (std. dev.) of the noisy PV and load forecast", lo=0, hi=2
    )
    # --- trading -------------------------------------------------------------------------
    max_trade_cap: float = _p(
        3.0, "kWh/h", "largest P2P offer per prosumer (per step: x step_hours)", lo=0, hi=1e6,
        lo_open=True,
    )  # fmt: skip
    dead_band: float = _p(
        0.01, "kWh/h", "imbalance below which a prosumer does not trade (x step_hours)", lo=0,
        hi=1e3,
    )  # fmt: skip
    imbalance_threshold: float = _p(
        0.05, "kWh/h", "shortfall that triggers battery offers (x step_hours)", lo=0, hi=1e6
    )
    battery_offer_fraction: float = _p(
        0.5, "-", "share of usable stored energy offered", lo=0, hi=1
    )
    local_market_fee: float = _p(0.03, "EUR/kWh", "aggregator fee on grid trades", lo=0, hi=10)
    feed_in_tariff: float | None = _p(
        None, "EUR/kWh", "fixed price the grid pays for exports (None: forecast - fee)", lo=0,
        hi=10, optional=True,
    )  # fmt: skip
    fee_mode: str = _p(
        "per_kwh", "-", "grid fee per kWh, or fee*quantity as in the seed system", choices=FEE_MODES
    )
    pricing_strategy: str = _p(
        "seed", "-", "how prosumers price their offers (every home)", choices=PRICING_STRATEGIES
    )
    pricing_mix: str = _p(
        "",
        "-",
        "bidding strategies by share of homes, e.g. 'seed:0.5,zic:0.3,zip:0.2' (drawn per "
        "seed); '' gives every home pricing_strategy",
        text="mix",
    )
    clearing_mechanism: str = _p(
        "seed", "-", "P2P double-auction rule", choices=CLEARING_MECHANISMS
    )
    uniform_k: float = _p(0.5, "-", "k of the uniform-price k-double auction", lo=0, hi=1)
    # --- chain ---------------------------------------------------------------------------
    chain_enabled: bool = _p(True, "-", "record every trade on the proof-of-work chain")
    difficulty: int = _p(3, "hex digits", "leading hex zeros a block hash needs", lo=0, hi=6)
    n_miners: int = _p(15, "-", "number of competing miner agents", lo=1, hi=1000)
    block_reward: float = _p(0.1, "EUR", "reward of the miner of a block", lo=0, hi=1e6)
    max_transactions_per_block: int = _p(
        50, "-", "largest number of transactions in a block", lo=1, hi=1_000_000
    )
    mine_in_background: bool = _p(
        False, "-", "sign and mine in a second process beside the simulation (same chain)"
    )
    hash_rate_sigma: float = _p(
        0.5, "-", "spread of miners' hash rates (sigma of a lognormal; 0: equal)", lo=0, hi=3
    )
    sign_trades: bool = _p(
        True, "-", "buyer and seller sign their trades, once per block (Ed25519); off: faster"
    )
    reproducible_keys: bool = _p(
        False, "-", "signing keys from the seed (same chain bit for bit; the seed forges trades)"
    )
    # --- regulator -----------------------------------------------------------------------
    objective: str = _p("maximize_renewable", "-", "what the regulator pursues", choices=OBJECTIVES)
    renewable_bonus: float = _p(
        0.02, "EUR/kWh", "bonus per kWh of local renewable energy used", lo=0, hi=10
    )
    p2p_bonus: float = _p(0.01, "EUR/kWh", "bonus per P2P kWh, to buyer and seller", lo=0, hi=10)
    market_penalty: float = _p(0.02, "EUR/kWh", "penalty per kWh traded with the grid", lo=0, hi=10)
    exempt_no_battery: bool = _p(True, "-", "homes without a battery pay no market penalty")
    ban_window: int = _p(24, "h", "rolling window of the ban rules", lo=1, hi=1_000_000)
    ban_penalty_threshold: float = _p(
        5.0,
        "EUR",
        "penalties in the window above which (with few bonuses) a home is banned",
        lo=0,
        hi=1e9,
    )
    ban_bonus_threshold: float = _p(
        5.0, "EUR", "bonuses in the window below which the penalty rule applies", lo=0, hi=1e9
    )
    ban_balance_threshold: float = _p(
        -50.0,
        "EUR",
        "balance change in the window below which a home is banned",
        lo=-1e9,
        hi=0,
    )
    market_ban_steps: int = _p(
        2, "h", "ban for excessive market usage (hours; steps at 1 h)", lo=0, hi=1_000_000
    )
    balance_ban_steps: int = _p(
        3, "h", "ban for a negative balance (hours; steps at 1 h)", lo=0, hi=1_000_000
    )
    reban_cooldown: int = _p(
        5,
        "h",
        "no new ban for the same reason within this many hours of the last one",
        lo=0,
        hi=1_000_000,
    )
    withheld_ban_threshold: float = _p(
        5.0, "kWh", "stored energy a home declined to offer in the window above which it is "
        "banned", lo=0, hi=1e9,
    )  # fmt: skip
    withheld_ban_steps: int = _p(
        24, "h", "ban for withholding stored energy (hours; steps at 1 h)", lo=0, hi=1_000_000
    )
    # --- membership (docs/regulator.md): homes that join and leave -------------------------
    initial_member_share: float = _p(
        1.0, "-", "share of the homes in the community at the start; the others join later",
        lo=0, hi=1,
    )  # fmt: skip
    join_every_hours: int = _p(
        0, "h", "a waiting home joins every this many hours (0: only by model.add_home())",
        lo=0, hi=1_000_000,
    )  # fmt: skip
    leave_when_unprofitable: bool = _p(
        False, "-", "a home leaves when membership cost it more than standing alone over the "
        "membership window",
    )  # fmt: skip
    membership_window_hours: int = _p(
        720, "h", "window of the leave rule's comparison with the stand-alone cost", lo=1,
        hi=1_000_000,
    )  # fmt: skip
    withholding_share: float = _p(
        0.0, "-", "share of battery homes that never offer stored energy to the community "
        "(a non-compliant home type)", lo=0, hi=1,
    )  # fmt: skip
    flexible_load_share: float = _p(
        0.1, "-", "share of demand a home may defer when incentives reward it", lo=0, hi=1
    )
    max_deferral_hours: int = _p(12, "h", "longest a flexible demand may wait", lo=0, hi=168)
    flex_discomfort: float = _p(
        0.01, "EUR/kWh", "incentive below which homes do not bother to defer", lo=0, hi=10
    )
    # --- low-voltage feeder (community_model/grid, docs/grid.md) -----------------------------
    grid: str = _p("off", "-", "the feeder of an AC power flow every step ('off': none)",
                   text="feeder")  # fmt: skip
    grid_homes_per_bus: int = _p(2, "-", "homes on each bus of the radial feeder", lo=1, hi=1000)
    grid_radial_branches: int = _p(4, "-", "cable strands leaving the radial feeder's busbar",
                                   lo=1, hi=100)  # fmt: skip
    grid_line_type: str = _p(
        "NAYY 4x150 SE", "-", "pandapower cable type of the radial feeder", choices=LV_LINE_TYPES
    )
    grid_line_length_m: float = _p(
        30.0, "m", "cable length between buses of the radial feeder", lo=0, hi=10_000, lo_open=True
    )
    grid_trafo_type: str = _p(
        "0.4 MVA 20/0.4 kV", "-", "transformer of the radial feeder", choices=LV_TRAFO_TYPES
    )
    grid_power_factor: float = _p(
        0.95, "-", "cos phi of every home; homes draw reactive power", lo=0, hi=1, lo_open=True
    )
    grid_voltage_band: float = _p(
        0.1, "-", "allowed voltage deviation from nominal (EN 50160: 0.1)", lo=0, hi=0.5,
        lo_open=True,
    )  # fmt: skip
    grid_loading_limit: float = _p(
        100.0, "%", "highest line and transformer loading", lo=0, hi=1000, lo_open=True
    )
    network_mode: str = _p(
        "blind", "-", "network-aware trading (needs a grid)", choices=NETWORK_MODES
    )
    distance_fee_rate: float = _p(
        0.05, "EUR/kWh/km", "P2P grid fee per kWh and km of cable between the parties", lo=0,
        hi=100,
    )  # fmt: skip
    grid_loss_allocation: str = _p(
        "none", "-", "attribute cable losses to P2P trades by kWh x km ('none': not at all)",
        choices=LOSS_ALLOCATIONS,
    )  # fmt: skip
    # --- data ----------------------------------------------------------------------------
    agent_data_dir: str | None = _p(
        None, "-", "stream agent-level data to this folder as Parquet parts (None: in memory)",
        optional=True,
    )  # fmt: skip
    agent_data_every: int = _p(
        1, "steps", "collect agent-level data every k steps (0: never)", lo=0, hi=1_000_000
    )

    def __post_init__(self) -> None:
        for f in fields(self):  # a path object is as good as its string (load_file=Path(...))
            value = getattr(self, f.name)
            if isinstance(value, os.PathLike) and (f.metadata["text"] or "str" in str(f.type)):
                object.__setattr__(self, f.name, os.fspath(value))
        self.validate()
        # Normalise numpy scalars, lists and ints-for-floats so that equal parameters compare,
        # hash and serialise equally whatever the caller passed (CLI, batch_run, the app).
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None or f.metadata["choices"]:
                continue
            kind = str(f.type)
            if kind == "bool":
                value = bool(value)
            elif kind == "int":
                value = int(value)
            elif kind.startswith("float"):
                value = float(value)
            elif kind == "tuple":
                value = tuple(float(v) for v in value)
            object.__setattr__(self, f.name, value)

    # ---------------------------------------------------------------------------------------
    def validate(self) -> None:
        """Check every field against its declared range, then the cross-field rules."""
        for f in fields(self):
            _check_field(f.name, getattr(self, f.name), f.metadata, f.type)
        n_types = len(self.pv_capacities_kw)
        for name in ("base_loads_kwh", "battery_capacities_kwh", "annual_loads_kwh"):
            if len(getattr(self, name)) != n_types:
                raise ParameterError(
                    f"{name} must have one value per home type ({n_types}, like "
                    f"pv_capacities_kw), got {len(getattr(self, name))}"
                )
        if not self.soc_min < self.soc_max:
            raise ParameterError(
                f"soc_min must be below soc_max, got soc_min={self.soc_min}, soc_max={self.soc_max}"
            )
        if not self.soc_min <= self.initial_soc <= self.soc_max:
            raise ParameterError(
                f"initial_soc must be in [soc_min, soc_max] = [{self.soc_min}, {self.soc_max}],"
                f" got {self.initial_soc}"
            )
        if self.pv_weather_min > self.pv_weather_max:
            raise ParameterError(
                f"pv_weather_min must not exceed pv_weather_max, got {self.pv_weather_min} > "
                f"{self.pv_weather_max}"
            )
        self._validate_profiles()
        if self.arbitrage_replan_hours > self.arbitrage_horizon_hours:
            raise ParameterError(
                f"arbitrage_replan_hours must not exceed arbitrage_horizon_hours "
                f"({self.arbitrage_horizon_hours}), got {self.arbitrage_replan_hours}"
            )
        steps_per_hour = 1.0 / self.step_hours
        # at most one step a minute: a year of finer steps would not fit in memory
        if abs(steps_per_hour - round(steps_per_hour)) > 1e-9 or steps_per_hour > 60.5:
            raise ParameterError(
                "step_hours must divide one hour evenly into at most 60 steps (1, 0.5, 0.25, "
                f"..., 1/60), got {self.step_hours}"
            )

    def _validate_profiles(self) -> None:
        """Cross-field rules of the profile, calendar and price parameters."""
        for name in ("pv_tilt_range_deg", "pv_azimuth_range_deg"):
            low, high = getattr(self, name)
            if low > high:
                raise ParameterError(f"{name} must be (lowest, highest), got ({low}, {high})")
        if any(band != int(band) for band in self.tou_bands):
            raise ParameterError(f"tou_bands must be 0, 1 or 2 for each hour, got {self.tou_bands}")
        if (self.site_latitude is None) != (self.site_longitude is None):
            raise ParameterError("site_latitude and site_longitude must be given together")
        if self.profile_source == "files" and not self.load_file:
            raise ParameterError("profile_source 'files' needs load_file (CSV or Parquet)")
        if self.pv_file and self.profile_source != "files":
            raise ParameterError("pv_file is read only with profile_source 'files'")
        if self.price_source == "file" and not self.price_file:
            raise ParameterError("price_source 'file' needs price_file (CSV or Parquet)")
        if self.load_file and self.profile_source != "files":
            raise ParameterError("load_file is read only with profile_source 'files'")
        if self.price_file and self.price_source != "file":
            raise ParameterError("price_file is read only with price_source 'file'")
        if self.network_mode != "blind" and self.grid == "off":
            raise ParameterError(f"network_mode {self.network_mode!r} needs a grid (grid='off')")
        if self.grid != "off":
            from community_model.extras import require

            require("grid", f"grid {self.grid!r}")
        if self.household_load_model == "crest":
            from community_model.extras import require

            require("crest", "household_load_model 'crest'")
        if self.grid_loss_allocation != "none" and self.grid == "off":
            raise ParameterError(
                f"grid_loss_allocation {self.grid_loss_allocation!r} needs a grid (grid='off')"
            )
        if (
            self.profile_source == "standard"
            and self.standard_load_profile in ("P25", "S25")
            and self.pv_scale > 0
            and max(self.pv_capacities_kw) > 0
        ):
            raise ParameterError(
                f"standard_load_profile {self.standard_load_profile!r} is the grid draw of homes "
                "with PV, which the model adds itself (PV would count twice): use 'H25', or "
                "pv_scale=0"
            )
        lowest = self.lowest_import_price()
        if self.feed_in_tariff is not None and lowest is not None and self.feed_in_tariff > lowest:
            raise ParameterError(
                f"feed_in_tariff must not exceed the lowest import price (forecast + "
                f"local_market_fee = {lowest:.4f} EUR/kWh with these prices), got "
                f"{self.feed_in_tariff}: the grid would pay more for a kWh than it charges"
            )

    def lowest_import_price(self) -> float | None:
        """Lowest grid import price (forecast + fee) the price source can give [EUR/kWh];
        None for a user's price file (checked each step, see ``hour.price_context``)."""
        if self.price_source == "synthetic":
            lowest_forecast = self.base_price * min(self.price_shape) * (1 - self.price_noise)
        elif self.price_source == "tou":
            lowest_forecast = min(self.tou_prices)
        else:
            return None
        return lowest_forecast + self.local_market_fee

    # --- durations in hours and rates, as steps and per-step quantities --------------------
    def steps_of(self, hours: float) -> int:
        """A duration in hours as a whole number of steps (``step_hours``) [-]."""
        return int(round(hours / self.step_hours))

    @property
    def trade_cap_kwh(self) -> float:
        """Largest P2P offer in one step [kWh]: ``max_trade_cap`` [kWh/h] x step_hours."""
        return self.max_trade_cap * self.step_hours

    @property
    def dead_band_kwh(self) -> float:
        """Imbalance in one step below which a prosumer does not trade [kWh]."""
        return self.dead_band * self.step_hours

    @property
    def imbalance_threshold_kwh(self) -> float:
        """Shortfall in one step that triggers battery offers [kWh]."""
        return self.imbalance_threshold * self.step_hours

    def to_dict(self) -> dict[str, Any]:
        """Plain dict of all parameters (tuples kept), e.g. to pass as model keywords."""
        return asdict(self)

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    @classmethod
    def from_mapping(cls, values: dict[str, Any], source: str = "parameters") -> Parameters:
        """Parameters from a mapping (e.g. a parsed TOML table); unknown names are refused."""
        if not isinstance(values, dict):
            raise ParameterError(f"{source}: expected a table of parameters, got {values!r}")
        unknown = sorted(set(values) - set(cls.names()))
        if unknown:
            raise ParameterError(
                f"{source}: unknown parameter {unknown[0]!r} (see docs/parameters.md)"
            )
        return cls(**values)

    @classmethod
    def read_toml(cls, path: str | os.PathLike) -> dict[str, Any]:
        """The parameter table of a TOML file, checked for unknown names but not merged.

        The file holds parameters at its top level or under a ``[parameters]`` table, e.g.
        ``n_prosumers = 50`` and ``objective = "maximize_p2p"``; ``None`` is written as the
        string ``"none"`` (TOML has no null) for an optional parameter; for one whose values
        include ``"none"`` (``objective``, ``holiday_calendar``) the string is kept. Keys
        beside a ``[parameters]`` table are refused.
        """
        try:
            with open(path, encoding="utf-8-sig") as file:  # (-sig: Notepad's byte-order mark)
                document = tomllib.loads(file.read())
        except OSError as err:
            message = f"cannot read parameter file {str(path)!r}: {err.strerror}"
            raise ParameterError(message) from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
            message = f"parameter file {str(path)!r} is not valid TOML: {err}"
            raise ParameterError(message) from None
        values = document.get("parameters", document)
        if not isinstance(values, dict):
            raise ParameterError(f"parameter file {str(path)!r}: [parameters] must be a table")
        beside = sorted(set(document) - {"parameters"}) if values is not document else []
        if beside:
            raise ParameterError(
                f"parameter file {str(path)!r}: {beside[0]!r} is outside the [parameters] table "
                "(put every parameter in [parameters], or all of them at the top level)"
            )
        values = {k: _none_from_file(k, v) for k, v in values.items()}
        cls.from_mapping(values, f"parameter file {str(path)!r}")  # validates names and values
        return values

    @property
    def first_date(self) -> str:
        """The local date of the first step: ``start_date``, or by default the date the
        profile source stands for. The synthetic day (sun from 06:00 to 18:00, noon at 12:00;
        sampled at each hour's start, its hourly energy centres on 12:30) is an equinox day, so
        it is stamped 2023-03-20 (in Europe/Berlin the sun's noon is then at about 12:14);
        weather years, load profiles and files begin on 2023-01-01."""
        if self.start_date is not None:
            return self.start_date
        synthetic = self.profile_source == "synthetic" and self.price_source == "synthetic"
        return SYNTHETIC_DAY_DATE if synthetic else DATA_YEAR_START

    @classmethod
    def describe(cls) -> list[dict[str, Any]]:
        """Rows of (name, default, unit, meaning, allowed) for docs/parameters.md and ``--help``."""
        return [
            dict(
                name=f.name,
                default=f.default if f.default is not MISSING else None,
                unit=f.metadata["unit"],
                doc=f.metadata["doc"],
                allowed=_allowed(f.metadata, f.type),
                type=str(f.type),
            )
            for f in fields(cls)
        ]


def _allowed(meta: dict, type_: str) -> str:
    """Human-readable description of the accepted values of one parameter."""
    if meta.get("text"):
        return TEXT_KINDS[meta["text"]]
    if meta["choices"]:
        return "one of " + ", ".join(repr(c) for c in meta["choices"])
    if "bool" in str(type_):
        return "true or false"
    if str(type_).startswith("str"):
        return "a non-empty string" + (" or None" if meta["optional"] else "")
    lo, hi = meta["lo"], meta["hi"]
    left = "(" if meta["lo_open"] else "["
    right = ")" if meta["hi_open"] else "]"
    left = "(" if lo is None else left  # infinity itself is never accepted
    right = ")" if hi is None else right
    rng = f"{left}{'-inf' if lo is None else lo}, {'inf' if hi is None else hi}{right}"
    kind = "an integer" if str(type_) == "int" else "a number"
    if "tuple" in str(type_):
        n = f"{meta['length']} " if meta["length"] else ""
        return f"a list of {n}numbers in {rng}"
    text = f"{kind} in {rng}"
    return text + " or None" if meta["optional"] else text


def _check_field(name: str, value: Any, meta: dict, type_: str) -> None:
    allowed = _allowed(meta, type_)
    if value is None and meta["optional"]:
        return
    if str(type_) == "bool":
        if not isinstance(value, bool | np.bool_):
            raise ParameterError(f"{name} must be {allowed}, got {value!r}")
        return

    def fail(why: str = "") -> None:
        raise ParameterError(f"{name} must be {allowed}, got {_shown(value)}{why}")

    if meta.get("text"):
        if not isinstance(value, str) or not _text_ok(meta["text"], value):
            fail(_why(value) if meta["text"] in ("path", "weather", "feeder") else "")
        return
    if meta["choices"]:
        # a tuple: some choices are a live registry view, whose `in` needs hashable values
        try:
            known = value in tuple(meta["choices"])
        except (TypeError, ValueError):  # an array's comparison has no single truth value
            known = False
        if not known:
            fail()
        return
    if str(type_).startswith("str"):
        if not isinstance(value, str) or not value.strip():
            fail()
        return
    if "tuple" in str(type_):
        if isinstance(value, np.ndarray) and value.ndim == 1:
            value = value.tolist()
        if not isinstance(value, tuple | list) or len(value) == 0:
            fail()
        if meta["length"] and len(value) != meta["length"]:
            fail()
        for item in value:
            _check_number(item, meta, fail)
        return
    if str(type_) == "int" and (isinstance(value, bool) or not isinstance(value, numbers.Integral)):
        fail()
    _check_number(value, meta, fail)


def _why(value: Any) -> str:
    """Why a path was refused, where the path itself tells: missing or a folder."""
    if not isinstance(value, str) or not os.path.splitext(value)[1]:
        return ""
    if os.path.isdir(value):
        return " (a folder)"
    return "" if os.path.exists(value) else " (no such file)"


def _shown(value: Any, limit: int = 80) -> str:
    """A value for an error message: one line, at most about ``limit`` characters."""
    if isinstance(value, np.ndarray):
        items = ", ".join(f"{v:g}" if isinstance(v, float) else repr(v) for v in value.ravel()[:6])
        more = ", ..." if value.size > 6 else ""
        return f"an array of shape {value.shape} ({items}{more})"
    if isinstance(value, int) and value.bit_length() > 256:  # (repr refuses 4,300+ digits)
        return f"an integer of {value.bit_length()} bits"
    text = " ".join(repr(value).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _none_from_file(name: str, value: Any) -> Any:
    """``"none"`` in a parameter file: None for an optional parameter, kept where ``"none"``
    is one of the parameter's own values."""
    if value != "none":
        return value
    meta = next((f.metadata for f in fields(Parameters) if f.name == name), None)
    if meta is None or "none" in (meta["choices"] or ()) or not meta["optional"]:
        return value
    return None


def _text_ok(kind: str, value: str) -> bool:
    """Whether free text ``value`` is a valid ``kind`` (see ``TEXT_KINDS``)."""
    import datetime as dt
    import zoneinfo

    if kind == "date":  # (fromisoformat alone takes week dates such as 2023-W01-1)
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return False
        try:
            date = dt.date.fromisoformat(value)
        except ValueError:
            return False
        return FIRST_YEAR <= date.year <= LAST_YEAR
    if kind == "timezone":  # one pandas can place the run's clock in ('Factory' it cannot)
        import pandas as pd

        try:
            zoneinfo.ZoneInfo(value)
            pd.Timestamp("2023-01-01").tz_localize(value)
        except Exception:  # noqa: BLE001 - zoneinfo's, pytz's and pandas' errors differ
            return False
        return True
    if kind == "weather":
        from community_model.sources.weather import BUILTIN_WEATHER

        return value in BUILTIN_WEATHER or (
            value.lower().endswith(".csv") and os.path.isfile(value)
        )
    if kind == "mix":
        try:
            parse_mix(value)
        except ValueError:
            return False
        return True
    if kind == "folder":
        return True
    if kind == "path":
        suffix = os.path.splitext(value)[1].lower()
        return value == "" or (suffix in (".csv", ".parquet", ".pq") and os.path.isfile(value))
    if kind == "feeder":
        return value in FEEDERS or (value.lower().endswith(".json") and os.path.isfile(value))
    raise AssertionError(f"unknown text kind {kind}")


def _check_number(value: Any, meta: dict, fail) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        fail()
    try:
        finite = math.isfinite(value)
    except OverflowError:  # an integer beyond any float (1e309 and up): outside every range
        finite = False
    if not finite:
        fail()
    lo, hi = meta["lo"], meta["hi"]
    if lo is not None and (value < lo or (meta["lo_open"] and value == lo)):
        fail()
    if hi is not None and (value > hi or (meta["hi_open"] and value == hi)):
        fail()
