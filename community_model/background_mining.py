"""Signing and proof of work in a second process while the simulation goes on
(``mine_in_background``).

Signing the trades (one Ed25519 signature per party and block, 27 us each) and mining them
(about 16**difficulty hashes a block) are most of the cost of a run with the chain on, and
nothing in the hour depends on them, so they can run beside the simulation on another core.
The model builds every transaction and cuts the blocks itself; the process receives, per block,
the unsigned transactions (signed runs) or the Merkle root (unsigned runs), signs the block
(:meth:`chain.KeyRing.sign_block`, the keys are the model's), races the miners exactly as
:func:`chain.pow.compete` does in-process (it keeps the chain's tip, so every template is the
one the model would have built) and sends back the signatures and the results. The model puts
the signatures on its transactions, checks the Merkle root against them and appends the
blocks. The chain, the signatures, the winners and the hashes are therefore identical to
signing and mining in-process; they reach the model when it next reads the chain.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import warnings
from collections import deque
from collections.abc import Sequence

from chain import Blockchain, KeyRing
from chain.block import BlockHeader
from chain.keys import put_signatures
from chain.merkle import transactions_root
from chain.pow import MiningResult, compete


def _serve(requests, results, difficulty, miner_ids, rates, index, prev_hash, keyring) -> None:
    """The process: for each block in order, sign it (with a ``keyring``) and race for it,
    extending its own tip."""
    while (request := requests.get()) is not None:
        step, timestamp, blocks = request
        mined = []
        for block in blocks:
            signatures = None
            if isinstance(block, bytes):
                root = block  # the Merkle root of a block signed (or unsigned) by the model
            else:  # the block's unsigned transactions, to be signed here
                signatures = keyring.statement_signatures(block)
                root = transactions_root(put_signatures(block, signatures))
            template = BlockHeader(index, prev_hash, root, timestamp, difficulty, 0, 0)
            result = compete(template, miner_ids, rates)
            mined.append((root, signatures, result))
            index, prev_hash = index + 1, result.hash
        results.put((step, mined))


class BackgroundMiner:
    """A miner process fed block by block; results are collected in submission order."""

    def __init__(
        self,
        blockchain: Blockchain,
        miner_ids: Sequence[int],
        rates: Sequence[float],
        keyring: KeyRing | None = None,
    ):
        # fork: the child needs nothing but this module's loop, and unlike spawn/forkserver
        # it does not re-run the user's main script (which would break scripts without an
        # ``if __name__ == "__main__":`` guard). Elsewhere, spawn.
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        self._requests, self._results = context.Queue(), context.Queue()
        tip = blockchain.tip
        self._process = context.Process(
            target=_serve,
            args=(
                self._requests,
                self._results,
                blockchain.difficulty,
                list(miner_ids),
                list(rates),
                tip.header.index + 1,
                tip.hash,
                keyring,
            ),  # fmt: skip
            daemon=True,
        )
        with warnings.catch_warnings():
            # Python warns on fork() in any process with threads (numpy's BLAS pool is
            # enough). The child runs only hashlib and its queue, so no lock held by a thread
            # of the parent can stop it.
            warnings.filterwarnings(
                "ignore", "This process .* is multi-threaded", DeprecationWarning
            )
            self._process.start()
        #: Whether the process signs the blocks (it was given the keys).
        self.signs = keyring is not None
        self._pending: deque = deque()  # (step, blocks) submitted, not yet answered
        self._done: list = []  # (step, batches, results) answered, not yet collected
        self._blocks_waiting = 0  # blocks submitted and not yet answered
        self._blocks_done = 0  # blocks answered and not yet collected
        self._owner_pid = os.getpid()

    @property
    def pending_blocks(self) -> int:
        """Blocks submitted and not yet collected [blocks]."""
        return self._blocks_waiting + self._blocks_done

    def backlog(self) -> int:
        """Blocks submitted that the process has not finished yet [blocks].

        Reads the answers that have arrived and finishes them here (puts the signatures on
        the transactions), so that this work overlaps with the process's.
        """
        while True:
            try:
                answer = self._results.get_nowait()
            except queue.Empty:
                return self._blocks_waiting
            self._finish(answer)

    def submit(self, step: int, blocks: list, timestamp: float) -> None:
        """Send the step's blocks ``[(transactions, Merkle root), ...]`` to be mined; a block
        whose root is ``None`` holds unsigned transactions that the process signs first."""
        if not self.signs and any(root is None for _, root in blocks):
            raise ValueError("this miner process has no keys: every block needs its root")
        work = [txs if root is None else root for txs, root in blocks]
        self._requests.put((step, timestamp, work))
        self._pending.append((step, blocks))
        self._blocks_waiting += len(blocks)

    def collect(self) -> list[tuple[int, list, list[MiningResult]]]:
        """Wait for every submitted block; ``[(step, batches, results), ...]`` in order, each
        batch ``(signed transactions, Merkle root)``.

        Raises
        ------
        RuntimeError
            If the process answered out of turn, or its Merkle root is not that of the
            transactions with its signatures.
        """
        while self._pending:
            self._finish(self._results.get())
        done, self._done, self._blocks_done = self._done, [], 0
        return done

    def _finish(self, answer) -> None:
        """Match an answer with its submission; put the process's signatures on the blocks it
        signed (the root it mined covers them)."""
        result_step, mined = answer
        step, blocks = self._pending.popleft()
        if result_step != step or len(mined) != len(blocks):
            raise RuntimeError(f"miner process answered step {result_step} for step {step}")
        batches = []
        for (txs, root), (mined_root, signatures, _) in zip(blocks, mined, strict=True):
            if root is not None:
                batches.append((txs, root))
                continue
            # The process computed the root from these very signatures put on these
            # transactions (put_signatures is deterministic), so the root is not recomputed
            # here (2 s of a signed year); write_chain and verify-chain check every block's
            # root against its transactions.
            batches.append((put_signatures(txs, signatures), mined_root))
        self._blocks_waiting -= len(blocks)
        self._blocks_done += len(blocks)
        self._done.append((step, batches, [result for _, _, result in mined]))

    def close(self) -> None:
        if os.getpid() != self._owner_pid:  # a forked copy of this object: not ours to close
            return
        if self._process.is_alive():
            self._requests.put(None)
            self._process.join(timeout=10)
        if self._process.is_alive():
            self._process.terminate()
