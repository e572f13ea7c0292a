"""Which home runs its battery by which storage policy, and the self-balance step over them.

:class:`StorageAssignment` holds the groups (policy object, rows of the homes that use it) and
runs each policy vectorised over its rows (:meth:`StorageAssignment.balance`). With every home
on ``greedy`` (the default) :func:`community_model.hour.apply_self_balance` takes its original
path and the assignment is not consulted, so the default run is bit-for-bit the seed system's.

``storage_policy_share`` of the battery homes use ``storage_policy``; they are chosen without a
random draw, evenly spread over the battery homes in row order (home i is chosen when
``floor((i + 1) * share) > floor(i * share)``), so that choosing a policy does not change the
homes, the profiles or any other random number of the run.
"""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pandas as pd

from agents.battery import BatteryFlows
from agents.storage import STORAGE_POLICIES, BatterySpec, GridTariff, StorageInputs
from agents.storage.base import StoragePolicy
from community_model.errors import ParameterError
from community_model.homes import evenly_chosen
from community_model.hour import battery_power_limit_kwh
from community_model.parameters import Parameters
from community_model.state import ProsumerState

STORAGE_SEED_DOMAIN = b"community-sim storage policies v1\x00"


def policy_seed(rng: np.random.Generator) -> int:
    """A seed for the policies' own generators, read from ``rng`` without drawing from it."""
    state = json.dumps(rng.bit_generator.state, sort_keys=True, default=str)
    digest = hashlib.sha256(STORAGE_SEED_DOMAIN + state.encode("ascii")).digest()
    return int.from_bytes(digest[:8], "little")


class StorageAssignment:
    """Storage policy per home: groups of (policy, rows).

    Parameters
    ----------
    params : Parameters
    capacity_kwh : array
        Battery capacity per home [kWh].
    source : profile source
        Handed to the policies (forecasts read ahead from it).
    rng : numpy Generator
        The model's generator; only its state is read (:func:`policy_seed`).
    """

    def __init__(self, params: Parameters, capacity_kwh: np.ndarray, source, rng):
        self.params, self.source = params, source
        self.n = len(capacity_kwh)
        self.seed = policy_seed(rng)
        self.battery = BatterySpec(
            params.soc_min,
            params.soc_max,
            params.battery_efficiency,
            None
            if params.battery_power_kw is None
            else params.battery_power_kw * params.step_hours,
        )
        self.tariff = GridTariff(params.local_market_fee, params.feed_in_tariff)
        self.policy_of = np.zeros(self.n, dtype=np.int64)  # index into self.policies
        self.policies: list[StoragePolicy] = []
        self.assign(np.arange(self.n), "greedy")  # policy 0: the seed system's rule
        if params.storage_policy != "greedy" and params.storage_policy_share > 0:
            battery_rows = np.flatnonzero(capacity_kwh > 0)
            chosen = battery_rows[evenly_chosen(len(battery_rows), params.storage_policy_share)]
            if len(chosen):
                self.assign(chosen, self._make(params.storage_policy))

    def _make(self, name: str) -> StoragePolicy:
        cls = STORAGE_POLICIES[name]
        maker = getattr(cls, "from_parameters", None)
        return maker(self.params) if maker is not None else cls()

    def assign(self, rows, policy: StoragePolicy | str) -> StoragePolicy:
        """Give the homes at ``rows`` (state rows) the policy ``policy`` (an object or a
        registered name); call before the first step. Returns the policy object."""
        if isinstance(policy, str):
            if policy not in STORAGE_POLICIES:
                known = ", ".join(repr(k) for k in STORAGE_POLICIES)
                raise ParameterError(f"storage_policy must be one of {known}, got {policy!r}")
            policy = self._make(policy)
        if not isinstance(policy, StoragePolicy):
            raise TypeError(f"a storage policy must be a StoragePolicy, got {policy!r}")
        index = next((i for i, p in enumerate(self.policies) if p is policy), None)
        if index is None:
            try:
                policy.setup(
                    self.battery,
                    self.tariff,
                    self.params.step_hours,
                    self.source,
                    np.random.default_rng([self.seed, len(self.policies)]),
                )
            except ValueError as err:  # e.g. a perfect forecast from a source without lookahead
                raise ParameterError(
                    f"forecast_kind {self.params.forecast_kind!r}: {err}"
                ) from None
            self.policies.append(policy)
            index = len(self.policies) - 1
        self.policy_of[np.asarray(rows, dtype=np.int64)] = index
        return policy

    @property
    def all_greedy(self) -> bool:
        """Every home on the built-in greedy rule (the seed system's code path applies)."""
        return not self.policy_of.any()

    def rows_of(self, policy: StoragePolicy) -> np.ndarray:
        return np.flatnonzero(self.policy_of == self.policies.index(policy))

    def balance(self, step: int, state: ProsumerState, price_forecast: float) -> BatteryFlows:
        """Battery flows of every home this step, each group by its policy (vectorised)."""
        n = state.n
        out = BatteryFlows(np.zeros(n), np.zeros(n), np.zeros(n), state.stored_kwh.copy())
        cap = state.homes.battery_capacity_kwh
        limit = battery_power_limit_kwh(self.params, state.homes)  # C-rate included
        for index, policy in enumerate(self.policies):
            rows = np.flatnonzero(self.policy_of == index)
            if len(rows) == 0:
                continue
            inputs = StorageInputs(
                step=step,
                rows=rows,
                pv_kwh=state.pv_kwh[rows],
                load_kwh=state.load_kwh[rows],
                stored_kwh=state.stored_kwh[rows],
                capacity_kwh=cap[rows],
                price_forecast=float(price_forecast),
                power_limit_kwh=limit[rows] if np.ndim(limit) else limit,
            )
            flows = policy.decide(inputs)
            for column, values in zip(out, flows, strict=True):
                column[rows] = values
        # A battery outside the community (left, or not yet joined) does nothing in it: no
        # grid charging or discharging for a policy that plans ahead without knowing that.
        outside = ~state.active
        if outside.any():
            for column in out[:3]:
                column[outside] = 0.0
            out.stored_kwh[outside] = state.stored_kwh[outside]
        return out

    def frame(self, prosumer_ids: np.ndarray) -> pd.DataFrame:
        """Every logged decision: one row per step and home of a policy that logs, indexed
        (Step, AgentID) as :meth:`CommunityModel.prosumer_frame` (Step = model time after the
        step), with the policy's name (``forecast_arbitrage``: planned charge and
        discharge, grid charging, the forecasts the decision was based on, the plan's lead)."""
        parts = []
        for policy in self.policies:
            records = policy.log()
            if not records:
                continue
            columns: dict[str, np.ndarray] = {}
            lengths = [len(r["rows"]) for r in records]
            steps = np.array([r["step"] for r in records], dtype=float) + 1.0  # model.time
            columns["Step"] = np.repeat(steps, lengths)
            columns["AgentID"] = prosumer_ids[np.concatenate([r["rows"] for r in records])]
            columns["policy"] = np.full(sum(lengths), policy.name)
            for key in records[0]:
                if key in ("step", "rows"):
                    continue
                values = [
                    np.broadcast_to(r[key], (n,)) for r, n in zip(records, lengths, strict=True)
                ]
                columns[key] = np.concatenate(values)
            parts.append(pd.DataFrame(columns))
        if not parts:
            return pd.DataFrame(columns=["Step", "AgentID", "policy"]).set_index(
                ["Step", "AgentID"]
            )
        return pd.concat(parts).sort_values(["Step", "AgentID"]).set_index(["Step", "AgentID"])
