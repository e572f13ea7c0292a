"""Merkle root of a block's transactions (Bitcoin-style, single SHA-256).

The leaves are the transactions' 32-byte hashes in block order.  Each level
hashes the concatenation of adjacent pairs, ``sha256(left + right)``; when a
level has an odd number of nodes the last one is paired with itself.  A single
leaf is its own root, and an empty list has root ``sha256(b"")``.

Pairing the last node with itself means that ``[a, b, c]`` and ``[a, b, c, c]``
have the same root (Bitcoin's CVE-2012-2459).  The chain is immune because
:mod:`chain.validation` refuses a transaction id that appears twice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

__all__ = ["EMPTY_MERKLE_ROOT", "merkle_root", "transactions_root"]

#: Merkle root of a block without transactions (e.g. the genesis block).
EMPTY_MERKLE_ROOT = hashlib.sha256(b"").digest()


def merkle_root(tx_hashes: Sequence[bytes]) -> bytes:
    """Compute the Merkle root of a list of transaction hashes.

    Parameters
    ----------
    tx_hashes : sequence of bytes
        32-byte leaf hashes (:meth:`chain.transaction.Transaction.tx_hash`) in
        block order.

    Returns
    -------
    bytes
        32-byte root.

    Raises
    ------
    ValueError
        If a leaf is not 32 bytes long.
    """
    level = list(tx_hashes)
    for i, leaf in enumerate(level):
        if not isinstance(leaf, bytes) or len(leaf) != 32:
            raise ValueError(f"leaf {i} must be 32 bytes, got {leaf!r}")
    if not level:
        return EMPTY_MERKLE_ROOT
    sha256 = hashlib.sha256
    while len(level) > 1:
        if len(level) % 2:
            level.append(level[-1])
        level = [sha256(level[i] + level[i + 1]).digest() for i in range(0, len(level), 2)]
    return level[0]


def transactions_root(txs: Sequence) -> bytes:
    """Merkle root of a block's transactions (:class:`chain.transaction.Transaction`, in block
    order): :func:`merkle_root` of their :meth:`~chain.transaction.Transaction.tx_hash`."""
    return merkle_root([tx.tx_hash() for tx in txs])
