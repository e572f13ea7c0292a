"""The chain phase of the hour: every trade becomes a transaction, signed by its buyer and its
seller, and miners compete to mine them into blocks (docs/chain.md).

Signatures are block statements (:mod:`chain.keys`): the chain cuts the hour's trades into
blocks (:meth:`chain.Blockchain.cut_blocks_to_sign`), and every party signs the list of its
trades in each block once.

Keys (``sign_trades``, on by default)
-------------------------------------
The aggregator (id 0) and every prosumer hold an Ed25519 key pair (:class:`chain.KeyRing`); the
model signs each trade on behalf of both parties. By default the keys are fresh random keys
from the operating system (:meth:`chain.KeyRing.generate`, not from ``model.rng``, so no result
but the chain's signatures and hashes depends on them): nobody can rebuild them, and
:func:`write_private_keys` writes them to a file of their own (mode 0600).

With ``reproducible_keys=True`` the keys follow from the run's seed instead, so that the same
seed gives the same chain file bit for bit. The price: a seed can be recovered from a public
``keys.json`` by trying seeds (about 140 a second per core), and whoever has it can sign for
everybody. Drawing such keys from ``model.rng``
would move every later draw of the hour loop (profiles, prices, offers all use that generator)
and so change the run's results. :func:`key_seed` therefore *reads* the generator without
drawing: it hashes the generator's state at the end of the model's set-up (after every set-up
draw) into a 32-byte seed, from which :meth:`chain.KeyRing.from_seed` derives one key per
participant. A run with signing on or off, or without the chain, draws exactly the same numbers.

The public keys are the trust root of the signatures and must not come from the chain (a
forger who re-mines the chain can put his own keys into it): :func:`write_key_registry`
writes them to ``keys.json`` next to ``chain.jsonl``, and ``verify-chain`` checks every
signature against that registry (or one given with ``--keys``).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import NamedTuple

import numpy as np

from chain import AGGREGATOR_ID, KEYS_FILE, Blockchain, KeyRing, Transaction
from chain.merkle import transactions_root
from chain.pow import MiningResult, compete
from community_model.hour import KIND_NAMES, TradeLog
from community_model.trades import trade_ids

#: With signing in the background, the model signs a block itself while more than this many
#: blocks wait in the other process, so that both cores stay busy [blocks]. Who signs does
#: not change the chain: Ed25519 signatures are deterministic.
SIGN_HERE_BACKLOG = 4

#: Domain separation of :func:`key_seed`.
KEY_SEED_DOMAIN = b"prosumer-community-sim/key-seed/v1\n"


class MiningRecord(NamedTuple):
    """What one step's mining produced."""

    blocks: int  #: blocks mined this step
    hashes: int  #: hashes tried by all miners [hashes]


def key_seed(rng: np.random.Generator) -> bytes:
    """A 32-byte seed for the participants' keys, read from ``rng`` without drawing from it.

    SHA-256 over a domain prefix and the canonical JSON of ``rng.bit_generator.state``: the
    same seed and the same set-up give the same bytes; the generator's stream is untouched.
    """
    state = json.dumps(
        rng.bit_generator.state, sort_keys=True, separators=(",", ":"), default=_plain
    )
    return hashlib.sha256(KEY_SEED_DOMAIN + state.encode("ascii")).digest()


def _plain(value):
    """JSON form of the numpy values some bit generators keep in their state."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot serialise {type(value).__name__} in a generator state")


def make_ledger(
    params, rng: np.random.Generator, prosumer_ids
) -> tuple[Blockchain | None, KeyRing | None]:
    """The run's chain and, with ``sign_trades``, the participants' keys.

    Called once at the end of the model's set-up (see the module docstring). The chain knows
    the public keys (``blockchain.keys``), so ``blockchain.validate()`` checks every signature;
    it does not re-verify the trades it is given while the run goes on
    (``verify_before_mining=False``), since the model has just signed them itself.
    """
    if not params.chain_enabled:
        return None, None
    keyring = None
    if params.sign_trades:
        ids = [AGGREGATOR_ID, *(int(pid) for pid in prosumer_ids)]
        if params.reproducible_keys:
            keyring = KeyRing.from_seed(key_seed(rng), ids)
        else:
            keyring = KeyRing.generate(ids)
    blockchain = Blockchain(
        params.difficulty,
        params.max_transactions_per_block,
        keys=keyring.registry if keyring is not None else None,
        verify_before_mining=False,
    )
    return blockchain, keyring


def transactions(step: int, log: TradeLog) -> list[Transaction]:
    """One unsigned chain transaction per trade of the step, with the trade's id (signed later,
    block by block, in :func:`record_on_chain`)."""
    kinds = np.asarray(KIND_NAMES)[log.kind].tolist()
    step = int(step)
    seller_prices = np.where(log.seller_price == log.price, np.nan, log.seller_price)
    return [
        Transaction(
            tx_id=tx_id,
            hour=step,
            kind=kind,
            buyer=buyer,
            seller=seller,
            kwh=kwh,
            price=price,
            seller_price=None if seller_price != seller_price else seller_price,  # NaN: same
        )
        for tx_id, kind, buyer, seller, kwh, price, seller_price in zip(
            trade_ids(step, log),
            kinds,
            log.buyer.tolist(),
            log.seller.tolist(),
            log.kwh.tolist(),
            log.price.tolist(),
            seller_prices.tolist(),
            strict=True,
        )
    ]


def record_on_chain(
    blockchain: Blockchain,
    step: int,
    log: TradeLog,
    miners,
    block_reward: float,
    keyring: KeyRing | None = None,
    background=None,
) -> MiningRecord:
    """Mine the step's trades into blocks, signed block by block with ``keyring`` (if given);
    credit the winners. With a ``background`` process the blocks are only submitted (their
    signatures, if that process signs, and hashes come later, see
    :func:`append_mined_blocks`)."""
    if keyring is None:
        blockchain.add_transactions(transactions(step, log))
        batches = blockchain.take_batches()
    else:  # cut the blocks, then every party signs its statement of each block
        batches = []
        for block in blockchain.cut_blocks_to_sign(transactions(step, log)):
            if (
                background is not None
                and background.signs
                and (background.backlog() <= SIGN_HERE_BACKLOG)
            ):
                batches.append((block, None))  # signed in the other process
            else:
                signed = tuple(keyring.sign_block(block))
                batches.append((signed, transactions_root(signed)))
    if background is not None:
        background.submit(step, batches, float(step))
        return MiningRecord(len(batches), 0)
    miners = list(miners)
    ids, rates = [m.unique_id for m in miners], [m.hash_rate for m in miners]
    results = []
    for batch, root in batches:  # each template extends the block appended just before
        result = compete(blockchain.next_template(root, float(step)), ids, rates)
        blockchain.append_mined(batch, root, result)
        results.append(result)
    return _credit(miners, results, block_reward)


def append_mined_blocks(
    blockchain: Blockchain, batches, results: list[MiningResult], miners, block_reward: float
) -> MiningRecord:
    """Append blocks mined elsewhere (in submission order) and credit their winners."""
    for (batch, root), result in zip(batches, results, strict=True):
        blockchain.append_mined(batch, root, result)
    return _credit(list(miners), results, block_reward)


def _credit(miners: list, results: list[MiningResult], block_reward: float) -> MiningRecord:
    for result in results:
        winner = miners[result.winner_index]
        winner.blocks_won += 1
        winner.reward_eur += block_reward
        for miner, tried in zip(miners, result.hashes_per_miner, strict=True):
            miner.hashes_tried += tried
    return MiningRecord(len(results), sum(r.total_hashes for r in results))


def write_key_registry(blockchain: Blockchain | None, out_dir) -> dict[str, Path]:
    """Write the chain's key registry (``keys.json``) into ``out_dir``.

    Returns ``{"keys.json": path}``, or ``{}`` when there is no chain or it is unsigned; then
    a ``keys.json`` left by an earlier signed run in ``out_dir`` is removed, since it would
    make ``verify-chain`` demand signatures of the new, unsigned chain.
    """
    path = Path(out_dir) / KEYS_FILE
    if blockchain is None:
        return {}
    if blockchain.keys is None:
        path.unlink(missing_ok=True)
        return {}
    blockchain.keys.write(path)  # atomic
    return {KEYS_FILE: path}


def private_keys_path(out_dir) -> Path:
    """Where ``run`` writes the private keys of a run written to ``out_dir``: a file *beside*
    the folder, ``<folder>.private-keys.json``, so that publishing the folder (chain and public
    registry) never publishes them."""
    out = Path(out_dir).absolute()
    return out.parent / f"{out.name}.{PRIVATE_KEYS_SUFFIX}"


#: Suffix of the private key file beside a run's folder (:func:`private_keys_path`).
PRIVATE_KEYS_SUFFIX = "private-keys.json"


def write_private_keys(keyring: KeyRing | None, path) -> Path | None:
    """Write the run's private keys to ``path`` (mode 0600, atomic); ``None`` without keys."""
    if keyring is None:
        return None
    return keyring.write_private(path)
