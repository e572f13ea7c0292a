"""Benchmark of the proof-of-work of the ``chain`` package.

Run from the project root::

    python benchmarks/bench_chain.py

(a) Hash rate of :func:`chain.pow.search_nonce` against a plain loop that
    builds the header bytes for every nonce and hashes them with
    ``hashlib.sha256(...).digest()`` (target ratio >= 0.9).
(b) Cost of mining one block of 50 transactions at difficulty 3, against the
    original system's method, which re-serialised the whole block as JSON for
    every nonce and tested ``hexdigest().startswith("000")`` (target >= 50x).
"""

from __future__ import annotations

import hashlib
import json
import statistics
import struct
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script

from chain import (  # noqa: E402
    Blockchain,
    BlockHeader,
    Transaction,
    make_tx_id,
    search_nonce,
)
from chain.block import HEADER_FORMAT  # noqa: E402

DIFFICULTY = 3
TXS_PER_BLOCK = 50


def sample_transactions(n: int, hour: int = 1) -> list[Transaction]:
    """``n`` realistic trades of one hour."""
    return [
        Transaction(
            tx_id=make_tx_id(hour, "p2p" if k % 4 else "market", k),
            hour=hour,
            kind="p2p" if k % 4 else "market",
            buyer=1 + k % 97,
            seller=(2 + k % 89) if k % 4 else 0,
            kwh=0.137 * (1 + k % 13),
            price=0.1 + 0.013 * (k % 7),
        )
        for k in range(n)
    ]


def sample_header() -> BlockHeader:
    return BlockHeader(
        index=42,
        prev_hash=hashlib.sha256(b"previous").digest(),
        merkle_root=hashlib.sha256(b"transactions").digest(),
        timestamp=17.0,
        difficulty=DIFFICULTY,
        nonce=0,
        miner_id=3,
    )


def _best_time(func: Any, repeats: int) -> float:
    """Smallest wall time of ``repeats`` calls of ``func()`` [s]."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def plain_loop(header: BlockHeader, count: int, target: bytes) -> int | None:
    """The plain way: pack the whole header and hash it, for every nonce."""
    pack = struct.Struct(HEADER_FORMAT).pack
    sha256 = hashlib.sha256
    fields = (
        header.index,
        header.prev_hash,
        header.merkle_root,
        header.timestamp,
        header.difficulty,
        header.miner_id,
    )
    for nonce in range(count):
        if sha256(pack(*fields, nonce)).digest() < target:
            return nonce
    return None


def concat_loop(header: BlockHeader, count: int, target: bytes) -> int | None:
    """A smarter plain way: prefix bytes + 8 nonce bytes, hashed for every nonce."""
    prefix = header.prefix_bytes()
    sha256 = hashlib.sha256
    for nonce in range(count):
        if sha256(prefix + nonce.to_bytes(8, "big")).digest() < target:
            return nonce
    return None


def original_block_hash_try(block: dict[str, Any], nonce: int) -> bool:
    """One nonce try of the original system: whole block as JSON, hex compare."""
    block["nonce"] = nonce
    data = json.dumps(block, sort_keys=True).encode()
    return hashlib.sha256(data).hexdigest().startswith("0" * DIFFICULTY)


def original_block(txs: list[Transaction], index: int) -> dict[str, Any]:
    return {
        "index": index,
        "timestamp": float(index),
        "transactions": [tx.to_dict() for tx in txs],
        "previous_hash": hashlib.sha256(b"%d" % index).hexdigest(),
        "nonce": 0,
    }


def original_mine(block: dict[str, Any]) -> int:
    """Mine with the original method; return the number of tries [hashes]."""
    nonce = 0
    while not original_block_hash_try(block, nonce):
        nonce += 1
    return nonce + 1


def main(
    nonces: int = 200_000,
    original_nonces: int = 20_000,
    blocks: int = 10,
    original_blocks: int = 3,
    repeats: int = 3,
) -> dict[str, float]:
    """Run the benchmark, print one line per figure and return the figures.

    Parameters
    ----------
    nonces : int
        Tries per timing of the hash loops in (a) [hashes].
    original_nonces : int
        Tries per timing of the original per-nonce method in (b) [hashes].
    blocks, original_blocks : int
        Real blocks of 50 transactions mined at difficulty 3 by each method.
    repeats : int
        Timings per loop; the best is kept.

    Returns
    -------
    dict
        Rates [hashes/s], ratios [-] and times per block [s].
    """
    figures: dict[str, float] = {}
    header = sample_header()
    never = bytes(32)  # no digest is below 32 zero bytes: every loop runs in full

    # (a) the nonce loop against plain hashing of the same header
    prefix_hasher = hashlib.sha256(header.prefix_bytes())
    t_search = _best_time(lambda: search_nonce(prefix_hasher, never, 0, nonces), repeats)
    t_plain = _best_time(lambda: plain_loop(header, nonces, never), repeats)
    t_concat = _best_time(lambda: concat_loop(header, nonces, never), repeats)
    figures["search_nonce_hashes_per_s"] = nonces / t_search
    figures["plain_loop_hashes_per_s"] = nonces / t_plain
    figures["concat_loop_hashes_per_s"] = nonces / t_concat
    figures["ratio_vs_plain_loop"] = t_plain / t_search
    figures["ratio_vs_concat_loop"] = t_concat / t_search
    print(f"(a) search_nonce       : {figures['search_nonce_hashes_per_s']:12,.0f} hashes/s")
    print(f"    plain loop (pack)  : {figures['plain_loop_hashes_per_s']:12,.0f} hashes/s")
    print(f"    plain loop (concat): {figures['concat_loop_hashes_per_s']:12,.0f} hashes/s")
    print(
        f"    ratio search_nonce / plain loop = {figures['ratio_vs_plain_loop']:.2f} "
        f"(vs concat loop {figures['ratio_vs_concat_loop']:.2f}; target >= 0.9)"
    )

    # (b) one block of 50 transactions at difficulty 3
    txs = sample_transactions(TXS_PER_BLOCK)
    block = original_block(txs, 1)
    t_orig = _best_time(
        lambda: [original_block_hash_try(block, n) for n in range(original_nonces)], repeats
    )
    original_rate = original_nonces / t_orig
    ours_rate = figures["search_nonce_hashes_per_s"]
    expected_work = 16**DIFFICULTY
    figures["original_hashes_per_s"] = original_rate
    figures["expected_block_time_original_s"] = expected_work / original_rate
    figures["expected_block_time_ours_s"] = expected_work / ours_rate
    figures["speedup_per_nonce"] = ours_rate / original_rate

    chain = Blockchain(difficulty=DIFFICULTY, max_transactions_per_block=TXS_PER_BLOCK)
    chain.add_transactions(sample_transactions(TXS_PER_BLOCK * blocks, hour=2))
    start = time.perf_counter()
    results = chain.mine_pending([1, 2, 3], [1.0, 2.0, 4.0], timestamp=2.0)
    t_ours = (time.perf_counter() - start) / len(results)
    figures["measured_block_time_ours_s"] = t_ours
    figures["mean_simulated_work_ours_hashes"] = statistics.fmean(r.total_hashes for r in results)

    tries = []
    start = time.perf_counter()
    for k in range(original_blocks):
        tries.append(original_mine(original_block(txs, 100 + k)))
    t_orig_block = (time.perf_counter() - start) / original_blocks
    figures["measured_block_time_original_s"] = t_orig_block
    figures["mean_work_original_hashes"] = statistics.fmean(tries)
    figures["speedup_per_block_measured"] = t_orig_block / t_ours

    print(f"(b) original (JSON of whole block per nonce): {original_rate:12,.0f} hashes/s")
    print(f"    this package (header prefix + nonce)    : {ours_rate:12,.0f} hashes/s")
    print(
        f"    expected time per block (16**{DIFFICULTY} = {expected_work} hashes): "
        f"original {figures['expected_block_time_original_s'] * 1e3:.1f} ms, "
        f"ours {figures['expected_block_time_ours_s'] * 1e3:.2f} ms, "
        f"speedup {figures['speedup_per_nonce']:.0f}x (target >= 50x)"
    )
    print(
        f"    measured: {len(results)} blocks mined by 3 miners in {t_ours * 1e3:.2f} ms/block "
        f"(mean simulated work {figures['mean_simulated_work_ours_hashes']:.0f} hashes); "
        f"original {original_blocks} blocks in {t_orig_block * 1e3:.1f} ms/block "
        f"(mean {figures['mean_work_original_hashes']:.0f} hashes) "
        f"-> {figures['speedup_per_block_measured']:.0f}x"
    )
    return figures


if __name__ == "__main__":
    main()
