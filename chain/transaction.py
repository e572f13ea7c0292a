"""Energy trades as immutable transactions with a canonical byte form.

A :class:`Transaction` records one trade of one simulated hour: who bought
how much energy from whom, at what price.  Its :meth:`~Transaction.canonical_bytes`
are the bytes that are hashed into the Merkle root of a block, so they must be
identical on every run and every platform:

* compact JSON (separators ``","`` and ``":"``), keys sorted, ASCII only;
* floats written as Python's ``repr`` (the shortest string that reads back as
  the same IEEE-754 double, e.g. ``0.1`` and ``1.0``), ints as plain digits;
* ``seller_price`` appears only when it is not ``None``, so transactions of
  markets that pay the seller what the buyer pays keep the short form;
* ``buyer_signature`` and ``seller_signature`` (64-byte Ed25519 signatures, as
  128 lowercase hex digits) appear only when present, so unsigned transactions
  (``sign_trades=False``) have exactly the form they had before signatures.

Signatures
----------
Buyer and seller each sign, once per block, a statement listing the
:meth:`Transaction.signing_digest` of their trades in it (:mod:`chain.keys`): SHA-256 of
:meth:`Transaction.signing_bytes`, the ASCII prefix :data:`SIGNING_DOMAIN` followed by
the canonical JSON of the transaction *without* its two signature fields (every other
field is covered).  The prefix keeps a trade digest from standing for anything else.
The signatures are part of :meth:`Transaction.canonical_bytes`, hence of the
transaction's Merkle leaf and of the block hash.  Checking them against the
participants' public keys is done by :class:`chain.keys.KeyRegistry`.
"""

from __future__ import annotations

import hashlib
import json
import math
import numbers
import operator
import re
from dataclasses import dataclass
from typing import Any

from chain.errors import ChainError

#: JSON string literal of a str, ASCII only (what ``json.dumps`` writes for it).
_json_str = json.encoder.encode_basestring_ascii

__all__ = [
    "AGGREGATOR_ID",
    "SIGNATURE_SIZE",
    "SIGNING_DOMAIN",
    "TRANSACTION_KINDS",
    "Transaction",
    "canonical_json",
    "make_tx_id",
]

#: Participant id of the aggregator / grid; prosumer ids are positive ints.
AGGREGATOR_ID = 0

#: Allowed values of :attr:`Transaction.kind`: a trade between two prosumers
#: (``"p2p"``) or a trade with the aggregator's market (``"market"``).
TRANSACTION_KINDS = frozenset({"p2p", "market"})

#: Prefix of the bytes signed by a trade's buyer and seller (domain separation).
SIGNING_DOMAIN = b"prosumer-community-chain/trade/v1\n"
#: Size of an Ed25519 signature [bytes].
SIGNATURE_SIZE = 64

_REQUIRED_KEYS = frozenset({"tx_id", "hour", "kind", "buyer", "seller", "kwh", "price"})
_SIGNATURE_KEYS = ("buyer_signature", "seller_signature")
_INT_FIELDS = ("hour", "buyer", "seller")
_finite = math.isfinite
_OPTIONAL_KEYS = frozenset({"seller_price", *_SIGNATURE_KEYS})
_HEX128 = re.compile(r"[0-9a-f]{128}")


def canonical_json(obj: Any) -> bytes:
    """Serialise ``obj`` as canonical JSON bytes.

    Parameters
    ----------
    obj : Any
        JSON-compatible value (dicts, lists, str, int, finite float, bool, None).

    Returns
    -------
    bytes
        Compact, key-sorted, ASCII-only JSON; floats as their shortest
        round-trip ``repr``.  NaN and infinities are refused (``ValueError``).
    """
    return json.dumps(
        obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False
    ).encode("ascii")


#: The id of the ``seq``-th trade of ``kind`` in ``hour`` (:func:`make_tx_id` checks the parts).
TX_ID_FORMAT = "h{hour:06d}-{kind}-{seq:06d}"


def make_tx_id(hour: int, kind: str, seq: int) -> str:
    """Build the deterministic id of the ``seq``-th trade of ``kind`` in ``hour``.

    Parameters
    ----------
    hour : int
        Simulation hour of the trade [h], >= 0.
    kind : str
        ``"p2p"`` or ``"market"``.
    seq : int
        Sequence number of the trade within that hour and kind, >= 0.

    Returns
    -------
    str
        E.g. ``make_tx_id(5, "p2p", 12) == "h000005-p2p-000012"``.  Distinct
        ``(hour, kind, seq)`` give distinct ids (numbers wider than six digits
        simply make the id longer).
    """
    hour = _as_int("hour", hour)
    seq = _as_int("seq", seq)
    if hour < 0 or seq < 0:
        raise ChainError(f"hour and seq must be >= 0, got hour={hour}, seq={seq}")
    if not isinstance(kind, str) or kind not in TRANSACTION_KINDS:
        raise ChainError(f"kind must be one of {sorted(TRANSACTION_KINDS)}, got {kind!r}")
    return TX_ID_FORMAT.format(hour=hour, kind=kind, seq=seq)


@dataclass(frozen=True, slots=True)
class Transaction:
    """One energy trade.

    Parameters
    ----------
    tx_id : str
        Unique id of the trade within a run, see :func:`make_tx_id`.
    hour : int
        Simulation hour in which the energy is delivered [h], >= 0.
    kind : str
        ``"p2p"`` (prosumer to prosumer) or ``"market"`` (with the aggregator).
    buyer, seller : int
        Participant ids (>= 0); :data:`AGGREGATOR_ID` (0) is the aggregator /
        grid.  ``buyer != seller``.
    kwh : float
        Energy traded [kWh], > 0 and finite.
    price : float
        Price the buyer pays [EUR/kWh], finite (may be negative).
    seller_price : float or None
        Price the seller receives [EUR/kWh] when it differs from ``price``
        (e.g. a market that keeps a spread); ``None`` means equal to ``price``.
    buyer_signature, seller_signature : bytes or None
        64-byte Ed25519 signatures by the buyer and by the seller of their block
        statements, which cover :meth:`signing_digest`, or ``None`` for an unsigned
        transaction (see :meth:`with_signatures` and :meth:`chain.keys.KeyRing.sign_block`).

    Raises
    ------
    ChainError
        If a field has a wrong type or value.  Integer-like values (e.g.
        ``numpy.int64``) are stored as ``int`` and real numbers as ``float``,
        so equal trades always have equal canonical bytes.
    """

    tx_id: str
    hour: int
    kind: str
    buyer: int
    seller: int
    kwh: float
    price: float
    seller_price: float | None = None
    buyer_signature: bytes | None = None
    seller_signature: bytes | None = None

    def __post_init__(self) -> None:
        tx_id = self.tx_id
        if type(tx_id) is not str or not tx_id:
            if not isinstance(tx_id, str) or not tx_id:
                raise ChainError(f"tx_id must be a non-empty str, got {tx_id!r}")
        # (a list or a dict read from a damaged file cannot be looked up in a set)
        if not isinstance(self.kind, str) or self.kind not in TRANSACTION_KINDS:
            raise ChainError(
                f"transaction {tx_id}: kind must be one of "
                f"{sorted(TRANSACTION_KINDS)}, got {self.kind!r}"
            )
        # Normalise numeric types (numpy scalars, ints for floats) so that the canonical form
        # depends only on the values. Plain ints and finite floats, what the simulation
        # passes, take the fast path (a year of 100 homes builds 352,000 transactions).
        hour, buyer, seller = self.hour, self.buyer, self.seller
        if not (type(hour) is int and type(buyer) is int and type(seller) is int):
            hour, buyer, seller = (
                _as_int("hour", hour, tx_id),
                _as_int("buyer", buyer, tx_id),
                _as_int("seller", seller, tx_id),
            )
            object.__setattr__(self, "hour", hour)
            object.__setattr__(self, "buyer", buyer)
            object.__setattr__(self, "seller", seller)
        if hour < 0 or buyer < 0 or seller < 0:
            values = (hour, buyer, seller)
            name, value = next((n, v) for n, v in zip(_INT_FIELDS, values, strict=True) if v < 0)
            raise ChainError(f"transaction {tx_id}: {name} must be >= 0, got {value}")
        if buyer == seller:
            raise ChainError(f"transaction {tx_id}: buyer and seller are both {buyer}")
        kwh, price, seller_price = self.kwh, self.price, self.seller_price
        if not (type(kwh) is float and type(price) is float and _finite(kwh) and _finite(price)):
            kwh = _as_finite_float("kwh", kwh, tx_id)
            price = _as_finite_float("price", price, tx_id)
            object.__setattr__(self, "kwh", kwh)
            object.__setattr__(self, "price", price)
        if seller_price is not None and not (type(seller_price) is float and _finite(seller_price)):
            object.__setattr__(
                self, "seller_price", _as_finite_float("seller_price", seller_price, tx_id)
            )
        if not kwh > 0:
            raise ChainError(f"transaction {tx_id}: kwh must be > 0, got {kwh!r}")
        for name in _SIGNATURE_KEYS:
            value = getattr(self, name)
            if value is not None and (type(value) is not bytes or len(value) != SIGNATURE_SIZE):
                raise ChainError(
                    f"transaction {tx_id}: {name} must be {SIGNATURE_SIZE} bytes or None, "
                    f"got {value!r}"
                )

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickle as the field values, restored without checking them again (they were
        # checked when the transaction was made, and a pickle is trusted code anyway):
        # several times faster than the dataclass default, and a year's trades go to the
        # signing process this way.
        return (
            _restore_transaction,
            (
                self.tx_id, self.hour, self.kind, self.buyer, self.seller, self.kwh, self.price,
                self.seller_price, self.buyer_signature, self.seller_signature,
            ),
        )  # fmt: skip

    @property
    def signed(self) -> bool:
        """True when both the buyer's and the seller's signatures are present."""
        return self.buyer_signature is not None and self.seller_signature is not None

    @property
    def unsigned(self) -> bool:
        """True when neither signature is present."""
        return self.buyer_signature is None and self.seller_signature is None

    def signing_bytes(self) -> bytes:
        """Return the bytes that stand for this trade in its parties' block statements.

        Returns
        -------
        bytes
            :data:`SIGNING_DOMAIN` + canonical JSON of :meth:`to_dict` without the
            signature fields (the same for a signed and an unsigned copy).
        """
        return SIGNING_DOMAIN + self._json(with_signatures=False)

    def signing_digest(self) -> bytes:
        """SHA-256 of :meth:`signing_bytes` (32 bytes): the trade's entry in the block
        statements its buyer and its seller sign (:mod:`chain.keys`)."""
        return hashlib.sha256(self.signing_bytes()).digest()

    def with_signatures(
        self, buyer_signature: bytes | None, seller_signature: bytes | None
    ) -> Transaction:
        """Return a copy carrying the given signatures (``None`` removes one).

        Only the signatures are checked: the other fields were checked when this transaction
        was made (a year of 100 homes puts signatures on 470,000 transactions)."""
        for name, value in zip(_SIGNATURE_KEYS, (buyer_signature, seller_signature), strict=True):
            if value is not None and (type(value) is not bytes or len(value) != SIGNATURE_SIZE):
                raise ChainError(
                    f"transaction {self.tx_id}: {name} must be {SIGNATURE_SIZE} bytes or None, "
                    f"got {value!r}"
                )
        return _restore_transaction(
            self.tx_id, self.hour, self.kind, self.buyer, self.seller, self.kwh, self.price,
            self.seller_price, buyer_signature, seller_signature,
        )  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        """Return the fields as a JSON-compatible dict.

        Returns
        -------
        dict
            Keys ``tx_id, hour, kind, buyer, seller, kwh, price``;
            ``seller_price``, ``buyer_signature`` and ``seller_signature`` (hex) only when
            they are not ``None``.
        """
        d: dict[str, Any] = {
            "tx_id": self.tx_id,
            "hour": self.hour,
            "kind": self.kind,
            "buyer": self.buyer,
            "seller": self.seller,
            "kwh": self.kwh,
            "price": self.price,
        }
        if self.seller_price is not None:
            d["seller_price"] = self.seller_price
        if self.buyer_signature is not None:
            d["buyer_signature"] = self.buyer_signature.hex()
        if self.seller_signature is not None:
            d["seller_signature"] = self.seller_signature.hex()
        return d

    @classmethod
    def from_dict(cls, data: Any) -> Transaction:
        """Build a transaction from a dict made by :meth:`to_dict`.

        Parameters
        ----------
        data : dict
            Must have exactly the keys of :meth:`to_dict`.

        Returns
        -------
        Transaction

        Raises
        ------
        ChainError
            On a non-dict, unknown or missing keys, or wrong types (e.g. a
            string or bool where a number belongs).
        """
        if not isinstance(data, dict):
            raise ChainError(f"transaction must be a JSON object, got {type(data).__name__}")
        keys = set(data)
        missing = _REQUIRED_KEYS - keys
        unknown = keys - _REQUIRED_KEYS - _OPTIONAL_KEYS
        if missing or unknown:
            parts = []
            if missing:
                parts.append(f"missing keys {sorted(missing)}")
            if unknown:
                parts.append(f"unknown keys {sorted(map(str, unknown))}")
            raise ChainError(f"transaction {data.get('tx_id')!r}: " + ", ".join(parts))
        if "seller_price" in data and data["seller_price"] is None:
            # None is expressed by leaving the key out; an explicit null would
            # be a second spelling of the same transaction.
            raise ChainError(f"transaction {data['tx_id']!r}: seller_price must not be null")
        data = dict(data)
        for name in _SIGNATURE_KEYS:
            if name in data:
                text = data[name]
                if not isinstance(text, str) or not _HEX128.fullmatch(text):
                    raise ChainError(
                        f"transaction {data['tx_id']!r}: {name} must be "
                        f"{2 * SIGNATURE_SIZE} lowercase hex digits, got {text!r:.80}"
                    )
                data[name] = bytes.fromhex(text)
        return cls(**data)

    def canonical_bytes(self) -> bytes:
        """Return the canonical serialisation (see the module docstring).

        Returns
        -------
        bytes
            Compact key-sorted ASCII JSON of :meth:`to_dict`, the same bytes as
            ``canonical_json(self.to_dict())`` (a test holds them equal).
        """
        return self._json(with_signatures=True)

    def _json(self, with_signatures: bool) -> bytes:
        """``canonical_json(self.to_dict())`` written directly: the keys and their types are
        fixed, so a template does in about 1 us what ``json.dumps`` does in 7 us. Floats are
        ``repr`` (as ``json`` writes them) and strings are escaped by ``json``'s own encoder."""
        parts = [f'{{"buyer":{self.buyer}']
        if with_signatures and self.buyer_signature is not None:
            parts.append(f',"buyer_signature":"{self.buyer_signature.hex()}"')
        parts.append(
            f',"hour":{self.hour},"kind":{_json_str(self.kind)},"kwh":{self.kwh!r}'
            f',"price":{self.price!r},"seller":{self.seller}'
        )
        if self.seller_price is not None:
            parts.append(f',"seller_price":{self.seller_price!r}')
        if with_signatures and self.seller_signature is not None:
            parts.append(f',"seller_signature":"{self.seller_signature.hex()}"')
        parts.append(f',"tx_id":{_json_str(self.tx_id)}}}')
        return "".join(parts).encode("ascii")

    def tx_hash(self) -> bytes:
        """Return the SHA-256 digest of :meth:`canonical_bytes`.

        Returns
        -------
        bytes
            32 raw bytes, the leaf of this transaction in the block's Merkle tree.
        """
        return hashlib.sha256(self.canonical_bytes()).digest()


_new_transaction = object.__new__
_set_field = object.__setattr__  # (the dataclass is frozen)
_UNSIGNED_FIELDS = (
    "tx_id", "hour", "kind", "buyer", "seller", "kwh", "price", "seller_price",
)  # fmt: skip


def _restore_transaction(
    tx_id, hour, kind, buyer, seller, kwh, price, seller_price, buyer_signature,
    seller_signature,
) -> Transaction:  # fmt: skip
    """A :class:`Transaction` from field values already checked, without checking them again
    (a pickled one, see ``__reduce__``, and :meth:`Transaction.with_signatures`)."""
    tx = _new_transaction(Transaction)
    _set_field(tx, "tx_id", tx_id)
    _set_field(tx, "hour", hour)
    _set_field(tx, "kind", kind)
    _set_field(tx, "buyer", buyer)
    _set_field(tx, "seller", seller)
    _set_field(tx, "kwh", kwh)
    _set_field(tx, "price", price)
    _set_field(tx, "seller_price", seller_price)
    _set_field(tx, "buyer_signature", buyer_signature)
    _set_field(tx, "seller_signature", seller_signature)
    return tx


def _as_int(name: str, value: Any, tx_id: str | None = None) -> int:
    """Return ``value`` as a plain int; refuse bools, floats and strings."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        where = f"transaction {tx_id}: " if tx_id else ""
        raise ChainError(f"{where}{name} must be an int, got {value!r}")
    return operator.index(value)


def _as_finite_float(name: str, value: Any, tx_id: str) -> float:
    """Return ``value`` as a plain finite float; refuse bools, strings, NaN, inf."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ChainError(f"transaction {tx_id}: {name} must be a number, got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ChainError(f"transaction {tx_id}: {name} must be finite, got {value!r}")
    return value
