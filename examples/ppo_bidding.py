"""PPO (Stable-Baselines3) learns the bids and asks of one home against the community.

Needs the ``[rl]`` extra (``pip install -e '.[rl]'``, which pulls torch). Run::

    PYTHONPATH=. python examples/ppo_bidding.py --timesteps 20000

It trains on communities of seeds drawn by the environment, then compares the trained home's
money over one week on unseen seeds with the same home bidding ZI-C and ``seed``.

References
----------
J. Schulman et al., "Proximal policy optimization algorithms", arXiv:1707.06347, 2017.
A. Raffin et al., "Stable-Baselines3: reliable reinforcement learning implementations",
JMLR 22(268), 2021.
"""

from __future__ import annotations

import argparse

import numpy as np

from community_model.learning.gym_env import SingleHomeEnv
from community_model.learning.qlearning import evaluate

MODEL_KWARGS = {"n_prosumers": 30}


def train_ppo(timesteps: int, home: int = 0, seed: int = 0):
    from stable_baselines3 import PPO

    env = SingleHomeEnv(home=home, episode_hours=168, model_kwargs=MODEL_KWARGS)
    agent = PPO("MlpPolicy", env, n_steps=336, batch_size=84, seed=seed, verbose=0)
    agent.learn(total_timesteps=timesteps)
    return agent


def ppo_money(agent, seeds, home: int = 0) -> list[float]:
    """The home's money over one week [EUR] on each seed, bidding by the PPO policy."""
    env = SingleHomeEnv(home=home, episode_hours=168, model_kwargs=MODEL_KWARGS)
    money = []
    for seed in seeds:
        obs, _ = env.reset(seed=seed)
        done, total = False, 0.0
        while not done:
            action, _ = agent.predict(obs, deterministic=True)
            obs, reward, _, done, _ = env.step(action)
            total += reward
        money.append(total)
    return money


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timesteps", type=int, default=20_000)
    args = parser.parse_args(argv)
    agent = train_ppo(args.timesteps)
    seeds = range(1000, 1010)
    base = evaluate({"zic": "zic", "seed": "seed"}, seeds, 168, [0], MODEL_KWARGS)
    print(f"PPO:  {np.mean(ppo_money(agent, seeds)):.3f} EUR per week")
    for name, group in base.groupby("strategy"):
        print(f"{name}: {group['money_eur'].mean():.3f} EUR per week")


if __name__ == "__main__":
    main()
