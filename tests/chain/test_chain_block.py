"""Block headers (fixed binary form), difficulty test, genesis block."""

from __future__ import annotations

import dataclasses
import hashlib
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chain import (
    EMPTY_MERKLE_ROOT,
    HEADER_SIZE,
    ZERO_HASH,
    Block,
    BlockHeader,
    ChainError,
    difficulty_target,
    make_genesis_block,
    meets_difficulty,
)

HEADER = BlockHeader(
    index=7,
    prev_hash=bytes(range(32)),
    merkle_root=bytes(range(32, 64)),
    timestamp=12.5,
    difficulty=3,
    nonce=0x0102030405060708,
    miner_id=42,
)


def test_header_bytes_have_fixed_size_and_layout():
    data = HEADER.to_bytes()
    assert len(data) == HEADER_SIZE == 97
    assert data[:8] == (7).to_bytes(8, "big")
    assert data[8:40] == bytes(range(32))
    assert data[40:72] == bytes(range(32, 64))
    assert data[72:80] == struct.pack(">d", 12.5)
    assert data[80] == 3
    assert data[81:89] == (42).to_bytes(8, "big")
    assert data[89:] == bytes([1, 2, 3, 4, 5, 6, 7, 8])  # nonce last
    assert HEADER.prefix_bytes() == data[:89]


@settings(max_examples=100, deadline=None, database=None)
@given(
    index=st.integers(0, 2**64 - 1),
    nonce=st.integers(0, 2**64 - 1),
    miner_id=st.integers(0, 2**64 - 1),
    difficulty=st.integers(0, 64),
    timestamp=st.floats(allow_nan=False, allow_infinity=False),
)
def test_header_bytes_size_and_round_trip(index, nonce, miner_id, difficulty, timestamp):
    header = BlockHeader(
        index, ZERO_HASH, EMPTY_MERKLE_ROOT, timestamp, difficulty, nonce, miner_id
    )
    data = header.to_bytes()
    assert len(data) == 97
    assert BlockHeader.from_bytes(data).to_bytes() == data
    assert BlockHeader.from_dict(header.to_dict()).to_bytes() == data


def test_hash_is_sha256_of_header_bytes_only():
    assert HEADER.compute_hash() == hashlib.sha256(HEADER.to_bytes()).digest()
    for field, value in [
        ("index", 8),
        ("prev_hash", bytes(32)),
        ("merkle_root", bytes(32)),
        ("timestamp", 12.500000000000002),
        ("difficulty", 4),
        ("nonce", 0),
        ("miner_id", 43),
    ]:
        changed = dataclasses.replace(HEADER, **{field: value})
        assert changed.compute_hash() != HEADER.compute_hash(), field


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"index": -1}, "index must be in"),
        ({"nonce": 2**64}, "nonce must be in"),
        ({"miner_id": 1.0}, "miner_id must be an int"),
        ({"difficulty": 65}, "difficulty must be in"),
        ({"difficulty": True}, "difficulty must be an int"),
        ({"prev_hash": bytes(31)}, "prev_hash must be 32 bytes"),
        ({"merkle_root": "00" * 32}, "merkle_root must be 32 bytes"),
        ({"timestamp": float("nan")}, "timestamp must be a finite number"),
    ],
)
def test_header_refuses_bad_fields(change, fragment):
    with pytest.raises(ChainError, match=fragment):
        dataclasses.replace(HEADER, **change)


def test_header_from_dict_is_strict_about_hex():
    d = HEADER.to_dict()
    assert d["prev_hash"] == bytes(range(32)).hex()
    for bad in [d["prev_hash"].upper(), d["prev_hash"][:-2], " " + d["prev_hash"][1:], "zz" * 32]:
        with pytest.raises(ChainError, match="64 lowercase hex digits"):
            BlockHeader.from_dict({**d, "prev_hash": bad})
    with pytest.raises(ChainError, match="unknown keys"):
        BlockHeader.from_dict({**d, "extra": 1})


def test_difficulty_target_agrees_with_hex_prefix_at_the_boundary():
    for d in range(1, 64):
        target = difficulty_target(d)
        largest_ok = (16 ** (64 - d) - 1).to_bytes(32, "big")
        smallest_bad = (16 ** (64 - d)).to_bytes(32, "big")
        assert largest_ok.hex().startswith("0" * d) and meets_difficulty(largest_ok, d)
        assert not smallest_bad.hex().startswith("0" * d) and not meets_difficulty(smallest_bad, d)
        assert largest_ok < target <= smallest_bad
    assert meets_difficulty(b"\xff" * 32, 0)
    assert meets_difficulty(bytes(32), 64) and not meets_difficulty(bytes(31) + b"\x01", 64)
    with pytest.raises(ChainError):
        difficulty_target(65)


@settings(max_examples=300, deadline=None, database=None)
@given(st.binary(min_size=32, max_size=32), st.integers(0, 64), st.integers(0, 31))
def test_meets_difficulty_equals_hex_prefix(digest, difficulty, zero_bytes):
    digest = bytes(zero_bytes) + digest[zero_bytes:]  # make leading zeros likely
    assert meets_difficulty(digest, difficulty) == digest.hex().startswith("0" * difficulty)


@pytest.mark.parametrize("difficulty", [0, 1, 2, 3])
def test_genesis_block(difficulty):
    g = make_genesis_block(difficulty, timestamp=0.0)
    assert g.index == 0 and g.transactions == ()
    assert g.header.prev_hash == ZERO_HASH and g.header.miner_id == 0
    assert g.header.merkle_root == EMPTY_MERKLE_ROOT == g.computed_merkle_root()
    assert g.hash == g.header.compute_hash()
    assert g.hash.hex().startswith("0" * difficulty)
    # The first valid nonce from 0: every smaller nonce fails.
    for n in range(g.header.nonce):
        assert not meets_difficulty(
            dataclasses.replace(g.header, nonce=n).compute_hash(), difficulty
        )
    assert make_genesis_block(difficulty) == g  # deterministic


def test_block_checks_types_and_converts_lists():
    g = make_genesis_block(1)
    assert Block(g.header, [], g.hash).transactions == ()
    with pytest.raises(ChainError, match="32 bytes"):
        Block(g.header, (), g.hash[:5])
    with pytest.raises(ChainError, match="Transactions"):
        Block(g.header, ("tx",), g.hash)
    with pytest.raises(ChainError, match="BlockHeader"):
        Block(g.header.to_dict(), (), g.hash)


def test_block_dict_round_trip(small_chain):
    for block in small_chain.blocks:
        assert Block.from_dict(block.to_dict()) == block
