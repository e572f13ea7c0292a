"""Per-prosumer time series kept as preallocated columnar blocks, not one object per agent-hour.

Recorded steps fill a block of ``chunk_steps`` rows per column. A full block is either kept in
memory or, for large runs, written to a folder as one Parquet file per block
(``part-00000.parquet`` ...; a Parquet dataset pandas and pyarrow read as one table), so memory
stays flat however long the run. The last, partial block reaches the folder too:
:meth:`AgentHistory.flush` writes it as the next part (rewritten, atomically, when the block
grows), and is called at the end of ``run_for``, of ``community-sim run``, by
:meth:`AgentHistory.frame` and when the interpreter exits, so every recorded step is on disk.
``AgentHistory.frame()`` gives the same DataFrame shape as
Mesa's agent reporters (MultiIndex ``Step``, ``AgentID``).
"""

from __future__ import annotations

import os
import weakref
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from chain.atomic_files import write_atomic
from community_model.errors import ParameterError
from community_model.state import ProsumerState

if TYPE_CHECKING:
    import pyarrow as pa

#: Columns recorded per prosumer and step, in frame order.
RECORDED = (
    "pv_kwh", "demand_kwh", "load_kwh", "deferred_kwh", "charge_kwh", "discharge_kwh",
    "loss_kwh", "stored_kwh", "soc", "residual_kwh", "role", "offer_kwh", "offer_price",
    "battery_offer_kwh", "battery_offer_price", "storage_bid_kwh", "storage_bid_price",
    "p2p_bought_kwh", "p2p_sold_kwh", "p2p_sold_battery_kwh", "p2p_bought_battery_kwh",
    "p2p_paid_eur", "p2p_received_eur", "p2p_trades", "grid_import_kwh", "grid_export_kwh",
    "grid_cost_eur", "market_trades", "bonus_eur", "penalty_eur", "balance_eur",
    "ban_remaining", "ban_reason", "new_ban",
)  # fmt: skip

#: Names of the frame's columns where they differ from the state's: the per-home files' own
#: names, with their units (docs/output-files.md), so that a frame and a file read alike.
FRAME_NAMES = {
    "charge_kwh": "battery_charge_kwh",
    "discharge_kwh": "battery_discharge_kwh",
    "loss_kwh": "battery_loss_kwh",
    "stored_kwh": "battery_stored_kwh",
    "offer_price": "offer_price_eur_per_kwh",
    "battery_offer_price": "battery_offer_price_eur_per_kwh",
    "storage_bid_price": "storage_bid_price_eur_per_kwh",
    "curtailed_kwh": "pv_curtailed_kwh",
}

PART_NAME = "part-{:05d}.parquet"


def tidy_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The recorded frame as users read it: the files' column names (:data:`FRAME_NAMES`),
    ``role`` and ``ban_reason`` as categories with their names (integer codes inside)."""
    from agents.regulator_rules import BAN_REASONS
    from community_model.state import ROLE_NAMES

    frame = frame.rename(columns=FRAME_NAMES)  # (the recorded tables already carry them)
    for column, names in (("role", ROLE_NAMES), ("ban_reason", BAN_REASONS)):
        if column in frame:
            codes = frame[column].to_numpy().astype(np.int64)
            frame[column] = pd.Categorical.from_codes(codes, categories=list(names))
    return frame


class AgentHistory:
    """Snapshots of the prosumer columns at recorded steps.

    Parameters
    ----------
    agent_ids : array of int
        Mesa ``unique_id`` of each prosumer row.
    folder : path or None
        Where to stream full blocks as Parquet parts; None keeps everything in memory.
    chunk_steps : int
        Recorded steps per block.
    """

    def __init__(self, agent_ids: np.ndarray, folder: str | os.PathLike | None = None,
                 chunk_steps: int = 168, extra: tuple[str, ...] = ()):  # fmt: skip
        self.agent_ids = np.asarray(agent_ids)
        self.folder = Path(folder) if folder is not None else None
        self.chunk_steps = chunk_steps
        self.recorded = RECORDED + tuple(extra)  # extra: e.g. the feeder's columns
        self.steps: list[float] = []
        self._block: dict[str, np.ndarray] | None = None  # allocated on the first record
        self._fill = 0
        self._blocks: list[dict[str, np.ndarray]] = []  # full blocks kept in memory
        self._parts = 0
        self._tail_written = 0  # rows of the partial block on disk (as part self._parts)
        if self.folder is not None:
            self.folder.mkdir(parents=True, exist_ok=True)
            if any(self.folder.glob("part-*.parquet")):
                raise ParameterError(
                    f"agent_data_dir {str(self.folder)!r} already holds agent data from another "
                    "run; choose an empty folder"
                )
            weakref.finalize(self, _flush_at_exit, weakref.ref(self))

    def record(self, step: float, state: ProsumerState) -> None:
        if self._block is None:
            n = len(self.agent_ids)
            self._block = {
                name: np.empty((self.chunk_steps, n), dtype=np.asarray(getattr(state, name)).dtype)
                for name in self.recorded
            }
        for name, values in self._block.items():
            values[self._fill] = getattr(state, name)
        self.steps.append(step)
        self._fill += 1
        if self._fill == self.chunk_steps:
            self._flush()

    def _flush(self) -> None:
        """Move the full block to memory or to a Parquet part, and start a new one."""
        if self.folder is None:
            self._blocks.append({name: values.copy() for name, values in self._block.items()})
        else:
            first = len(self.steps) - self._fill
            table = self._table(self._block, self.steps[first:], self._fill)
            path = self.folder / PART_NAME.format(self._parts)
            import pyarrow.parquet as pq  # loaded only when agent data go to files

            write_atomic(path, lambda tmp: pq.write_table(table, tmp))  # complete or absent
            self._parts += 1
        self._fill = 0
        self._tail_written = 0

    def flush(self) -> None:
        """Write the partial block to the folder as the next part (no-op in memory, or when
        it is already there); a later full block of the same number replaces it."""
        if self.folder is None or not self._fill or self._tail_written == self._fill:
            return
        first = len(self.steps) - self._fill
        table = self._table(self._block, self.steps[first:], self._fill)
        import pyarrow.parquet as pq

        path = self.folder / PART_NAME.format(self._parts)
        write_atomic(path, lambda tmp: pq.write_table(table, tmp))
        self._tail_written = self._fill

    def _table(self, block: dict[str, np.ndarray], steps: list[float], rows: int) -> pa.Table:
        n = len(self.agent_ids)
        columns = {
            "Step": np.repeat(np.asarray(steps, dtype=float), n),
            "AgentID": np.tile(self.agent_ids, rows),
        }
        columns.update(  # the files' names (FRAME_NAMES); role and ban_reason as codes
            {
                FRAME_NAMES.get(name, name): values[:rows].reshape(-1)
                for name, values in block.items()
            }
        )
        import pyarrow as pa

        return pa.table(columns)

    def column(self, name: str) -> np.ndarray:
        """One quantity as a (recorded steps x prosumers) array."""
        if self.folder is not None:
            frame = self.frame()
            values = frame[FRAME_NAMES.get(name, name)].to_numpy()
            return values.reshape(len(self.steps), len(self.agent_ids))
        parts = [block[name] for block in self._blocks]
        if self._block is not None:
            parts.append(self._block[name][: self._fill])
        if not parts:
            return np.empty((0, len(self.agent_ids)))
        return np.concatenate(parts)

    def frame(self) -> pd.DataFrame:
        """All recorded quantities, indexed by (Step, AgentID) like Mesa's agent frames."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        tables = []
        if self.folder is not None:
            self.flush()  # the partial block joins the parts on disk
            if self._parts or self._fill:
                tables.append(pq.read_table(self.folder, schema=None))
        for i, block in enumerate(self._blocks):  # in memory (no folder)
            steps = self.steps[i * self.chunk_steps : (i + 1) * self.chunk_steps]
            tables.append(self._table(block, steps, self.chunk_steps))
        if self._fill and self.folder is None:
            tables.append(self._table(self._block, self.steps[-self._fill :], self._fill))
        if not tables:
            return pd.DataFrame(
                {FRAME_NAMES.get(name, name): [] for name in self.recorded},
                index=pd.MultiIndex.from_arrays([[], []], names=["Step", "AgentID"]),
            )
        frame = pa.concat_tables(tables).to_pandas()
        return frame.set_index(["Step", "AgentID"])


def _flush_at_exit(ref) -> None:
    """Write the partial block of a history still alive when the interpreter exits."""
    history = ref()
    if history is not None:
        history.flush()
