"""Load the compiled proof-of-work race before the first block needs it."""

from __future__ import annotations

from chain import nonce_kernel  # noqa: F401  (loaded now: compete uses it from here on)
from chain.block import ZERO_HASH, BlockHeader
from chain.pow import compete


def warm_up() -> None:
    """Load the compiled race now rather than in the first block mined.

    numba loads its cached machine code on first use (about 0.3 s; a full compile of about
    2 s after an install). The sweep's fork server calls this once, so that the workers
    forked from it start with the race loaded. The result of the tiny race is discarded.
    """
    template = BlockHeader(
        index=0,
        prev_hash=ZERO_HASH,
        merkle_root=ZERO_HASH,
        timestamp=0.0,
        difficulty=1,
        nonce=0,
        miner_id=0,
    )
    compete(template, [0, 1], [1.0, 1.0])
