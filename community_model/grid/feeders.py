"""Low-voltage feeders as pandapower networks: built in, generated, or read from a file.

* the Kerber networks (rural, village and suburban German LV grids of Kerber 2011), built in
  code by ``pandapower.networks``;
* the IEEE European LV test feeder (906 buses, 55 loads; IEEE PES distribution test feeders,
  2015), a JSON file shipped in the pandapower wheel, used here balanced (positive sequence);
* a generated radial feeder: an MV slack, one transformer, ``grid_radial_branches`` cable
  strands of equal length, ``grid_homes_per_bus`` homes per bus;
* a user's pandapower JSON file (``pandapower.to_json``).

Whatever the source, transformer phase shifts are set to zero, the network's own loads,
generators and storage are removed and one load per load bus (column ``home_bus`` true in
``net.bus``) carries the homes of that bus: they are the feeder's only consumers and producers.

References
----------
Kerber, G. (2011). Aufnahmefähigkeit von Niederspannungsverteilnetzen für die Einspeisung aus
Photovoltaikkleinanlagen. Dissertation, TU München.
IEEE PES Distribution System Analysis Subcommittee (2015). European Low Voltage Test Feeder.
Thurner, L. et al. (2018). pandapower - an open-source Python tool for convenient modeling,
analysis, and optimization of electric power systems. IEEE Trans. Power Syst. 33(6), 6510-6521.
"""

from __future__ import annotations

import math
import os

import numpy as np

from community_model.errors import ParameterError

KERBER = ("kerber_landnetz_kabel_1", "kerber_landnetz_freileitung_1", "kerber_dorfnetz",
          "kerber_vorstadtnetz_kabel_1")  # fmt: skip
IEEE_EUROPEAN_LV_FILE = "IEEE_European_LV_Off_Peak_1.json"
#: element tables whose power is replaced by the homes'
_REPLACED = ("load", "sgen", "storage", "asymmetric_load", "asymmetric_sgen", "gen")


def load_network(grid: str, n_homes: int, params=None):
    """The pandapower network named ``grid`` (see :data:`community_model.parameters.FEEDERS`).

    ``n_homes`` and ``params`` size the generated radial feeder.
    """
    import pandapower as pp
    import pandapower.networks as pn

    if grid in KERBER:
        return getattr(pn, f"create_{grid}")()
    if grid == "ieee_european_lv":
        path = os.path.join(os.path.dirname(pn.__file__), IEEE_EUROPEAN_LV_FILE)
        return pp.from_json(path)
    if grid == "radial":
        return radial_feeder(
            n_load_buses=math.ceil(n_homes / params.grid_homes_per_bus),
            branches=params.grid_radial_branches,
            line_type=params.grid_line_type,
            line_length_m=params.grid_line_length_m,
            trafo_type=params.grid_trafo_type,
        )
    try:
        return pp.from_json(grid)
    except Exception as err:  # pandapower raises many kinds on a bad file
        raise ParameterError(f"grid {grid!r} is not a pandapower JSON network: {err}") from None


def radial_feeder(
    n_load_buses: int,
    branches: int = 4,
    line_type: str = "NAYY 4x150 SE",
    line_length_m: float = 30.0,
    trafo_type: str = "0.4 MVA 20/0.4 kV",
):
    """A radial LV feeder: 20 kV slack, one 20/0.4 kV transformer, ``branches`` strands.

    Load buses are dealt to the strands in turn (bus k on strand k mod ``branches``), each
    ``line_length_m`` [m] of cable ``line_type`` after the previous bus of its strand.
    """
    import pandapower as pp

    net = pp.create_empty_network(name=f"radial feeder, {n_load_buses} load buses")
    mv = pp.create_bus(net, vn_kv=20.0, name="MV")
    busbar = pp.create_bus(net, vn_kv=0.4, name="LV busbar")
    pp.create_ext_grid(net, mv, vm_pu=1.0)
    pp.create_transformer(net, mv, busbar, std_type=trafo_type)
    ends = [busbar] * branches
    for k in range(n_load_buses):
        strand = k % branches
        bus = pp.create_bus(net, vn_kv=0.4, name=f"strand {strand} bus {k // branches}")
        pp.create_line(net, ends[strand], bus, line_length_m / 1000.0, std_type=line_type)
        pp.create_load(net, bus, p_mw=0.0)
        ends[strand] = bus
    return net


def prepare_feeder(net):
    """Replace the network's own consumers and producers by one home load per load bus.

    Returns the network (changed in place) and the pandapower indices of its load buses, in
    ascending order. Raises ParameterError when it has no slack or no load bus.
    """
    import pandapower as pp

    buses = set()
    for table in ("load", "asymmetric_load"):
        if table in net and len(net[table]):
            buses.update(net[table].bus[net[table].in_service].tolist())
    for table in _REPLACED:
        if table in net and len(net[table]):
            net[table] = net[table].iloc[0:0]
    if not len(net.ext_grid):
        raise ParameterError("grid: the network has no external grid (slack bus)")
    load_buses = np.array(sorted(buses), dtype=np.int64)
    if not len(load_buses):
        raise ParameterError("grid: the network has no loads, so no bus to place the homes on")
    pp.create_loads(net, load_buses, p_mw=0.0, q_mvar=0.0, name="homes")
    # A transformer's phase shift (Dyn5: 150 deg) turns every LV angle alike and changes no
    # magnitude, loading or loss; without it a flat start converges.
    net.trafo["shift_degree"] = 0.0
    net.bus["home_bus"] = net.bus.index.isin(load_buses)
    return net, load_buses
