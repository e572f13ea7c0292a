"""Attacks on a run's files: forged trades signed with keys rebuilt from the seed, and blocks,
a tail or every trade removed from an anchored chain. Each is refused by ``verify-chain``."""

from __future__ import annotations

import dataclasses
import json
import os
import stat

import pytest

from chain import KEYS_FILE, Block, KeyRegistry, compete, merkle_root, read_chain
from chain.anchor import ANCHOR_FILE, Anchor
from chain.persistence import block_line, file_header_line
from community_model import CommunityModel
from community_model.commands.main import main as cli_main
from community_model.ledger import private_keys_path

RUN = ["run", "--prosumers", "8", "--hours", "6", "--seed", "7", "--difficulty", "2"]


def _run(out, *extra) -> None:
    assert cli_main([*RUN, "--out", str(out), *extra]) == 0


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("trust") / "run"
    _run(out)
    return out


def _write(path, blocks) -> None:
    """A forger's writer: the chain file's bytes, no validation."""
    lines = [file_header_line(blocks[0].header.difficulty, len(blocks))]
    lines += [block_line(block) for block in blocks]
    path.write_bytes(b"".join(line + b"\n" for line in lines))


def _remine(blocks: list[Block], bodies) -> list[Block]:
    """Genesis, then one block per body, re-mined so every hash, link and root is right."""
    new = [blocks[0]]
    for block, body in zip(blocks[1:], bodies, strict=False):
        template = dataclasses.replace(
            block.header,
            index=len(new),
            prev_hash=new[-1].hash,
            merkle_root=merkle_root([tx.tx_hash() for tx in body]),
            nonce=0,
        )
        result = compete(template, [block.header.miner_id], [1.0])
        new.append(Block(result.header, tuple(body), result.hash))
    return new


def _verify(path, *options, capsys) -> tuple[int, str]:
    capsys.readouterr()
    code = cli_main(["verify-chain", str(path), *options])
    out = capsys.readouterr()
    return code, out.out + out.err


def _forge(folder, keyring):
    """Multiply a trade's kWh by 10, set its price to 0.99, sign the block with ``keyring``
    (rebuilt from the seed), re-mine, and rewrite the anchor as the forger would."""
    blocks = read_chain(folder / "chain.jsonl")
    k = next(i for i, b in enumerate(blocks) if b.transactions)
    txs = [tx.with_signatures(None, None) for tx in blocks[k].transactions]
    txs[0] = dataclasses.replace(txs[0], kwh=txs[0].kwh * 10, price=0.99)
    bodies = [b.transactions for b in blocks[1:]]
    bodies[k - 1] = tuple(keyring.sign_block(txs))
    forged = _remine(blocks, bodies)
    _write(folder / "chain.jsonl", forged)
    registry = KeyRegistry.read(folder / KEYS_FILE)
    Anchor.of_chain(forged, registry.fingerprint).write(folder / ANCHOR_FILE)
    return forged


def test_trades_forged_with_seed_derived_keys_are_refused_on_a_default_run(
    default_run, tmp_path, capsys
):
    folder = tmp_path / "copy"
    folder.mkdir()
    for name in ("chain.jsonl", KEYS_FILE, ANCHOR_FILE):
        (folder / name).write_bytes((default_run / name).read_bytes())
    # the forger knows the seed (42 is the default; 7 here) and rebuilds the seeded keys
    guess = CommunityModel(n_prosumers=8, rng=7, difficulty=2, reproducible_keys=True).keyring
    assert guess.registry.fingerprint != KeyRegistry.read(folder / KEYS_FILE).fingerprint
    _forge(folder, guess)
    code, text = _verify(folder / "chain.jsonl", capsys=capsys)
    assert code == 1 and "does not verify over its statement" in text


def test_with_reproducible_keys_the_same_forgery_verifies(tmp_path, capsys):
    """What --reproducible-keys costs: whoever has the seed signs for everybody."""
    out = tmp_path / "seeded"
    _run(out, "--reproducible-keys", "true")
    guess = CommunityModel(n_prosumers=8, rng=7, difficulty=2, reproducible_keys=True).keyring
    assert guess.registry.fingerprint == KeyRegistry.read(out / KEYS_FILE).fingerprint
    _forge(out, guess)
    code, text = _verify(out / "chain.jsonl", capsys=capsys)
    assert code == 0, text


def test_private_keys_beside_the_folder_mode_0600_and_not_a_registry(default_run, capsys):
    private = private_keys_path(default_run)
    assert private.parent == default_run.parent and private.exists()
    assert stat.S_IMODE(os.stat(private).st_mode) == 0o600
    assert not any("private" in p.name for p in default_run.iterdir())
    data = json.loads(private.read_text())
    assert data["fingerprint"] == KeyRegistry.read(default_run / KEYS_FILE).fingerprint
    code, text = _verify(default_run / "chain.jsonl", "--keys", str(private), capsys=capsys)
    assert code == 2 and "this is a private key file, not a public key registry" in text


def _copy(default_run, tmp_path, name):
    folder = tmp_path / name
    folder.mkdir()
    for file in ("chain.jsonl", KEYS_FILE, ANCHOR_FILE):
        (folder / file).write_bytes((default_run / file).read_bytes())
    return folder, read_chain(folder / "chain.jsonl")


def test_the_honest_run_is_signed_and_anchored(default_run, capsys):
    code, text = _verify(default_run / "chain.jsonl", capsys=capsys)
    assert code == 0 and "anchored: tip, height and difficulty match the anchor" in text


def test_a_removed_block_re_mined_is_refused(default_run, tmp_path, capsys):
    folder, blocks = _copy(default_run, tmp_path, "removed")
    kept = blocks[:3] + blocks[4:]  # a whole block, then every later block re-mined
    _write(folder / "chain.jsonl", _remine(kept, [blk.transactions for blk in kept[1:]]))
    code, text = _verify(folder / "chain.jsonl", capsys=capsys)
    assert code == 1 and "the anchor says" in text


def test_a_tail_cut_off_is_refused(default_run, tmp_path, capsys):
    folder, blocks = _copy(default_run, tmp_path, "tail")
    _write(folder / "chain.jsonl", blocks[:-3])  # header's block count edited, no mining
    code, text = _verify(folder / "chain.jsonl", capsys=capsys)
    assert code == 1 and "blocks removed or added" in text


def test_every_transaction_removed_is_refused(default_run, tmp_path, capsys):
    folder, blocks = _copy(default_run, tmp_path, "empty")
    _write(folder / "chain.jsonl", _remine(blocks, [() for _ in blocks[1:]]))
    code, text = _verify(folder / "chain.jsonl", capsys=capsys)
    assert code == 1 and "not the anchored tip" in text


def test_re_mined_at_difficulty_0_is_refused(default_run, tmp_path, capsys):
    folder, blocks = _copy(default_run, tmp_path, "cheap")
    zero = [
        dataclasses.replace(b, header=dataclasses.replace(b.header, difficulty=0)) for b in blocks
    ]
    first = compete(dataclasses.replace(zero[0].header, nonce=0), [0], [1.0])
    bodies = [b.transactions for b in blocks[1:]]
    _write(
        folder / "chain.jsonl", _remine([Block(first.header, (), first.hash), *zero[1:]], bodies)
    )
    code, text = _verify(folder / "chain.jsonl", capsys=capsys)
    assert code == 1 and "difficulty 0 is below the required 2" in text
    code, text = _verify(folder / "chain.jsonl", "--accept-unanchored", capsys=capsys)
    assert code == 1  # the anchor beside is still read and checked


def test_stripped_signatures_and_deleted_registry_are_not_accepted(default_run, tmp_path, capsys):
    folder, blocks = _copy(default_run, tmp_path, "stripped")
    bodies = [tuple(tx.with_signatures(None, None) for tx in b.transactions) for b in blocks[1:]]
    stripped = _remine(blocks, bodies)
    _write(folder / "chain.jsonl", stripped)
    (folder / KEYS_FILE).unlink()
    code, text = _verify(folder / "chain.jsonl", capsys=capsys)
    assert code == 1  # the anchor names the deleted registry and the old tip
    (folder / ANCHOR_FILE).unlink()
    code, text = _verify(folder / "chain.jsonl", capsys=capsys)
    assert code == 5 and "UNSIGNED" in text and "UNANCHORED" in text


def test_a_block_with_trades_of_a_later_hour_is_refused(default_run, tmp_path, capsys):
    folder, blocks = _copy(default_run, tmp_path, "swapped")
    full = [i for i, b in enumerate(blocks) if b.transactions]
    a, b = full[0], full[-1]
    assert blocks[a].header.timestamp < blocks[b].header.timestamp
    bodies = [blk.transactions for blk in blocks[1:]]
    bodies[a - 1], bodies[b - 1] = bodies[b - 1], bodies[a - 1]  # two blocks' trade lists
    _write(folder / "chain.jsonl", _remine(blocks, bodies))
    code, text = _verify(folder / "chain.jsonl", "--accept-unanchored", capsys=capsys)
    assert code == 1 and "a block holds only trades of hours up to its own time" in text
