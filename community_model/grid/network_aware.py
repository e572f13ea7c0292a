"""Network-aware trading: grid fees by cable distance and limits enforced by sensitivities.

Physics first: a P2P trade of PV energy is a contract, not a flow. The seller's surplus enters
the feeder at the seller's bus whoever buys it, so only what changes an injection changes the
flows: stored energy discharged for a sale, energy bought to store, and PV that is not
curtailed. Enforcement therefore reduces exactly these (battery sales, storage purchases, PV
exports); homes' loads are never shed (a violation they cause alone stays, and is counted).

Distance fees follow the distance-based network charges of the P2P literature (e.g. Baroche
et al. 2019, "Exogenous cost allocation in peer-to-peer electricity markets", IEEE Trans. Power
Syst. 34(4); Paudel et al. 2021, electrical-distance based grid fees): a fee per kWh
proportional to the cable length between buyer and seller, added to the buyer's price and kept
by the grid operator. A trade whose price with the fee would exceed the buyer's bid is not
made; its energy is settled with the grid.

Limit enforcement is the sensitivity-based corrective curtailment of distribution-grid
operation (e.g. Dubey & Santoso 2015, IEEE Trans. Power Syst. 30(6)): after each AC power flow
every violated limit c with excess e_c asks the buses whose injection raises it (sensitivity
s_cb > 0) to give up the same fraction alpha_c = min(1, e_c (1 + margin) / sum_b s_cb R_b)
of their reducible injection R_b; a bus takes the largest alpha of the limits it affects; the
power flow is repeated, at most :data:`MAX_ROUNDS` times.
"""

from __future__ import annotations

import numpy as np

MAX_ROUNDS = 10  #: power flows per step at most when enforcing limits
MARGIN = 0.02  #: extra fraction of each excess asked for, so that rounds converge from above


def _cable_graph(net):
    """The feeder as a sparse graph of cable lengths [km] and its bus -> node index.

    Lines weigh their length; transformers and closed bus-bus switches weigh nothing."""
    from scipy.sparse import coo_matrix

    index = {bus: i for i, bus in enumerate(net.bus.index)}
    line = net.line[net.line.in_service]
    trafo = net.trafo[net.trafo.in_service]
    switch = net.switch[(net.switch.et == "b") & net.switch.closed] if len(net.switch) else None
    ends = [
        (line.from_bus, line.to_bus, line.length_km),
        (trafo.hv_bus, trafo.lv_bus, 0 * trafo.sn_mva),
    ]
    if switch is not None:
        ends.append((switch.bus, switch.element, 0.0 * switch.bus))
    rows, cols, weights = [], [], []
    for a, b, w in ends:
        rows += [index[x] for x in a]
        cols += [index[x] for x in b]
        weights += list(np.maximum(np.asarray(w, dtype=float), 1e-12))  # 0 means no edge
    n = len(index)
    return coo_matrix((weights, (rows, cols)), shape=(n, n)).tocsr(), index


def cable_distance_km(net, load_buses: np.ndarray) -> np.ndarray:
    """Cable length of the shortest path between every two load buses [km].

    Lines weigh their length; transformers and closed bus-bus switches weigh nothing.
    """
    from scipy.sparse.csgraph import shortest_path

    graph, index = _cable_graph(net)
    sources = [index[b] for b in load_buses]
    dist = shortest_path(graph, directed=False, indices=sources)
    return dist[:, sources]


def distance_to_transformer_km(net, load_buses: np.ndarray) -> np.ndarray:
    """Cable length from each load bus to the nearest transformer's LV bus [km]: the path
    of the energy a home imports from or exports to the upstream grid."""
    from scipy.sparse.csgraph import shortest_path

    graph, index = _cable_graph(net)
    lv = [index[b] for b in net.trafo.lv_bus[net.trafo.in_service]]
    dist = shortest_path(graph, directed=False, indices=lv)  # (transformers, buses)
    return dist.min(axis=0)[[index[b] for b in load_buses]]


def allocate_losses_kwh_km(
    losses_kwh: float, trade_kwh: np.ndarray, trade_km: np.ndarray, grid_kwh: np.ndarray,
    grid_km: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Share a step's feeder losses among the flows that cross the feeder, in proportion to
    energy times cable distance (kWh x km).

    The flows are the P2P trades (from the seller's bus to the buyer's) and each home's
    exchange with the upstream grid (between its bus and the transformer). A flow's share is
    its kWh x km over the sum of all kWh x km: the distance-weighted pro-rata rule of loss
    allocation (the "MW-km" family; see Conejo, Arroyo, Alguacil & Guijarro 2002,
    "Transmission loss allocation: a comparison of different practical algorithms", IEEE
    Trans. Power Syst. 17(3), 571-576, for pro-rata rules and their properties). It is simple
    and transparent, charges nothing to trades between homes on the same bus, and the shares
    add up to the losses exactly; unlike incremental (marginal) rules it ignores that a flow
    against the prevailing direction reduces losses.

    Parameters
    ----------
    losses_kwh : float
        The feeder's losses this step [kWh].
    trade_kwh, trade_km : arrays (trades,)
        Each P2P trade's energy [kWh] and the cable length between its parties [km].
    grid_kwh, grid_km : arrays (homes,)
        Each home's exchange with the upstream grid, either direction [kWh], and the cable
        length from its bus to the transformer [km].

    Returns
    -------
    (trade_loss_kwh, grid_loss_kwh) : arrays
        The losses allocated to each trade and to each home's grid exchange [kWh].

    Examples
    --------
    >>> t, g = allocate_losses_kwh_km(1.0, np.array([2.0]), np.array([0.1]),
    ...                               np.array([1.0, 0.0]), np.array([0.6, 0.2]))
    >>> t.round(3).tolist(), g.round(3).tolist()
    ([0.25], [0.75, 0.0])
    """
    trade_w = np.abs(trade_kwh) * trade_km
    grid_w = np.abs(grid_kwh) * grid_km
    total = trade_w.sum() + grid_w.sum()
    if total <= 0.0 or losses_kwh <= 0.0:
        return np.zeros_like(trade_w), np.zeros_like(grid_w)
    return losses_kwh * trade_w / total, losses_kwh * grid_w / total


def distance_fees(fee_rate: float, distance_km: np.ndarray, buyer_bus: np.ndarray,
                  seller_bus: np.ndarray) -> np.ndarray:  # fmt: skip
    """Grid fee of each trade [EUR/kWh]: ``fee_rate`` [EUR/kWh/km] times the cable length
    between the buyer's and the seller's bus (0 on the same bus).

    >>> distance_fees(0.05, np.array([[0.0, 0.2], [0.2, 0.0]]), np.array([0, 1]), np.array([1, 1]))
    array([0.01, 0.  ])
    """
    return fee_rate * distance_km[buyer_bus, seller_bus]


def reduction_fractions(
    excess: np.ndarray, sens: np.ndarray, reducible_up: np.ndarray, reducible_down: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fractions of each bus's reducible injection and withdrawal to give up this round.

    Parameters
    ----------
    excess : (limits,)
        How far each limit is exceeded, in the unit of its quantity (> 0 violated).
    sens : (limits x buses)
        Change of each limit's quantity per unit of injection at each bus.
    reducible_up, reducible_down : (buses,)
        Injection that may be taken away, withdrawal that may be taken away [MW].

    Returns
    -------
    up, down : (buses,) fractions in [0, 1]; unresolved : (limits,) True where the
    reducible amounts cannot remove the excess (loads would have to be shed).
    """
    helps_up = np.where(sens > 0, sens, 0.0) * reducible_up[None, :]  # less injection lowers it
    helps_down = np.where(sens < 0, -sens, 0.0) * reducible_down[None, :]
    gain = helps_up.sum(axis=1) + helps_down.sum(axis=1)
    need = excess * (1.0 + MARGIN)
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = np.where(gain > 0, np.minimum(1.0, need / gain), 0.0)
    unresolved = gain < need
    up = np.max(np.where(helps_up > 0, alpha[:, None], 0.0), axis=0, initial=0.0)
    down = np.max(np.where(helps_down > 0, alpha[:, None], 0.0), axis=0, initial=0.0)
    return up, down, unresolved
