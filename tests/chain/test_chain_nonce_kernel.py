"""The compiled nonce search and mining race against hashlib and the pure-Python race."""

from __future__ import annotations

import hashlib
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chain import BlockHeader, difficulty_target, nonce_kernel, search_nonce
from chain import pow as pow_module


def random_header(seed: int, difficulty: int) -> BlockHeader:
    rnd = random.Random(seed)
    return BlockHeader(
        index=rnd.randrange(2**40),
        prev_hash=rnd.randbytes(32),
        merkle_root=rnd.randbytes(32),
        timestamp=rnd.uniform(0, 1e6),
        difficulty=difficulty,
        nonce=0,
        miner_id=rnd.randrange(2**32),
    )


def kernel_search(header: BlockHeader, start: int, count: int) -> int | None:
    mid, tail = nonce_kernel.midstate_and_tail(header.prefix_bytes())
    words, accept_all = nonce_kernel.target_words(difficulty_target(header.difficulty))
    found = nonce_kernel.search(mid, tail, words, accept_all, start, count)
    return None if found < 0 else found


@settings(max_examples=150, deadline=None, database=None)
@given(
    seed=st.integers(0, 2**32),
    difficulty=st.integers(0, 3),
    start=st.integers(0, 2**20) | st.sampled_from([15, 16, 255, 2**48 - 7, 2**62 - 9000]),
    count=st.integers(0, 9000),
)
def test_compiled_search_finds_what_hashlib_finds(seed, difficulty, start, count):
    header = random_header(seed, difficulty)
    expected = search_nonce(
        hashlib.sha256(header.prefix_bytes()), difficulty_target(difficulty), start, count
    )
    assert kernel_search(header, start, count) == expected


def test_compiled_search_over_every_nonce_byte_and_a_high_difficulty():
    # Nonces whose every byte is non-zero exercise all three message words holding the nonce.
    header = random_header(7, 4)
    start = 0x0102030405060708
    expected = search_nonce(
        hashlib.sha256(header.prefix_bytes()), difficulty_target(4), start, 400_000
    )
    assert expected is not None
    assert kernel_search(header, start, 400_000) == expected
    assert kernel_search(header, start, expected - start) is None


def test_midstate_needs_the_89_byte_prefix():
    with pytest.raises(ValueError, match="89 bytes"):
        nonce_kernel.midstate_and_tail(b"x" * 88)


@pytest.mark.parametrize("difficulty", [0, 1, 2, 3])
def test_compiled_race_is_the_python_race(difficulty):
    rnd = random.Random(difficulty)
    for k in range(40 if difficulty < 3 else 8):
        header = random_header(1000 * difficulty + k, difficulty)
        n = rnd.randint(1, 20)
        rates = [rnd.choice([0.1, 0.3, 0.7, 1.0, 1.7, 2.0, 5.0, 12.5]) for _ in range(n)]
        prefixes = [header.prefix_bytes(miner_id=100 + i) for i in range(n)]
        target = difficulty_target(difficulty)
        step = max(16**difficulty / 8, 1.0) / sum(rates)
        compiled = pow_module._race_compiled(prefixes, target, rates, step)
        python = pow_module._race_python(prefixes, target, rates, step)
        winner = python[0]
        assert compiled[0] == winner
        assert compiled[2] == python[2]  # tries made by every miner
        found_python = [-1 if j is None else j for j in python[1]]
        assert compiled[1] == found_python


def test_compete_uses_the_compiled_race_and_checks_it_with_hashlib(monkeypatch):
    header = random_header(3, 2)
    expected = pow_module.compete(header, [1, 2, 3], [1.0, 2.0, 0.5])
    monkeypatch.setattr(pow_module, "_COMPILED_MAX_MINERS", 0)  # force the Python race
    assert pow_module.compete(header, [1, 2, 3], [1.0, 2.0, 0.5]) == expected

    python_race = pow_module._race_python

    def wrong(prefixes, target, rates, step):
        winner, found, done = python_race(prefixes, target, rates, step)
        found = list(found)
        found[winner] += 1  # an off-by-one answer must not reach the chain
        return winner, found, done

    monkeypatch.setattr(pow_module, "_race_python", wrong)
    with pytest.raises(Exception, match="invalid nonce"):
        pow_module.compete(header, [1, 2, 3], [1.0, 2.0, 0.5])


def test_target_words_of_difficulty_zero_accept_everything():
    words, accept_all = nonce_kernel.target_words(difficulty_target(0))
    assert accept_all and not words.any()
    words, accept_all = nonce_kernel.target_words(difficulty_target(3))
    assert not accept_all
    assert words.astype(">u4").tobytes() == difficulty_target(3)
    assert words.dtype == np.uint32
