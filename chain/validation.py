"""Validation of a chain of blocks.

A chain is valid only if, for every block at position ``i`` (in this order of
checks, the first failure being reported):

1. its header index is ``i`` -- catches removed, reordered and duplicated blocks;
2. the genesis block (``i == 0``) has the genesis form: previous hash all
   zeros, no transactions, miner id 0;
3. its difficulty is the chain's difficulty (that of the genesis block, or the
   one expected by the caller), so no block can be re-mined more cheaply;
4. its stored hash is the SHA-256 of its header;
5. that hash meets the difficulty;
6. its previous hash is the hash of block ``i - 1``;
7. its timestamp is not earlier than that of block ``i - 1``;
8. its Merkle root matches its transactions;
9. none of its transaction ids appears earlier in the block or the chain.

Together, 4, 6 and 8 make any change of any header field or transaction
field detectable: a transaction change alters its hash, hence the Merkle
root, hence the header hash.
"""

from __future__ import annotations

from collections.abc import Iterable

from chain.block import ZERO_HASH, Block, meets_difficulty
from chain.errors import ChainValidationError

__all__ = ["ChainChecker", "find_first_invalid", "validate_chain"]


class ChainChecker:
    """Check blocks one at a time, in chain order.

    Used by :func:`validate_chain` and by the file reader, which checks each
    block as soon as it is parsed so that the first bad block is the one
    reported.

    Parameters
    ----------
    difficulty : int or None
        Difficulty every block must have; ``None`` means that of the genesis block.
    """

    def __init__(self, difficulty: int | None = None) -> None:
        self.difficulty = difficulty
        self.previous: Block | None = None
        self.count = 0  # blocks accepted so far = position of the next block
        self.tx_count = 0
        self._seen: dict[str, int] = {}  # tx id -> index of the block holding it

    def check(self, block: Block) -> str | None:
        """Check the next block; accept it if it is valid.

        Parameters
        ----------
        block : Block
            The block expected at position :attr:`count`.

        Returns
        -------
        str or None
            ``None`` if the block is valid (the checker then moves on to the
            next position), otherwise the reason it is not (the checker state
            is unchanged).
        """
        reason = self._reason(block)
        if reason is None:
            for tx_id in block.tx_ids:
                self._seen[tx_id] = self.count
            self.tx_count += len(block.transactions)
            if self.difficulty is None:
                self.difficulty = block.header.difficulty
            self.previous = block
            self.count += 1
        return reason

    def _reason(self, block: Block) -> str | None:
        i = self.count
        if not isinstance(block, Block):
            return f"is not a Block but {type(block).__name__}"
        h = block.header
        if h.index != i:
            return (
                f"index {h.index} out of sequence, expected {i} "
                "(block removed, reordered or duplicated?)"
            )
        if i == 0:
            if h.prev_hash != ZERO_HASH:
                return "genesis block: previous hash is not all zeros"
            if block.transactions:
                return "genesis block: must not contain transactions"
            if h.miner_id != 0:
                return f"genesis block: miner id must be 0, got {h.miner_id}"
        if self.difficulty is not None and h.difficulty != self.difficulty:
            return (
                f"difficulty {h.difficulty} differs from the chain's difficulty {self.difficulty}"
            )
        if block.hash != h.compute_hash():
            return "stored hash does not match its header"
        if not meets_difficulty(block.hash, h.difficulty):
            return (
                f"hash does not meet difficulty {h.difficulty} ({h.difficulty} leading hex zeros)"
            )
        previous = self.previous
        if previous is not None:
            if h.prev_hash != previous.hash:
                return f"previous hash does not link to block {i - 1}"
            if h.timestamp < previous.header.timestamp:
                return (
                    f"timestamp {h.timestamp!r} h is earlier than block {i - 1}'s "
                    f"{previous.header.timestamp!r} h"
                )
        if h.merkle_root != block.computed_merkle_root():
            return "merkle root does not match its transactions"
        in_block: set[str] = set()
        for tx_id in block.tx_ids:
            if tx_id in in_block:
                return f"transaction {tx_id} appears twice in the block"
            if tx_id in self._seen:
                return f"transaction {tx_id} is already recorded in block {self._seen[tx_id]}"
            in_block.add(tx_id)
        return None


def find_first_invalid(
    blocks: Iterable[Block], difficulty: int | None = None
) -> tuple[int, str] | None:
    """Find the first block that breaks a rule of the module docstring.

    Parameters
    ----------
    blocks : iterable of Block
        The chain, genesis first.
    difficulty : int or None
        Difficulty every block must have; ``None`` means that of the genesis block.

    Returns
    -------
    tuple (int, str) or None
        ``(position, reason)`` of the first bad block, or ``None`` if the chain
        is valid.  An empty chain is invalid at position 0 (it lacks a genesis
        block).
    """
    checker = ChainChecker(difficulty)
    for block in blocks:
        reason = checker.check(block)
        if reason is not None:
            return checker.count, reason
    if checker.count == 0:
        return 0, "chain has no blocks (it must start with a genesis block)"
    return None


def validate_chain(blocks: Iterable[Block], difficulty: int | None = None) -> None:
    """Raise if the chain is not valid.

    Parameters
    ----------
    blocks : iterable of Block
        The chain, genesis first.
    difficulty : int or None
        Difficulty every block must have; ``None`` means that of the genesis block.

    Raises
    ------
    ChainValidationError
        For the first bad block, e.g. ``"block 7: merkle root does not match
        its transactions"``; ``block_index`` and ``reason`` are attributes.
    """
    problem = find_first_invalid(blocks, difficulty)
    if problem is not None:
        raise ChainValidationError(*problem)
