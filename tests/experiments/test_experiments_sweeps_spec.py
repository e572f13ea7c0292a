"""Sweep spec files: the grid, the seeds, run keys, and one-line errors for bad specs."""

from __future__ import annotations

import pytest

from community_model.experiments.sweep_spec import SpecError, SweepSpec, load_spec, run_key

GOOD = """
hours = 12
seeds = [3, 1]
frames = true
description = "battery x objective"

[fixed]
n_prosumers = 20
battery_power_kw = "none"
pv_capacities_kw = [2, 3, 4, 5, 6, 7, 8, 9, 10, 11]

[grid]
battery_share = [0, 0.5, 1]
objective = ["none", "maximize_p2p"]
"""


def write(tmp_path, text: str, name: str = "spec.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_a_toml_spec_expands_to_every_combination_for_every_seed(tmp_path):
    spec = load_spec(write(tmp_path, GOOD))
    runs = spec.runs()
    assert len(runs) == 3 * 2 * 2 and spec.summary().endswith("= 12 runs of 12 steps")
    assert [run.index for run in runs] == list(range(12))
    assert [run.seed for run in runs] == [3] * 6 + [1] * 6  # seed-major: balanced if cut short
    assert runs[0].params == {
        "n_prosumers": 20,
        "battery_power_kw": None,
        "pv_capacities_kw": (2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0),
        "battery_share": 0.0,
        "objective": "none",
    }
    assert [(r.params["battery_share"], r.params["objective"]) for r in runs[:3]] == [
        (0.0, "none"),
        (0.0, "maximize_p2p"),
        (0.5, "none"),
    ]
    assert len({run.key for run in runs}) == 12
    assert spec.frames and spec.description == "battery x objective"


def test_yaml_spec_with_the_same_keys_is_the_same_sweep(tmp_path):
    yaml_text = """
hours: 12
seeds: [3, 1]
frames: true
description: battery x objective
fixed:
  n_prosumers: 20
  battery_power_kw: null
  pv_capacities_kw: [2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
grid:
  battery_share: [0, 0.5, 1]
  objective: [none, maximize_p2p]
"""
    from_yaml = load_spec(write(tmp_path, yaml_text, "spec.yaml"))
    from_toml = load_spec(write(tmp_path, GOOD))
    assert [r.key for r in from_yaml.runs()] == [r.key for r in from_toml.runs()]
    assert SweepSpec.from_dict(from_toml.to_dict()) == from_toml


def test_run_key_is_stable_across_spellings_of_the_same_run():
    base = run_key({"battery_share": 1, "n_prosumers": 20}, seed=4, hours=24)
    assert base == run_key({"n_prosumers": 20, "battery_share": 1.0}, 4, 24)
    # a default written out is the same run as the default left out
    assert base == run_key({"battery_share": 1, "n_prosumers": 20, "difficulty": 3}, 4, 24)
    # what is only recorded does not change the run
    assert base == run_key({"battery_share": 1, "n_prosumers": 20, "agent_data_every": 0}, 4, 24)
    assert len(base) == 16 and int(base, 16) >= 0  # 16 hex digits
    assert base != run_key({"battery_share": 1, "n_prosumers": 20}, 5, 24)
    assert base != run_key({"battery_share": 1, "n_prosumers": 20}, 4, 25)
    assert base != run_key({"battery_share": 0.5, "n_prosumers": 20}, 4, 24)


def test_seeds_as_a_count_and_a_spec_without_grid():
    spec = SweepSpec(fixed={"n_prosumers": 5}, seeds=3)
    assert [(r.seed, r.params) for r in spec.runs()] == [(s, {"n_prosumers": 5}) for s in range(3)]


BAD = [
    ("hours = \n", "bad TOML: Invalid value (at line 1, column 9)"),
    ("[grid]\nbatery_share = [1]\n", "unknown parameter 'batery_share' in [grid] (did you mean"),
    ("[fixed]\nn_prosumer = 3\n", "unknown parameter 'n_prosumer' in [fixed] (did you mean"),
    ("n_prosumers = 3\n", "unknown key 'n_prosumers' at the top level (model parameters go"),
    ("seed = 3\n", "unknown key 'seed' at the top level (did you mean 'seeds'?)"),
    ("[grid]\nbattery_share = [0.5, 2]\n", "[grid] battery_share must be a number in [0, 1]"),
    ("[fixed]\nn_prosumers = 0\n", "[fixed] n_prosumers must be an integer in [1, 1000000], got 0"),
    ("[fixed]\nn_prosumers = 2.5\n", "[fixed] n_prosumers must be an integer"),
    ("[grid]\nobjective = ['best']\n", "[grid] objective must be one of 'maximize_renewable'"),
    ("[grid]\nbattery_share = 0.5\n", "[grid] battery_share must be a list of values, got 0.5"),
    ("[grid]\nbattery_share = []\n", "[grid] battery_share is an empty list"),
    ("[grid]\nbattery_share = [1, 1.0]\n", "[grid] battery_share repeats a value"),
    ("[grid]\npv_capacities_kw = [1, 2]\n", "[grid] pv_capacities_kw is a list parameter"),
    ("[grid]\nagent_data_every = [0, 1]\n", "agent_data_every only decides what a run records"),
    ("[fixed]\nbattery_share = 1\n[grid]\nbattery_share = [0]\n", "battery_share is both in"),
    ("seeds = [1, 1]\n", "seeds must be distinct, got [1, 1]"),
    ("seeds = 0\n", "seeds as a count must be in [1, 1,000,000], got 0"),
    ("seeds = [-1]\n", "every seed must be an integer in [0, 9223372036854775807], got -1"),
    # a seed beyond the results' 64-bit columns (a traceback when the results were written)
    ("seeds = [9223372036854775808]\n", "every seed must be an integer in [0, 922337203685477"),
    ("seeds = 'all'\n", "seeds must be a non-empty list of integers >= 0 or a count >= 1"),
    ("hours = 0\n", "hours must be an integer >= 1, got 0"),
    ("frames = 'yes'\n", "frames must be true or false, got 'yes'"),
    ("grid = 3\n", "[grid] must be a table of parameter = [values], got 3"),
]


@pytest.mark.parametrize(("text", "message"), BAD)
def test_a_bad_spec_is_one_line_naming_the_problem(tmp_path, text, message):
    with pytest.raises(SpecError) as caught:
        load_spec(write(tmp_path, text))
    text_of_error = str(caught.value)
    assert "\n" not in text_of_error
    assert text_of_error.startswith(f"{tmp_path / 'spec.toml'}: ")
    assert message in text_of_error


@pytest.mark.parametrize(
    "text", ["hours: 2\nfixed:\n  1: 2\n", "1: 2\n", "true: 1\n", "grid: {~: [1]}\n"]
)
def test_yaml_keys_that_are_not_text_are_one_line(tmp_path, text):
    """YAML reads 1, true and ~ as a number, a bool and null (a traceback before)."""
    with pytest.raises(SpecError, match="unknown (key|parameter)") as caught:
        load_spec(write(tmp_path, text, "spec.yaml"))
    assert "\n" not in str(caught.value)


def test_a_toml_spec_with_a_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "spec.toml"
    path.write_bytes(b"\xef\xbb\xbfhours = 2\nseeds = 3\n")
    spec = load_spec(path)
    assert (spec.hours, spec.seeds) == (2, (0, 1, 2))


def test_bad_yaml_and_missing_file_are_one_line(tmp_path):
    with pytest.raises(SpecError, match=r"bad YAML: .*line 2") as caught:
        load_spec(write(tmp_path, "grid: [\n", "spec.yml"))
    assert "\n" not in str(caught.value)
    with pytest.raises(SpecError, match="cannot read sweep file .*No such file"):
        load_spec(tmp_path / "absent.toml")


def test_numpy_grids_and_seeds_are_accepted_and_the_docstring_example_holds():
    import doctest

    import numpy as np

    from community_model.experiments import sweep_spec

    spec = SweepSpec(grid={"battery_share": np.linspace(0, 1, 3)}, seeds=np.arange(2))
    assert spec.grid == {"battery_share": (0.0, 0.5, 1.0)} and spec.seeds == (0, 1)
    assert doctest.testmod(sweep_spec).failed == 0


def test_a_spec_beyond_max_runs_is_refused_before_listing_its_runs():
    from community_model.experiments.sweep_spec import SpecError, SweepSpec

    spec = SweepSpec(grid={"battery_share": [i / 10_000 for i in range(10_000)]}, seeds=1000)
    assert spec.n_runs == 10_000_000
    with pytest.raises(SpecError, match="more than max_runs = 10,000"):
        spec.check_size(10_000)
    with pytest.raises(SpecError, match=r"seeds as a count must be in \[1, 1,000,000\]"):
        SweepSpec(seeds=1_000_000_000)


def test_an_unreachable_scheduler_leaves_no_folder(tmp_path, monkeypatch):
    from community_model.experiments import sweeps

    def refuse(*args, **kwargs):
        raise sweeps.SweepError("cannot connect to the Dask scheduler at tcp://127.0.0.1:1")

    monkeypatch.setattr(sweeps, "_dask", refuse)
    out = tmp_path / "results" / "battery"
    spec = sweeps.SweepSpec(fixed={"n_prosumers": 2, "chain_enabled": False}, hours=1)
    with pytest.raises(sweeps.SweepError):
        sweeps.run_sweep(spec, out, backend="dask", scheduler="tcp://127.0.0.1:1")
    assert list(tmp_path.iterdir()) == []  # no sweep.json, no empty folders
