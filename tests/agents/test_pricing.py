"""Pricing strategies: the seed rule's clamps, ZI-C ranges, incentives move prices."""

import numpy as np
import pytest

from agents.pricing import PriceContext, SeedPricing, ZeroIntelligencePricing, make_pricing


@pytest.fixture
def ctx():
    return PriceContext(forecast=0.15, grid_buy=0.18, grid_sell=0.12, trade_cap=3.0)


def test_seed_prices_stay_in_the_spec_bounds(ctx):
    rng = np.random.default_rng(0)
    qty = rng.uniform(0, 3, 10_000)
    s = SeedPricing()
    asks, bids, battery = (
        s.seller_asks(ctx, qty, rng),
        s.buyer_bids(ctx, qty, rng),
        s.battery_asks(ctx, qty, rng),
    )
    assert asks.min() >= 0.12 * 1.01 - 1e-15 and asks.max() <= 0.18 * 0.95 + 1e-15
    assert bids.min() >= 0.12 * 1.05 - 1e-15 and bids.max() <= 0.18 * 0.99 + 1e-15
    assert battery.min() >= 0.12 * 1.03 - 1e-15 and battery.max() <= 0.18 * 0.85 + 1e-15


def test_seed_urgency_raises_asks_and_lowers_bids(ctx):
    s = SeedPricing(seller_noise=(1, 1), buyer_noise=(1, 1))
    rng = np.random.default_rng(0)
    asks = s.seller_asks(ctx, np.array([0.3, 1.5]), rng)
    bids = s.buyer_bids(ctx, np.array([0.3, 1.5]), rng)
    assert asks[1] > asks[0] and bids[1] < bids[0]
    assert asks[0] == pytest.approx(0.12 + 0.1 * 0.06)


def test_incentives_make_asks_lower_and_bids_higher(ctx):
    incentives = PriceContext(**{**ctx.__dict__, "buyer_incentive": 0.03, "seller_incentive": 0.03})
    s = SeedPricing(seller_noise=(1, 1), buyer_noise=(1, 1), battery_noise=(1, 1))
    qty, rng = np.array([1.0]), np.random.default_rng(0)
    for plain, shifted in [
        (s.seller_asks(ctx, qty, rng), s.seller_asks(incentives, qty, rng)),
        (s.battery_asks(ctx, qty, rng), s.battery_asks(incentives, qty, rng)),
    ]:
        assert shifted[0] < plain[0]
    assert s.buyer_bids(incentives, qty, rng)[0] > s.buyer_bids(ctx, qty, rng)[0]


def test_zero_intelligence_is_within_the_no_loss_range(ctx):
    rng = np.random.default_rng(1)
    z = ZeroIntelligencePricing()
    asks, bids = z.seller_asks(ctx, np.ones(5000), rng), z.buyer_bids(ctx, np.ones(5000), rng)
    assert asks.min() >= 0.12 and asks.max() <= 0.18
    assert bids.min() >= 0.12 and bids.max() <= 0.18
    assert asks.std() > 0.01  # really random, not a constant


def test_unknown_strategy_is_named():
    with pytest.raises(ValueError, match="pricing_strategy must be one of"):
        make_pricing("clever")
