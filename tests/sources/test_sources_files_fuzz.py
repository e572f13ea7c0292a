"""Fuzzing the readers of a user's profile files: damage gives one clear error, never a crash."""

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from community_model.sources.files import (
    ProfileDataError,
    read_home_file,
    read_price_file,
    write_home_file,
)

FIRST = pd.Timestamp("2023-03-20 00:00", tz="Europe/Berlin")


def _good_csv(tmp_path) -> bytes:
    path = tmp_path / "good.csv"
    times = pd.date_range(FIRST, periods=6, freq="h")
    pd.DataFrame({"timestamp": times, "home_0": 0.5, "home_1": 1.25}).to_csv(path, index=False)
    return path.read_bytes()


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_damaged_load_files_give_one_line_errors(tmp_path, data):
    good = _good_csv(tmp_path)
    kind = data.draw(st.sampled_from(["flip", "cut", "garbage", "splice"]))
    if kind == "flip":
        i = data.draw(st.integers(0, len(good) - 1))
        damaged = good[:i] + bytes([data.draw(st.integers(0, 255))]) + good[i + 1 :]
    elif kind == "cut":
        damaged = good[: data.draw(st.integers(0, len(good) - 1))]
    elif kind == "garbage":
        damaged = data.draw(st.binary(max_size=400))
    else:
        i = data.draw(st.integers(0, len(good)))
        damaged = good[:i] + data.draw(st.binary(min_size=1, max_size=20)) + good[i:]
    path = tmp_path / "load.csv"
    path.write_bytes(damaged)
    try:
        values = read_home_file(path, "load file", 2, FIRST, 1.0)
    except ProfileDataError as err:
        message = str(err)
        assert message.startswith("load file") and "\n" not in message.strip()
    else:  # a harmless change (e.g. a digit) still gives a valid table
        assert values.shape[1] == 2 and (values >= 0).all()


@settings(max_examples=100, deadline=None)
@given(content=st.binary(max_size=300))
def test_random_bytes_as_a_price_file(tmp_path_factory, content):
    path = tmp_path_factory.mktemp("prices") / "prices.csv"
    path.write_bytes(content)
    try:
        read_price_file(path, FIRST, 1.0)
    except ProfileDataError as err:
        assert "\n" not in str(err).strip()


def test_a_parquet_file_round_trips(tmp_path):
    import numpy as np

    values = np.array([[0.5, 1.0], [0.25, 2.0]])
    path = tmp_path / "pv.parquet"
    write_home_file(path, values, FIRST, 1.0)
    np.testing.assert_array_equal(read_home_file(path, "PV file", 2, FIRST, 1.0), values)
