"""The chain phase of the hour: every trade becomes a transaction and miners compete to mine
them into blocks (SPEC section 6)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from chain import Blockchain, Transaction
from community_model.hour import KIND_NAMES, TradeLog
from community_model.trades import trade_ids


class MiningRecord(NamedTuple):
    """What one step's mining produced."""

    blocks: int  #: blocks mined this step
    hashes: int  #: hashes tried by all miners [hashes]


def transactions(step: int, log: TradeLog) -> list[Transaction]:
    """One chain transaction per trade of the step, with the trade's id."""
    kinds = np.asarray(KIND_NAMES)[log.kind]
    return [
        Transaction(
            tx_id=tx_id,
            hour=step,
            kind=str(kind),
            buyer=int(buyer),
            seller=int(seller),
            kwh=float(kwh),
            price=float(price),
            seller_price=None if seller_price == price else float(seller_price),
        )
        for tx_id, kind, buyer, seller, kwh, price, seller_price in zip(
            trade_ids(step, log),
            kinds,
            log.buyer,
            log.seller,
            log.kwh,
            log.price,
            log.seller_price,
            strict=True,
        )
    ]


def record_on_chain(
    blockchain: Blockchain, step: int, log: TradeLog, miners, block_reward: float
) -> MiningRecord:
    """Put the step's trades in the mempool and mine it empty; credit the winners."""
    blockchain.add_transactions(transactions(step, log))
    miners = list(miners)
    results = blockchain.mine_pending(
        [m.unique_id for m in miners], [m.hash_rate for m in miners], timestamp=float(step)
    )
    for result in results:
        winner = miners[result.winner_index]
        winner.blocks_won += 1
        winner.reward_eur += block_reward
        for miner, tried in zip(miners, result.hashes_per_miner, strict=True):
            miner.hashes_tried += tried
    return MiningRecord(len(results), sum(r.total_hashes for r in results))
