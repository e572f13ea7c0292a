"""The low-voltage feeder: AC power flow, placement, distance fees and limits enforced."""

import copy

import numpy as np
import pytest

pp = pytest.importorskip("pandapower")

from community_model import CommunityModel  # noqa: E402
from community_model.errors import ParameterError  # noqa: E402
from community_model.grid.feeders import load_network, prepare_feeder, radial_feeder  # noqa: E402
from community_model.grid.phase import FeederPhase  # noqa: E402
from community_model.grid.placement import place_homes  # noqa: E402
from community_model.grid.power_flow import PowerFlow, lightsim2grid_available  # noqa: E402
from community_model.homes import Homes  # noqa: E402
from community_model.hour import OrderBook  # noqa: E402
from community_model.invariants import run_checked  # noqa: E402
from community_model.parameters import Parameters  # noqa: E402
from community_model.state import ProsumerState  # noqa: E402
from market import Trades  # noqa: E402

QUICK = dict(chain_enabled=False, n_prosumers=12, start_date="2023-06-21", start_hour=8)


def four_bus_feeder():
    """MV slack - transformer - LV busbar (bus 1) - 100 m strong cable - bus 2 - 200 m thin
    cable (NAYY 4x50, 142 A: about 98 kW at 0.4 kV) - bus 3."""
    net = pp.create_empty_network()
    mv = pp.create_bus(net, vn_kv=20.0)
    b1, b2, b3 = (pp.create_bus(net, vn_kv=0.4) for _ in range(3))
    pp.create_ext_grid(net, mv)
    pp.create_transformer(net, mv, b1, std_type="0.4 MVA 20/0.4 kV")
    pp.create_line(net, b1, b2, 0.1, std_type="NAYY 4x150 SE")
    pp.create_line(net, b2, b3, 0.2, std_type="NAYY 4x50 SE")
    pp.create_load(net, b2, p_mw=0.0)
    pp.create_load(net, b3, p_mw=0.0)
    return prepare_feeder(net)


def one_battery_trade(kwh: float):
    """Home 0 (bus 3) sells ``kwh`` of stored energy to home 1 (bus 2), who needs it."""
    homes = Homes(np.zeros(2, int), np.zeros(2), np.zeros(2), np.array([200.0, 0.0]))
    state = ProsumerState(homes)
    state.residual_kwh[:] = [0.0, -kwh]
    book = OrderBook(
        bid_owner=np.array([1]), bid_qty=np.array([kwh]), bid_price=np.array([0.2]),
        bid_to_battery=np.array([False]), ask_owner=np.array([0]), ask_qty=np.array([kwh]),
        ask_price=np.array([0.1]), ask_from_battery=np.array([True]),
    )  # fmt: skip
    trades = Trades(np.array([0]), np.array([0]), np.array([kwh]), np.array([0.15]),
                    np.array([0.15]))  # fmt: skip
    return state, book, trades


def feeder_phase(mode: str, **extra) -> FeederPhase:
    params = Parameters(n_prosumers=2, grid="radial", network_mode=mode, **extra)
    net, buses = four_bus_feeder()
    return FeederPhase(params, net, buses, np.array([buses[1], buses[0]]))


def test_one_p2p_trade_overloads_a_line_and_enforcement_brings_it_within_its_limit():
    state, book, trades = one_battery_trade(150.0)  # 150 kW through the 98 kW cable
    blind = feeder_phase("blind")
    blind.step(state, book, trades, 0, np.array([1, 2]))
    assert blind.figures["grid_overload"] == 1
    assert blind.figures["grid_max_line_loading_pct"] > 140

    state, book, trades = one_battery_trade(150.0)
    aware = feeder_phase("enforce_limits")
    kept = aware.step(state, book, trades, 0, np.array([1, 2]))
    loading = aware.figures["grid_max_line_loading_pct"]
    assert 95.0 < loading <= 100.0  # within its limit, and not reduced far below it
    assert aware.figures["grid_overload"] == 0 and aware.figures["grid_unresolved"] == 0
    assert 80.0 < kept.kwh[0] < 110.0  # the trade was cut, not cancelled
    rows = aware.reductions  # one row per round that cut the trade
    assert all(row[1:4] == (2, 1, "p2p_battery") and row[6] == "loading limit" for row in rows)
    assert rows[0][4] == 150.0 and rows[-1][5] == kept.kwh[0]
    assert all(before[5] == after[4] for before, after in zip(rows, rows[1:], strict=False))


def test_pv_export_that_raises_a_voltage_is_curtailed_into_the_band():
    phase = feeder_phase("enforce_limits")
    phase.v_high = 1.01  # a tight band, so that 40 kW of PV at the far end breaks it
    homes = Homes(np.zeros(2, int), np.zeros(2), np.zeros(2), np.zeros(2))
    state = ProsumerState(homes)
    state.pv_kwh[:] = [40.0, 0.0]
    state.residual_kwh[:] = [40.0, 0.0]
    empty = np.zeros(0)
    book = OrderBook(empty.astype(int), empty, empty, empty.astype(bool), empty.astype(int),
                     empty, empty, empty.astype(bool))  # fmt: skip
    trades = Trades(empty.astype(int), empty.astype(int), empty, empty, empty)
    phase.step(state, book, trades, 0, np.array([1, 2]))
    assert phase.figures["grid_v_max_pu"] <= 1.01 + 1e-9
    assert phase.figures["grid_v_max_pu"] > 1.005
    assert 0 < state.curtailed_kwh[0] < 40
    assert state.pv_kwh[0] == pytest.approx(40 - state.curtailed_kwh[0], abs=1e-12)
    assert state.residual_kwh[0] == state.pv_kwh[0]
    assert phase.reductions[-1][3] == "pv_export"


def test_the_fast_solver_gives_pandapowers_power_flow():
    if not lightsim2grid_available():
        pytest.skip("lightsim2grid is not installed")
    net, buses = prepare_feeder(load_network("kerber_dorfnetz", 1))
    fast, plain = PowerFlow(copy.deepcopy(net), "lightsim2grid"), PowerFlow(net, "pandapower")
    p = np.random.default_rng(3).uniform(-0.012, 0.008, len(buses))  # [MW]
    a, b = fast.solve(p, -0.33 * np.abs(p)), plain.solve(p, -0.33 * np.abs(p))
    np.testing.assert_allclose(a.vm_load_bus, net.res_bus.vm_pu.loc[buses], atol=1e-9)
    np.testing.assert_allclose(a.line_loading, net.res_line.loading_percent, rtol=1e-7)
    np.testing.assert_allclose(a.trafo_loading, net.res_trafo.loading_percent, rtol=1e-7)
    losses = net.res_line.pl_mw.sum() + net.res_trafo.pl_mw.sum()
    assert a.losses_mw == pytest.approx(losses, rel=1e-7)
    assert a.upstream_mw == pytest.approx(net.res_ext_grid.p_mw.sum(), rel=1e-7)
    assert a.vm_min == pytest.approx(b.vm_min, abs=1e-9)


def test_an_unconstrained_feeder_gives_exactly_the_grid_blind_trades():
    off = CommunityModel(**QUICK, rng=5)
    on = CommunityModel(**QUICK, grid="radial", network_mode="enforce_limits", rng=5)
    off.run_for(12)
    run_checked(on, 12)
    assert on.step_frame()["grid_pf_rounds"].max() == 1  # never a violation to enforce
    assert on.trades_frame().equals(off.trades_frame())
    assert on.step_frame()[off.step_frame().columns].equals(off.step_frame())


def test_energy_balances_with_losses_and_curtailment_on_a_weak_feeder():
    weak = dict(grid="radial", grid_line_type="NAYY 4x50 SE", grid_line_length_m=150.0,
                grid_homes_per_bus=3, grid_radial_branches=1, pv_scale=3.0)  # fmt: skip
    blind = CommunityModel(**QUICK, **weak, rng=2)
    run_checked(blind, 8)  # the feeder balance (upstream = net import + losses) every step
    aware = CommunityModel(**QUICK, **weak, network_mode="enforce_limits", rng=2)
    run_checked(aware, 8)
    b, a = blind.step_frame(), aware.step_frame()
    assert b["grid_v_max_pu"].max() > 1.1 and b["grid_losses_kwh"].sum() > 0
    assert a["grid_curtailed_kwh"].sum() > 0
    resolved = a["grid_unresolved"] == 0
    assert (a["grid_v_max_pu"][resolved] <= 1.1 + 1e-9).all()
    assert a["grid_voltage_violation"].sum() < b["grid_voltage_violation"].sum()


def test_distance_fees_grow_with_the_cable_between_the_parties_and_go_to_the_operator():
    evening = {**QUICK, "start_hour": 16}
    m = CommunityModel(**evening, grid="kerber_dorfnetz", network_mode="distance_fees",
                       distance_fee_rate=0.05, rng=4)  # fmt: skip
    run_checked(m, 6)  # trades within bids; payments = receipts + operator's share
    f = m.step_frame()
    assert f["grid_distance_fees_eur"].sum() > 0
    assert f["operator_surplus_eur"].sum() == pytest.approx(f["grid_distance_fees_eur"].sum())
    t = m.trades_frame().query("kind == 'p2p'")
    row = {pid: i for i, pid in enumerate(m.prosumer_ids)}
    feeder = m.feeder
    buyer = feeder.home_load[[row[b] for b in t.buyer_id]]
    seller = feeder.home_load[[row[s] for s in t.seller_id]]
    km = feeder.distance_km[buyer, seller]
    gap = (t.price_eur_per_kwh - t.seller_price_eur_per_kwh).to_numpy()  # seed: one price
    np.testing.assert_allclose(gap, 0.05 * km, atol=1e-12)
    assert km.max() > 0.1
    assert any(r[6].startswith("distance fee above the bid") for r in feeder.reductions)


def test_homes_get_buses_of_their_own_or_share_them_evenly():
    rng = np.random.default_rng(0)
    own = place_homes(3, np.arange(10, 20), rng)
    assert len(set(own)) == 3 and set(own) <= set(range(10, 20))
    shared = place_homes(10, np.array([5, 6, 7]), rng)
    assert sorted(np.bincount(shared - 5).tolist()) == [3, 3, 4]
    a = CommunityModel(**QUICK, grid="kerber_dorfnetz", rng=9).feeder.bus_of_home
    b = CommunityModel(**QUICK, grid="kerber_dorfnetz", rng=9).feeder.bus_of_home
    assert np.array_equal(a, b)


def test_the_radial_feeder_has_the_homes_and_strands_asked_for():
    net = radial_feeder(7, branches=3, line_length_m=25.0)
    assert len(net.load) == 7 and len(net.line) == 7
    assert (net.line.length_km == 0.025).all()
    assert (net.line.from_bus == 1).sum() == 3  # three strands leave the busbar


def test_a_users_json_feeder_is_read(tmp_path):
    net, _ = four_bus_feeder()
    path = tmp_path / "feeder.json"
    pp.to_json(net, str(path))
    m = CommunityModel(**QUICK, grid=str(path), rng=1)
    m.step()
    assert set(m.feeder.bus_of_home) == {2, 3}
    assert np.isfinite(m.state.voltage_pu).all()


def test_a_grid_run_writes_the_voltages_and_the_reductions(tmp_path):
    from community_model.outputs.files import write_outputs

    m = CommunityModel(**QUICK, grid="kerber_landnetz_kabel_1", network_mode="enforce_limits",
                       rng=1)  # fmt: skip
    m.run_for(4)
    written = write_outputs(m, tmp_path)
    energy = (tmp_path / "prosumer_energy.csv").read_text().splitlines()[0].split(",")
    assert {"voltage_pu", "pv_curtailed_kwh"} <= set(energy)
    assert "grid_reductions.csv" in written
    assert "hours_outside_voltage_band" in m.kpis()


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(grid="kerber_nowhere"), "grid must be"),
        (dict(grid="missing.json"), "grid must be"),
        (dict(network_mode="enforce_limits"), "needs a grid"),
        (dict(grid_loss_allocation="kwh_km"), "needs a grid"),
        (dict(grid="radial", grid_loss_allocation="marginal"), "grid_loss_allocation must be"),
        (dict(grid_power_factor=0.0), "grid_power_factor must be"),
    ],
)
def test_bad_feeder_parameters_are_refused(kwargs, message):
    with pytest.raises(ParameterError, match=message):
        Parameters(**kwargs)


# --- losses attributed to trades (grid_loss_allocation='kwh_km') ------------------------------
def test_the_cable_losses_of_one_trade_are_shared_by_kwh_times_km():
    """Home 0 (bus 3, 300 m from the transformer) sells 40 kWh of stored energy to home 1
    (bus 2, 100 m), who needs 60 kWh: 20 kWh come from the grid. Flows: the trade over the
    200 m between them, home 1's import over its 100 m: the trade's share of the cable losses
    is 40 x 0.2 / (40 x 0.2 + 20 x 0.1) = 0.8."""
    state, book, trades = one_battery_trade(40.0)
    state.residual_kwh[:] = [0.0, -60.0]
    phase = feeder_phase("blind", grid_loss_allocation="kwh_km")
    phase.step(state, book, trades, 0, np.array([1, 2]))
    line_losses_kwh = phase.last.line_losses_mw * 1000.0
    assert 0 < line_losses_kwh < phase.figures["grid_losses_kwh"]  # the transformer's are apart
    rows = phase.trade_losses_frame()
    assert len(rows) == 1 and rows.cable_km[0] == pytest.approx(0.2)
    assert rows.loss_kwh[0] == pytest.approx(0.8 * line_losses_kwh, rel=1e-9)
    assert phase.figures["grid_losses_p2p_kwh"] == pytest.approx(rows.loss_kwh[0], rel=1e-12)


def test_line_losses_are_pandapowers_line_losses():
    net, buses = four_bus_feeder()
    flow = PowerFlow(copy.deepcopy(net), "pandapower")
    result = flow.solve(np.array([0.03, -0.05]), np.array([-0.01, -0.016]))
    assert result.line_losses_mw == pytest.approx(flow.net.res_line.pl_mw.sum(), rel=1e-7)
    if lightsim2grid_available():
        fast = PowerFlow(net, "lightsim2grid").solve(np.array([0.03, -0.05]),
                                                    np.array([-0.01, -0.016]))  # fmt: skip
        assert fast.line_losses_mw == pytest.approx(result.line_losses_mw, rel=1e-7)


def test_allocated_losses_add_up_and_are_written(tmp_path):
    from community_model.grid.network_aware import allocate_losses_kwh_km
    from community_model.outputs.files import write_outputs

    rng = np.random.default_rng(0)
    t_kwh, t_km, g_kwh, g_km = (rng.uniform(0, 2, 7), rng.uniform(0, 0.3, 7),
                                rng.normal(0, 3, 5), rng.uniform(0, 0.5, 5))  # fmt: skip
    trade, grid = allocate_losses_kwh_km(0.9, t_kwh, t_km, g_kwh, g_km)
    assert trade.sum() + grid.sum() == pytest.approx(0.9, rel=1e-12)
    assert (trade >= 0).all() and (grid >= 0).all()

    m = CommunityModel(n_prosumers=30, profile_source="standard", start_date="2023-06-01",
                       chain_enabled=False, grid="radial", grid_loss_allocation="kwh_km",
                       rng=1)  # fmt: skip
    run_checked(m, 6)  # the invariants: 0 <= attributed <= the feeder's losses, every step
    per_hour = m.feeder.trade_losses_frame().groupby("hour").loss_kwh.sum()
    steps = m.step_frame().set_index("hour")["grid_losses_p2p_kwh"]
    assert len(per_hour) > 0 and (per_hour > 0).all()
    np.testing.assert_allclose(per_hour, steps.loc[per_hour.index], rtol=1e-12)
    assert "grid_trade_losses.csv" in write_outputs(m, tmp_path)
    written = (tmp_path / "grid_trade_losses.csv").read_text().splitlines()
    assert written[0] == "hour,buyer_id,seller_id,kind,kwh,cable_km,loss_kwh"
    assert len(written) - 1 == m.step_frame()["p2p_trades"].sum()  # one row per P2P trade


# --- the present-day scenario on a feeder --------------------------------------------------
WEAK = dict(grid="radial", grid_radial_branches=2, grid_line_type="NAYY 4x50 SE",
            grid_line_length_m=40.0)  # fmt: skip
PRESENT_DAY = dict(n_prosumers=100, start_date="2023-06-01", start_hour=10, chain_enabled=False)


def present_day(**grid) -> CommunityModel:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return CommunityModel.from_scenario("germany_2024", **PRESENT_DAY, **grid, rng=1)


def test_the_present_day_scenario_on_a_weak_feeder_breaks_the_band_and_enforcement_restores_it():
    """Two homes share each bus, batteries buy to store: enforcement must scale each home's
    storage purchases by its own bus's fraction (a bus-indexed array, not a home-indexed one)."""
    blind = present_day(**WEAK)
    run_checked(blind, 5)
    assert blind.kpis()["hours_outside_voltage_band"] >= 1
    enforced = present_day(**WEAK, network_mode="enforce_limits", grid_loss_allocation="kwh_km")
    run_checked(enforced, 5)  # every invariant, the feeder's energy balance among them
    steps = enforced.step_frame()
    assert (steps["grid_voltage_violation"] <= steps["grid_unresolved"]).all()
    assert (
        enforced.kpis()["hours_outside_voltage_band"] < blind.kpis()["hours_outside_voltage_band"]
    )
    assert enforced.kpis()["curtailed_kwh"] + enforced.kpis()["reduced_p2p_kwh"] > 0


@pytest.mark.parametrize("grid", ["kerber_dorfnetz", "ieee_european_lv"])
def test_the_present_day_scenario_runs_on_the_shipped_feeders(grid):
    model = present_day(grid=grid, network_mode="distance_fees")
    run_checked(model, 3)
    assert model.kpis()["max_voltage_pu"] > 0.9
