"""The learning environment: PettingZoo steps per second at 100 homes, chain off (target
5,000 per second, issue 19), agent-steps per second, and the tabular learner's training time."""

from __future__ import annotations

import time

import numpy as np

from community_model.learning.core import MarketCore

TARGET_STEPS_PER_S = 5000


def env_steps_per_second(n_homes: int = 100, steps: int = 500) -> dict[str, float]:
    from community_model.learning.env import CommunityMarketEnv

    env = CommunityMarketEnv(None, steps + 1, model_kwargs={"n_prosumers": n_homes})
    env.reset(seed=1)
    rng = np.random.default_rng(1)
    actions = [dict(zip(env.agents, rng.random((n_homes, 2)), strict=True)) for _ in range(steps)]
    start = time.perf_counter()
    for a in actions:
        env.step(a)
    seconds = time.perf_counter() - start
    core = MarketCore(None, steps + 1, {"n_prosumers": n_homes})
    core.reset(1)
    positions = [rng.random((2, n_homes)) for _ in range(steps)]
    start = time.perf_counter()
    for bid, ask in positions:  # the array API a numpy learner uses: no per-agent dicts
        core.step(bid, ask)
        core.observe()
    core_seconds = time.perf_counter() - start
    core.reset(1)
    start = time.perf_counter()
    for _ in range(steps):
        core.model.step()
    model_seconds = time.perf_counter() - start
    return {
        "env_steps_per_s": steps / seconds,
        "agent_steps_per_s": steps * n_homes / seconds,
        "core_steps_per_s": steps / core_seconds,
        "model_steps_per_s": steps / model_seconds,
        "target_env_steps_per_s": TARGET_STEPS_PER_S,
    }


def training_seconds() -> dict[str, float]:
    from community_model.learning.qlearning import train

    start = time.perf_counter()
    train(episodes=30, episode_hours=168, learners=20, seed=0)
    return {"train_30_weeks_100_homes_s": time.perf_counter() - start}


def main() -> dict[str, float]:
    figures = {**env_steps_per_second(), **training_seconds()}
    print(
        f"learning env, 100 homes, chain off: {figures['env_steps_per_s']:,.0f} env steps/s "
        f"(target {TARGET_STEPS_PER_S:,}; the array API MarketCore "
        f"{figures['core_steps_per_s']:,.0f}/s; the model alone "
        f"{figures['model_steps_per_s']:,.0f}/s), {figures['agent_steps_per_s']:,.0f} agent-steps/s"
    )
    print(f"learning: 30 one-week episodes of 100 homes, 20 learning: "
          f"{figures['train_30_weeks_100_homes_s']:.1f} s (budget 120 s)")  # fmt: skip
    return figures


if __name__ == "__main__":
    main()
