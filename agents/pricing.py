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

from market.arrays import clip


@dataclass(frozen=True)
class PriceContext:
    """Prices and incentives prosumers see when they make offers [EUR/kWh]."""

    forecast: float  #: grid price forecast
    grid_buy: float  #: what a prosumer pays the grid per kWh (forecast + fee)
    grid_sell: float  #: what the grid pays a prosumer per kWh (forecast - fee)
    trade_cap: float  #: largest offer [kWh]
    #: what a P2P kWh is worth to a buyer over a grid kWh through the regulator's bonuses and
    #: penalties (a P2P bonus earned, an import penalty avoided)
    buyer_incentive: float = 0.0
    #: the same for a seller (a P2P bonus earned, an export penalty avoided)
    seller_incentive: float = 0.0
    #: what a P2P kWh bought to store in a battery is worth through the regulator's bonuses
    storage_incentive: float = 0.0
    #: share of an incentive a trader passes on in its price (keeping the rest as surplus)
    pass_through: float = 0.5

    @property
    def spread(self) -> float:
        return self.grid_buy - self.grid_sell

    @property
    def band(self) -> tuple[float, float]:
        """(lowest, highest) P2P trade price of the step: [grid_sell, grid_buy] [EUR/kWh].

        No P2P trade is priced outside it: below grid_sell a seller would do better at the
        grid, above grid_buy a buyer would. A degenerate band (a zero fee, or a feed-in
        tariff equal to the import price) is the single price grid_buy.
        """
        return min(self.grid_sell, self.grid_buy), self.grid_buy

    def in_band(self, prices: np.ndarray) -> np.ndarray:
        """``prices`` clipped into :attr:`band` [EUR/kWh] (trade prices after clearing).

        Examples
        --------
        >>> ctx = PriceContext(forecast=0.15, grid_buy=0.2, grid_sell=0.1, trade_cap=3.0)
        >>> ctx.in_band(np.array([0.05, 0.15, 0.30])).tolist()
        [0.1, 0.15, 0.2]
        """
        low, high = self.band
        return clip(prices, low, high)

    def bids_in_range(self, prices: np.ndarray) -> np.ndarray:
        """Bids clipped into what a buyer may be willing to pay [EUR/kWh]:
        [grid_sell, grid_buy + bid shift]. Incentives raise what a buyer is willing to pay
        (:func:`_bid_shift`); the trade price is kept in :attr:`band` all the same."""
        low, high = self.band
        return clip(prices, low, high + _bid_shift(self))

    def asks_in_range(self, prices: np.ndarray) -> np.ndarray:
        """Asks clipped into [grid_sell - ask shift, grid_buy] [EUR/kWh] (as
        :meth:`bids_in_range`, for sellers)."""
        low, high = self.band
        return clip(prices, low - _ask_shift(self), high)


class PricingStrategy(Protocol):
    """Interface of every pricing strategy. Quantities [kWh] in, prices [EUR/kWh] out."""

    def seller_asks(self, ctx: PriceContext, qty: np.ndarray, rng) -> np.ndarray: ...

    def buyer_bids(self, ctx: PriceContext, qty: np.ndarray, rng) -> np.ndarray: ...

    def battery_asks(self, ctx: PriceContext, qty: np.ndarray, rng) -> np.ndarray: ...


def _bid_shift(ctx: PriceContext) -> float:
    """How far incentives raise a buyer's bid [EUR/kWh].

    A buyer who earns a bonus b for a P2P kWh, or avoids a penalty m on an imported one, can
    pay up to b + m more than without them and be no worse off; it passes on
    ``pass_through`` of that in its bid.
    """
    return ctx.pass_through * ctx.buyer_incentive


def _ask_shift(ctx: PriceContext) -> float:
    """How far incentives lower a seller's ask [EUR/kWh] (as :func:`_bid_shift`)."""
    return ctx.pass_through * ctx.seller_incentive


@dataclass(frozen=True)
class SeedPricing:
    """The urgency-based pricing of the system this simulator grew from, the default.

    With urgency u = quantity / cap and spread = grid_buy - grid_sell:

    - seller ask = (grid_sell + u*spread) * U(0.98, 1.05), clamped to
      [grid_sell*1.01, grid_buy*0.95];
    - buyer bid = (grid_buy - 0.5*u*spread) * U(0.97, 1.01), clamped to
      [grid_sell*1.05, grid_buy*0.99];
    - battery ask = ((grid_sell + forecast)/2 + 0.3*u*spread) * U(0.95, 1.00), clamped to
      [grid_sell*1.03, grid_buy*0.85].

    Regulator incentives shift asks down by :func:`_ask_shift` and bids up by
    :func:`_bid_shift`; the clamps' bounds widen by the same amounts. The model then keeps
    asks at or below grid_buy and bids at or above grid_sell
    (:meth:`PriceContext.asks_in_range`): with a zero fee the seed's lower clamp
    grid_sell*1.05 lies above grid_buy.
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
        return self._clamp(raw, ctx, self.seller_bounds, -_ask_shift(ctx))

    def buyer_bids(self, ctx, qty, rng):
        u = qty / ctx.trade_cap
        raw = (ctx.grid_buy - self.buyer_urgency * u * ctx.spread) * rng.uniform(
            *self.buyer_noise, len(qty)
        )
        return self._clamp(raw, ctx, self.buyer_bounds, _bid_shift(ctx))

    def battery_asks(self, ctx, qty, rng):
        u = qty / ctx.trade_cap
        mid = 0.5 * (ctx.grid_sell + ctx.forecast)
        raw = (mid + self.battery_urgency * u * ctx.spread) * rng.uniform(
            *self.battery_noise, len(qty)
        )
        return self._clamp(raw, ctx, self.battery_bounds, -_ask_shift(ctx))

    @staticmethod
    def _clamp(raw, ctx, bounds, shift):
        lo, hi = ctx.grid_sell * bounds[0], ctx.grid_buy * bounds[1]
        if shift < 0:
            lo += shift
        else:
            hi += shift
        return clip(raw + shift, lo, max(lo, hi))


@dataclass(frozen=True)
class ZeroIntelligencePricing:
    """Zero-intelligence-constrained traders (Gode & Sunder, 1993).

    Every order is priced uniformly at random inside the trader's no-loss range: a seller
    never asks below what the grid would pay it (grid_sell), a buyer never bids above what the
    grid would charge it (grid_buy); the other end of each range is the opposite grid price.
    Incentives widen the no-loss range: asks may go :func:`_ask_shift` below grid_sell, bids
    :func:`_bid_shift` above grid_buy (what the trader is willing to accept or pay; the
    trade price stays in the grid band, :attr:`PriceContext.band`). A degenerate band (a
    zero fee) gives the single price grid_buy.

    References
    ----------
    Gode, D. K., & Sunder, S. (1993). Allocative efficiency of markets with zero-intelligence
    traders. Journal of Political Economy, 101(1), 119-137.
    """

    def seller_asks(self, ctx, qty, rng):
        low, high = ctx.band
        return rng.uniform(low - _ask_shift(ctx), high, len(qty))

    def buyer_bids(self, ctx, qty, rng):
        low, high = ctx.band
        return rng.uniform(low, high + _bid_shift(ctx), len(qty))

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
