"""The interactive app: ``solara run server.py`` (or ``community-sim app``).

Mesa's ``SolaraViz`` holds the controls (parameters in the sidebar; Reset builds a new model
from them, Step and Play advance it one hour at a time); this module supplies the model and
the views. Every view is redrawn after every step:

- **Community**: each home a marker on a grid, coloured by its role this hour, sized by its PV
  capacity, with a bar showing its battery's state of charge; the picked home is ringed.
- **Prosumer**: a slider picks one home; its state this hour is listed.
- **Energy flows**, **Prices** (with every P2P trade's price), **Battery** (SOC distribution and
  mean SOC), **P2P share and self-sufficiency**, **Latest trades**, **Chain** (the latest
  blocks) and **Regulator** (bonuses, penalties, bans).

Each browser session gets its own model (:func:`Page`). A combination of parameter values the
model refuses (:class:`~community_model.ParameterError`) does not crash the app: Reset then
builds an :class:`AppModel` that carries the message, which the first panel shows until the
values are fixed and Reset is pressed again. A view that fails to draw shows its error in its
panel. The app needs no internet: Solara serves every asset locally (see the README).
"""

from __future__ import annotations

import abc
import dataclasses
import functools
import html
import inspect
import io
import itertools
import logging
import math
import os
import threading
import weakref
from collections.abc import Callable

import matplotlib as mpl
import matplotlib.colors as mcolors
import mesa
import numpy as np
import pandas as pd
import PIL.Image
import reacton.ipywidgets as rw
import solara
import solara.lab
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator
from mesa.visualization import Slider, SolaraViz
from mesa.visualization.utils import update_counter

from agents.roles import BANNED, BUYER, IDLE, ROLE_NAMES, SELLER
from community_model import CommunityModel, ParameterError, Parameters
from community_model.hour import AGGREGATOR_ID, KIND_NAMES, P2P, SOURCE_NAMES

try:  # names of the regulator's ban reasons, when the regulator provides them
    from agents.regulator_rules import BAN_REASONS
except ImportError:  # pragma: no cover - older trees
    BAN_REASONS = ()

log = logging.getLogger(__name__)

APP_NAME = "Prosumer community"
SEED = 42  #: the seed the app starts with
WINDOW = 168  #: steps shown in the time plots (the latest week of hours)
DAY = 24  #: the time axes grow and move on by this many steps
TABLE_ROWS = 10  #: trades listed in "Latest trades"
CHAIN_ROWS = 8  #: blocks listed in "Chain"

# --- controls ----------------------------------------------------------------------------------
#: The numeric parameters the app shows as sliders: name -> (label, min, max, step). The ranges
#: are what is useful to explore interactively; ``Parameters`` accepts wider ones. A parameter
#: appears only if the model has it (in ``Parameters`` and ``CommunityModel``'s keywords), so
#: the app runs on older and newer models alike.
SLIDERS: dict[str, tuple[str, float, float, float]] = {
    "n_prosumers": ("Prosumers", 2, 400, 1),
    "battery_share": ("Battery share [-]", 0.0, 1.0, 0.05),
    "pv_scale": ("PV scale [-]", 0.0, 3.0, 0.1),
    "load_scale": ("Load scale [-]", 0.1, 3.0, 0.1),
    "soc_min": ("Lowest battery SOC [-]", 0.0, 0.5, 0.05),
    "soc_max": ("Highest battery SOC [-]", 0.5, 1.0, 0.05),
    "base_price": ("Base grid price [EUR/kWh]", 0.05, 0.50, 0.01),
    "local_market_fee": ("Local market fee [EUR/kWh]", 0.0, 0.10, 0.005),
    "max_trade_cap": ("Largest P2P offer [kWh/h]", 0.5, 10.0, 0.5),
    "difficulty": ("Chain difficulty [hex zeros]", 0, 5, 1),
    "n_miners": ("Miners", 1, 50, 1),
}
#: Yes/no parameters shown as checkboxes.
CHECKBOXES = {"chain_enabled": "Record trades on the chain"}
#: Every parameter with a choice of at least two values becomes a select (new ones included,
#: labelled by their description unless named here).
SELECT_LABELS = {
    "pricing_strategy": "Pricing strategy",
    "clearing_mechanism": "Clearing mechanism",
    "objective": "Regulator objective",
    "fee_mode": "Grid fee mode",
}
#: Choices the app does not offer: they need a file of the user's, which it does not ask for.
NOT_OFFERED = {"profile_source": ("files",), "price_source": ("file",)}
SEED_CONTROL = {"type": "SliderInt", "value": SEED, "min": 0, "max": 999, "step": 1}


def build_model_params() -> dict[str, object]:
    """SolaraViz ``model_params`` from :meth:`Parameters.describe`, SPEC defaults as values.

    Only parameters that ``CommunityModel`` takes as keywords get a control (SolaraViz
    refuses any other name).
    """
    choices = {f.name: f.metadata.get("choices") for f in dataclasses.fields(Parameters)}
    accepted = inspect.signature(CommunityModel.__init__).parameters
    controls: dict[str, object] = {}
    for row in Parameters.describe():
        name, default = row["name"], row["default"]
        if name not in accepted:  # a parameter the model does not take (yet)
            continue
        if name in SLIDERS:
            label, lo, hi, step = SLIDERS[name]
            if isinstance(default, int):
                controls[name] = Slider(label, default, int(lo), int(hi), int(step), dtype=int)
            else:
                controls[name] = Slider(label, default, lo, hi, step, dtype=float)
        elif choices.get(name):
            values = [c for c in choices[name] if c not in NOT_OFFERED.get(name, ())]
            if len(values) < 2:
                continue
            label = SELECT_LABELS.get(name, row["doc"][:1].upper() + row["doc"][1:])
            controls[name] = {"type": "Select", "value": default, "values": values, "label": label}
        elif name in CHECKBOXES:
            controls[name] = {"type": "Checkbox", "value": default, "label": CHECKBOXES[name]}
    controls["rng"] = {**SEED_CONTROL, "label": "Random seed (rng)"}
    return controls


MODEL_PARAMS = build_model_params()


def initial_values() -> dict[str, object]:
    """The values the controls start with, as model keywords."""
    return {name: control.get("value") for name, control in MODEL_PARAMS.items()}


# --- the model as the app runs it --------------------------------------------------------------
class AppModel(CommunityModel):
    """``CommunityModel`` whose construction and steps never raise into the app.

    SolaraViz 3.5 builds a new model only on Reset, as ``type(model)(**values)`` inside the
    button's handler; an exception there replaces the whole page with its traceback. Here the
    values are validated first; a refusal (or any failure to build) gives a bare Mesa model
    with no community that carries the message in ``error`` and does not run (``running``
    False): the first view shows the message, the others say there is no model. A failure
    inside a step is caught the same way. The keywords are exactly ``CommunityModel``'s
    (SolaraViz checks the controls against this signature and passes them by name).
    """

    error: str | None = None  #: why this model cannot run, shown by every view

    def __init__(self, **values):
        try:
            Parameters(**{k: v for k, v in values.items() if k != "rng"})
        except (ParameterError, TypeError) as exc:
            self._refuse(values, str(exc))
            return
        try:
            super().__init__(**values)
        except Exception as exc:  # e.g. a data source that cannot be read
            log.exception("building the model failed")
            self._refuse(values, f"the model could not be built: {exc}")

    def _refuse(self, values: dict, message: str) -> None:
        mesa.Model.__init__(self, rng=values.get("rng"))  # a bare Mesa model: time, steps
        self.error = message
        self.running = False

    __init__.__signature__ = inspect.signature(CommunityModel.__init__)

    def step(self) -> None:
        if self.error is not None:
            self.running = False
            return
        try:
            super().step()
        except Exception as exc:  # shown in the app; the traceback goes to the server log
            log.exception("step %d failed", self.steps)
            self.error = f"step {self.steps} failed: {exc}"
            self.running = False


# --- helpers -----------------------------------------------------------------------------------
STYLE = {
    "font.size": 8,
    "axes.labelsize": 8,
    "legend.fontsize": 7,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
FIG_SIZE = (6.0, 3.5)  #: [in], fits a panel of SolaraViz's grid
DPI = 80
ROLE_COLORS = {IDLE: "#c8c8c8", BUYER: "tab:orange", SELLER: "tab:green", BANNED: "black"}
BATTERY_COLOR = "tab:blue"


def window_start(steps: int) -> int:
    """First step the time plots show: whole days are dropped to keep at most ``WINDOW``."""
    return DAY * math.ceil(max(0, steps - WINDOW) / DAY)


def hourly(model: CommunityModel) -> pd.DataFrame:
    """Model reporters of the steps the time plots show, with an ``hour`` column.

    Read straight from the DataCollector's lists (their first entry is the state before step
    1), so the cost does not grow with the length of the run.
    """
    first = window_start(model.steps)
    n = model.steps - first
    columns = model.datacollector.model_vars
    frame = pd.DataFrame(
        {name: values[len(values) - n :] if n else [] for name, values in columns.items()}
    )
    frame.insert(0, "hour", np.arange(first, model.steps))
    return frame


def run_total(model: CommunityModel, name: str) -> float:
    """Sum of a model reporter over every executed step."""
    return float(np.nansum(model.datacollector.model_vars[name][1:]))


def time_label(model: CommunityModel) -> str:
    return "hour" if model.params.step_hours == 1 else "step"


def hour_text(model: CommunityModel) -> str:
    """Names the step just run (0-based, as in the plots and files)."""
    return f"{time_label(model)} {model.steps - 1}" if model.steps else "before the first hour"


def html_table(
    header: list[str], rows: list[list[object]], caption: str = "", align: str = "right"
) -> solara.Element:
    """A small HTML table (one widget, cheap to redraw every step)."""
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header) if header else ""
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows
    )
    cap = f"<div class='app-caption'>{html.escape(caption)}</div>" if caption else ""
    style = (  # the same rules for every table of the page; the alignment by class
        "<style>.app-table{border-collapse:collapse;font-size:12px;font-family:monospace}"
        ".app-table th,.app-table td{padding:1px 8px;border-bottom:1px solid #ddd}"
        ".app-table th{font-weight:600}.app-right td,.app-right th{text-align:right}"
        ".app-left td,.app-left th{text-align:left}"
        ".app-caption{font-size:12px;margin:2px 0 6px 0}</style>"
    )
    thead = f"<thead><tr>{head}</tr></thead>" if head else ""
    table = f"<table class='app-table app-{align}'>{thead}<tbody>{body}</tbody></table>"
    return solara.HTML(tag="div", unsafe_innerHTML=style + cap + table)


def view(title: str, shows_model_error: bool = False) -> Callable:
    """Decorate a view: a titled panel that shows an error instead of crashing the app.

    With a model that could not be built, the view marked ``shows_model_error`` shows why (in
    the first panel), the others only say that there is no model.
    """

    def decorate(draw: Callable[..., None]) -> Callable:
        @functools.wraps(draw)
        def panel(model: CommunityModel, *args) -> solara.Element:
            with solara.Column(gap="2px", style={"padding": "2px 8px"}) as column:
                solara.Text(title, style={"font-weight": "600", "font-size": "15px"})
                error = getattr(model, "error", None)
                if error is not None and shows_model_error:
                    solara.Error(f"No model: {error}. Change the values and press Reset.")
                elif error is not None:
                    solara.Text("No model (see the message in the first panel).")
                else:
                    try:
                        draw(model, *args)
                    except Exception as exc:  # keep the app alive; the log has the traceback
                        log.exception("view %s failed", title)
                        solara.Error(f"{title} could not be drawn: {exc}")
            return column

        return panel

    return decorate


# --- live figures ------------------------------------------------------------------------------
class LivePlot(abc.ABC):
    """One view's matplotlib figure, built once per model and redrawn cheaply after each step.

    Building axes and drawing tick labels cost far more than the data, so each view keeps its
    figure (OO API, no pyplot) and updates its artists' data, and draws with blitting, as
    matplotlib's animations do: the static part (axes, ticks, labels) is drawn only when the
    axis limits change (they move on by whole days and in round steps), the data artists
    (``self.dynamic``) on top of it every step. The PNG goes to an ipywidgets ``Image`` (what
    ``solara.FigureMatplotlib`` makes, without its full redraw); this keeps a refresh of every
    view well within the step budget (``benchmarks/bench_app.py``).
    """

    margins = {"left": 0.1, "right": 0.97, "bottom": 0.14, "top": 0.84}
    _serial = itertools.count()

    def __init__(self, model: CommunityModel):
        self.serial = next(self._serial)  # tells the figure of this model from another's
        self.fig = Figure(figsize=FIG_SIZE, dpi=DPI)
        self.canvas = FigureCanvasAgg(self.fig)
        self.fig.subplots_adjust(**self.margins)
        self.dynamic: list = []  # artists drawn on top of the background every step
        with mpl.rc_context(STYLE):
            self.build(model)
        for ax in self.fig.axes:
            ax.tick_params(labelsize=7)  # also for ticks created later, outside rc_context
        for artist in self.dynamic:
            artist.set_animated(True)
        self._background = None
        self._background_key = None
        self._png_key = None
        self._png = b""
        self._lock = threading.Lock()

    @abc.abstractmethod
    def build(self, model: CommunityModel) -> None:
        """Create the axes and artists; append the ones that change to ``self.dynamic``."""

    @abc.abstractmethod
    def update(self, model: CommunityModel, *args) -> None:
        """Set the artists' data (and the axis limits) to the model's current step."""

    def png(self, model: CommunityModel, *args) -> bytes:
        """The figure at the model's current step, as PNG bytes."""
        key = (model.steps, *args)
        with self._lock:  # a render and a step of the play thread may overlap
            if key != self._png_key:
                self.update(model, *args)
                self._png = self._draw()
                self._png_key = key
            return self._png

    def show(self, model: CommunityModel, *args) -> solara.Element:
        png = self.png(model, *args)
        return rw.Image(value=png, format="png", layout={"max_width": "100%", "height": "auto"})

    def _draw(self) -> bytes:
        layout = tuple((*ax.get_xlim(), *ax.get_ylim()) for ax in self.fig.axes)
        if layout != self._background_key:
            self.canvas.draw()  # everything but the animated (dynamic) artists
            self._background = self.canvas.copy_from_bbox(self.fig.bbox)
            self._background_key = layout
        else:
            self.canvas.restore_region(self._background)
        for artist in self.dynamic:
            if artist.get_visible():
                self.fig.draw_artist(artist)
        rgb = np.asarray(self.canvas.buffer_rgba())[..., :3]
        buffer = io.BytesIO()
        PIL.Image.fromarray(rgb).save(buffer, format="png", compress_level=1)
        return buffer.getvalue()

    # helpers for subclasses
    def line(self, ax, **kwargs):
        line = ax.plot([], [], **kwargs)[0]
        self.dynamic.append(line)
        return line

    def legend_above(self, ax, ncols: int = 5, **kwargs) -> None:
        ax.legend(
            loc="lower left", bbox_to_anchor=(0.0, 1.01), ncols=ncols, frameon=False, **kwargs
        )

    def hint(self, ax, text: str = "press Step to run an hour"):
        hint = ax.text(
            0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="grey"
        )
        self.dynamic.append(hint)
        return hint


_live: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def live(model: CommunityModel, kind: type[LivePlot]) -> LivePlot:
    """The model's figure of one kind (made on first use; dropped with the model)."""
    plots = _live.setdefault(model, {})
    if kind not in plots:
        plots[kind] = kind(model)
    return plots[kind]


def set_time_axis(ax, model: CommunityModel) -> None:
    """Show the steps of :func:`hourly`, the axis extended by whole days."""
    first = window_start(model.steps)
    days = max(1, math.ceil((model.steps - first) / DAY))
    ax.set_xlim(first - 0.5, first + days * DAY - 0.5)


def set_value_axis(
    ax, *series, floor: float | None = None, min_top: float = 1e-3, snug: float = 0.4
) -> None:
    """Round y limits that hold every finite value of ``series``; kept while they still fit.

    The limits change only when a value leaves them or the values shrink to less than
    ``snug`` of the range, and grow with some headroom, so the figure's static part rarely
    needs drawing again. ``floor``: fixed lower limit; ``min_top``: smallest range shown.
    """
    values = np.concatenate([np.asarray(s, dtype=float).ravel() for s in series])
    values = values[np.isfinite(values)]
    if len(values) == 0:
        return
    vmin = floor if floor is not None else values.min()
    vmax = max(values.max(), vmin + min_top)
    lo, hi = ax.get_ylim()
    if lo <= vmin and vmax <= hi and (vmax - vmin) >= snug * (hi - lo):
        return
    if vmax > hi:  # growing: leave room for more
        vmax = vmin + 1.2 * (vmax - vmin)
    ticks = MaxNLocator(5).tick_values(vmin, vmax)
    ax.set_ylim(floor if floor is not None else ticks[0], ticks[-1])


class CommunityPlot(LivePlot):
    """Homes on a grid: colour = role this hour, size = PV capacity, bar = battery SOC."""

    margins = {"left": 0.01, "right": 0.99, "bottom": 0.10, "top": 0.99}

    def build(self, model: CommunityModel) -> None:
        homes, n = model.homes, model.state.n
        self.cols = cols = max(1, math.ceil(math.sqrt(n * 1.8)))
        rows = math.ceil(n / cols)
        self.x = np.arange(n) % cols
        self.y = rows - 1 - np.arange(n) // cols
        shrink = min(1.0, 12 / cols)
        pv = homes.pv_capacity_kw
        self.size = (30 + 190 * (pv / pv.max() if pv.max() > 0 else 0 * pv)) * shrink**2
        self.has_battery = homes.battery_capacity_kwh > 0
        self.colors = np.array([mcolors.to_rgba(ROLE_COLORS[r]) for r in range(len(ROLE_NAMES))])

        ax = self.ax = self.fig.subplots()
        self.homes = ax.scatter(self.x, self.y, s=self.size, edgecolors="white", linewidths=0.5)
        width = max(1.0, 5.0 * shrink)
        self.bar_x = self.x[self.has_battery] + 0.40
        self.bar_y0 = self.y[self.has_battery] - 0.35
        ax.vlines(self.bar_x, self.bar_y0, self.bar_y0 + 0.7, colors="#e6e6e6", linewidths=width)
        self.fill = ax.vlines(
            self.bar_x, self.bar_y0, self.bar_y0, colors=BATTERY_COLOR, linewidths=width
        )
        self.ring = ax.scatter([0], [0], s=[0], facecolors="none", edgecolors="crimson", lw=1.5)
        ax.set_xlim(-0.7, cols - 0.1)
        ax.set_ylim(-0.7, rows - 0.3)
        ax.set_aspect("equal")
        ax.axis("off")
        handles = [
            Line2D([], [], ls="", marker="o", color=ROLE_COLORS[r], label=ROLE_NAMES[r])
            for r in range(len(ROLE_NAMES))
        ]
        handles.append(Line2D([], [], color=BATTERY_COLOR, lw=3, label="battery SOC"))
        handles.append(Line2D([], [], ls="", marker="o", mfc="none", mec="crimson", label="picked"))
        ax.legend(
            handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncols=6,
            frameon=False, handletextpad=0.3, columnspacing=1.0,
        )  # fmt: skip
        self.dynamic += [self.homes, self.fill, self.ring]

    def update(self, model: CommunityModel, selected: int) -> None:
        state = model.state
        self.homes.set_facecolors(self.colors[state.role])
        top = self.bar_y0 + 0.7 * np.nan_to_num(state.soc[self.has_battery])
        bottom = np.column_stack([self.bar_x, self.bar_y0])
        self.fill.set_segments(np.stack([bottom, np.column_stack([self.bar_x, top])], axis=1))
        self.ring.set_offsets([[self.x[selected], self.y[selected]]])
        self.ring.set_sizes([self.size[selected] * 2.2 + 40])


class EnergyPlot(LivePlot):
    SERIES = (
        ("pv_kwh", "PV", "gold"),
        ("load_kwh", "load", "tab:red"),
        ("p2p_kwh", "P2P traded", "tab:green"),
        ("grid_import_kwh", "grid import", "tab:purple"),
        ("grid_export_kwh", "grid export", "tab:cyan"),
    )

    def build(self, model: CommunityModel) -> None:
        ax = self.ax = self.fig.subplots()
        self.lines = [self.line(ax, color=c, label=label) for _, label, c in self.SERIES]
        self.legend_above(ax)
        ax.set_xlabel(time_label(model))
        ax.set_ylabel("community energy [kWh]")
        ax.set_ylim(0, 1)
        self.empty = self.hint(ax)

    def update(self, model: CommunityModel) -> None:
        frame = hourly(model)
        t = frame["hour"].to_numpy()
        for line, (name, _, _) in zip(self.lines, self.SERIES, strict=True):
            line.set_data(t, frame[name].to_numpy())
        set_time_axis(self.ax, model)
        set_value_axis(
            self.ax, *(frame[name] for name, _, _ in self.SERIES), floor=0.0, min_top=1.0
        )
        self.empty.set_visible(len(t) == 0)


def p2p_trade_prices(model: CommunityModel, first_hour: int) -> tuple[np.ndarray, np.ndarray]:
    """Hour and price [EUR/kWh] of every P2P trade from ``first_hour`` on."""
    hours, prices = [np.zeros(0)], [np.zeros(0)]
    for step, trades in reversed(model.trade_log):
        if step < first_hour:
            break
        p2p = trades.kind == P2P
        hours.append(np.full(int(p2p.sum()), step))
        prices.append(trades.price[p2p])
    return np.concatenate(hours), np.concatenate(prices)


class PricePlot(LivePlot):
    SERIES = (
        ("grid_buy_price", "grid buy", "tab:red", "-"),
        ("price_forecast", "forecast", "grey", "--"),
        ("grid_sell_price", "grid sell", "tab:blue", "-"),
        ("avg_p2p_price", "mean P2P", "darkgreen", "-"),
    )

    def build(self, model: CommunityModel) -> None:
        ax = self.ax = self.fig.subplots()
        self.trades = ax.scatter(
            np.zeros(0), np.zeros(0), s=7, color="tab:green", alpha=0.35, lw=0, label="P2P trades"
        )
        self.dynamic.append(self.trades)
        self.lines = [self.line(ax, color=c, ls=ls, label=label) for _, label, c, ls in self.SERIES]
        self.legend_above(ax)
        ax.set_xlabel(time_label(model))
        ax.set_ylabel("price [EUR/kWh]")
        ax.set_ylim(0, 1)
        self.empty = self.hint(ax)

    def update(self, model: CommunityModel) -> None:
        frame = hourly(model)
        t = frame["hour"].to_numpy()
        hours, prices = p2p_trade_prices(model, window_start(model.steps))
        self.trades.set_offsets(np.column_stack([hours, prices]))
        for line, (name, *_) in zip(self.lines, self.SERIES, strict=True):
            line.set_data(t, frame[name].to_numpy())
        set_time_axis(self.ax, model)
        set_value_axis(self.ax, prices, *(frame[name] for name, *_ in self.SERIES))
        self.empty.set_visible(len(t) == 0)


class BatteryPlot(LivePlot):
    margins = {"left": 0.1, "right": 0.97, "bottom": 0.14, "top": 0.9, "wspace": 0.3}
    BINS = np.linspace(0.0, 1.0, 21)

    def build(self, model: CommunityModel) -> None:
        self.hist, self.line_ax = self.fig.subplots(1, 2, width_ratios=(1, 1.4))
        centers, width = (self.BINS[:-1] + self.BINS[1:]) / 2, np.diff(self.BINS)
        self.bars = list(self.hist.bar(centers, np.zeros(len(centers)), width * 0.9))
        for bar in self.bars:
            bar.set_color(BATTERY_COLOR)
        self.dynamic += self.bars
        p = model.params
        for bound in (p.soc_min, p.soc_max):
            self.hist.axvline(bound, color="grey", ls=":", lw=1)
        n_batteries = int((model.homes.battery_capacity_kwh > 0).sum())
        self.hist.set_title(f"{n_batteries} batteries now", loc="left", fontsize=8)
        self.hist.set_xlim(0, 1)
        self.hist.set_ylim(0, max(1, n_batteries))  # fixed: bounds collect most homes at times
        self.hist.set_xlabel("state of charge [-]")
        self.hist.set_ylabel("homes")
        if n_batteries == 0:
            self.hint(self.hist, "no batteries")
        self.mean = self.line(self.line_ax, color=BATTERY_COLOR)
        self.line_ax.set_ylim(0, 1)
        self.line_ax.set_title("mean SOC over time", loc="left", fontsize=8)
        self.line_ax.set_xlabel(time_label(model))
        self.empty = self.hint(self.line_ax)

    def update(self, model: CommunityModel) -> None:
        soc = model.state.soc
        counts, _ = np.histogram(soc[~np.isnan(soc)], self.BINS)
        for bar, count in zip(self.bars, counts, strict=True):
            bar.set_height(count)
        frame = hourly(model)
        t = frame["hour"].to_numpy()
        self.mean.set_data(t, frame["mean_soc"].to_numpy())
        set_time_axis(self.line_ax, model)
        self.empty.set_visible(len(t) == 0)


class SharesPlot(LivePlot):
    def build(self, model: CommunityModel) -> None:
        ax = self.ax = self.fig.subplots()
        self.share = self.line(ax, color="tab:green", label="P2P share of traded energy")
        self.sufficiency = self.line(ax, color="tab:orange", label="self-sufficiency")
        self.consumption = self.line(ax, color="gold", ls="--", label="self-consumption")
        self.legend_above(ax, ncols=3)
        ax.set_ylim(0, 1.02)
        ax.set_xlabel(time_label(model))
        ax.set_ylabel("fraction [-]")
        self.empty = self.hint(ax)

    def update(self, model: CommunityModel) -> None:
        frame = hourly(model)
        t = frame["hour"].to_numpy()
        traded = frame["p2p_kwh"] + frame["grid_import_kwh"] + frame["grid_export_kwh"]
        self.share.set_data(t, (frame["p2p_kwh"] / traded.where(traded > 0)).to_numpy())
        self.sufficiency.set_data(t, frame["self_sufficiency"].to_numpy())
        self.consumption.set_data(t, frame["self_consumption"].to_numpy())
        set_time_axis(self.ax, model)
        self.empty.set_visible(len(t) == 0)


class RegulatorPlot(LivePlot):
    margins = {"left": 0.1, "right": 0.9, "bottom": 0.14, "top": 0.84}

    def build(self, model: CommunityModel) -> None:
        ax = self.ax = self.fig.subplots()
        self.banned_ax = banned_ax = ax.twinx()
        self.banned = self.line(
            banned_ax, color="grey", drawstyle="steps-mid", lw=1, label="banned homes (right)"
        )
        self.bonus = self.line(ax, color="tab:green", label="bonuses")
        self.penalty = self.line(ax, color="tab:red", label="penalties")
        self.legend_above(ax, ncols=3, handles=[self.bonus, self.penalty, self.banned])
        ax.set_xlabel(time_label(model))
        ax.set_ylabel("per step [EUR]")
        ax.set_ylim(0, 1)
        banned_ax.set_ylabel("banned homes")
        banned_ax.spines["right"].set_visible(True)
        banned_ax.set_ylim(0, 5)
        self.empty = self.hint(ax)

    def update(self, model: CommunityModel) -> None:
        frame = hourly(model)
        t = frame["hour"].to_numpy()
        self.bonus.set_data(t, frame["bonus_eur"].to_numpy())
        self.penalty.set_data(t, frame["penalty_eur"].to_numpy())
        self.banned.set_data(t, frame["banned"].to_numpy())
        set_time_axis(self.ax, model)
        set_value_axis(self.ax, frame["bonus_eur"], frame["penalty_eur"], floor=0.0, min_top=0.1)
        set_value_axis(self.banned_ax, frame["banned"], floor=0.0, min_top=5)
        self.empty.set_visible(len(t) == 0)


# --- views -------------------------------------------------------------------------------------
def prosumer_details(model: CommunityModel, row: int) -> solara.Element:
    """One home's state this hour, as a table of two columns of name and value."""
    s, h = model.state, model.homes
    soc, ban, battery = s.soc[row], int(s.ban_remaining[row]), h.battery_capacity_kwh[row]
    reason = int(s.ban_reason[row])
    reason_text = f" ({BAN_REASONS[reason]})" if 0 < reason < len(BAN_REASONS) else ""
    items = [
        ("role", ROLE_NAMES[s.role[row]]),
        ("PV capacity", f"{h.pv_capacity_kw[row]:.1f} kW"),
        ("battery", f"{battery:.0f} kWh" if battery else "none"),
        ("SOC", "-" if np.isnan(soc) else f"{soc:.0%} ({s.stored_kwh[row]:.2f} kWh)"),
        ("PV / load", f"{s.pv_kwh[row]:.2f} / {s.load_kwh[row]:.2f} kWh"),
        ("after battery", f"{s.residual_kwh[row]:+.2f} kWh"),
        ("offer", f"{s.offer_kwh[row]:.2f} kWh @ {s.offer_price[row]:.3f}"),
        ("P2P bought/sold", f"{s.p2p_bought_kwh[row]:.2f} / {s.p2p_sold_kwh[row]:.2f} kWh"),
        ("grid in/out", f"{s.grid_import_kwh[row]:.2f} / {s.grid_export_kwh[row]:.2f} kWh"),
        ("bonus/penalty", f"{s.bonus_eur[row]:.3f} / {s.penalty_eur[row]:.3f} EUR"),
        ("balance", f"{s.balance_eur[row]:+.2f} EUR"),
        ("ban", f"{ban} steps left{reason_text}" if ban else "no"),
    ]
    half = math.ceil(len(items) / 2)
    rows = [[*items[i], *items[i + half]] for i in range(len(items) - half)]
    if len(items) % 2:
        rows.append([*items[half - 1], "", ""])
    return html_table([], rows, align="left")


#: Row of the prosumer shown in "Prosumer" and ringed in "Community" (Solara keeps one value
#: per browser session).
picked = solara.reactive(0)


@view("Community", shows_model_error=True)
def _community(model: CommunityModel, row: int) -> None:
    row = min(row, model.state.n - 1)
    live(model, CommunityPlot).show(model, row)
    counts = np.bincount(model.state.role, minlength=len(ROLE_NAMES))
    roles = ", ".join(f"{counts[r]} {ROLE_NAMES[r]}" for r in range(len(ROLE_NAMES)))
    solara.Text(f"{hour_text(model)}: {roles}. Marker size: PV capacity.")


@solara.component
def Community(model: CommunityModel):
    """Every home, coloured by role; the picked one ringed."""
    update_counter.get()
    return _community(model, picked.value)


@view("Prosumer")
def _prosumer(model: CommunityModel, row: int) -> None:
    row = min(row, model.state.n - 1)
    solara.SliderInt(
        f"Prosumer id {model.prosumer_ids[row]} (ringed in Community)",
        value=row + 1,
        min=1,
        max=model.state.n,
        on_value=lambda value: picked.set(int(value) - 1),
    )
    solara.Text(f"{hour_text(model)}:")
    prosumer_details(model, row)


@solara.component
def Prosumer(model: CommunityModel):
    """One home's state, picked with a slider."""
    update_counter.get()
    return _prosumer(model, picked.value)


@view("Energy flows per hour")
def EnergyFlows(model: CommunityModel) -> None:
    live(model, EnergyPlot).show(model)


@view("Prices")
def Prices(model: CommunityModel) -> None:
    live(model, PricePlot).show(model)


@view("Battery state of charge")
def Battery(model: CommunityModel) -> None:
    live(model, BatteryPlot).show(model)


@view("P2P share and self-sufficiency")
def Shares(model: CommunityModel) -> None:
    live(model, SharesPlot).show(model)
    if model.steps:
        traded = sum(run_total(model, k) for k in ("p2p_kwh", "grid_import_kwh", "grid_export_kwh"))
        load = run_total(model, "load_kwh")
        share = run_total(model, "p2p_kwh") / traded if traded else math.nan
        sufficiency = 1 - run_total(model, "grid_import_kwh") / load if load else math.nan
        solara.Text(
            f"Whole run: P2P share {share:.1%}, self-sufficiency {sufficiency:.1%}, "
            f"savings against no P2P {run_total(model, 'savings_eur'):.2f} EUR"
        )


@view("Latest trades")
def LatestTrades(model: CommunityModel) -> None:
    trades = model.last_trades
    if trades is None or trades.n == 0:
        solara.Text("No trades yet: press Step." if trades is None else "No trades this hour.")
        return
    p2p = trades.kind == P2P
    rows = [
        [
            KIND_NAMES[trades.kind[i]],
            SOURCE_NAMES[trades.source[i]],
            int(trades.buyer[i]),
            int(trades.seller[i]),
            f"{trades.kwh[i]:.3f}",
            f"{trades.price[i]:.4f}",
        ]
        for i in range(min(TABLE_ROWS, trades.n))
    ]
    caption = (
        f"{hour_text(model)}: {int(p2p.sum())} P2P trades "
        f"({trades.kwh[p2p].sum():.2f} kWh), {int((~p2p).sum())} grid settlements "
        f"(id {AGGREGATOR_ID}: the aggregator); the first {len(rows)}:"
    )
    html_table(["kind", "source", "buyer", "seller", "kWh", "EUR/kWh"], rows, caption)


@view("Chain")
def ChainView(model: CommunityModel) -> None:
    chain = getattr(model, "blockchain", None)
    if chain is None:
        solara.Info("chain disabled")
        if getattr(model.params, "chain_enabled", False):
            solara.Text("(this version of the model records no chain)")
        return
    blocks = chain.blocks
    rows = [
        [
            b.header.index,
            b.hash.hex()[:12],
            b.header.nonce,
            b.header.miner_id,
            len(b.transactions),
            f"{b.header.timestamp:g}",
        ]
        for b in reversed(blocks[-CHAIN_ROWS:])
    ]
    n_tx = sum(len(b.transactions) for b in blocks)
    pending = len(getattr(chain, "pending", ()))
    caption = (
        f"height {len(blocks) - 1}, {n_tx} transactions on the chain, {pending} pending, "
        f"difficulty {blocks[-1].header.difficulty}; the latest blocks:"
    )
    html_table(["block", "hash", "nonce", "miner", "txs", "hour"], rows, caption)


@view("Regulator")
def Regulator(model: CommunityModel) -> None:
    live(model, RegulatorPlot).show(model)
    state = model.state
    objective = getattr(model.params, "objective", "-")
    solara.Text(
        f"Objective {objective}; whole run: bonuses {run_total(model, 'bonus_eur'):.2f} EUR, "
        f"penalties {run_total(model, 'penalty_eur'):.2f} EUR."
    )
    banned = np.flatnonzero(state.ban_remaining > 0)
    if len(banned) == 0:
        solara.Text("No prosumer is banned now.")
        return
    listed = ", ".join(
        f"{model.prosumer_ids[r]} ({int(state.ban_remaining[r])})" for r in banned[:30]
    )
    more = f" and {len(banned) - 30} more" if len(banned) > 30 else ""
    solara.Text(f"Banned now: {len(banned)} homes, id (steps left): {listed}{more}")


COMPONENTS = [
    Community,
    Prosumer,
    EnergyFlows,
    Prices,
    Battery,
    Shares,
    LatestTrades,
    ChainView,
    Regulator,
]


# --- the page ----------------------------------------------------------------------------------
#: Most browser sessions the app serves at once; each holds a model (about 15 MB). A session
#: beyond it gets a message instead. ``COMMUNITY_SIM_MAX_SESSIONS`` overrides it.
MAX_SESSIONS = int(os.environ.get("COMMUNITY_SIM_MAX_SESSIONS", "20"))
#: How long Solara keeps the kernel (and model) of a session whose browser went away without
#: closing it (Solara's default: 24 h).
SESSION_CULL_TIMEOUT = "2m"
_sessions: set[str] = set()  # ids of the kernels that hold a model
_sessions_lock = threading.Lock()


def _configure_solara() -> None:
    """Telemetry off and disconnected sessions culled within minutes, however the app is
    started (``solara run server.py`` reads this module before it reports its start)."""
    import solara.server.settings as settings

    os.environ["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    settings.telemetry.mixpanel_enable = False
    settings.kernel.cull_timeout = SESSION_CULL_TIMEOUT


def _kernel_id() -> str | None:
    try:
        from solara.server import kernel_context

        return kernel_context.get_current_context().id
    except Exception:  # noqa: BLE001 - outside a server (tests, notebooks): no kernel
        return None


def _on_kernel_start():
    """A session's kernel started: free its place when the kernel closes (or is culled)."""
    kernel = _kernel_id()

    def release() -> None:
        with _sessions_lock:
            _sessions.discard(kernel)

    return release


def claim_session() -> bool:
    """Whether this session may hold a model (fewer than :data:`MAX_SESSIONS` do)."""
    kernel = _kernel_id()
    if kernel is None:
        return True
    with _sessions_lock:
        if kernel in _sessions or len(_sessions) < MAX_SESSIONS:
            _sessions.add(kernel)
            return True
    return False


_configure_solara()
solara.lab.on_kernel_start(_on_kernel_start)


@solara.component
def Page():
    """One model per browser session (a module-level model would be shared by all), for at
    most :data:`MAX_SESSIONS` sessions at once."""
    admitted = solara.use_memo(claim_session, [])
    model = solara.use_memo(lambda: AppModel(**initial_values()) if admitted else None, [])
    if model is None:
        return solara.Warning(
            f"The app serves at most {MAX_SESSIONS} sessions at once and all are in use. "
            "Close another tab, or try again in a few minutes (a closed tab frees its place "
            f"at once, one that lost its connection within {SESSION_CULL_TIMEOUT})."
        )
    return SolaraViz(
        model,
        components=COMPONENTS,
        model_params=MODEL_PARAMS,
        name=APP_NAME,
    )


page = Page
