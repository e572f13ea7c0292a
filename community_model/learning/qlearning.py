"""A learner in numpy alone: tabular bandits over discrete price levels, and its policy as a
bidding strategy.

:class:`LearnedBidding` is a :class:`~agents.bidding.BiddingStrategy` that prices each order
by a table of values over (side, state, price level). The *state* of an order is what a
bidder sees when it prices it: the urgency of its quantity (``qty / max_trade_cap`` in three
bins) and where the last hour's mean P2P price lay in its band (three bins, or "no trade").
The *price levels* are ``n_levels`` evenly spaced positions in the hour's band [grid_sell,
grid_buy]: price = grid_sell + level / (n_levels - 1) * spread [EUR/kWh].

:func:`train` runs episodes of the community in which the learning homes share one table
(parameter sharing; each home still acts on its own orders, as in independent learning).
Each step, the level of an order is chosen epsilon-greedily; its reward is the home's money
this step over what the grid alone would have given it (``balance_eur``'s change less the
grid bill of its residual: a baseline no price changes), and a level's value is the weighted
sample average of reward per (kWh x spread), weighted by kWh x spread. Prices hardly
change what a home observes next, so the discount is zero: each (side, state) is a
contextual multi-armed bandit (Sutton & Barto 2018, ch. 2; Watkins & Dayan 1992 with
gamma = 0).

The greedy policy is an ordinary strategy: ``model.set_bidding_strategy(policy, homes)``,
saved with :meth:`LearnedBidding.save` and loaded with :meth:`LearnedBidding.load`, or
registered under a name (:func:`register_learned_policy`) for ``pricing_strategy``,
``pricing_mix``, sweeps and the app.

References
----------
R. S. Sutton and A. G. Barto, *Reinforcement Learning: An Introduction*, 2nd ed., MIT Press,
2018, chapter 2 (multi-armed bandits, epsilon-greedy, incremental sample averages).
C. J. C. H. Watkins and P. Dayan, "Q-learning", Machine Learning 8, 279-292, 1992.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd

from agents.bidding import BiddingStrategy, register_bidding_strategy
from community_model.errors import ParameterError
from community_model.learning.core import (
    DEFAULT_MODEL_KWARGS,
    MAX_LEVELS,
    choose_learners,
    grid_only_change,
    whole_number,
)
from community_model.model import CommunityModel
from community_model.parameters import Parameters

BID, ASK = 0, 1
N_URGENCY, N_MARKET = 3, 4  # market bins: three price bins and "no trade last hour"
N_STATES = N_URGENCY * N_MARKET
FORMAT = "community-sim learned bidding v1"


class LearnedBidding(BiddingStrategy):
    """Prices from a value table over (side, state, price level); see the module docstring.

    Parameters
    ----------
    values : array (2, N_STATES, n_levels), optional
        Values [EUR per order]; zeros (an untrained table) if None.
    n_levels : int
        Price levels per side, >= 2 (used when ``values`` is None).
    epsilon : float
        Share of orders priced at a random level (exploration), in [0, 1]; 0 is greedy.
    seed : int
        Seed of the exploration's own generator (the model's stream stays untouched).
    """

    def __init__(self, values=None, n_levels: int = 6, epsilon: float = 0.0, seed: int = 0):
        if values is None:
            values = np.zeros((2, N_STATES, whole_number("n_levels", n_levels, 2, MAX_LEVELS)))
        self.values = np.asarray(values, dtype=float)
        if self.values.ndim != 3 or self.values.shape[:2] != (2, N_STATES):
            raise ParameterError(
                f"values must have shape (2, {N_STATES}, n_levels), got {self.values.shape}"
            )
        self.counts = np.zeros(self.values.shape)  #: sum of the weights [EUR]
        self.reward_sum = np.zeros(self.values.shape)  #: sum of the rewards [EUR]
        self.levels = np.linspace(0.0, 1.0, self.values.shape[2])
        self.epsilon = epsilon
        self.explore_rng = np.random.default_rng(seed)
        self.market_bin = N_MARKET - 1

    @property
    def n_levels(self) -> int:
        return self.values.shape[2]

    def setup(self, n_homes, rng):
        """Per-home record of the order priced this step (side, state, level; -1: none)."""
        self.market_bin = N_MARKET - 1
        self.chosen = np.full((n_homes, 3), -1, dtype=np.int64)
        self.weight = np.zeros(n_homes)  #: the order's kWh times the hour's spread [EUR]

    def states(self, ctx, qty) -> np.ndarray:
        urgency = np.minimum((qty / ctx.trade_cap * N_URGENCY).astype(np.int64), N_URGENCY - 1)
        return urgency * N_MARKET + self.market_bin

    def _price(self, side, ctx, qty, homes, record=True):
        state = self.states(ctx, np.asarray(qty, dtype=float))
        level = np.argmax(self.values[side, state], axis=1)
        if self.epsilon > 0:
            explore = self.explore_rng.random(len(state)) < self.epsilon
            level[explore] = self.explore_rng.integers(self.n_levels, size=int(explore.sum()))
        new = self.chosen[homes, 0] < 0  # a home's first order this step is the one learnt
        if record and new.any():
            self.chosen[homes[new]] = np.column_stack(
                [np.full(int(new.sum()), side), state[new], level[new]]
            )
            self.weight[homes[new]] = np.asarray(qty)[new] * ctx.spread
        return ctx.grid_sell + self.levels[level] * ctx.spread

    def buyer_bids(self, ctx, qty, rng, homes):
        return self._price(BID, ctx, qty, homes)

    def seller_asks(self, ctx, qty, rng, homes):
        return self._price(ASK, ctx, qty, homes)

    def observe(self, outcome):
        """Remember where the hour's mean P2P price lay in the band (the next state)."""
        ctx, q = outcome.ctx, outcome.mean_price
        if not np.isfinite(q) or ctx.spread <= 0:
            self.market_bin = N_MARKET - 1
        else:
            position = (q - ctx.grid_sell) / ctx.spread
            self.market_bin = int(np.clip(position * (N_MARKET - 1), 0, N_MARKET - 2))

    def learn(self, rows: np.ndarray, reward: np.ndarray) -> None:
        """Add this step's ``reward`` [EUR] of the homes ``rows`` to the values of the orders
        they priced: each value is the weighted mean of the rewards per kWh and spread, the
        weight being the order's kWh times the spread (so its argmax is the level of most
        money; dividing by the weight removes the quantity's and the band's noise)."""
        chosen = self.chosen[rows]
        acted = (chosen[:, 0] >= 0) & (self.weight[rows] > 0)
        side, state, level = chosen[acted].T
        weight = self.weight[rows][acted]
        index = (side, state, level)
        np.add.at(self.reward_sum, index, reward[acted])
        np.add.at(self.counts, index, weight)
        seen = self.counts > 0
        self.values[seen] = self.reward_sum[seen] / self.counts[seen]
        self.chosen[:] = -1
        self.weight[:] = 0.0

    def greedy(self) -> LearnedBidding:
        """A copy that never explores (the trained policy)."""
        return LearnedBidding(self.values.copy())

    # --- files ------------------------------------------------------------------------------
    def save(self, path) -> Path:
        """Write the value table to ``path`` (a ``.npz``)."""
        path = Path(path)
        np.savez(
            path, format=FORMAT, values=self.values, counts=self.counts, reward_sum=self.reward_sum
        )
        return path if path.suffix == ".npz" else path.with_name(path.name + ".npz")

    @classmethod
    def load(cls, path) -> LearnedBidding:
        """The greedy policy saved in ``path`` (:meth:`save`)."""
        try:
            with np.load(path, allow_pickle=False) as data:
                if str(data["format"]) != FORMAT:
                    raise ValueError
                policy = cls(data["values"])
                policy.counts = data["counts"]
                policy.reward_sum = data["reward_sum"]
        except (OSError, KeyError, ValueError) as err:
            raise ParameterError(
                f"policy file {str(path)!r} is not a learned bidding policy ({FORMAT}): {err}"
            ) from None
        return policy


def register_learned_policy(name: str, path) -> type[LearnedBidding]:
    """Register the policy saved in ``path`` as bidding strategy ``name`` (then valid in
    ``pricing_strategy`` and ``pricing_mix``); every model gets its own greedy copy."""
    values = LearnedBidding.load(path).values

    class Registered(LearnedBidding):
        def __init__(self):
            super().__init__(values.copy())

    Registered.__name__ = Registered.__qualname__ = f"LearnedBidding_{name}"
    return register_bidding_strategy(name)(Registered)


# --- training and evaluation ----------------------------------------------------------------
def _params(model_kwargs: dict) -> Parameters:
    """The model's parameters, validated (one clear error for a bad keyword)."""
    try:
        return Parameters(**{**DEFAULT_MODEL_KWARGS, **model_kwargs})
    except TypeError as err:
        raise ParameterError(f"model_kwargs: {err}") from None


def run_episode(strategy, rows, seed, episode_hours, model_kwargs, learner=None):
    """One episode with ``strategy`` (a name or instance) for ``rows``; returns the rows'
    money [EUR] and their money over the grid-only baseline [EUR], summed over the episode.
    With ``learner`` (the strategy itself) it learns after every step."""
    model = CommunityModel(**{**DEFAULT_MODEL_KWARGS, **model_kwargs}, rng=seed)
    model.record_steps = False  # only the money is read
    model.set_bidding_strategy(strategy, rows)
    balance = model.state.balance_eur
    baseline = np.zeros(len(rows))
    for _ in range(episode_hours):
        before = balance[rows].copy()
        model.step()
        grid_only = grid_only_change(model, rows)
        baseline += grid_only
        if learner is not None:
            learner.learn(rows, balance[rows] - before - grid_only)
    money = balance[rows].copy()
    return money, money - baseline


def train(
    episodes: int = 40,
    episode_hours: int = 168,
    learners=20,
    model_kwargs: dict | None = None,
    n_levels: int = 6,
    epsilon: tuple[float, float] = (1.0, 0.05),
    seed: int = 0,
) -> tuple[LearnedBidding, pd.DataFrame]:
    """Train the shared table of the homes ``learners`` over ``episodes`` episodes.

    Episode ``e`` is the community of seed ``seed + e`` (evaluate on other seeds); epsilon
    falls linearly from ``epsilon[0]`` to ``epsilon[1]``. Returns the greedy policy and the
    learning curve: per episode, epsilon, the learners' mean money [EUR per home] and their
    mean money over the grid-only baseline [EUR per home], and the wall time [s].
    """
    model_kwargs = dict(model_kwargs or {})
    rows = choose_learners(learners, _params(model_kwargs).n_prosumers)
    episodes = whole_number("episodes", episodes, 1)
    learner = LearnedBidding(n_levels=n_levels, seed=seed)
    curve, start = [], time.perf_counter()
    for e in range(episodes):
        share = e / max(episodes - 1, 1)
        learner.epsilon = epsilon[0] + (epsilon[1] - epsilon[0]) * share
        money, gain = run_episode(learner, rows, seed + e, episode_hours, model_kwargs, learner)
        curve.append(
            {
                "episode": e,
                "epsilon": learner.epsilon,
                "money_eur": float(money.mean()),
                "gain_over_grid_eur": float(gain.mean()),
                "seconds": time.perf_counter() - start,
            }
        )
    return learner.greedy(), pd.DataFrame(curve)


def evaluate(
    strategies: dict,
    seeds,
    episode_hours: int = 168,
    learners=20,
    model_kwargs: dict | None = None,
) -> pd.DataFrame:
    """Give the homes ``learners`` each strategy (name -> registered name or instance) on the
    same ``seeds``; one row per (strategy, seed): those homes' mean money [EUR per home]
    and mean money over the grid-only baseline [EUR per home]."""
    model_kwargs = dict(model_kwargs or {})
    rows = choose_learners(learners, _params(model_kwargs).n_prosumers)
    out = []
    for label, strategy in strategies.items():
        for seed in seeds:
            money, gain = run_episode(strategy, rows, seed, episode_hours, model_kwargs)
            out.append(
                {
                    "strategy": label,
                    "seed": seed,
                    "money_eur": float(money.mean()),
                    "gain_over_grid_eur": float(gain.mean()),
                }
            )
    return pd.DataFrame(out)
