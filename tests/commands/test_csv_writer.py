"""The fast CSV writer reads back to exactly what pandas' writer reads back to."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from community_model import CommunityModel
from community_model.outputs import files
from community_model.outputs.files import write_csv


@pytest.fixture(scope="module")
def model():
    model = CommunityModel.from_scenario(
        "germany_2024", n_prosumers=12, withholding_share=0.3, initial_member_share=0.75,
        join_every_hours=4, start_date="2023-06-05", rng=4,
    )  # fmt: skip
    model.run_for(30)
    return model


def tables(model):
    homes = model.prosumer_frame()
    return {
        "energy": files.prosumer_table(model, files.ENERGY_COLUMNS, homes),
        "trading": files.prosumer_table(model, files.TRADING_COLUMNS, homes),
        "trades": model.trades_frame(),
        "regulator": files.regulator_table(model, homes),
        "summary": model.step_frame(),
    }


@pytest.mark.parametrize("name", ["energy", "trading", "trades", "regulator", "summary"])
def test_every_file_reads_back_as_pandas_wrote_it(model, name, tmp_path):
    frame = tables(model)[name]
    write_csv(frame, tmp_path / "fast.csv")
    frame.to_csv(tmp_path / "pandas.csv", index=False)
    fast, slow = pd.read_csv(tmp_path / "fast.csv"), pd.read_csv(tmp_path / "pandas.csv")
    assert list(fast.columns) == list(frame.columns)
    pd.testing.assert_frame_equal(fast, slow, check_dtype=False, check_exact=True)
    assert len(fast) == len(frame) > 0


def test_strings_that_need_quotes_are_quoted_and_odd_values_survive(tmp_path):
    frame = pd.DataFrame({
        "text": ["plain", "a,b", 'say "hi"', "two\nlines", ""],
        "x": [1e-5, -0.0, np.nan, np.inf, 0.1 + 0.2],
        "flag": [True, False, True, False, True],
        "n": [0, 1, 2, 3, 4],
    })  # fmt: skip
    write_csv(frame, tmp_path / "odd.csv")
    back = pd.read_csv(
        tmp_path / "odd.csv", keep_default_na=False, na_values=[""], float_precision="round_trip"
    )
    assert back["text"].fillna("").tolist() == frame["text"].tolist()
    np.testing.assert_array_equal(back["x"].to_numpy(), frame["x"].to_numpy())
    assert back["flag"].tolist() == frame["flag"].tolist()
    assert (tmp_path / "odd.csv").read_text().splitlines()[0] == "text,x,flag,n"
