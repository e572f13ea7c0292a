"""ProsumerAgent: a Mesa agent that is a read-only view onto one row of the model's arrays.

The community's state lives in ``model.state`` (a struct of numpy arrays) so that the hour is
a handful of vectorised operations; each agent exposes its row as attributes, so
``model.agents``, ``agents_by_type[ProsumerAgent]``, agent attributes and agent reporters work
as Mesa users expect.
"""

from __future__ import annotations

import mesa

from agents.roles import ROLE_NAMES


def _column(name: str, doc: str) -> property:
    """A read-only attribute showing this agent's entry of ``model.state.<name>``."""

    def get(self):
        return getattr(self.model.state, name)[self.row].item()

    return property(get, doc=doc)


def _home(name: str, doc: str) -> property:
    def get(self):
        return getattr(self.model.state.homes, name)[self.row].item()

    return property(get, doc=doc)


class ProsumerAgent(mesa.Agent):
    """A home with PV and, mostly, a battery, trading its imbalance each hour.

    Its behaviour (self-balance, offers, battery offers) runs vectorised over all prosumers in
    ``community_model.hour``, scheduled by ``CommunityModel.step()``; the agent is the
    per-home view of the result, and the handle to change this home: its bidding strategy
    (:attr:`bidding_strategy`), or taking it out of the community (:meth:`remove`).
    """

    def __init__(self, model: mesa.Model, row: int):
        super().__init__(model)
        self.row = row  #: this prosumer's row in ``model.state``

    home_type = _home("home_type", "home type index [-]")
    pv_capacity_kw = _home("pv_capacity_kw", "PV capacity [kW]")
    base_load_kwh = _home("base_load_kwh", "base consumption [kWh/h]")
    battery_capacity_kwh = _home("battery_capacity_kwh", "battery capacity, 0 if none [kWh]")

    stored_kwh = _column("stored_kwh", "energy in the battery [kWh]")
    balance_eur = _column("balance_eur", "money received minus paid since the start [EUR]")
    ban_remaining = _column("ban_remaining", "steps of ban left [-]")
    pv_kwh = _column("pv_kwh", "PV generation this step [kWh]")
    load_kwh = _column("load_kwh", "consumption this step [kWh]")
    residual_kwh = _column("residual_kwh", "imbalance after self-balance [kWh]")
    offer_kwh = _column("offer_kwh", "P2P quantity offered or bid for this step [kWh]")
    offer_price = _column("offer_price", "ask or bid price this step [EUR/kWh]")
    battery_offer_kwh = _column("battery_offer_kwh", "stored energy offered this step [kWh]")
    p2p_bought_kwh = _column("p2p_bought_kwh", "bought from peers this step [kWh]")
    p2p_sold_kwh = _column("p2p_sold_kwh", "sold to peers this step [kWh]")
    grid_import_kwh = _column("grid_import_kwh", "bought from the grid this step [kWh]")
    grid_export_kwh = _column("grid_export_kwh", "sold to the grid this step [kWh]")
    bonus_eur = _column("bonus_eur", "regulator bonus this step [EUR]")
    penalty_eur = _column("penalty_eur", "regulator penalty this step [EUR]")

    @property
    def has_battery(self) -> bool:
        return self.battery_capacity_kwh > 0

    @property
    def soc(self) -> float:
        """State of charge [-], NaN without a battery."""
        return self.model.state.soc[self.row].item()

    @property
    def role(self) -> str:
        """'buyer', 'seller', 'idle' or 'banned' in this step's P2P market."""
        return ROLE_NAMES[self.model.state.role[self.row]]

    @property
    def is_banned(self) -> bool:
        return self.ban_remaining > 0

    @property
    def bidding_strategy(self):
        """This home's bidding strategy (an :class:`agents.bidding.BiddingStrategy`); set it
        to a registered name or an instance to change it from the next step on."""
        return self.model.bidding.strategy_of(self.row)

    @bidding_strategy.setter
    def bidding_strategy(self, strategy) -> None:
        self.model.bidding.assign(strategy, [self.row])

    @property
    def active(self) -> bool:
        """Whether the home is still in the community (False after :meth:`remove`)."""
        return bool(self.model.state.active[self.row])

    def step(self) -> None:
        """Prosumers act together, vectorised, in ``CommunityModel.step()`` (its phases are in
        ``community_model.hour``): a home cannot run its hour alone, since its offers clear
        against everyone's. Call ``model.step()``."""
        raise TypeError(
            "prosumers act together in CommunityModel.step() (vectorised over all homes); "
            "call model.step() instead of agent.step()"
        )

    def remove(self) -> None:
        """Take the home out of the community: from the next step on it has no PV, load,
        offers or trades in the community (its battery keeps its charge, its past stays in
        the files and KPIs). Then removed from the model's agents as Mesa's ``remove``."""
        self.model.leave_community(self.row)
        super().remove()

    def __repr__(self) -> str:
        return f"ProsumerAgent(id={self.unique_id}, row={self.row}, role={self.role})"
