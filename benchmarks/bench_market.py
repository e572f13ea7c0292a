"""Time the vectorised seed clearing against the original nested loop, and every mechanism.

Run ``python -m benchmarks.bench_market``; ``main()`` also returns the figures. Targets for
10,000 bids + 10,000 asks: every call auction <= 10 ms, the continuous double auction
(sequential by nature) <= 50 ms.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import numpy as np

from market import MECHANISMS, NEEDS_RNG, clear_seed, clear_seed_naive

#: (orders per side, repeats of the vectorised clearing, repeats of the nested loop)
CASES = ((100, 200, 20), (10_000, 20, 3))
#: Orders per side, repeats, and the target [s] of the per-mechanism rows.
MECHANISM_ORDERS, MECHANISM_REPEATS = 10_000, 15
TARGET_SECONDS = {"cda": 0.050}
CALL_AUCTION_TARGET = 0.010


def random_book(rng: np.random.Generator, n_orders: int):
    """A book of n buyers and n sellers whose prices overlap, like an evening hour [EUR/kWh]."""
    return (
        rng.uniform(0.10, 0.25, n_orders),  # bid price
        rng.uniform(0.01, 3.0, n_orders),  # bid quantity [kWh]
        rng.uniform(0.08, 0.20, n_orders),  # ask price
        rng.uniform(0.01, 3.0, n_orders),  # ask quantity [kWh]
    )


def median_seconds(function: Callable[[], object], repeats: int) -> float:
    """Median wall time of ``repeats`` calls [s]."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> dict[str, dict[str, float]]:
    """Print one line per book size and return the figures by case name."""
    rng = np.random.default_rng(2024)
    figures = {}
    for n_orders, fast_repeats, naive_repeats in CASES:
        book = random_book(rng, n_orders)
        n_trades = clear_seed(*book).n_trades
        fast = median_seconds(lambda book=book: clear_seed(*book), fast_repeats)
        naive = median_seconds(lambda book=book: clear_seed_naive(*book), naive_repeats)
        name = f"market seed clearing {n_orders}x{n_orders}"
        figures[name] = {
            "seconds": fast,
            "naive_seconds": naive,
            "speedup": naive / fast,
            "n_trades": n_trades,
        }
        print(f"{name}: {fast * 1e3:.2f} ms (naive {naive * 1e3:.1f} ms, {naive / fast:.0f}x)")
    figures.update(mechanism_rows(rng))
    return figures


def mechanism_rows(rng: np.random.Generator) -> dict[str, dict[str, float]]:
    """One row per mechanism of MECHANISMS on a 10,000 x 10,000 book, with its target."""
    book = random_book(rng, MECHANISM_ORDERS)
    rows = {}
    for mechanism, function in MECHANISMS.items():

        def run(function=function, mechanism=mechanism):
            options = {"rng": np.random.default_rng(7)} if mechanism in NEEDS_RNG else {}
            return function(*book, **options)

        n_trades = run().n_trades  # warm-up, and the size of the result
        seconds = median_seconds(run, MECHANISM_REPEATS)
        target = TARGET_SECONDS.get(mechanism, CALL_AUCTION_TARGET)
        name = f"market {mechanism} {MECHANISM_ORDERS}x{MECHANISM_ORDERS}"
        rows[name] = {"seconds": seconds, "target_seconds": target, "n_trades": n_trades}
        verdict = "within" if seconds <= target else "OVER"
        print(
            f"{name}: {seconds * 1e3:.2f} ms ({verdict} the {target * 1e3:.0f} ms target, "
            f"{n_trades} trades)"
        )
    return rows


if __name__ == "__main__":
    main()
