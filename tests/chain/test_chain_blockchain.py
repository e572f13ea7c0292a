"""The Blockchain: genesis, mempool, mining in batches, duplicate ids."""

from __future__ import annotations

import pytest

from chain import Blockchain, ChainError, ChainValidationError, make_genesis_block, validate_chain


def test_new_chain_has_a_mined_genesis_block():
    chain = Blockchain(difficulty=2)
    assert chain.height == 0 and len(chain) == 1
    assert chain.blocks[0] == make_genesis_block(2)
    assert chain.blocks[0].hash.hex().startswith("00")
    assert chain.tx_ids() == [] and chain.pending == ()
    chain.validate()


def test_mining_120_transactions_makes_3_blocks_of_at_most_50(make_txs):
    chain = Blockchain(difficulty=2, max_transactions_per_block=50)
    txs = make_txs(120, hour=3)
    chain.add_transactions(txs)
    assert chain.pending == tuple(txs)
    results = chain.mine_pending([11, 12, 13], [1.0, 2.0, 4.0], timestamp=3.0)
    assert len(results) == 3
    assert chain.height == 3 and len(chain.blocks) == 4
    assert [len(b.transactions) for b in chain.blocks] == [0, 50, 50, 20]
    # every transaction exactly once, in mempool order
    assert chain.tx_ids() == [tx.tx_id for tx in txs]
    assert list(chain.transactions()) == txs
    assert chain.pending == ()
    for block, result in zip(chain.blocks[1:], results, strict=True):
        assert block.hash == result.hash and block.header == result.header
        assert block.header.miner_id in (11, 12, 13)
        assert block.header.timestamp == 3.0
    validate_chain(chain.blocks)
    assert chain.mine_pending([11], [1.0], timestamp=4.0) == []  # nothing to mine, no empty block


def test_duplicate_ids_are_refused_atomically(make_txs):
    chain = Blockchain(difficulty=1)
    first, second, third = make_txs(3)
    chain.add_transactions([first])
    with pytest.raises(ChainError, match=f"duplicate transaction id {first.tx_id}"):
        chain.add_transactions([second, first])  # already in the mempool
    assert chain.pending == (first,)  # second was not added either
    with pytest.raises(ChainError, match="duplicate"):
        chain.add_transactions([second, second])  # twice in one call
    chain.mine_pending([1], [1.0], timestamp=1.0)
    with pytest.raises(ChainError, match="duplicate"):
        chain.add_transactions([first])  # already on the chain
    with pytest.raises(ChainError, match="expected a Transaction"):
        chain.add_transactions([first.to_dict()])
    chain.add_transactions([second, third])
    chain.mine_pending([1], [1.0], timestamp=1.0)
    assert chain.tx_ids() == [first.tx_id, second.tx_id, third.tx_id]


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"difficulty": 9}, r"difficulty must be an int in 0\.\.8, got 9"),
        ({"difficulty": -1}, r"difficulty must be an int in 0\.\.8, got -1"),
        ({"difficulty": 2.0}, r"difficulty must be an int in 0\.\.8, got 2\.0"),
        ({"difficulty": True}, r"difficulty .* got True"),
        (
            {"max_transactions_per_block": 0},
            r"max_transactions_per_block must be an int >= 1, got 0",
        ),
        ({"max_transactions_per_block": 2.5}, r"max_transactions_per_block .* got 2\.5"),
    ],
)
def test_parameters_are_checked(kwargs, fragment):
    with pytest.raises(ValueError, match=fragment):
        Blockchain(**kwargs)


def test_timestamps_cannot_go_back(make_txs):
    chain = Blockchain(difficulty=1, genesis_timestamp=5.0)
    chain.add_transactions(make_txs(1))
    with pytest.raises(ValueError, match="timestamp"):
        chain.mine_pending([1], [1.0], timestamp=4.0)
    with pytest.raises(ValueError, match="timestamp"):
        chain.mine_pending([1], [1.0], timestamp=float("nan"))
    chain.mine_pending([1], [1.0], timestamp=5.0)


def test_mining_is_deterministic(make_txs):
    def run():
        chain = Blockchain(difficulty=2, max_transactions_per_block=7)
        chain.add_transactions(make_txs(20))
        chain.mine_pending([1, 2], [1.0, 3.0], timestamp=1.0)
        return chain.blocks

    assert run() == run()


def test_from_blocks_resumes_a_chain(small_chain, make_txs):
    resumed = Blockchain.from_blocks(small_chain.blocks, max_transactions_per_block=3)
    assert resumed.blocks == small_chain.blocks
    assert resumed.difficulty == small_chain.difficulty
    with pytest.raises(ChainError, match="duplicate"):
        resumed.add_transactions([small_chain.blocks[1].transactions[0]])
    resumed.add_transactions(make_txs(2, hour=9))
    resumed.mine_pending([1], [1.0], timestamp=9.0)
    resumed.validate()
    with pytest.raises(ChainValidationError, match="block 1: index 2 out of sequence"):
        Blockchain.from_blocks([small_chain.blocks[0], small_chain.blocks[2]])
