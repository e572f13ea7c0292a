"""A PettingZoo ``ParallelEnv`` of the community market: each learning agent is a prosumer.

Example::

    from community_model.learning.env import CommunityMarketEnv

    env = CommunityMarketEnv(learners=10, episode_hours=48, model_kwargs={"n_prosumers": 50})
    observations, infos = env.reset(seed=1)
    while env.agents:
        actions = {agent: env.action_space(agent).sample() for agent in env.agents}
        observations, rewards, terminations, truncations, infos = env.step(actions)

Agents are named ``home_<row>`` (rows of ``model.state``). Action: bid and ask positions in
the hour's price band (:mod:`community_model.learning.core`), a ``Box(0, 1, (2,))``, or with
``discrete=N`` a ``MultiDiscrete([N, N])`` of N evenly spaced price levels (level k is position
k / (N - 1)). With ``battery_action=True`` a third number runs the home's battery: in
``Box([0, 0, -1], [1, 1, 1])`` a target in [-1, 1] (> 0 charge, < 0 discharge, as a share of
what the battery can do this step, :class:`~community_model.learning.core.ActionStorage`), or
with ``discrete=N`` a third level k meaning -1 + 2 k / (N - 1). Observation: ``Box`` of
:data:`~community_model.learning.core.OBSERVATION_NAMES`.
Reward: the home's money this step [EUR], incentives included. An episode ends by truncation
after ``episode_hours`` steps. Needs the ``[learning]`` extra (PettingZoo, Gymnasium).

References
----------
J. K. Terry et al., "PettingZoo: Gym for multi-agent reinforcement learning", NeurIPS 2021.
"""

from __future__ import annotations

from community_model.extras import require

require("learning", "community_model.learning's environments")


import numpy as np  # noqa: E402
from gymnasium import spaces  # noqa: E402
from pettingzoo import ParallelEnv  # noqa: E402

from community_model.errors import ParameterError  # noqa: E402
from community_model.learning.core import (  # noqa: E402
    MAX_LEVELS,
    OBSERVATION_HIGH,
    OBSERVATION_LOW,
    MarketCore,
    is_whole,
)


def check_discrete(discrete) -> int | None:
    """``discrete`` is None (continuous actions) or a number of price levels in 2..1,000,000."""
    if discrete is None:
        return None
    if not is_whole(discrete) or not 2 <= discrete <= MAX_LEVELS:
        raise ParameterError(
            f"discrete must be None or a number of price levels in 2..{MAX_LEVELS:,}, "
            f"got {discrete!r}"
        )
    return int(discrete)


def action_space(discrete: int | None, battery_action: bool = False) -> spaces.Space:
    size = 3 if battery_action else 2
    if discrete is None:
        low = np.array([0.0, 0.0, -1.0][:size], dtype=np.float32)
        return spaces.Box(low, np.ones(size, dtype=np.float32), dtype=np.float32)
    return spaces.MultiDiscrete([discrete] * size)


def observation_space() -> spaces.Box:
    return spaces.Box(OBSERVATION_LOW, OBSERVATION_HIGH, dtype=np.float32)


def positions(actions: np.ndarray, discrete: int | None, battery_action: bool = False):
    """(bid, ask) positions in [0, 1] from actions of shape (n, 2), and with
    ``battery_action`` (bid, ask, battery target in [-1, 1]) from actions of shape (n, 3)."""
    size = 3 if battery_action else 2
    actions = np.asarray(actions, dtype=float).reshape(-1, size)
    if discrete is not None:
        actions = actions / (discrete - 1)
        if battery_action:
            actions[:, 2] = 2.0 * actions[:, 2] - 1.0
    return tuple(actions[:, k] for k in range(size))


class CommunityMarketEnv(ParallelEnv):
    """The community as a parallel multi-agent environment (see the module docstring).

    Parameters
    ----------
    learners : None, int or sequence of int
        Learning homes: all (None), the first ``k`` rows, or these rows.
    episode_hours : int
        Steps per episode, >= 1.
    discrete : int or None
        None: continuous positions; N >= 2: N price levels per side.
    model_kwargs : dict
        Keywords of :class:`~community_model.CommunityModel` (chain off by default).
    record : bool
        Keep the model's per-step record (``model.datacollector``, ``model.figures``); off by
        default, which saves about a third of a step (:class:`MarketCore`).
    battery_action : bool
        A third action runs each learner's battery (see the module docstring).
    """

    metadata = {"name": "community_market_v0", "render_modes": []}

    def __init__(
        self, learners=None, episode_hours: int = 168, discrete=None, model_kwargs=None,
        record: bool = False, battery_action: bool = False,
    ):  # fmt: skip
        self.discrete = check_discrete(discrete)
        self.core = MarketCore(learners, episode_hours, model_kwargs, record, battery_action)
        self.possible_agents = [f"home_{row}" for row in self.core.learners]
        self.agents: list[str] = []
        self._action_space = action_space(self.discrete, battery_action)
        self._observation_space = observation_space()
        self.render_mode = None

    def observation_space(self, agent):
        return self._observation_space

    def action_space(self, agent):
        return self._action_space

    @property
    def model(self):
        """The :class:`~community_model.CommunityModel` of the current episode."""
        return self.core.model

    def reset(self, seed=None, options=None):
        obs = self.core.reset(seed)
        self.agents = list(self.possible_agents)
        return self._by_agent(obs), {agent: {} for agent in self.agents}

    def step(self, actions):
        if not self.agents:
            raise RuntimeError("the episode is over: call reset()")
        stacked = np.array([actions[agent] for agent in self.possible_agents])
        rewards = self.core.step(*positions(stacked, self.discrete, self.core.battery_action))
        obs = self.core.observe()
        done = self.core.done
        agents = self.possible_agents
        observations = self._by_agent(obs)
        reward = {a: float(r) for a, r in zip(agents, rewards, strict=True)}
        terminations = dict.fromkeys(agents, False)
        truncations = dict.fromkeys(agents, done)
        infos = {a: {} for a in agents}
        if done:
            self.agents = []
        return observations, reward, terminations, truncations, infos

    def _by_agent(self, obs: np.ndarray) -> dict:
        return dict(zip(self.possible_agents, obs, strict=True))

    def close(self):
        pass
