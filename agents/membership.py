"""Membership: when a home leaves the community because staying no longer pays.

A home in a community pays its energy cost there: grid cost plus P2P purchases less P2P
sales, plus the regulator's penalties less its bonuses. Standing alone it would pay its grid
cost with its own battery balancing only its own home, settled at the same grid prices (the
counterfactual of ``community_model.hour.no_p2p_cost``, tracked from the run's start so that
energy its battery sold to neighbours is missing later, as it would be). With
``leave_when_unprofitable`` a home leaves when, over the last ``membership_window_hours`` of
its membership, the community cost it more than standing alone would have:

    sum over the window (community cost - stand-alone cost) > 0.

This is the participation (individual-rationality) constraint of market design applied ex
post on a rolling window, as households would judge it from their bills: a member stays as
long as the community is at least as good as its outside option (Myerson & Satterthwaite
1983 for the constraint; Tushar et al. 2018 for its role in P2P energy markets).
A home is judged only after a whole window of membership, so a joining home is not judged
on its first hours.

References
----------
Myerson, R. B., Satterthwaite, M. A. (1983): Efficient mechanisms for bilateral trading.
Journal of Economic Theory 29(2), 265-281.
Tushar, W., Yuen, C., Mohsenian-Rad, H., Saha, T., Poor, H. V., Wood, K. L. (2018):
Transforming energy networks via peer-to-peer energy trading. IEEE Signal Processing
Magazine 35(4), 90-111.
"""

from __future__ import annotations

import numpy as np

from agents.regulator_rules import RollingSum


class MembershipRule:
    """Rolling comparison of each home's community cost with its stand-alone cost.

    Parameters
    ----------
    window : int
        Steps of the comparison (``membership_window_hours`` in steps).
    n : int
        Number of homes (rows).
    """

    def __init__(self, window: int, n: int):
        self.window = window
        self.community_cost = RollingSum(window, n)  #: [EUR] over the window
        self.standalone_cost = RollingSum(window, n)  #: [EUR] over the window
        self.member_steps = np.zeros(n, dtype=np.int64)  #: steps since the home joined

    def update(
        self, community_cost: np.ndarray, standalone_cost: np.ndarray, active: np.ndarray
    ) -> np.ndarray:
        """Add this step's costs [EUR] of the homes in the community (``active``) and return
        the mask of the homes for which membership stopped paying."""
        community = self.community_cost.add(np.where(active, community_cost, 0.0))
        alone = self.standalone_cost.add(np.where(active, standalone_cost, 0.0))
        self.member_steps[active] += 1
        return active & (self.member_steps >= self.window) & (community - alone > 1e-9)

    def excess_cost_eur(self) -> np.ndarray:
        """Community cost less stand-alone cost over the window, per home [EUR]."""
        return self.community_cost.total - self.standalone_cost.total

    def start(self, row: int) -> None:
        """Home ``row`` joins: its window starts empty."""
        for rolling in (self.community_cost, self.standalone_cost):
            rolling.ring[:, row] = 0.0
            rolling.total[row] = 0.0
        self.member_steps[row] = 0
