"""The model's chain phase signs every trade; the run's files carry the key registry."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

from chain import KEYS_FILE, Block, KeyRegistry, compete, merkle_root, read_chain
from chain.persistence import block_line, file_header_line
from community_model import CommunityModel
from community_model.commands.main import main as cli_main
from community_model.invariants import run_checked
from community_model.ledger import key_seed, transactions


def _run(steps=12, **kw):
    model = CommunityModel(n_prosumers=25, rng=kw.pop("rng", 3), **kw)
    checker = run_checked(model, steps)  # _check_chain: this step's trades, once, in order
    assert checker.steps_checked == steps
    return model


@pytest.fixture(scope="module")
def signed_run():
    return _run()


def test_every_trade_is_signed_by_its_buyer_and_its_seller(signed_run):
    model = signed_run
    txs = list(model.blockchain.transactions())
    assert txs and all(tx.signed for tx in txs)
    registry = model.blockchain.keys
    assert registry is model.keyring.registry
    assert registry.ids == (0, *sorted(int(i) for i in model.prosumer_ids))
    assert all(
        registry.check_block(block.transactions) is None for block in model.blockchain.blocks
    )
    assert any(tx.kind == "market" for tx in txs)  # the aggregator signs its side too
    model.blockchain.validate()  # every signature, against the model's registry


def test_signing_changes_no_result_and_draws_no_random_number(signed_run):
    unsigned = _run(sign_trades=False)
    off = _run(chain_enabled=False)
    for other in (unsigned, off):
        pd.testing.assert_frame_equal(
            signed_run.trades_frame(), other.trades_frame(), check_exact=True
        )
        energy = ["pv_kwh", "load_kwh", "p2p_kwh", "grid_import_kwh", "savings_eur"]
        pd.testing.assert_frame_equal(
            signed_run.step_frame()[energy], other.step_frame()[energy], check_exact=True
        )
    assert unsigned.keyring is None and unsigned.blockchain.keys is None
    assert all(tx.unsigned for tx in unsigned.blockchain.transactions())
    assert off.blockchain is None and off.keyring is None
    # same trades on both chains, only the signatures differ
    strip = [tx.with_signatures(None, None) for tx in signed_run.blockchain.transactions()]
    assert strip == list(unsigned.blockchain.transactions())


def test_key_seed_reads_the_generator_without_drawing():
    rng = np.random.default_rng(5)
    rng.random(3)
    state = rng.bit_generator.state
    seed = key_seed(rng)
    assert rng.bit_generator.state == state and len(seed) == 32
    assert key_seed(np.random.default_rng(5)) != seed  # another state, another seed
    mt = np.random.Generator(np.random.MT19937(1))  # a state holding numpy arrays
    assert len(key_seed(mt)) == 32


def test_same_seed_same_keys_other_seed_other_keys():
    """Only with reproducible_keys do the keys follow from the seed."""
    a, b, c = (CommunityModel(n_prosumers=5, rng=s, reproducible_keys=True) for s in (7, 7, 8))
    assert a.keyring.registry == b.keyring.registry
    assert a.keyring.registry.fingerprint != c.keyring.registry.fingerprint


def test_default_keys_are_fresh_for_the_same_seed_and_change_no_result():
    a, b = (CommunityModel(n_prosumers=5, rng=7) for _ in range(2))
    assert a.keyring.registry.fingerprint != b.keyring.registry.fingerprint
    for model in (a, b):
        model.run_for(3)
    pd.testing.assert_frame_equal(a.trades_frame(), b.trades_frame())
    # the proof of work runs over the signed headers: only the hashes tried differ
    pd.testing.assert_frame_equal(
        a.step_frame().drop(columns="hashes"), b.step_frame().drop(columns="hashes")
    )
    pd.testing.assert_frame_equal(a.prosumer_frame(), b.prosumer_frame())


def test_the_ledger_builds_unsigned_transactions_that_the_chain_holds_signed(signed_run):
    step, log = signed_run.trade_log[-1]
    txs = transactions(step, log)
    assert txs and all(tx.unsigned for tx in txs)
    on_chain = [tx for tx in signed_run.blockchain.transactions() if tx.hour == step]
    assert all(tx.signed for tx in on_chain)
    assert [tx.with_signatures(None, None) for tx in on_chain] == txs


def _cli_run(out, *extra):
    args = ["run", "--prosumers", "15", "--hours", "8", "--seed", "21", "--difficulty", "2"]
    assert cli_main([*args, "--out", str(out), *extra]) == 0


def test_run_writes_a_reproducible_registry_and_verify_uses_it(tmp_path, capsys):
    _cli_run(tmp_path / "a", "--reproducible-keys", "true")
    _cli_run(tmp_path / "b", "--reproducible-keys", "true")
    assert "WARNING   reproducible_keys" in capsys.readouterr().out
    for name in ("chain.jsonl", KEYS_FILE):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    registry = KeyRegistry.read(tmp_path / "a" / KEYS_FILE)
    assert len(registry) == 16  # aggregator + 15 prosumers
    read_chain(tmp_path / "a" / "chain.jsonl", keys=registry)
    capsys.readouterr()
    assert cli_main(["verify-chain", str(tmp_path / "a" / "chain.jsonl")]) == 0
    out = capsys.readouterr().out
    assert f"against key registry {tmp_path / 'a' / KEYS_FILE} (16 keys" in out
    assert registry.fingerprint in out


def test_unsigned_run_has_no_registry_and_removes_a_stale_one(tmp_path, capsys):
    out = tmp_path / "run"
    _cli_run(out)
    assert (out / KEYS_FILE).exists()
    _cli_run(out, "--sign-trades", "false")  # same folder: the old keys.json must go
    assert not (out / KEYS_FILE).exists()
    blocks = read_chain(out / "chain.jsonl")
    assert all(tx.unsigned for block in blocks for tx in block.transactions)
    capsys.readouterr()
    assert cli_main(["verify-chain", str(out / "chain.jsonl")]) == 4  # unsigned, anchored
    assert "UNSIGNED: no key registry" in capsys.readouterr().out
    assert cli_main(["verify-chain", str(out / "chain.jsonl"), "--accept-unsigned"]) == 0


def _remine(blocks: list[Block], index: int, txs) -> list[Block]:
    """Replace block ``index``'s transactions and re-mine it and every block after it."""
    new = list(blocks[:index])
    for k, block in enumerate(blocks[index:], start=index):
        body = txs if k == index else block.transactions
        template = dataclasses.replace(
            block.header,
            prev_hash=new[-1].hash,
            merkle_root=merkle_root([tx.tx_hash() for tx in body]),
            nonce=0,
        )
        result = compete(template, [block.header.miner_id], [1.0])
        new.append(Block(result.header, tuple(body), result.hash))
    return new


def test_a_remined_forgery_of_a_run_is_caught_by_the_signatures(tmp_path, capsys):
    """The issue's case: at difficulty 3 the forger re-mines everything after his change;
    the hashes are all valid again, the signatures are not."""
    out = tmp_path / "run"
    args = ["run", "--prosumers", "15", "--hours", "8", "--seed", "21", "--out", str(out)]
    assert cli_main(args) == 0
    path = out / "chain.jsonl"
    blocks = read_chain(path)
    victim = blocks[2].transactions[0]
    forged_txs = (dataclasses.replace(victim, kwh=victim.kwh + 5.0), *blocks[2].transactions[1:])
    forged = _remine(blocks, 2, forged_txs)
    lines = [file_header_line(3, len(forged))] + [block_line(b) for b in forged]
    path.write_bytes(b"".join(line + b"\n" for line in lines))
    read_chain(path)  # hash-valid: without the registry nothing is wrong
    capsys.readouterr()
    assert cli_main(["verify-chain", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"invalid chain: block 2 (line 4): transaction {victim.tx_id}: the buyer's" in err
    assert "does not verify" in err and "key registry" in err


def test_registry_file_is_the_models(tmp_path, signed_run):
    from community_model.outputs.files import write_outputs

    written = write_outputs(signed_run, tmp_path)
    assert written[KEYS_FILE] == tmp_path / KEYS_FILE
    data = json.loads((tmp_path / KEYS_FILE).read_text())
    assert data["fingerprint"] == signed_run.keyring.registry.fingerprint
    assert KeyRegistry.read(tmp_path / KEYS_FILE) == signed_run.blockchain.keys


def test_a_signing_model_can_be_pickled_and_goes_on_identically():
    import pickle

    model = CommunityModel(n_prosumers=8, rng=2)
    model.step()
    copy = pickle.loads(pickle.dumps(model))
    model.step()
    copy.step()
    assert copy.blockchain.tip.hash == model.blockchain.tip.hash
    copy.blockchain.validate()
