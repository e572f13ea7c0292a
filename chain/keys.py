"""Ed25519 keys of the trading participants: who may sign a trade, and the key registry.

Why signatures
--------------
With difficulty 3 anyone can re-mine a whole chain in seconds, so a valid hash chain only
proves that *somebody* did the work, not that the trades on it happened.  Each transaction is
therefore signed by its buyer and by its seller (the aggregator, id 0, signs its side of grid
trades).

Block statements
----------------
A party does not sign each of its trades on its own: it signs, once per block, the list of
its trades in that block -- its *block statement*, as a bank customer signs a statement
rather than every line of it.  The statement of participant ``p`` is::

    STATEMENT_DOMAIN || p (8 bytes, big-endian) || n (4 bytes) || d_1 || ... || d_n

where ``d_1 ... d_n`` are the :meth:`~chain.transaction.Transaction.signing_digest` of
``p``'s ``n`` transactions in the block, in block order (SHA-256 of
:data:`chain.transaction.SIGNING_DOMAIN` and the canonical JSON of the transaction without
its signatures, so every field -- id, hour, kind, buyer, seller, kWh, prices -- is covered).
Each of those transactions carries ``p``'s one signature in its ``buyer_signature`` or
``seller_signature`` field.  A statement signature copied onto another transaction, kept on
an altered one, or left on a statement from which a trade was removed, does not verify; the
signatures are part of the transactions' canonical bytes, hence of the Merkle root and the
block hash.  What a statement cannot show is a removed trade that was the only trade of both
its parties in the block: ``verify-chain --tip`` covers that.

Why per block: a year of 100 homes has 352,293 trades, 704,586 trade sides, but only 364,169
(party, block) pairs -- the aggregator is a party of every grid trade -- so about half the
Ed25519 signatures, the largest single cost of a signed run, and half the verifications.
A block is the natural unit: it is the unit that is validated (a statement never spans two
blocks) and the model knows the blocks when it signs (consecutive groups of
``max_transactions_per_block`` trades of an hour, see :meth:`KeyRing.sign_block`).

Trust root: the key registry
----------------------------
A forger who re-mines the whole chain could also put his own public keys into it, so the
public keys are *not* taken from the chain.  A run writes them to a separate file,
:data:`KEYS_FILE` (``keys.json``) next to ``chain.jsonl``, and the verifier checks every
signature against the registry it is given.  The registry is only worth what its custody is
worth: record its :attr:`KeyRegistry.fingerprint` (printed by ``verify-chain``) somewhere the
forger cannot write, or keep the file itself there.  Registry file (JSON, ASCII, this exact
layout; the reader refuses any other bytes)::

    {
     "format": "prosumer-community-keys",
     "version": 1,
     "algorithm": "ed25519",
     "participants": 3,
     "fingerprint": "<sha256 hex>",
     "keys": {
      "0": "<32-byte raw public key, hex>",
      "1": "...",
      "2": "..."
     }
    }

``keys`` maps each participant id (decimal, ascending) to its raw public key.  The
fingerprint is SHA-256 over ``canonical_json({"algorithm": "ed25519", "keys": keys})``: it
names the set of keys, so two registries with the same fingerprint accept the same
signatures.  The reader also refuses a key used by two participants (one could sign for the
other) and the small-order and non-canonical point encodings, for which anyone can make
"signatures" that verify.

Keys of a simulation run
------------------------
By default a run draws fresh keys from the operating system's entropy
(:meth:`KeyRing.generate`): nobody can rebuild them from anything public. The run writes them
to a private key file of their own (:meth:`KeyRing.write_private`, mode 0600, format
:data:`PRIVATE_KEYS_FORMAT_NAME`), which :meth:`KeyRegistry.read` refuses to take for a public
registry. With ``reproducible_keys=True`` instead, :meth:`KeyRing.from_seed` derives
participant ``i``'s private key as ``SHA-256(KEY_DOMAIN || seed || i as 8 bytes big-endian)``
(an Ed25519 private key is any 32 bytes), so the same seed gives the same keys, signatures and
chain file, bit for bit (Ed25519 signing is deterministic), and a participant's key does not
depend on who else takes part. The model takes the seed from its random generator without
drawing from it (see ``community_model.ledger``). Whoever knows the seed can sign for
everybody: these keys make a *simulation* reproducible, and a seed can be recovered from a
public ``keys.json`` by trying seeds (about 140 a second per core), after which anyone can
forge trades that verify.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chain.atomic_files import write_atomic
from chain.errors import ChainError, KeyRegistryError
from chain.transaction import Transaction, canonical_json

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


def _invalid_signature() -> type[Exception]:
    from cryptography.exceptions import InvalidSignature

    return InvalidSignature


def _ed25519():
    """cryptography's Ed25519 classes, imported on first use (not by ``import chain``)."""
    from cryptography.hazmat.primitives.asymmetric import ed25519

    return ed25519


__all__ = [
    "KEYS_FILE",
    "KEYS_FORMAT_NAME",
    "KEYS_FORMAT_VERSION",
    "PRIVATE_KEYS_FORMAT_NAME",
    "KEY_DOMAIN",
    "STATEMENT_DOMAIN",
    "KeyRegistry",
    "KeyRing",
    "block_statements",
    "put_signatures",
]

#: Name of the key registry file a run writes next to its ``chain.jsonl``.
KEYS_FILE = "keys.json"
#: Value of ``"format"`` in a key registry file.
KEYS_FORMAT_NAME = "prosumer-community-keys"
#: Value of ``"format"`` in a private key file (:meth:`KeyRing.write_private`).
PRIVATE_KEYS_FORMAT_NAME = "prosumer-community-private-keys"
#: Permission bits of a private key file: readable and writable by its owner only.
PRIVATE_KEYS_MODE = 0o600
#: Version of the registry file format written and read by this module.
KEYS_FORMAT_VERSION = 1
#: Prefix of a block statement (domain separation from every other signed message).
STATEMENT_DOMAIN = b"prosumer-community-chain/block-statement/v1\n"
#: Domain separation of the derivation of a run's private keys from its seed.
KEY_DOMAIN = b"prosumer-community-chain/ed25519-key/v1\n"

_ALGORITHM = "ed25519"
_FILE_KEYS = ("format", "version", "algorithm", "participants", "fingerprint", "keys")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_DECIMAL = re.compile(r"0|[1-9][0-9]{0,18}")
_U64_MAX = 2**64 - 1
# The points of small order of edwards25519 have y (mod p) in this set (0, 1, -1 and the
# two y of the points of order 8): with such a public key A, [k]A is often the identity, and
# a fixed "signature" (e.g. 64 zero bytes) verifies for many messages a forger can pick.
_P = 2**255 - 19
_Y8 = 2707385501144840649318225287225658788936804267575313519463743609750303402022
_SMALL_ORDER_Y = frozenset({0, 1, _P - 1, _Y8, _P - _Y8})


def _weak_key_reason(raw: bytes) -> str | None:
    """Why a raw Ed25519 public key must not be trusted, or None."""
    y = int.from_bytes(raw, "little") & (2**255 - 1)
    if y >= _P:
        return "is not a canonical point encoding"
    if y in _SMALL_ORDER_Y:
        return "is a point of small order (anyone could forge its signatures)"
    return None


def block_statements(txs: Sequence[Transaction]) -> dict[int, bytes]:
    """Every party's block statement (module docstring) for the transactions of one block.

    Parameters
    ----------
    txs : sequence of Transaction
        The block's transactions, in block order.

    Returns
    -------
    dict of int to bytes
        Participant id -> the bytes it signs, in order of first appearance.
    """
    digests: dict[int, list[bytes]] = {}
    for tx in txs:
        digest = tx.signing_digest()
        digests.setdefault(tx.buyer, []).append(digest)
        digests.setdefault(tx.seller, []).append(digest)
    return {pid: _statement(pid, ds) for pid, ds in digests.items()}


def put_signatures(
    txs: Sequence[Transaction], signatures: Mapping[int, bytes]
) -> tuple[Transaction, ...]:
    """The transactions of one block carrying their buyer's and seller's statement
    signatures (``signatures``: participant id -> signature, from
    :meth:`KeyRing.statement_signatures`)."""
    return tuple(tx.with_signatures(signatures[tx.buyer], signatures[tx.seller]) for tx in txs)


def _statement(pid: int, digests: list[bytes]) -> bytes:
    return b"".join(
        [STATEMENT_DOMAIN, pid.to_bytes(8, "big"), len(digests).to_bytes(4, "big"), *digests]
    )


def _signature_of(tx: Transaction, pid: int) -> bytes | None:
    return tx.buyer_signature if tx.buyer == pid else tx.seller_signature


def _list_ids(ids: list[str], shown: int = 6) -> str:
    if len(ids) <= shown:
        return ", ".join(ids)
    return ", ".join(ids[:shown]) + f" and {len(ids) - shown} more"


class KeyRegistry:
    """The public keys of the participants: the trust root of signature checks.

    Parameters
    ----------
    public_keys : mapping of int to bytes
        Participant id (0..2**64-1; 0 is the aggregator) -> 32-byte raw Ed25519 public key.

    Raises
    ------
    ChainError
        On a bad id or key, a weak key, or one key used by two participants.
    """

    def __init__(self, public_keys: Mapping[int, bytes]) -> None:
        raw: dict[int, bytes] = {}
        owner: dict[bytes, int] = {}
        for pid, key in sorted(public_keys.items()):
            if isinstance(pid, bool) or not isinstance(pid, int) or not 0 <= pid <= _U64_MAX:
                raise ChainError(f"participant id must be an int in 0..2**64-1, got {pid!r}")
            if not isinstance(key, bytes) or len(key) != 32:
                raise ChainError(f"public key of participant {pid} must be 32 bytes, got {key!r}")
            weak = _weak_key_reason(key)
            if weak is not None:
                raise ChainError(f"public key of participant {pid} {weak}")
            if key in owner:
                raise ChainError(
                    f"participants {owner[key]} and {pid} have the same public key "
                    "(one could sign for the other)"
                )
            owner[key] = pid
            raw[pid] = key
        self._raw = raw
        public_key = _ed25519().Ed25519PublicKey.from_public_bytes
        self._keys = {pid: public_key(key) for pid, key in raw.items()}
        self.fingerprint = hashlib.sha256(
            canonical_json({"algorithm": _ALGORITHM, "keys": self._hex_keys()})
        ).hexdigest()

    # -- content -----------------------------------------------------------------------------

    @property
    def ids(self) -> tuple[int, ...]:
        """Participant ids with a key, ascending."""
        return tuple(self._raw)

    def __len__(self) -> int:
        """Number of participants with a key."""
        return len(self._raw)

    def __contains__(self, pid: object) -> bool:
        return pid in self._raw

    def public_key_bytes(self, pid: int) -> bytes:
        """Raw 32-byte public key of participant ``pid`` (``KeyError`` if it has none)."""
        return self._raw[pid]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, KeyRegistry) and self._raw == other._raw

    def __reduce__(self) -> tuple[Any, ...]:
        # the library's key objects cannot be pickled; the raw bytes can (models are
        # pickled, e.g. to hand them between processes)
        return (KeyRegistry, (self._raw,))

    def __repr__(self) -> str:
        return f"KeyRegistry({len(self)} keys, fingerprint {self.fingerprint[:16]}...)"

    def _hex_keys(self) -> dict[str, str]:
        return {str(pid): key.hex() for pid, key in self._raw.items()}

    # -- checking ----------------------------------------------------------------------------

    def check_block(self, txs: Sequence[Transaction]) -> str | None:
        """Check the signatures of one block's transactions against this registry.

        Every transaction must carry its buyer's and its seller's signature; all of one
        party's transactions in the block must carry the same signature, and it must verify
        over the party's block statement (module docstring) with the party's registered key.

        Parameters
        ----------
        txs : sequence of Transaction
            The block's transactions, in block order.

        Returns
        -------
        str or None
            ``None`` when every statement verifies; otherwise the reason, naming the
            transaction(s), e.g. ``"transaction h000003-p2p-000001: the seller's signature
            (participant 17) does not verify over its statement of the block's trades
            h000003-p2p-000001, h000003-p2p-000004 (a forged, altered or removed trade, or
            signed by someone else)"``.
        """
        for tx in txs:
            for role, pid, signature in (
                ("buyer", tx.buyer, tx.buyer_signature),
                ("seller", tx.seller, tx.seller_signature),
            ):
                if signature is None:
                    return f"transaction {tx.tx_id}: not signed by its {role} (participant {pid})"
        firsts: dict[int, Transaction] = {}
        members: dict[int, list[str]] = {}
        for tx in txs:
            for pid in (tx.buyer, tx.seller):
                first = firsts.setdefault(pid, tx)
                members.setdefault(pid, []).append(tx.tx_id)
                if _signature_of(tx, pid) != _signature_of(first, pid):
                    return (
                        f"transaction {tx.tx_id}: participant {pid}'s signature differs from "
                        f"its signature on {first.tx_id} in the same block (one statement, "
                        "one signature per party and block)"
                    )
        for pid, statement in block_statements(txs).items():
            tx = firsts[pid]
            role = "buyer" if tx.buyer == pid else "seller"
            key = self._keys.get(pid)
            if key is None:
                return (
                    f"transaction {tx.tx_id}: its {role}, participant {pid}, "
                    "has no key in the key registry"
                )
            try:
                key.verify(_signature_of(tx, pid), statement)
            except _invalid_signature():
                return (
                    f"transaction {tx.tx_id}: the {role}'s signature (participant {pid}) does "
                    f"not verify over its statement of the block's trades "
                    f"{_list_ids(members[pid])} (a forged, altered or removed trade, or signed "
                    "by someone else)"
                )
        return None

    # -- file --------------------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        """Return the registry file's bytes (layout of the module docstring)."""
        data = {
            "format": KEYS_FORMAT_NAME,
            "version": KEYS_FORMAT_VERSION,
            "algorithm": _ALGORITHM,
            "participants": len(self),
            "fingerprint": self.fingerprint,
            "keys": self._hex_keys(),
        }
        return (json.dumps(data, indent=1, ensure_ascii=True) + "\n").encode("ascii")

    @classmethod
    def from_bytes(cls, data: bytes) -> KeyRegistry:
        """Parse a registry file's bytes; refuse anything but :meth:`to_bytes` output.

        Raises
        ------
        KeyRegistryError
            Not a registry, damaged (any changed byte), wrong fingerprint, bad or weak keys.
        """
        if not isinstance(data, bytes):
            raise KeyRegistryError(f"expected bytes, got {type(data).__name__}")
        try:
            text = data.decode("ascii")
            parsed = json.loads(text, parse_constant=_refuse_constant)
        except UnicodeDecodeError as exc:
            raise KeyRegistryError(
                f"non-ASCII byte at offset {exc.start} (registry files are ASCII)"
            ) from None
        except (ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError
            raise KeyRegistryError(f"not valid JSON: {exc}") from None
        if isinstance(parsed, dict) and parsed.get("format") == PRIVATE_KEYS_FORMAT_NAME:
            raise KeyRegistryError(
                "this is a private key file, not a public key registry (keep it secret; "
                f"give the run's {KEYS_FILE})"
            )
        if not isinstance(parsed, dict) or parsed.get("format") != KEYS_FORMAT_NAME:
            raise KeyRegistryError(f"not a {KEYS_FORMAT_NAME} file")
        if tuple(parsed) != _FILE_KEYS:
            raise KeyRegistryError(f"a key registry must have exactly the keys {_FILE_KEYS}")
        version = parsed["version"]
        if type(version) is not int or version != KEYS_FORMAT_VERSION:
            raise KeyRegistryError(
                f"unsupported key registry version {version!r} "
                f"(this reader reads version {KEYS_FORMAT_VERSION})"
            )
        if parsed["algorithm"] != _ALGORITHM:
            raise KeyRegistryError(f"unsupported algorithm {parsed['algorithm']!r}")
        keys = parsed["keys"]
        if not isinstance(keys, dict):
            raise KeyRegistryError("keys must be an object: participant id -> public key hex")
        public: dict[int, bytes] = {}
        for pid, key in keys.items():
            if not _DECIMAL.fullmatch(pid) or int(pid) > _U64_MAX:
                raise KeyRegistryError(f"participant id {pid!r} is not a decimal int 0..2**64-1")
            if not isinstance(key, str) or not _HEX64.fullmatch(key):
                raise KeyRegistryError(
                    f"public key of participant {pid} must be 64 lowercase hex digits"
                )
            public[int(pid)] = bytes.fromhex(key)
        try:
            registry = cls(public)
        except ChainError as exc:
            raise KeyRegistryError(str(exc)) from None
        if parsed["fingerprint"] != registry.fingerprint:
            raise KeyRegistryError(
                f"fingerprint {parsed['fingerprint']!r} does not match its keys "
                f"({registry.fingerprint})"
            )
        if type(parsed["participants"]) is not int or parsed["participants"] != len(registry):
            raise KeyRegistryError(
                f"participants {parsed['participants']!r} does not match its {len(registry)} keys"
            )
        canonical = registry.to_bytes()
        if data != canonical:
            offset = next(
                (i for i, (a, b) in enumerate(zip(data, canonical, strict=False)) if a != b),
                min(len(data), len(canonical)),
            )
            raise KeyRegistryError(f"not in canonical form from byte {offset} (changed byte?)")
        return registry

    def write(self, path: str | os.PathLike[str]) -> None:
        """Write the registry file atomically (temporary file, then rename)."""
        data = self.to_bytes()
        write_atomic(path, lambda tmp: tmp.write_bytes(data), fsync=True)

    @classmethod
    def read(cls, path: str | os.PathLike[str]) -> KeyRegistry:
        """Read a registry file (``OSError`` if unreadable, :class:`KeyRegistryError` if bad)."""
        with open(path, "rb") as f:
            return cls.from_bytes(f.read())


class KeyRing:
    """The participants' private keys, held by the simulation on their behalf.

    Parameters
    ----------
    private_keys : mapping of int to Ed25519PrivateKey
        Participant id -> private key.
    """

    def __init__(self, private_keys: Mapping[int, Ed25519PrivateKey]) -> None:
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

        self._keys = dict(sorted(private_keys.items()))
        self.registry = KeyRegistry(
            {
                pid: key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
                for pid, key in self._keys.items()
            }
        )

    @classmethod
    def from_seed(cls, seed: bytes, participant_ids: Iterable[int]) -> KeyRing:
        """Derive reproducible keys (see the module docstring).

        Parameters
        ----------
        seed : bytes
            Secret seed, at least 16 bytes.
        participant_ids : iterable of int
            Ids that get a key (the aggregator 0 and the prosumers).
        """
        if not isinstance(seed, bytes) or len(seed) < 16:
            raise ChainError("the key seed must be at least 16 bytes")
        keys = {}
        for pid in participant_ids:
            pid = int(pid)
            if not 0 <= pid <= _U64_MAX:
                raise ChainError(f"participant id must be in 0..2**64-1, got {pid}")
            secret = hashlib.sha256(KEY_DOMAIN + seed + pid.to_bytes(8, "big")).digest()
            keys[pid] = _ed25519().Ed25519PrivateKey.from_private_bytes(secret)
        return cls(keys)

    @classmethod
    def generate(cls, participant_ids: Iterable[int]) -> KeyRing:
        """Fresh random keys from the operating system's entropy (not reproducible)."""
        generate = _ed25519().Ed25519PrivateKey.generate
        return cls({int(pid): generate() for pid in participant_ids})

    def __len__(self) -> int:
        return len(self._keys)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_keyring_from_raw, (self.private_bytes(),))

    def private_bytes(self) -> dict[int, bytes]:
        """Participant id -> raw 32-byte Ed25519 private key (secret!)."""
        from cryptography.hazmat.primitives.serialization import (
            Encoding,
            NoEncryption,
            PrivateFormat,
        )

        return {
            pid: key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
            for pid, key in self._keys.items()
        }

    def write_private(self, path: str | os.PathLike[str]) -> Path:
        """Write the private keys to ``path`` (mode 0600, atomically).

        JSON: ``{"format": "prosumer-community-private-keys", "version": 1, "algorithm":
        "ed25519", "fingerprint": <fingerprint of the public registry>, "keys": {id: hex}}``.
        The fingerprint ties the file to the run's ``keys.json``.
        """
        data = {
            "format": PRIVATE_KEYS_FORMAT_NAME,
            "version": KEYS_FORMAT_VERSION,
            "algorithm": _ALGORITHM,
            "fingerprint": self.registry.fingerprint,
            "keys": {str(pid): key.hex() for pid, key in self.private_bytes().items()},
        }
        text = (json.dumps(data, indent=1, ensure_ascii=True) + "\n").encode("ascii")
        return write_atomic(
            path, lambda tmp: tmp.write_bytes(text), mode=PRIVATE_KEYS_MODE, fsync=True
        )

    @classmethod
    def read_private(cls, path: str | os.PathLike[str]) -> KeyRing:
        """Read a file of :meth:`write_private` (``KeyRegistryError`` if it is not one)."""
        with open(path, "rb") as f:
            try:
                parsed = json.loads(f.read().decode("ascii"))
            except (UnicodeDecodeError, ValueError) as exc:
                raise KeyRegistryError(f"not a private key file: {exc}") from None
        if not isinstance(parsed, dict) or parsed.get("format") != PRIVATE_KEYS_FORMAT_NAME:
            raise KeyRegistryError(f"not a {PRIVATE_KEYS_FORMAT_NAME} file")
        try:
            ring = _keyring_from_raw(
                {int(pid): bytes.fromhex(key) for pid, key in parsed["keys"].items()}
            )
        except (KeyError, AttributeError, TypeError, ValueError) as exc:
            raise KeyRegistryError(f"damaged private key file: {exc}") from None
        if ring.registry.fingerprint != parsed.get("fingerprint"):
            raise KeyRegistryError("private key file: fingerprint does not match its keys")
        return ring

    def sign_block(self, txs: Sequence[Transaction]) -> list[Transaction]:
        """Return the transactions of one block signed by their parties' block statements.

        Each party signs its statement (module docstring) once; every one of its
        transactions gets that signature on its side. The transactions must then be mined
        together, as one block, in this order.

        Raises
        ------
        ChainError
            If a party has no key in this ring.
        """
        return list(put_signatures(txs, self.statement_signatures(txs)))

    def statement_signatures(self, txs: Sequence[Transaction]) -> dict[int, bytes]:
        """Every party's signature of its statement of one block (:func:`block_statements`):
        participant id -> 64 bytes. :meth:`sign_block` puts them on the transactions.

        Raises
        ------
        ChainError
            If a party has no key in this ring.
        """
        signatures = {}
        for pid, statement in block_statements(txs).items():
            key = self._keys.get(pid)
            if key is None:
                tx = next(t for t in txs if pid in (t.buyer, t.seller))
                raise ChainError(f"transaction {tx.tx_id}: participant {pid} has no private key")
            signatures[pid] = key.sign(statement)
        return signatures

    def sign_as(self, pid: int, message: bytes) -> bytes:
        """Signature of ``message`` by participant ``pid`` (64 bytes)."""
        return self._keys[pid].sign(message)


def _keyring_from_raw(raw: Mapping[int, bytes]) -> KeyRing:
    """Inverse of :meth:`KeyRing.__reduce__`."""
    private_key = _ed25519().Ed25519PrivateKey.from_private_bytes
    return KeyRing({pid: private_key(key) for pid, key in raw.items()})


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed")
