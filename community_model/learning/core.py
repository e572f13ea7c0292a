"""The community market as a step function over arrays: actions in, observations and money out.

:class:`MarketCore` is what the PettingZoo and Gymnasium environments wrap, in numpy alone. A
chosen set of homes (the *learners*) price their orders by :class:`ActionBidding`, whose price
positions are set from the actions before each ``model.step()``; every other home keeps the
strategy the model's parameters give it (``pricing_strategy``, ``pricing_mix``).

Action of a learner, two numbers in [0, 1]: where inside the hour's band [grid_sell, grid_buy]
[EUR/kWh] its bid and its ask lie, ``price = grid_sell + position * spread``. A home does not
know before the hour whether it will buy or sell (that follows from this hour's PV and load),
so it states both; the one its residual calls for is used. Its battery's asks on a shortfall
use the ask position. Every price is inside the band, so the prices invariant holds.

Observation of a learner (:data:`OBSERVATION_NAMES`), what it knows before the hour: the
clock of the coming hour (sine and cosine of the time of day and of the week), its own PV,
load, residual and state of charge of the last hour, the last hour's market (the mean P2P
price's position in its band, the P2P volume as a share of what could have traded, the grid
price level), and the forecast of the coming hour's PV, demand and grid price from the profile
source's ``lookahead`` (:mod:`agents.storage.forecasts`): the coming hour exactly where the
source knows it in advance (standard profiles, files, weather years, tariffs), its expected
value where the hour's noise is drawn only when it comes (the ``synthetic`` source: mean
weather, load and price noise).

With ``battery_action=True`` a learner also runs its own battery: a third number in [-1, 1],
the share of the most its battery can take this step to charge (> 0; beyond the home's own
surplus it buys the energy) or of the most it can deliver to discharge (< 0; beyond the
home's load it sells it), within the state-of-charge bounds and the power limit
(:class:`ActionStorage`). Without it the battery follows the model's storage policy.

Reward: the change of each learner's ``balance_eur`` this step [EUR], i.e. P2P money received
less paid, less the grid bill, plus the regulator's bonus less its penalty
(``CommunityModel._settle_balances``).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet

import numpy as np
import pandas as pd

from agents.battery import BatteryFlows, deliverable_kwh, flows_of, headroom_kwh
from agents.bidding import BiddingStrategy
from agents.storage import StorageInputs, StoragePolicy
from community_model.errors import ParameterError
from community_model.model import CommunityModel
from market import settle_local_market
from market.arrays import clip

#: What each column of an observation means; all are in [-1, 1] or [0, 1] (OBSERVATION_LOW/HIGH).
OBSERVATION_NAMES = (
    "day_sin",  # time of day of the coming hour, sin(2 pi h / 24)
    "day_cos",
    "week_sin",  # time of week of the coming hour, sin(2 pi h / 168)
    "week_cos",
    "pv",  # last hour's PV over the home's PV capacity times step_hours [-]
    "load",  # last hour's load over the trade cap max_trade_cap, at most 1 [-]
    "residual",  # last hour's residual after self-balance over the trade cap, in [-1, 1]
    "soc",  # state of charge [-] (0 without a battery)
    "has_battery",  # 1 with a battery, else 0
    "market_price",  # last hour's mean P2P price as position in its band (0.5 without trades)
    "market_volume",  # last hour's P2P kWh over the smaller of surplus and deficit [-]
    "grid_price",  # last hour's grid price forecast over base_price / 3, at most 1 [-]
    "pv_forecast",  # the coming hour's PV forecast, scaled as "pv" [-]
    "load_forecast",  # the coming hour's demand forecast, scaled as "load" [-]
    "grid_price_forecast",  # the coming hour's grid price forecast, scaled as "grid_price" [-]
)
OBSERVATION_LOW = np.array([-1, -1, -1, -1, 0, 0, -1, 0, 0, 0, 0, 0, 0, 0, 0], dtype=np.float32)
OBSERVATION_HIGH = np.ones(len(OBSERVATION_NAMES), dtype=np.float32)

#: Keywords of the model an environment builds unless told otherwise: no chain (nothing to
#: learn from it, and it costs most of a step) and no agent-level history.
DEFAULT_MODEL_KWARGS = {"chain_enabled": False, "agent_data_every": 0}


class ActionBidding(BiddingStrategy):
    """Prices set from outside: each home's bid and ask as positions in the hour's band.

    ``bid_position[row]`` and ``ask_position[row]`` in [0, 1]; the bid is ``grid_sell +
    bid_position * spread`` [EUR/kWh], the ask and the battery's ask likewise with
    ``ask_position``. Draws no random numbers. An environment sets the positions before each
    step (:meth:`MarketCore.step`).
    """

    def setup(self, n_homes, rng):
        self.bid_position = np.full(n_homes, 0.5)
        self.ask_position = np.full(n_homes, 0.5)

    def buyer_bids(self, ctx, qty, rng, homes):
        return ctx.grid_sell + self.bid_position[homes] * ctx.spread

    def seller_asks(self, ctx, qty, rng, homes):
        return ctx.grid_sell + self.ask_position[homes] * ctx.spread


class ActionStorage(StoragePolicy):
    """Battery flows set from outside: each home's ``target[row]`` in [-1, 1].

    ``target > 0`` charges that share of the most the battery can take this step (headroom to
    ``soc_max`` before losses, within ``power_limit_kwh``), whatever the home's PV: energy
    beyond its own surplus is bought, so the home bids for it. ``target < 0`` discharges that
    share of the most it can deliver (down to ``soc_min``, after losses, within the limit):
    energy beyond the home's load is sold. ``0`` leaves the battery idle. Losses as in
    :mod:`agents.battery`. An environment sets the targets before each step
    (:meth:`MarketCore.step`).
    """

    name = "action"

    def __init__(self, n_homes: int):
        self.target = np.zeros(n_homes)  #: [-1, 1] per row of the model's state

    def decide(self, inputs: StorageInputs) -> BatteryFlows:
        b, target = self.battery_of(inputs), self.target[inputs.rows]
        cap, stored = inputs.capacity_kwh, inputs.stored_kwh
        room = headroom_kwh(stored, cap, b.soc_max) / b.efficiency
        can = deliverable_kwh(stored, cap, b.soc_min, b.efficiency)
        if b.power_limit_kwh is not None:
            room, can = np.minimum(room, b.power_limit_kwh), np.minimum(can, b.power_limit_kwh)
        charge = np.maximum(target, 0.0) * room
        discharge = np.maximum(-target, 0.0) * can
        return flows_of(charge, discharge, stored, b.efficiency)


#: Most price levels a discrete action space may have (gymnasium's MultiDiscrete is int64).
MAX_LEVELS = 1_000_000


def is_whole(value) -> bool:
    """An integer (Python's or numpy's), not a bool."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool | np.bool_)


def whole_number(name: str, value, low: int, high: int | None = None) -> int:
    """``value`` as an int in ``low .. high``, or a ParameterError naming ``name``."""
    if not is_whole(value) or value < low or (high is not None and value > high):
        allowed = f">= {low}" if high is None else f"in {low}..{high:,}"
        raise ParameterError(f"{name} must be an integer {allowed}, got {value!r}")
    return int(value)


def flag(name: str, value) -> bool:
    """``value`` as a bool (Python's or numpy's), or a ParameterError naming ``name``."""
    if not isinstance(value, bool | np.bool_):
        raise ParameterError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def choose_learners(learners, n_prosumers: int) -> np.ndarray:
    """Rows of the learning homes: ``None`` all, an int ``k`` the first ``k``, or rows."""
    if learners is None:
        return np.arange(n_prosumers)
    if is_whole(learners):
        if not 1 <= learners <= n_prosumers:
            raise ParameterError(
                f"learners must be a number of homes in 1..{n_prosumers}, got {learners}"
            )
        return np.arange(int(learners))
    # rows are integers: a float, a bool, a string or a mapping is not read as one
    if isinstance(learners, AbstractSet):  # (in row order; anything else fails below)
        learners = sorted(learners) if all(map(is_whole, learners)) else list(learners)
    rows = learners if isinstance(learners, Sequence | np.ndarray) else ()
    if (
        isinstance(learners, str | bytes)
        or len(rows) == 0
        or not all(is_whole(row) and 0 <= row < n_prosumers for row in rows)
        or len(set(map(int, rows))) != len(rows)
    ):
        raise ParameterError(
            f"learners must be None, a number of homes in 1..{n_prosumers} or distinct rows "
            f"0..{n_prosumers - 1}, at least one, got {learners!r}"
        )
    return np.array([int(row) for row in rows], dtype=np.int64)


class MarketCore:
    """A community in which the homes ``learners`` bid by actions; the rest by their strategy.

    Parameters
    ----------
    learners : None, int or sequence of int
        The learning homes: all (None), the first ``k`` rows, or these rows of ``model.state``.
    episode_hours : int
        Steps per episode (one step is ``step_hours``) [steps], >= 1.
    model_kwargs : dict
        Keywords of :class:`~community_model.CommunityModel` (its ``Parameters``), over
        :data:`DEFAULT_MODEL_KWARGS`.
    record : bool
        Keep the model's full record of each step (``model.figures``, the DataCollector's
        frames, the P2P-surplus and no-P2P measures), as a run of the model would. False
        (the default) skips it, about a third of a step: the market, the money and the
        rewards are the same (``CommunityModel.record_steps``).
    battery_action : bool
        The learners run their batteries by a third action (:class:`ActionStorage`);
        False (the default) leaves them to the model's storage policy.
    """

    def __init__(
        self,
        learners: int | Sequence[int] | None = None,
        episode_hours: int = 168,
        model_kwargs: dict | None = None,
        record: bool = False,
        battery_action: bool = False,
    ):
        self.episode_hours = whole_number("episode_hours", episode_hours, 1)
        self.record = flag("record", record)
        self.battery_action = flag("battery_action", battery_action)
        if model_kwargs is not None and not isinstance(model_kwargs, Mapping):
            raise ParameterError(
                f"model_kwargs must be a dict of CommunityModel keywords, got {model_kwargs!r}"
            )
        self.model_kwargs = {**DEFAULT_MODEL_KWARGS, **(model_kwargs or {})}
        self.model = self._build(seed=None)  # validates the keywords at once
        self.learners = choose_learners(learners, self.model.params.n_prosumers)

    def _build(self, seed) -> CommunityModel:
        try:
            return CommunityModel(**self.model_kwargs, rng=seed)
        except TypeError as err:
            raise ParameterError(f"model_kwargs: {err}") from None

    # --- episode ----------------------------------------------------------------------------
    def reset(self, seed: int | None = None) -> np.ndarray:
        """A new community drawn from ``seed``; returns the learners' first observations."""
        self.model = model = self._build(seed)
        model.record_steps = self.record
        self.bidding = ActionBidding()
        model.set_bidding_strategy(self.bidding, self.learners)
        p = model.params
        self.storage = None
        if self.battery_action:
            self.storage = model.storage.assign(self.learners, ActionStorage(p.n_prosumers))
        self._week_offset = pd.Timestamp(p.first_date).dayofweek * 24.0 + p.start_hour
        homes = model.homes
        # every home learning: slices read the state's columns without copying them
        everyone = np.array_equal(self.learners, np.arange(p.n_prosumers))
        self._rows = slice(None) if everyone else self.learners
        self._pv_scale = np.where(
            homes.pv_capacity_kw > 0,
            1.0 / np.maximum(homes.pv_capacity_kw * p.step_hours, 1e-12),
            0,
        )[self.learners]
        start = getattr(model.profiles, "start", None)
        if start is not None:  # a source that draws its seed in the first hour draws it now,
            start(model.rng)  # where that hour would (nothing draws in between): the same run
        cap = homes.battery_capacity_kwh[self.learners]
        self._has_battery = (cap > 0).astype(np.float32)
        self._capacity_or_one = np.where(cap > 0, cap, 1.0)  # [kWh]; stored is 0 without one
        return self.observe()

    @property
    def steps_done(self) -> int:
        return self.model.steps

    def step(self, bid_position, ask_position, battery=None) -> np.ndarray:
        """One hour with these price positions ([0, 1], one per learner, clipped) and, with
        ``battery_action``, battery targets ([-1, 1], clipped); returns the learners'
        rewards: the change of their ``balance_eur`` [EUR]."""
        rows, balance = self._rows, self.model.state.balance_eur
        bid, ask = clip(bid_position, 0.0, 1.0), clip(ask_position, 0.0, 1.0)
        if math.isnan(bid.sum() + ask.sum()):  # (clipping keeps NaN; any NaN makes the sum NaN)
            raise ParameterError("actions must be numbers: a price position is NaN")
        if self.storage is not None:
            if battery is None:
                raise ParameterError("battery_action is on: step() needs battery targets")
            target = clip(battery, -1.0, 1.0)
            if math.isnan(target.sum()):
                raise ParameterError("actions must be numbers: a battery target is NaN")
            self.storage.target[rows] = target
        self.bidding.bid_position[rows], self.bidding.ask_position[rows] = bid, ask
        before = balance[rows].copy()
        self.model.step()
        return balance[rows] - before

    @property
    def done(self) -> bool:
        return self.model.steps >= self.episode_hours

    def observe(self) -> np.ndarray:
        """The learners' observations before the coming hour (:data:`OBSERVATION_NAMES`),
        shape (n_learners, 15), float32."""
        model, rows = self.model, self._rows
        p, s = model.params, model.state
        hour = 2 * math.pi * (p.start_hour + model.steps * p.step_hours) / 24.0
        week = 2 * math.pi * (self._week_offset + model.steps * p.step_hours) / 168.0
        obs = np.empty((len(self.learners), len(OBSERVATION_NAMES)), dtype=np.float32)
        obs[:, :4] = (math.sin(hour), math.cos(hour), math.sin(week), math.cos(week))
        obs[:, 4] = clip(s.pv_kwh[rows] * self._pv_scale, 0.0, 1.0)
        obs[:, 5] = clip(s.load_kwh[rows] / p.max_trade_cap, 0.0, 1.0)
        obs[:, 6] = clip(s.residual_kwh[rows] / p.max_trade_cap, -1.0, 1.0)
        obs[:, 7] = clip(s.stored_kwh[rows] / self._capacity_or_one, 0.0, 1.0)  # 0: no battery
        obs[:, 8] = self._has_battery
        obs[:, 9:12] = self.market_features()
        ahead = model.profiles.lookahead(model.steps, 1)  # the coming hour, drawing nothing
        obs[:, 12] = clip(ahead.pv_kwh[0, rows] * self._pv_scale, 0.0, 1.0)
        obs[:, 13] = clip(ahead.load_kwh[0, rows] / p.max_trade_cap, 0.0, 1.0)
        obs[:, 14] = self._price_level(float(ahead.price_forecast[0]))
        return obs

    def market_features(self) -> list[float]:
        """(mean P2P price position, P2P volume share, grid price level) of the last hour."""
        f = self.model.figures
        spread = f["grid_buy_price"] - f["grid_sell_price"]
        price = f["avg_p2p_price"]
        position = 0.5
        if np.isfinite(price) and spread > 0:
            position = (price - f["grid_sell_price"]) / spread
        could = min(f["surplus_kwh"], f["deficit_kwh"])
        volume = f["p2p_kwh"] / could if could > 0 else 0.0
        level = self._price_level(f["price_forecast"])
        return [min(max(x, 0.0), 1.0) for x in (position, volume, level)]

    def _price_level(self, price: float) -> float:
        """A grid price [EUR/kWh] over three times ``base_price``, in [0, 1]."""
        base = self.model.params.base_price
        return min(max(price / (3.0 * base), 0.0), 1.0) if base > 0 else 0.0

    def grid_only_change(self) -> np.ndarray:
        """What each learner's balance would have changed by this step without a P2P market
        [EUR] (:func:`grid_only_change`)."""
        return grid_only_change(self.model, self.learners)


def grid_only_change(model: CommunityModel, rows) -> np.ndarray:
    """What the homes ``rows`` would have been paid this step had their residual been
    settled with the grid, without a P2P market [EUR]: a baseline no price action changes."""
    p = model.params
    grid = settle_local_market(
        model.state.residual_kwh[rows],
        model.price_context.forecast,
        p.local_market_fee,
        p.fee_mode,
        p.feed_in_tariff,
    )
    return -grid.cost
