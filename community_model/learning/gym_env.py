"""A Gymnasium ``Env``: one learning home against the rest of the community.

The other homes keep the strategies of ``model_kwargs`` (``pricing_strategy``, default
``seed``). Spaces, observation and reward as in :mod:`community_model.learning.env`. Works
with any single-agent library, e.g. Stable-Baselines3 (``examples/ppo_bidding.py``). Needs
the ``[learning]`` extra.

Example::

    from community_model.learning.gym_env import SingleHomeEnv

    env = SingleHomeEnv(home=0, episode_hours=48, model_kwargs={"n_prosumers": 30})
    obs, info = env.reset(seed=1)
    obs, reward, terminated, truncated, info = env.step(env.action_space.sample())
"""

from __future__ import annotations

from community_model.extras import require

require("learning", "community_model.learning's environments")


import gymnasium as gym  # noqa: E402

from community_model.errors import ParameterError  # noqa: E402
from community_model.learning.core import MarketCore, is_whole  # noqa: E402
from community_model.learning.env import action_space, check_discrete, observation_space, positions  # noqa: E402


class SingleHomeEnv(gym.Env):
    """Home ``home`` (a row of ``model.state``) learns; see the module docstring."""

    metadata = {"render_modes": []}

    def __init__(
        self, home: int = 0, episode_hours: int = 168, discrete=None, model_kwargs=None,
        record: bool = False, battery_action: bool = False,
    ):  # fmt: skip
        if not is_whole(home):
            raise ParameterError(f"home must be a row number (int), got {home!r}")
        self.discrete = check_discrete(discrete)
        self.core = MarketCore([home], episode_hours, model_kwargs, record, battery_action)
        self.action_space = action_space(self.discrete, battery_action)
        self.observation_space = observation_space()

    @property
    def model(self):
        return self.core.model

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        if seed is None:  # a fresh community drawn from the env's generator
            seed = int(self.np_random.integers(2**63))
        return self.core.reset(seed)[0], {}

    def step(self, action):
        reward = self.core.step(*positions(action, self.discrete, self.core.battery_action))
        obs = self.core.observe()[0]
        return obs, float(reward[0]), False, self.core.done, {}
