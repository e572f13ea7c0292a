"""The regulator's rules as pure functions over arrays of homes.

Objectives (each with the KPI it aims at):

- ``maximize_renewable`` -- KPI: self-sufficiency (1 - grid import / load). A bonus
  ``renewable_bonus`` per kWh of local renewable energy a home uses (its load minus its grid
  import: own PV, own battery, which only PV charges, and neighbours' energy), and a penalty
  ``market_penalty`` per kWh imported from the grid.
- ``maximize_p2p`` -- KPI: P2P share of traded energy. A bonus ``p2p_bonus`` per P2P kWh to
  the buyer and to the seller (no market penalty: it would push homes to defer load instead
  of buying from neighbours).
- ``maximize_profit`` -- KPI: the community's energy cost (grid cost + P2P paid - P2P
  received; lower is better). Revenue-neutral: ``market_penalty`` per grid kWh (import and
  export); the penalties collected in the step are paid back as a bonus to that step's P2P
  traders in proportion to their P2P kWh. The regulator never runs a deficit.
- ``none`` -- no payments and no bans: the baseline.

Homes without a battery pay no market penalty when ``exempt_no_battery`` is set: they cannot
shift their energy in time, so the grid is their only option for a night deficit.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

# Ban reasons (int8 codes in the state arrays).
NO_BAN, EXCESSIVE_MARKET_USAGE, NEGATIVE_BALANCE, WITHHELD_STORAGE = 0, 1, 2, 3
BAN_REASONS = ("", "excessive_market_usage", "negative_balance", "withheld_storage")


class Rates(NamedTuple):
    """Incentive rates [EUR/kWh]."""

    renewable_bonus: float
    p2p_bonus: float
    market_penalty: float


class StepQuantities(NamedTuple):
    """Per-home energies of the step the regulator pays for [kWh]."""

    load: np.ndarray
    grid_import: np.ndarray
    grid_export: np.ndarray
    p2p_bought: np.ndarray
    p2p_sold: np.ndarray


def incentive_payments(
    objective: str, rates: Rates, q: StepQuantities, penalty_exempt: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Bonus and penalty of each home for this step's behaviour [EUR].

    Parameters
    ----------
    objective : str
        One of the objectives above.
    rates : Rates
        Incentive rates [EUR/kWh].
    q : StepQuantities
        This step's energies per home [kWh].
    penalty_exempt : array of bool
        Homes that pay no market penalty.

    Returns
    -------
    bonus, penalty : arrays [EUR], >= 0
    """
    zero = np.zeros(len(q.load))  # (np.zeros_like's wrapper costs more than the zeros)
    charged = ~penalty_exempt
    if objective == "none":
        return zero, zero.copy()
    if objective == "maximize_renewable":
        renewable_used = np.maximum(q.load - q.grid_import, 0.0)
        return (
            rates.renewable_bonus * renewable_used,
            rates.market_penalty * q.grid_import * charged,
        )
    grid_kwh = q.grid_import + q.grid_export
    p2p_kwh = q.p2p_bought + q.p2p_sold
    if objective == "maximize_p2p":
        return rates.p2p_bonus * p2p_kwh, zero.copy()
    penalty = rates.market_penalty * grid_kwh * charged
    if objective == "maximize_profit":
        total_p2p = p2p_kwh.sum()
        if total_p2p <= 0:
            return zero, penalty
        return penalty.sum() * p2p_kwh / total_p2p, penalty
    raise ValueError(f"unknown objective {objective!r}")


class Incentives(NamedTuple):
    """What the regulator's payments make a kWh worth to prosumers' decisions [EUR/kWh]."""

    buyer_p2p: float  #: a P2P kWh over a grid kWh, to a buyer
    seller_p2p: float  #: a P2P kWh over a grid kWh, to a seller
    self_supply: float  #: a kWh of own energy over an imported one (load deferral)
    storage: float  #: a P2P kWh bought to store (community storage bids)


NO_INCENTIVES = Incentives(0.0, 0.0, 0.0, 0.0)


def expected_incentives(
    objective: str, rates: Rates, last_redistribution_rate: float = 0.0
) -> Incentives:
    """The incentives prosumers expect under ``objective`` when they decide this step.

    ========================  =================  ================  =============  ==========
    objective                 buyer P2P          seller P2P        self-supply    storage
    ========================  =================  ================  =============  ==========
    ``maximize_renewable``    bonus_r + penalty  0                 bonus_r + pen  0
    ``maximize_p2p``          p2p_bonus          p2p_bonus         0              p2p_bonus
    ``maximize_profit``       rate + penalty     rate + penalty    penalty        rate
    ``none``                  0                  0                 0              0
    ========================  =================  ================  =============  ==========

    ``rate`` is the bonus paid back per P2P kWh under ``maximize_profit`` over the last day
    (``RegulatorAgent.redistribution_rate``; prosumers expect the same again).
    """
    r = rates
    if objective == "maximize_renewable":
        both = r.renewable_bonus + r.market_penalty
        return Incentives(both, 0.0, both, 0.0)
    if objective == "maximize_p2p":
        return Incentives(r.p2p_bonus, r.p2p_bonus, 0.0, r.p2p_bonus)
    if objective == "maximize_profit":
        both = last_redistribution_rate + r.market_penalty
        return Incentives(both, both, r.market_penalty, last_redistribution_rate)
    return NO_INCENTIVES


def new_bans(
    *,
    step: int,
    window_penalty: np.ndarray,
    window_bonus: np.ndarray,
    window_balance_change: np.ndarray,
    ban_remaining: np.ndarray,
    last_ban_step: np.ndarray,
    penalty_threshold: float,
    bonus_threshold: float,
    balance_threshold: float,
    market_ban_steps: int,
    balance_ban_steps: int,
    cooldown: int,
    window_withheld: np.ndarray | None = None,
    withheld_threshold: float = np.inf,
    withheld_ban_steps: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Which homes to ban now, for how long and why.

    A home not banned now is banned for ``market_ban_steps`` when its penalties over the
    window exceed ``penalty_threshold`` while its bonuses stay below ``bonus_threshold``
    ("excessive_market_usage"), and for ``balance_ban_steps`` when its balance fell by more
    than ``-balance_threshold`` over the window ("negative_balance"), and for
    ``withheld_ban_steps`` when it declined more than ``withheld_threshold`` kWh of stored
    energy the community called for over the window ("withheld_storage": the shortfall calls
    of ``community_model.hour.add_battery_offers``, which every compliant battery home
    answers); the longest ban wins. No home is banned again for the same reason within
    ``cooldown`` steps of its last ban for that reason.

    Parameters
    ----------
    last_ban_step : array (3, n) of int
        Step of each home's last ban per reason (row 0 market, row 1 balance, row 2
        withheld storage); -1 if never.
    window_withheld : array [kWh] or None
        Stored energy each home declined to offer over the window (None: no such rule).

    Returns
    -------
    duration : array of int [steps], 0 for no new ban
    reason : array of int8, a ``BAN_REASONS`` code
    """
    free = ban_remaining == 0
    # per reason (rows of last_ban_step): never banned for it, or past the cooldown
    allowed = (last_ban_step < 0) | (step - last_ban_step > cooldown)

    market = (
        free
        & (window_penalty > penalty_threshold)
        & (window_bonus < bonus_threshold)
        & allowed[0]
        & (market_ban_steps > 0)
    )
    balance = free & (window_balance_change < balance_threshold) & allowed[1]
    balance &= balance_ban_steps > 0
    duration = np.zeros(len(free), dtype=np.int64)
    reason = np.zeros(len(free), dtype=np.int8)
    duration[market], reason[market] = market_ban_steps, EXCESSIVE_MARKET_USAGE
    longer = balance & (balance_ban_steps >= duration)
    duration[longer], reason[longer] = balance_ban_steps, NEGATIVE_BALANCE
    if window_withheld is not None and withheld_ban_steps > 0:
        withheld = free & (window_withheld > withheld_threshold) & allowed[2]
        longer = withheld & (withheld_ban_steps >= duration)
        duration[longer], reason[longer] = withheld_ban_steps, WITHHELD_STORAGE
    return duration, reason


class RollingSum:
    """Sum over the last ``window`` steps of a per-home quantity, in O(n) per step."""

    def __init__(self, window: int, n: int):
        self.ring = np.zeros((window, n))
        self.total = np.zeros(n)
        self.position = 0

    def add(self, values: np.ndarray) -> np.ndarray:
        self.total += values - self.ring[self.position]
        self.ring[self.position] = values
        self.position = (self.position + 1) % len(self.ring)
        if self.position == 0:  # re-sum once per window so rounding cannot drift on long runs
            self.total = self.ring.sum(axis=0)
        return self.total
