"""Bidding strategies chosen per prosumer: the registry, the population and adaptive bidders.

A *bidding strategy* turns the quantities its homes offer into prices [EUR/kWh]. Each prosumer
has one (``ProsumerAgent.bidding_strategy``); homes that share a strategy are priced by one
vectorised call, so a community of a few strategies costs about what one costs.

Writing a strategy of your own::

    from agents.bidding import BiddingStrategy, register_bidding_strategy

    @register_bidding_strategy("shade")
    class Shade(BiddingStrategy):
        '''Bid 10 % of the spread below the import price, ask 10 % above the export price.'''

        def buyer_bids(self, ctx, qty, rng, homes):
            return np.full(len(qty), ctx.grid_buy - 0.1 * ctx.spread)

        def seller_asks(self, ctx, qty, rng, homes):
            return np.full(len(qty), ctx.grid_sell + 0.1 * ctx.spread)

    model = CommunityModel(pricing_mix="seed:0.5,shade:0.5", rng=1)   # half the homes each
    model.set_bidding_strategy("shade", model.prosumers[:10])         # or chosen homes

Registered names are valid values of ``pricing_strategy`` and ``pricing_mix`` everywhere:
the model, ``batch_run``, sweeps (register it in the script that starts the sweep; worker
processes forked from it inherit the registry) and the app. ``homes`` are the rows of the
homes whose orders are being priced (``model.state`` rows), for strategies that keep state
per home. A strategy that prefers to think one home at a time subclasses
:class:`PerHomeBidding` instead (plain Python, slower: about a microsecond per order).

After each clearing the model calls every strategy's :meth:`BiddingStrategy.observe` with
the :class:`MarketOutcome` of its homes' orders: adaptive strategies learn from it
(:class:`ZIPBidding`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from agents.pricing import PriceContext, SeedPricing, ZeroIntelligencePricing


@dataclass(frozen=True)
class MarketOutcome:
    """What one strategy's orders did in one step's P2P market.

    Attributes
    ----------
    ctx : PriceContext
        The step's grid prices and incentives.
    bid_homes, ask_homes : array of int
        Rows of the homes whose bids (asks) this strategy priced.
    bid_price, ask_price : array of float
        Their prices [EUR/kWh].
    bid_qty, ask_qty : array of float
        Quantities offered [kWh].
    bought_kwh, sold_kwh : array of float
        Of which traded P2P [kWh].
    mean_price : float
        kWh-weighted mean price of all P2P trades of the step [EUR/kWh], NaN without trades.
    """

    ctx: PriceContext
    bid_homes: np.ndarray
    bid_price: np.ndarray
    bid_qty: np.ndarray
    bought_kwh: np.ndarray
    ask_homes: np.ndarray
    ask_price: np.ndarray
    ask_qty: np.ndarray
    sold_kwh: np.ndarray
    mean_price: float


class BiddingStrategy:
    """Base class of every bidding strategy. Quantities [kWh] in, prices [EUR/kWh] out.

    Subclasses implement :meth:`buyer_bids` and :meth:`seller_asks`; :meth:`battery_asks`
    (stored energy offered on a shortfall) defaults to :meth:`seller_asks`. Every method
    gets the step's :class:`~agents.pricing.PriceContext`, the quantities, the model's
    generator (draw randomness only from it: same seed, same run) and the home rows.
    One instance serves all the homes that use the strategy in one model.
    """

    #: the registered name (set by :func:`register_bidding_strategy`)
    name: str = ""

    def setup(self, n_homes: int, rng: np.random.Generator) -> None:  # noqa: B027
        """Called once when the model is built, with the community's size (state per home)."""

    def buyer_bids(self, ctx: PriceContext, qty, rng, homes) -> np.ndarray:
        raise NotImplementedError

    def seller_asks(self, ctx: PriceContext, qty, rng, homes) -> np.ndarray:
        raise NotImplementedError

    def battery_asks(self, ctx: PriceContext, qty, rng, homes) -> np.ndarray:
        return self.seller_asks(ctx, qty, rng, homes)

    def observe(self, outcome: MarketOutcome) -> None:  # noqa: B027
        """Learn from the step's market (default: nothing)."""


class PerHomeBidding(BiddingStrategy):
    """A strategy written one home at a time: implement :meth:`bid` and :meth:`ask`.

    Slower than a vectorised strategy (a Python call per order), so meant for prototypes and
    teaching; the built-in strategies are vectorised.
    """

    def bid(self, ctx: PriceContext, qty: float, rng, home: int) -> float:
        raise NotImplementedError

    def ask(self, ctx: PriceContext, qty: float, rng, home: int) -> float:
        raise NotImplementedError

    def buyer_bids(self, ctx, qty, rng, homes):
        return np.array(
            [self.bid(ctx, float(q), rng, int(h)) for q, h in zip(qty, homes, strict=True)]
        )

    def seller_asks(self, ctx, qty, rng, homes):
        return np.array(
            [self.ask(ctx, float(q), rng, int(h)) for q, h in zip(qty, homes, strict=True)]
        )


class _Wrapped(BiddingStrategy):
    """A strategy of :mod:`agents.pricing` (no per-home state) as a :class:`BiddingStrategy`."""

    rule: object = None

    def buyer_bids(self, ctx, qty, rng, homes):
        return self.rule.buyer_bids(ctx, qty, rng)

    def seller_asks(self, ctx, qty, rng, homes):
        return self.rule.seller_asks(ctx, qty, rng)

    def battery_asks(self, ctx, qty, rng, homes):
        return self.rule.battery_asks(ctx, qty, rng)


class SeedBidding(_Wrapped):
    """The original system's urgency rule (:class:`agents.pricing.SeedPricing`)."""

    rule = SeedPricing()


class ZICBidding(_Wrapped):
    """Zero-intelligence-constrained traders (:class:`agents.pricing.ZeroIntelligencePricing`;
    Gode & Sunder 1993)."""

    rule = ZeroIntelligencePricing()


class ZIPBidding(BiddingStrategy):
    """Zero-intelligence-plus traders that learn their margins from the market (Cliff 1997).

    Each home keeps a profit margin per side, as a fraction of the hour's spread (the grid
    band moves every hour, so margins are learnt relative to it): a seller asks
    ``limit_s + m_s * spread``, a buyer bids ``limit_b - m_b * spread``, where the limit
    prices are the trader's valuations, the export price less its P2P incentive and the
    import price plus its incentive, and every price is kept inside the hour's band
    [grid_sell, grid_buy]. After each market, each home with an order moves its price toward
    a target with the Widrow-Hoff rule and momentum (Cliff's equations 10-15):

    - target tau = R * q + A, with q the step's mean P2P price; a trader that traded raises
      its margin (seller: R ~ U(1, 1 + r), A ~ U(0, a); buyer: R ~ U(1 - r, 1), A ~ U(-a, 0)),
      one that did not lowers it (the opposite draws);
    - Delta = beta * (tau - p); Gamma <- gamma * Gamma + (1 - gamma) * Delta; p <- p + Gamma;
      the new margin is p's distance from the limit over the spread, kept in [0, 1].

    Without trades in a step, q is the band's midpoint. Learning rates beta ~ U(0.1, 0.5)
    and momenta gamma ~ U(0, 0.1) per home, initial margins ~ U(0.05, 0.35), as in Cliff's
    experiments. Randomness comes from the model's generator.

    References
    ----------
    D. Cliff, "Minimal-intelligence agents for bargaining behaviours in market-based
    environments", HP Laboratories Technical Report HPL-97-91, 1997.
    """

    r: float = 0.05  #: relative perturbation of the target
    a: float = 0.002  #: absolute perturbation of the target [EUR/kWh]

    def setup(self, n_homes, rng):
        self.beta = rng.uniform(0.1, 0.5, n_homes)
        self.gamma = rng.uniform(0.0, 0.1, n_homes)
        self.margin_buy = rng.uniform(0.05, 0.35, n_homes)
        self.margin_sell = rng.uniform(0.05, 0.35, n_homes)
        self.momentum_buy = np.zeros(n_homes)
        self.momentum_sell = np.zeros(n_homes)

    @staticmethod
    def _limits(ctx):
        return ctx.grid_buy + ctx.buyer_incentive, ctx.grid_sell - ctx.seller_incentive

    def buyer_bids(self, ctx, qty, rng, homes):
        limit_b, _ = self._limits(ctx)
        return np.clip(limit_b - self.margin_buy[homes] * ctx.spread, ctx.grid_sell, ctx.grid_buy)

    def seller_asks(self, ctx, qty, rng, homes):
        _, limit_s = self._limits(ctx)
        price = limit_s + self.margin_sell[homes] * ctx.spread
        return np.clip(price, ctx.grid_sell, ctx.grid_buy)

    def observe(self, outcome):
        ctx = outcome.ctx
        if ctx.spread <= 0:
            return
        q = outcome.mean_price
        if not np.isfinite(q):
            q = 0.5 * (ctx.grid_buy + ctx.grid_sell)
        limit_b, limit_s = self._limits(ctx)
        rng = self._rng
        # Buyers: traded -> bid lower (wider margin); not traded -> bid higher.
        h, traded = outcome.bid_homes, outcome.bought_kwh > 0
        if len(h):
            up = rng.uniform(1.0, 1.0 + self.r, len(h)), rng.uniform(0.0, self.a, len(h))
            down = rng.uniform(1.0 - self.r, 1.0, len(h)), rng.uniform(-self.a, 0.0, len(h))
            target = np.where(traded, down[0] * q + down[1], up[0] * q + up[1])
            new = self._widrow_hoff(h, outcome.bid_price, target, self.momentum_buy)
            self.margin_buy[h] = np.clip((limit_b - new) / ctx.spread, 0.0, 1.0)
        # Sellers: traded -> ask higher; not traded -> ask lower.
        h, traded = outcome.ask_homes, outcome.sold_kwh > 0
        if len(h):
            up = rng.uniform(1.0, 1.0 + self.r, len(h)), rng.uniform(0.0, self.a, len(h))
            down = rng.uniform(1.0 - self.r, 1.0, len(h)), rng.uniform(-self.a, 0.0, len(h))
            target = np.where(traded, up[0] * q + up[1], down[0] * q + down[1])
            new = self._widrow_hoff(h, outcome.ask_price, target, self.momentum_sell)
            self.margin_sell[h] = np.clip((new - limit_s) / ctx.spread, 0.0, 1.0)

    def _widrow_hoff(self, homes, price, target, momentum):
        delta = self.beta[homes] * (target - price)
        momentum[homes] = self.gamma[homes] * momentum[homes] + (1 - self.gamma[homes]) * delta
        return price + momentum[homes]


#: Bidding strategies by name; :func:`register_bidding_strategy` adds to it. Its keys are
#: the allowed values of ``pricing_strategy`` and of the names in ``pricing_mix``.
BIDDING_STRATEGIES: dict[str, type[BiddingStrategy]] = {}


def register_bidding_strategy(name: str) -> Callable[[type], type]:
    """Class decorator: make a :class:`BiddingStrategy` subclass available under ``name``."""
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"a strategy name must be an identifier, got {name!r}")

    def register(cls: type) -> type:
        if not (isinstance(cls, type) and issubclass(cls, BiddingStrategy)):
            raise TypeError(f"{cls!r} is not a subclass of agents.bidding.BiddingStrategy")
        cls.name = name
        BIDDING_STRATEGIES[name] = cls
        return cls

    return register


for _name, _cls in (("seed", SeedBidding), ("zic", ZICBidding), ("zip", ZIPBidding)):
    register_bidding_strategy(_name)(_cls)


def parse_mix(text: str) -> dict[str, float]:
    """``"seed:0.5,zic:0.3,zip:0.2"`` -> shares by strategy name (validated: known names,
    shares >= 0 summing to 1 within 1e-6). ``""`` -> ``{}`` (no mix)."""
    if not text.strip():
        return {}
    shares: dict[str, float] = {}
    for part in text.split(","):
        name, sep, share = part.strip().partition(":")
        if not sep:
            raise ValueError(f"pricing_mix entries are NAME:SHARE, got {part.strip()!r}")
        if name not in BIDDING_STRATEGIES:
            raise ValueError(f"pricing_mix names one of {sorted(BIDDING_STRATEGIES)}, got {name!r}")
        try:
            value = float(share)
        except ValueError:
            value = float("nan")
        if not value >= 0 or name in shares:
            raise ValueError(
                f"pricing_mix shares are numbers >= 0, each name once, got {part.strip()!r}"
            )
        shares[name] = value
    if abs(sum(shares.values()) - 1.0) > 1e-6:
        raise ValueError(f"pricing_mix shares must sum to 1, got {sum(shares.values()):g}")
    return shares


class BiddingPopulation:
    """Which strategy each home uses, and pricing a book side by strategy groups.

    ``assignment[row]`` indexes ``strategies``. With one strategy for every home the calls
    (and the random draws) are exactly those of a single strategy.
    """

    def __init__(self, n_homes: int, default: str, mix: dict[str, float], rng):
        self.n_homes, self._rng = n_homes, rng
        self.strategies: list[BiddingStrategy] = []
        self.assignment = np.zeros(n_homes, dtype=np.int64)
        if not mix:
            self.assignment[:] = self._index(default)
            return
        counts = _largest_remainder(list(mix.values()), n_homes)
        order = rng.permutation(n_homes)  # which homes get which strategy: seeded
        start = 0
        for name, count in zip(mix, counts, strict=True):
            self.assignment[order[start : start + count]] = self._index(name)
            start += count

    def _index(self, strategy: str | BiddingStrategy) -> int:
        if isinstance(strategy, BiddingStrategy):
            instance = strategy
        else:
            if strategy not in BIDDING_STRATEGIES:
                raise ValueError(
                    f"bidding strategy must be one of {sorted(BIDDING_STRATEGIES)}, "
                    f"got {strategy!r}"
                )
            for i, s in enumerate(self.strategies):
                if s.name == strategy:
                    return i
            instance = BIDDING_STRATEGIES[strategy]()
        if instance in self.strategies:
            return self.strategies.index(instance)
        instance._rng = self._rng
        instance.setup(self.n_homes, self._rng)
        self.strategies.append(instance)
        return len(self.strategies) - 1

    def assign(self, strategy: str | BiddingStrategy, rows) -> None:
        """Give the homes of ``rows`` the strategy (a registered name or an instance)."""
        self.assignment[np.asarray(rows, dtype=np.int64)] = self._index(strategy)

    def strategy_of(self, row: int) -> BiddingStrategy:
        return self.strategies[self.assignment[row]]

    def price(self, method: str, ctx, qty, homes, rng) -> np.ndarray:
        """Prices of the orders of ``homes`` (rows) by each home's strategy's ``method``."""
        used = self.assignment[homes]
        if len(self.strategies) == 1 or (len(used) and (used == used[0]).all()):
            index = int(used[0]) if len(used) else 0
            return np.asarray(getattr(self.strategies[index], method)(ctx, qty, rng, homes))
        prices = np.empty(len(qty))
        for i, strategy in enumerate(self.strategies):
            mine = np.flatnonzero(used == i)
            if len(mine):
                prices[mine] = getattr(strategy, method)(ctx, qty[mine], rng, homes[mine])
        return prices

    def observe(self, ctx, book, trades) -> None:
        """Tell each strategy that learns what its homes' orders did this step."""
        learners = [type(s).observe is not BiddingStrategy.observe for s in self.strategies]
        if not any(learners):
            return
        total = trades.kwh.sum()
        mean_price = float((trades.kwh * trades.buyer_price).sum() / total) if total > 0 else np.nan
        bought = np.bincount(trades.buyer, trades.kwh, len(book.bid_qty))
        sold = np.bincount(trades.seller, trades.kwh, len(book.ask_qty))
        bid_strategy = self.assignment[book.bid_owner]
        ask_strategy = self.assignment[book.ask_owner]
        # Bids to store energy are the storage rule's, not the bidding strategy's.
        bids_own = ~book.bid_to_battery
        for i, strategy in enumerate(self.strategies):
            if not learners[i]:
                continue
            b = np.flatnonzero((bid_strategy == i) & bids_own)
            a = np.flatnonzero(ask_strategy == i)
            strategy.observe(
                MarketOutcome(
                    ctx=ctx,
                    bid_homes=book.bid_owner[b],
                    bid_price=book.bid_price[b],
                    bid_qty=book.bid_qty[b],
                    bought_kwh=bought[b],
                    ask_homes=book.ask_owner[a],
                    ask_price=book.ask_price[a],
                    ask_qty=book.ask_qty[a],
                    sold_kwh=sold[a],
                    mean_price=mean_price,
                )
            )


def _largest_remainder(shares: list[float], n: int) -> list[int]:
    """Whole numbers of homes in proportion to ``shares``, summing to ``n`` (Hamilton)."""
    exact = np.asarray(shares) * n
    counts = np.floor(exact).astype(int)
    left = n - counts.sum()
    counts[np.argsort(-(exact - counts), kind="stable")[:left]] += 1
    return counts.tolist()
