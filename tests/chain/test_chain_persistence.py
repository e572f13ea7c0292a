"""Writing and reading chain files: round trip, atomic writes, damaged files."""

from __future__ import annotations

import json
import os
import random

import pytest

from chain import (
    Blockchain,
    ChainFileError,
    ChainValidationError,
    persistence,
    read_chain,
    write_chain,
)


def lines_of(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True)


def read_error(path) -> str:
    with pytest.raises(ChainFileError) as info:
        read_chain(path)
    message = str(info.value)
    assert "\n" not in message
    return message


# -- round trip ---------------------------------------------------------------


def test_round_trip(small_chain, tmp_path):
    path = tmp_path / "chain.jsonl"
    write_chain(path, small_chain.blocks)
    assert read_chain(path) == list(small_chain.blocks)
    assert read_chain(str(path)) == list(small_chain.blocks)


def test_round_trip_of_a_larger_chain(tmp_path, make_txs):
    chain = Blockchain(difficulty=1, max_transactions_per_block=50)
    for hour in range(1, 6):
        chain.add_transactions(make_txs(37 * hour, hour=hour))
        chain.mine_pending([1, 2, 3], [5.0, 1.0, 2.0], timestamp=float(hour))
    path = tmp_path / "big.jsonl"
    write_chain(path, chain.blocks)
    blocks = read_chain(path)
    assert blocks == list(chain.blocks)
    assert Blockchain.from_blocks(blocks).tx_ids() == chain.tx_ids()


def test_file_layout(small_chain_bytes, small_chain):
    lines = lines_of(small_chain_bytes)
    assert lines[0] == (
        b'{"format":"prosumer-community-chain","version":1,"difficulty":2,"blocks":4}\n'
    )
    assert len(lines) == 1 + len(small_chain.blocks)
    assert small_chain_bytes.endswith(b"\n") and small_chain_bytes.isascii()
    first_block = json.loads(lines[1])
    assert list(first_block) == ["hash", "header", "transactions"]
    assert first_block["hash"] == small_chain.blocks[0].hash.hex()
    # Each transaction is stored as its canonical bytes.
    tx = small_chain.blocks[1].transactions[0]
    assert tx.canonical_bytes() in lines[2]


def test_write_is_atomic_and_leaves_no_temporary_file(small_chain, tmp_path, monkeypatch):
    path = tmp_path / "chain.jsonl"
    write_chain(path, small_chain.blocks)
    before = path.read_bytes()
    assert sorted(os.listdir(tmp_path)) == ["chain.jsonl"]

    calls = []
    original = persistence.block_line

    def failing_block_line(block, *args):
        calls.append(block)
        if len(calls) == 3:
            raise OSError("disk full")
        return original(block, *args)

    monkeypatch.setattr(persistence, "block_line", failing_block_line)
    with pytest.raises(OSError, match="disk full"):
        write_chain(path, small_chain.blocks)
    assert path.read_bytes() == before  # old file untouched
    assert sorted(os.listdir(tmp_path)) == ["chain.jsonl"]  # temporary file removed


def test_invalid_chain_is_not_written(small_chain, tmp_path):
    path = tmp_path / "chain.jsonl"
    blocks = list(small_chain.blocks)
    del blocks[1]
    with pytest.raises(ChainValidationError, match="block 1"):
        write_chain(path, blocks)
    assert not path.exists()
    with pytest.raises(ChainValidationError, match="no blocks"):
        write_chain(path, [])


# -- damaged files: structural -------------------------------------------------


def test_removed_block_line(small_chain_bytes, write_bytes):
    lines = lines_of(small_chain_bytes)
    del lines[3]  # block 2 (line 4)
    message = read_error(write_bytes(b"".join(lines)))
    assert message.startswith("block 2 (line 4): index 3 out of sequence, expected 2")


def test_reordered_block_lines(small_chain_bytes, write_bytes):
    lines = lines_of(small_chain_bytes)
    lines[2], lines[3] = lines[3], lines[2]
    assert read_error(write_bytes(b"".join(lines))).startswith(
        "block 1 (line 3): index 2 out of sequence, expected 1"
    )


def test_duplicated_block_line(small_chain_bytes, write_bytes):
    lines = lines_of(small_chain_bytes)
    lines.insert(3, lines[2])
    assert read_error(write_bytes(b"".join(lines))).startswith(
        "block 2 (line 4): index 1 out of sequence, expected 2"
    )


def test_appended_block_line(small_chain_bytes, write_bytes):
    lines = lines_of(small_chain_bytes)
    message = read_error(write_bytes(b"".join([*lines, lines[-1]])))
    assert message == "line 6: unexpected data after the 4 blocks announced in the file header"


def test_removed_last_block_line(small_chain_bytes, write_bytes):
    lines = lines_of(small_chain_bytes)
    message = read_error(write_bytes(b"".join(lines[:-1])))
    assert message == (
        "block 3 (line 5): missing: the file ends after 3 of the 4 blocks "
        "announced in its header (truncated?)"
    )


def test_block_count_in_header_must_match(small_chain_bytes, write_bytes):
    data = small_chain_bytes.replace(b'"blocks":4}', b'"blocks":5}', 1)
    assert "missing" in read_error(write_bytes(data))
    data = small_chain_bytes.replace(b'"blocks":4}', b'"blocks":3}', 1)
    assert "unexpected data" in read_error(write_bytes(data))


def test_truncated_anywhere_is_refused(small_chain_bytes, write_bytes):
    path = write_bytes(b"")
    for size in range(len(small_chain_bytes)):
        with open(path, "wb") as f:
            f.write(small_chain_bytes[:size])
        with pytest.raises(ChainFileError):
            read_chain(path)


def test_missing_final_newline_is_refused(small_chain_bytes, write_bytes):
    message = read_error(write_bytes(small_chain_bytes[:-1]))
    assert message == "block 3 (line 5): incomplete line: no final newline (file truncated?)"


# -- not a chain at all -------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "empty file, not a prosumer-community-chain file"),
        (b"\n", "line 1 (file header): not a prosumer-community-chain file"),
        (
            bytes(random.Random(1).randrange(256) for _ in range(4000)),
            "line 1 (file header): not a",
        ),
        (b"hour,buyer,seller,kwh,price\n1,2,3,0.5,0.2\n", "line 1 (file header): not a"),
        (b'{"blocks":[]}\n', "line 1 (file header): not a"),
        (
            b"\xef\xbb\xbf" + b'{"format":"prosumer-community-chain"}\n',
            "line 1 (file header): not a",
        ),
        (
            b'{"format":"prosumer-community-chain","version":2,"difficulty":2,"blocks":1}\n',
            "unsupported format version 2",
        ),
        (
            b'{"format":"prosumer-community-chain","version":1}\n',
            "file header must have exactly the keys",
        ),
        (
            b'{"format":"prosumer-community-chain","version":1,"difficulty":2,"blocks":0}\n',
            "blocks must be an int >= 1",
        ),
        (
            b'{"format":"prosumer-community-chain","version":1,"difficulty":99,"blocks":1}\n',
            "difficulty must be an int in 0..64",
        ),
        (
            b'{"format":"prosumer-community-chain", "version":1,"difficulty":2,"blocks":1}\n',
            "not in canonical form from column 38",
        ),
        (
            b'{"format":"prosumer-community-chain","version":1,"difficulty":2,"blocks":1}\n',
            "missing: the file ends after 0 of the 1 blocks",
        ),
        (
            b'{"format":"prosumer-community-chain","version":1,"difficulty":2,"blocks":1}\nhello\n',
            "block 0 (line 2): not valid JSON",
        ),
        (
            b'{"format":"prosumer-community-chain","version":1,"difficulty":2,"blocks":1}\n\xff\xfe\n',
            "block 0 (line 2): non-ASCII byte 0xff at column 1",
        ),
        (
            b'{"format":"prosumer-community-chain","version":1,"difficulty":2,"blocks":1}\n[]\n',
            "block 0 (line 2): block must be a JSON object",
        ),
        (
            b'{"format":"prosumer-community-chain","version":1,"difficulty":2,"blocks":1}\n{"hash":NaN}\n',
            "block 0 (line 2): not valid JSON: NaN is not allowed",
        ),
        (
            b'{"format":"prosumer-community-chain","version":1,"difficulty":2,"blocks":1}\n'
            + b"[" * 100000
            + b"\n",
            "block 0 (line 2): not valid JSON",
        ),
    ],
    ids=[
        "empty",
        "blank line",
        "random bytes",
        "csv",
        "other json",
        "utf8 bom",
        "version 2",
        "short header",
        "zero blocks",
        "difficulty 99",
        "spaced header",
        "header only",
        "text line",
        "binary line",
        "json array",
        "nan",
        "deep nesting",
    ],
)
def test_not_a_chain_file(data, expected, write_bytes):
    assert expected in read_error(write_bytes(data))


def test_missing_file_is_an_os_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_chain(tmp_path / "nope.jsonl")


# -- same JSON meaning, different bytes ------------------------------------------------


def _swap_first_two_keys(line: bytes) -> bytes:
    data = json.loads(line)
    reordered = {
        "header": data["header"],
        "hash": data["hash"],
        "transactions": data["transactions"],
    }
    return json.dumps(reordered, separators=(",", ":")).encode() + b"\n"


SAME_MEANING_EDITS = {
    "escaped char": lambda line: line.replace(b'"kind":"p2p"', b'"kind":"p\\u0032p"', 1),
    "space after key": lambda line: line.replace(b'"header":', b'"header" :', 1),
    "space after comma": lambda line: line.replace(b",", b", ", 1),
    "trailing space": lambda line: line[:-1] + b" \n",
    "crlf": lambda line: line[:-1] + b"\r\n",
    "trailing zero": lambda line: line.replace(b'"price":0.25', b'"price":0.250', 1),
    "exponent": lambda line: line.replace(b'"price":0.25', b'"price":2.5e-1', 1),
    "int as float": lambda line: line.replace(b'"hour":1,', b'"hour":1.0,', 1),
    "hex case": lambda line: line[:9] + line[9:73].upper() + line[73:],
    "default separators": lambda line: (
        json.dumps(json.loads(line), sort_keys=True).encode() + b"\n"
    ),
    "key order": _swap_first_two_keys,
    "duplicate key": lambda line: line.replace(b'"miner_id":', b'"miner_id":1,"miner_id":', 1),
}


@pytest.mark.parametrize("edit", SAME_MEANING_EDITS.values(), ids=SAME_MEANING_EDITS.keys())
def test_same_meaning_different_bytes_is_refused(edit, small_chain_bytes, write_bytes):
    lines = lines_of(small_chain_bytes)  # lines[2] is line 3, block 1
    changed = edit(lines[2])
    assert changed != lines[2]
    # Same meaning for a JSON reader (up to the case of hex digits).
    assert json.loads(changed.lower()) == json.loads(lines[2].lower())
    lines[2] = changed
    message = read_error(write_bytes(b"".join(lines)))
    assert message.startswith("block 1 (line 3): "), message


def test_damaged_file_messages_name_the_block(small_chain_bytes, write_bytes):
    lines = lines_of(small_chain_bytes)
    # A transaction value changed in canonical form: the Merkle root no longer matches.
    lines[3] = lines[3].replace(b'"buyer":4', b'"buyer":5', 1)
    assert read_error(write_bytes(b"".join(lines))) == (
        "block 2 (line 4): merkle root does not match its transactions"
    )


def test_a_block_line_is_the_canonical_json_of_its_dict():
    # signed and unsigned, with and without a seller price, odd floats and ids
    from chain.transaction import canonical_json
    from community_model import CommunityModel

    for kwargs in ({}, {"sign_trades": False}, {"clearing_mechanism": "pay_as_bid"}):
        model = CommunityModel(n_prosumers=12, rng=7, **kwargs)
        model.run_for(12)
        blocks = model.blockchain.blocks
        assert len(blocks) > 3
        for block in blocks:
            assert persistence.block_line(block) == canonical_json(block.to_dict())
