"""The Stable-Baselines3 example trains and evaluates; runs only with the ``[rl]`` extra."""

import importlib.util
import math
import sys
from pathlib import Path

import pytest

pytest.importorskip("stable_baselines3")


def test_the_ppo_example_trains_and_acts():
    path = Path(__file__).resolve().parents[2] / "examples" / "ppo_bidding.py"
    spec = importlib.util.spec_from_file_location("ppo_bidding", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["ppo_bidding"] = module
    spec.loader.exec_module(module)
    agent = module.train_ppo(timesteps=336)
    money = module.ppo_money(agent, [5])
    assert len(money) == 1 and math.isfinite(money[0])  # a week's money [EUR]
