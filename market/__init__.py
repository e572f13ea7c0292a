"""Order books and clearing for the P2P energy market and the local (grid) market.

Pure functions over numpy arrays: no Mesa, no state, no I/O. A book is four 1-D arrays,
``bid_price`` [EUR/kWh] and ``bid_qty`` [kWh] per buyer, ``ask_price`` and ``ask_qty`` per
seller; every mechanism returns :class:`Trades` indexing into them.

Mechanisms (``MECHANISMS``): ``"seed"`` (the original pay-at-midpoint double auction,
vectorised), ``"uniform"`` (k-double auction, one clearing price) and ``"trade_reduction"``
(McAfee 1992, truthful and weakly budget balanced).
"""

from .double_auction import clear_seed
from .local_market import FEE_MODES, GridSettlement, grid_prices, settle_local_market
from .mechanisms import MECHANISMS, clear
from .reference import clear_seed_naive
from .trade_reduction import clear_trade_reduction
from .trades import QTY_EPS, Trades, operator_surplus
from .uniform_price import clear_uniform

__all__ = [
    "FEE_MODES",
    "MECHANISMS",
    "QTY_EPS",
    "GridSettlement",
    "Trades",
    "clear",
    "clear_seed",
    "clear_seed_naive",
    "clear_trade_reduction",
    "clear_uniform",
    "grid_prices",
    "operator_surplus",
    "settle_local_market",
]
