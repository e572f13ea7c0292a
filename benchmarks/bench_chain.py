"""Benchmark of the proof-of-work of the ``chain`` package.

Run from the project root::

    python benchmarks/bench_chain.py

(a) Hash rate of :func:`chain.pow.search_nonce` against a plain loop that
    builds the header bytes for every nonce and hashes them with
    ``hashlib.sha256(...).digest()`` (target ratio >= 0.9), and of the compiled
    search the miners use (:mod:`chain.nonce_kernel`).
(b) Cost of mining one block of 50 transactions at difficulty 3, against the
    original system's method, which re-serialised the whole block as JSON for
    every nonce and tested ``hexdigest().startswith("000")`` (target >= 50x).
(c) Cost of the Ed25519 signatures: signing blocks of 50 trades (one block
    statement per party) and verifying them [µs per trade], and the whole 100-prosumer,
    24-hour run with everything on, with and without ``sign_trades``
    (target <= 0.3 s with everything on).
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
    KeyRing,
    Transaction,
    compete,
    difficulty_target,
    make_tx_id,
    nonce_kernel,
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


def signature_costs(n_trades: int, repeats: int) -> tuple[float, float]:
    """Best time to sign and to verify one trade in blocks of 50, both parties [s]."""
    keyring = KeyRing.from_seed(b"bench_chain keyring seed", range(100))
    registry = keyring.registry
    txs = [tx for h in range(0, n_trades, 500) for tx in sample_transactions(500, hour=h)]
    blocks = [txs[i : i + TXS_PER_BLOCK] for i in range(0, n_trades, TXS_PER_BLOCK)]
    t_sign = _best_time(lambda: [keyring.sign_block(b) for b in blocks], repeats)
    signed = [keyring.sign_block(b) for b in blocks]
    t_verify = _best_time(lambda: [registry.check_block(b) for b in signed], repeats)
    assert all(registry.check_block(b) is None for b in signed)
    return t_sign / n_trades, t_verify / n_trades


def model_run_time(sign_trades: bool, prosumers: int, hours: int, repeats: int):
    """Median wall time of a whole run, everything on but ``sign_trades`` [s]; its trades."""
    from community_model import CommunityModel

    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        model = CommunityModel(n_prosumers=prosumers, sign_trades=sign_trades, rng=42)
        model.run_for(hours)
        times.append(time.perf_counter() - start)
    return statistics.median(times), sum(1 for _ in model.blockchain.transactions())


def main(
    nonces: int = 200_000,
    original_nonces: int = 20_000,
    blocks: int = 10,
    original_blocks: int = 3,
    repeats: int = 3,
    signed_trades: int = 2_000,
    run_prosumers: int = 100,
    run_hours: int = 24,
    run_repeats: int = 5,
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
    signed_trades : int
        Trades signed and verified per timing in (c).
    run_prosumers, run_hours, run_repeats : int
        The whole run of (c), timed ``run_repeats`` times with and without signing (median).

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
    mid, tail = nonce_kernel.midstate_and_tail(header.prefix_bytes())
    words, _ = nonce_kernel.target_words(never)
    compiled_nonces = 20 * nonces
    nonce_kernel.search(mid, tail, words, False, 0, 16)  # compile, or load numba's cache
    t_compiled = _best_time(
        lambda: nonce_kernel.search(mid, tail, words, False, 0, compiled_nonces), repeats
    )
    figures["compiled_search_hashes_per_s"] = compiled_nonces / t_compiled
    figures["ratio_compiled_vs_search_nonce"] = (
        figures["compiled_search_hashes_per_s"] / figures["search_nonce_hashes_per_s"]
    )
    print(
        f"    compiled search (numba, what the miners run): "
        f"{figures['compiled_search_hashes_per_s']:,.0f} hashes/s, "
        f"{figures['ratio_compiled_vs_search_nonce']:.1f}x search_nonce"
    )
    assert difficulty_target(DIFFICULTY)  # the block figures below are at this difficulty

    # (b) one block of 50 transactions at difficulty 3
    txs = sample_transactions(TXS_PER_BLOCK)
    block = original_block(txs, 1)
    t_orig = _best_time(
        lambda: [original_block_hash_try(block, n) for n in range(original_nonces)], repeats
    )
    original_rate = original_nonces / t_orig
    ours_rate = figures["compiled_search_hashes_per_s"]
    expected_work = 16**DIFFICULTY
    figures["original_hashes_per_s"] = original_rate
    figures["expected_block_time_original_s"] = expected_work / original_rate
    figures["expected_block_time_ours_s"] = expected_work / ours_rate
    figures["speedup_per_nonce"] = ours_rate / original_rate

    chain = Blockchain(difficulty=DIFFICULTY, max_transactions_per_block=TXS_PER_BLOCK)
    chain.add_transactions(sample_transactions(TXS_PER_BLOCK * blocks, hour=2))
    compete(header, [1], [1.0])  # compile the race, or load numba's cache, before timing
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
    print(f"    this package (compiled midstate search) : {ours_rate:12,.0f} hashes/s")
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

    # (c) signatures: per trade, and in the whole run
    t_sign, t_verify = signature_costs(signed_trades, repeats)
    figures["sign_us_per_trade"] = t_sign * 1e6
    figures["verify_us_per_trade"] = t_verify * 1e6
    t_signed, n_trades = model_run_time(True, run_prosumers, run_hours, run_repeats)
    t_unsigned, _ = model_run_time(False, run_prosumers, run_hours, run_repeats)
    figures["run_signed_s"] = t_signed
    figures["run_unsigned_s"] = t_unsigned
    figures["run_trades"] = n_trades
    print(
        f"(c) Ed25519 block statements, blocks of {TXS_PER_BLOCK} trades: signing "
        f"{figures['sign_us_per_trade']:.0f} µs per trade (buyer + seller), verifying "
        f"{figures['verify_us_per_trade']:.0f} µs per trade"
    )
    print(
        f"    {run_prosumers} x {run_hours} h run, everything on: {t_signed:.3f} s signed, "
        f"{t_unsigned:.3f} s with sign_trades=False (+{(t_signed - t_unsigned) * 1e3:.0f} ms "
        f"for {n_trades} trades; target <= 0.3 s)"
    )
    return figures


if __name__ == "__main__":
    main()
