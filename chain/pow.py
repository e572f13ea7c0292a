"""Proof of work: the nonce search and the race between miners.

A block hash is valid at difficulty ``d`` when its hex form starts with ``d``
zeros, i.e. when the 32-byte digest, read as a big-endian number, is below
``16**(64 - d)``.  :func:`difficulty_target` turns this into a 32-byte string
so that the test is one bytes comparison, ``digest < target``.

Cost model
----------
The header is hashed as a fixed 89-byte prefix followed by the 8-byte nonce.
:func:`search_nonce` receives a hasher that has already absorbed the prefix;
every try then costs one ``copy()``, one ``update()`` of a pre-built byte
string and one ``digest()`` -- close to the cost of hashlib itself, and about
1.5-2x faster than hashing freshly built header bytes for each nonce.  Mining
itself (:func:`compete`) runs the same search compiled with numba
(:mod:`chain.nonce_kernel`), about 6x faster again; :func:`search_nonce` and the
pure-Python race stay as the reference the tests compare it with.

Mining race
-----------
:func:`compete` lets miners with unequal hash rates race for one block in
simulated time: miner ``i`` makes its ``j``-th try (``j = 0, 1, ...``) at time
``(j + 1) / rate_i`` [s] and the first valid try in time wins.  The race is
computed exactly by advancing a common time horizon in steps: each round every
miner does all its tries up to the horizon, so when a valid try appears, every
try that came earlier has already been checked.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import math
import numbers
import operator
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from chain.errors import ChainError

if TYPE_CHECKING:  # chain.block imports this module
    from chain.block import BlockHeader

__all__ = [
    "MAX_HEADER_DIFFICULTY",
    "NONCE_SPACE_PER_MINER",
    "MiningResult",
    "compete",
    "difficulty_target",
    "search_nonce",
]

#: Largest difficulty a header can state (a SHA-256 hex digest has 64 digits).
MAX_HEADER_DIFFICULTY = 64

#: Each miner searches its own slice of the 64-bit nonce space: miner ``i``
#: starts at ``i * NONCE_SPACE_PER_MINER`` [hashes].
NONCE_SPACE_PER_MINER = 2**48

#: Single-byte strings 0x00..0xff: the last nonce byte of each try is one of
#: these, so the hot loop builds no bytes at all.
_LAST_BYTE = tuple(bytes((i,)) for i in range(256))

#: Most miners the compiled race takes: their nonces must stay below 2**63.
_COMPILED_MAX_MINERS = 2**63 // NONCE_SPACE_PER_MINER

#: Below this many tries a search does not pay for a per-segment hasher [hashes].
_SHORT_SEARCH = 16


@functools.cache
def difficulty_target(difficulty: int) -> bytes:
    """Return the byte string a digest must be below to meet ``difficulty``.

    Parameters
    ----------
    difficulty : int
        Required number of leading hex zeros, 0..64.

    Returns
    -------
    bytes
        ``target`` such that ``digest < target`` (bytes comparison) holds
        exactly when ``digest.hex()`` starts with ``difficulty`` zeros.  For
        difficulty 0 it is 33 bytes of ``0xff``, above every 32-byte digest.
    """
    if isinstance(difficulty, bool) or not isinstance(difficulty, int):
        raise ChainError(f"difficulty must be an int, got {difficulty!r}")
    if not 0 <= difficulty <= MAX_HEADER_DIFFICULTY:
        raise ChainError(f"difficulty must be in 0..{MAX_HEADER_DIFFICULTY}, got {difficulty}")
    if difficulty == 0:
        return b"\xff" * 33
    return (16 ** (64 - difficulty)).to_bytes(32, "big")


def search_nonce(prefix_hasher: Any, target: bytes, start: int, count: int) -> int | None:
    """Find the first nonce in ``[start, start + count)`` whose hash is below ``target``.

    Parameters
    ----------
    prefix_hasher : hashlib SHA-256 object
        Hasher that has absorbed the header bytes before the nonce; it is
        copied, never modified.
    target : bytes
        From :func:`difficulty_target`.
    start : int
        First nonce to try, 0 <= start.
    count : int
        Number of nonces to try [hashes], >= 0; ``start + count <= 2**64``.

    Returns
    -------
    int or None
        The first valid nonce, or ``None`` if none of the ``count`` tries is valid.
    """
    stop = start + count
    if start < 0 or count < 0 or stop > 2**64:
        raise ChainError(f"nonce range [{start}, {stop}) is outside 0..2**64")
    if count < _SHORT_SEARCH:
        # Few tries (many miners, short rounds): skip the per-segment hasher.
        copy = prefix_hasher.copy
        for nonce in range(start, stop):
            h = copy()
            h.update(nonce.to_bytes(8, "big"))
            if h.digest() < target:
                return nonce
        return None
    nonce = start
    while nonce < stop:
        # The nonce is 8 big-endian bytes: the first 7 are fixed for 256
        # consecutive nonces, so they are hashed once per segment and the loop
        # only appends the last byte.
        high, low = divmod(nonce, 256)
        segment_stop = min(stop, (high + 1) * 256)
        segment = prefix_hasher.copy()
        segment.update(high.to_bytes(7, "big"))
        copy = segment.copy
        for last_byte in _LAST_BYTE[low : low + segment_stop - nonce]:
            h = copy()
            h.update(last_byte)
            if h.digest() < target:
                return high * 256 + last_byte[0]
        nonce = segment_stop
    return None


@dataclass(frozen=True, slots=True)
class MiningResult:
    """Outcome of one mining race (:func:`compete`).

    Attributes
    ----------
    winner_index : int
        Position of the winning miner in the ``miner_ids`` given to :func:`compete`.
    nonce : int
        Winning nonce.
    hash : bytes
        32-byte hash of the winning header.
    header : BlockHeader
        The winning header (``miner_id`` = winner's id, ``nonce`` = winning nonce).
    hashes_per_miner : list of int
        Tries made by each miner up to the winning time [hashes] -- the
        simulated work, ``floor(rate_i * elapsed)`` (the winner's count
        includes its winning try).
    total_hashes : int
        ``sum(hashes_per_miner)`` [hashes]; about ``16**difficulty`` on
        average, whatever the number of miners.
    elapsed : float
        Simulated time from the start of the race to the winning try [s].
    """

    winner_index: int
    nonce: int
    hash: bytes
    header: BlockHeader
    hashes_per_miner: list[int]
    total_hashes: int
    elapsed: float

    @property
    def winner_id(self) -> int:
        """Id of the winning miner (``header.miner_id``)."""
        return self.header.miner_id


def compete(
    template: BlockHeader, miner_ids: Sequence[int], hash_rates: Sequence[float]
) -> MiningResult:
    """Race miners for one block in simulated time.

    Every miner hashes its own header (``template`` with its ``miner_id``), so
    the miners solve different puzzles, and miner ``i`` tries nonces
    ``i * 2**48, i * 2**48 + 1, ...``; its ``j``-th try happens at simulated
    time ``(j + 1) / hash_rates[i]`` [s].  The winner is the miner whose first
    valid try has the earliest time (ties go to the lower index).  The result
    depends only on the arguments (deterministic).

    Parameters
    ----------
    template : BlockHeader
        Header to mine; its ``nonce`` and ``miner_id`` are ignored.
    miner_ids : sequence of int
        Distinct miner ids (>= 0), at most 65536 miners.
    hash_rates : sequence of float
        Hash rate of each miner [hashes/s], > 0 and finite.

    Returns
    -------
    MiningResult

    Notes
    -----
    The horizon advances so that each round costs about ``16**difficulty / 8``
    hashes over all miners: the real hashing exceeds the simulated work
    (``total_hashes``) by at most about one round, i.e. ~12 %.
    """
    miner_ids, rates = _checked_miners(miner_ids, hash_rates)
    n = len(rates)
    difficulty = template.difficulty
    target = difficulty_target(difficulty)
    prefixes = [template.prefix_bytes(miner_id=m) for m in miner_ids]
    step = max(16**difficulty / 8, 1.0) / math.fsum(rates)  # [s] per round
    race = _choose_race(n, difficulty)
    winner, found, done = race(prefixes, target, rates, step)
    t_win = (found[winner] + 1) / rates[winner]
    winning_nonce = winner * NONCE_SPACE_PER_MINER + found[winner]
    header = dataclasses.replace(template, miner_id=miner_ids[winner], nonce=winning_nonce)
    digest = header.compute_hash()  # hashlib: an independent check of the race's answer
    if not digest < target:
        raise ChainError(f"internal error: the mining race returned an invalid nonce {header}")
    hashes_per_miner = [
        _tries_until(rates[i], t_win, done[i]) if i != winner else done[i] for i in range(n)
    ]
    return MiningResult(
        winner_index=winner,
        nonce=winning_nonce,
        hash=digest,
        header=header,
        hashes_per_miner=hashes_per_miner,
        total_hashes=sum(hashes_per_miner),
        elapsed=t_win,
    )


#: Hashes the hashlib race may spend, over the whole process, before the compiled race is
#: loaded [hashes]. Loading numba and the kernel's cached machine code costs about 0.6 s,
#: about what hashlib takes for 1 million headers: a short run never pays for the load, a long
#: one pays at most twice the cheaper choice (the ski-rental rule). Both races give the
#: same answer, so the choice changes the speed only, never the chain.
HASHLIB_BUDGET = 1_000_000
_hashlib_spent = 0.0


def _choose_race(n_miners: int, difficulty: int):
    """The race to mine the next block with: hashlib while the budget lasts, then compiled."""
    global _hashlib_spent
    if n_miners > _COMPILED_MAX_MINERS:
        return _race_python
    if "chain.nonce_kernel" in sys.modules:  # already loaded (e.g. by warm_up): no cost left
        return _race_compiled
    expected = 1.2 * 16.0**difficulty  # the mean work and at most one round more
    if _hashlib_spent + expected <= HASHLIB_BUDGET:
        _hashlib_spent += expected
        return _race_python
    return _race_compiled


def _race_compiled(
    prefixes: list[bytes], target: bytes, rates: list[float], step: float
) -> tuple[int, list[int], list[int]]:
    """The race in machine code (:func:`chain.nonce_kernel.race`)."""
    from chain import nonce_kernel  # numba compiles (or loads its cache) on first use

    # The miners' headers differ only in the miner id, which lies beyond the first 64 bytes:
    # one midstate usually serves them all.
    mids_by_head: dict[bytes, np.ndarray] = {}
    mids = np.empty((len(prefixes), 8), np.uint32)
    for i, prefix in enumerate(prefixes):
        head = prefix[:64]
        if head not in mids_by_head:
            mids_by_head[head] = nonce_kernel.midstate(prefix)
        mids[i] = mids_by_head[head]
    tails = nonce_kernel.tails(prefixes)
    words, accept_all = nonce_kernel.target_words(target)
    winner, found, done, exhausted = nonce_kernel.race(
        mids, tails, words, accept_all, np.array(rates), step, NONCE_SPACE_PER_MINER
    )
    if exhausted >= 0:
        raise ChainError(f"miner number {exhausted} exhausted its nonce space")
    return int(winner), found.tolist(), done.tolist()


def _race_python(
    prefixes: list[bytes], target: bytes, rates: list[float], step: float
) -> tuple[int, list[int], list[int]]:
    """The race with hashlib (the reference; used beyond 32,768 miners, where nonces no
    longer fit the compiled race's 63-bit integers).

    The horizon advances in rounds; each round every miner does all its tries up to the
    horizon, so when a valid try appears, every try that came earlier has been checked.
    Returns the winner's index and, per miner, its first valid try number (``None``: none
    yet) and its tries made.
    """
    n = len(rates)
    prefix_hashers = [hashlib.sha256(p) for p in prefixes]
    starts = [i * NONCE_SPACE_PER_MINER for i in range(n)]
    done = [0] * n  # tries made so far by each miner
    found: list[int | None] = [None] * n  # try number j of each miner's first valid try
    round_no = 0
    while True:
        round_no += 1
        horizon = round_no * step  # multiply, do not accumulate, to avoid drift
        for i in range(n):
            if found[i] is not None:
                continue  # later tries of a finder cannot beat its first one
            due = min(math.floor(rates[i] * horizon), NONCE_SPACE_PER_MINER)
            if due <= done[i]:
                continue
            nonce = search_nonce(prefix_hashers[i], target, starts[i] + done[i], due - done[i])
            if nonce is None:
                done[i] = due
                if due == NONCE_SPACE_PER_MINER:
                    raise ChainError(f"miner number {i} exhausted its nonce space")
            else:
                found[i] = nonce - starts[i]
                done[i] = found[i] + 1
        finders = [((j + 1) / rates[i], i) for i, j in enumerate(found) if j is not None]
        if not finders:
            continue
        t_win, winner = min(finders)
        # Guard against float rounding in floor(rate * horizon): every miner still
        # searching must have done all its tries up to the winning time, so no earlier
        # valid try is missed and the counts are complete.
        if all(found[i] is not None or (done[i] + 1) / rates[i] > t_win for i in range(n)):
            return winner, found, done


def _tries_until(rate: float, t: float, done: int) -> int:
    """Number of tries with time ``(j + 1) / rate <= t``, capped to ``done``."""
    count = min(done, math.floor(rate * t))
    # floor(rate * t) may be off by one through rounding; settle it with the
    # same expression that defines the try times.
    while count < done and (count + 1) / rate <= t:
        count += 1
    while count > 0 and count / rate > t:
        count -= 1
    return count


def _checked_miners(
    miner_ids: Sequence[int], hash_rates: Sequence[float]
) -> tuple[list[int], list[float]]:
    """:func:`_check_miners`, remembered for the last miners checked (a run races the same
    miners for every block)."""
    try:
        ids, rates = tuple(miner_ids), tuple(hash_rates)
        # types too: 1 == 1.0 == True, but only the int is a valid miner id
        key = (ids, tuple(map(type, ids)), rates, tuple(map(type, rates)))
        hash(key)
    except TypeError:  # unhashable items: check them, the check says what is wrong
        return _check_miners(miner_ids, hash_rates)
    if _last_checked[0] != key:
        _last_checked[:] = [key, _check_miners(miner_ids, hash_rates)]
    ids, rates = _last_checked[1]
    return list(ids), list(rates)


_last_checked: list = [None, None]


def _check_miners(
    miner_ids: Sequence[int], hash_rates: Sequence[float]
) -> tuple[list[int], list[float]]:
    """Validate the miner arguments of :func:`compete`; return them as plain ints/floats."""
    if len(miner_ids) != len(hash_rates):
        raise ValueError(
            f"miner_ids and hash_rates differ in length: {len(miner_ids)} != {len(hash_rates)}"
        )
    if not 1 <= len(miner_ids) <= 2**64 // NONCE_SPACE_PER_MINER:
        raise ValueError(f"number of miners must be in 1..65536, got {len(miner_ids)}")
    ids = []
    for m in miner_ids:
        if isinstance(m, bool) or not isinstance(m, numbers.Integral) or not 0 <= m < 2**64:
            raise ValueError(f"miner ids must be ints in 0..2**64-1, got {m!r}")
        ids.append(operator.index(m))
    if len(set(ids)) != len(ids):
        raise ValueError(f"miner ids must be distinct, got {ids}")
    rates = []
    for r in hash_rates:
        is_number = isinstance(r, numbers.Real) and not isinstance(r, bool)
        rate = float(r) if is_number else math.nan
        if not (math.isfinite(rate) and rate > 0):
            raise ValueError(f"hash rates must be finite and > 0 [hashes/s], got {r!r}")
        rates.append(rate)
    return ids, rates
