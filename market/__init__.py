"""Order books and clearing for the P2P energy market and the local (grid) market.

Pure functions over numpy arrays: no Mesa, no state, no I/O. A book is four 1-D arrays,
``bid_price`` [EUR/kWh] and ``bid_qty`` [kWh] per buyer, ``ask_price`` and ``ask_qty`` per
seller; every mechanism returns :class:`Trades` indexing into them.

Mechanisms (``MECHANISMS``, by name), each documented with its properties (individual
rationality, budget balance, incentive compatibility, efficiency) and references:

- ``"seed"``: the pay-at-midpoint double auction of the system this simulator grew from, vectorised;
- ``"uniform"``: k-double auction, one price between the marginal bid and ask (``k``);
- ``"pay_as_clear"``: one market-clearing price where the merit orders cross;
- ``"pay_as_bid"``: discriminatory call auction, buyers pay their bids, sellers receive
  their asks, the operator keeps the difference;
- ``"trade_reduction"``: McAfee (1992), truthful and weakly budget balanced, with bounded
  dummy traders (``price_floor``, ``price_cap``) when a side is exhausted;
- ``"trade_reduction_own_price"``: the earlier variant (the marginal trader's own price
  stands in for a missing next order; not truthful);
- ``"huang"``: Huang, Scheller-Wolf & Sycara (2002), multi-unit, truthful in price,
  weakly budget balanced;
- ``"cda"``: continuous double auction, orders arriving in a random order (``rng``).

Also: :func:`allocative_efficiency` (realised over maximum surplus at true valuations) and
:mod:`market.zero_intelligence`, Gode & Sunder's (1993) zero-intelligence traders.
"""

from .cda import clear_cda
from .double_auction import clear_seed
from .efficiency import allocative_efficiency, max_surplus, realised_surplus
from .huang import clear_huang
from .local_market import FEE_MODES, GridSettlement, grid_prices, settle_local_market
from .mechanisms import MECHANISMS, NEEDS_RNG, clear
from .pay_as_bid import clear_pay_as_bid
from .pay_as_clear import clear_pay_as_clear
from .reference import clear_seed_naive
from .trade_reduction import clear_trade_reduction, clear_trade_reduction_own_price
from .trades import QTY_EPS, Trades, operator_surplus
from .uniform_price import clear_uniform

__all__ = [
    "FEE_MODES",
    "MECHANISMS",
    "NEEDS_RNG",
    "QTY_EPS",
    "GridSettlement",
    "Trades",
    "allocative_efficiency",
    "clear",
    "clear_cda",
    "clear_huang",
    "clear_pay_as_bid",
    "clear_pay_as_clear",
    "clear_seed",
    "clear_seed_naive",
    "clear_trade_reduction",
    "clear_trade_reduction_own_price",
    "clear_uniform",
    "grid_prices",
    "max_surplus",
    "operator_surplus",
    "realised_surplus",
    "settle_local_market",
]
