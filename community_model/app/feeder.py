"""The feeder view: the LV network's buses coloured by voltage, its lines by loading.

Shown when the model has a feeder (parameter ``grid`` not ``'off'``, see docs/grid.md). The
layout is the network's geodata where pandapower has it, else a Kamada-Kawai layout of its
graph (Kamada and Kawai 1989, "An algorithm for drawing general undirected graphs", Information
Processing Letters 31(1)), computed once per model. Colours are of the last step's AC power flow
(:class:`community_model.grid.power_flow.FlowResult`): bus voltage [pu] and line loading [%].
"""

from __future__ import annotations

import json

import matplotlib as mpl
import networkx as nx
import numpy as np
import solara
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize

from community_model import CommunityModel
from community_model.app.panels import figure, view
from community_model.app.plots import LivePlot


def bus_positions(net) -> dict[int, tuple[float, float]]:
    """x, y of each bus: from ``net.bus.geo`` (GeoJSON points) if every bus has one, else a
    Kamada-Kawai layout of the bus graph (lines and transformers as edges)."""
    geo = net.bus["geo"] if "geo" in net.bus else None
    if geo is not None and geo.notna().all():
        return {b: tuple(json.loads(g)["coordinates"][:2]) for b, g in geo.items()}
    graph = nx.Graph()
    graph.add_nodes_from(net.bus.index)
    graph.add_edges_from(zip(net.line.from_bus, net.line.to_bus, strict=True))
    graph.add_edges_from(zip(net.trafo.hv_bus, net.trafo.lv_bus, strict=True))
    return nx.kamada_kawai_layout(graph)


class FeederPlot(LivePlot):
    """Buses with homes coloured by voltage [pu], lines by loading [%], the transformer a
    square."""

    margins = {"left": 0.02, "right": 0.86, "bottom": 0.03, "top": 0.92}

    def build(self, model: CommunityModel) -> None:
        feeder, p = model.feeder, model.params
        net = feeder.net
        pos = bus_positions(net)
        ax = self.ax = self.fig.subplots()
        segments = [
            [pos[a], pos[b]] for a, b in zip(net.line.from_bus, net.line.to_bus, strict=True)
        ]
        self.load_norm = Normalize(0, p.grid_loading_limit)
        self.lines = LineCollection(segments, cmap="viridis", norm=self.load_norm, linewidths=2.5)
        self.lines.set_array(np.zeros(len(segments)))
        ax.add_collection(self.lines)
        xy = np.array([pos[b] for b in feeder.load_buses])
        homes = np.bincount(np.searchsorted(feeder.load_buses, feeder.bus_of_home),
                            minlength=len(feeder.load_buses))  # fmt: skip
        band = p.grid_voltage_band
        self.v_norm = Normalize(1 - band, 1 + band)
        self.buses = ax.scatter(xy[:, 0], xy[:, 1], s=18 + 10 * homes, c=np.ones(len(xy)),
                                cmap="coolwarm", norm=self.v_norm, edgecolors="k", lw=0.4,
                                zorder=3)  # fmt: skip
        for lv in net.trafo.lv_bus:
            ax.scatter(*pos[lv], marker="s", s=90, color="grey", zorder=4)
        self.fig.colorbar(self.buses, ax=ax, fraction=0.05, pad=0.01, label="bus voltage [pu]")
        self.fig.colorbar(self.lines, ax=ax, fraction=0.05, pad=0.06, label="line loading [%]")
        ax.set_aspect("equal", adjustable="datalim")
        ax.autoscale_view()
        ax.axis("off")
        self.title = ax.set_title("", loc="left")
        self.dynamic += [self.lines, self.buses, self.title]

    def update(self, model: CommunityModel) -> None:
        result = model.feeder.last
        if result is None:
            self.title.set_text("press Step for a power flow")
            return
        self.lines.set_array(np.asarray(result.line_loading, dtype=float))
        self.buses.set_array(np.asarray(result.vm_load_bus, dtype=float))
        self.title.set_text(
            f"V {result.vm_min:.3f}-{result.vm_max:.3f} pu, "
            f"max line {np.max(result.line_loading, initial=0):.0f} %"
        )


@view("Feeder")
def Feeder(model: CommunityModel) -> None:
    if getattr(model, "feeder", None) is None:
        solara.Info("no feeder: choose one in the Grid section and press Reset")
        return
    with mpl.rc_context({"font.size": 10}):
        figure(model, FeederPlot)
