"""Agent-level history: columnar blocks in memory or streamed to Parquet, same frames."""

import numpy as np
import pandas as pd
import pytest

from community_model import CommunityModel, ParameterError
from community_model.history import AgentHistory


def _run(**kw):
    model = CommunityModel(n_prosumers=15, chain_enabled=False, rng=6, **kw)
    model.run_for(40)
    return model


def test_parquet_stream_gives_the_same_frame_as_memory(tmp_path):
    in_memory = _run()
    streamed = CommunityModel(n_prosumers=15, chain_enabled=False, rng=6,
                              agent_data_dir=str(tmp_path / "agents"))  # fmt: skip
    streamed.history.chunk_steps = 7  # several parts plus a partial block
    streamed.run_for(40)
    parts = sorted(p.name for p in (tmp_path / "agents").iterdir())
    assert parts == [f"part-{i:05d}.parquet" for i in range(-(-41 // 7))]  # the partial too
    pd.testing.assert_frame_equal(in_memory.prosumer_frame(), streamed.prosumer_frame(),
                                  check_exact=True)  # fmt: skip
    np.testing.assert_array_equal(in_memory.history.column("soc"), streamed.history.column("soc"))


def test_frame_has_mesa_shape_and_dtypes():
    frame = _run().prosumer_frame()
    assert frame.index.names == ["Step", "AgentID"]
    assert len(frame) == 41 * 15
    assert frame["new_ban"].dtype == bool
    # categories with their names, the files' column names with units
    assert list(frame["role"].cat.categories) == ["idle", "buyer", "seller", "banned"]
    assert list(frame["ban_reason"].cat.categories)[1:] == [
        "excessive_market_usage", "negative_balance", "withheld_storage",
    ]  # fmt: skip
    assert {"battery_charge_kwh", "battery_stored_kwh", "offer_price_eur_per_kwh"} <= set(frame)
    assert not {"charge_kwh", "stored_kwh", "offer_price"} & set(frame)


def test_the_frame_and_the_files_have_the_same_columns(tmp_path):
    from community_model.outputs.files import write_outputs

    model = _run()
    write_outputs(model, tmp_path / "out")
    frame = model.prosumer_frame()
    for name in ("prosumer_energy.csv", "prosumer_trading.csv", "regulator_actions.csv"):
        header = (tmp_path / "out" / name).read_text().splitlines()[0].split(",")
        shared = [c for c in header if c not in ("hour", "prosumer_id", "banned")]
        assert set(shared) <= set(frame), (name, set(shared) - set(frame))


def test_recording_every_k_steps():
    model = _run(agent_data_every=10)
    steps = model.prosumer_frame().index.get_level_values("Step").unique()
    assert list(steps) == [0.0, 10.0, 20.0, 30.0, 40.0]


def test_a_folder_with_another_runs_data_is_refused(tmp_path):
    folder = tmp_path / "agents"
    history = AgentHistory(np.arange(3), folder, chunk_steps=1)
    model = CommunityModel(n_prosumers=3, rng=1)
    history.record(0.0, model.state)  # writes part-00000
    with pytest.raises(ParameterError, match="already holds agent data"):
        AgentHistory(np.arange(3), folder)


@pytest.mark.parametrize("hours", [30, 200])  # under one block of 168 steps, and over
def test_every_step_reaches_the_folder_the_last_partial_block_included(tmp_path, hours):
    import pyarrow.parquet as pq

    folder = tmp_path / "agents"
    model = CommunityModel(n_prosumers=4, rng=1, agent_data_dir=str(folder), chain_enabled=False)
    model.run_for(hours)
    from community_model.history import tidy_frame

    on_disk = pq.read_table(folder).to_pandas().set_index(["Step", "AgentID"])
    assert len(on_disk) == (hours + 1) * 4  # the start and every step
    assert "battery_stored_kwh" in on_disk  # the files' names; role and ban_reason as codes
    pd.testing.assert_frame_equal(tidy_frame(on_disk), model.prosumer_frame())


def test_a_script_that_steps_by_hand_flushes_at_exit(tmp_path):
    import subprocess
    import sys

    folder = tmp_path / "agents"
    script = (
        "from community_model import CommunityModel\n"
        f"m = CommunityModel(n_prosumers=3, rng=1, agent_data_dir={str(folder)!r}, "
        "chain_enabled=False)\n"
        "for _ in range(10): m.step()\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True)
    import pyarrow.parquet as pq

    assert pq.read_table(folder).num_rows == 11 * 3
