"""The Solara app (server.py) without a browser: controls, views, Step/Reset, bad values."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import ipyvuetify as v
import ipywidgets
import numpy as np
import pandas as pd
import pytest
import solara
from mesa.visualization.solara_viz import _check_model_params

from community_model import CommunityModel, Parameters

ROOT = Path(__file__).resolve().parents[2]


def load_server():
    """Import the app module from the repository root (it is not in a package)."""
    module = sys.modules.get("server")
    if module is not None and Path(module.__file__).resolve() == ROOT / "server.py":
        return module
    spec = importlib.util.spec_from_file_location("server", ROOT / "server.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["server"] = module
    spec.loader.exec_module(module)
    return module


server = load_server()
REQUIRED_CONTROLS = (
    "n_prosumers",
    "battery_share",
    "pv_scale",
    "load_scale",
    "base_price",
    "local_market_fee",
    "max_trade_cap",
    "pricing_strategy",
    "clearing_mechanism",
    "rng",
)
PLOT_VIEWS = ("Community", "EnergyFlows", "Prices", "Battery", "Shares", "Regulator")


class App:
    """A rendered widget tree with the few actions a user has."""

    def __init__(self, element):
        self.box, self.rc = solara.render(solara.AppLayout(children=[element]), handle_error=False)

    def click(self, label: str, index: int = 0) -> None:
        self.rc.find(v.Btn, children=[label]).widgets[index].click()

    def set_slider(self, label: str, value) -> None:
        """Set the sidebar slider whose label (which carries its value) starts with ``label``
        (every section opened first, as a user opens one: a closed section has no controls)."""
        panels = self.rc.find(v.ExpansionPanels).widget
        panels.v_model = list(range(len(panels.children)))
        (slider,) = [s for s in self.rc.find(v.Slider).widgets if s.label.startswith(label + ":")]
        slider.v_model = value

    def texts(self) -> list[str]:
        return [" ".join(map(str, w.children)) for w in self.rc.find(v.Html, tag="span").widgets]

    def steps_shown(self) -> list[str]:
        return [t for t in self.texts() if t.startswith("Now: ")]

    def alerts(self, kind: str = "error") -> list[str]:
        return [" ".join(map(str, w.children)) for w in self.rc.find(v.Alert, type=kind).widgets]

    def errors(self) -> list[str]:
        return self.alerts("error")

    def images(self) -> list[bytes]:
        return [bytes(w.value) for w in self.rc.find(ipywidgets.Image).widgets]

    def html(self) -> str:
        return "\n".join(w.unsafe_innerHTML for w in self.rc.find(solara.widgets.HTML).widgets)

    def close(self) -> None:
        self.rc.close()


def shows_hour(app: App, hour: int) -> bool:
    """The one time label names ``hour`` (0-based, as the panels) and its date."""
    (label,) = app.steps_shown()
    return re.fullmatch(rf"Now: hour {hour}, \w{{3}} \d{{4}}-\d\d-\d\d \d\d:00", label) is not None


@pytest.fixture
def app():
    server.picked.set(0)
    page = App(server.Page())
    yield page
    page.close()


@solara.component
def Host(view, model):
    return view(model)


def render_view(view, model) -> App:
    return App(Host(view, model))


def new_model(**changes) -> CommunityModel:
    return server.AppModel(**{**server.initial_values(), **changes})


# --- controls ------------------------------------------------------------------------------
def test_controls_cover_the_issue_list_with_spec_defaults():
    params = server.MODEL_PARAMS
    for name in REQUIRED_CONTROLS:
        assert name in params, name
    defaults = Parameters()
    for name, control in params.items():
        if name != "rng":
            assert control.get("value") == getattr(defaults, name), name
    assert params["rng"]["type"] == "SliderInt"  # a typed-in seed would be a string
    for later in ("objective", "difficulty", "n_miners"):
        assert (later in params) == (later in Parameters.names())


def test_controls_match_the_model_signature():
    assert set(server.MODEL_PARAMS) - {"rng"} <= set(Parameters.names())
    _check_model_params(server.AppModel.__init__, server.MODEL_PARAMS)  # SolaraViz's own check
    Parameters(**{k: v for k, v in server.initial_values().items() if k != "rng"})


def test_slider_ranges_hold_the_defaults_and_valid_values():
    for name, (_, lo, hi, _) in server.SLIDERS.items():
        if name not in Parameters.names():
            continue
        control = server.MODEL_PARAMS[name]
        assert lo <= control.value <= hi, name
        for value in (lo, hi):  # each end alone is a value the model accepts
            Parameters(**{name: value, **({"soc_max": 1.0} if name == "soc_min" else {})})


# --- the model as the app runs it ----------------------------------------------------------
def test_app_model_runs_like_the_model():
    values = server.initial_values() | {"n_prosumers": 20, "reproducible_keys": True}
    app_model, model = server.AppModel(**values), CommunityModel(**values)
    app_model.run_for(5)
    model.run_for(5)
    assert app_model.error is None
    pd.testing.assert_frame_equal(app_model.step_frame(), model.step_frame())


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"soc_min": 0.6}, "initial_soc must be in"),
        ({"n_prosumers": 0}, "n_prosumers must be"),
        ({"no_such_parameter": 1}, "no_such_parameter"),
    ],
)
def test_bad_values_give_a_model_that_carries_the_message(changes, message):
    model = new_model(**changes)
    assert message in model.error
    assert model.running is False
    model.step()  # refused quietly
    assert model.running is False


def test_a_failing_step_is_caught(monkeypatch):
    model = new_model(n_prosumers=10)

    def boom(self):
        raise RuntimeError("broken phase")

    monkeypatch.setattr(CommunityModel, "step", boom)
    model.step()
    assert "broken phase" in model.error
    assert model.running is False


# --- each view ---------------------------------------------------------------------------------
@pytest.mark.parametrize("view", server.COMPONENTS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("steps", [0, 3, 30])
def test_each_view_renders(view, steps):
    model = new_model(n_prosumers=30)
    for _ in range(steps):
        model.step()
    page = render_view(view, model)
    try:
        assert page.errors() == []
        if view.__name__ in PLOT_VIEWS:
            (image,) = page.images()
            assert image.startswith(b"\x89PNG")
    finally:
        page.close()


def test_views_show_the_message_of_a_model_that_could_not_be_built():
    model = new_model(soc_min=0.6)
    for view in server.COMPONENTS:
        page = render_view(view, model)
        try:
            if view is server.Community:
                (error,) = page.errors()
                assert "initial_soc must be in" in error and "Reset" in error
            else:
                assert page.errors() == []
                assert any("No model" in t for t in page.texts())
        finally:
            page.close()


def test_plots_follow_the_model():
    model = new_model(n_prosumers=30)
    before = {}
    for name in PLOT_VIEWS:
        page = render_view(getattr(server, name), model)
        before[name] = page.images()
        page.close()
    model.run_for(2)
    for name in PLOT_VIEWS:
        page = render_view(getattr(server, name), model)
        assert page.images() != before[name], name
        page.close()


def test_shown_figures_are_palette_pngs_close_to_the_full_colour_render():
    """The page gets each figure quantised to at most 256 colours (fewer bytes, faster to
    encode); every pixel stays within 16 of 255 per channel of the figure as drawn."""
    import io

    import PIL.Image

    from community_model.app.plots import PricePlot, live

    model = new_model(n_prosumers=30)
    model.run_for(20)
    plot = live(model, PricePlot, dark=False)
    shown = PIL.Image.open(io.BytesIO(plot.png(model)))
    assert shown.mode == "P" and len(shown.getcolors(256)) <= 256
    drawn = np.asarray(plot.canvas.buffer_rgba())[..., :3].astype(int)
    error = np.abs(np.asarray(shown.convert("RGB")).astype(int) - drawn)
    assert error.max() <= 16 and error.mean() < 2, (error.max(), error.mean())


def test_hover_readout_names_the_step_and_its_values():
    """The readout of a step shows the values the lines have there, with units; the axis map
    puts each step where the figure draws it; the page's widget answers a hovered step."""
    from community_model.app.hover import HoverFigure, HoverImage
    from community_model.app.plots import EnergyPlot, PricePlot, live

    model = new_model(n_prosumers=30)
    model.run_for(20)
    frame = server.hourly(model)
    prices = live(model, PricePlot, dark=False)
    prices.png(model)
    text = prices.readout(model, 12)
    assert text.splitlines()[0] == "hour 12, Mon 20 Mar 12:00"
    buy = frame.set_index("hour").loc[12, "grid_buy_price"]
    assert f"grid buy: {buy:.3g} EUR/kWh" in text
    n_trades = int((model.trade_log[12][1].kind == 0).sum())
    assert (f"P2P trades: {n_trades} at" if n_trades else "P2P trades: none") in text
    assert prices.readout(model, 500) == ""  # not shown
    a, b, first, last = prices.hover_axis()
    assert (first, last) == (0, 19)
    line = prices.hover_lines()[0]
    pixel = line.axes.transData.transform((7.0, 0.0))[0]
    assert a + b * 7 == pytest.approx(pixel / prices.fig.bbox.width)

    energy = live(model, EnergyPlot, dark=False)
    box, rc = solara.render(HoverFigure(model, energy), handle_error=False)
    try:
        widget = rc.find(HoverImage).widget
        assert widget.readout == "" and len(widget.axis) == 4
        widget.hover_step = 12  # as the page sets it when the pointer moves onto hour 12
        pv = frame.set_index("hour").loc[12, "pv_kwh"]
        assert f"PV: {pv:.3g} kWh" in rc.find(HoverImage).widget.readout
    finally:
        rc.close()


def test_few_points_get_markers_trades_show_as_dots_and_the_time_axis_has_dates():
    from community_model.app.plots import FEW_POINTS, EnergyPlot, PricePlot, live

    model = new_model(n_prosumers=30, chain_enabled=False)
    model.run_for(1)
    energy = live(model, EnergyPlot, dark=False)
    energy.png(model)
    assert all(line.get_marker() == "o" for line in energy.hover_lines())  # one point shows
    model.run_for(FEW_POINTS + 1)
    prices = live(model, PricePlot, dark=False)
    prices.png(model)
    energy.png(model)
    assert all(line.get_marker() == "None" for line in energy.hover_lines())
    n_p2p = sum(int((trades.kind == 0).sum()) for _, trades in model.trade_log)
    assert len(prices.trades.get_offsets()) == n_p2p > 0  # one dot per P2P trade
    assert prices.trades.get_sizes()[0] >= 20 and prices.trades.get_alpha() >= 0.5
    prices.fig.canvas.draw()
    labels = [t.get_text() for t in prices.ax.get_xticklabels()]
    assert "Mon 20 Mar" in labels and "Tue 21 Mar" in labels, labels


def test_time_plots_keep_a_week_and_move_on_by_days():
    model = new_model(n_prosumers=10, chain_enabled=False)
    model.run_for(200)
    frame = server.hourly(model)
    assert frame["hour"].iloc[0] == 48 and frame["hour"].iloc[-1] == 199
    assert len(frame) <= server.WINDOW
    np.testing.assert_array_equal(
        frame["pv_kwh"].to_numpy(), model.step_frame()["pv_kwh"].to_numpy()[48:]
    )


def test_latest_trades_lists_the_last_step():
    model = new_model(n_prosumers=30)
    model.run_for(9)
    page = render_view(server.LatestTrades, model)
    try:
        html = page.html()
        trades = model.last_trades
        assert f"hour 8: {int((trades.kind == 0).sum())} P2P trades" in html
        assert html.count("<tr>") == 1 + min(server.TABLE_ROWS, trades.n)
    finally:
        page.close()


def test_chain_view_shows_the_latest_blocks():
    model = new_model(n_prosumers=30)
    model.run_for(4)
    chain = model.blockchain
    assert chain is not None and chain.height > 0
    page = render_view(server.ChainView, model)
    try:
        html = page.html()
        blocks = chain.blocks
        assert f"height {len(blocks) - 1}," in html
        for block in blocks[-server.CHAIN_ROWS :]:
            assert block.hash.hex()[:12] in html
        assert html.count("<tr>") == 1 + min(server.CHAIN_ROWS, len(blocks))
    finally:
        page.close()


def test_chain_view_without_a_chain():
    changes = {"chain_enabled": False} if "chain_enabled" in Parameters.names() else {}
    model = new_model(n_prosumers=10, **changes)
    page = render_view(server.ChainView, model)
    try:
        assert page.alerts("info") == ["chain disabled"]
    finally:
        page.close()


def test_regulator_view_lists_the_bans():
    model = new_model(n_prosumers=20)
    model.run_for(3)
    model.state.ban_remaining[[2, 7]] = [2, 1]
    page = render_view(server.Regulator, model)
    try:
        banned = [t for t in page.texts() if t.startswith("Banned now")]
        ids = model.prosumer_ids
        assert banned == [f"Banned now: 2 homes, id (steps left): {ids[2]} (2), {ids[7]} (1)"]
    finally:
        page.close()


# --- the page ------------------------------------------------------------------------------
def test_step_button_advances_the_model_and_redraws(app):
    assert app.steps_shown() == ["Now: before the first hour"]
    before = app.images()
    assert len(before) == len(PLOT_VIEWS)
    for _ in range(3):
        app.click("Step")
    assert shows_hour(app, 2)
    after = app.images()
    assert all(a != b for a, b in zip(after, before, strict=True))
    assert any(t.startswith("hour 2: ") for t in app.texts())  # 0-based, as in the plots
    assert app.errors() == []


def test_reset_builds_a_model_from_the_controls(app):
    app.click("Step")
    app.set_slider("Prosumers", 12)
    app.click("Reset")
    assert app.steps_shown() == ["Now: before the first hour"]
    (community,) = [t for t in app.texts() if t.startswith("before the first hour: ")]
    assert community.startswith("before the first hour: 12 idle")
    app.click("Step")
    assert shows_hour(app, 0)
    assert app.errors() == []


def test_a_bad_combination_shows_a_message_not_a_crash(app):
    app.set_slider("Lowest battery SOC [-]", 0.5)  # both sliders at their ends meet
    app.set_slider("Highest battery SOC [-]", 0.5)
    app.click("Reset")
    (error,) = app.errors()
    assert "soc_min must be below soc_max, got soc_min=0.5, soc_max=0.5" in error
    app.click("Step")  # nothing to run, nothing raised
    app.set_slider("Highest battery SOC [-]", 0.95)
    app.click("Reset")
    assert app.errors() == []
    app.click("Step")
    assert shows_hour(app, 0)
    assert len(app.images()) == len(PLOT_VIEWS)


def prosumer_slider(app: App):
    (slider,) = [s for s in app.rc.find(v.Slider).widgets if s.label.startswith("Prosumer id")]
    return slider


def test_picking_a_prosumer_shows_its_state(app):
    app.click("Step")
    ring_before = app.images()[0]
    prosumer_slider(app).v_model = 5
    assert prosumer_slider(app).label.startswith("Prosumer id 5 ")
    assert "PV capacity" in app.html()
    assert app.images()[0] != ring_before  # the ring moved in the community view
    app.set_slider("Prosumers", 3)
    app.click("Reset")  # fewer homes than the picked row: the last one is shown
    assert prosumer_slider(app).label.startswith("Prosumer id 3 ")
    assert app.errors() == []


def test_each_session_has_its_own_model():
    first, second = App(server.Page()), App(server.Page())
    try:
        first.click("Step")
        first.click("Step")
        assert shows_hour(first, 1)
        assert second.steps_shown() == ["Now: before the first hour"]
    finally:
        first.close()
        second.close()


def test_telemetry_is_off_and_lost_sessions_are_culled_within_minutes():
    import solara.server.settings as settings
    import solara.util

    assert settings.telemetry.mixpanel_enable is False  # set by server.py itself
    assert solara.util.parse_timedelta(settings.kernel.cull_timeout) <= 5 * 60


def test_sessions_beyond_the_cap_get_a_message(monkeypatch):
    kernel = {"id": "k1"}
    sessions = server.sessions
    monkeypatch.setattr(sessions, "_kernel_id", lambda: kernel["id"])
    monkeypatch.setattr(sessions, "MAX_SESSIONS", 2)
    monkeypatch.setattr(sessions, "_sessions", set())
    releases = {}
    for k in ("k1", "k2"):
        kernel["id"] = k
        releases[k] = sessions._on_kernel_start()
        assert sessions.claim_session()
    kernel["id"] = "k3"
    assert not sessions.claim_session()
    box, rc = solara.render(server.Page(), handle_error=False)
    try:
        text = " ".join(w.children[0] for w in rc.find(v.Alert).widgets if w.children)
        assert "at most 2 sessions at once" in text
    finally:
        rc.close()
    releases["k1"]()  # a session's kernel closed or was culled: its place is free
    assert sessions.claim_session()
