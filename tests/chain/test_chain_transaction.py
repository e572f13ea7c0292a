"""Transactions: validation, canonical bytes, dict round trip, ids."""

from __future__ import annotations

import hashlib
import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chain import ChainError, Transaction, make_tx_id
from chain.transaction import SIGNING_DOMAIN, canonical_json

BASE = dict(tx_id="h000005-p2p-000012", hour=5, kind="p2p", buyer=3, seller=4, kwh=1.5, price=0.2)


def test_canonical_bytes_are_fixed_text():
    tx = Transaction(**BASE)
    assert tx.canonical_bytes() == (
        b'{"buyer":3,"hour":5,"kind":"p2p","kwh":1.5,"price":0.2,'
        b'"seller":4,"tx_id":"h000005-p2p-000012"}'
    )
    assert tx.tx_hash() == hashlib.sha256(tx.canonical_bytes()).digest()
    assert len(tx.tx_hash()) == 32


def test_seller_price_only_in_canonical_form_when_set():
    plain = Transaction(**BASE)
    spread = Transaction(**BASE, seller_price=0.15)
    assert b"seller_price" not in plain.canonical_bytes()
    assert b'"seller_price":0.15' in spread.canonical_bytes()
    assert plain.tx_hash() != spread.tx_hash()
    assert "seller_price" not in plain.to_dict()


def test_floats_use_shortest_repr_and_ints_are_normalised():
    tx = Transaction(**{**BASE, "kwh": 0.1 + 0.2, "price": 1e-05})
    assert b'"kwh":0.30000000000000004' in tx.canonical_bytes()
    assert b'"price":1e-05' in tx.canonical_bytes()
    # An int kWh and a numpy float give the same bytes as the equal float.
    as_int = Transaction(**{**BASE, "kwh": 2})
    as_numpy = Transaction(**{**BASE, "kwh": np.float64(2.0), "buyer": np.int64(3)})
    assert as_int.canonical_bytes() == as_numpy.canonical_bytes()
    assert b'"kwh":2.0' in as_int.canonical_bytes()
    assert type(as_numpy.kwh) is float and type(as_numpy.buyer) is int


def test_non_ascii_id_is_escaped():
    tx = Transaction(**{**BASE, "tx_id": "é-1"})
    assert b'"tx_id":"\\u00e9-1"' in tx.canonical_bytes()
    tx.canonical_bytes().decode("ascii")


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"kind": "swap"}, "kind"),
        ({"kind": []}, "kind must be one of"),  # from a damaged file (a TypeError before)
        ({"kind": {"p2p": 1}}, "kind must be one of"),
        ({"kwh": 0.0}, "kwh must be > 0"),
        ({"kwh": -1.0}, "kwh must be > 0"),
        ({"kwh": math.inf}, "kwh must be finite"),
        ({"kwh": math.nan}, "kwh must be finite"),
        ({"price": math.nan}, "price must be finite"),
        ({"price": "0.2"}, "price must be a number"),
        ({"seller_price": math.inf}, "seller_price must be finite"),
        ({"hour": -1}, "hour must be >= 0"),
        ({"hour": 1.0}, "hour must be an int"),
        ({"hour": True}, "hour must be an int"),
        ({"buyer": 4}, "buyer and seller are both 4"),
        ({"seller": -2}, "seller must be >= 0"),
        ({"tx_id": ""}, "tx_id"),
        ({"tx_id": 5}, "tx_id"),
        ({"kwh": True}, "kwh must be a number"),
    ],
)
def test_construction_refuses_bad_fields(change, fragment):
    with pytest.raises(ChainError, match=fragment):
        Transaction(**{**BASE, **change})


def test_aggregator_trades_are_allowed():
    tx = Transaction(**{**BASE, "kind": "market", "seller": 0})
    assert tx.seller == 0


def test_from_dict_is_strict():
    good = Transaction(**BASE).to_dict()
    assert Transaction.from_dict(good) == Transaction(**BASE)
    with pytest.raises(ChainError, match="unknown keys"):
        Transaction.from_dict({**good, "note": "x"})
    with pytest.raises(ChainError, match="missing keys"):
        Transaction.from_dict({k: v for k, v in good.items() if k != "price"})
    with pytest.raises(ChainError, match="must be an int"):
        Transaction.from_dict({**good, "hour": "5"})
    with pytest.raises(ChainError, match="must not be null"):
        Transaction.from_dict({**good, "seller_price": None})
    with pytest.raises(ChainError, match="JSON object"):
        Transaction.from_dict([good])


def test_transactions_are_immutable():
    tx = Transaction(**BASE)
    with pytest.raises(AttributeError):
        tx.kwh = 3.0  # type: ignore[misc]


def test_make_tx_id():
    assert make_tx_id(5, "p2p", 12) == "h000005-p2p-000012"
    assert make_tx_id(8759, "market", 0) == "h008759-market-000000"
    with pytest.raises(ChainError):
        make_tx_id(-1, "p2p", 0)
    with pytest.raises(ChainError):
        make_tx_id(1, "gift", 0)


def test_make_tx_id_is_unique_over_hours_kinds_and_sequences():
    ids = {
        make_tx_id(h, k, s)
        for h in (0, 9, 10, 999999, 1000000)
        for k in ("p2p", "market")
        for s in (0, 1, 10, 1000000)
    }
    assert len(ids) == 5 * 2 * 4


finite = st.floats(allow_nan=False, allow_infinity=False)
transactions = st.builds(
    Transaction,
    tx_id=st.text(min_size=1, max_size=20),
    hour=st.integers(0, 10**6),
    kind=st.sampled_from(["p2p", "market"]),
    buyer=st.integers(0, 5),
    seller=st.integers(6, 10),
    kwh=st.floats(min_value=1e-300, allow_infinity=False),
    price=finite,
    seller_price=st.none() | finite,
)


@settings(max_examples=200, deadline=None, database=None)
@given(transactions)
def test_round_trip_through_canonical_json(tx):
    data = tx.canonical_bytes()
    data.decode("ascii")  # ASCII only
    assert Transaction.from_dict(json.loads(data)) == tx
    # Canonical: serialising the parsed form again gives the same bytes.
    assert Transaction.from_dict(json.loads(data)).canonical_bytes() == data


@settings(max_examples=100, deadline=None, database=None)
@given(transactions, transactions)
def test_different_transactions_have_different_hashes(a, b):
    def fields(tx):  # repr tells -0.0 from 0.0, as the canonical form does
        return {k: repr(v) for k, v in tx.to_dict().items()}

    assert (fields(a) == fields(b)) == (a.tx_hash() == b.tx_hash())


signatures = st.none() | st.binary(min_size=64, max_size=64)


@settings(max_examples=300, deadline=None, database=None)
@given(transactions, signatures, signatures, st.integers(0, 2**64))
def test_the_templated_form_is_the_json_form(tx, buyer_sig, seller_sig, big_id):
    """canonical_bytes and signing_bytes write the JSON by template; json.dumps is the
    definition they must match, for any field values (odd ids, huge ints, -0.0, 5e-324)."""
    tx = tx.with_signatures(buyer_sig, seller_sig)
    assert tx.canonical_bytes() == canonical_json(tx.to_dict())
    unsigned = {k: v for k, v in tx.to_dict().items() if not k.endswith("_signature")}
    assert tx.signing_bytes() == SIGNING_DOMAIN + canonical_json(unsigned)
    assert tx.signing_digest() == hashlib.sha256(tx.signing_bytes()).digest()
    wide = Transaction(tx.tx_id, big_id, tx.kind, big_id, big_id + 1, tx.kwh, tx.price)
    assert wide.canonical_bytes() == canonical_json(wide.to_dict())


def test_with_signatures_copies_every_field_and_checks_the_signatures():
    import dataclasses
    import inspect

    from chain.transaction import _SIGNATURE_KEYS, _UNSIGNED_FIELDS, _restore_transaction

    names = [f.name for f in dataclasses.fields(Transaction)]
    assert names == [*_UNSIGNED_FIELDS, *_SIGNATURE_KEYS]  # a new field is not forgotten
    assert list(inspect.signature(_restore_transaction).parameters) == names
    tx = Transaction("h000001-p2p-000001", 1, "p2p", 3, 4, 0.5, 0.21, 0.2)
    signed = tx.with_signatures(b"b" * 64, b"s" * 64)
    assert signed == dataclasses.replace(tx, buyer_signature=b"b" * 64, seller_signature=b"s" * 64)
    assert signed.with_signatures(None, None) == tx
    with pytest.raises(ChainError, match="seller_signature must be 64 bytes"):
        tx.with_signatures(b"b" * 64, b"short")


def test_a_transaction_pickles_to_an_equal_one():
    import pickle

    for tx in (
        Transaction("h000001-p2p-000001", 1, "p2p", 3, 4, 0.5, 0.21, 0.2),
        Transaction("h000002-market-000000", 2, "market", 0, 4, 1.5, 0.3, None, None, None),
        Transaction("h000001-p2p-000001", 1, "p2p", 3, 4, 0.5, 0.21, 0.2, b"b" * 64, b"s" * 64),
    ):
        back = pickle.loads(pickle.dumps(tx))
        assert back == tx and hash(back) == hash(tx) and back.tx_hash() == tx.tx_hash()
