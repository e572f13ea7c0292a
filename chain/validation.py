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
9. its transactions' hours are at most the block's timestamp and in order (never earlier
   than a trade before them, in this block or an earlier one) -- a block cannot carry trades
   of a later hour, nor blocks' trade lists be swapped;
10. none of its transaction ids appears earlier in the block or the chain
   (the replay guard: a signed trade copied into another block is refused);
11. its transactions' signatures: with a key registry (``keys``), every
    transaction must carry its buyer's and its seller's signature, and each
    party's signature must verify over its statement of the block's trades
    against the registry's key (:meth:`chain.keys.KeyRegistry.check_block`);
    without one, signatures are not
    checked, but a chain must be signed throughout or unsigned throughout (a
    transaction with one signature only, or an unsigned one among signed ones,
    is refused).

Together, 4, 6 and 8 make any change of any header field or transaction
field detectable: a transaction change alters its hash, hence the Merkle
root, hence the header hash.  But anyone can re-mine a whole chain at the
chain's difficulty, so 1-10 do not stop a forged trade; 11 does, as long as the
key registry comes from outside the chain (see :mod:`chain.keys`); removed blocks
or trades are caught by the anchor (:mod:`chain.anchor`).  Rule 11 is
the only one that needs public-key work (one Ed25519 verification per party
and block); it runs last, after the cheap checks.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from chain.block import ZERO_HASH, Block, meets_difficulty
from chain.errors import ChainValidationError
from chain.merkle import merkle_root

if TYPE_CHECKING:  # for type hints only
    from chain.keys import KeyRegistry

__all__ = ["ChainChecker", "count_statements", "find_first_invalid", "validate_chain"]


def count_statements(txs) -> int:
    """Number of block statements (distinct parties) of one block's transactions."""
    return len({pid for tx in txs for pid in (tx.buyer, tx.seller)})


class ChainChecker:
    """Check blocks one at a time, in chain order.

    Used by :func:`validate_chain` and by the file reader, which checks each
    block as soon as it is parsed so that the first bad block is the one
    reported.

    Parameters
    ----------
    difficulty : int or None
        Difficulty every block must have; ``None`` means that of the genesis block.
    keys : KeyRegistry or None
        Key registry every signature is checked against (rule 11); ``None``: signatures
        are not checked, only their consistency.
    """

    def __init__(self, difficulty: int | None = None, keys: KeyRegistry | None = None) -> None:
        self.difficulty = difficulty
        self.keys = keys
        self.previous: Block | None = None
        self.count = 0  # blocks accepted so far = position of the next block
        self.tx_count = 0
        #: Whether the accepted transactions are signed (None: no transaction yet).
        self.signed: bool | None = None
        #: Block statements (one per party and block) verified against :attr:`keys`.
        self.signatures_verified = 0
        self._seen: dict[str, int] = {}  # tx id -> index of the block holding it
        self.last_hour: int | None = None  # hour of the last accepted transaction

    def check(self, block: Block, leaf_hashes: list[bytes] | None = None) -> str | None:
        """Check the next block; accept it if it is valid.

        Parameters
        ----------
        block : Block
            The block expected at position :attr:`count`.
        leaf_hashes : list of bytes, optional
            SHA-256 of each transaction's canonical bytes, when the caller has them (the
            chain writer serialises each transaction once for the check and the file).

        Returns
        -------
        str or None
            ``None`` if the block is valid (the checker then moves on to the
            next position), otherwise the reason it is not (the checker state
            is unchanged).
        """
        reason = self._reason(block, leaf_hashes)
        if reason is None:
            for tx_id in block.tx_ids:
                self._seen[tx_id] = self.count
            self.tx_count += len(block.transactions)
            if block.transactions:
                self.last_hour = block.transactions[-1].hour
                self.signed = block.transactions[0].signed
                if self.keys is not None:
                    self.signatures_verified += count_statements(block.transactions)
            if self.difficulty is None:
                self.difficulty = block.header.difficulty
            self.previous = block
            self.count += 1
        return reason

    def _reason(self, block: Block, leaf_hashes: list[bytes] | None = None) -> str | None:
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
        root = block.computed_merkle_root() if leaf_hashes is None else merkle_root(leaf_hashes)
        if h.merkle_root != root:
            return "merkle root does not match its transactions"
        hour = self.last_hour
        for tx in block.transactions:
            if tx.hour > h.timestamp:
                return (
                    f"transaction {tx.tx_id} of hour {tx.hour} is in a block of time "
                    f"{h.timestamp!r} h (a block holds only trades of hours up to its own time)"
                )
            if hour is not None and tx.hour < hour:
                return (
                    f"transaction {tx.tx_id} of hour {tx.hour} comes after a trade of hour "
                    f"{hour} (trades must be in the order of their hours)"
                )
            hour = tx.hour
        in_block: set[str] = set()
        for tx_id in block.tx_ids:
            if tx_id in in_block:
                return f"transaction {tx_id} appears twice in the block"
            if tx_id in self._seen:
                return f"transaction {tx_id} is already recorded in block {self._seen[tx_id]}"
            in_block.add(tx_id)
        return self._signature_reason(block)

    def _signature_reason(self, block: Block) -> str | None:
        """Rule 11: signatures against the registry, or their consistency without one."""
        keys = self.keys
        if keys is not None:
            return keys.check_block(block.transactions)
        signed = self.signed
        for tx in block.transactions:
            if not tx.signed and not tx.unsigned:
                missing = "seller" if tx.seller_signature is None else "buyer"
                return f"transaction {tx.tx_id}: signed by one party only, the {missing} is missing"
            if signed is None:
                signed = tx.signed
            elif tx.signed != signed:
                return f"transaction {tx.tx_id} is " + (
                    "signed in an unsigned chain" if tx.signed else "unsigned in a signed chain"
                )
        return None


def find_first_invalid(
    blocks: Iterable[Block], difficulty: int | None = None, keys: KeyRegistry | None = None
) -> tuple[int, str] | None:
    """Find the first block that breaks a rule of the module docstring.

    Parameters
    ----------
    blocks : iterable of Block
        The chain, genesis first.
    difficulty : int or None
        Difficulty every block must have; ``None`` means that of the genesis block.
    keys : KeyRegistry or None
        Check every signature against these keys (rule 11).

    Returns
    -------
    tuple (int, str) or None
        ``(position, reason)`` of the first bad block, or ``None`` if the chain
        is valid.  An empty chain is invalid at position 0 (it lacks a genesis
        block).
    """
    checker = ChainChecker(difficulty, keys)
    for block in blocks:
        reason = checker.check(block)
        if reason is not None:
            return checker.count, reason
    if checker.count == 0:
        return 0, "chain has no blocks (it must start with a genesis block)"
    return None


def validate_chain(
    blocks: Iterable[Block], difficulty: int | None = None, keys: KeyRegistry | None = None
) -> None:
    """Raise if the chain is not valid.

    Parameters
    ----------
    blocks : iterable of Block
        The chain, genesis first.
    difficulty : int or None
        Difficulty every block must have; ``None`` means that of the genesis block.
    keys : KeyRegistry or None
        Check every signature against these keys (rule 11).

    Raises
    ------
    ChainValidationError
        For the first bad block, e.g. ``"block 7: merkle root does not match
        its transactions"``; ``block_index`` and ``reason`` are attributes.
    """
    problem = find_first_invalid(blocks, difficulty, keys)
    if problem is not None:
        raise ChainValidationError(*problem)
