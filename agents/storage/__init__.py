"""Storage policies: how each home runs its battery (``storage_policy``).

``greedy`` (:mod:`agents.storage.greedy`), the default, is the rule of the system this
simulator grew from;
``forecast_arbitrage`` (:mod:`agents.storage.forecast_arbitrage`) plans over a rolling horizon
from forecasts (:mod:`agents.storage.forecasts`). A new policy subclasses
:class:`StoragePolicy` and is registered with :func:`register_storage_policy`; see
``docs/storage.md``.
"""

from agents.storage.base import (
    STORAGE_POLICIES,
    BatterySpec,
    GridTariff,
    StorageInputs,
    StoragePolicy,
    register_storage_policy,
)
from agents.storage.forecast_arbitrage import ForecastArbitragePolicy
from agents.storage.forecasts import FORECAST_KINDS
from agents.storage.greedy import GreedyPolicy

register_storage_policy("greedy", GreedyPolicy)
register_storage_policy("forecast_arbitrage", ForecastArbitragePolicy)

__all__ = [
    "FORECAST_KINDS",
    "STORAGE_POLICIES",
    "BatterySpec",
    "ForecastArbitragePolicy",
    "GreedyPolicy",
    "GridTariff",
    "StorageInputs",
    "StoragePolicy",
    "register_storage_policy",
]
