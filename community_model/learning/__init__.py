"""Bidders that learn: the community market as a reinforcement-learning environment.

- :mod:`community_model.learning.core` (numpy only): :class:`MarketCore` runs a
  :class:`~community_model.CommunityModel` in which chosen homes price their orders from
  actions (:class:`ActionBidding`), and computes their observations and rewards.
- :mod:`community_model.learning.env`: a PettingZoo ``ParallelEnv`` over it (needs the
  ``[learning]`` extra).
- :mod:`community_model.learning.gym_env`: a Gymnasium ``Env``, one learning home against the
  rest (``[learning]`` extra).
- :mod:`community_model.learning.qlearning` (numpy only): a tabular learner over discrete price
  levels that trains in seconds; its trained policy is a bidding strategy like any other.

See docs/learning.md. PettingZoo and Gymnasium are imported only by ``env`` and ``gym_env``.
"""

from community_model.learning.core import OBSERVATION_NAMES, ActionBidding, MarketCore

__all__ = ["OBSERVATION_NAMES", "ActionBidding", "MarketCore"]
