"""CommunityModel: a prosumer community balancing its energy every hour (docs/hour.md)."""

from __future__ import annotations

import numbers
import weakref
from functools import partial

import mesa
import numpy as np
import pandas as pd

from agents.bidding import BiddingPopulation, BiddingStrategy, parse_mix
from agents.flexible_load import DeferrableLoad
from agents.membership import MembershipRule
from agents.miner import MinerAgent, draw_hash_rates
from agents.prosumer import ProsumerAgent
from agents.regulator import RegulatorAgent
from chain import Blockchain
from community_model import hour as phases
from community_model.background_mining import BackgroundMiner
from community_model.datacollection import CommunityDataCollector
from community_model.errors import ParameterError
from community_model.grid import make_feeder_phase
from community_model.history import AgentHistory
from community_model.homes import draw_homes, evenly_chosen
from community_model.ledger import (
    MiningRecord,
    append_mined_blocks,
    make_ledger,
    record_on_chain,
)
from community_model.metrics import (
    STEP_FIGURES,
    market_figures,
    run_kpis,
    step_figures,
    surplus_figures,
)
from community_model.parameters import Parameters
from community_model.sources.calendar import run_times
from community_model.sources.factory import make_profile_source
from community_model.state import ProsumerState
from community_model.storage import StorageAssignment

D = Parameters()  # the defaults of Parameters, shown in the signature below


def _figure(name: str, model: CommunityModel):
    """Model reporter: a pure read of this step's community figure ``name``."""
    return model.figures[name]


class CommunityModel(mesa.Model):
    """About a hundred prosumers balancing their energy every hour.

    One ``step()`` is one hour (``step_hours``): profiles -> self-balance with the own battery
    -> offers -> battery offers on a shortfall -> P2P clearing -> grid settlement -> chain ->
    regulator -> collect.
    Every keyword is a parameter of :class:`~community_model.parameters.Parameters`, where
    each one's unit, meaning and range are listed; ``rng`` seeds the run (Mesa 3.5).

    Prosumer state lives in ``self.state`` (one numpy array per quantity); the
    ``ProsumerAgent`` objects in ``self.agents`` are views onto its rows.
    """

    def __init__(
        self,
        n_prosumers: int = D.n_prosumers,
        battery_share: float = D.battery_share,
        pv_capacities_kw: tuple = D.pv_capacities_kw,
        base_loads_kwh: tuple = D.base_loads_kwh,
        battery_capacities_kwh: tuple = D.battery_capacities_kwh,
        pv_share: float = D.pv_share,
        battery_on_pv_only: bool = D.battery_on_pv_only,
        battery_kwh_per_mwh: float | None = D.battery_kwh_per_mwh,
        pv_scale: float = D.pv_scale,
        load_scale: float = D.load_scale,
        step_hours: float = D.step_hours,
        start_hour: int = D.start_hour,
        profile_source: str = D.profile_source,
        pv_system_efficiency: float = D.pv_system_efficiency,
        pv_weather_min: float = D.pv_weather_min,
        pv_weather_max: float = D.pv_weather_max,
        synthetic_weather: str = D.synthetic_weather,
        weather_spread: float = D.weather_spread,
        load_shape: tuple = D.load_shape,
        load_noise: float = D.load_noise,
        min_load_kwh: float = D.min_load_kwh,
        base_price: float = D.base_price,
        price_shape: tuple = D.price_shape,
        price_noise: float = D.price_noise,
        start_date: str | None = D.start_date,
        timezone: str = D.timezone,
        holiday_calendar: str = D.holiday_calendar,
        weather_file: str = D.weather_file,
        site_latitude: float | None = D.site_latitude,
        site_longitude: float | None = D.site_longitude,
        pv_tilt_range_deg: tuple = D.pv_tilt_range_deg,
        pv_azimuth_range_deg: tuple = D.pv_azimuth_range_deg,
        pv_system_losses: float = D.pv_system_losses,
        pv_temperature_coefficient: float = D.pv_temperature_coefficient,
        albedo: float = D.albedo,
        standard_load_profile: str = D.standard_load_profile,
        household_load_model: str = D.household_load_model,
        load_cache_dir: str = D.load_cache_dir,
        annual_loads_kwh: tuple = D.annual_loads_kwh,
        annual_load_spread: float = D.annual_load_spread,
        load_day_variation: float = D.load_day_variation,
        load_shift_hours: float = D.load_shift_hours,
        load_step_noise: float = D.load_step_noise,
        load_file: str = D.load_file,
        pv_file: str = D.pv_file,
        price_source: str = D.price_source,
        tou_prices: tuple = D.tou_prices,
        tou_bands: tuple = D.tou_bands,
        tou_weekend_offpeak: bool = D.tou_weekend_offpeak,
        price_file: str = D.price_file,
        battery_efficiency: float = D.battery_efficiency,
        soc_min: float = D.soc_min,
        soc_max: float = D.soc_max,
        initial_soc: float = D.initial_soc,
        battery_power_kw: float | None = D.battery_power_kw,
        battery_c_rate: float | None = D.battery_c_rate,
        storage_policy: str = D.storage_policy,
        storage_policy_share: float = D.storage_policy_share,
        arbitrage_horizon_hours: int = D.arbitrage_horizon_hours,
        arbitrage_replan_hours: int = D.arbitrage_replan_hours,
        forecast_kind: str = D.forecast_kind,
        forecast_error: float = D.forecast_error,
        max_trade_cap: float = D.max_trade_cap,
        dead_band: float = D.dead_band,
        imbalance_threshold: float = D.imbalance_threshold,
        battery_offer_fraction: float = D.battery_offer_fraction,
        local_market_fee: float = D.local_market_fee,
        feed_in_tariff: float | None = D.feed_in_tariff,
        fee_mode: str = D.fee_mode,
        pricing_strategy: str = D.pricing_strategy,
        pricing_mix: str = D.pricing_mix,
        clearing_mechanism: str = D.clearing_mechanism,
        uniform_k: float = D.uniform_k,
        chain_enabled: bool = D.chain_enabled,
        difficulty: int = D.difficulty,
        n_miners: int = D.n_miners,
        block_reward: float = D.block_reward,
        max_transactions_per_block: int = D.max_transactions_per_block,
        mine_in_background: bool = D.mine_in_background,
        hash_rate_sigma: float = D.hash_rate_sigma,
        sign_trades: bool = D.sign_trades,
        reproducible_keys: bool = D.reproducible_keys,
        objective: str = D.objective,
        renewable_bonus: float = D.renewable_bonus,
        p2p_bonus: float = D.p2p_bonus,
        market_penalty: float = D.market_penalty,
        exempt_no_battery: bool = D.exempt_no_battery,
        ban_window: int = D.ban_window,
        ban_penalty_threshold: float = D.ban_penalty_threshold,
        ban_bonus_threshold: float = D.ban_bonus_threshold,
        ban_balance_threshold: float = D.ban_balance_threshold,
        market_ban_steps: int = D.market_ban_steps,
        balance_ban_steps: int = D.balance_ban_steps,
        reban_cooldown: int = D.reban_cooldown,
        withheld_ban_threshold: float = D.withheld_ban_threshold,
        withheld_ban_steps: int = D.withheld_ban_steps,
        initial_member_share: float = D.initial_member_share,
        join_every_hours: int = D.join_every_hours,
        leave_when_unprofitable: bool = D.leave_when_unprofitable,
        membership_window_hours: int = D.membership_window_hours,
        withholding_share: float = D.withholding_share,
        flexible_load_share: float = D.flexible_load_share,
        max_deferral_hours: int = D.max_deferral_hours,
        flex_discomfort: float = D.flex_discomfort,
        grid: str = D.grid,
        grid_homes_per_bus: int = D.grid_homes_per_bus,
        grid_radial_branches: int = D.grid_radial_branches,
        grid_line_type: str = D.grid_line_type,
        grid_line_length_m: float = D.grid_line_length_m,
        grid_trafo_type: str = D.grid_trafo_type,
        grid_power_factor: float = D.grid_power_factor,
        grid_voltage_band: float = D.grid_voltage_band,
        grid_loading_limit: float = D.grid_loading_limit,
        network_mode: str = D.network_mode,
        distance_fee_rate: float = D.distance_fee_rate,
        grid_loss_allocation: str = D.grid_loss_allocation,
        agent_data_dir: str | None = D.agent_data_dir,
        agent_data_every: int = D.agent_data_every,
        rng=None,
    ):
        # Validate before touching Mesa, so a bad value fails with one clear message.
        params = {name: value for name, value in locals().items() if name in Parameters.names()}
        self.params = Parameters(**params)
        super().__init__(rng=_checked_rng(rng))
        p = self.params

        self.homes = draw_homes(p, self.rng)
        self.state = ProsumerState(self.homes)
        self.state.stored_kwh[:] = p.initial_soc * self.homes.battery_capacity_kwh
        self._no_p2p_stored_kwh = self.state.stored_kwh.copy()  # batteries without P2P
        self._initial_stored_kwh = float(self.state.stored_kwh.sum())
        self.profiles = make_profile_source(p, self.homes)
        #: each home's bidding strategy (agents.bidding); a mix is drawn only when asked for
        self.bidding = BiddingPopulation(
            p.n_prosumers, p.pricing_strategy, parse_mix(p.pricing_mix), self.rng
        )
        self.storage = StorageAssignment(
            p, self.homes.battery_capacity_kwh, self.profiles, self.rng
        )

        ProsumerAgent.create_agents(self, p.n_prosumers, row=np.arange(p.n_prosumers))
        #: every home's ProsumerAgent by row, members or not (``model.agents`` holds members)
        self.prosumers: list[ProsumerAgent] = list(self.agents_by_type[ProsumerAgent])
        self.prosumer_ids = np.array([a.unique_id for a in self.prosumers])
        self.regulator = RegulatorAgent(self, p, p.n_prosumers)
        self.miners = MinerAgent.create_agents(
            self, p.n_miners, hash_rate=draw_hash_rates(p.n_miners, p.hash_rate_sigma, self.rng)
        )
        # Last of the set-up: the keys are read from the rng's state, without drawing from it.
        self._blockchain, self.keyring = make_ledger(p, self.rng, self.prosumer_ids)
        self.mining = MiningRecord(0, 0)
        self._miner_process: BackgroundMiner | None = None  # with mine_in_background
        self.flexible_load = DeferrableLoad(p.steps_of(p.max_deferral_hours), p.n_prosumers)
        self.feeder = make_feeder_phase(p, self.rng.bit_generator.state)  # None: grid 'off'
        grid_figures = self.feeder.figures if self.feeder is not None else {}
        self._set_up_membership()
        grid_figures = {**grid_figures, **self._membership_figures()}

        self.trade_log: list[tuple[int, phases.TradeLog]] = []  # (step index, trades)
        self.last_trades: phases.TradeLog | None = None
        self._step_frame_cache: tuple[int, pd.DataFrame] | None = None  # (steps, frame)
        extra = ("voltage_pu", "curtailed_kwh") if self.feeder is not None else ()
        extra += ("in_community",) if self.membership_changes else ()
        extra += ("withheld_kwh",) if self.homes.withholds.any() else ()
        self.history = AgentHistory(self.prosumer_ids, p.agent_data_dir, extra=extra)
        self.figures = step_figures(self.state, None, None, 0.0)
        self.figures.update(self._chain_figures(), **grid_figures)
        self.figures.update(surplus_figures(0.0, 0.0))
        #: False skips what only a record of the run needs: each step's full ``figures``
        #: (then only :func:`~community_model.metrics.market_figures`), the DataCollector's
        #: row, the agent history and the P2P-surplus and no-P2P measures. Learning
        #: environments set it before the first step (:mod:`community_model.learning.core`);
        #: the state, the trade log, the chain and the regulator are the same either way.
        self.record_steps = True
        self._datacollector = CommunityDataCollector(
            self,
            model_reporters={
                name: partial(_figure, name) for name in (*STEP_FIGURES, *grid_figures)
            },
        )
        self._collect()

    # --- the chain, which may be mined in another process ------------------------------------
    @property
    def blockchain(self) -> Blockchain | None:
        """The run's chain (None with ``chain_enabled=False``), up to date."""
        self._absorb_mined_blocks()
        return self._blockchain

    @property
    def datacollector(self) -> CommunityDataCollector:
        """Mesa's DataCollector of the run, its chain figures up to date."""
        self._absorb_mined_blocks()
        return self._datacollector

    def _absorb_mined_blocks(self) -> None:
        """Append what the miner process has mined, credit the miners, fill in the hashes."""
        if self._miner_process is None:
            return
        for step, batches, results in self._miner_process.collect():
            record = append_mined_blocks(
                self._blockchain, batches, results, self.miners, self.params.block_reward
            )
            # The step's row of model reporters (row 0 is the initial state).
            self._datacollector.model_vars["hashes"][step + 1] = record.hashes

    @classmethod
    def from_params(cls, params: Parameters, rng=None) -> CommunityModel:
        """Build a model from a :class:`Parameters` object."""
        return cls(**params.to_dict(), rng=rng)

    @classmethod
    def from_scenario(cls, name: str, rng=None, **overrides) -> CommunityModel:
        """Build a model from a named scenario (:mod:`community_model.scenarios`), with
        ``overrides`` of any of its parameters, e.g. ``from_scenario("seed", n_prosumers=20)``."""
        from community_model.scenarios import scenario_parameters

        return cls(**{**scenario_parameters(name), **overrides}, rng=rng)

    # --- homes and their strategies --------------------------------------------------------
    def set_bidding_strategy(self, strategy: str | BiddingStrategy, homes) -> None:
        """Give ``homes`` (ProsumerAgents, or rows of ``model.state``) the bidding strategy
        ``strategy``: a registered name (:func:`agents.bidding.register_bidding_strategy`) or
        a :class:`~agents.bidding.BiddingStrategy` instance."""
        rows = [h.row if isinstance(h, ProsumerAgent) else int(h) for h in homes]
        bad = [r for r in rows if not 0 <= r < self.params.n_prosumers]
        if bad:
            raise ValueError(f"homes must be rows 0..{self.params.n_prosumers - 1}, got {bad}")
        try:
            self.bidding.assign(strategy, rows)
        except ValueError as err:
            raise ParameterError(str(err)) from None

    def leave_community(self, row: int) -> None:
        """Home ``row`` leaves: no PV, load, offers or trades from the next step on."""
        if row in self._waiting:  # never joined: it no longer will
            self._waiting.remove(row)
        elif self.state.active[row]:
            self.membership_log.append((self.steps, int(self.prosumer_ids[row]), "left"))
        self.state.active[row] = False
        self.flexible_load.drop(row)  # what it deferred leaves with it ...
        self.state.deferred_kwh[row] = 0.0  # ... and no longer waits here

    # --- membership: homes that join and leave (agents/membership.py) ------------------------
    def _set_up_membership(self) -> None:
        p = self.params
        #: (steps run, agent id, "joined" or "left"), in order
        self.membership_log: list[tuple[int, int, str]] = []
        members = evenly_chosen(p.n_prosumers, p.initial_member_share)
        self._waiting: list[int] = [int(row) for row in np.flatnonzero(~members)]
        for row in self._waiting:  # outside the community, and outside model.agents
            self.state.active[row] = self.state.in_community[row] = False
            self.deregister_agent(self.prosumers[row])
        self._join_steps = p.steps_of(p.join_every_hours)
        self.membership = (
            MembershipRule(max(1, p.steps_of(p.membership_window_hours)), p.n_prosumers)
            if p.leave_when_unprofitable
            else None
        )
        #: whether the community's membership can change in this run (then ``members`` is a
        #: model reporter and ``in_community`` a per-home column)
        self.membership_changes = bool(
            self._waiting or self._join_steps or p.leave_when_unprofitable
        )

    def _membership_figures(self) -> dict[str, int]:
        return {"members": int(self.state.active.sum())} if self.membership_changes else {}

    @property
    def waiting_homes(self) -> list[ProsumerAgent]:
        """The homes that have not joined yet, in the order they will."""
        return [self.prosumers[row] for row in self._waiting]

    def add_home(self) -> ProsumerAgent:
        """The next waiting home joins the community (``initial_member_share`` < 1 leaves
        homes waiting): from the next step on it has PV, load, offers and trades, and it is in
        ``model.agents`` again. Returns its agent."""
        if not self._waiting:
            raise ParameterError(
                "add_home: no home is waiting to join (initial_member_share=1 puts every home "
                "in the community from the start; lower it to keep homes waiting)"
            )
        row = self._waiting.pop(0)
        agent = self.prosumers[row]
        unique_id = agent.unique_id
        self.register_agent(agent)  # Mesa numbers a registered agent anew ...
        agent.unique_id = unique_id  # ... but the home keeps its id (keys, files, trades)
        self.state.active[row] = True
        if self.membership is not None:
            self.membership.start(row)
        self.membership_log.append((self.steps, unique_id, "joined"))
        return agent

    def membership_frame(self) -> pd.DataFrame:
        """Every join and leave of the run: ``step`` (steps run when it happened; the change
        applies from the next step), ``AgentID`` and ``event`` ('joined' or 'left')."""
        return pd.DataFrame(self.membership_log, columns=["step", "AgentID", "event"])

    def _change_membership(self, standalone_cost: np.ndarray) -> None:
        """Between steps: homes for which membership stopped paying leave, and on the joining
        schedule the next waiting home joins."""
        if self.membership is not None:
            s = self.state
            community_cost = -(self._trade_balance_change() + s.bonus_eur - s.penalty_eur)
            leaving = self.membership.update(community_cost, standalone_cost, s.active)
            for row in np.flatnonzero(leaving):
                self.prosumers[row].remove()
        if self._join_steps and self.steps % self._join_steps == 0 and self._waiting:
            self.add_home()

    # --- the hour ---------------------------------------------------------------------------
    @property
    def step_index(self) -> int:
        """0-based index of the step being run (or last run)."""
        return self.steps - 1

    def step(self) -> None:
        """One hour of the community (docs/hour.md), one line a phase."""
        p, state, rng = self.params, self.state, self.rng
        state.start_step()
        profile = self.profiles.hour(self.step_index, rng)
        incentives = self.regulator.incentives()
        ctx = phases.price_context(profile.price_forecast, p, incentives)
        self.price_context = ctx  # this step's grid band, read by the invariants
        defer = incentives.self_supply > p.flex_discomfort
        phases.apply_self_balance(
            state, profile, p, self.flexible_load, defer, self.storage, self.step_index
        )
        book = phases.make_offers(state, ctx, self.bidding, rng, p)
        book = phases.add_battery_offers(state, book, ctx, self.bidding, rng, p)
        book = phases.add_storage_bids(state, book, ctx, p)
        trades = phases.clear_p2p(book, p, ctx, rng)
        if self.feeder is not None:  # power flow; with network_mode, fees and limits
            trades = self.feeder.step(
                state, book, trades, self.step_index, self.prosumer_ids, ctx.grid_buy
            )
        self.bidding.observe(ctx, book, trades)
        p2p_log = phases.apply_p2p_trades(state, book, trades, self.prosumer_ids, p)
        grid_log = phases.settle_with_grid(state, ctx.forecast, p, self.prosumer_ids)
        self._log_trades(phases.concat_logs(p2p_log, grid_log))
        self._record_on_chain()
        self.regulator.act(state, self.step_index, self._trade_balance_change())
        self._settle_balances()
        standalone_cost = None
        if self.record_steps or self.membership_changes:
            standalone_cost = self._standalone_cost(ctx)
        if self.record_steps:
            self._record_step(book, trades, ctx, standalone_cost)
        else:
            self.figures = market_figures(state, self.last_trades, ctx)
        if self.membership_changes:
            self._change_membership(standalone_cost)

    def _record_step(self, book, trades, ctx, standalone_cost: np.ndarray) -> None:
        """This step's community figures (``self.figures``) and the DataCollector's row."""
        surplus = phases.p2p_surplus(book, trades, ctx)
        s = self.state
        self.figures = step_figures(s, self.last_trades, ctx, float(standalone_cost.sum()))
        self.figures.update(self._chain_figures(), **(self.feeder.figures if self.feeder else {}))
        self.figures.update(surplus_figures(*surplus), **self._membership_figures())
        self._collect()

    def _log_trades(self, log: phases.TradeLog) -> None:
        self.last_trades = log
        self.trade_log.append((self.step_index, log))

    def _record_on_chain(self) -> None:
        chain, p = self._blockchain, self.params
        if chain is None:
            return
        if p.mine_in_background and self._miner_process is None:
            self._miner_process = BackgroundMiner(
                chain, [m.unique_id for m in self.miners], [m.hash_rate for m in self.miners],
                self.keyring,
            )  # fmt: skip
            weakref.finalize(self, self._miner_process.close)
        self.mining = record_on_chain(
            chain, self.step_index, self.last_trades, self.miners, p.block_reward,
            self.keyring, self._miner_process,
        )  # fmt: skip

    def _chain_figures(self) -> dict[str, int]:
        """This step's chain figures; with background mining ``hashes`` is filled in later."""
        chain, pending = self._blockchain, self._miner_process
        height = chain.height if chain is not None else 0
        return {
            "blocks_mined": self.mining.blocks,
            "hashes": self.mining.hashes,
            "chain_height": height + (pending.pending_blocks if pending is not None else 0),
        }

    def _trade_balance_change(self) -> np.ndarray:
        """This step's money from trading per prosumer: P2P received - paid - grid cost [EUR]."""
        s = self.state
        return s.p2p_received_eur - s.p2p_paid_eur - s.grid_cost_eur

    def _settle_balances(self) -> None:
        """Book this step's money: trading and the regulator's bonuses and penalties."""
        s = self.state
        s.balance_eur += self._trade_balance_change() + s.bonus_eur - s.penalty_eur

    def _standalone_cost(self, ctx) -> np.ndarray:
        """What each home would have paid this step without P2P [EUR]: its battery tracked
        apart from the run's start, see :func:`community_model.hour.no_p2p_cost`."""
        return phases.no_p2p_cost(self.state, self._no_p2p_stored_kwh, ctx.forecast, self.params)

    def _collect(self) -> None:
        every = self.params.agent_data_every
        if every and self.steps % every == 0:
            self.history.record(self.time, self.state)
        self._datacollector.collect(self)

    def run_for(self, duration) -> None:
        """Run ``duration`` steps (Mesa's ``run_for``), then write the agent data of a partial
        last block to ``agent_data_dir``."""
        super().run_for(duration)
        self.history.flush()

    # --- results ----------------------------------------------------------------------------
    def step_frame(self) -> pd.DataFrame:
        """Model reporters of the executed steps (without the initial row), with ``hour``."""
        cached = self._step_frame_cache
        if cached is None or cached[0] != self.steps:  # built once per step count: KPIs,
            frame = self.datacollector.get_model_vars_dataframe().iloc[1:]  # summary and
            frame = frame.reset_index(drop=True)  # files each ask for it
            frame.insert(0, "hour", np.arange(len(frame)))
            frame.insert(1, "timestamp", run_times(self.params, len(frame)))
            self._step_frame_cache = cached = (self.steps, frame)
        return cached[1].copy()

    def prosumer_frame(self) -> pd.DataFrame:
        """Per-prosumer, per-step quantities, indexed (Step, AgentID) as Mesa's agent frames.

        The columns are named as in the per-home files, with their units
        (docs/output-files.md); ``role`` and ``ban_reason`` are categories with their names.
        Step 0 is the state at set-up (Mesa's frames start before the first step: its flows
        are 0); Step k is the state after the k-th step, the one that starts at
        ``step_frame()["timestamp"]`` row k - 1 (hour k - 1 of the files)."""
        from community_model.history import tidy_frame

        return tidy_frame(self.history.frame())

    def storage_frame(self) -> pd.DataFrame:
        """Storage decisions and the forecasts behind them, per step and home of every
        policy that logs (``forecast_arbitrage``), indexed (Step, AgentID); see
        :mod:`community_model.storage`."""
        return self.storage.frame(self.prosumer_ids)

    def trades_frame(self) -> pd.DataFrame:
        """Every trade of the run, one row each, with its unique id."""
        from community_model.trades import trades_frame

        return trades_frame(self.trade_log)

    def miner_frame(self) -> pd.DataFrame:
        """One row per miner: hash rate, blocks won, rewards, hashes tried."""
        self._absorb_mined_blocks()
        return pd.DataFrame(
            [
                {
                    "miner_id": m.unique_id,
                    "hash_rate": m.hash_rate,
                    "blocks_won": m.blocks_won,
                    "reward_eur": m.reward_eur,
                    "hashes_tried": m.hashes_tried,
                }
                for m in self.miners
            ]
        )

    def kpis(self) -> dict[str, float]:
        """Run-level KPIs: energy shares, P2P, money, fairness, the chain (docs/output-files.md)."""
        stored_change = float(self.state.stored_kwh.sum()) - self._initial_stored_kwh
        kpis = run_kpis(
            self.step_frame(), -self.state.balance_eur, stored_change,
            self.params.battery_efficiency,
        )  # fmt: skip
        kpis["blocks_mined"] = int(sum(m.blocks_won for m in self.miners))
        kpis["hashes"] = int(sum(m.hashes_tried for m in self.miners))
        kpis["block_rewards_eur"] = float(sum(m.reward_eur for m in self.miners))
        if self.feeder is not None:
            kpis.update(self.feeder.kpis(self.step_frame()))
        # plain Python numbers (counts as int), whatever numpy handed the sums back as
        return {
            name: int(value) if isinstance(value, int | np.integer) else float(value)
            for name, value in kpis.items()
        }


def _checked_rng(rng):
    """``rng`` as Mesa takes it, or a ParameterError naming it: None, an integer >= 0, or a
    numpy Generator, BitGenerator or SeedSequence."""
    if rng is None or isinstance(
        rng, np.random.Generator | np.random.BitGenerator | np.random.SeedSequence
    ):
        return rng
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool) and rng >= 0:
        return int(rng)
    raise ParameterError(
        "rng must be None, an integer >= 0 or a numpy random Generator, got "
        f"{' '.join(repr(rng).split())[:80]}"
    )
