"""Same parameters and seed -> identical outputs, bit for bit (with reproducible_keys; the
default, fresh random keys, changes only the chain's bytes and hash counts: see
tests/chain/test_chain_model_signing.py)."""

import filecmp

import pandas as pd
import pytest

from community_model import CommunityModel
from community_model.commands.main import main


def _run(seed, **kw):
    model = CommunityModel(n_prosumers=30, rng=seed, reproducible_keys=True, **kw)
    model.run_for(30)
    return model


@pytest.mark.parametrize("kw", [{}, {"pricing_strategy": "zic"}, {"step_hours": 0.5}])
def test_same_seed_same_frames(kw):
    a, b = _run(11, **kw), _run(11, **kw)
    pd.testing.assert_frame_equal(a.step_frame(), b.step_frame(), check_exact=True)
    pd.testing.assert_frame_equal(a.prosumer_frame(), b.prosumer_frame(), check_exact=True)
    pd.testing.assert_frame_equal(a.trades_frame(), b.trades_frame(), check_exact=True)


def test_other_seed_other_run():
    a, b = _run(11), _run(12)
    assert not a.step_frame()["pv_kwh"].equals(b.step_frame()["pv_kwh"])


def test_recording_agent_data_does_not_change_results():
    recorded, unrecorded = _run(4, agent_data_every=1), _run(4, agent_data_every=0)
    pd.testing.assert_frame_equal(recorded.step_frame(), unrecorded.step_frame(), check_exact=True)
    pd.testing.assert_frame_equal(
        recorded.trades_frame(), unrecorded.trades_frame(), check_exact=True
    )
    assert len(unrecorded.prosumer_frame()) == 0


def test_same_seed_same_files(tmp_path, capsys):
    args = ["run", "--prosumers", "20", "--hours", "12", "--seed", "9", "--reproducible-keys", "1"]
    assert main([*args, "--out", str(tmp_path / "a")]) == 0
    assert main([*args, "--out", str(tmp_path / "b")]) == 0
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert {"all_trades.csv", "chain.jsonl", "community_summary.csv"} <= set(names)
    match, mismatch, errors = filecmp.cmpfiles(tmp_path / "a", tmp_path / "b", names, shallow=False)
    assert mismatch == [] and errors == [] and len(match) == len(names)
