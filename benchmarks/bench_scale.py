"""The scale workloads: each runs in a process of its own so its peak memory is its own.

``python -m benchmarks.bench_scale`` runs every workload and prints one line each (wall
seconds, prosumer-hours per second, peak RSS, blocks mined, and, for the small workloads, the
speed-up over a faithful port of the original's algorithm run side by side);
``--only NAME`` runs one, ``--quick`` skips the year-long ones.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time

#: name -> (prosumers, hours, model keywords, repeats, run the naive baseline, target)
WORKLOADS = {
    "100x24_all_on": (100, 24, {}, 5, True, "<= 0.3 s, >= 20x naive"),
    "100x24_chain_off": (100, 24, {"chain_enabled": False}, 5, True, "(naive without chain)"),
    "1000x24_chain_off": (1000, 24, {"chain_enabled": False}, 3, True, "(naive without chain)"),
    "10000x24_chain_off": (10_000, 24, {"chain_enabled": False}, 1, True, "(naive without chain)"),
    "100x8760_all_on": (100, 8760, {}, 1, False, "<= 20 s"),
    "100x8760_all_on_background": (
        100, 8760, {"mine_in_background": True}, 1, False, "<= 20 s",
    ),
    "100x8760_all_on_unsigned_background": (
        100, 8760, {"sign_trades": False, "mine_in_background": True}, 1, False, "<= 20 s",
    ),
    "100x8760_all_on_checked": (100, 8760, {"<check>": True}, 1, False, "(every invariant)"),
    "1000x8760_chain_off_parquet": (
        1000, 8760, {"chain_enabled": False, "agent_data_dir": "<tmp>"}, 1, False,
        "<= 20 s, peak RSS <= 1.5 GB",
    ),
    "1000x8760_chain_on_unsigned_background": (
        1000, 8760, {"agent_data_dir": "<tmp>", "sign_trades": False,
                     "mine_in_background": True}, 1, False, "<= 180 s (hashing-bound)",
    ),
    "1000x8760_chain_on_signed_background": (
        1000, 8760, {"agent_data_dir": "<tmp>", "mine_in_background": True}, 1, False,
        "<= 180 s",
    ),
    "10000x24_all_on": (10_000, 24, {}, 1, False, "<= 6 s"),
    "10000x24_all_on_background": (10_000, 24, {"mine_in_background": True}, 1, False, "<= 6 s"),
    "10000x24_all_on_unsigned_background": (
        10_000, 24, {"sign_trades": False, "mine_in_background": True}, 1, False, "<= 6 s",
    ),
    "100000x24_chain_off": (100_000, 24, {"chain_enabled": False}, 1, False, "<= 10 s"),
    "100000x24_chain_off_three_strategies": (
        100_000, 24, {"chain_enabled": False, "pricing_mix": "seed:0.5,zic:0.3,zip:0.2"}, 1,
        False, "<= 5 s",
    ),
}  # fmt: skip
YEAR_LONG = {name for name, w in WORKLOADS.items() if w[1] >= 8760}


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_model(name: str) -> dict:
    """Run one workload here (the child process) and return its figures."""
    from chain.warm_up import warm_up
    from community_model import CommunityModel
    from community_model.invariants import run_checked

    # Steady state of a long session (a notebook, a sweep worker): the compiled proof of work
    # loaded once. A process's first short run mines with hashlib instead (bench_startup).
    warm_up()
    n, hours, params, repeats, _, _ = WORKLOADS[name]
    times = []
    for _ in range(repeats):
        kwargs = dict(params)
        check = kwargs.pop("<check>", False)
        if kwargs.get("agent_data_dir") == "<tmp>":
            kwargs["agent_data_dir"] = tempfile.mkdtemp(prefix="bench-agents-")
        start = time.perf_counter()
        model = CommunityModel(n_prosumers=n, rng=42, **kwargs)
        if check:  # the long run of the trust issue: every invariant after every hour
            run_checked(model, hours)
        else:
            model.run_for(hours)
        model.blockchain  # noqa: B018 -- the run is done when its chain is complete
        times.append(time.perf_counter() - start)
    seconds = statistics.median(times)
    kpis = model.kpis()
    return {
        "seconds": seconds,
        "prosumer_hours_per_s": n * hours / seconds,
        "peak_rss_mb": peak_rss_mb(),
        "blocks": kpis["blocks_mined"],
        "hashes": kpis["hashes"],
    }


def run_naive(name: str) -> dict:
    """The original's algorithm on the same workload (child process)."""
    from benchmarks.naive_original import NaiveCommunity

    n, hours, params, repeats, _, _ = WORKLOADS[name]
    chain = params.get("chain_enabled", True)
    times = []
    for _ in range(min(repeats, 3)):
        start = time.perf_counter()
        NaiveCommunity(n_prosumers=n, seed=42, chain=chain).run(hours)
        times.append(time.perf_counter() - start)
    return {"seconds": statistics.median(times), "peak_rss_mb": peak_rss_mb()}


def in_child(kind: str, name: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_scale", f"--{kind}", name],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(only: str | None = None, quick: bool = False) -> dict[str, dict]:
    figures = {}
    for name, (_, _, _, _, naive, target) in WORKLOADS.items():
        if (only and name != only) or (quick and name in YEAR_LONG):
            continue
        result = in_child("child", name)
        line = (
            f"scale {name}: {result['seconds']:.3f} s, {result['prosumer_hours_per_s']:,.0f} "
            f"prosumer-hours/s, peak RSS {result['peak_rss_mb']:.0f} MB, "
            f"{result['blocks']} blocks"
        )
        if result["hashes"]:
            line += f", {result['hashes'] / result['seconds'] / 1e6:.2f} M simulated hashes/s"
        if naive:
            result["naive"] = in_child("naive", name)
            result["speedup"] = result["naive"]["seconds"] / result["seconds"]
            line += (
                f"; naive original {result['naive']['seconds']:.2f} s ({result['speedup']:.0f}x)"
            )
        print(f"{line}  [target {target}]", flush=True)
        figures[name] = result
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", choices=sorted(WORKLOADS))
    parser.add_argument("--quick", action="store_true", help="skip the year-long workloads")
    parser.add_argument("--child", choices=sorted(WORKLOADS), help=argparse.SUPPRESS)
    parser.add_argument("--naive", choices=sorted(WORKLOADS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_model(args.child)))
    elif args.naive:
        print(json.dumps(run_naive(args.naive)))
    else:
        main(args.only, args.quick)
