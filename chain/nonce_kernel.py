"""The mining race compiled with numba: SHA-256 of 16 nonces at a time, in machine code.

Why
---
:func:`chain.pow.search_nonce` drives ``hashlib`` from Python: about 3.5 M hashes/s, almost all
of it interpreter overhead around a 50 ns hash. A year of 100 homes mines about 11,000 blocks
at difficulty 3 (some 46 M hashes), so that loop alone took 13-15 s. This module runs the same
search, and the whole race of :func:`chain.pow.compete`, as one compiled call: about 20 M
hashes/s on one core (measured by ``make bench``).

How
---
A header is 97 bytes: an 89-byte prefix and the 8-byte big-endian nonce. SHA-256 works on
64-byte blocks, so the first block (prefix bytes 0-63) is the same for every nonce and is
compressed once (the *midstate*); each try compresses only the second block, which holds
prefix bytes 64-88, the nonce, the ``0x80`` pad byte and the message length (776 bits).
``LANES`` nonces are hashed side by side with every operation written as a loop over lanes,
which LLVM turns into SIMD instructions.

The digests are exactly SHA-256 (the tests compare them with ``hashlib`` on random headers),
and the race is the one of :func:`chain.pow.compete` step for step, so a chain mined here is
identical, block for block, to one mined by the pure-Python reference. Every mined header is
hashed again with ``hashlib`` before it is used (:func:`chain.pow.compete`).
"""

from __future__ import annotations

import math

import numba
import numpy as np

__all__ = ["LANES", "midstate", "midstate_and_tail", "race", "search", "tails", "target_words"]

#: Nonces hashed side by side; 16 fills two AVX2 (or one AVX-512) registers of uint32.
LANES = 16

# SHA-256 round constants and initial hash value (FIPS 180-4, section 4.2.2 and 5.3.3).
_K = np.array(
    [
        0x428A2F98, 0x71374491, 0xB5C0FBCF, 0xE9B5DBA5, 0x3956C25B, 0x59F111F1, 0x923F82A4,
        0xAB1C5ED5, 0xD807AA98, 0x12835B01, 0x243185BE, 0x550C7DC3, 0x72BE5D74, 0x80DEB1FE,
        0x9BDC06A7, 0xC19BF174, 0xE49B69C1, 0xEFBE4786, 0x0FC19DC6, 0x240CA1CC, 0x2DE92C6F,
        0x4A7484AA, 0x5CB0A9DC, 0x76F988DA, 0x983E5152, 0xA831C66D, 0xB00327C8, 0xBF597FC7,
        0xC6E00BF3, 0xD5A79147, 0x06CA6351, 0x14292967, 0x27B70A85, 0x2E1B2138, 0x4D2C6DFC,
        0x53380D13, 0x650A7354, 0x766A0ABB, 0x81C2C92E, 0x92722C85, 0xA2BFE8A1, 0xA81A664B,
        0xC24B8B70, 0xC76C51A3, 0xD192E819, 0xD6990624, 0xF40E3585, 0x106AA070, 0x19A4C116,
        0x1E376C08, 0x2748774C, 0x34B0BCB5, 0x391C0CB3, 0x4ED8AA4A, 0x5B9CCA4F, 0x682E6FF3,
        0x748F82EE, 0x78A5636F, 0x84C87814, 0x8CC70208, 0x90BEFFFA, 0xA4506CEB, 0xBEF9A3F7,
        0xC67178F2,
    ],
    dtype=np.uint32,
)  # fmt: skip
_H0 = np.array(
    [0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A, 0x510E527F, 0x9B05688C, 0x1F83D9AB,
     0x5BE0CD19],
    dtype=np.uint32,
)  # fmt: skip

_PREFIX_SIZE = 89  # header bytes before the nonce [bytes]
_HEADER_BITS = (_PREFIX_SIZE + 8) * 8  # message length in the padding [bits]
#: What follows prefix bytes 64-88 in the second block: nonce, pad byte, zeros, length.
_PAD = bytes(8) + b"\x80" + bytes(64 - 25 - 8 - 1 - 8) + _HEADER_BITS.to_bytes(8, "big")


def midstate(prefix: bytes) -> np.ndarray:
    """SHA-256 state (8 uint32 words) after the first 64 of the 89 header prefix bytes."""
    _check_prefix(prefix)
    mid = np.empty(8, np.uint32)
    _compress(_H0, np.frombuffer(prefix[:64], ">u4").astype(np.uint32), mid)
    return mid


def tails(prefixes: list[bytes]) -> np.ndarray:
    """The second SHA-256 block of each header, shape ``(len(prefixes), 16)`` uint32.

    Prefix bytes 64-88, then 8 zero bytes where the nonce goes (message words 6-8), the
    ``0x80`` pad byte and the message length.
    """
    for prefix in prefixes:
        _check_prefix(prefix)
    blocks = b"".join(prefix[64:] + _PAD for prefix in prefixes)
    return np.frombuffer(blocks, ">u4").astype(np.uint32).reshape(len(prefixes), 16)


def midstate_and_tail(prefix: bytes) -> tuple[np.ndarray, np.ndarray]:
    """:func:`midstate` and the one row of :func:`tails` of one header prefix."""
    return midstate(prefix), tails([prefix])[0]


def _check_prefix(prefix: bytes) -> None:
    if len(prefix) != _PREFIX_SIZE:
        raise ValueError(f"a header prefix has {_PREFIX_SIZE} bytes, got {len(prefix)}")


def target_words(target: bytes) -> tuple[np.ndarray, bool]:
    """A :func:`chain.pow.difficulty_target` as 8 big-endian uint32 words.

    Returns ``(words, accept_all)``; ``accept_all`` is true for the 33-byte target of
    difficulty 0, which every digest meets.
    """
    if len(target) == 33:
        return np.zeros(8, np.uint32), True
    return np.frombuffer(target, ">u4").astype(np.uint32), False


@numba.njit(inline="always")
def _rotr(x, n):
    return (x >> np.uint32(n)) | (x << np.uint32(32 - n))


@numba.njit(cache=True)
def _compress(state, block_words, out):
    """One SHA-256 compression of 16 words into ``state`` (scalar; for the midstate)."""
    w = np.empty(64, np.uint32)
    w[:16] = block_words
    for i in range(16, 64):
        x, y = w[i - 15], w[i - 2]
        s0 = _rotr(x, 7) ^ _rotr(x, 18) ^ (x >> np.uint32(3))
        s1 = _rotr(y, 17) ^ _rotr(y, 19) ^ (y >> np.uint32(10))
        w[i] = np.uint32(w[i - 16] + s0 + w[i - 7] + s1)
    v = state.copy()
    for i in range(64):
        e, a = v[4], v[0]
        t1 = np.uint32(
            v[7] + (_rotr(e, 6) ^ _rotr(e, 11) ^ _rotr(e, 25)) + ((e & v[5]) ^ (~e & v[6]))
            + _K[i] + w[i]
        )  # fmt: skip
        t2 = np.uint32(
            (_rotr(a, 2) ^ _rotr(a, 13) ^ _rotr(a, 22)) + ((a & v[1]) ^ (a & v[2]) ^ (v[1] & v[2]))
        )
        v[7], v[6], v[5], v[4] = v[6], v[5], v[4], np.uint32(v[3] + t1)
        v[3], v[2], v[1], v[0] = v[2], v[1], v[0], np.uint32(t1 + t2)
    for j in range(8):
        out[j] = np.uint32(state[j] + v[j])


@numba.njit(inline="always")
def _round(a, b, c, d, e, f, g, h, k, w):
    """One SHA-256 round on every lane; only ``d`` and ``h`` change (the caller rotates
    the names instead of moving eight words)."""
    for lane in range(LANES):
        ee, aa = e[lane], a[lane]
        t1 = h[lane] + (_rotr(ee, 6) ^ _rotr(ee, 11) ^ _rotr(ee, 25))
        t1 += ((ee & f[lane]) ^ (~ee & g[lane])) + k + w[lane]
        t2 = _rotr(aa, 2) ^ _rotr(aa, 13) ^ _rotr(aa, 22)
        t2 += (aa & b[lane]) ^ (aa & c[lane]) ^ (b[lane] & c[lane])
        d[lane] = d[lane] + t1
        h[lane] = t1 + t2


@numba.njit(cache=True)
def search(mid, tail, target, accept_all, start, count):
    """First nonce in ``[start, start + count)`` whose header hash is below ``target``.

    Parameters
    ----------
    mid, tail : uint32 arrays
        From :func:`midstate_and_tail`.
    target : uint32 array, accept_all : bool
        From :func:`target_words`.
    start, count : int
        Nonce range; ``start + count < 2**63``.

    Returns
    -------
    int
        The nonce, or -1 when no try in the range is valid.
    """
    if count <= 0:
        return -1
    if accept_all:
        return start
    w = np.empty((64, LANES), np.uint32)
    s = np.empty((8, LANES), np.uint32)
    for i in range(16):
        w[i, :] = tail[i]
    stop = start + count
    for base in range(start, stop, LANES):
        for lane in range(LANES):
            nonce = np.uint64(base + lane)
            # The nonce's 8 bytes are block bytes 25-32: words 6 (3 bytes), 7 (4), 8 (1).
            w[6, lane] = tail[6] | np.uint32(nonce >> np.uint64(40))
            w[7, lane] = np.uint32((nonce >> np.uint64(8)) & np.uint64(0xFFFFFFFF))
            w[8, lane] = tail[8] | (np.uint32(nonce & np.uint64(0xFF)) << np.uint32(24))
        for i in range(16, 64):
            wi, w15, w2, w16, w7 = w[i], w[i - 15], w[i - 2], w[i - 16], w[i - 7]
            for lane in range(LANES):
                x, y = w15[lane], w2[lane]
                s0 = _rotr(x, 7) ^ _rotr(x, 18) ^ (x >> np.uint32(3))
                s1 = _rotr(y, 17) ^ _rotr(y, 19) ^ (y >> np.uint32(10))
                wi[lane] = w16[lane] + s0 + w7[lane] + s1
        for j in range(8):
            s[j, :] = mid[j]
        a, b, c, d, e, f, g, h = s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]
        for i in range(0, 64, 8):
            _round(a, b, c, d, e, f, g, h, _K[i], w[i])
            _round(h, a, b, c, d, e, f, g, _K[i + 1], w[i + 1])
            _round(g, h, a, b, c, d, e, f, _K[i + 2], w[i + 2])
            _round(f, g, h, a, b, c, d, e, _K[i + 3], w[i + 3])
            _round(e, f, g, h, a, b, c, d, _K[i + 4], w[i + 4])
            _round(d, e, f, g, h, a, b, c, _K[i + 5], w[i + 5])
            _round(c, d, e, f, g, h, a, b, _K[i + 6], w[i + 6])
            _round(b, c, d, e, f, g, h, a, _K[i + 7], w[i + 7])
        for lane in range(min(LANES, stop - base)):
            for j in range(8):  # big-endian comparison of the digest with the target
                word = np.uint32(s[j, lane] + mid[j])
                if word != target[j]:
                    if word < target[j]:
                        return base + lane
                    break
    return -1


@numba.njit(cache=True)
def race(mids, tails, target, accept_all, rates, step, nonce_space):
    """The mining race of :func:`chain.pow.compete`, round for round.

    Miner ``i`` (midstate ``mids[i]``, tail ``tails[i]``, rate ``rates[i]`` [hashes/s])
    tries nonces ``i * nonce_space + j`` for ``j = 0, 1, ...``, try ``j`` at simulated time
    ``(j + 1) / rates[i]``; rounds end at ``round * step`` [s].

    Returns
    -------
    (winner, found, done, exhausted)
        Index of the winning miner; per miner, the try number of its first valid try (-1:
        none) and the tries made; ``exhausted`` >= 0 names a miner that ran out of nonces
        (then the other values mean nothing).
    """
    n = rates.shape[0]
    found = np.full(n, -1, np.int64)
    done = np.zeros(n, np.int64)
    round_no = 0
    while True:
        round_no += 1
        horizon = round_no * step  # multiply, do not accumulate, to avoid drift
        for i in range(n):
            if found[i] >= 0:
                continue  # later tries of a finder cannot beat its first one
            due = min(np.int64(math.floor(rates[i] * horizon)), nonce_space)
            if due <= done[i]:
                continue
            start = i * nonce_space
            nonce = search(mids[i], tails[i], target, accept_all, start + done[i], due - done[i])
            if nonce < 0:
                done[i] = due
                if due == nonce_space:
                    return -1, found, done, i
            else:
                found[i] = nonce - start
                done[i] = found[i] + 1
        winner = -1
        t_win = math.inf
        for i in range(n):  # earliest valid try; ties go to the lower index
            if found[i] >= 0:
                t = (found[i] + 1) / rates[i]
                if t < t_win:
                    t_win, winner = t, i
        if winner < 0:
            continue
        # Guard against float rounding in floor(rate * horizon): every miner still
        # searching must have done all its tries up to the winning time.
        complete = True
        for i in range(n):
            if found[i] < 0 and (done[i] + 1) / rates[i] <= t_win:
                complete = False
                break
        if complete:
            return winner, found, done, -1
