"""The run's files: the original system's five CSV files (SPEC section 9).

Every file is written under a temporary name in the output folder and renamed when complete,
so an interrupted run never leaves a half-written file behind. Columns are documented in the
README ("Output files").
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from agents.regulator_rules import BAN_REASONS
from chain import write_chain
from chain.atomic_files import write_atomic
from community_model.ledger import write_key_registry
from community_model.state import ROLE_NAMES

ENERGY_COLUMNS = {
    "pv_kwh": "pv_kwh",
    "demand_kwh": "demand_kwh",
    "load_kwh": "load_kwh",
    "deferred_kwh": "deferred_kwh",
    "charge_kwh": "battery_charge_kwh",
    "discharge_kwh": "battery_discharge_kwh",
    "loss_kwh": "battery_loss_kwh",
    "stored_kwh": "battery_stored_kwh",
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
    "offer_price": "offer_price_eur_per_kwh",
    "battery_offer_kwh": "battery_offer_kwh",
    "battery_offer_price": "battery_offer_price_eur_per_kwh",
    "storage_bid_kwh": "storage_bid_kwh",
    "storage_bid_price": "storage_bid_price_eur_per_kwh",
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
GRID_COLUMNS = {"voltage_pu": "voltage_pu", "curtailed_kwh": "pv_curtailed_kwh"}
GRID_REDUCTIONS_FILE = "grid_reductions.csv"
CHAIN_FILE = "chain.jsonl"
FILES = (
    "prosumer_energy.csv",
    "prosumer_trading.csv",
    "all_trades.csv",
    "regulator_actions.csv",
    "community_summary.csv",
)


def _write_csv(frame: pd.DataFrame, path: Path) -> Path:
    return write_atomic(path, lambda tmp: frame.to_csv(tmp, index=False))


def prosumer_table(
    model, columns: dict[str, str], frame: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Per-prosumer, per-hour table from the model's history, renamed to ``columns``
    (``frame``: the model's :meth:`prosumer_frame`, when the caller already has it)."""
    frame = model.prosumer_frame() if frame is None else frame
    # Step k of Mesa's frames (model.time) is the state after hour k - 1; Step 0 is the start.
    steps = frame.index.get_level_values("Step").to_numpy()
    keep = steps >= 1
    data = {
        "hour": np.rint(steps[keep] - 1).astype(np.int64),
        "prosumer_id": frame.index.get_level_values("AgentID").to_numpy()[keep],
    }
    for source, name in columns.items():
        values = frame[source].to_numpy()[keep]
        data[name] = np.asarray(ROLE_NAMES)[values] if source == "role" else values
    return pd.DataFrame(data)  # built at once: inserting columns one by one is slow


def regulator_table(model, frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """Bonus, penalty and ban state per prosumer per hour.

    ``banned``: banned during this hour's market; ``new_ban``: banned at the end of this hour,
    for ``ban_remaining`` steps, because of ``ban_reason``.
    """
    table = prosumer_table(model, REGULATOR_COLUMNS, frame)
    table.insert(2, "banned", table.pop("role") == "banned")
    table["ban_reason"] = np.asarray(BAN_REASONS)[table["ban_reason"].to_numpy()]
    return table


def write_outputs(model, out_dir: str | os.PathLike) -> dict[str, Path]:
    """Write the five CSV files of the run into ``out_dir`` (created if needed)."""
    if model.params.agent_data_every != 1:
        raise ValueError(
            "the per-prosumer files need agent data every step: agent_data_every must be 1, "
            f"got {model.params.agent_data_every}"
        )
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    homes = model.prosumer_frame()
    feeder = getattr(model, "feeder", None)
    energy = ENERGY_COLUMNS if feeder is None else {**ENERGY_COLUMNS, **GRID_COLUMNS}
    tables = {
        "prosumer_energy.csv": prosumer_table(model, energy, homes),
        "prosumer_trading.csv": prosumer_table(model, TRADING_COLUMNS, homes),
        "all_trades.csv": model.trades_frame(),
        "regulator_actions.csv": regulator_table(model, homes),
        "community_summary.csv": model.step_frame(),
    }
    if feeder is not None:  # every trade reduced and every PV export curtailed by the feeder
        tables[GRID_REDUCTIONS_FILE] = feeder.reductions_frame()
    written = {name: _write_csv(frame, out / name) for name, frame in tables.items()}
    if model.blockchain is not None:
        written[CHAIN_FILE] = out / CHAIN_FILE
        write_chain(written[CHAIN_FILE], model.blockchain.blocks)  # atomic, validated first
        written.update(write_key_registry(model.blockchain, out))  # keys.json: the trust root
    return written
