"""Named scenarios from the command line, Python and a TOML file (issue 15)."""

import subprocess
import sys
from pathlib import Path

import pytest

from community_model import CommunityModel
from community_model.errors import ParameterError
from community_model.parameters import Parameters
from community_model.scenarios import scenario_names, scenario_parameters, scenario_path


def test_the_shipped_scenarios_are_valid_parameter_files():
    assert {"seed", "germany_2024", "quartierstrom"} <= set(scenario_names())
    for name in scenario_names():
        Parameters.from_mapping(scenario_parameters(name), name)


def test_seed_is_todays_defaults_on_the_seed_systems_date():
    """Every parameter is the default but the date: the synthetic day's own is the equinox,
    the seed system stamped it 2023-01-01."""
    import dataclasses

    seed = Parameters(**scenario_parameters("seed"))
    assert seed == dataclasses.replace(Parameters(), start_date="2023-01-01")
    assert Parameters().start_date is None and Parameters().first_date == "2023-03-20"


def test_from_scenario_applies_overrides_and_refuses_unknown_names():
    model = CommunityModel.from_scenario("quartierstrom", n_prosumers=5, rng=1)
    assert model.params.n_prosumers == 5 and model.params.timezone == "Europe/Zurich"
    with pytest.raises(ParameterError, match="scenario must be one of"):
        CommunityModel.from_scenario("atlantis")


def test_germany_2024_is_a_present_day_community():
    model = CommunityModel.from_scenario("germany_2024", n_prosumers=400, rng=2)
    homes, p = model.homes, model.params
    has_pv = homes.pv_capacity_kw > 0
    assert 0.4 < has_pv.mean() < 0.6
    assert not (homes.has_battery & ~has_pv).any()
    annual = Parameters().annual_loads_kwh
    per_mwh = homes.battery_capacity_kwh[homes.has_battery] / (
        [annual[t] / 1e3 for t in homes.home_type[homes.has_battery]]
    )
    assert ((per_mwh >= 1.0) & (per_mwh <= 1.5)).all()
    model.step()
    assert model.price_context.grid_buy == pytest.approx(0.40)
    assert model.price_context.grid_sell == pytest.approx(0.08)
    assert p.profile_source == "standard"


def test_scenario_on_the_command_line_and_a_copied_toml_file(tmp_path):
    copy = tmp_path / "mine.toml"
    text = scenario_path("quartierstrom").read_text()
    copy.write_text(text.replace("n_prosumers = 37", "n_prosumers = 4"))
    for options in (["--scenario", "quartierstrom", "--prosumers", "4"], ["--config", str(copy)]):
        done = subprocess.run(
            [sys.executable, "-m", "community_model", "run", *options, "--hours", "3",
             "--no-files"],
            capture_output=True, text=True, cwd=Path(__file__).parents[2],
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert "Community of 4 prosumers" in done.stdout


def test_make_run_runs_the_seed_scenario():
    makefile = (Path(__file__).parents[2] / "Makefile").read_text()
    assert "--scenario seed" in makefile
