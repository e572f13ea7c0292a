"""The AC power flow of one step: bus voltages, line and transformer loading, losses.

pandapower builds the network's bus admittance matrix once (``pandapower.runpp`` at zero
load); every step then solves the Newton-Raphson power flow of the homes' injections on it,
warm-started from the previous step's voltages, with lightsim2grid's KLU-based solver when it
is installed (``NR_KLU``, about 10 us for a 100-bus feeder) and otherwise with
``pandapower.runpp`` itself (about 40 ms). Both give the same result to the solver tolerance
(a test compares them). Line loading is pandapower's: the larger end current over the rated
current ``max_i_ka * df * parallel`` [%]; transformer loading is current based [%].

References
----------
Thurner, L. et al. (2018). pandapower, IEEE Trans. Power Syst. 33(6), 6510-6521.
Donnot, B. (2020). lightsim2grid: a fast backend for grid2op. https://github.com/Grid2op/lightsim2grid
Zimmerman, R. D. et al. (2011). MATPOWER, IEEE Trans. Power Syst. 26(1), 12-19 (the
Newton-Raphson formulation both use).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

TOLERANCE_MVA = 1e-9  #: largest power mismatch at a converged bus [MVA]
MAX_ITERATIONS = 20


class FlowResult(NamedTuple):
    """One power flow. Powers [MW], voltages [pu], loadings [%]."""

    vm_load_bus: np.ndarray  #: voltage magnitude of each load bus, in load-bus order [pu]
    vm_min: float  #: lowest LV bus voltage [pu]
    vm_max: float  #: highest LV bus voltage [pu]
    line_loading: np.ndarray  #: loading of each line [%]
    trafo_loading: np.ndarray  #: loading of each transformer [%]
    losses_mw: float  #: active losses of lines and transformers [MW]
    upstream_mw: float  #: active power drawn from the external grid (slack) [MW]
    converged: bool
    line_losses_mw: float = float("nan")  #: active losses of the lines alone [MW]


def lightsim2grid_available() -> bool:
    try:
        from lightsim2grid.algorithm import NR_KLU  # noqa: F401
    except ImportError:
        return False
    return True


class PowerFlow:
    """AC power flows of one prepared feeder (see :func:`feeders.prepare_feeder`).

    Parameters
    ----------
    net : pandapowerNet
        The feeder, with one load per load bus (``name == 'homes'``).
    backend : {'auto', 'lightsim2grid', 'pandapower'}
        'auto' takes lightsim2grid when it is importable.
    """

    def __init__(self, net, backend: str = "auto"):
        import pandapower as pp

        if backend == "auto":
            backend = "lightsim2grid" if lightsim2grid_available() else "pandapower"
        self.backend, self.net = backend, net
        self.loads = net.load.index[net.load.name == "homes"].to_numpy()
        self.load_buses = net.load.bus.loc[self.loads].to_numpy()
        pp.runpp(net, init="flat", calculate_voltage_angles=True)
        ppci = net._ppc["internal"]
        lookup = net._pd2ppc_lookups["bus"]
        self.base_mva = float(ppci["baseMVA"])
        self.Ybus = ppci["Ybus"].tocsc()
        self.Yf, self.Yt = ppci["Yf"].tocsr(), ppci["Yt"].tocsr()
        self.V = ppci["V"].copy()  # warm start: the previous step's voltages
        self.ref = np.asarray(ppci["ref"], dtype=np.int32)
        self.pv = np.asarray(ppci["pv"], dtype=np.int32)
        self.pq = np.asarray(ppci["pq"], dtype=np.int32)
        self.slack_weights = np.zeros(self.Ybus.shape[0])
        self.slack_weights[self.ref] = 1.0
        self.load_bus_ppc = lookup[self.load_buses]
        lv = net.bus.index[net.bus.vn_kv < 1.0].to_numpy()
        self.lv_ppc = np.unique(lookup[lv])
        vn_kv = ppci["bus"][:, 9].real  # BASE_KV
        branch = net._pd2ppc_lookups["branch"]
        from_bus = ppci["branch"][:, 0].real.astype(np.int64)
        to_bus = ppci["branch"][:, 1].real.astype(np.int64)
        self.from_bus, self.to_bus = from_bus, to_bus
        # rated end currents in pu of each end's base current, for lines then transformers
        i_base_from = self.base_mva / (np.sqrt(3) * vn_kv[from_bus])  # [kA per pu]
        i_base_to = self.base_mva / (np.sqrt(3) * vn_kv[to_bus])
        self.line_rows = np.arange(*branch["line"]) if "line" in branch else np.arange(0)
        self.trafo_rows = np.arange(*branch["trafo"]) if "trafo" in branch else np.arange(0)
        line = net.line
        rated_ka = (line.max_i_ka * line.df * line.parallel).to_numpy()
        self.line_rated_from = rated_ka / i_base_from[self.line_rows]
        self.line_rated_to = rated_ka / i_base_to[self.line_rows]
        trafo = net.trafo
        sn = (trafo.sn_mva * trafo.parallel).to_numpy()
        self.trafo_rated_from = sn / (np.sqrt(3) * trafo.vn_hv_kv.to_numpy()) / i_base_from[
            self.trafo_rows]  # fmt: skip
        self.trafo_rated_to = sn / (np.sqrt(3) * trafo.vn_lv_kv.to_numpy()) / i_base_to[
            self.trafo_rows]  # fmt: skip
        self._solver = None
        if backend == "lightsim2grid":
            from lightsim2grid.algorithm import NR_KLU

            self._solver = NR_KLU()
        self._z_columns = None

    # --- one step ---------------------------------------------------------------------------
    def solve(self, p_mw: np.ndarray, q_mvar: np.ndarray) -> FlowResult:
        """The power flow with ``p_mw``, ``q_mvar`` injected at each load bus [MW, Mvar]."""
        if self.backend == "pandapower":
            return self._solve_pandapower(p_mw, q_mvar)
        n = self.Ybus.shape[0]
        s_bus = np.zeros(n, dtype=complex)
        np.add.at(s_bus, self.load_bus_ppc, (p_mw + 1j * q_mvar) / self.base_mva)
        V = self.V.copy()
        ok = self._solver.compute_pf(
            self.Ybus, V, s_bus, self.ref, self.slack_weights, self.pv, self.pq,
            MAX_ITERATIONS, TOLERANCE_MVA / self.base_mva,
        )  # fmt: skip
        if ok:
            V = self._solver.get_V()
            self.V = V.copy()
        return self._result(V, bool(ok))

    def _result(self, V: np.ndarray, converged: bool) -> FlowResult:
        s_inj = V * np.conj(self.Ybus @ V) * self.base_mva
        current_from, current_to = self.Yf @ V, self.Yt @ V  # branch end currents [pu]
        i_from, i_to = np.abs(current_from), np.abs(current_to)
        lines, trafos = self.line_rows, self.trafo_rows
        line_loading = np.maximum(
            i_from[lines] / self.line_rated_from, i_to[lines] / self.line_rated_to
        )
        trafo_loading = np.maximum(
            i_from[trafos] / self.trafo_rated_from, i_to[trafos] / self.trafo_rated_to
        )
        vm = np.abs(V)
        lv = vm[self.lv_ppc]
        lines_f, lines_t = self.from_bus[lines], self.to_bus[lines]
        line_losses = np.real(  # power in at one end plus power in at the other [pu]
            V[lines_f] * np.conj(current_from[lines]) + V[lines_t] * np.conj(current_to[lines])
        )
        return FlowResult(
            vm_load_bus=vm[self.load_bus_ppc],
            vm_min=float(lv.min()),
            vm_max=float(lv.max()),
            line_loading=line_loading * 100.0,
            trafo_loading=trafo_loading * 100.0,
            losses_mw=float(s_inj.real.sum()),
            upstream_mw=float(s_inj.real[self.ref].sum()),
            converged=converged,
            line_losses_mw=float(line_losses.sum()) * self.base_mva,
        )

    def _solve_pandapower(self, p_mw: np.ndarray, q_mvar: np.ndarray) -> FlowResult:
        import pandapower as pp

        net = self.net
        net.load.loc[self.loads, "p_mw"] = -p_mw  # pandapower loads consume
        net.load.loc[self.loads, "q_mvar"] = -q_mvar
        try:
            pp.runpp(net, init="results", calculate_voltage_angles=True,
                     tolerance_mva=TOLERANCE_MVA, max_iteration=MAX_ITERATIONS)  # fmt: skip
        except pp.LoadflowNotConverged:
            nan = np.full(len(self.loads), np.nan)
            return FlowResult(nan, np.nan, np.nan, np.full(len(net.line), np.nan),
                              np.full(len(net.trafo), np.nan), np.nan, np.nan, False)  # fmt: skip
        self.V = net._ppc["internal"]["V"].copy()
        return self._result(self.V, True)

    # --- sensitivities ----------------------------------------------------------------------
    def sensitivities(self, q_per_p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Linear sensitivities at the last solution to active power injected at each load
        bus (with reactive power ``q_per_p`` [Mvar/MW] per MW), from the bus impedance matrix.

        A current dI_j injected at bus j changes the voltages by dV = Z[:, j] dI_j, with
        dI_j = dP_j (1 - j k_j) / conj(V_j); the magnitudes change by Re(dV_i conj(V_i)) /
        |V_i| and a branch current If = Yf V by Re(Yf dV conj(If)) / |If|.

        Returns
        -------
        dvm : (LV buses x load buses) [pu per MW]
        dload : (lines + transformers x load buses), loading [% per MW]
        """
        if self._z_columns is None:
            self._z_columns = self._impedance_columns()
        V = self.V
        di = (1.0 - 1j * q_per_p) / np.conj(V[self.load_bus_ppc]) / self.base_mva
        dV = self._z_columns * di[None, :]  # (buses x load buses)
        vm = np.abs(V)
        dvm = np.real(dV[self.lv_ppc] * np.conj(V[self.lv_ppc])[:, None]) / vm[self.lv_ppc, None]
        rows = np.concatenate([self.line_rows, self.trafo_rows])
        rated_f = np.concatenate([self.line_rated_from, self.trafo_rated_from])
        rated_t = np.concatenate([self.line_rated_to, self.trafo_rated_to])
        i_f, i_t = self.Yf @ V, self.Yt @ V
        from_end = np.abs(i_f[rows]) / rated_f >= np.abs(i_t[rows]) / rated_t
        Y = np.where(from_end[:, None], self.Yf[rows].toarray(), self.Yt[rows].toarray())
        i_end = np.where(from_end, i_f[rows], i_t[rows])
        rated = np.where(from_end, rated_f, rated_t)
        d_i = Y @ dV
        mag = np.maximum(np.abs(i_end), 1e-12)
        dload = np.real(d_i * np.conj(i_end)[:, None]) / mag[:, None] / rated[:, None] * 100.0
        return dvm, dload

    def _impedance_columns(self) -> np.ndarray:
        """Columns of the bus impedance matrix (slack removed) at the load buses."""
        from scipy.sparse.linalg import splu

        n = self.Ybus.shape[0]
        keep = np.setdiff1d(np.arange(n), self.ref)
        y_red = self.Ybus[keep][:, keep].tocsc()
        position = np.searchsorted(keep, self.load_bus_ppc)
        rhs = np.zeros((len(keep), len(self.load_bus_ppc)), dtype=complex)
        rhs[position, np.arange(len(position))] = 1.0
        z = np.zeros((n, len(self.load_bus_ppc)), dtype=complex)
        z[keep] = splu(y_red).solve(rhs)
        return z
