"""The Mesa side: agents as views, DataCollector frames, hourly behaviour of the phases."""

import numpy as np
import pytest

from agents import ProsumerAgent
from community_model import CommunityModel
from community_model.metrics import STEP_FIGURES, gini
from community_model.state import BUYER, SELLER


@pytest.fixture(scope="module")
def day():
    model = CommunityModel(rng=42)
    model.run_for(24)
    return model


def test_agents_are_views_onto_the_state(day):
    prosumers = day.agents_by_type[ProsumerAgent]
    assert len(prosumers) == 100
    assert sorted(a.unique_id for a in prosumers) == list(range(1, 101))
    for agent in list(prosumers)[:10]:
        assert agent.pv_kwh == day.state.pv_kwh[agent.row]
        assert agent.balance_eur == day.state.balance_eur[agent.row]
        assert agent.has_battery == (day.homes.battery_capacity_kwh[agent.row] > 0)
        assert agent.role in {"buyer", "seller", "idle", "banned"}
    with pytest.raises(AttributeError):
        agent.pv_kwh = 3.0  # read-only view


def test_datacollector_frames(day):
    model_vars = day.datacollector.get_model_vars_dataframe()
    assert len(model_vars) == 25  # the initial state and 24 hours
    assert list(model_vars.columns) == list(STEP_FIGURES)
    frame = day.datacollector.get_agenttype_vars_dataframe(ProsumerAgent)
    assert frame.index.names == ["Step", "AgentID"]
    assert len(frame) == 25 * 100
    hour_12 = frame.xs(13.0, level="Step")
    np.testing.assert_allclose(hour_12["pv_kwh"].sum(), model_vars.loc[13, "pv_kwh"])


def test_pv_follows_the_sun_and_load_the_floor(day):
    frame = day.step_frame().set_index("hour")
    assert (frame.loc[[0, 1, 2, 3, 4, 5, 19, 20, 21, 22, 23], "pv_kwh"] == 0).all()
    assert frame.loc[12, "pv_kwh"] > frame.loc[8, "pv_kwh"] > 0
    load = day.prosumer_frame()["demand_kwh"].xs(5.0, level="Step")
    assert (load >= 0.25).all()
    g = np.asarray(day.params.price_shape)
    ratio = frame["price_forecast"].to_numpy() / (0.15 * g)
    assert ((ratio >= 0.95) & (ratio <= 1.05)).all()


def test_midday_surplus_is_exported_and_evening_deficit_traded(day):
    frame = day.step_frame().set_index("hour")
    assert frame.loc[14, "grid_export_kwh"] > 50 and frame.loc[14, "buyers"] == 0
    assert frame.loc[19, "p2p_kwh"] > 0 and frame.loc[19, "p2p_battery_kwh"] > 0


def test_battery_offers_only_on_a_shortfall():
    model = CommunityModel(n_prosumers=60, rng=8)
    for _ in range(24):
        model.step()
        s = model.state
        bids = s.offer_kwh[s.role == BUYER].sum()
        pv_asks = s.offer_kwh[(s.role == SELLER) & (s.residual_kwh > 0)].sum()
        if s.battery_offer_kwh.sum() > 0:
            assert bids - pv_asks > model.params.imbalance_threshold
            # offers cover no more than the shortfall and at most half the deliverable energy
            assert s.battery_offer_kwh.sum() <= bids - pv_asks + 1e-9


def test_no_pv_community_buys_at_night_prices():
    model = CommunityModel(n_prosumers=20, pv_scale=0.0, battery_share=0.0, rng=2)
    model.run_for(24)
    frame = model.step_frame()
    assert frame["pv_kwh"].sum() == 0
    np.testing.assert_allclose(frame["grid_import_kwh"].sum(), frame["load_kwh"].sum())
    assert frame["p2p_kwh"].sum() == 0


def test_gini():
    assert gini(np.array([1.0, 1.0, 1.0])) == 0
    assert gini(np.array([0.0, 0.0, 0.0, 4.0])) == pytest.approx(0.75)
    assert np.isnan(gini(np.array([-1.0, 1.0])))


def test_kpis_add_up(day):
    k = day.kpis()
    frame = day.step_frame()
    assert k["p2p_kwh"] == pytest.approx(frame["p2p_kwh"].sum())
    traded = k["p2p_kwh"] + k["grid_import_kwh"] + k["grid_export_kwh"]
    assert k["p2p_share"] == pytest.approx(k["p2p_kwh"] / traded)
    # net costs of the prosumers equal minus the change of their balances
    assert k["community_net_cost_eur"] == pytest.approx(-day.state.balance_eur.sum())


def test_fixed_feed_in_tariff_pays_exports_and_sets_asks_floor():
    from community_model.invariants import run_checked

    model = CommunityModel(n_prosumers=30, feed_in_tariff=0.05, rng=3)
    run_checked(model, 24)
    trades = model.trades_frame()
    exports = trades[(trades.kind == "market") & (trades.buyer_id == 0)]
    assert len(exports) > 0 and (exports["price_eur_per_kwh"] == 0.05).all()
    imports = trades[(trades.kind == "market") & (trades.seller_id == 0)]
    frame = model.step_frame()
    assert (frame["grid_sell_price"] == 0.05).all()
    assert len(imports) == 0 or (imports["price_eur_per_kwh"] > 0.05).all()


def test_day_figure_draws_the_run(day):
    from community_model.outputs.plots import day_figure

    fig = day_figure(day)
    assert len(fig.axes) == 3
    assert f"{day.kpis()['blocks_mined']} blocks mined" in fig.get_suptitle()
    flows = fig.axes[0]
    assert max(line.get_ydata().max() for line in flows.get_lines()) == pytest.approx(
        day.step_frame()[["pv_kwh", "load_kwh"]].to_numpy().max()
    )
