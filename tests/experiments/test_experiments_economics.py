"""A year of economics: four scenarios, bills, battery savings, payback and NPV."""

import math

import numpy as np
import pandas as pd
import pytest

from community_model import CommunityModel
from community_model.commands.economics import HOMES_FILE, SCENARIOS_FILE, main
from community_model.experiments.economics import (
    annuity_factor,
    compare_scenarios,
    net_present_value,
    simple_payback_years,
)
from community_model.parameters import Parameters


def test_finance_functions():
    assert annuity_factor(0.0, 15) == 15
    assert annuity_factor(0.04, 15) == pytest.approx(11.1184, abs=1e-4)
    assert net_present_value(1000.0, 100.0, 0.0, 10) == pytest.approx(0.0)
    assert net_present_value(1000.0, 150.0, 0.05, 10) == pytest.approx(150 * 7.7217 - 1000, 1e-3)
    assert simple_payback_years(1000.0, 250.0) == 4.0
    assert math.isinf(simple_payback_years(1000.0, 0.0))


@pytest.fixture(scope="module")
def result():
    params = Parameters(n_prosumers=12, profile_source="standard", start_date="2023-06-01")
    return compare_scenarios(params, seed=3, steps=96, battery_price_eur_per_kwh=500.0)


def test_four_scenarios_of_the_same_community(result):
    s = result.scenarios.set_index("scenario")
    assert list(s.index) == ["p2p_battery", "p2p_no_battery", "grid_battery", "grid_no_battery"]
    assert s["pv_kwh"].nunique() == 1 and s["demand_kwh"].nunique() == 1  # same homes, weather
    assert s.loc["grid_battery", "p2p_kwh"] == 0 and s.loc["grid_no_battery", "p2p_kwh"] == 0
    assert s.loc["p2p_battery", "p2p_kwh"] > 0
    # batteries raise self-sufficiency; trading among neighbours lowers the bills
    assert s.loc["p2p_battery", "self_sufficiency"] > s.loc["p2p_no_battery", "self_sufficiency"]
    assert s.loc["p2p_no_battery", "bill_eur"] < s.loc["grid_no_battery", "bill_eur"]
    assert s.loc["p2p_battery", "bill_eur"] < s.loc["grid_battery", "bill_eur"]


def test_home_table_and_community_row(result):
    homes = result.homes
    assert len(homes) == 13 and homes["prosumer_id"].iloc[-1] == "community"
    per_home, community = homes.iloc[:-1], homes.iloc[-1]
    s = result.scenarios.set_index("scenario")
    for name in s.index:
        assert per_home[f"bill_{name}_eur"].sum() == pytest.approx(s.loc[name, "bill_eur"])
        assert community[f"bill_{name}_eur"] == pytest.approx(s.loc[name, "bill_eur"])
    owners = per_home["battery_kwh"] > 0
    assert per_home.loc[~owners, "battery_payback_years"].isna().all()
    investment = per_home.loc[owners, "battery_kwh"] * 500.0
    np.testing.assert_allclose(per_home.loc[owners, "battery_investment_eur"], investment)
    savings = per_home.loc[owners, "battery_savings_eur_per_year"]
    scale = 8760 / 96
    expected = (
        per_home.loc[owners, "bill_p2p_no_battery_eur"]
        - per_home.loc[owners, "bill_p2p_battery_eur"]
    ) * scale
    np.testing.assert_allclose(savings, expected)
    payback = per_home.loc[owners & (savings > 0), "battery_payback_years"]
    np.testing.assert_allclose(payback, (investment / savings)[payback.index])
    assert community["self_sufficiency"] == pytest.approx(s.loc["p2p_battery", "self_sufficiency"])
    assert community["peak_import_kw"] == pytest.approx(s.loc["p2p_battery", "peak_import_kw"])
    assert result.headline()["battery_investment_eur"] == pytest.approx(investment.sum())


def test_economics_command_prints_and_writes(tmp_path, capsys):
    status = main(
        [
            "--hours", "48", "--prosumers", "8", "--out", str(tmp_path), "--no-progress",
            "--battery-price", "600", "--start-date", "2023-07-01",
        ]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert status == 0
    assert "battery payback" in out and "p2p_no_battery" in out
    homes = pd.read_csv(tmp_path / HOMES_FILE)
    assert len(homes) == 9
    assert len(pd.read_csv(tmp_path / SCENARIOS_FILE)) == 4


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--discount-rate", "2"], "discount-rate must be a number in [0, 1]"),
        (["--timezone", "Nowhere/Land"], "timezone must be an IANA time zone name"),
        (["--profile-source", "files"], "profile_source 'files' needs load_file"),
    ],
)
def test_economics_command_bad_input_exits_2_with_one_line(argv, message, capsys):
    try:
        status = main(["--hours", "2", "--no-files", *argv])
    except SystemExit as exit_:  # argparse refuses the flag itself
        status = exit_.code
    err = capsys.readouterr().err
    assert status == 2
    assert message in err and err.count("\n") == 1


def test_a_year_with_the_standard_sources():
    """A full year on the model: every home's demand is its annual consumption, PV as the
    weather year gives it, and the year's figures are in a realistic range."""
    model = CommunityModel(
        n_prosumers=20, profile_source="standard", chain_enabled=False, agent_data_every=0, rng=8
    )
    model.run_for(8760)
    frame = model.step_frame()
    source = model.profiles
    assert frame["demand_kwh"].sum() == pytest.approx(source.annual_load_kwh.sum(), rel=1e-9)
    pv_per_kwp = frame["pv_kwh"].sum() / model.homes.pv_capacity_kw.sum()
    assert 900 < pv_per_kwp < 1049
    kpis = model.kpis()
    assert 0.5 < kpis["self_sufficiency"] < 0.9
    assert frame["timestamp"].iloc[-1].isoformat() == "2023-12-31T23:00:00+01:00"
