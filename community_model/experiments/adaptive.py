"""Adaptive bidders learning within a run: the price path of ZIP traders settles.

Each hour's P2P trade prices are placed in the hour's grid band, 0 at the export price and 1
at the import price, so hours with different grid prices compare. The kWh-weighted standard
deviation of those positions within an hour is the hour's price dispersion; its daily mean is
the learning curve. Cliff (1997) measures convergence the same way, by the spread of
transaction prices around where they settle (his Smith's alpha takes the competitive price as
the centre; here all buyers share one valuation and all sellers another, so every price in
the band clears, and the spread around the hour's own mean is the measure that applies).
ZIP traders start with random margins and narrow them from their own trades; ZI-C traders
draw every price afresh and do not.

References
----------
D. Cliff, "Minimal-intelligence agents for bargaining behaviours in market-based
environments", HP Laboratories Technical Report HPL-97-91, 1997.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from community_model.hour import P2P
from community_model.model import CommunityModel


def price_path(days: int = 14, **model_kwargs) -> pd.DataFrame:
    """Run a model for ``days`` and return one row per hour with P2P trades: ``day``,
    ``hour``, ``position`` (kWh-weighted mean trade price in the band [-]) and
    ``dispersion`` (kWh-weighted standard deviation of the positions [-])."""
    model = CommunityModel(**{"chain_enabled": False, **model_kwargs})
    rows = []
    for hour in range(24 * days):
        model.step()
        trades = model.last_trades
        p2p = trades.kind == P2P
        low, high = model.figures["grid_sell_price"], model.figures["grid_buy_price"]
        if not p2p.any() or high <= low:
            continue
        position = (trades.price[p2p] - low) / (high - low)
        kwh = trades.kwh[p2p]
        mean = float(np.average(position, weights=kwh))
        dispersion = float(np.sqrt(np.average((position - mean) ** 2, weights=kwh)))
        rows.append((hour // 24, hour, mean, dispersion))
    return pd.DataFrame(rows, columns=["day", "hour", "position", "dispersion"])


def learning_curves(strategies=("zip", "zic"), days: int = 14, seeds=range(3), **model_kwargs):
    """Daily mean price dispersion per strategy (columns) and day (rows), mean over seeds."""
    curves = {}
    for strategy in strategies:
        per_seed = [
            price_path(days, pricing_strategy=strategy, rng=seed, **model_kwargs)
            .groupby("day")["dispersion"]
            .mean()
            for seed in seeds
        ]
        curves[strategy] = pd.concat(per_seed, axis=1).mean(axis=1)
    return pd.DataFrame(curves)
