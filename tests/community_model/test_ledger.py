"""The chain phase in real runs: every trade on the chain exactly once, miners credited."""

import dataclasses
import json

import pandas as pd
import pytest

from agents.miner import MinerAgent
from chain import read_chain
from community_model import CommunityModel
from community_model.commands.main import main
from community_model.invariants import run_checked


def test_every_trade_of_a_run_is_on_the_chain_exactly_once(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", "--prosumers", "40", "--hours", "30", "--seed", "5", "--out", str(out),
                 "--max-transactions-per-block", "7", "--difficulty", "2"]) == 0  # fmt: skip
    # round_trip: pandas' default float parser may miss the last digit of a written float
    trades = pd.read_csv(out / "all_trades.csv", float_precision="round_trip")
    blocks = read_chain(out / "chain.jsonl")  # validates every block on the way
    on_chain = [tx.tx_id for block in blocks for tx in block.transactions]
    assert len(on_chain) == len(set(on_chain)) == len(trades)
    assert on_chain == trades["trade_id"].tolist()  # same trades, same order
    assert all(len(b.transactions) <= 7 for b in blocks)
    # the chain carries the same figures as the trade file
    by_id = trades.set_index("trade_id")
    for tx in [tx for block in blocks[1:4] for tx in block.transactions]:
        assert tx.kwh == by_id.loc[tx.tx_id, "kwh"]
        assert tx.price == by_id.loc[tx.tx_id, "price_eur_per_kwh"]
    assert main(["verify-chain", str(out / "chain.jsonl")]) == 0
    assert "valid chain" in capsys.readouterr().out


def test_verify_chain_rejects_a_tampered_run_file(tmp_path, capsys):
    out = tmp_path / "run"
    main(["run", "--prosumers", "10", "--hours", "6", "--out", str(out), "--difficulty", "1"])
    lines = (out / "chain.jsonl").read_text().splitlines(keepends=True)
    block = json.loads(lines[2])
    block["transactions"][0]["kwh"] += 1.0  # a forged quantity in block 1
    lines[2] = json.dumps(block, sort_keys=True, separators=(",", ":")) + "\n"
    (out / "chain.jsonl").write_text("".join(lines))
    capsys.readouterr()
    assert main(["verify-chain", str(out / "chain.jsonl")]) == 1
    assert "block 1" in capsys.readouterr().err


def test_miners_are_credited_and_compete():
    model = CommunityModel(n_prosumers=30, n_miners=6, block_reward=0.25, rng=4)
    run_checked(model, 24)  # includes: this step's trades are in this step's new blocks
    miners = model.miner_frame()
    assert len(model.agents_by_type[MinerAgent]) == 6
    assert miners["blocks_won"].sum() == model.blockchain.height
    assert miners["reward_eur"].sum() == pytest.approx(0.25 * model.blockchain.height)
    assert (miners["blocks_won"] > 0).sum() >= 2  # more than one miner wins
    frame = model.step_frame()
    assert frame["blocks_mined"].sum() == model.blockchain.height
    assert frame["hashes"].sum() == miners["hashes_tried"].sum() > 0
    assert frame["chain_height"].iloc[-1] == model.blockchain.height


def test_equal_miners_with_zero_sigma_and_chain_off():
    model = CommunityModel(n_prosumers=10, hash_rate_sigma=0.0, rng=1)
    assert model.miner_frame()["hash_rate"].nunique() == 1
    off = CommunityModel(n_prosumers=10, chain_enabled=False, rng=1)
    run_checked(off, 5)
    assert off.blockchain is None and off.step_frame()["blocks_mined"].sum() == 0


def test_chain_does_not_change_the_energy_results():
    on, off = (
        CommunityModel(n_prosumers=20, rng=8),
        CommunityModel(n_prosumers=20, chain_enabled=False, rng=8),
    )
    on.run_for(12)
    off.run_for(12)
    energy = ["pv_kwh", "load_kwh", "p2p_kwh", "grid_import_kwh", "savings_eur"]
    pd.testing.assert_frame_equal(on.step_frame()[energy], off.step_frame()[energy])


def test_mining_in_background_gives_the_same_chain_and_figures():
    kw = dict(n_prosumers=25, max_transactions_per_block=9, difficulty=2, reproducible_keys=True)
    here = CommunityModel(**kw, rng=21)
    there = CommunityModel(**kw, mine_in_background=True, rng=21)
    here.run_for(30)
    there.run_for(30)
    assert [b.hash for b in there.blockchain.blocks] == [b.hash for b in here.blockchain.blocks]
    pd.testing.assert_frame_equal(there.step_frame(), here.step_frame(), check_exact=True)
    pd.testing.assert_frame_equal(there.miner_frame(), here.miner_frame(), check_exact=True)
    assert there.blockchain.height > 30  # several blocks an hour at 9 transactions a block
    there.blockchain.validate()


def test_background_mining_passes_the_invariant_checks():
    model = CommunityModel(n_prosumers=15, mine_in_background=True, rng=2)
    run_checked(model, 12)  # reads the chain after every step: each step's trades once


@pytest.mark.parametrize("backlog", [-1, 0, 10**9], ids=["model signs all", "mixed", "other"])
def test_whoever_signs_a_block_the_chain_is_the_same(monkeypatch, backlog):
    """With mine_in_background the model signs a block itself when the other process lags:
    all blocks (-1), some (0) or none (huge); the chain is the in-process one, block for
    block, and valid against the run's keys."""
    from community_model import ledger

    expected = CommunityModel(n_prosumers=20, rng=11, difficulty=2, reproducible_keys=True)
    expected.run_for(24)
    monkeypatch.setattr(ledger, "SIGN_HERE_BACKLOG", backlog)
    model = CommunityModel(
        n_prosumers=20, rng=11, difficulty=2, mine_in_background=True, reproducible_keys=True
    )
    model.run_for(24)
    assert model.blockchain.blocks == expected.blockchain.blocks
    assert model.blockchain.height > 20 and all(tx.signed for tx in model.blockchain.transactions())
    model.blockchain.validate()
    assert model.kpis() == expected.kpis()


def test_an_anchored_tip_catches_a_signed_trade_removed_and_the_chain_re_mined(tmp_path, capsys):
    from chain import Block, read_chain, write_chain
    from chain.merkle import merkle_root
    from chain.pow import compete

    out = tmp_path / "run"
    # 30 homes for a day: some block holds a trade whose two parties trade nothing else in it
    main(["run", "--prosumers", "30", "--hours", "24", "--difficulty", "1", "--out", str(out)])
    printed = capsys.readouterr().out
    tip = next(line.split()[1] for line in printed.splitlines() if "(publish it" in line)
    blocks = read_chain(out / "chain.jsonl")

    def remine_without(victim_block: int, victim) -> list[Block]:
        """Drop one trade and re-mine its block and every later block (a miner's forgery)."""
        forged = list(blocks[:victim_block])
        for block in blocks[victim_block:]:
            txs = tuple(tx for tx in block.transactions if tx is not victim)
            template = dataclasses.replace(
                block.header, prev_hash=forged[-1].hash,
                merkle_root=merkle_root([tx.tx_hash() for tx in txs]),
            )  # fmt: skip
            result = compete(template, [1], [1.0])
            forged.append(Block(result.header, txs, result.hash))
        return forged

    def parties_elsewhere(block, tx) -> bool:
        return any(
            {tx.buyer, tx.seller} & {o.buyer, o.seller} for o in block.transactions if o is not tx
        )

    # A trade one of whose parties has another trade in the block: its statement shows it.
    i, victim = next(
        (i, tx) for i, b in enumerate(blocks) for tx in b.transactions if parties_elsewhere(b, tx)
    )
    write_chain(out / "chain.jsonl", remine_without(i, victim))
    assert main(["verify-chain", str(out / "chain.jsonl")]) == 1
    assert "does not verify over its statement" in capsys.readouterr().err
    # A trade that was the only one of both its parties in its block: only the tip shows it.
    i, victim = next(
        (i, tx) for i, b in enumerate(blocks) for tx in b.transactions
        if not parties_elsewhere(b, tx)
    )  # fmt: skip
    forged = remine_without(i, victim)
    write_chain(out / "chain.jsonl", forged)
    anchor = (out / "anchor.json").read_bytes()
    (out / "anchor.json").unlink()
    assert main(["verify-chain", str(out / "chain.jsonl")]) == 3  # signatures alone: fooled
    capsys.readouterr()
    assert main(["verify-chain", str(out / "chain.jsonl"), "--tip", tip]) == 1
    assert "not the tip" in capsys.readouterr().err
    (out / "anchor.json").write_bytes(anchor)  # the anchor run wrote catches it by default
    assert main(["verify-chain", str(out / "chain.jsonl")]) == 1
    assert "not the anchored tip" in capsys.readouterr().err
