"""Smoke test of benchmarks/bench_chain.py (small sizes, generous margins)."""

from __future__ import annotations

from benchmarks import bench_chain


def test_benchmark_runs(capsys):
    figures = bench_chain.main(
        nonces=30_000,
        original_nonces=1_500,
        blocks=2,
        original_blocks=1,
        repeats=3,
        signed_trades=20,
        run_prosumers=10,
        run_hours=3,
        run_repeats=1,
    )
    out = capsys.readouterr().out
    assert out.startswith("(a) search_nonce") and "(b) original" in out and "(c) Ed25519" in out
    for key in [
        "search_nonce_hashes_per_s",
        "plain_loop_hashes_per_s",
        "ratio_vs_plain_loop",
        "original_hashes_per_s",
        "expected_block_time_ours_s",
        "expected_block_time_original_s",
        "measured_block_time_ours_s",
        "measured_block_time_original_s",
        "sign_us_per_trade",
        "verify_us_per_trade",
        "run_signed_s",
        "run_unsigned_s",
    ]:
        assert figures[key] > 0, key
    # Targets (ratio >= 0.9, >= 50x) are benchmark figures printed by `make bench`; tests never
    # time anything, so here only the shape of the result is checked.
    assert "speedup_per_nonce" in figures
