"""Every single-byte change of a chain file, at every position, is refused."""

from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chain import ChainFileError, read_chain, verify_chain_file

HEX_LETTERS = b"abcdef"


def same_class_replacement(byte: int) -> int:
    """A different byte of the same kind: the change most likely to stay valid JSON."""
    char = chr(byte)
    if char.isdigit():
        return ord(str((int(char) + 5) % 10))
    if char in "abcdef":
        return HEX_LETTERS[(HEX_LETTERS.index(byte) + 3) % 6]
    if char in string.ascii_letters:
        return ord("q") if char != "q" else ord("r")
    if char == "\n":
        return ord(" ")
    return ord("x") if char != "x" else ord("y")


def variants(data: bytes, i: int) -> dict[str, bytes]:
    """The changed copies of ``data`` at position ``i``."""
    byte = data[i]
    out = {
        "xor 0x01": data[:i] + bytes([byte ^ 0x01]) + data[i + 1 :],
        "same class": data[:i] + bytes([same_class_replacement(byte)]) + data[i + 1 :],
        "deleted": data[:i] + data[i + 1 :],
    }
    if chr(byte).isalpha():
        out["case swapped"] = data[:i] + bytes([byte ^ 0x20]) + data[i + 1 :]
    return out


def test_every_byte_position_is_protected(small_chain_bytes, tmp_path):
    data = small_chain_bytes
    path = tmp_path / "damaged.jsonl"
    path.write_bytes(data)
    assert verify_chain_file(path, accept_unsigned=True, accept_unanchored=True)[
        0
    ]  # the undamaged file is accepted
    missed = []
    checked = 0
    for i in range(len(data)):
        for name, damaged in variants(data, i).items():
            assert damaged != data
            path.write_bytes(damaged)
            ok, message = verify_chain_file(path, accept_unsigned=True, accept_unanchored=True)
            try:
                read_chain(path)
                raised = False
            except ChainFileError:
                raised = True
            if ok or not raised or not message.startswith("invalid chain: "):
                missed.append((i, name, chr(data[i]), message))
            checked += 1
    assert checked >= 3 * len(data)
    assert not missed, missed[:10]


def test_flipped_bytes_report_the_damaged_line(small_chain_bytes, tmp_path):
    """The error names the line that holds the changed byte (or the one before a merge)."""
    data = small_chain_bytes
    path = tmp_path / "damaged.jsonl"
    line_starts = [0] + [k + 1 for k, b in enumerate(data) if b == ord("\n")][:-1]
    for i in range(0, len(data), 7):
        line_no = sum(1 for start in line_starts if start <= i)
        path.write_bytes(data[:i] + bytes([data[i] ^ 0x01]) + data[i + 1 :])
        with pytest.raises(ChainFileError) as info:
            read_chain(path)
        assert info.value.line in (line_no, line_no + 1), (i, str(info.value))


@settings(max_examples=150, deadline=None, database=None)
@given(st.data())
def test_random_multi_byte_damage_is_refused(small_chain_bytes, tmp_path_factory, data):
    raw = bytearray(small_chain_bytes)
    n = data.draw(st.integers(1, 6))
    for _ in range(n):
        i = data.draw(st.integers(0, len(raw) - 1))
        # differ from the ORIGINAL byte, so a second hit cannot undo the first
        raw[i] = data.draw(st.integers(0, 255).filter(lambda b, i=i: b != small_chain_bytes[i]))
    path = tmp_path_factory.mktemp("damage") / "chain.jsonl"
    path.write_bytes(bytes(raw))
    with pytest.raises(ChainFileError):
        read_chain(path)
