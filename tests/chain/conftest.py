"""Shared fixtures of the chain tests: deterministic transactions and chains."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Sequence

import pytest

from chain import (
    AGGREGATOR_ID,
    Block,
    Blockchain,
    BlockHeader,
    KeyRing,
    Transaction,
    compete,
    make_genesis_block,
    make_tx_id,
    meets_difficulty,
    merkle_root,
    write_chain,
)


def make_transactions(n: int, hour: int = 1, first_seq: int = 0) -> list[Transaction]:
    """Return ``n`` deterministic, varied transactions of one hour.

    Mixes p2p and market trades, trades with the aggregator (id 0), floats
    whose repr is long (1/3) or has an exponent (1e-05), negative prices and
    an explicit seller price.
    """
    txs = []
    for k in range(n):
        seq = first_seq + k
        kind = "market" if seq % 3 == 2 else "p2p"
        buyer = 1 + seq % 7
        seller = AGGREGATOR_ID if kind == "market" else 1 + (seq + 3) % 7
        kwh = (0.1, 1 / 3, 2.5, 1e-05, 12.0)[seq % 5] * (1 + seq)
        price = (0.25, -0.02, 0.1 + 0.2, 0.0)[seq % 4]
        seller_price = 0.18 if seq % 4 == 1 else None
        txs.append(
            Transaction(
                tx_id=make_tx_id(hour, kind, seq),
                hour=hour,
                kind=kind,
                buyer=buyer,
                seller=seller,
                kwh=kwh,
                price=price,
                seller_price=seller_price,
            )
        )
    return txs


def build_small_chain(difficulty: int = 2) -> Blockchain:
    """Genesis + 3 mined blocks holding 3, 2 and 2 transactions (3 miners)."""
    chain = Blockchain(difficulty=difficulty, max_transactions_per_block=3)
    chain.add_transactions(make_transactions(5, hour=1))
    chain.mine_pending([7, 8, 9], [1.0, 2.0, 3.0], timestamp=1.0)
    chain.add_transactions(make_transactions(2, hour=2))
    chain.mine_pending([7, 8, 9], [1.0, 2.0, 3.0], timestamp=2.0)
    return chain


def mine_block(
    previous: Block,
    transactions: Sequence[Transaction],
    difficulty: int | None = None,
    *,
    index: int | None = None,
    prev_hash: bytes | None = None,
    timestamp: float | None = None,
    miner_id: int = 1,
) -> Block:
    """Mine a block on top of ``previous``; keyword overrides build bad blocks."""
    template = BlockHeader(
        index=previous.index + 1 if index is None else index,
        prev_hash=previous.hash if prev_hash is None else prev_hash,
        merkle_root=merkle_root([tx.tx_hash() for tx in transactions]),
        timestamp=previous.header.timestamp if timestamp is None else timestamp,
        difficulty=previous.header.difficulty if difficulty is None else difficulty,
        nonce=0,
        miner_id=miner_id,
    )
    result = compete(template, [miner_id], [1.0])
    return Block(result.header, tuple(transactions), result.hash)


def find_unmined_nonce(header: BlockHeader) -> BlockHeader:
    """Return ``header`` with the first nonce whose hash does NOT meet its difficulty."""
    nonce = 0
    while True:
        candidate = dataclasses.replace(header, nonce=nonce)
        if not meets_difficulty(candidate.compute_hash(), header.difficulty):
            return candidate
        nonce += 1


def sha(data: bytes) -> bytes:
    """SHA-256 digest (32 bytes)."""
    return hashlib.sha256(data).digest()


# The helpers are handed to tests as session fixtures, so the tests need no
# import of conftest (which depends on pytest's import mode).
@pytest.fixture(scope="session")
def make_txs() -> Callable[..., list[Transaction]]:
    """:func:`make_transactions`."""
    return make_transactions


@pytest.fixture(scope="session")
def mine() -> Callable[..., Block]:
    """:func:`mine_block`."""
    return mine_block


@pytest.fixture(scope="session")
def unmined() -> Callable[[BlockHeader], BlockHeader]:
    """:func:`find_unmined_nonce`."""
    return find_unmined_nonce


@pytest.fixture(scope="session")
def small_chain() -> Blockchain:
    """A valid chain at difficulty 2: genesis + 3 blocks, 7 transactions."""
    return build_small_chain()


@pytest.fixture(scope="session")
def small_chain_bytes(small_chain: Blockchain, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The file written for :func:`small_chain`."""
    path = tmp_path_factory.mktemp("chain") / "small.jsonl"
    write_chain(path, small_chain.blocks)
    return path.read_bytes()


@pytest.fixture
def write_bytes(tmp_path) -> Callable[[bytes], str]:
    """Write bytes to a fresh file of the test's tmp dir; return its path."""
    counter = iter(range(10**9))

    def _write(data: bytes) -> str:
        path = tmp_path / f"chain-{next(counter)}.jsonl"
        path.write_bytes(data)
        return str(path)

    return _write


# --- signed chains ----------------------------------------------------------------------------

#: Participants of :func:`make_transactions`: the aggregator 0 and prosumers 1..7.
PARTICIPANTS = range(8)


def make_keyring(seed: bytes = b"tests/chain keyring seed") -> KeyRing:
    """Reproducible keys of participants 0..7."""
    return KeyRing.from_seed(seed, PARTICIPANTS)


def mine_chain(tx_lists: Sequence[Sequence[Transaction]], difficulty: int = 2) -> list[Block]:
    """A hash-valid chain: genesis + one freshly mined block per list of transactions.

    This is what a forger does after tampering: re-mine everything, so that the hashes, the
    links, the Merkle roots and the proof of work are all right again.
    """
    blocks = [make_genesis_block(difficulty)]
    for k, txs in enumerate(tx_lists):
        blocks.append(mine_block(blocks[-1], txs, timestamp=float(k + 1), miner_id=1 + k % 3))
    return blocks


def build_signed_chain(keyring: KeyRing, difficulty: int = 2) -> Blockchain:
    """Genesis + 3 mined blocks holding 3, 2 and 2 signed transactions (as build_small_chain)."""
    chain = Blockchain(difficulty=difficulty, max_transactions_per_block=3, keys=keyring.registry)
    first = make_transactions(5, hour=1)
    chain.add_transactions(keyring.sign_block(first[:3]) + keyring.sign_block(first[3:]))
    chain.mine_pending([7, 8, 9], [1.0, 2.0, 3.0], timestamp=1.0)
    chain.add_transactions(keyring.sign_block(make_transactions(2, hour=2)))
    chain.mine_pending([7, 8, 9], [1.0, 2.0, 3.0], timestamp=2.0)
    return chain


@pytest.fixture(scope="session")
def keyring() -> KeyRing:
    """Keys of participants 0..7 (the run's keys)."""
    return make_keyring()


@pytest.fixture(scope="session")
def forger_keyring() -> KeyRing:
    """Other keys of the same participants (a forger's)."""
    return make_keyring(b"a forger's own keyring seed")


@pytest.fixture(scope="session")
def signed_chain(keyring: KeyRing) -> Blockchain:
    """A valid signed chain at difficulty 2: genesis + 3 blocks, 7 transactions."""
    return build_signed_chain(keyring)


@pytest.fixture(scope="session")
def remine() -> Callable[..., list[Block]]:
    """:func:`mine_chain`."""
    return mine_chain
