"""The app's figures: matplotlib (OO API), built once per model and redrawn cheaply each step.

Text is 10 pt at the size the page shows a figure (:data:`FIG_SIZE` at :data:`DPI`); lines get
markers while they have few points; the time axes show the run's calendar (date and hour); in
dark mode the figures are drawn on the page's dark background (:data:`DARK`).
"""

from __future__ import annotations

import abc
import datetime as dt
import io
import itertools
import math
import threading
import weakref

import matplotlib as mpl
import matplotlib.colors as mcolors
import numpy as np
import PIL.Image
import reacton.ipywidgets as rw
import solara
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, MaxNLocator, MultipleLocator

from agents.roles import BANNED, BUYER, IDLE, ROLE_NAMES, SELLER
from community_model import CommunityModel
from community_model.app.common import DAY, hourly, step_times, time_label, window_start
from community_model.hour import P2P

STYLE = {
    "font.size": 10,
    "axes.labelsize": 10,
    "axes.titlesize": 10,
    "legend.fontsize": 10,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
FIG_SIZE = (6.0, 3.6)  #: [in], shown at its pixel size (600 px wide) in a panel
DPI = 100
ROLE_COLORS = {IDLE: "#c8c8c8", BUYER: "tab:orange", SELLER: "tab:green", BANNED: "black"}
BATTERY_COLOR = "tab:blue"
#: Colours of the dark theme (the page's own dark background; text and axes light).
DARK = {
    "figure.facecolor": "#1e1e1e", "axes.facecolor": "#1e1e1e", "savefig.facecolor": "#1e1e1e",
    "text.color": "#e0e0e0", "axes.labelcolor": "#e0e0e0", "axes.edgecolor": "#9e9e9e",
    "xtick.color": "#e0e0e0", "ytick.color": "#e0e0e0", "axes.titlecolor": "#e0e0e0",
}  # fmt: skip
FEW_POINTS = 48  #: lines with at most this many points get markers


def encode_png(rgba: np.ndarray) -> bytes:
    """A shown figure (its canvas's RGBA array, opaque) as a palette PNG of at most 256
    colours.

    A figure has a few hundred to a few thousand colours (its lines and their anti-aliased
    edges). Pillow's fast-octree quantisation keeps every pixel within about 14 of 255 per
    channel of the original (mean about 1), halves the bytes and encodes a 600 x 360 figure in
    about 2 ms instead of about 5 ms as RGB: some 20 ms of each step's six figures, and half
    the bytes the page receives and decodes. The downloads (:meth:`LivePlot.export_png`) stay
    full-colour.
    """
    # PIL shares the canvas's contiguous RGBA buffer and drops alpha in C (numpy's RGB slice
    # is not contiguous: PIL would copy it in Python first, about 1 ms a figure)
    rgb = PIL.Image.fromarray(rgba).convert("RGB")
    image = rgb.quantize(256, method=PIL.Image.Quantize.FASTOCTREE)
    buffer = io.BytesIO()
    image.save(buffer, format="png", compress_level=1)
    return buffer.getvalue()


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

    margins = {"left": 0.11, "right": 0.97, "bottom": 0.16, "top": 0.78}
    _serial = itertools.count()

    def __init__(self, model: CommunityModel, dark: bool = False):
        self.serial = next(self._serial)  # tells the figure of this model from another's
        self.dark = dark
        style = {**STYLE, **(DARK if dark else {})}
        self.fig = Figure(figsize=FIG_SIZE, dpi=DPI, facecolor=style.get("figure.facecolor"))
        self.canvas = FigureCanvasAgg(self.fig)
        self.fig.subplots_adjust(**self.margins)
        self.dynamic: list = []  # artists drawn on top of the background every step
        with mpl.rc_context(style):
            self.build(model)
        for ax in self.fig.axes:  # also for ticks created later, outside rc_context
            ax.tick_params(labelsize=STYLE["xtick.labelsize"])
            if dark:
                ax.tick_params(colors=DARK["xtick.color"])
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
        width = f"{round(self.fig.get_figwidth() * self.fig.dpi)}px"
        layout = {"width": width, "max_width": "100%", "height": "auto"}
        return rw.Image(value=png, format="png", layout=layout)

    def export_png(self, model: CommunityModel, *args, dpi: int = 200) -> bytes:
        """The figure at the model's current step as a full PNG (every artist, ``dpi``)."""
        with self._lock:
            self.update(model, *args)
            self._png_key = None
            for artist in self.dynamic:
                artist.set_animated(False)
            try:
                buffer = io.BytesIO()
                self.fig.savefig(buffer, format="png", dpi=dpi, facecolor=self.fig.get_facecolor())
            finally:
                for artist in self.dynamic:
                    artist.set_animated(True)
                self._background_key = None  # the canvas was redrawn at another size
            return buffer.getvalue()

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
        return encode_png(np.asarray(self.canvas.buffer_rgba()))

    # values on hover (community_model.app.hover)
    def hover_lines(self) -> list[Line2D]:
        """The labelled lines, whose values the readout shows (their x data are steps)."""
        return [
            a for a in self.dynamic
            if isinstance(a, Line2D) and not a.get_label().startswith("_")
        ]  # fmt: skip

    def hover_axis(self) -> list[float]:
        """``[a, b, first, last]``: step s lies at ``a + b * s`` of the figure's width, for the
        steps ``first`` to ``last`` shown; ``[]`` without a time axis or data."""
        lines = self.hover_lines()
        steps = np.asarray(lines[0].get_xdata(), dtype=float) if lines else np.zeros(0)
        if len(steps) == 0:
            return []
        pixels = lines[0].axes.transData.transform([(0.0, 0.0), (1.0, 0.0)])[:, 0]
        at = pixels / self.fig.bbox.width
        return [float(at[0]), float(at[1] - at[0]), float(steps[0]), float(steps[-1])]

    def readout(self, model: CommunityModel, step: int) -> str:
        """The step's date and time and each line's value there with its unit ("" if none)."""
        rows = []
        for line in self.hover_lines():
            steps, values = np.asarray(line.get_xdata()), np.asarray(line.get_ydata(), float)
            at = np.flatnonzero(steps == step)
            if len(at):
                value = values[at[0]]
                shown = f"{value:.3g}{axis_unit(line.axes)}" if np.isfinite(value) else "-"
                rows.append(f"{line.get_label()}: {shown}")
        if not rows:
            return ""
        times = step_times(model, step, 1)
        when = f", {times[0]:%a %d %b %H:%M}" if times is not None else ""
        return "\n".join([f"{time_label(model)} {step}{when}", *rows, *self.more_readout(step)])

    def more_readout(self, step: int) -> list[str]:
        """Further lines of the readout of ``step`` (a subclass's own artists)."""
        return []

    # helpers for subclasses
    def line(self, ax, **kwargs):
        line = ax.plot([], [], markersize=4, **kwargs)[0]
        self.dynamic.append(line)
        return line

    def mark_few(self, n_points: int) -> None:
        """Markers on every line while it has few points (one point alone has no line)."""
        marker = "o" if n_points <= FEW_POINTS else "None"
        for artist in self.dynamic:
            if isinstance(artist, Line2D):
                artist.set_marker(marker)

    def legend_above(self, ax, ncols: int = 3, **kwargs) -> None:
        ax.legend(
            loc="lower left", bbox_to_anchor=(0.0, 1.01), ncols=ncols, frameon=False, **kwargs
        )

    def hint(self, ax, text: str = "press Step to run an hour"):
        hint = ax.text(
            0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="grey",
            fontsize=STYLE["font.size"],
        )  # fmt: skip
        self.dynamic.append(hint)
        return hint


_live: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def live(model: CommunityModel, kind: type[LivePlot], dark: bool | None = None) -> LivePlot:
    """The model's figure of one kind in the page's theme (made on first use; dropped with
    the model). ``dark`` None: the theme of the current page (light outside a page)."""
    if dark is None:
        dark = dark_theme()
    plots = _live.setdefault(model, {})
    if (kind, dark) not in plots:
        plots[(kind, dark)] = kind(model, dark)
    return plots[(kind, dark)]


def dark_theme() -> bool:
    """Whether the page shows its dark theme (Solara's theme toggle)."""
    try:
        import solara.lab

        return bool(solara.lab.theme.dark_effective)
    except Exception:  # noqa: BLE001 - outside a page, or an older Solara
        return False


def time_formatter(model: CommunityModel):
    """Tick labels of the time axes: each step's date and hour from the run's calendar."""
    times = step_times(model, 0, 1)
    if times is None:
        return FuncFormatter(lambda x, _: f"{x:g}")
    start, hours = times[0].to_pydatetime(), model.params.step_hours

    def label(x, _pos) -> str:
        when = start + dt.timedelta(hours=float(x) * hours)
        return when.strftime("%a %d %b") if when.hour == 0 else when.strftime("%H:%M")

    return FuncFormatter(label)


def axis_unit(ax) -> str:
    """The unit of an axis labelled "... [unit]" as " unit"; "" if none or "-"."""
    label = ax.get_ylabel()
    unit = label[label.rfind("[") + 1 : label.rfind("]")] if label.endswith("]") else ""
    return f" {unit}" if unit and unit != "-" else ""


def set_time_axis(ax, model: CommunityModel) -> None:
    """Show the steps of :func:`hourly`, the axis extended by whole days."""
    first = window_start(model.steps)
    days = max(1, math.ceil((model.steps - first) / DAY))
    ax.set_xlim(first - 0.5, first + days * DAY - 0.5)
    per_step = model.params.step_hours
    ax.xaxis.set_major_locator(MultipleLocator((24 if days > 2 else 6) / per_step))
    if not isinstance(ax.xaxis.get_major_formatter(), FuncFormatter):
        ax.xaxis.set_major_formatter(time_formatter(model))


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
        ax.set_xlabel(f"{time_label(model)} (local time)")
        ax.set_ylabel("community energy [kWh]")
        ax.set_ylim(0, 1)
        self.empty = self.hint(ax)

    def update(self, model: CommunityModel) -> None:
        frame = hourly(model)
        t = frame["hour"].to_numpy()
        for line, (name, _, _) in zip(self.lines, self.SERIES, strict=True):
            line.set_data(t, frame[name].to_numpy())
        set_time_axis(self.ax, model)
        self.mark_few(len(t))
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
            np.zeros(0),
            np.zeros(0),
            s=22,
            color="tab:green",
            alpha=0.6,
            lw=0.4,
            edgecolors="darkgreen",
            label="P2P trades",
        )
        self.dynamic.append(self.trades)
        self.lines = [self.line(ax, color=c, ls=ls, label=label) for _, label, c, ls in self.SERIES]
        self.legend_above(ax)
        ax.set_xlabel(f"{time_label(model)} (local time)")
        ax.set_ylabel("price [EUR/kWh]")
        ax.set_ylim(0, 1)
        self.empty = self.hint(ax)

    def more_readout(self, step: int) -> list[str]:
        trades = np.asarray(self.trades.get_offsets()).reshape(-1, 2)  # (hour, price) rows
        prices = trades[trades[:, 0] == step, 1]
        if len(prices) == 0:
            return ["P2P trades: none"]
        return [f"P2P trades: {len(prices)} at {min(prices):.3g}-{max(prices):.3g} EUR/kWh"]

    def update(self, model: CommunityModel) -> None:
        frame = hourly(model)
        t = frame["hour"].to_numpy()
        hours, prices = p2p_trade_prices(model, window_start(model.steps))
        self.trades.set_offsets(np.column_stack([hours, prices]))
        for line, (name, *_) in zip(self.lines, self.SERIES, strict=True):
            line.set_data(t, frame[name].to_numpy())
        set_time_axis(self.ax, model)
        self.mark_few(len(t))
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
        self.hist.set_title(f"{n_batteries} batteries now", loc="left", fontsize=STYLE["font.size"])
        self.hist.set_xlim(0, 1)
        self.hist.set_ylim(0, max(1, n_batteries))  # fixed: bounds collect most homes at times
        self.hist.set_xlabel("state of charge [-]")
        self.hist.set_ylabel("homes")
        if n_batteries == 0:
            self.hint(self.hist, "no batteries")
        self.mean = self.line(self.line_ax, color=BATTERY_COLOR, label="mean SOC")
        self.line_ax.set_ylim(0, 1)
        self.line_ax.set_title("mean SOC over time", loc="left", fontsize=STYLE["font.size"])
        self.line_ax.set_xlabel(f"{time_label(model)} (local time)")
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
        self.mark_few(len(t))
        self.empty.set_visible(len(t) == 0)


class SharesPlot(LivePlot):
    def build(self, model: CommunityModel) -> None:
        ax = self.ax = self.fig.subplots()
        self.share = self.line(ax, color="tab:green", label="P2P share of traded energy")
        self.sufficiency = self.line(ax, color="tab:orange", label="self-sufficiency")
        self.consumption = self.line(ax, color="gold", ls="--", label="self-consumption")
        self.legend_above(ax, ncols=2)
        ax.set_ylim(0, 1.02)
        ax.set_xlabel(f"{time_label(model)} (local time)")
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
        self.mark_few(len(t))
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
        ax.set_xlabel(f"{time_label(model)} (local time)")
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
        self.mark_few(len(t))
        set_value_axis(self.ax, frame["bonus_eur"], frame["penalty_eur"], floor=0.0, min_top=0.1)
        set_value_axis(self.banned_ax, frame["banned"], floor=0.0, min_top=5)
        self.empty.set_visible(len(t) == 0)
