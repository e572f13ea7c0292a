"""Bidding strategies per home: a researcher's own strategy, mixes, adaptive ZIP bidders, and
homes that leave the community."""

import numpy as np
import pytest

from agents.bidding import (
    BIDDING_STRATEGIES,
    BiddingStrategy,
    PerHomeBidding,
    ZIPBidding,
    parse_mix,
    register_bidding_strategy,
)
from agents.prosumer import ProsumerAgent
from community_model import CommunityModel, ParameterError
from community_model.invariants import InvariantChecker, run_checked


class Shade(BiddingStrategy):
    """Bid a tenth of the spread below the import price, ask a tenth above the export price."""

    def buyer_bids(self, ctx, qty, rng, homes):
        return np.full(len(qty), ctx.grid_buy - 0.1 * ctx.spread)

    def seller_asks(self, ctx, qty, rng, homes):
        return np.full(len(qty), ctx.grid_sell + 0.1 * ctx.spread)


@pytest.fixture(autouse=True)
def shade_registered():
    """Register the test's own strategy, as a researcher's script would, for each test only
    (the registry is global: other tests, e.g. the README's table, must not see it)."""
    register_bidding_strategy("test_shade")(Shade)
    yield
    BIDDING_STRATEGIES.pop("test_shade")


def test_a_strategy_written_in_a_test_runs_for_the_homes_it_is_given():
    model = CommunityModel(n_prosumers=40, rng=3, pricing_mix="seed:0.5,test_shade:0.5")
    shade_rows = np.flatnonzero(
        [model.bidding.strategy_of(r).name == "test_shade" for r in range(40)]
    )
    assert len(shade_rows) == 20
    frames = []
    for _ in range(24):
        model.step()
        s, ctx_buy, ctx_sell = (
            model.state,
            model.figures["grid_buy_price"],
            model.figures["grid_sell_price"],
        )
        spread = ctx_buy - ctx_sell
        mine = np.zeros(40, bool)
        mine[shade_rows] = True
        sellers = mine & (s.role == 2) & (s.offer_kwh > 0) & (s.battery_offer_kwh == 0)
        buyers = mine & (s.role == 1) & (s.storage_bid_kwh == 0)
        frames.append((s.offer_price[sellers], ctx_sell + 0.1 * spread))
        frames.append((s.offer_price[buyers], ctx_buy - 0.1 * spread))
    priced = [prices for prices, _ in frames if len(prices)]
    assert priced, "the strategy never priced an order"
    for prices, expected in frames:
        np.testing.assert_allclose(prices, expected)


def test_set_bidding_strategy_for_chosen_agents_and_the_agent_attribute():
    model = CommunityModel(n_prosumers=10, rng=1)
    agents = list(model.agents_by_type[ProsumerAgent])
    model.set_bidding_strategy("test_shade", agents[:3])
    assert [a.bidding_strategy.name for a in agents[:4]] == ["test_shade"] * 3 + ["seed"]
    agents[5].bidding_strategy = "zic"
    assert agents[5].bidding_strategy.name == "zic"
    with pytest.raises(ParameterError, match="bidding strategy must be one of"):
        model.set_bidding_strategy("clever", [0])
    run_checked(model, 12)


def test_a_per_home_strategy_in_plain_python():
    class Fixed(PerHomeBidding):
        def bid(self, ctx, qty, rng, home):
            return ctx.grid_buy - 0.01

        def ask(self, ctx, qty, rng, home):
            return ctx.grid_sell + 0.01

    model = CommunityModel(n_prosumers=20, rng=2)
    model.set_bidding_strategy(Fixed(), range(20))
    checker = run_checked(model, 12)
    assert checker.steps_checked == 12
    assert model.kpis()["p2p_kwh"] > 0


@pytest.mark.parametrize(
    ("mix", "message"),
    [
        ("seed:0.5", "sum to 1"),
        ("seed:0.5,clever:0.5", "names one of"),
        ("seed", "NAME:SHARE"),
        ("seed:-1,zic:2", ">= 0"),
    ],
)
def test_a_bad_mix_names_pricing_mix(mix, message):
    with pytest.raises(ValueError, match=message):
        parse_mix(mix)
    with pytest.raises(ParameterError, match="pricing_mix"):
        CommunityModel(n_prosumers=4, pricing_mix=mix)


def test_a_mix_gives_each_strategy_its_share_and_is_seeded():
    mix = {"pricing_mix": "seed:0.5,zic:0.3,zip:0.2", "reproducible_keys": True}
    a = CommunityModel(n_prosumers=101, rng=7, **mix)
    b = CommunityModel(n_prosumers=101, rng=7, **mix)
    names = [a.bidding.strategy_of(r).name for r in range(101)]
    assert {n: names.count(n) for n in set(names)} == {"seed": 51, "zic": 30, "zip": 20}
    np.testing.assert_array_equal(a.bidding.assignment, b.bidding.assignment)
    run_checked(a, 24)
    run_checked(b, 24)
    assert a.kpis() == b.kpis()


def test_zip_bidders_learn_and_the_price_path_converges():
    """Cliff's ZIP: the P2P price (as a share of the hour's grid band) wanders while the
    margins are learnt, then settles: day-to-day and within-day variation shrink."""
    model = CommunityModel(n_prosumers=100, rng=4, pricing_strategy="zip", chain_enabled=False)
    assert isinstance(model.bidding.strategies[0], ZIPBidding)
    margins_before = model.bidding.strategies[0].margin_buy.copy()
    model.run_for(24 * 10)
    steps = model.step_frame()
    band = steps["grid_buy_price"] - steps["grid_sell_price"]
    share = (steps["avg_p2p_price"] - steps["grid_sell_price"]) / band
    day = steps["hour"] // 24
    daily_mean, daily_sd = share.groupby(day).mean(), share.groupby(day).std()
    assert abs(daily_mean[1] - daily_mean[0]) > 0.05  # learning moves the price at first
    assert abs(daily_mean[9] - daily_mean[8]) < 0.02  # and it settles
    assert daily_sd[8:].max() < 0.5 * daily_sd[:2].max()
    assert not np.allclose(model.bidding.strategies[0].margin_buy, margins_before)


def test_zip_prices_stay_in_the_grid_band_and_keep_the_invariants():
    model = CommunityModel(n_prosumers=60, rng=5, pricing_strategy="zip", objective="maximize_p2p")
    run_checked(model, 48)  # includes: every trade within its bid and ask
    trades = model.trades_frame()
    steps = model.step_frame().set_index("hour")
    p2p = trades[trades["kind"] == "p2p"]
    lo = steps.loc[p2p["hour"], "grid_sell_price"].to_numpy()
    hi = steps.loc[p2p["hour"], "grid_buy_price"].to_numpy()
    assert (p2p["price_eur_per_kwh"].to_numpy() >= lo - 1e-12).all()
    assert (p2p["price_eur_per_kwh"].to_numpy() <= hi + 1e-12).all()


def test_a_removed_home_stops_trading_and_the_run_stays_consistent():
    model = CommunityModel(n_prosumers=30, rng=6, flexible_load_share=0.3)
    checker = InvariantChecker(model)  # one checker over the whole run, removal included
    for _ in range(6):
        model.step()
        checker.check()
    before = model.trades_frame()
    busiest = before[["buyer_id", "seller_id"]].stack().value_counts().index
    agent = next(a for a in model.agents_by_type[ProsumerAgent] if a.unique_id in busiest)
    uid, removed_at = agent.unique_id, model.steps
    agent.remove()
    assert agent not in model.agents and not agent.active
    for _ in range(18):
        model.step()
        checker.check()
    assert checker.steps_checked == 24
    trades = model.trades_frame()
    later = trades[trades["hour"] >= removed_at]
    assert not ((later["buyer_id"] == uid) | (later["seller_id"] == uid)).any()
    homes = model.prosumer_frame().xs(uid, level="AgentID")
    assert (homes.loc[homes.index > removed_at, ["pv_kwh", "load_kwh"]] == 0).all().all()


def test_agent_step_says_where_the_behaviour_runs():
    model = CommunityModel(n_prosumers=3, rng=1)
    with pytest.raises(TypeError, match="CommunityModel.step"):
        model.agents_by_type[ProsumerAgent].do("step")


def test_the_built_in_strategies_are_registered():
    assert {"seed", "zic", "zip"} <= set(BIDDING_STRATEGIES)
    with pytest.raises(TypeError, match="BiddingStrategy"):
        register_bidding_strategy("nope")(object)


def test_zip_prices_converge_within_a_run_and_zic_prices_do_not():
    from community_model.experiments.adaptive import learning_curves

    curves = learning_curves(days=7, seeds=range(2))
    zip_first, zip_settled = curves["zip"].iloc[0], curves["zip"].iloc[3:].mean()
    assert zip_settled < 0.8 * zip_first  # ZIP narrows its prices over the first days
    assert zip_settled < 0.5 * curves["zic"].iloc[3:].mean()  # ZI-C keeps drawing afresh
