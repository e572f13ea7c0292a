r"""``forecast_arbitrage``: plan the battery over a rolling horizon to lower the home's bill.

Every ``replan`` steps each home solves a linear programme over the next ``H`` steps from its
forecasts (:mod:`agents.storage.forecasts`) and follows the plan until the next re-plan
(receding-horizon control: plan ahead, carry out the start, plan again). All homes of the
policy are solved together as one sparse block-diagonal LP with HiGHS' dual simplex
(``scipy.optimize.linprog(method="highs-ds")``), so a 100-home year costs 365 LPs with
daily re-planning.

Formulation, for one home over steps k = 0 .. H-1 (energies per step [kWh], prices
[EUR/kWh]):

Variables
    :math:`c_k \ge 0` energy into the battery terminals, :math:`d_k \ge 0` energy the
    battery delivers, :math:`m_k \ge 0` grid import, :math:`x_k \ge 0` grid export,
    :math:`s_k` stored energy at the end of step k.
Objective
    .. math:: \min \sum_k \left(b_k m_k - p_k x_k + \epsilon (c_k + d_k)\right) - w\, s_{H-1}

    with :math:`b_k` = forecast + fee (import price) and :math:`p_k` = forecast - fee or the
    feed-in tariff (export price); :math:`\epsilon = 10^{-6}` breaks ties against needless
    cycling; :math:`w = \eta \cdot \mathrm{mean}_k(p_k)` values the energy left at the end
    of the horizon at what it fetches exported at an average hour (a conservative terminal
    value: without one the LP would empty the battery at the horizon's end, with a higher one
    it would fill it from the grid).
Constraints
    energy balance :math:`pv_k - load_k - c_k + d_k + m_k - x_k = 0`;
    battery :math:`s_k = s_{k-1} + \eta c_k - d_k / \eta` with :math:`s_{-1}` the stored
    energy now (efficiency :math:`\eta` on both ways, as in :mod:`agents.battery`);
    SOC bounds :math:`soc_{min} C \le s_k \le soc_{max} C`; power limit
    :math:`c_k, d_k \le P \Delta t`.

:math:`x_k` is substituted by the balance (:math:`x_k \ge 0` becomes
:math:`c_k - d_k - m_k \le pv_k - load_k`), leaving four variables and two rows per home and
step. Charging from the grid pays when a later import price exceeds the earlier one after
both losses (:math:`b_{k'} \eta^2 > b_k`), and exporting stored energy into the peak when
:math:`p_{k'} \eta^2 > b_k`; with no such spread the LP never cycles. The P2P market is not
in the plan (its prices are not known in advance and lie within the grid band): the residual
of a planned step goes to the P2P market and then the grid as every other home's does.
Prices are per kWh; with ``fee_mode = "quantity_scaled"`` the plan uses the per-kWh fee.

Carrying out a plan: at step j after the re-plan the battery charges :math:`c_j` and
discharges :math:`d_j`, clipped to what the SOC bounds and power limit allow now (and netted
to one direction at the same change of stored energy should the plan do both in one step, as
it may when exporting costs money). Forecast
errors do not change the battery's schedule; they change the home's residual and so go to
the market at that step's prices. At a re-plan step, lead 0 is the actual step.

References
----------
Ratnam, E. L., Weller, S. R., Kellett, C. M. (2015). An optimization-based approach to
scheduling residential battery storage with solar PV: assessing customer benefit.
*Renewable Energy* 75, 123-134 (the LP with import/export prices and SOC dynamics).
Hanna, R., Kleissl, J., Nottrott, A., Ferry, M. (2014). Energy dispatch schedule optimization
for demand charge reduction using a photovoltaic-battery storage system with solar
forecasting. *Solar Energy* 103, 269-287 (rolling-horizon dispatch from forecasts).
Huangfu, Q., Hall, J. A. J. (2018). Parallelizing the dual revised simplex method.
*Mathematical Programming Computation* 10, 119-142 (HiGHS).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from agents.battery import BatteryFlows, deliverable_kwh, flows_of, headroom_kwh, self_balance
from agents.storage.base import BatterySpec, StorageInputs, StoragePolicy
from agents.storage.forecasts import make_forecast, steps_per_day

TIE_BREAK = 1e-6  #: cost of a kWh through the battery in the plan [EUR/kWh], breaks ties


class Plan(NamedTuple):
    """A battery schedule per home and step, (homes, steps) arrays [kWh]."""

    charge_kwh: np.ndarray
    discharge_kwh: np.ndarray
    import_kwh: np.ndarray
    export_kwh: np.ndarray
    stored_kwh: np.ndarray  #: at the end of each step
    ok: bool  #: the LP was solved to optimality


_STRUCTURE: dict[tuple[int, int, float], tuple[Any, Any]] = {}


def _structure(n: int, horizon: int, efficiency: float):
    """The block-diagonal constraint matrices (equalities, inequalities), cached."""
    key = (n, horizon, efficiency)
    if key not in _STRUCTURE:
        import scipy.sparse as sp

        eye = sp.identity(horizon, format="csr")
        zero = sp.csr_matrix((horizon, horizon))
        difference = eye - sp.eye(horizon, k=-1, format="csr")  # s_k - s_{k-1}
        battery_rows = sp.hstack([-efficiency * eye, eye / efficiency, zero, difference])
        export_rows = sp.hstack([eye, -eye, -eye, zero])  # c - d - m <= pv - load
        if len(_STRUCTURE) > 16:
            _STRUCTURE.clear()
        _STRUCTURE[key] = (
            sp.block_diag([battery_rows] * n, format="csr"),
            sp.block_diag([export_rows] * n, format="csr"),
        )
    return _STRUCTURE[key]


def plan_storage(
    pv_kwh: np.ndarray,
    load_kwh: np.ndarray,
    grid_buy: np.ndarray,
    grid_sell: np.ndarray,
    stored_kwh: np.ndarray,
    capacity_kwh: np.ndarray,
    battery: BatterySpec,
) -> Plan:
    """Solve the storage LP of the module docstring for every home at once.

    With prices 0 <= grid_sell <= grid_buy (every tariff of the model) the LP is solved in its
    compact form (:func:`_plan_pieces`: one row per home and step); otherwise in the
    variables of the module docstring (:func:`_plan_flows`). Both give the same optimum.

    Parameters
    ----------
    pv_kwh, load_kwh : array (homes, steps)
        Forecast PV and load [kWh].
    grid_buy, grid_sell : array (steps,) or (homes, steps)
        Import and export prices [EUR/kWh].
    stored_kwh : array (homes,)
        Stored energy now [kWh].
    capacity_kwh : array (homes,)
        Battery capacity [kWh] (0: the battery never moves).
    battery : BatterySpec
        SOC bounds [-], efficiency [-], power limit per step [kWh].

    Returns
    -------
    Plan
        The optimal schedule; if HiGHS fails, the greedy rule on the forecast (``ok`` False).

    Examples
    --------
    A cheap and an expensive hour, an empty 10 kWh battery, 2 kWh of load in the second hour:
    it buys 2 / 0.95**2 kWh in the first hour to deliver 2 kWh in the second (exporting more
    would not pay: 0.10 * 0.95**2 < 0.10).

    >>> spec = BatterySpec(soc_min=0.0, soc_max=1.0, efficiency=0.95, power_limit_kwh=None)
    >>> plan = plan_storage(np.array([[0.0, 0.0]]), np.array([[0.0, 2.0]]),
    ...                     np.array([0.10, 0.30]), np.array([0.05, 0.10]),
    ...                     np.array([0.0]), np.array([10.0]), spec)
    >>> np.round(plan.charge_kwh, 4).tolist(), np.round(plan.discharge_kwh, 4).tolist()
    ([[2.2161, 0.0]], [[0.0, 2.0]])
    """
    buy, sell = np.asarray(grid_buy, dtype=float), np.asarray(grid_sell, dtype=float)
    if np.all(sell >= 0) and np.all(buy >= sell):
        return _plan_pieces(pv_kwh, load_kwh, buy, sell, stored_kwh, capacity_kwh, battery)
    return _plan_flows(pv_kwh, load_kwh, buy, sell, stored_kwh, capacity_kwh, battery)


_PIECES: dict[tuple[int, int], Any] = {}


def _plan_pieces(pv_kwh, load_kwh, grid_buy, grid_sell, stored_kwh, capacity_kwh, battery):
    r"""The same LP, written in the change of stored energy :math:`y_k = s_k - s_{k-1}`.

    Given :math:`y_k`, the cheapest flows are fixed, and the step's cost is a convex
    piecewise-linear function of :math:`y_k` when :math:`0 \le p_k \le b_k`. Its pieces, per
    kWh of :math:`y`: charging from the home's own surplus (up to :math:`\eta\,surplus_k`)
    costs the export it forgoes, :math:`p_k / \eta`; charging beyond it imports,
    :math:`b_k / \eta`; discharging into the home's deficit (up to :math:`deficit_k / \eta`)
    saves an import, :math:`-\eta b_k`; discharging beyond it exports, :math:`-\eta p_k`.
    One bounded variable per piece (widths clipped to the power limit and the SOC range) and
    :math:`s_k`, one equality row per home and step: half the rows of the flow form, and
    every variable boxed, so the dual simplex needs no phase 1. Convexity (the slopes rise in
    this order) makes the LP fill the pieces in order, so the optimum is the flow form's.
    """
    from scipy.optimize import linprog

    n, horizon = pv_kwh.shape
    eta = battery.efficiency
    buy = np.broadcast_to(grid_buy, (n, horizon))
    sell = np.broadcast_to(grid_sell, (n, horizon))
    limit = np.inf if battery.power_limit_kwh is None else battery.power_limit_kwh
    limit = np.reshape(limit, (-1, 1)) if np.ndim(limit) else limit  # per home: a column
    low = np.minimum(battery.soc_min * capacity_kwh, stored_kwh)
    high = np.maximum(battery.soc_max * capacity_kwh, stored_kwh)
    span = (high - low)[:, None]
    most_rise = np.minimum(span, eta * limit)  # stored energy can rise by this in a step
    most_fall = np.minimum(span, limit / eta)
    net = pv_kwh - load_kwh
    from_surplus = np.minimum(eta * np.maximum(net, 0.0), most_rise)
    into_deficit = np.minimum(np.maximum(-net, 0.0) / eta, most_fall)

    cost = np.zeros((n, 5, horizon))
    cost[:, 0] = sell / eta + TIE_BREAK
    cost[:, 1] = buy / eta + TIE_BREAK
    cost[:, 2] = -eta * buy + TIE_BREAK
    cost[:, 3] = -eta * sell + TIE_BREAK
    cost[:, 4, -1] = -eta * sell.mean(axis=1)
    bounds = np.zeros((n, 5, horizon, 2))
    bounds[:, 0, :, 1] = from_surplus
    bounds[:, 1, :, 1] = most_rise - from_surplus
    bounds[:, 2, :, 1] = into_deficit
    bounds[:, 3, :, 1] = most_fall - into_deficit
    bounds[:, 4, :, 0] = low[:, None]
    bounds[:, 4, :, 1] = high[:, None]
    b_eq = np.zeros((n, horizon))
    b_eq[:, 0] = stored_kwh
    key = (n, horizon)
    if key not in _PIECES:
        import scipy.sparse as sp

        eye = sp.identity(horizon, format="csr")
        difference = eye - sp.eye(horizon, k=-1, format="csr")
        block = sp.hstack([-eye, -eye, eye, eye, difference])  # s_k - s_{k-1} = rise - fall
        if len(_PIECES) > 16:
            _PIECES.clear()
        _PIECES[key] = sp.block_diag([block] * n, format="csr")
    result = linprog(
        cost.reshape(-1),
        A_eq=_PIECES[key],
        b_eq=b_eq.reshape(-1),
        bounds=bounds.reshape(-1, 2),
        method="highs-ds",  # HiGHS' dual simplex; on these LPs presolve and steepest-edge
        options={"presolve": False, "simplex_dual_edge_weight_strategy": "dantzig"},  # cost
    )
    if result.status != 0:
        return _greedy_plan(pv_kwh, load_kwh, stored_kwh, capacity_kwh, battery)
    x = np.maximum(result.x.reshape(n, 5, horizon), 0.0)
    charge = (x[:, 0] + x[:, 1]) / eta
    discharge = (x[:, 2] + x[:, 3]) * eta
    residual = net - charge + discharge
    return Plan(
        charge, discharge, np.maximum(-residual, 0.0), np.maximum(residual, 0.0), x[:, 4], True
    )


def _plan_flows(
    pv_kwh: np.ndarray,
    load_kwh: np.ndarray,
    grid_buy: np.ndarray,
    grid_sell: np.ndarray,
    stored_kwh: np.ndarray,
    capacity_kwh: np.ndarray,
    battery: BatterySpec,
) -> Plan:
    """The LP in the variables of the module docstring (any prices).

    Parameters
    ----------
    pv_kwh, load_kwh : array (homes, steps)
        Forecast PV and load [kWh].
    grid_buy, grid_sell : array (steps,) or (homes, steps)
        Import and export prices [EUR/kWh].
    stored_kwh : array (homes,)
        Stored energy now [kWh].
    capacity_kwh : array (homes,)
        Battery capacity [kWh] (0: the battery never moves).
    battery : BatterySpec
        SOC bounds [-], efficiency [-], power limit per step [kWh].

    Returns
    -------
    Plan
        The optimal schedule; if HiGHS fails, the greedy rule on the forecast (``ok`` False).

    """
    from scipy.optimize import linprog

    n, horizon = pv_kwh.shape
    eta = battery.efficiency
    buy = np.broadcast_to(np.asarray(grid_buy, dtype=float), (n, horizon))
    sell = np.broadcast_to(np.asarray(grid_sell, dtype=float), (n, horizon))
    cost = np.zeros((n, 4, horizon))
    cost[:, 0] = sell + TIE_BREAK
    cost[:, 1] = -sell + TIE_BREAK
    cost[:, 2] = buy - sell
    cost[:, 3, -1] = -eta * sell.mean(axis=1)

    # Every variable boxed (a dual-feasible start for the dual simplex, no phase 1): a step
    # cannot charge more than the whole usable range, nor import more than its load plus that.
    limit = np.inf if battery.power_limit_kwh is None else battery.power_limit_kwh
    low = np.minimum(battery.soc_min * capacity_kwh, stored_kwh)
    high = np.maximum(battery.soc_max * capacity_kwh, stored_kwh)
    most_charge = np.minimum((high - low) / eta, limit)
    bounds = np.zeros((n, 4, horizon, 2))
    bounds[:, 0, :, 1] = most_charge[:, None]
    bounds[:, 1, :, 1] = np.minimum((high - low) * eta, limit)[:, None]
    bounds[:, 2, :, 1] = np.maximum(load_kwh - pv_kwh, 0.0) + most_charge[:, None]
    bounds[:, 3, :, 0] = low[:, None]
    bounds[:, 3, :, 1] = high[:, None]
    b_eq = np.zeros((n, horizon))
    b_eq[:, 0] = stored_kwh
    a_eq, a_ub = _structure(n, horizon, eta)
    net = pv_kwh - load_kwh
    result = linprog(
        cost.reshape(-1),
        A_ub=a_ub,
        b_ub=net.reshape(-1),
        A_eq=a_eq,
        b_eq=b_eq.reshape(-1),
        bounds=bounds.reshape(-1, 2),
        method="highs-ds",  # HiGHS' dual simplex; on these LPs presolve and steepest-edge
        options={"presolve": False, "simplex_dual_edge_weight_strategy": "dantzig"},  # cost
    )
    if result.status != 0:
        return _greedy_plan(pv_kwh, load_kwh, stored_kwh, capacity_kwh, battery)
    x = np.maximum(result.x.reshape(n, 4, horizon), 0.0)
    charge, discharge, imported, stored = x[:, 0], x[:, 1], x[:, 2], x[:, 3]
    exported = np.maximum(net - charge + discharge + imported, 0.0)
    return Plan(charge, discharge, imported, exported, stored, True)


def _greedy_plan(pv_kwh, load_kwh, stored_kwh, capacity_kwh, battery: BatterySpec) -> Plan:
    """The greedy rule carried through the forecast: the fallback should HiGHS fail."""
    n, horizon = pv_kwh.shape
    out = np.zeros((5, n, horizon))
    stored = stored_kwh.copy()
    for k in range(horizon):
        net = pv_kwh[:, k] - load_kwh[:, k]
        flows = self_balance(
            net, stored, capacity_kwh, soc_min=battery.soc_min, soc_max=battery.soc_max,
            efficiency=battery.efficiency, power_limit_kwh=battery.power_limit_kwh,
        )  # fmt: skip
        residual = net - flows.charge_kwh + flows.discharge_kwh
        stored = flows.stored_kwh
        out[:, :, k] = (
            flows.charge_kwh, flows.discharge_kwh, np.maximum(-residual, 0.0),
            np.maximum(residual, 0.0), stored,
        )  # fmt: skip
    return Plan(*out, False)


class ForecastArbitragePolicy(StoragePolicy):
    """Rolling-horizon LP scheduling of each home's battery (see the module docstring).

    Parameters
    ----------
    horizon_hours : float
        Planning horizon [h] (``arbitrage_horizon_hours``).
    replan_hours : float
        Hours between re-plans [h] (``arbitrage_replan_hours``); at most the horizon.
    forecast_kind : str
        ``perfect``, ``naive`` or ``noisy`` (:mod:`agents.storage.forecasts`).
    forecast_error : float
        Relative standard deviation of the ``noisy`` forecast [-].
    """

    name = "forecast_arbitrage"

    def __init__(
        self,
        horizon_hours: float = 24,
        replan_hours: float = 24,
        forecast_kind: str = "perfect",
        forecast_error: float = 0.1,
    ):
        self.horizon_hours, self.replan_hours = horizon_hours, replan_hours
        self.forecast_kind, self.forecast_error = forecast_kind, forecast_error
        self.records: list[dict] = []
        self.lp_failures = 0

    @classmethod
    def from_parameters(cls, params) -> ForecastArbitragePolicy:
        return cls(
            params.arbitrage_horizon_hours,
            params.arbitrage_replan_hours,
            params.forecast_kind,
            params.forecast_error,
        )

    def setup(self, battery, tariff, step_hours, source, rng) -> None:
        super().setup(battery, tariff, step_hours, source, rng)
        self.horizon = max(1, int(round(self.horizon_hours / step_hours)))
        self.replan = min(self.horizon, max(1, int(round(self.replan_hours / step_hours))))
        self.forecast = make_forecast(
            self.forecast_kind, source, self.forecast_error, steps_per_day(step_hours), rng
        )
        self._plan: Plan | None = None
        self._plan_rows: np.ndarray | None = None
        self._plan_step = 0
        self._plan_horizon: tuple | None = None

    def decide(self, inputs: StorageInputs) -> BatteryFlows:
        self.forecast.observe(inputs)
        lead = inputs.step - self._plan_step
        stale = self._plan is None or lead >= self.replan or lead < 0
        if stale or not np.array_equal(self._plan_rows, inputs.rows):
            self._make_plan(inputs)
            lead = 0
        plan, b = self._plan, self.battery_of(inputs)
        cap, stored = inputs.capacity_kwh, inputs.stored_kwh
        limit = np.inf if b.power_limit_kwh is None else b.power_limit_kwh
        charge = np.clip(
            plan.charge_kwh[:, lead], 0.0,
            np.minimum(headroom_kwh(stored, cap, b.soc_max) / b.efficiency, limit),
        )  # fmt: skip
        discharge = np.clip(
            plan.discharge_kwh[:, lead], 0.0,
            np.minimum(deliverable_kwh(stored, cap, b.soc_min, b.efficiency), limit),
        )  # fmt: skip
        # When exporting costs money (a fee above the price forecast: a negative export
        # price) the plan may charge and discharge in one step, burning the surplus as
        # losses. One battery does one or the other in a step: net the two at the same
        # change of stored energy (never more than either planned flow), and the home
        # exports the rest.
        both = (charge > 0) & (discharge > 0)
        if both.any():
            rise = charge * b.efficiency - discharge / b.efficiency  # stored change [kWh]
            charge = np.where(both, np.maximum(rise, 0.0) / b.efficiency, charge)
            discharge = np.where(both, np.maximum(-rise, 0.0) * b.efficiency, discharge)
        flows = flows_of(charge, discharge, stored, b.efficiency)
        pv, load, price = self._plan_horizon
        self.records.append(
            {
                "step": inputs.step,
                "rows": inputs.rows,
                "lead": lead,
                "planned_charge_kwh": plan.charge_kwh[:, lead].copy(),
                "planned_discharge_kwh": plan.discharge_kwh[:, lead].copy(),
                "grid_charge_kwh": np.maximum(
                    charge - np.maximum(inputs.pv_kwh - inputs.load_kwh, 0.0), 0.0
                ),
                "forecast_pv_kwh": pv[:, lead].copy(),
                "forecast_load_kwh": load[:, lead].copy(),
                "forecast_price": np.full(len(inputs.rows), price[lead]),
                "plan_solved": np.full(len(inputs.rows), plan.ok),
            }
        )
        return flows

    def _make_plan(self, inputs: StorageInputs) -> None:
        horizon = self.forecast.horizon(inputs, self.horizon)
        plan = plan_storage(
            horizon.pv_kwh,
            horizon.load_kwh,
            self.tariff.buy(horizon.price_forecast),
            self.tariff.sell(horizon.price_forecast),
            inputs.stored_kwh,
            inputs.capacity_kwh,
            self.battery_of(inputs),
        )
        self.lp_failures += not plan.ok
        self._plan, self._plan_rows, self._plan_step = plan, inputs.rows.copy(), inputs.step
        self._plan_horizon = horizon

    def log(self) -> list[dict]:
        return self.records
