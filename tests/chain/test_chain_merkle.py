"""Merkle roots: hand-checked small trees and a reference implementation."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chain import EMPTY_MERKLE_ROOT, merkle_root


def h(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


A, B, C, D, E = (h(bytes([i])) for i in range(5))


def test_empty_list_is_hash_of_nothing():
    assert merkle_root([]) == hashlib.sha256(b"").digest() == EMPTY_MERKLE_ROOT
    assert EMPTY_MERKLE_ROOT.hex() == (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )


def test_single_leaf_is_its_own_root():
    assert merkle_root([A]) == A


def test_two_leaves():
    assert merkle_root([A, B]) == h(A + B)
    assert merkle_root([B, A]) == h(B + A) != merkle_root([A, B])


def test_three_leaves_duplicate_the_last():
    assert merkle_root([A, B, C]) == h(h(A + B) + h(C + C))


def test_four_leaves():
    assert merkle_root([A, B, C, D]) == h(h(A + B) + h(C + D))


def test_five_leaves_duplicate_on_every_odd_level():
    # level 1: AB, CD, EE -> odd -> EE duplicated at level 2
    ab, cd, ee = h(A + B), h(C + D), h(E + E)
    assert merkle_root([A, B, C, D, E]) == h(h(ab + cd) + h(ee + ee))


def test_known_vector_computed_with_sha256sum():
    # Computed outside Python: printf '\x00' | sha256sum ... | xxd -r -p | sha256sum
    assert A.hex() == "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    assert merkle_root([A, B, C]).hex() == (
        "f2dcdd96791b6bac5d554f2d320e594b834f5da1981812c3707e7772234cb0ad"
    )


def test_input_is_not_modified_and_leaves_are_checked():
    leaves = [A, B, C]
    merkle_root(leaves)
    assert leaves == [A, B, C]
    with pytest.raises(ValueError, match="leaf 1"):
        merkle_root([A, b"short"])


leaf_lists = st.lists(st.binary(min_size=32, max_size=32), min_size=1, max_size=40)


@settings(max_examples=100, deadline=None, database=None)
@given(st.integers(0, 5), st.data())
def test_power_of_two_tree_is_hash_of_its_halves(k, data):
    leaves = data.draw(st.lists(st.binary(min_size=32, max_size=32), min_size=2**k, max_size=2**k))
    if k == 0:
        assert merkle_root(leaves) == leaves[0]
    else:
        half = len(leaves) // 2
        assert merkle_root(leaves) == h(merkle_root(leaves[:half]) + merkle_root(leaves[half:]))


@settings(max_examples=100, deadline=None, database=None)
@given(leaf_lists.filter(lambda leaves: len(leaves) % 2 == 1 and len(leaves) > 1))
def test_odd_list_equals_list_with_last_leaf_repeated(leaves):
    # The documented Bitcoin property (why duplicate tx ids must be refused).
    assert merkle_root(leaves) == merkle_root([*leaves, leaves[-1]])


@settings(max_examples=100, deadline=None, database=None)
@given(st.lists(st.binary(min_size=32, max_size=32), min_size=1, max_size=20), st.data())
def test_changing_any_leaf_changes_the_root(leaves, data):
    i = data.draw(st.integers(0, len(leaves) - 1))
    changed = list(leaves)
    changed[i] = h(leaves[i])
    assert merkle_root(changed) != merkle_root(leaves)
