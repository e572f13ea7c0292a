"""Signed trades: who may sign, and what a re-mined, hash-valid forgery still cannot hide.

Every forged chain below is *re-mined* after tampering (``remine``), so its hashes, links,
Merkle roots and proof of work are all valid again: only the signatures can catch it.
"""

from __future__ import annotations

import dataclasses
import json

import pytest

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
from chain.persistence import block_line, file_header_line

# --- signing -----------------------------------------------------------------------------------


def test_sign_adds_both_signatures_that_verify(keyring, make_txs):
    for tx in make_txs(6):
        signed = keyring.sign(tx)
        assert tx.unsigned and not tx.signed
        assert signed.signed and len(signed.buyer_signature) == len(signed.seller_signature) == 64
        assert signed.buyer_signature != signed.seller_signature
        assert keyring.registry.check(signed) is None
        # the signed bytes are the transaction without signatures, behind the domain prefix
        assert signed.signing_bytes() == tx.signing_bytes() == SIGNING_DOMAIN + tx.canonical_bytes()
        # the signatures are part of the canonical bytes, hence of the Merkle leaf
        assert signed.canonical_bytes() != tx.canonical_bytes()
        assert signed.tx_hash() != tx.tx_hash()
        assert Transaction.from_dict(json.loads(signed.canonical_bytes())) == signed


def test_unsigned_transactions_keep_their_old_canonical_form(make_txs):
    tx = make_txs(1)[0]
    assert set(tx.to_dict()) == {"tx_id", "hour", "kind", "buyer", "seller", "kwh", "price"}


def test_signatures_are_deterministic(keyring, make_txs):
    again = KeyRing.from_seed(b"tests/chain keyring seed", range(8))
    assert again.registry == keyring.registry
    assert again.registry.fingerprint == keyring.registry.fingerprint
    for tx in make_txs(4):
        assert again.sign(tx) == keyring.sign(tx)  # Ed25519 signing is deterministic
    other = KeyRing.from_seed(b"tests/chain keyring seed!", range(8))
    assert other.registry.fingerprint != keyring.registry.fingerprint
    # a participant's key does not depend on who else takes part
    fewer = KeyRing.from_seed(b"tests/chain keyring seed", [3, 5])
    assert fewer.registry.public_key_bytes(5) == keyring.registry.public_key_bytes(5)


def test_aggregator_signs_its_side(keyring, make_txs):
    market = [tx for tx in make_txs(6) if tx.kind == "market"]
    assert market and all(tx.seller == 0 for tx in market)
    signed = keyring.sign(market[0])
    assert keyring.registry.check(signed) is None


@pytest.mark.parametrize(
    ("field", "value"),
    [("kwh", 99.0), ("price", 0.31), ("hour", 7), ("tx_id", "h000001-p2p-999999"), ("buyer", 6)],
)
def test_an_altered_transaction_does_not_verify(keyring, make_txs, field, value):
    signed = keyring.sign(make_txs(1)[0])
    altered = dataclasses.replace(signed, **{field: value})
    reason = keyring.registry.check(altered)
    assert reason.startswith(f"transaction {altered.tx_id}: the buyer's signature")
    assert "does not verify" in reason


def test_a_signature_copied_onto_another_transaction_does_not_verify(keyring, make_txs):
    a, b = make_txs(2)
    # b has other parties; give b a's buyer and seller so that only the signed content differs
    b = dataclasses.replace(b, buyer=a.buyer, seller=a.seller)
    sa = keyring.sign(a)
    copied = b.with_signatures(sa.buyer_signature, sa.seller_signature)
    assert "does not verify" in keyring.registry.check(copied)


def test_swapped_parties_with_swapped_signatures_do_not_verify(keyring, make_txs):
    signed = keyring.sign(make_txs(1)[0])
    swapped = dataclasses.replace(
        signed,
        buyer=signed.seller,
        seller=signed.buyer,
        buyer_signature=signed.seller_signature,
        seller_signature=signed.buyer_signature,
    )
    assert "does not verify" in keyring.registry.check(swapped)


def test_wrong_signers_are_rejected(keyring, make_txs):
    tx = make_txs(1)[0]  # buyer 1, seller 4
    assert (tx.buyer, tx.seller) == (1, 4)
    message = tx.signing_bytes()
    by = {pid: keyring.sign_as(pid, message) for pid in (1, 4, 6)}
    registry = keyring.registry
    assert registry.check(tx.with_signatures(by[1], by[4])) is None
    cases = {
        "buyer signs twice": (by[1], by[1], "seller's signature (participant 4)"),
        "seller signs twice": (by[4], by[4], "buyer's signature (participant 1)"),
        "third prosumer as seller": (by[1], by[6], "seller's signature (participant 4)"),
        "third prosumer as buyer": (by[6], by[4], "buyer's signature (participant 1)"),
        "signatures swapped": (by[4], by[1], "buyer's signature (participant 1)"),
    }
    for name, (buyer_sig, seller_sig, who) in cases.items():
        reason = registry.check(tx.with_signatures(buyer_sig, seller_sig))
        assert reason is not None and who in reason and "does not verify" in reason, name


def test_missing_and_unknown_signers(keyring, make_txs):
    tx = make_txs(1)[0]
    signed = keyring.sign(tx)
    assert "not signed by its buyer (participant 1)" in keyring.registry.check(tx)
    only_buyer = signed.with_signatures(signed.buyer_signature, None)
    assert "not signed by its seller (participant 4)" in keyring.registry.check(only_buyer)
    # a registry that lacks the seller
    partial = KeyRegistry(
        {pid: keyring.registry.public_key_bytes(pid) for pid in keyring.registry.ids if pid != 4}
    )
    assert "participant 4, has no key in the key registry" in partial.check(signed)
    with pytest.raises(ChainError, match="participant 99 has no private key"):
        keyring.sign(dataclasses.replace(tx, seller=99))


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


def test_blockchain_with_keys_refuses_bad_transactions_at_the_door(
    keyring, forger_keyring, make_txs
):
    chain = Blockchain(difficulty=1, keys=keyring.registry)
    good = [keyring.sign(tx) for tx in make_txs(3)]
    forged = forger_keyring.sign(make_txs(1, first_seq=3)[0])
    with pytest.raises(ChainError, match="does not verify"):
        chain.add_transactions([*good, forged])
    with pytest.raises(ChainError, match="unsigned in a signed chain"):
        chain.add_transactions([*good, make_txs(1, first_seq=4)[0]])
    one_sided = good[0].with_signatures(good[0].buyer_signature, None)
    with pytest.raises(ChainError, match="signed by one party only"):
        chain.add_transactions([one_sided])
    assert chain.pending == ()  # all or nothing
    chain.add_transactions(good)
    assert chain.pending == tuple(good)


def test_verify_on_add_off_defers_the_check_to_validate(keyring, forger_keyring, make_txs):
    chain = Blockchain(difficulty=1, keys=keyring.registry, verify_on_add=False)
    forged = forger_keyring.sign(make_txs(1)[0])
    chain.add_transactions([forged])  # presence only
    chain.mine_pending([1], [1.0], timestamp=1.0)
    with pytest.raises(ChainValidationError, match="block 1: transaction h000001-p2p-000000"):
        chain.validate()


def test_a_chain_is_signed_or_unsigned_throughout(keyring, make_txs):
    unsigned = Blockchain(difficulty=1)
    unsigned.add_transactions(make_txs(2))
    with pytest.raises(ChainError, match="signed in an unsigned chain"):
        unsigned.add_transactions([keyring.sign(make_txs(1, first_seq=2)[0])])
    signed = Blockchain(difficulty=1)  # no registry: the first transaction decides
    signed.add_transactions([keyring.sign(make_txs(1)[0])])
    with pytest.raises(ChainError, match="unsigned in a signed chain"):
        signed.add_transactions(make_txs(1, first_seq=1))


# --- re-mined forgeries in a file, caught by verify-chain ---------------------------------------


def _signed_tx_lists(keyring, make_txs):
    """The transactions of the 3 blocks of ``signed_chain`` (3, 2, 2)."""
    h1 = [keyring.sign(tx) for tx in make_txs(5, hour=1)]
    h2 = [keyring.sign(tx) for tx in make_txs(2, hour=2)]
    return [h1[:3], h1[3:], h2]


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
    code = main([str(path)])
    out = capsys.readouterr()
    return code, out.out + out.err


def test_the_honest_chain_verifies(tmp_path, keyring, make_txs, remine, capsys):
    blocks = remine(_signed_tx_lists(keyring, make_txs))
    code, text = _verify(tmp_path, blocks, keyring.registry, capsys)
    assert code == 0, text
    assert "valid chain: 4 blocks, 7 transactions" in text
    assert "signatures: all 14 verified (buyer and seller of every transaction)" in text
    assert f"keys.json (8 keys, fingerprint {keyring.registry.fingerprint})" in text


def test_forged_transaction_in_a_remined_chain(
    tmp_path, keyring, forger_keyring, make_txs, remine, capsys
):
    lists = _signed_tx_lists(keyring, make_txs)
    forged = forger_keyring.sign(make_txs(1, hour=2, first_seq=50)[0])  # forger's own keys
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
        lists[2] = [*lists[2], replayed]
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
    ok, message = verify_chain_file(path, elsewhere / "run-keys.json")
    assert ok and f"registry {elsewhere / 'run-keys.json'} (8 keys" in message
    forger_keyring.registry.write(tmp_path / "keys.json")  # a forged registry beside the chain
    assert not verify_chain_file(path)[0]
    ok, message = verify_chain_file(path, elsewhere / "run-keys.json")  # explicit wins
    assert ok, message
    ok, message = verify_chain_file(path, tmp_path / "missing.json")
    assert not ok and message.startswith("cannot read key registry")


def test_unsigned_chain_verifies_with_a_note_and_is_refused_by_a_registry(
    tmp_path, small_chain, keyring
):
    path = tmp_path / "chain.jsonl"
    write_chain(path, small_chain.blocks)
    ok, message = verify_chain_file(path)
    assert ok and "signatures: none -- the chain is unsigned (sign_trades=False)" in message
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
