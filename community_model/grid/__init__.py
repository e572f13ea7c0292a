"""The low-voltage feeder: an AC power flow of the homes' net injections every step.

Off by default (``grid='off'``). With a feeder, :class:`~community_model.grid.phase.FeederPhase`
is the one object the model holds and calls once a step, between the P2P clearing and the
booking of the trades. pandapower (and lightsim2grid, when installed) are imported here only
when a feeder is built, so ``import community_model`` stays fast. See ``docs/grid.md``.

Modules: :mod:`.feeders` (which network), :mod:`.placement` (which home on which bus),
:mod:`.power_flow` (the AC power flow), :mod:`.network_aware` (distance fees, limits),
:mod:`.phase` (the step), :mod:`.table` (what the grid changes, over seeds).
"""

from __future__ import annotations


def make_feeder_phase(params, rng_state: dict):
    """The feeder phase of a model with ``params`` (None with ``grid='off'``)."""
    if params.grid == "off":
        return None
    from community_model.grid.phase import FeederPhase

    return FeederPhase.from_params(params, rng_state)
