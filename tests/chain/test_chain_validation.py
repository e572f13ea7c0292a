"""Validation: every kind of damage is caught, at the first bad block."""

from __future__ import annotations

import dataclasses

import pytest

from chain import (
    Block,
    ChainValidationError,
    Transaction,
    find_first_invalid,
    make_genesis_block,
    validate_chain,
)
from chain.validation import ChainChecker


@pytest.fixture
def blocks(small_chain):
    """A mutable copy of the small valid chain: genesis + 3 blocks."""
    return list(small_chain.blocks)


def first_problem(blocks):
    with pytest.raises(ChainValidationError) as info:
        validate_chain(blocks)
    assert find_first_invalid(blocks) == (info.value.block_index, info.value.reason)
    assert str(info.value) == f"block {info.value.block_index}: {info.value.reason}"
    return info.value.block_index, info.value.reason


def test_valid_chain_passes(blocks):
    validate_chain(blocks)
    assert find_first_invalid(blocks) is None
    validate_chain(blocks, difficulty=2)


def test_changed_transaction_breaks_the_merkle_root(blocks):
    block = blocks[2]
    tx = dataclasses.replace(block.transactions[1], kwh=block.transactions[1].kwh + 1e-9)
    txs = list(block.transactions)
    txs[1] = tx
    blocks[2] = dataclasses.replace(block, transactions=tuple(txs))
    assert first_problem(blocks) == (2, "merkle root does not match its transactions")


@pytest.mark.parametrize(
    "field",
    ["tx_id", "hour", "kind", "buyer", "seller", "kwh", "price", "seller_price"],
)
def test_every_transaction_field_is_protected(blocks, field):
    tx = blocks[1].transactions[0]
    value = {
        "tx_id": tx.tx_id + "x",
        "hour": tx.hour + 1,
        "kind": "market" if tx.kind == "p2p" else "p2p",
        "buyer": tx.buyer + 10,
        "seller": tx.seller + 10,
        "kwh": tx.kwh * 2,
        "price": tx.price + 0.5,
        "seller_price": 0.01 if tx.seller_price is None else None,
    }[field]
    changed = dataclasses.replace(tx, **{field: value})
    blocks[1] = dataclasses.replace(blocks[1], transactions=(changed, *blocks[1].transactions[1:]))
    assert first_problem(blocks) == (1, "merkle root does not match its transactions")


def test_reordered_transactions_are_caught(blocks):
    blocks[1] = dataclasses.replace(blocks[1], transactions=blocks[1].transactions[::-1])
    assert first_problem(blocks) == (1, "merkle root does not match its transactions")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("nonce", 12345),
        ("timestamp", 1.5),
        ("miner_id", 99),
        ("merkle_root", bytes(32)),
        ("difficulty", 2),
    ],
)
def test_changed_header_no_longer_matches_its_hash(blocks, field, value):
    header = dataclasses.replace(blocks[2].header, **{field: value})
    if header == blocks[2].header:
        header = dataclasses.replace(header, nonce=header.nonce + 1)
    blocks[2] = dataclasses.replace(blocks[2], header=header)
    assert first_problem(blocks) == (2, "stored hash does not match its header")


def test_changed_stored_hash(blocks):
    blocks[1] = dataclasses.replace(blocks[1], hash=bytes(32))
    assert first_problem(blocks) == (1, "stored hash does not match its header")


def test_unmined_block_is_caught(blocks, unmined):
    header = unmined(blocks[3].header)
    blocks[3] = Block(header, blocks[3].transactions, header.compute_hash())
    assert first_problem(blocks) == (3, "hash does not meet difficulty 2 (2 leading hex zeros)")


def test_re_mined_block_breaks_the_link_of_the_next(blocks, mine, make_txs):
    # Replace block 1 by a different, properly mined block: block 2 no longer links.
    blocks[1] = mine(blocks[0], make_txs(2, hour=0))
    assert first_problem(blocks) == (2, "previous hash does not link to block 1")


def test_wrong_prev_hash_on_a_mined_block(blocks, mine):
    blocks[3] = mine(blocks[2], blocks[3].transactions, prev_hash=blocks[1].hash)
    assert first_problem(blocks) == (3, "previous hash does not link to block 2")


def test_cheaper_difficulty_is_refused(blocks, mine):
    blocks[3] = mine(blocks[2], blocks[3].transactions, difficulty=1)
    assert first_problem(blocks) == (3, "difficulty 1 differs from the chain's difficulty 2")
    with pytest.raises(ChainValidationError, match="block 0: difficulty 2 differs"):
        validate_chain(blocks[:1], difficulty=3)


def test_removed_block(blocks):
    del blocks[2]
    index, reason = first_problem(blocks)
    assert index == 2 and reason.startswith("index 3 out of sequence, expected 2")


def test_reordered_blocks(blocks):
    blocks[1], blocks[2] = blocks[2], blocks[1]
    index, reason = first_problem(blocks)
    assert index == 1 and reason.startswith("index 2 out of sequence, expected 1")


def test_duplicated_block(blocks):
    blocks.insert(2, blocks[1])
    index, reason = first_problem(blocks)
    assert index == 2 and reason.startswith("index 1 out of sequence, expected 2")


def test_duplicated_last_block_and_missing_genesis(blocks):
    assert first_problem([*blocks, blocks[-1]])[0] == 4
    assert first_problem(blocks[1:])[1].startswith("index 1 out of sequence, expected 0")


def test_earlier_timestamp(blocks, mine):
    blocks[3] = mine(blocks[2], blocks[3].transactions, timestamp=0.5)
    assert first_problem(blocks) == (3, "timestamp 0.5 h is earlier than block 2's 1.0 h")


def test_transaction_recorded_twice_across_blocks(blocks, mine):
    again = blocks[1].transactions[0]
    blocks[3] = mine(blocks[2], (again, *blocks[3].transactions), timestamp=2.0)  # in order
    assert first_problem(blocks) == (3, f"transaction {again.tx_id} is already recorded in block 1")


def test_transaction_twice_in_one_block(blocks, mine):
    # [a, b, c] and [a, b, c, c] have the same Merkle root: the id check catches it.
    txs = blocks[1].transactions
    assert len(txs) == 3
    blocks[1] = dataclasses.replace(blocks[1], transactions=(*txs, txs[-1]))
    assert first_problem(blocks) == (1, f"transaction {txs[-1].tx_id} appears twice in the block")


def test_genesis_form(blocks, mine, make_txs):
    genesis = blocks[0]
    with_tx = mine(genesis, make_txs(1), index=0, prev_hash=bytes(32), miner_id=0)
    assert first_problem([with_tx]) == (0, "genesis block: must not contain transactions")
    linked = mine(genesis, [], index=0, prev_hash=b"\x01" * 32, miner_id=0)
    assert first_problem([linked]) == (0, "genesis block: previous hash is not all zeros")
    by_miner = mine(genesis, [], index=0, prev_hash=bytes(32), miner_id=5)
    assert first_problem([by_miner]) == (0, "genesis block: miner id must be 0, got 5")
    assert first_problem([]) == (0, "chain has no blocks (it must start with a genesis block)")
    validate_chain([make_genesis_block(0)])


def test_not_a_block():
    assert first_problem([make_genesis_block(1), "block"]) == (1, "is not a Block but str")


def test_only_the_first_bad_block_is_reported(blocks, unmined):
    header = unmined(blocks[3].header)
    blocks[3] = Block(header, blocks[3].transactions, header.compute_hash())
    blocks[1] = dataclasses.replace(blocks[1], hash=bytes(32))
    assert first_problem(blocks)[0] == 1


def test_checker_counts_and_keeps_state_on_failure(blocks):
    checker = ChainChecker()
    assert checker.check(blocks[0]) is None
    assert checker.check(blocks[2]) is not None  # skipped block 1
    assert checker.count == 1
    assert checker.check(blocks[1]) is None and checker.check(blocks[2]) is None
    assert checker.tx_count == sum(len(b.transactions) for b in blocks[:3])


def test_tampered_transaction_objects_cannot_be_built_invalid():
    # Immutable and validated: damage has to go through a new object.
    with pytest.raises(ValueError):
        Transaction("t", 1, "p2p", 1, 1, 1.0, 0.1)
