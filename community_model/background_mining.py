"""Proof of work in a second process while the simulation goes on (``mine_in_background``).

Mining is most of the cost of a run with the chain on (about 16**difficulty hashes a block) and
nothing in the hour depends on it, so it can run beside the simulation on another core. The
model still builds, signs and batches every transaction itself; the miner process only receives
each block's Merkle root and time, races the miners exactly as :func:`chain.pow.compete` does
in-process (it keeps the chain's tip, so every template is the one the model would have built)
and sends the results back. The chain, the winners and the hashes are therefore identical to
mining in-process; they reach the model when it next reads the chain.
"""

from __future__ import annotations

import multiprocessing
import warnings
from collections import deque
from collections.abc import Sequence

from chain import Blockchain
from chain.block import BlockHeader
from chain.pow import MiningResult, compete


def _serve(requests, results, difficulty, miner_ids, rates, index, prev_hash) -> None:
    """The miner process: race for each template in order, extending its own tip."""
    while (request := requests.get()) is not None:
        step, templates = request
        mined = []
        for root, timestamp in templates:
            template = BlockHeader(index, prev_hash, root, timestamp, difficulty, 0, 0)
            result = compete(template, miner_ids, rates)
            mined.append(result)
            index, prev_hash = index + 1, result.hash
        results.put((step, mined))


class BackgroundMiner:
    """A miner process fed block by block; results are collected in submission order."""

    def __init__(self, blockchain: Blockchain, miner_ids: Sequence[int], rates: Sequence[float]):
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
        self._pending: deque = deque()  # (step, batches) submitted, results not yet collected

    @property
    def pending_blocks(self) -> int:
        return sum(len(batches) for _, batches in self._pending)

    def submit(self, step: int, batches: list, timestamp: float) -> None:
        """Send the step's batches ``[(transactions, Merkle root), ...]`` to be mined."""
        self._requests.put((step, [(root, timestamp) for _, root in batches]))
        self._pending.append((step, batches))

    def collect(self) -> list[tuple[int, list, list[MiningResult]]]:
        """Wait for every submitted block; ``[(step, batches, results), ...]`` in order."""
        done = []
        while self._pending:
            step, batches = self._pending.popleft()
            result_step, results = self._results.get()
            if result_step != step or len(results) != len(batches):
                raise RuntimeError(f"miner process answered step {result_step} for step {step}")
            done.append((step, batches, results))
        return done

    def close(self) -> None:
        if self._process.is_alive():
            self._requests.put(None)
            self._process.join(timeout=10)
        if self._process.is_alive():
            self._process.terminate()
