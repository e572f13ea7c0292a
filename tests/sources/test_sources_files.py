"""A user's own hourly load and PV per home from CSV or Parquet, and the errors it can get."""

import numpy as np
import pandas as pd
import pytest

from community_model import CommunityModel, ParameterError
from community_model.commands.main import main
from community_model.parameters import Parameters
from community_model.sources.calendar import run_start, run_times
from community_model.sources.files import write_home_file

N = 6


@pytest.fixture
def energy():
    rng = np.random.default_rng(0)
    load = rng.uniform(0.2, 1.5, size=(72, N))
    hours = np.arange(72) % 24
    sun = np.clip(np.sin(np.pi * (hours - 6) / 12), 0, None)[:, None]
    pv = sun * rng.uniform(1.0, 4.0, size=(1, N))
    return load, pv


#: The clock of a files run (Parameters().first_date would be the synthetic day's equinox)
FILES_CLOCK = dict(start_date="2023-01-01")


def _write(tmp_path, name, values, params=None):
    params = params or Parameters(**FILES_CLOCK)
    return str(write_home_file(tmp_path / name, values, run_start(params), params.step_hours))


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_model_runs_on_the_users_load_and_pv(tmp_path, energy, suffix):
    load, pv = energy
    model = CommunityModel(
        n_prosumers=N,
        profile_source="files",
        load_file=_write(tmp_path, "load" + suffix, load),
        pv_file=_write(tmp_path, "pv" + suffix, pv),
        flexible_load_share=0.0,
        chain_enabled=False,
        rng=1,
    )
    model.run_for(72)
    homes = model.prosumer_frame().drop(0, level="Step")  # without the initial state
    demand = homes["demand_kwh"].to_numpy().reshape(72, N)
    np.testing.assert_allclose(demand, load)
    np.testing.assert_allclose(homes["pv_kwh"].to_numpy().reshape(72, N), pv)
    with pytest.raises(ParameterError, match=r"PV file .*: has 72 rows, too short for step 72"):
        model.step()


def test_pv_from_the_weather_when_no_pv_file(tmp_path, energy):
    load, _ = energy
    model = CommunityModel(
        n_prosumers=N,
        profile_source="files",
        load_file=_write(tmp_path, "load.csv", load, Parameters(start_date="2023-06-01")),
        chain_enabled=False,
        start_date="2023-06-01",
        rng=1,
    )
    model.run_for(24)
    assert model.step_frame()["pv_kwh"].sum() > 0


def test_extra_homes_in_the_file_are_ignored(tmp_path, energy):
    load, _ = energy
    path = _write(tmp_path, "load.csv", np.hstack([load, load]))
    model = CommunityModel(n_prosumers=N, profile_source="files", load_file=path, rng=1)
    model.run_for(2)


def test_naive_local_timestamps_are_read_on_the_run_clock(tmp_path):
    params = Parameters(start_date="2023-10-28")
    times = run_times(params, 48)
    frame = pd.DataFrame({"timestamp": times.tz_localize(None).astype(str)})
    for k in range(N):
        frame[f"home_{k}"] = 0.5
    path = tmp_path / "naive.csv"
    frame.to_csv(path, index=False)
    model = CommunityModel(
        n_prosumers=N,
        profile_source="files",
        load_file=str(path),
        start_date="2023-10-28",
        chain_enabled=False,
        rng=1,
    )
    model.run_for(48)  # the repeated 02:00 of 29 October is placed by its order


@pytest.mark.parametrize(
    ("start_hour", "stamps"),
    [
        (1, ["2023-10-29T01:00", "2023-10-29T02:00"]),  # the first 02:00 only
        (2, ["2023-10-29T02:00"]),
        (1, ["2023-10-29T01:00", "2023-10-29T02:00", "2023-10-29T02:00", "2023-10-29T03:00"]),
        (1, ["2023-03-26T01:00", "2023-03-26T03:00"]),  # spring: 02:00 does not exist
    ],
)
def test_local_times_around_a_clock_change_follow_the_runs_steps(tmp_path, start_hour, stamps):
    """A file holding one of the two 02:00 of an autumn day was refused ("cannot infer dst
    time"); its rows are the run's own steps on the wall clock, found by a random search."""
    frame = pd.DataFrame({"timestamp": stamps, **{f"home_{k}": 0.5 for k in range(N)}})
    frame.to_csv(tmp_path / "dst.csv", index=False)
    model = CommunityModel(
        n_prosumers=N, profile_source="files", load_file=str(tmp_path / "dst.csv"),
        start_date=stamps[0][:10], start_hour=start_hour, chain_enabled=False, rng=1,
    )  # fmt: skip
    model.run_for(len(stamps))
    assert model.state.demand_kwh.tolist() == [0.5] * N


def test_a_local_time_after_one_with_an_offset_is_refused(tmp_path):
    """pandas read row 2 in row 1's offset, so the file was taken for 23:00Z, 23:00Z."""
    stamps = ["2022-12-31T23:00Z", "2023-01-01T00:00", "2023-01-01T01:00Z"]
    frame = pd.DataFrame({"timestamp": stamps, **{f"home_{k}": 0.5 for k in range(N)}})
    frame.to_csv(tmp_path / "mixed.csv", index=False)
    with pytest.raises(ParameterError, match=r"mix UTC offsets and local times \(row 1 has a"):
        CommunityModel(
            n_prosumers=N, profile_source="files", load_file=str(tmp_path / "mixed.csv"), rng=1,
            **FILES_CLOCK,
        )  # fmt: skip


def _broken(tmp_path, load, change):
    params = Parameters(**FILES_CLOCK)
    times = run_times(params, len(load))
    frame = pd.DataFrame(load, columns=[f"home_{k}" for k in range(load.shape[1])])
    frame.insert(0, "timestamp", [t.isoformat() for t in times])
    frame = change(frame)
    path = tmp_path / "broken.csv"
    frame.to_csv(path, index=False)
    return str(path)


def _set(frame, column, row, value):
    frame[column] = frame[column].astype(object)
    frame.loc[row, column] = value
    return frame


BROKEN = {
    "missing home": (
        lambda f: f.drop(columns="home_3"),
        r"missing column 'home_3' for home 3 \(the run has 6 homes",
    ),
    "negative value": (
        lambda f: _set(f, "home_2", 4, -0.5),
        r"column 'home_2', row 5: negative value -0.5",
    ),
    "not a number": (
        lambda f: _set(f, "home_1", 0, "lots"),
        r"column 'home_1', row 1: 'lots' is not a number",
    ),
    "empty cell": (
        lambda f: _set(f, "home_0", 9, None),
        r"column 'home_0', row 10: .*not a number",
    ),
    "bad timestamp": (
        lambda f: _set(f, "timestamp", 3, "tomorrow"),
        r"column 'timestamp' has a bad timestamp \(row 4: 'tomorrow'",
    ),
    "a year pandas cannot hold": (
        lambda f: _set(f, "timestamp", 0, "9999-01-01T00:00+01:00"),
        r"row 1: '9999-01-01T00:00\+01:00' is not an ISO 8601 timestamp between the years",
    ),
    "gap in time": (
        lambda f: f.drop(index=5).reset_index(drop=True),
        r"row 6 has timestamp 2023-01-01T06:00:00\+01:00, expected 2023-01-01T05:00:00\+01:00",
    ),
    "wrong start": (
        lambda f: _set(
            f,
            "timestamp",
            slice(None),
            [
                t.isoformat()
                for t in pd.date_range("2022-01-01", periods=len(f), freq="h", tz="UTC")
            ],
        ),  # fmt: skip
        r"row 1 has timestamp 2022-01-01T00:00:00\+00:00, expected 2023-01-01T00:00:00\+01:00",
    ),
    "no timestamp": (lambda f: f.drop(columns="timestamp"), "missing column 'timestamp'"),
    "unknown column": (lambda f: f.assign(fridge=1.0), "unexpected column 'fridge'"),
    "no rows": (lambda f: f.iloc[:0], "no rows"),
}


@pytest.mark.parametrize("change, message", BROKEN.values(), ids=BROKEN.keys())
def test_bad_files_are_refused_with_one_line(tmp_path, energy, change, message):
    path = _broken(tmp_path, energy[0], change)
    with pytest.raises(ParameterError, match=message) as err:
        CommunityModel(n_prosumers=N, profile_source="files", load_file=path, rng=1)
    assert str(err.value).startswith(f"load file {path}: ")
    assert "\n" not in str(err.value)


def test_files_that_do_not_exist_or_are_not_tables(tmp_path):
    with pytest.raises(ParameterError, match="load_file must be the path of a .csv or .parquet"):
        Parameters(profile_source="files", load_file=str(tmp_path / "missing.csv"))
    other = tmp_path / "load.txt"
    other.write_text("x")
    with pytest.raises(ParameterError, match="load_file must be the path"):
        Parameters(profile_source="files", load_file=str(other))
    garbage = tmp_path / "load.parquet"
    garbage.write_text("not parquet")
    with pytest.raises(ParameterError, match=f"load file {garbage}: cannot be read"):
        CommunityModel(profile_source="files", load_file=str(garbage), rng=1)
    with pytest.raises(ParameterError, match="profile_source 'files' needs load_file"):
        Parameters(profile_source="files")
    with pytest.raises(ParameterError, match="pv_file is read only with profile_source 'files'"):
        Parameters(pv_file=str(garbage))


def test_cli_prints_one_line_and_exits_2(tmp_path, energy, capsys):
    path = _broken(tmp_path, energy[0], BROKEN["negative value"][0])
    status = main(
        ["run", "--no-files", "--profile-source", "files", "--load-file", path, "--prosumers", "6"]
    )
    err = capsys.readouterr().err
    assert status == 2
    assert err.count("\n") == 1 and "column 'home_2', row 5: negative value" in err
