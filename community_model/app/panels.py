"""The dashboard's panels: each a titled card that shows an error instead of crashing the app.

- **Community**: each home a marker on a grid, coloured by its role this hour, sized by its PV
  capacity, with a bar showing its battery's state of charge; the picked home is ringed.
- **Prosumer**: a slider picks one home; its state this hour is listed.
- **Energy flows**, **Prices** (with every P2P trade's price), **Battery** (SOC distribution and
  mean SOC), **P2P share and self-sufficiency**, **Latest trades**, **Chain** (the latest
  blocks), **Regulator** (bonuses, penalties, bans) and, with a feeder, **Feeder** (bus
  voltages and line loadings of this step's power flow).

Every figure has a PNG download beside its title.
"""

from __future__ import annotations

import functools
import html
import logging
import math
from collections.abc import Callable

import numpy as np
import solara
from mesa.visualization.utils import update_counter

from agents.roles import ROLE_NAMES
from community_model import CommunityModel
from community_model.app.common import CHAIN_ROWS, TABLE_ROWS, hour_text, run_total
from community_model.app.hover import HoverFigure
from community_model.app.plots import (
    BatteryPlot,
    CommunityPlot,
    EnergyPlot,
    LivePlot,
    PricePlot,
    RegulatorPlot,
    SharesPlot,
    live,
)
from community_model.hour import AGGREGATOR_ID, KIND_NAMES, P2P, SOURCE_NAMES

try:  # names of the regulator's ban reasons, when the regulator provides them
    from agents.regulator_rules import BAN_REASONS
except ImportError:  # pragma: no cover - older trees
    BAN_REASONS = ()

log = logging.getLogger(__name__)


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


def figure(model: CommunityModel, kind: type[LivePlot], *args) -> None:
    """A figure of the model and, below it, a button that downloads it as PNG."""
    plot = live(model, kind)
    HoverFigure(model, plot, args)
    name = kind.__name__.removesuffix("Plot").lower()
    solara.FileDownload(
        lambda: plot.export_png(model, *args),
        filename=f"{name}_step{model.steps}.png",
        label=f"PNG of {name}",
        mime_type="image/png",
    )


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
    figure(model, CommunityPlot, row)
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
    figure(model, EnergyPlot)


@view("Prices")
def Prices(model: CommunityModel) -> None:
    figure(model, PricePlot)


@view("Battery state of charge")
def Battery(model: CommunityModel) -> None:
    figure(model, BatteryPlot)


@view("P2P share and self-sufficiency")
def Shares(model: CommunityModel) -> None:
    figure(model, SharesPlot)
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
    figure(model, RegulatorPlot)
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
