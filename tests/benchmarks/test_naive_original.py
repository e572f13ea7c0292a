"""Checks of the naive baseline port, benchmarks/naive_original.py (small, difficulty 1)."""

from __future__ import annotations

from collections import Counter

import pytest

from benchmarks import naive_original

naive = naive_original


@pytest.fixture(scope="module", params=[(0, 3), (2, 3), (3, 3), (0, 24)], ids=str)
def community(request):
    seed, hours = request.param
    community = naive.NaiveCommunity(5, seed=seed, chain=True, difficulty=1)
    community.run(hours)
    return community


def test_energy_balance_per_prosumer_per_hour(community):
    rows = community.energy_rows
    assert len(rows) == 5 * community.timestep
    for row in rows:
        supply = (
            row["PV_Generation_kWh"]
            + row["Battery_Discharge_kWh"]
            + row["P2P_Bought_kWh"]
            + row["Market_Bought_kWh"]
        )
        demand = (
            row["Consumption_kWh"]
            + row["Battery_Charge_kWh"]
            + row["P2P_Sold_kWh"]
            + row["Market_Sold_kWh"]
        )
        assert supply == pytest.approx(demand, abs=1e-9), row
        for key, value in row.items():
            if key.endswith("_kWh") and not key.startswith("Imbalance"):
                assert value >= 0.0, (key, row)


def test_battery_stays_within_soc_bounds(community):
    for row in community.energy_rows:
        if row["Battery_Level_kWh"] > 0:
            assert naive.BATTERY_MIN_SOC - 1e-12 <= row["Battery_SOC"]
            assert row["Battery_SOC"] <= naive.BATTERY_MAX_SOC + 1e-12


def test_p2p_trades_balance_between_prosumers(community):
    for t in range(community.timestep):
        rows = [r for r in community.energy_rows if r["Timestep"] == t]
        bought = sum(r["P2P_Bought_kWh"] for r in rows)
        sold = sum(r["P2P_Sold_kWh"] for r in rows)
        assert bought == pytest.approx(sold, abs=1e-9)


def test_every_trade_is_on_the_chain_exactly_once(community):
    chain = community.blockchain
    assert chain.pending_transactions == []
    assert chain.is_chain_valid()
    on_chain = [tx for block in chain.chain[1:] for tx in block.transactions]
    counts = Counter(tx["trade_id"] for tx in on_chain)
    assert set(counts) == {trade["trade_id"] for trade in community.trade_rows}
    assert all(count == 1 for count in counts.values())
    by_id = {trade["trade_id"]: trade for trade in community.trade_rows}
    assert all(tx == by_id[tx["trade_id"]] for tx in on_chain)
    assert all(len(block.transactions) <= naive.MAX_TRANSACTIONS_PER_BLOCK for block in chain.chain)
    assert all(block.hash.startswith("0") for block in chain.chain[1:])


def test_the_run_trades_p2p(community):
    assert any(trade["type"] == "p2p" for trade in community.trade_rows)


def test_chain_off_gives_the_same_energy_figures():
    on = naive.NaiveCommunity(5, seed=2, chain=True, difficulty=1).run(6)
    off = naive.NaiveCommunity(5, seed=2, chain=False).run(6)
    for key in ("pv_kwh", "load_kwh", "p2p_kwh", "p2p_trades", "market_kwh", "market_trades"):
        assert on[key] == off[key]
    assert off["blocks_mined"] == 0 and on["blocks_mined"] > 0
