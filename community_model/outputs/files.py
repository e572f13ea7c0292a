"""The run's files: the five CSV files of the system this simulator grew from
(docs/output-files.md), the chain, its key registry and its anchor.

The folder is whole or absent (:func:`chain.atomic_files.write_folder_atomic`): every file is
written into a temporary sibling folder, which then replaces the output folder in one rename.
So a killed or failed run (a full disk) leaves the earlier complete folder as it was, and
nothing of an earlier run (e.g. its chain, after a run with ``chain_enabled=False``) stays
beside a new run's files; the user's own files in the folder are carried over. Columns are
documented in docs/output-files.md.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

from chain import KEYS_FILE, write_chain
from chain.anchor import ANCHOR_FILE, Anchor
from chain.atomic_files import write_folder_atomic
from community_model.ledger import write_key_registry, write_private_keys

ENERGY_COLUMNS = {
    "pv_kwh": "pv_kwh",
    "demand_kwh": "demand_kwh",
    "load_kwh": "load_kwh",
    "deferred_kwh": "deferred_kwh",
    "battery_charge_kwh": "battery_charge_kwh",
    "battery_discharge_kwh": "battery_discharge_kwh",
    "battery_loss_kwh": "battery_loss_kwh",
    "battery_stored_kwh": "battery_stored_kwh",
    "soc": "soc",
    "residual_kwh": "residual_kwh",
    "p2p_bought_kwh": "p2p_bought_kwh",
    "p2p_sold_kwh": "p2p_sold_kwh",
    "grid_import_kwh": "grid_import_kwh",
    "grid_export_kwh": "grid_export_kwh",
    "balance_eur": "balance_eur",
}
TRADING_COLUMNS = {
    "role": "role",
    "offer_kwh": "offer_kwh",
    "offer_price_eur_per_kwh": "offer_price_eur_per_kwh",
    "battery_offer_kwh": "battery_offer_kwh",
    "battery_offer_price_eur_per_kwh": "battery_offer_price_eur_per_kwh",
    "storage_bid_kwh": "storage_bid_kwh",
    "storage_bid_price_eur_per_kwh": "storage_bid_price_eur_per_kwh",
    "p2p_trades": "p2p_trades",
    "market_trades": "market_trades",
    "p2p_bought_kwh": "p2p_bought_kwh",
    "p2p_sold_kwh": "p2p_sold_kwh",
    "p2p_sold_battery_kwh": "p2p_sold_battery_kwh",
    "p2p_bought_battery_kwh": "p2p_bought_battery_kwh",
    "p2p_paid_eur": "p2p_paid_eur",
    "p2p_received_eur": "p2p_received_eur",
    "grid_cost_eur": "grid_cost_eur",
}
REGULATOR_COLUMNS = {
    "role": "role",
    "bonus_eur": "bonus_eur",
    "penalty_eur": "penalty_eur",
    "new_ban": "new_ban",
    "ban_reason": "ban_reason",
    "ban_remaining": "ban_remaining",
}

#: per-home feeder columns, written with a grid
GRID_COLUMNS = {"voltage_pu": "voltage_pu", "pv_curtailed_kwh": "pv_curtailed_kwh"}
GRID_REDUCTIONS_FILE = "grid_reductions.csv"
GRID_TRADE_LOSSES_FILE = "grid_trade_losses.csv"
CHAIN_FILE = "chain.jsonl"
FILES = (
    "prosumer_energy.csv",
    "prosumer_trading.csv",
    "all_trades.csv",
    "regulator_actions.csv",
    "community_summary.csv",
)
#: Every name a run writes into its folder: what a new run replaces.
RUN_FILES = frozenset(
    (*FILES, CHAIN_FILE, KEYS_FILE, ANCHOR_FILE, GRID_REDUCTIONS_FILE, GRID_TRADE_LOSSES_FILE)
)


def write_csv(frame: pd.DataFrame | dict[str, np.ndarray], path: Path) -> None:
    """Write ``frame`` (a DataFrame, no index, or columns by name) as CSV: columns of
    numbers, booleans and strings by pyarrow's writer, about ten times faster than pandas'
    on a year of files; a table with other columns (timestamps) by pandas.

    Numbers are written in the shortest form that reads back to the same float (``0`` for
    0.0, ``0.00001`` for 1e-05), booleans as ``true``/``false``, missing values as empty
    fields, strings unquoted unless they need quotes; the header is plain names, as pandas
    writes it. pandas and every CSV reader read the files back to the same values.
    """
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    if isinstance(frame, dict):  # numpy columns: straight to arrow, no DataFrame between
        # (from_pandas: NaN is a missing value, an empty field, as pandas writes it)
        table = pa.table({n: pa.array(v, from_pandas=True) for n, v in frame.items()})
        columns = list(frame)
    else:
        columns = list(frame.columns)
        if not {frame[c].dtype.kind for c in columns} <= {"i", "u", "f", "b", "O"}:
            frame.to_csv(path, index=False)
            return
        try:
            table = pa.Table.from_pandas(frame, preserve_index=False)
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # e.g. objects of mixed types
            frame.to_csv(path, index=False)
            return
    header = (",".join(map(str, columns)) + "\n").encode()
    # Our own strings (roles, reasons, trade ids) need no quotes; a string with a comma, a
    # quote or a line break makes pyarrow refuse, and the file is written again quoting it.
    # The file is arrow's own (not a Python file object), so the writer never needs the GIL
    # and a thread writing the chain runs beside it.
    for quoting in ("none", "needed"):
        try:
            with pa.OSFile(str(path), "wb") as sink:
                sink.write(header)
                options = pa_csv.WriteOptions(include_header=False, quoting_style=quoting)
                pa_csv.write_csv(table, sink, options)
            return
        except pa.ArrowInvalid:
            if quoting == "needed":
                raise


class HomeData:
    """The recorded per-home quantities of the run's hours (Step >= 1), flattened hour by
    hour in row order, under the files' column names (``history.FRAME_NAMES``).

    Read straight from the history's arrays when they are in memory (no DataFrame of every
    column is built: a year of 100 homes saves seconds), else from ``frame`` or the model's
    :meth:`prosumer_frame`. ``role`` and ``ban_reason`` come as their names.
    """

    def __init__(self, model, frame: pd.DataFrame | None = None):
        from agents.regulator_rules import BAN_REASONS
        from community_model.history import FRAME_NAMES
        from community_model.state import ROLE_NAMES

        self._names = {"role": np.asarray(ROLE_NAMES), "ban_reason": np.asarray(BAN_REASONS)}
        history = model.history
        if frame is None and history.folder is None:
            steps = np.asarray(history.steps, dtype=float)
            keep = steps >= 1
            n = len(history.agent_ids)
            # Step k of Mesa's frames (model.time) is the state after hour k - 1.
            self.hour = np.repeat(np.rint(steps[keep] - 1).astype(np.int64), n)
            self.prosumer_id = np.tile(history.agent_ids, int(keep.sum()))
            state_name = {FRAME_NAMES.get(c, c): c for c in history.recorded}
            self.columns = set(state_name)
            self._read = lambda name: history.column(state_name[name])[keep].reshape(-1)
            self._coded = True
        else:
            frame = model.prosumer_frame() if frame is None else frame
            steps = frame.index.get_level_values("Step").to_numpy()
            keep = steps >= 1
            self.hour = np.rint(steps[keep] - 1).astype(np.int64)
            self.prosumer_id = frame.index.get_level_values("AgentID").to_numpy()[keep]
            self.columns = set(frame.columns)
            self._read = lambda name: frame[name].to_numpy()[keep]
            self._coded = False

    def __contains__(self, name: str) -> bool:
        return name in self.columns

    def values(self, name: str) -> np.ndarray:
        values = self._read(name)
        if name in self._names:
            return self._names[name][values.astype(np.int64)] if self._coded else values.astype(str)
        return values


def prosumer_columns(model, columns: dict[str, str], homes=None) -> dict[str, np.ndarray]:
    """The per-prosumer, per-hour columns of a file: ``hour``, ``prosumer_id`` and
    ``columns`` (source name -> file name), as numpy arrays (``homes``: a
    :class:`HomeData`, or the model's :meth:`prosumer_frame`, when the caller has one)."""
    if not isinstance(homes, HomeData):
        homes = HomeData(model, homes)
    data = {"hour": homes.hour, "prosumer_id": homes.prosumer_id}
    for source, name in columns.items():
        data[name] = homes.values(source)
    return data


def prosumer_table(model, columns: dict[str, str], homes=None) -> pd.DataFrame:
    """:func:`prosumer_columns` as a DataFrame."""
    return pd.DataFrame(prosumer_columns(model, columns, homes))


def regulator_columns(model, homes=None) -> dict[str, np.ndarray]:
    """Bonus, penalty and ban state per prosumer per hour.

    ``banned``: banned during this hour's market; ``new_ban``: banned at the end of this hour,
    for ``ban_remaining`` steps, because of ``ban_reason``.
    """
    if not isinstance(homes, HomeData):
        homes = HomeData(model, homes)
    columns = REGULATOR_COLUMNS
    if "withheld_kwh" in homes:  # homes that withhold their battery (withholding_share)
        columns = {**columns, "withheld_kwh": "withheld_kwh"}
    data = prosumer_columns(model, columns, homes)
    banned = data.pop("role") == "banned"
    return {"hour": data.pop("hour"), "prosumer_id": data.pop("prosumer_id"),
            "banned": banned, **data}  # fmt: skip


def regulator_table(model, homes=None) -> pd.DataFrame:
    """:func:`regulator_columns` as a DataFrame."""
    return pd.DataFrame(regulator_columns(model, homes))


def write_outputs(
    model, out_dir: str | os.PathLike, private_keys: str | os.PathLike | None = None
) -> dict[str, Path]:
    """Write the run's files into ``out_dir``, whole or not at all (module docstring).

    Parameters
    ----------
    model : CommunityModel
        A model that has run (agent data every step).
    out_dir : path-like
        The run's folder (created, or replaced with the user's own entries kept).
    private_keys : path-like, optional
        Where the signing keys go (mode 0600, written before the folder appears); ``None``:
        not written. Never inside ``out_dir``, which is meant to be published.

    Returns
    -------
    dict of str to Path
        File name -> path, the private key file (if any) under ``"private keys"``.
    """
    if model.params.agent_data_every != 1:
        raise ValueError(
            "the per-prosumer files need agent data every step: agent_data_every must be 1, "
            f"got {model.params.agent_data_every}"
        )
    out = Path(out_dir)
    blockchain = model.blockchain  # (waits for a background miner)

    def tables():
        """(file name, table) of every CSV file of the run."""
        homes = HomeData(model)
        feeder = getattr(model, "feeder", None)
        energy = ENERGY_COLUMNS if feeder is None else {**ENERGY_COLUMNS, **GRID_COLUMNS}
        if "in_community" in homes:  # homes joined or left during the run
            energy = {**energy, "in_community": "in_community"}
        yield "prosumer_energy.csv", prosumer_columns(model, energy, homes)
        yield "prosumer_trading.csv", prosumer_columns(model, TRADING_COLUMNS, homes)
        yield "all_trades.csv", model.trades_frame()
        yield "regulator_actions.csv", regulator_columns(model, homes)
        yield "community_summary.csv", model.step_frame()
        if feeder is not None:  # every trade reduced and PV export curtailed by the feeder
            yield GRID_REDUCTIONS_FILE, feeder.reductions_frame()
            if feeder.allocate_losses:  # the feeder's losses attributed to each P2P trade
                yield GRID_TRADE_LOSSES_FILE, feeder.trade_losses_frame()

    names: list[str] = []

    def write_ledger(folder: Path) -> list[str]:
        write_chain(folder / CHAIN_FILE, blockchain.blocks)  # validated first
        written = [CHAIN_FILE, *write_key_registry(blockchain, folder)]  # the trust root
        registry = blockchain.keys
        fingerprint = registry.fingerprint if registry is not None else None
        Anchor.of_chain(blockchain.blocks, fingerprint).write(folder / ANCHOR_FILE)
        return [*written, ANCHOR_FILE]

    def write(folder: Path) -> None:
        # The tables are built first (numpy copies), then the chain (Python code, holding
        # the GIL) is written in a thread while pyarrow (which releases the GIL) writes the
        # tables: a year's files in about half the time on two cores.
        built = list(tables())  # alone first: numpy copies wait for the GIL behind the chain
        with ThreadPoolExecutor(max_workers=1) as pool:
            ledger = pool.submit(write_ledger, folder) if blockchain is not None else None
            for name, frame in built:
                write_csv(frame, folder / name)
                names.append(name)
            if ledger is not None:
                names.extend(ledger.result())

    private = None
    if private_keys is not None and blockchain is not None:
        if Path(private_keys).absolute().is_relative_to(out.absolute()):
            raise ValueError(
                f"the private keys must not go into the run's folder {out} (it is published "
                "with chain.jsonl and keys.json): give a path outside it"
            )
        private = write_private_keys(getattr(model, "keyring", None), private_keys)
    write_folder_atomic(out, write, RUN_FILES)
    written = {name: out / name for name in names}
    if private is not None:
        written["private keys"] = private
    return written
