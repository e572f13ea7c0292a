"""Whole-model runs: wall time per workload (median of repeats), prosumer-hours per second,
peak memory of this process."""

from __future__ import annotations

import resource
import statistics
import time

from community_model import CommunityModel

#: (label, model keywords, hours, repeats, target seconds or None)
WORKLOADS = [
    ("100 x 24 h, everything on (the defaults, in-process)", {}, 24, 5, 0.1),
    ("100 x 24 h, chain off", {"chain_enabled": False}, 24, 5, None),
    ("1,000 x 24 h, everything on", {"n_prosumers": 1000}, 24, 3, None),
    ("100 x 168 h, everything on", {}, 168, 3, None),
]


def run_once(params: dict, hours: int, seed: int = 42) -> tuple[float, CommunityModel]:
    start = time.perf_counter()
    model = CommunityModel(**params, rng=seed)
    model.run_for(hours)
    return time.perf_counter() - start, model


def main() -> dict[str, dict[str, float]]:
    from chain.warm_up import warm_up

    warm_up()  # steady state: the compiled proof of work loaded (see bench_startup)
    figures = {}
    for label, params, hours, repeats, target in WORKLOADS:
        times, model = [], None
        for _ in range(repeats):
            seconds, model = run_once(params, hours)
            times.append(seconds)
        median = statistics.median(times)
        n = model.params.n_prosumers
        blocks = model.blockchain.height if model.blockchain else 0
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        figures[label] = {
            "seconds": median,
            "prosumer_hours_per_s": n * hours / median,
            "blocks": blocks,
            "peak_rss_mb": peak_mb,
            "target_seconds": target,
        }
        goal = f" (target <= {target} s)" if target is not None else ""
        print(
            f"model {label}: {median:.3f} s{goal}, {n * hours / median:,.0f} prosumer-hours/s, "
            f"{blocks} blocks, peak RSS {peak_mb:.0f} MB (process so far)"
        )
    return figures


if __name__ == "__main__":
    main()
