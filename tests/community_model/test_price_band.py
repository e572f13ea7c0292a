"""Every P2P price within the hour's grid band [export price, import price] (issue 15).

For every pricing strategy x clearing mechanism x regulator objective x fee (0 included) the
invariants, which assert the band, hold after every step; strategies keep their prices in the
band for any context; a feed-in tariff above the import price is refused.
"""

import dataclasses
import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agents.pricing import STRATEGIES, PriceContext
from community_model import CommunityModel
from community_model.errors import ParameterError
from community_model.invariants import InvariantError, run_checked
from community_model.parameters import CLEARING_MECHANISMS, OBJECTIVES, PRICING_STRATEGIES

COMBOS = list(itertools.product(PRICING_STRATEGIES, CLEARING_MECHANISMS, OBJECTIVES, (0.0, 0.03)))


@pytest.mark.parametrize(("strategy", "mechanism", "objective", "fee"), COMBOS)
def test_every_p2p_price_in_the_grid_band(strategy, mechanism, objective, fee):
    model = CommunityModel(
        n_prosumers=16, pricing_strategy=strategy, clearing_mechanism=mechanism,
        objective=objective, local_market_fee=fee, chain_enabled=False, agent_data_every=0,
        p2p_bonus=0.05, rng=3,
    )  # fmt: skip
    run_checked(model, 36)  # raises InvariantError on a price outside the band
    trades = model.trades_frame()
    p2p = trades[trades["kind"] == "p2p"]
    assert len(p2p) > 0
    frame = model.step_frame().set_index("hour")
    high = frame.loc[p2p["hour"], "grid_buy_price"].to_numpy()
    low = np.minimum(frame.loc[p2p["hour"], "grid_sell_price"].to_numpy(), high)
    for column in ("price_eur_per_kwh", "seller_price_eur_per_kwh"):
        prices = p2p[column].to_numpy()
        assert ((prices <= high + 1e-12) & (prices >= low - 1e-12)).all()


@settings(max_examples=200, deadline=None)
@given(
    forecast=st.floats(0.01, 1.0),
    fee=st.floats(0.0, 0.2),
    incentive=st.floats(0.0, 1.0),
    qty=st.floats(0.001, 10.0),
    where=st.floats(0.0, 1.0),
    name=st.sampled_from(sorted(STRATEGIES)),
)
def test_a_price_between_bid_and_ask_clipped_into_the_band_keeps_both(
    forecast, fee, incentive, qty, where, name
):
    """Bids at least grid_sell, asks at most grid_buy: any price a mechanism sets between a
    matched bid and ask, clipped into the band, stays between them and in the band."""
    ctx = PriceContext(
        forecast=forecast, grid_buy=forecast + fee, grid_sell=forecast - fee, trade_cap=3.0,
        buyer_incentive=incentive, seller_incentive=incentive,
    )  # fmt: skip
    strategy, rng, q = STRATEGIES[name](), np.random.default_rng(0), np.full(5, qty)
    bids = ctx.bids_in_range(strategy.buyer_bids(ctx, q, rng))
    asks = np.concatenate([ctx.asks_in_range(strategy.seller_asks(ctx, q, rng)),
                           ctx.asks_in_range(strategy.battery_asks(ctx, q, rng))])  # fmt: skip
    low, high = ctx.band
    assert (bids >= low).all() and (asks <= high).all()
    bid, ask = np.meshgrid(bids, asks)
    matched = bid >= ask
    price = ctx.in_band(ask + where * (bid - ask))[matched]
    assert (price >= low).all() and (price <= high).all()
    assert (price <= bid[matched] + 1e-15).all() and (price >= ask[matched] - 1e-15).all()


def test_invariant_catches_a_price_outside_the_band():
    model = CommunityModel(n_prosumers=20, chain_enabled=False, rng=1)
    checker = run_checked(model, 0)
    model.step()
    log = model.last_trades
    assert (log.kind == 0).any()
    # A band narrower than the step's trades, as if a mechanism had priced outside it.
    top = float(log.price[log.kind == 0].min()) - 0.01
    model.price_context = dataclasses.replace(model.price_context, grid_buy=top, grid_sell=0.0)
    with pytest.raises(InvariantError, match="outside the grid band"):
        checker.check()


def test_feed_in_tariff_above_the_import_price_is_refused():
    with pytest.raises(ParameterError, match="feed_in_tariff must not exceed"):
        CommunityModel(feed_in_tariff=0.12, pricing_strategy="zic")
    CommunityModel(feed_in_tariff=0.08, pricing_strategy="zic", chain_enabled=False).step()


def test_zic_with_a_feed_in_tariff_gives_a_clear_error_on_the_command_line():
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "community_model", "run", "--pricing-strategy", "zic",
         "--feed-in-tariff", "0.12", "--hours", "2", "--prosumers", "3", "--out", "/dev/null"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 2
    assert "feed_in_tariff" in done.stderr and "Traceback" not in done.stderr
