"""Choose a clearing mechanism by name."""

from __future__ import annotations

from collections.abc import Callable

from numpy.typing import ArrayLike

from .double_auction import clear_seed
from .trade_reduction import clear_trade_reduction
from .trades import Trades
from .uniform_price import clear_uniform

#: Clearing functions by the name a model parameter uses.
MECHANISMS: dict[str, Callable[..., Trades]] = {
    "seed": clear_seed,
    "uniform": clear_uniform,
    "trade_reduction": clear_trade_reduction,
}


def clear(
    mechanism: str,
    bid_price: ArrayLike,
    bid_qty: ArrayLike,
    ask_price: ArrayLike,
    ask_qty: ArrayLike,
    **options: float,
) -> Trades:
    """Clear a book with the mechanism named ``mechanism``.

    Parameters
    ----------
    mechanism : str
        A key of :data:`MECHANISMS`: ``"seed"``, ``"uniform"`` or ``"trade_reduction"``.
    bid_price, bid_qty, ask_price, ask_qty : array_like, 1-D
        The book [EUR/kWh], [kWh], as for :func:`market.double_auction.clear_seed`.
    **options
        Passed on to the mechanism, e.g. ``k`` for ``"uniform"``.

    Returns
    -------
    Trades

    Raises
    ------
    ValueError
        If ``mechanism`` is not a known name, or the book is invalid.
    """
    if mechanism not in MECHANISMS:
        raise ValueError(f"mechanism must be one of {sorted(MECHANISMS)}, got {mechanism!r}")
    return MECHANISMS[mechanism](bid_price, bid_qty, ask_price, ask_qty, **options)
