"""Pricing strategies: how prosumers price their P2P offers.

A strategy turns quantities into prices given the :class:`PriceContext` of the step. It sees
the regulator's current incentives, so that a P2P bonus or a market penalty changes what a
rational prosumer asks or bids. Strategies draw randomness only from the ``rng`` they are given,
one vectorised draw per call.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np


@dataclass(frozen=True)
class PriceContext:
    """Prices and incentives prosumers see when they make offers [EUR/kWh]."""

    forecast: float  #: grid price forecast
    grid_buy: float  #: what a prosumer pays the grid per kWh (forecast + fee)
    grid_sell: float  #: what the grid pays a prosumer per kWh (forecast - fee)
    trade_cap: float  #: largest offer [kWh]
    p2p_bonus: float = 0.0  #: regulator's bonus per P2P kWh, to buyer and seller
    market_penalty: float = 0.0  #: regulator's penalty per grid kWh

    @property
    def spread(self) -> float:
        return self.grid_buy - self.grid_sell


class PricingStrategy(Protocol):
    """Interface of every pricing strategy. Quantities [kWh] in, prices [EUR/kWh] out."""

    def seller_asks(self, ctx: PriceContext, qty: np.ndarray, rng) -> np.ndarray: ...

    def buyer_bids(self, ctx: PriceContext, qty: np.ndarray, rng) -> np.ndarray: ...

    def battery_asks(self, ctx: PriceContext, qty: np.ndarray, rng) -> np.ndarray: ...


def _incentive_shift(ctx: PriceContext) -> float:
    """How far incentives move a rational trader's limit price toward the other side.

    A P2P bonus b paid to each side per kWh lets a seller accept b less and a buyer pay b more.
    A market penalty m on grid kWh makes the grid alternative dearer for both by m, which moves
    each side's reservation the same way. Half of it is passed on in the price (the other
    half is kept as surplus), so ask - shift and bid + shift.
    """
    return 0.5 * (ctx.p2p_bonus + ctx.market_penalty)


@dataclass(frozen=True)
class SeedPricing:
    """The original system's urgency-based pricing (SPEC section 5), the default.

    With urgency u = quantity / cap and spread = grid_buy - grid_sell:

    - seller ask = (grid_sell + u*spread) * U(0.98, 1.05), clamped to
      [grid_sell*1.01, grid_buy*0.95];
    - buyer bid = (grid_buy - 0.5*u*spread) * U(0.97, 1.01), clamped to
      [grid_sell*1.05, grid_buy*0.99];
    - battery ask = ((grid_sell + forecast)/2 + 0.3*u*spread) * U(0.95, 1.00), clamped to
      [grid_sell*1.03, grid_buy*0.85].

    Regulator incentives shift asks down and bids up by :func:`_incentive_shift` before the
    clamps, whose bounds widen by the same amount.
    """

    seller_noise: tuple[float, float] = (0.98, 1.05)
    seller_bounds: tuple[float, float] = (1.01, 0.95)
    buyer_urgency: float = 0.5
    buyer_noise: tuple[float, float] = (0.97, 1.01)
    buyer_bounds: tuple[float, float] = (1.05, 0.99)
    battery_urgency: float = 0.3
    battery_noise: tuple[float, float] = (0.95, 1.00)
    battery_bounds: tuple[float, float] = (1.03, 0.85)

    def seller_asks(self, ctx, qty, rng):
        u = qty / ctx.trade_cap
        raw = (ctx.grid_sell + u * ctx.spread) * rng.uniform(*self.seller_noise, len(qty))
        return self._clamp(raw, ctx, self.seller_bounds, -_incentive_shift(ctx))

    def buyer_bids(self, ctx, qty, rng):
        u = qty / ctx.trade_cap
        raw = (ctx.grid_buy - self.buyer_urgency * u * ctx.spread) * rng.uniform(
            *self.buyer_noise, len(qty)
        )
        return self._clamp(raw, ctx, self.buyer_bounds, _incentive_shift(ctx))

    def battery_asks(self, ctx, qty, rng):
        u = qty / ctx.trade_cap
        mid = 0.5 * (ctx.grid_sell + ctx.forecast)
        raw = (mid + self.battery_urgency * u * ctx.spread) * rng.uniform(
            *self.battery_noise, len(qty)
        )
        return self._clamp(raw, ctx, self.battery_bounds, -_incentive_shift(ctx))

    @staticmethod
    def _clamp(raw, ctx, bounds, shift):
        lo, hi = ctx.grid_sell * bounds[0], ctx.grid_buy * bounds[1]
        if shift < 0:
            lo += shift
        else:
            hi += shift
        return np.clip(raw + shift, lo, max(lo, hi))


@dataclass(frozen=True)
class ZeroIntelligencePricing:
    """Zero-intelligence-constrained traders (Gode & Sunder, 1993).

    Every order is priced uniformly at random inside the trader's no-loss range: a seller
    never asks below what the grid would pay it (grid_sell), a buyer never bids above what the
    grid would charge it (grid_buy); the other end of each range is the opposite grid price.
    Incentives widen the no-loss range by :func:`_incentive_shift` on each side.

    References
    ----------
    Gode, D. K., & Sunder, S. (1993). Allocative efficiency of markets with zero-intelligence
    traders. Journal of Political Economy, 101(1), 119-137.
    """

    def seller_asks(self, ctx, qty, rng):
        return rng.uniform(ctx.grid_sell - _incentive_shift(ctx), ctx.grid_buy, len(qty))

    def buyer_bids(self, ctx, qty, rng):
        return rng.uniform(ctx.grid_sell, ctx.grid_buy + _incentive_shift(ctx), len(qty))

    def battery_asks(self, ctx, qty, rng):
        return self.seller_asks(ctx, qty, rng)


STRATEGIES: dict[str, type] = {"seed": SeedPricing, "zic": ZeroIntelligencePricing}


def make_pricing(name: str) -> PricingStrategy:
    """The pricing strategy registered under ``name`` (see ``STRATEGIES``)."""
    try:
        return STRATEGIES[name]()
    except KeyError:
        raise ValueError(
            f"pricing_strategy must be one of {sorted(STRATEGIES)}, got {name!r}"
        ) from None
