"""Key rings and the key registry file (the trust root of the signatures)."""

from __future__ import annotations

import json

import pytest

from chain import KEYS_FILE, ChainError, KeyRegistry, KeyRegistryError, KeyRing
from chain.keys import KEY_DOMAIN, KEYS_FORMAT_NAME

P = 2**255 - 19
Y8 = 2707385501144840649318225287225658788936804267575313519463743609750303402022


def test_registry_file_roundtrip_and_layout(keyring, tmp_path):
    registry = keyring.registry
    path = tmp_path / KEYS_FILE
    registry.write(path)
    data = path.read_bytes()
    assert data == registry.to_bytes() and data.endswith(b"}\n")
    assert KeyRegistry.read(path) == registry
    parsed = json.loads(data)
    assert list(parsed) == ["format", "version", "algorithm", "participants", "fingerprint", "keys"]
    assert parsed["format"] == KEYS_FORMAT_NAME and parsed["participants"] == 8
    assert list(parsed["keys"]) == [str(i) for i in range(8)]
    assert parsed["fingerprint"] == registry.fingerprint and len(registry.fingerprint) == 64
    assert not list(tmp_path.glob(".*.tmp"))


def test_fingerprint_names_the_set_of_keys(keyring, forger_keyring):
    assert keyring.registry.fingerprint != forger_keyring.registry.fingerprint
    same = KeyRegistry({pid: keyring.registry.public_key_bytes(pid) for pid in reversed(range(8))})
    assert same.fingerprint == keyring.registry.fingerprint and same == keyring.registry
    assert len(same) == 8 and 7 in same and 8 not in same and same.ids == tuple(range(8))


def test_every_changed_byte_of_the_registry_file_is_refused(keyring):
    data = keyring.registry.to_bytes()
    for i in range(len(data)):
        for damaged in (
            data[:i] + bytes([data[i] ^ 0x01]) + data[i + 1 :],
            data[:i] + data[i + 1 :],
            data[:i] + b" " + data[i:],
        ):
            with pytest.raises(KeyRegistryError):
                KeyRegistry.from_bytes(damaged)
    with pytest.raises(KeyRegistryError):
        KeyRegistry.from_bytes(data + b"\n")


def _with(data: bytes, **changes) -> bytes:
    parsed = json.loads(data)
    parsed.update(changes)
    return (json.dumps(parsed, indent=1) + "\n").encode()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"format": "x"}, "not a prosumer-community-keys file"),
        ({"version": 2}, "unsupported key registry version 2"),
        ({"version": True}, "unsupported key registry version True"),
        ({"algorithm": "rsa"}, "unsupported algorithm 'rsa'"),
        ({"participants": 9}, "participants 9 does not match its 8 keys"),
        ({"fingerprint": "0" * 64}, "fingerprint '000"),
        ({"keys": []}, "keys must be an object"),
        ({"keys": {"01": "00" * 32}}, "participant id '01' is not a decimal int"),
        ({"keys": {"1": "AB" * 32}}, "must be 64 lowercase hex digits"),
    ],
)
def test_bad_registries_are_refused_with_the_reason(keyring, change, message):
    with pytest.raises(KeyRegistryError, match=message.replace("(", r"\(")):
        KeyRegistry.from_bytes(_with(keyring.registry.to_bytes(), **change))


def test_garbage_is_refused():
    for data in (b"", b"\xff\xfe", b"[]", b"{", b"[" * 100_000, b'{"format": NaN}', b"1" * 5000):
        with pytest.raises(KeyRegistryError):
            KeyRegistry.from_bytes(data)


def _point(y: int, sign: int = 0) -> bytes:
    return (y | (sign << 255)).to_bytes(32, "little")


@pytest.mark.parametrize(
    "key",
    [_point(0), _point(1), _point(P - 1), _point(Y8), _point(Y8, 1), _point(P - Y8), _point(P)],
)
def test_weak_and_non_canonical_keys_are_refused(keyring, key):
    """With a small-order key a "signature" verifies for any message: never trust one."""
    with pytest.raises(ChainError, match="small order|not a canonical"):
        KeyRegistry({1: key})


def test_small_order_key_would_accept_anything():
    """Why the check above exists: the all-zero key accepts the all-zero "signature" for
    many messages (those whose hash is a multiple of the point's order)."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    weak = Ed25519PublicKey.from_public_bytes(bytes(32))
    accepted = 0
    for k in range(64):
        try:
            weak.verify(bytes(64), b"trade %d" % k)
            accepted += 1
        except InvalidSignature:
            pass
    assert accepted > 0


def test_one_key_for_two_participants_is_refused(keyring):
    key = keyring.registry.public_key_bytes(3)
    with pytest.raises(ChainError, match="participants 3 and 5 have the same public key"):
        KeyRegistry({3: key, 5: key})


@pytest.mark.parametrize("bad", [-1, 2**64, True, "1"])
def test_bad_participant_ids(keyring, bad):
    with pytest.raises(ChainError):
        KeyRegistry({bad: keyring.registry.public_key_bytes(1)})


def test_key_derivation_is_documented_and_checked():
    import hashlib

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    seed = b"0123456789abcdef0123456789abcdef"
    ring = KeyRing.from_seed(seed, [0, 12])
    secret = hashlib.sha256(KEY_DOMAIN + seed + (12).to_bytes(8, "big")).digest()
    public = Ed25519PrivateKey.from_private_bytes(secret).public_key()
    assert ring.registry.public_key_bytes(12) == public.public_bytes(Encoding.Raw, PublicFormat.Raw)
    with pytest.raises(ChainError, match="at least 16 bytes"):
        KeyRing.from_seed(b"short", [1])
    with pytest.raises(ChainError, match="participant id"):
        KeyRing.from_seed(seed, [-1])


def test_generated_keys_are_fresh():
    a, b = KeyRing.generate(range(3)), KeyRing.generate(range(3))
    assert len(a) == 3 and a.registry.fingerprint != b.registry.fingerprint


def test_keys_survive_pickling(keyring, make_txs):
    """Models are pickled (e.g. between processes); the library's key objects are not."""
    import pickle

    ring = pickle.loads(pickle.dumps(keyring))
    assert ring.registry == keyring.registry
    tx = make_txs(1)[0]
    assert ring.sign_block([tx]) == keyring.sign_block([tx])
    registry = pickle.loads(pickle.dumps(keyring.registry))
    assert registry == keyring.registry and registry.check_block(keyring.sign_block([tx])) is None
