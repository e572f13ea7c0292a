"""MinerAgent: one of the miners competing to add the community's trades to the chain."""

from __future__ import annotations

import mesa
import numpy as np


class MinerAgent(mesa.Agent):
    """A miner with a hash rate; the race itself runs in :func:`chain.pow.compete`.

    Attributes are the miner's record: blocks won, rewards earned [EUR] and the hashes it
    tried [hashes] (simulated work up to each winning time).
    """

    def __init__(self, model: mesa.Model, hash_rate: float):
        super().__init__(model)
        self.hash_rate = float(hash_rate)  #: [hashes/s], relative to the other miners
        self.blocks_won = 0
        self.reward_eur = 0.0
        self.hashes_tried = 0

    def __repr__(self) -> str:
        return f"MinerAgent(id={self.unique_id}, rate={self.hash_rate:.3g}, won={self.blocks_won})"


def draw_hash_rates(n: int, sigma: float, rng: np.random.Generator) -> np.ndarray:
    """Hash rates of ``n`` miners [hashes/s]: lognormal with median 1,000,000 and log-spread
    ``sigma`` (0 gives equal miners). One draw of ``n`` normals."""
    return 1e6 * np.exp(sigma * rng.standard_normal(n))
