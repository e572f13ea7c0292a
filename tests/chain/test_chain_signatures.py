"""Signed trades: who may sign, and what a re-mined, hash-valid forgery still cannot hide.

Every forged chain below is *re-mined* after tampering (``remine``), so its hashes, links,
Merkle roots and proof of work are all valid again: only the signatures can catch it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from chain import (
    SIGNING_DOMAIN,
    Blockchain,
    ChainError,
    ChainValidationError,
    KeyRegistry,
    KeyRing,
    Transaction,
    find_first_invalid,
    read_chain,
    validate_chain,
    write_chain,
)
from chain.cli_verify import main, verify_chain_file
from chain.keys import STATEMENT_DOMAIN, block_statements
from chain.persistence import block_line, file_header_line

# --- signing -----------------------------------------------------------------------------------


def test_sign_block_gives_each_party_one_signature_that_verifies(keyring, make_txs):
    txs = make_txs(6)
    signed = keyring.sign_block(txs)
    assert [tx.tx_id for tx in signed] == [tx.tx_id for tx in txs]
    assert keyring.registry.check_block(signed) is None
    by_party: dict[int, set[bytes]] = {}
    for tx, s in zip(txs, signed, strict=True):
        assert tx.unsigned and s.signed
        assert len(s.buyer_signature) == len(s.seller_signature) == 64
        by_party.setdefault(s.buyer, set()).add(s.buyer_signature)
        by_party.setdefault(s.seller, set()).add(s.seller_signature)
        # what the statements cover is the transaction without signatures
        assert s.signing_bytes() == tx.signing_bytes() == SIGNING_DOMAIN + tx.canonical_bytes()
        # the signatures are part of the canonical bytes, hence of the Merkle leaf
        assert s.canonical_bytes() != tx.canonical_bytes() and s.tx_hash() != tx.tx_hash()
        assert Transaction.from_dict(json.loads(s.canonical_bytes())) == s
    # one signature per party and block, distinct between parties
    assert all(len(sigs) == 1 for sigs in by_party.values())
    assert len({sig for sigs in by_party.values() for sig in sigs}) == len(by_party)


def test_a_statement_is_the_documented_bytes(keyring, make_txs):
    txs = keyring.sign_block(make_txs(6))
    pid = txs[0].buyer
    mine = [tx for tx in txs if pid in (tx.buyer, tx.seller)]
    assert len(mine) >= 2  # a party with several trades in the block
    statement = (
        STATEMENT_DOMAIN
        + pid.to_bytes(8, "big")
        + len(mine).to_bytes(4, "big")
        + b"".join(hashlib.sha256(tx.signing_bytes()).digest() for tx in mine)
    )
    assert block_statements(txs)[pid] == statement
    public = Ed25519PublicKey.from_public_bytes(keyring.registry.public_key_bytes(pid))
    public.verify(txs[0].buyer_signature, statement)  # raises if it does not verify


def test_unsigned_transactions_keep_their_old_canonical_form(make_txs):
    tx = make_txs(1)[0]
    assert set(tx.to_dict()) == {"tx_id", "hour", "kind", "buyer", "seller", "kwh", "price"}


def test_signatures_are_deterministic(keyring, make_txs):
    again = KeyRing.from_seed(b"tests/chain keyring seed", range(8))
    assert again.registry == keyring.registry
    assert again.registry.fingerprint == keyring.registry.fingerprint
    assert again.sign_block(make_txs(4)) == keyring.sign_block(make_txs(4))  # Ed25519
    other = KeyRing.from_seed(b"tests/chain keyring seed!", range(8))
    assert other.registry.fingerprint != keyring.registry.fingerprint
    # a participant's key does not depend on who else takes part
    fewer = KeyRing.from_seed(b"tests/chain keyring seed", [3, 5])
    assert fewer.registry.public_key_bytes(5) == keyring.registry.public_key_bytes(5)


def test_aggregator_signs_its_side_once_per_block(keyring, make_txs):
    market = [tx for tx in make_txs(9) if tx.kind == "market"]
    assert len(market) == 3 and all(tx.seller == 0 for tx in market)
    signed = keyring.sign_block(market)
    assert keyring.registry.check_block(signed) is None
    assert len({tx.seller_signature for tx in signed}) == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [("kwh", 99.0), ("price", 0.31), ("hour", 7), ("tx_id", "h000001-p2p-999999"), ("buyer", 6)],
)
def test_an_altered_transaction_does_not_verify(keyring, make_txs, field, value):
    signed = keyring.sign_block(make_txs(3))
    altered = dataclasses.replace(signed[1], **{field: value})
    reason = keyring.registry.check_block([signed[0], altered, signed[2]])
    assert "does not verify over its statement" in reason
    assert altered.tx_id in reason  # the statement's trades are listed


def test_a_removed_or_reordered_trade_breaks_its_parties_statements(keyring, make_txs):
    txs = make_txs(8)
    signed = keyring.sign_block(txs)
    removed = signed[0]
    assert sum(removed.buyer in (tx.buyer, tx.seller) for tx in signed) >= 2
    reason = keyring.registry.check_block(signed[1:])
    assert reason is not None and "does not verify" in reason
    assert any(f"participant {pid})" in reason for pid in (removed.buyer, removed.seller))
    # swap two trades of one party: its statement lists them in block order
    k = next(i for i, tx in enumerate(signed) if i and {tx.buyer, tx.seller} & {1, 4})
    reordered = list(signed)
    reordered[0], reordered[k] = reordered[k], reordered[0]
    assert "does not verify" in keyring.registry.check_block(reordered)


def test_a_signature_copied_onto_another_transaction_does_not_verify(keyring, make_txs):
    a, b = make_txs(2)
    # b has other parties; give b a's buyer and seller so that only the signed content differs
    b = dataclasses.replace(b, buyer=a.buyer, seller=a.seller)
    (sa,) = keyring.sign_block([a])
    copied = b.with_signatures(sa.buyer_signature, sa.seller_signature)
    assert "does not verify" in keyring.registry.check_block([copied])


def test_swapped_parties_with_swapped_signatures_do_not_verify(keyring, make_txs):
    (signed,) = keyring.sign_block(make_txs(1))
    swapped = dataclasses.replace(
        signed,
        buyer=signed.seller,
        seller=signed.buyer,
        buyer_signature=signed.seller_signature,
        seller_signature=signed.buyer_signature,
    )
    assert "does not verify" in keyring.registry.check_block([swapped])


def test_wrong_signers_are_rejected(keyring, make_txs):
    tx = make_txs(1)[0]  # buyer 1, seller 4
    assert (tx.buyer, tx.seller) == (1, 4)
    statements = block_statements([tx])
    by = {pid: keyring.sign_as(pid, statements[pid]) for pid in (1, 4)}
    by[6] = keyring.sign_as(6, statements[4])  # a third prosumer signs the seller's statement
    registry = keyring.registry
    assert registry.check_block([tx.with_signatures(by[1], by[4])]) is None
    cases = {
        "buyer signs twice": (by[1], by[1], "seller's signature (participant 4)"),
        "seller signs twice": (by[4], by[4], "buyer's signature (participant 1)"),
        "third prosumer as seller": (by[1], by[6], "seller's signature (participant 4)"),
        "third prosumer as buyer": (by[6], by[4], "buyer's signature (participant 1)"),
        "signatures swapped": (by[4], by[1], "buyer's signature (participant 1)"),
    }
    for name, (buyer_sig, seller_sig, who) in cases.items():
        reason = registry.check_block([tx.with_signatures(buyer_sig, seller_sig)])
        assert reason is not None and who in reason and "does not verify" in reason, name


def test_one_party_one_signature_per_block(keyring, make_txs):
    signed = keyring.sign_block(make_txs(8))
    buyer = signed[0].buyer
    k = next(i for i, tx in enumerate(signed) if i and tx.buyer == buyer)
    (alone,) = keyring.sign_block([signed[k]])  # signed on its own, not with the block
    mixed = [*signed[:k], alone, *signed[k + 1 :]]
    reason = keyring.registry.check_block(mixed)
    assert reason.startswith(f"transaction {alone.tx_id}: participant {buyer}'s signature differs")


def test_missing_and_unknown_signers(keyring, make_txs):
    tx = make_txs(1)[0]
    (signed,) = keyring.sign_block([tx])
    assert "not signed by its buyer (participant 1)" in keyring.registry.check_block([tx])
    only_buyer = signed.with_signatures(signed.buyer_signature, None)
    assert "not signed by its seller (participant 4)" in keyring.registry.check_block([only_buyer])
    # a registry that lacks the seller
    partial = KeyRegistry(
        {pid: keyring.registry.public_key_bytes(pid) for pid in keyring.registry.ids if pid != 4}
    )
    assert "participant 4, has no key in the key registry" in partial.check_block([signed])
    with pytest.raises(ChainError, match="participant 99 has no private key"):
        keyring.sign_block([dataclasses.replace(tx, seller=99)])


# --- Blockchain ---------------------------------------------------------------------------------


def test_signed_blockchain_validates_and_roundtrips(signed_chain, keyring, tmp_path):
    signed_chain.validate()
    assert signed_chain.signed and signed_chain.keys == keyring.registry
    assert all(tx.signed for tx in signed_chain.transactions())
    path = tmp_path / "chain.jsonl"
    write_chain(path, signed_chain.blocks, keys=keyring.registry)
    assert read_chain(path, keys=keyring.registry) == list(signed_chain.blocks)
    resumed = Blockchain.from_blocks(read_chain(path), 3, keys=keyring.registry)
    assert resumed.signed and resumed.height == 3


def test_blockchain_with_keys_refuses_bad_blocks_before_mining(keyring, forger_keyring, make_txs):
    chain = Blockchain(difficulty=1, max_transactions_per_block=3, keys=keyring.registry)
    good = keyring.sign_block(make_txs(3))
    forged = forger_keyring.sign_block(make_txs(1, first_seq=3))
    chain.add_transactions([*good, *forged])  # presence only: blocks are not cut yet
    with pytest.raises(ChainError, match="does not verify"):
        chain.mine_pending([1], [1.0], timestamp=1.0)
    assert chain.height == 0 and len(chain.pending) == 4  # nothing mined, nothing lost
    chain = Blockchain(difficulty=1, keys=keyring.registry)
    with pytest.raises(ChainError, match="unsigned in a signed chain"):
        chain.add_transactions([*good, make_txs(1, first_seq=4)[0]])
    one_sided = good[0].with_signatures(good[0].buyer_signature, None)
    with pytest.raises(ChainError, match="signed by one party only"):
        chain.add_transactions([one_sided])
    assert chain.pending == ()  # all or nothing
    chain.add_transactions(good)
    assert chain.pending == tuple(good)


def test_verify_before_mining_off_defers_the_check_to_validate(keyring, forger_keyring, make_txs):
    chain = Blockchain(difficulty=1, keys=keyring.registry, verify_before_mining=False)
    forged = forger_keyring.sign_block(make_txs(1))
    chain.add_transactions(forged)  # presence only
    chain.mine_pending([1], [1.0], timestamp=1.0)
    with pytest.raises(ChainValidationError, match="block 1: transaction h000001-p2p-000000"):
        chain.validate()


def test_a_chain_is_signed_or_unsigned_throughout(keyring, make_txs):
    unsigned = Blockchain(difficulty=1)
    unsigned.add_transactions(make_txs(2))
    with pytest.raises(ChainError, match="signed in an unsigned chain"):
        unsigned.add_transactions(keyring.sign_block(make_txs(1, first_seq=2)))
    signed = Blockchain(difficulty=1)  # no registry: the first transaction decides
    signed.add_transactions(keyring.sign_block(make_txs(1)))
    with pytest.raises(ChainError, match="unsigned in a signed chain"):
        signed.add_transactions(make_txs(1, first_seq=1))


# --- re-mined forgeries in a file, caught by verify-chain ---------------------------------------


def _signed_tx_lists(keyring, make_txs):
    """The transactions of the 3 blocks of ``signed_chain`` (3, 2, 2)."""
    h1 = make_txs(5, hour=1)
    return [
        keyring.sign_block(h1[:3]),
        keyring.sign_block(h1[3:]),
        keyring.sign_block(make_txs(2, hour=2)),
    ]


def write_unchecked(path, blocks):
    """Write blocks as a chain file without validating them (what a forger's tool does)."""
    lines = [file_header_line(blocks[0].header.difficulty, len(blocks))]
    lines += [block_line(block) for block in blocks]
    path.write_bytes(b"".join(line + b"\n" for line in lines))


def _verify(tmp_path, blocks, registry, capsys, name="forged"):
    """Write a chain (and its registry beside it) and run verify-chain on it."""
    folder = tmp_path / name
    folder.mkdir()
    path = folder / "chain.jsonl"
    write_unchecked(path, blocks)  # a forger's writer: no validation at all
    if registry is not None:
        registry.write(folder / "keys.json")
    capsys.readouterr()
    code = main([str(path), "--accept-unanchored"])  # signatures are the point here
    out = capsys.readouterr()
    return code, out.out + out.err


def test_the_honest_chain_verifies(tmp_path, keyring, make_txs, remine, capsys):
    blocks = remine(_signed_tx_lists(keyring, make_txs))
    code, text = _verify(tmp_path, blocks, keyring.registry, capsys)
    assert code == 0, text
    assert "valid chain: 4 blocks, 7 transactions" in text
    # 6 + 4 + 4 parties in the three blocks: one statement each
    assert "signatures: all 14 verified (one block statement per party and block" in text
    assert f"keys.json (8 keys, fingerprint {keyring.registry.fingerprint})" in text


def test_forged_transaction_in_a_remined_chain(
    tmp_path, keyring, forger_keyring, make_txs, remine, capsys
):
    lists = _signed_tx_lists(keyring, make_txs)
    (forged,) = forger_keyring.sign_block(make_txs(1, hour=2, first_seq=50))  # forger's keys
    lists[1] = [*lists[1], forged]
    blocks = remine(lists)
    assert find_first_invalid(blocks) is None  # hash-valid: only the signatures can tell
    code, text = _verify(tmp_path, blocks, keyring.registry, capsys)
    assert code == 1
    assert (
        f"invalid chain: block 2 (line 4): transaction {forged.tx_id}: the buyer's signature "
        f"(participant {forged.buyer}) does not verify"
    ) in text
    assert (
        "signatures checked against key registry" in text and keyring.registry.fingerprint in text
    )


def test_forged_unsigned_transaction_in_a_remined_chain(
    tmp_path, keyring, make_txs, remine, capsys
):
    lists = _signed_tx_lists(keyring, make_txs)
    unsigned = make_txs(1, hour=2, first_seq=50)[0]
    lists[2] = [unsigned, *lists[2]]
    blocks = remine(lists)
    code, text = _verify(tmp_path, blocks, keyring.registry, capsys)
    assert code == 1
    assert f"block 3 (line 5): transaction {unsigned.tx_id}: not signed by its buyer" in text
    # without a registry the mixture is still refused
    assert "unsigned in a signed chain" in find_first_invalid(blocks)[1]


def test_altered_transaction_in_a_remined_chain(tmp_path, keyring, make_txs, remine, capsys):
    lists = _signed_tx_lists(keyring, make_txs)
    victim = lists[0][1]
    lists[0][1] = dataclasses.replace(victim, kwh=victim.kwh * 10)  # signatures kept
    code, text = _verify(tmp_path, remine(lists), keyring.registry, capsys)
    assert code == 1
    assert f"block 1 (line 3): transaction {victim.tx_id}: the buyer's signature" in text


def test_stripped_chain_is_refused_against_the_registry(
    tmp_path, keyring, make_txs, remine, capsys
):
    """A forger strips every signature and re-mines: the registry still demands them."""
    lists = [
        [tx.with_signatures(None, None) for tx in txs]
        for txs in _signed_tx_lists(keyring, make_txs)
    ]
    code, text = _verify(tmp_path, remine(lists), keyring.registry, capsys)
    assert code == 1
    assert f"block 1 (line 3): transaction {lists[0][0].tx_id}: not signed by its buyer" in text


@pytest.mark.parametrize("where", ["same block", "later block"])
def test_replayed_transaction_in_a_remined_chain(
    tmp_path, keyring, make_txs, remine, capsys, where
):
    lists = _signed_tx_lists(keyring, make_txs)
    replayed = lists[0][0]  # a genuinely signed trade, recorded twice
    if where == "same block":
        lists[0] = [*lists[0], replayed]
        expected = f"block 1 (line 3): transaction {replayed.tx_id} appears twice in the block"
    else:
        lists[2] = [replayed, *lists[2]]  # first in its block, so its hour is in order
        expected = f"block 3 (line 5): transaction {replayed.tx_id} is already recorded in block 1"
    code, text = _verify(tmp_path, remine(lists), keyring.registry, capsys)
    assert code == 1 and expected in text


def test_a_chain_checked_against_another_registry_is_refused(
    tmp_path, keyring, forger_keyring, make_txs, remine, capsys
):
    blocks = remine(_signed_tx_lists(keyring, make_txs))
    code, text = _verify(tmp_path, blocks, forger_keyring.registry, capsys)
    assert code == 1
    assert "block 1 (line 3): transaction h000001-p2p-000000: the buyer's signature" in text
    assert forger_keyring.registry.fingerprint in text
    # and the forger's chain, consistent with the forger's registry, fails the real one
    forged = remine(_signed_tx_lists(forger_keyring, make_txs))
    code, text = _verify(tmp_path, forged, None, capsys, name="forger")
    assert code == 2  # signed, no registry beside it
    path = tmp_path / "forger" / "chain.jsonl"
    keyring.registry.write(tmp_path / "real-keys.json")
    assert main([str(path), "--keys", str(tmp_path / "real-keys.json")]) == 1
    assert "real-keys.json" in capsys.readouterr().err


def test_signed_chain_without_a_registry_fails_clearly(tmp_path, signed_chain, capsys):
    path = tmp_path / "chain.jsonl"
    write_chain(path, signed_chain.blocks)
    ok, message = verify_chain_file(path)
    assert not ok
    assert message.startswith(
        "cannot verify the signatures: the chain's transactions are signed but there is no "
        "key registry"
    )
    assert main([str(path)]) == 2
    assert "--keys FILE" in capsys.readouterr().err


def test_explicit_registry_and_the_one_beside(tmp_path, signed_chain, keyring, forger_keyring):
    path = tmp_path / "chain.jsonl"
    write_chain(path, signed_chain.blocks)
    elsewhere = tmp_path / "vault"
    elsewhere.mkdir()
    keyring.registry.write(elsewhere / "run-keys.json")
    ok, message = verify_chain_file(path, elsewhere / "run-keys.json", accept_unanchored=True)
    assert ok and f"registry {elsewhere / 'run-keys.json'} (8 keys" in message
    forger_keyring.registry.write(tmp_path / "keys.json")  # a forged registry beside the chain
    assert not verify_chain_file(path)[0]
    ok, message = verify_chain_file(  # explicit wins
        path, elsewhere / "run-keys.json", accept_unanchored=True
    )
    assert ok, message
    ok, message = verify_chain_file(path, tmp_path / "missing.json")
    assert not ok and message.startswith("cannot read key registry")


def test_unsigned_chain_verifies_with_a_note_and_is_refused_by_a_registry(
    tmp_path, small_chain, keyring
):
    path = tmp_path / "chain.jsonl"
    write_chain(path, small_chain.blocks)
    ok, message = verify_chain_file(path, accept_unsigned=True, accept_unanchored=True)
    assert ok and "UNSIGNED: no key registry and no signatures" in message
    assert not verify_chain_file(path, accept_unanchored=True)[0]  # unsigned: not by default
    keyring.registry.write(tmp_path / "keys.json")
    ok, message = verify_chain_file(path)
    assert not ok and "transaction h000001-p2p-000000: not signed by its buyer" in message


def test_validate_chain_with_keys(signed_chain, keyring, forger_keyring):
    validate_chain(signed_chain.blocks, keys=keyring.registry)
    with pytest.raises(ChainValidationError) as info:
        validate_chain(signed_chain.blocks, keys=forger_keyring.registry)
    assert info.value.block_index == 1 and "does not verify" in info.value.reason


def test_every_changed_signature_byte_is_refused(tmp_path, signed_chain, keyring):
    """Any changed hex digit of any signature in the file is refused (Merkle leaf or form)."""
    path = tmp_path / "chain.jsonl"
    write_chain(path, signed_chain.blocks)
    data = path.read_bytes()
    positions = []
    for marker in (b'"buyer_signature":"', b'"seller_signature":"'):
        start = data.find(marker)
        while start != -1:
            positions.extend(range(start + len(marker), start + len(marker) + 128))
            start = data.find(marker, start + 1)
    assert len(positions) == 14 * 128
    damaged_path = tmp_path / "damaged.jsonl"
    for i in positions:
        digit = chr(data[i])
        other = "0123456789abcdef"[("0123456789abcdef".index(digit) + 1) % 16]
        replacements = [other.encode()] + ([other.upper().encode()] if i % 8 == 0 else [])
        for replacement in replacements:
            damaged_path.write_bytes(data[:i] + replacement + data[i + 1 :])
            with pytest.raises(ChainError):
                read_chain(damaged_path)
