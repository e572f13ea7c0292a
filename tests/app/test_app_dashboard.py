"""The dashboard's new parts without a browser: sections, the changed notice, disabled buttons,
the downloads read back, the feeder view."""

from __future__ import annotations

import io
import subprocess
import sys

import ipyvuetify as v
import pandas as pd
import pytest
import solara

from chain.persistence import read_chain
from community_model import CommunityModel, Parameters
from community_model.app import controls, export
from community_model.app.common import AppModel
from community_model.app.feeder import Feeder, FeederPlot
from community_model.app.page import Page
from community_model.app.plots import EnergyPlot, live

ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]


def render(element):
    return solara.render(solara.AppLayout(children=[element]), handle_error=False)


@solara.component
def Host(view, model):
    return view(model)


def button(rc, label):
    return rc.find(v.Btn, children=[label]).widget


def open_every_section(rc) -> None:
    """Open the sidebar's sections as a user would (a closed section holds no controls)."""
    panels = rc.find(v.ExpansionPanels).widget
    panels.v_model = list(range(len(panels.children)))


def test_a_closed_section_holds_no_controls_until_opened():
    box, rc = render(Page())
    try:
        labels = [s.label for s in rc.find(v.Slider).widgets]
        assert any(label.startswith("Prosumers:") for label in labels)  # Community: open
        assert not any(label.startswith("Lowest battery SOC") for label in labels)
        open_every_section(rc)
        labels = [s.label for s in rc.find(v.Slider).widgets]
        assert any(label.startswith("Lowest battery SOC") for label in labels)
    finally:
        rc.close()


def test_every_control_is_in_a_section_with_a_tooltip():
    grouped = {name for names in controls.GROUPS.values() for name in names}
    assert set(controls.MODEL_PARAMS) <= grouped
    for name in controls.MODEL_PARAMS:
        assert len(controls.tooltip(name)) > 10, name
    assert controls.MODEL_PARAMS["grid"]["values"][0] == "off"


def test_labels_show_values_and_a_change_asks_for_reset():
    box, rc = render(Page())
    try:
        (slider,) = [s for s in rc.find(v.Slider).widgets if s.label.startswith("Prosumers:")]
        assert slider.label == "Prosumers: 100"
        slider.v_model = 2
        (slider,) = [s for s in rc.find(v.Slider).widgets if s.label.startswith("Prosumers:")]
        assert slider.label == "Prosumers: 2 (was 100)"
        (notice,) = rc.find(v.Alert, type="warning").widgets
        assert "changed: Prosumers. Reset to apply." in notice.children[0]
        button(rc, "Reset").click()
        assert rc.find(v.Alert, type="warning").widgets == []
        button(rc, "Step").click()
        texts = [" ".join(map(str, w.children)) for w in rc.find(v.Html, tag="span").widgets]
        assert any(t.startswith("hour 0: ") for t in texts)
        (slider,) = [s for s in rc.find(v.Slider).widgets if s.label.startswith("Prosumer id")]
        assert slider.max == 2  # the model on screen has the two homes asked for
    finally:
        rc.close()


def test_step_and_play_are_disabled_without_a_model():
    box, rc = render(Page())
    try:
        assert not button(rc, "Step").disabled and not button(rc, "Play").disabled
        open_every_section(rc)
        (slider,) = [s for s in rc.find(v.Slider).widgets if s.label.startswith("Lowest")]
        slider.v_model = 0.5
        (slider,) = [s for s in rc.find(v.Slider).widgets if s.label.startswith("Highest")]
        slider.v_model = 0.5
        button(rc, "Reset").click()
        assert button(rc, "Step").disabled and button(rc, "Play").disabled
    finally:
        rc.close()


def test_downloads_read_back(tmp_path):
    model = AppModel(**{**controls.initial_values(), "n_prosumers": 12})
    model.run_for(5)
    frame = pd.read_csv(io.BytesIO(export.frames_csv(model)))
    assert len(frame) == len(model.step_frame()) and "pv_kwh" in frame
    parquet = pd.read_parquet(io.BytesIO(export.frames_parquet(model)))
    pd.testing.assert_frame_equal(parquet, model.step_frame())
    chain = tmp_path / "chain.jsonl"
    chain.write_bytes(export.chain_bytes(model))
    assert len(read_chain(chain)) == len(model.blockchain.blocks)
    png = live(model, EnergyPlot).export_png(model)
    assert png.startswith(b"\x89PNG")


def test_the_parameters_file_reproduces_the_run(tmp_path):
    values = {**controls.initial_values(), "n_prosumers": 8, "battery_share": 0.45,
              "chain_enabled": False, "rng": 7}  # fmt: skip
    model = AppModel(**values)
    model.run_for(6)
    config = tmp_path / "parameters.toml"
    config.write_text(export.parameters_toml(model.params, model.app_seed, model.steps))
    assert Parameters(**Parameters.read_toml(config)) == model.params
    out = tmp_path / "run"
    command = [sys.executable, "-m", "community_model", "run", "--config", str(config)]
    command += ["--seed", "7", "--hours", "6", "--out", str(out)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert (out / "community_summary.csv").exists()
    # what `run` builds from the file (run.py: CommunityModel.from_params(params, rng=seed))
    again = CommunityModel.from_params(Parameters(**Parameters.read_toml(config)), rng=7)
    again.run_for(6)
    pd.testing.assert_frame_equal(again.step_frame(), model.step_frame())


@pytest.mark.parametrize("steps", [0, 2])
def test_feeder_view_colours_buses_and_lines(steps):
    model = AppModel(**{**controls.initial_values(), "n_prosumers": 10, "grid": "radial",
                        "chain_enabled": False})  # fmt: skip
    assert model.error is None
    model.run_for(steps)
    plot = live(model, FeederPlot)
    assert plot.png(model).startswith(b"\x89PNG")
    if steps:
        assert plot.buses.get_array().min() < 1.0  # loads pull the voltages below nominal
    box, rc = render(Host(Feeder, model))
    try:
        assert rc.find(v.Alert, type="error").widgets == []
    finally:
        rc.close()


def test_the_scenario_picker_fills_the_controls_and_reset_builds_the_scenario():
    from community_model.scenarios import scenario_parameters

    box, rc = render(Page())
    try:
        (picker,) = [s for s in rc.find(v.Select).widgets if s.label == "Scenario"]
        assert picker.v_model == "custom" and "germany_2024" in picker.items
        picker.v_model = "germany_2024"
        (notice,) = rc.find(v.Alert, type="warning").widgets  # not built yet
        assert "Reset to apply" in notice.children[0]
        (source,) = [s for s in rc.find(v.Select).widgets if s.label.startswith("Profiles:")]
        assert source.v_model == "standard"
        button(rc, "Reset").click()
        assert rc.find(v.Alert, type="warning").widgets == []
        button(rc, "Step").click()
        # every parameter of the scenario reaches the model, those without a control too
        from community_model.app.page import scenario_values

        values = scenario_values("germany_2024")
        assert all(values[k] == v for k, v in scenario_parameters("germany_2024").items())
        (source,) = [s for s in rc.find(v.Select).widgets if s.label.startswith("Profiles:")]
        assert source.label == "Profiles: standard"  # applied: no "(was ...)"
        labels = " ".join(" ".join(map(str, w.children)) for w in rc.find(v.Html).widgets)
        assert "2023-01-01" in labels  # the scenario's clock, not the synthetic equinox
    finally:
        rc.close()


def test_compare_runs_two_objectives_on_one_seed_and_shows_the_difference():
    from community_model.app.compare import compare_runs

    values = {**controls.initial_values(), "n_prosumers": 20}
    table = compare_runs(values, "objective", "maximize_p2p", 24)
    assert list(table.columns) == ["A", "B", "B - A"]
    np_diff = (table["B"] - table["A"] - table["B - A"]).abs().max()
    assert np_diff == 0
    assert table.loc["bonus_eur", "B - A"] != 0  # the objectives pay different bonuses
    # and the same figures a model built by hand gives
    by_hand = CommunityModel(**{**values, "objective": "maximize_p2p", "chain_enabled": False})
    by_hand.run_for(24)
    assert table.loc["p2p_kwh", "B"] == by_hand.kpis()["p2p_kwh"]


def test_the_compare_view_shows_the_kpi_table():
    box, rc = render(Page())
    try:
        (hours,) = [s for s in rc.find(v.Slider).widgets if s.label.startswith("Hours:")]
        hours.v_model = 6
        assert not [w for w in rc.find(v.Html).widgets if "B - A" in str(w.children)]
        button(rc, "Compare").click()
        (table,) = [w for w in rc.find(v.Html).widgets if "B - A" in str(w.children)]
        assert "self_sufficiency" in str(table.children) and "objective=" in str(table.children)
    finally:
        rc.close()


def test_four_hundred_homes_render_and_step():
    """The largest community the issue asks the app to handle: every panel draws, Step runs."""
    box, rc = render(Page())
    try:
        (slider,) = [s for s in rc.find(v.Slider).widgets if s.label.startswith("Prosumers:")]
        slider.v_model = 400
        button(rc, "Reset").click()
        for _ in range(3):
            button(rc, "Step").click()
        texts = [" ".join(map(str, w.children)) for w in rc.find(v.Html, tag="span").widgets]
        assert any(t.startswith("hour 2: ") for t in texts)
        (slider,) = [s for s in rc.find(v.Slider).widgets if s.label.startswith("Prosumer id")]
        assert slider.max == 400
        assert rc.find(v.Alert, type="error").widgets == []
    finally:
        rc.close()
