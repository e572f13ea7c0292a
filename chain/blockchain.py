"""The community's ledger: a chain of mined blocks and a mempool of trades.

Typical use by the simulation, once per simulated hour::

    chain = Blockchain(difficulty=3, max_transactions_per_block=50)
    chain.add_transactions(trades_of_this_hour)
    results = chain.mine_pending(miner_ids, hash_rates, timestamp=hour)
    for r in results:          # one MiningResult per new block
        reward(r.winner_id)

Blocks hold at most ``max_transactions_per_block`` transactions, taken from
the mempool in the order they were added; no empty block is ever mined.

A chain is signed or unsigned throughout (:mod:`chain.validation`, rule 10):
the first transaction added decides.  Given a key registry (``keys``), the
chain checks signatures against it in :meth:`Blockchain.validate` and, unless
``verify_before_mining=False``, already when the mempool is cut into blocks
(:meth:`Blockchain.take_batches`) -- what a node does before it mines a trade.
Signatures are block statements (:mod:`chain.keys`), so they can only be checked
once the blocks are known; transactions of a signed chain must be added as the
blocks they were signed for (:meth:`chain.keys.KeyRing.sign_block`), starting on
an empty mempool or a full block.  ``verify_before_mining=False`` is for a caller
that signed the transactions itself (the simulation), where checking again
would double the cost of signing for nothing.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from chain.block import Block, BlockHeader, make_genesis_block, meets_difficulty
from chain.errors import ChainError
from chain.merkle import transactions_root
from chain.pow import MiningResult, compete
from chain.transaction import Transaction
from chain.validation import validate_chain

if TYPE_CHECKING:
    from chain.keys import KeyRegistry

__all__ = ["MAX_DIFFICULTY", "Blockchain"]

#: Largest difficulty a :class:`Blockchain` accepts: 16**8 ~ 4.3e9 hashes per
#: block is already hours of pure-Python hashing.
MAX_DIFFICULTY = 8


class Blockchain:
    """A growing, always-valid chain of blocks plus a mempool.

    Parameters
    ----------
    difficulty : int
        Leading hex zeros required of every block hash, 0..8.  Expected work
        per block is ``16**difficulty`` [hashes].
    max_transactions_per_block : int
        Largest number of transactions in one block, >= 1.
    genesis_timestamp : float
        Simulation time of the genesis block [h].
    keys : KeyRegistry or None
        Public keys of the participants: every transaction must then be signed by its
        buyer and its seller (:attr:`keys`).  ``None``: signatures are not checked.
    verify_before_mining : bool
        With ``keys``, verify the signatures of each block's transactions when the mempool
        is cut into blocks (else only their presence is checked when they are added, and
        :meth:`validate` verifies them).

    Raises
    ------
    ValueError
        If a parameter is out of range (the message names it, its value and
        the allowed range).
    """

    def __init__(
        self,
        difficulty: int = 3,
        max_transactions_per_block: int = 50,
        genesis_timestamp: float = 0.0,
        keys: KeyRegistry | None = None,
        verify_before_mining: bool = True,
    ) -> None:
        self._init_parameters(difficulty, max_transactions_per_block, keys, verify_before_mining)
        self._blocks: list[Block] = []
        self._ids: set[str] = set()  # ids on the chain and in the mempool
        self._mempool: list[Transaction] = []
        self._append(make_genesis_block(difficulty, genesis_timestamp))

    def _init_parameters(
        self,
        difficulty: int,
        max_transactions_per_block: int,
        keys: KeyRegistry | None,
        verify_before_mining: bool,
    ) -> None:
        if (
            isinstance(difficulty, bool)
            or not isinstance(difficulty, numbers.Integral)
            or not 0 <= difficulty <= MAX_DIFFICULTY
        ):
            raise ValueError(
                f"difficulty must be an int in 0..{MAX_DIFFICULTY}, got {difficulty!r}"
            )
        if (
            isinstance(max_transactions_per_block, bool)
            or not isinstance(max_transactions_per_block, numbers.Integral)
            or max_transactions_per_block < 1
        ):
            raise ValueError(
                "max_transactions_per_block must be an int >= 1, "
                f"got {max_transactions_per_block!r}"
            )
        if keys is not None and not hasattr(keys, "check_block"):
            raise ValueError(f"keys must be a chain.keys.KeyRegistry, got {keys!r}")
        self.difficulty = int(difficulty)
        self.max_transactions_per_block = int(max_transactions_per_block)
        #: Key registry the signatures are checked against (None: not checked).
        self.keys = keys
        self.verify_before_mining = bool(verify_before_mining)
        #: Whether the chain's transactions are signed (None until the first one).
        self.signed: bool | None = None if keys is None else True

    @classmethod
    def from_blocks(
        cls,
        blocks: Iterable[Block],
        max_transactions_per_block: int = 50,
        keys: KeyRegistry | None = None,
        verify_before_mining: bool = True,
    ) -> Blockchain:
        """Resume a chain from existing blocks (e.g. :func:`chain.persistence.read_chain`).

        Parameters
        ----------
        blocks : iterable of Block
            A valid chain, genesis first; its difficulty is the genesis block's.
        max_transactions_per_block, keys, verify_before_mining
            As for the constructor; with ``keys`` every signature of ``blocks`` is verified.

        Returns
        -------
        Blockchain
            With an empty mempool.

        Raises
        ------
        ChainValidationError
            If the blocks do not form a valid chain.
        """
        blocks = list(blocks)
        validate_chain(blocks, keys=keys)
        chain = cls.__new__(cls)
        chain._init_parameters(
            blocks[0].header.difficulty, max_transactions_per_block, keys, verify_before_mining
        )
        chain._blocks = []
        chain._ids = set()
        chain._mempool = []
        for block in blocks:
            chain._append(block)
        return chain

    # -- state ---------------------------------------------------------------

    @property
    def blocks(self) -> tuple[Block, ...]:
        """All blocks, genesis first (a snapshot tuple)."""
        return tuple(self._blocks)

    @property
    def height(self) -> int:
        """Index of the newest block (0 when only the genesis block exists)."""
        return len(self._blocks) - 1

    @property
    def tip(self) -> Block:
        """The newest block."""
        return self._blocks[-1]

    @property
    def pending(self) -> tuple[Transaction, ...]:
        """Transactions waiting in the mempool, in the order they were added."""
        return tuple(self._mempool)

    def tx_ids(self) -> list[str]:
        """Ids of the transactions recorded on the chain, in chain order."""
        return [tx.tx_id for block in self._blocks for tx in block.transactions]

    def transactions(self) -> Iterator[Transaction]:
        """Iterate over the transactions recorded on the chain, in chain order."""
        for block in self._blocks:
            yield from block.transactions

    def __len__(self) -> int:
        """Number of blocks, genesis included."""
        return len(self._blocks)

    def validate(self) -> None:
        """Re-validate the whole chain, signatures against :attr:`keys` included.

        Raises
        ------
        ChainValidationError
            For the first bad block.
        """
        validate_chain(self._blocks, self.difficulty, self.keys)

    # -- growth --------------------------------------------------------------

    def add_transactions(self, txs: Iterable[Transaction]) -> None:
        """Append transactions to the mempool (all or none).

        Parameters
        ----------
        txs : iterable of Transaction

        Raises
        ------
        ChainError
            If an item is not a Transaction, or a tx id is already on the
            chain, in the mempool, or twice in ``txs``; if it is signed by one
            party only, unsigned in a signed chain (one with :attr:`keys`, or
            whose first transaction was signed) or signed in an unsigned one;
            Nothing is added then.  (With :attr:`keys`, the signatures are verified
            when the mempool is cut into blocks, :meth:`take_batches`.)
        """
        txs = list(txs)
        new_ids: set[str] = set()
        signed = self.signed
        for tx in txs:
            if not isinstance(tx, Transaction):
                raise ChainError(f"expected a Transaction, got {type(tx).__name__}")
            if tx.tx_id in self._ids or tx.tx_id in new_ids:
                raise ChainError(f"duplicate transaction id {tx.tx_id}")
            if not tx.signed and not tx.unsigned:
                raise ChainError(f"transaction {tx.tx_id} is signed by one party only")
            if signed is None:
                signed = tx.signed
            elif tx.signed != signed:
                state = "unsigned in a signed" if signed else "signed in an unsigned"
                raise ChainError(f"transaction {tx.tx_id} is {state} chain")
            new_ids.add(tx.tx_id)
        self._mempool.extend(txs)
        self._ids |= new_ids
        self.signed = signed

    def cut_blocks_to_sign(self, txs: Iterable[Transaction]) -> list[tuple[Transaction, ...]]:
        """Register unsigned transactions of a signed chain and cut them into the blocks they
        will be signed and mined as (here or in another process, see
        ``community_model.background_mining``); append them with :meth:`append_mined` once
        signed (:meth:`chain.keys.KeyRing.sign_block`) and mined.

        Raises
        ------
        ChainError
            If the mempool is not empty (the blocks must follow the tip's directly), the chain
            is unsigned, an item is not an unsigned Transaction, or a tx id is already on the
            chain or twice in ``txs``. Nothing is registered then.
        """
        txs = list(txs)
        if self._mempool:
            raise ChainError("cannot cut blocks to sign while the mempool holds transactions")
        if self.signed is False:
            raise ChainError("cannot cut blocks to sign in an unsigned chain")
        new_ids: set[str] = set()
        for tx in txs:
            if not isinstance(tx, Transaction) or not tx.unsigned:
                raise ChainError(f"expected an unsigned Transaction, got {tx!r:.80}")
            if tx.tx_id in self._ids or tx.tx_id in new_ids:
                raise ChainError(f"duplicate transaction id {tx.tx_id}")
            new_ids.add(tx.tx_id)
        self._ids |= new_ids
        self.signed = True
        size = self.max_transactions_per_block
        return [tuple(txs[i : i + size]) for i in range(0, len(txs), size)]

    def mine_pending(
        self,
        miner_ids: Sequence[int],
        hash_rates: Sequence[float],
        timestamp: float,
    ) -> list[MiningResult]:
        """Mine the whole mempool into blocks, each won by a mining race.

        Parameters
        ----------
        miner_ids : sequence of int
            Distinct ids of the competing miners.
        hash_rates : sequence of float
            Their hash rates [hashes/s].
        timestamp : float
            Simulation time of the new blocks [h], not earlier than the tip's.

        Returns
        -------
        list of MiningResult
            One per new block, in chain order (empty if the mempool was empty).
            See :func:`chain.pow.compete` for the fields.
        """
        is_number = isinstance(timestamp, numbers.Real) and not isinstance(timestamp, bool)
        ts = float(timestamp) if is_number else math.nan
        if not math.isfinite(ts) or ts < self.tip.header.timestamp:
            raise ValueError(
                f"timestamp must be finite and >= the tip's {self.tip.header.timestamp!r} h, "
                f"got {timestamp!r}"
            )
        results = []
        for batch, root in self.take_batches():
            result = compete(self.next_template(root, ts), miner_ids, hash_rates)
            self.append_mined(batch, root, result)
            results.append(result)
        return results

    def take_batches(self) -> list[tuple[tuple[Transaction, ...], bytes]]:
        """Drain the mempool into the blocks it fills, in order.

        Returns
        -------
        list of (transactions, Merkle root)
            At most ``max_transactions_per_block`` transactions each, in the order they
            were added. Mine them in this order (:meth:`next_template`, then
            :meth:`append_mined`), here or in another process.

        Raises
        ------
        ChainError
            With :attr:`keys` and :attr:`verify_before_mining`, if a block's signatures do
            not verify (:meth:`chain.keys.KeyRegistry.check_block`); the mempool is then
            left as it was.
        """
        size = self.max_transactions_per_block
        batches = [tuple(self._mempool[i : i + size]) for i in range(0, len(self._mempool), size)]
        if self.keys is not None and self.verify_before_mining:
            for batch in batches:
                reason = self.keys.check_block(batch)
                if reason is not None:
                    raise ChainError(reason)
        self._mempool.clear()
        return [(batch, transactions_root(batch)) for batch in batches]

    def next_template(self, root: bytes, timestamp: float) -> BlockHeader:
        """Header of the block that would extend the tip (nonce and miner not yet known)."""
        return BlockHeader(
            index=len(self._blocks),
            prev_hash=self.tip.hash,
            merkle_root=root,
            timestamp=timestamp,
            difficulty=self.difficulty,
            nonce=0,
            miner_id=0,
        )

    def append_mined(
        self, batch: tuple[Transaction, ...], root: bytes, result: MiningResult
    ) -> Block:
        """Append the block a mining race found for ``batch``, after checking that it
        extends the tip: index, previous hash, Merkle root, difficulty and proof of work."""
        header = result.header
        problems = [
            (header.index != len(self._blocks), "index does not follow the tip"),
            (header.prev_hash != self.tip.hash, "previous hash is not the tip's"),
            (header.merkle_root != root, "Merkle root is not its transactions'"),
            (header.difficulty != self.difficulty, "difficulty differs from the chain's"),
            (header.compute_hash() != result.hash, "hash is not the header's"),
            (not meets_difficulty(result.hash, self.difficulty), "hash misses the difficulty"),
        ]
        for failed, why in problems:
            if failed:
                raise ChainError(f"mined block {header.index}: {why}")
        block = Block(header, batch, result.hash)
        self._blocks.append(block)
        return block

    def _append(self, block: Block) -> None:
        self._blocks.append(block)
        self._ids.update(block.tx_ids)
        if block.transactions and self.signed is None:
            self.signed = block.transactions[0].signed
