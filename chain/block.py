"""Block headers, blocks and the genesis block.

A block's hash is SHA-256 over its header only, in a fixed-size binary form
(:data:`HEADER_FORMAT`, 97 bytes, big-endian)::

    index        Q    8 bytes
    prev_hash    32s 32 bytes
    merkle_root  32s 32 bytes   commits to the transactions
    timestamp    d    8 bytes   IEEE-754 double, simulation time [h]
    difficulty   B    1 byte    leading hex zeros required
    miner_id     Q    8 bytes
    nonce        Q    8 bytes   last, so the 89-byte prefix is hashed once per search

The transactions are committed through the Merkle root, so a nonce try costs
one hash of this short header whatever the size of the block.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import numbers
import operator
import re
import struct
from dataclasses import dataclass
from typing import Any

from chain.errors import ChainError
from chain.merkle import EMPTY_MERKLE_ROOT, transactions_root
from chain.pow import MAX_HEADER_DIFFICULTY, difficulty_target, search_nonce
from chain.transaction import Transaction

__all__ = [
    "HEADER_FORMAT",
    "HEADER_SIZE",
    "PREFIX_SIZE",
    "ZERO_HASH",
    "Block",
    "BlockHeader",
    "make_genesis_block",
    "meets_difficulty",
]

#: ``struct`` format of the canonical header; the nonce is the last field.
HEADER_FORMAT = ">Q32s32sdBQQ"
_HEADER = struct.Struct(HEADER_FORMAT)
_PREFIX = struct.Struct(HEADER_FORMAT[:-1])

#: Size of the canonical header [bytes] (97).
HEADER_SIZE = _HEADER.size
#: Size of the header without its nonce [bytes] (89).
PREFIX_SIZE = _PREFIX.size

#: Previous hash of the genesis block.
ZERO_HASH = bytes(32)

_U64_MAX = 2**64 - 1
_HEX64 = re.compile(r"[0-9a-f]{64}")
_HEADER_KEYS = frozenset(
    {"index", "prev_hash", "merkle_root", "timestamp", "difficulty", "nonce", "miner_id"}
)
_BLOCK_KEYS = frozenset({"hash", "header", "transactions"})


def meets_difficulty(digest: bytes, difficulty: int) -> bool:
    """Tell whether a hash meets a proof-of-work difficulty.

    Parameters
    ----------
    digest : bytes
        32-byte SHA-256 digest.
    difficulty : int
        Required number of leading zeros of ``digest.hex()``, 0..64.

    Returns
    -------
    bool
        True when ``digest.hex()`` starts with ``difficulty`` zeros (computed
        as one bytes comparison against a cached target).
    """
    return digest < difficulty_target(difficulty)


@dataclass(frozen=True, slots=True)
class BlockHeader:
    """The hashed part of a block.

    Parameters
    ----------
    index : int
        Height of the block (0 = genesis), 0..2**64-1.
    prev_hash : bytes
        32-byte hash of the previous block (:data:`ZERO_HASH` for genesis).
    merkle_root : bytes
        32-byte Merkle root of the block's transactions.
    timestamp : float
        Simulation time at which mining started [h], finite.
    difficulty : int
        Required leading hex zeros of the block hash, 0..64.
    nonce : int
        Proof-of-work nonce, 0..2**64-1.
    miner_id : int
        Id of the miner that found the block, 0..2**64-1.

    Raises
    ------
    ChainError
        If a field has a wrong type or is out of range.
    """

    index: int
    prev_hash: bytes
    merkle_root: bytes
    timestamp: float
    difficulty: int
    nonce: int
    miner_id: int

    def __post_init__(self) -> None:
        for name in ("index", "nonce", "miner_id"):
            object.__setattr__(self, name, _as_int(name, getattr(self, name), 0, _U64_MAX))
        object.__setattr__(
            self, "difficulty", _as_int("difficulty", self.difficulty, 0, MAX_HEADER_DIFFICULTY)
        )
        for name in ("prev_hash", "merkle_root"):
            value = getattr(self, name)
            if not isinstance(value, bytes) or len(value) != 32:
                raise ChainError(f"header {name} must be 32 bytes, got {value!r}")
        ts = self.timestamp
        if isinstance(ts, bool) or not isinstance(ts, numbers.Real) or not math.isfinite(ts):
            raise ChainError(f"header timestamp must be a finite number [h], got {ts!r}")
        object.__setattr__(self, "timestamp", float(ts))

    def to_bytes(self) -> bytes:
        """Return the canonical 97-byte form (see the module docstring)."""
        return _HEADER.pack(
            self.index,
            self.prev_hash,
            self.merkle_root,
            self.timestamp,
            self.difficulty,
            self.miner_id,
            self.nonce,
        )

    def prefix_bytes(self, miner_id: int | None = None) -> bytes:
        """Return the first 89 canonical bytes: everything but the nonce.

        Parameters
        ----------
        miner_id : int or None
            Use this miner id instead of the header's (each competing miner
            hashes the header with its own id; this avoids building a header
            per miner).

        Returns
        -------
        bytes
            89 bytes; ``to_bytes()`` is this followed by the 8-byte nonce.
        """
        return _PREFIX.pack(
            self.index,
            self.prev_hash,
            self.merkle_root,
            self.timestamp,
            self.difficulty,
            self.miner_id if miner_id is None else miner_id,
        )

    def compute_hash(self) -> bytes:
        """Return SHA-256 of :meth:`to_bytes` (32 raw bytes)."""
        return hashlib.sha256(self.to_bytes()).digest()

    @classmethod
    def from_bytes(cls, data: bytes) -> BlockHeader:
        """Inverse of :meth:`to_bytes`."""
        if len(data) != HEADER_SIZE:
            raise ChainError(f"header must be {HEADER_SIZE} bytes, got {len(data)}")
        index, prev, root, ts, diff, miner, nonce = _HEADER.unpack(data)
        return cls(index, prev, root, ts, diff, nonce, miner)

    def to_dict(self) -> dict[str, Any]:
        """Return the fields as a JSON-compatible dict (hashes as lowercase hex)."""
        return {
            "index": self.index,
            "prev_hash": self.prev_hash.hex(),
            "merkle_root": self.merkle_root.hex(),
            "timestamp": self.timestamp,
            "difficulty": self.difficulty,
            "nonce": self.nonce,
            "miner_id": self.miner_id,
        }

    @classmethod
    def from_dict(cls, data: Any) -> BlockHeader:
        """Build a header from :meth:`to_dict` output; strict about keys and types.

        Raises
        ------
        ChainError
            On unknown or missing keys, wrong types or malformed hex.
        """
        _check_keys("header", data, _HEADER_KEYS)
        return cls(
            index=data["index"],
            prev_hash=_from_hex("prev_hash", data["prev_hash"]),
            merkle_root=_from_hex("merkle_root", data["merkle_root"]),
            timestamp=data["timestamp"],
            difficulty=data["difficulty"],
            nonce=data["nonce"],
            miner_id=data["miner_id"],
        )


@dataclass(frozen=True, slots=True)
class Block:
    """A header, the transactions it commits to, and its hash.

    The constructor checks types only; whether the hash, Merkle root and links
    are right is the job of :func:`chain.validation.validate_chain`, so that a
    damaged block can still be represented and reported.

    Parameters
    ----------
    header : BlockHeader
    transactions : tuple of Transaction
        In block order (a list is converted to a tuple).
    hash : bytes
        32-byte hash of ``header`` as stored.
    """

    header: BlockHeader
    transactions: tuple[Transaction, ...]
    hash: bytes

    def __post_init__(self) -> None:
        if not isinstance(self.header, BlockHeader):
            raise ChainError(
                f"block header must be a BlockHeader, got {type(self.header).__name__}"
            )
        txs = tuple(self.transactions)
        for tx in txs:
            if not isinstance(tx, Transaction):
                raise ChainError(
                    f"block transactions must be Transactions, got {type(tx).__name__}"
                )
        object.__setattr__(self, "transactions", txs)
        if not isinstance(self.hash, bytes) or len(self.hash) != 32:
            raise ChainError(f"block hash must be 32 bytes, got {self.hash!r}")

    @property
    def index(self) -> int:
        """Height of the block (``header.index``)."""
        return self.header.index

    @property
    def tx_ids(self) -> tuple[str, ...]:
        """Ids of the block's transactions, in block order."""
        return tuple(tx.tx_id for tx in self.transactions)

    def computed_merkle_root(self) -> bytes:
        """Merkle root recomputed from the transactions (32 bytes)."""
        return transactions_root(self.transactions)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-compatible dict: ``hash`` (hex), ``header``, ``transactions``."""
        return {
            "hash": self.hash.hex(),
            "header": self.header.to_dict(),
            "transactions": [tx.to_dict() for tx in self.transactions],
        }

    @classmethod
    def from_dict(cls, data: Any) -> Block:
        """Build a block from :meth:`to_dict` output; strict about keys and types.

        Raises
        ------
        ChainError
            On unknown or missing keys, wrong types or malformed hex.
        """
        _check_keys("block", data, _BLOCK_KEYS)
        txs = data["transactions"]
        if not isinstance(txs, list):
            raise ChainError(f"block transactions must be a list, got {type(txs).__name__}")
        return cls(
            header=BlockHeader.from_dict(data["header"]),
            transactions=tuple(Transaction.from_dict(tx) for tx in txs),
            hash=_from_hex("hash", data["hash"]),
        )


def make_genesis_block(difficulty: int, timestamp: float = 0.0) -> Block:
    """Mine the genesis block of a chain.

    Parameters
    ----------
    difficulty : int
        Difficulty of the chain (leading hex zeros), 0..64.
    timestamp : float
        Simulation time of the genesis block [h].

    Returns
    -------
    Block
        Index 0, previous hash :data:`ZERO_HASH`, no transactions (Merkle root
        ``sha256(b"")``), miner id 0, and the first valid nonce from 0 --
        deterministic for a given difficulty and timestamp.
    """
    template = BlockHeader(
        index=0,
        prev_hash=ZERO_HASH,
        merkle_root=EMPTY_MERKLE_ROOT,
        timestamp=timestamp,
        difficulty=difficulty,
        nonce=0,
        miner_id=0,
    )
    prefix_hasher = hashlib.sha256(template.prefix_bytes())
    nonce = search_nonce(prefix_hasher, difficulty_target(template.difficulty), 0, 2**64)
    if nonce is None:  # pragma: no cover - a 64-bit nonce space is never exhausted
        raise ChainError(f"no genesis nonce meets difficulty {difficulty}")
    header = dataclasses.replace(template, nonce=nonce)
    return Block(header, (), header.compute_hash())


def _as_int(name: str, value: Any, low: int, high: int) -> int:
    """Return ``value`` as a plain int in ``low..high``; refuse bools and floats."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ChainError(f"header {name} must be an int, got {value!r}")
    value = operator.index(value)
    if not low <= value <= high:
        raise ChainError(f"header {name} must be in {low}..{high}, got {value}")
    return value


def _from_hex(name: str, text: Any) -> bytes:
    """Decode a 64-digit lowercase hex string to 32 bytes."""
    # A strict pattern: bytes.fromhex alone would accept upper case and spaces.
    if not isinstance(text, str) or not _HEX64.fullmatch(text):
        raise ChainError(f"{name} must be 64 lowercase hex digits, got {text!r}")
    return bytes.fromhex(text)


def _check_keys(what: str, data: Any, expected: frozenset[str]) -> None:
    """Raise ChainError unless ``data`` is a dict with exactly the keys ``expected``."""
    if not isinstance(data, dict):
        raise ChainError(f"{what} must be a JSON object, got {type(data).__name__}")
    keys = set(data)
    if keys != expected:
        parts = []
        if expected - keys:
            parts.append(f"missing keys {sorted(expected - keys)}")
        if keys - expected:
            parts.append(f"unknown keys {sorted(map(str, keys - expected))}")
        raise ChainError(f"{what}: " + ", ".join(parts))
