"""Choose a clearing mechanism by name."""

from __future__ import annotations

from collections.abc import Callable

from numpy.typing import ArrayLike

from .cda import clear_cda
from .double_auction import clear_seed
from .huang import clear_huang
from .pay_as_bid import clear_pay_as_bid
from .pay_as_clear import clear_pay_as_clear
from .trade_reduction import clear_trade_reduction, clear_trade_reduction_own_price
from .trades import Trades
from .uniform_price import clear_uniform

#: Clearing functions by the name a model parameter uses. Every one takes
#: ``(bid_price, bid_qty, ask_price, ask_qty, **options)``; the options:
#: ``"uniform"``: ``k``; ``"trade_reduction"``: ``price_floor``, ``price_cap``;
#: ``"cda"``: ``rng`` (a ``numpy.random.Generator``, required).
MECHANISMS: dict[str, Callable[..., Trades]] = {
    "seed": clear_seed,
    "uniform": clear_uniform,
    "trade_reduction": clear_trade_reduction,
    "trade_reduction_own_price": clear_trade_reduction_own_price,
    "pay_as_bid": clear_pay_as_bid,
    "pay_as_clear": clear_pay_as_clear,
    "huang": clear_huang,
    "cda": clear_cda,
}

#: Mechanisms that need a random generator, passed as ``rng=``.
NEEDS_RNG = frozenset({"cda"})


def clear(
    mechanism: str,
    bid_price: ArrayLike,
    bid_qty: ArrayLike,
    ask_price: ArrayLike,
    ask_qty: ArrayLike,
    **options: object,
) -> Trades:
    """Clear a book with the mechanism named ``mechanism``.

    Parameters
    ----------
    mechanism : str
        A key of :data:`MECHANISMS`.
    bid_price, bid_qty, ask_price, ask_qty : array_like, 1-D
        The book [EUR/kWh], [kWh], as for :func:`market.double_auction.clear_seed`.
    **options
        Passed on to the mechanism, e.g. ``k`` for ``"uniform"``, ``rng`` for ``"cda"``.

    Returns
    -------
    Trades

    Raises
    ------
    ValueError
        If ``mechanism`` is not a known name, or the book or an option is invalid.
    """
    if mechanism not in MECHANISMS:
        raise ValueError(f"mechanism must be one of {sorted(MECHANISMS)}, got {mechanism!r}")
    return MECHANISMS[mechanism](bid_price, bid_qty, ask_price, ask_qty, **options)
