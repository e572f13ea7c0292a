"""A strategy a researcher writes in their own file runs in sweeps (worker processes, Dask),
Mesa's batch_run and the app, with no edit of the package."""

from __future__ import annotations

import mesa
import numpy as np
import pytest

from agents.bidding import BIDDING_STRATEGIES, BiddingStrategy, register_bidding_strategy
from agents.storage import STORAGE_POLICIES, register_storage_policy
from agents.storage.greedy import GreedyPolicy
from community_model import CommunityModel
from community_model.experiments.sweeps import SweepSpec, load_results, run_sweep


class Generous(BiddingStrategy):
    """Bid the import price, ask the export price: every crossing pair trades at the band."""

    def buyer_bids(self, ctx, qty, rng, homes):
        return np.full(len(qty), ctx.grid_buy)

    def seller_asks(self, ctx, qty, rng, homes):
        return np.full(len(qty), ctx.grid_sell)


class IdleBattery(GreedyPolicy):
    """A storage policy that never uses the battery."""

    def decide(self, inputs):
        flows = super().decide(inputs)
        zero = np.zeros_like(inputs.stored_kwh)
        return type(flows)(zero, zero.copy(), zero.copy(), inputs.stored_kwh.copy())


@pytest.fixture(autouse=True)
def registered():
    register_bidding_strategy("test_generous")(Generous)
    register_storage_policy("test_idle", IdleBattery)
    yield
    BIDDING_STRATEGIES.pop("test_generous")
    STORAGE_POLICIES.pop("test_idle")


def spec():  # built after the registration, as in a researcher's script
    return SweepSpec(
        grid={
            "pricing_strategy": ["seed", "test_generous"],
            "storage_policy": ["greedy", "test_idle"],
        },
        fixed={"n_prosumers": 20, "chain_enabled": False},
        seeds=1,
        hours=24,
    )


def expected_kpis():
    out = {}
    for strategy in ("seed", "test_generous"):
        for policy in ("greedy", "test_idle"):
            model = CommunityModel(
                n_prosumers=20, chain_enabled=False, pricing_strategy=strategy,
                storage_policy=policy, rng=0,
            )  # fmt: skip
            model.run_for(24)
            out[strategy, policy] = model.kpis()
    return out


@pytest.mark.parametrize("backend", ["processes", "dask"])
def test_a_sweep_runs_the_researchers_own_classes_in_its_workers(tmp_path, backend):
    if backend == "dask":
        pytest.importorskip("distributed")
    result = run_sweep(spec(), tmp_path, backend=backend, workers=2, progress=False)
    assert result.completed == 4, [o.error for o in result.failures]
    results = load_results(tmp_path)
    expected = expected_kpis()
    for row in results.itertuples():
        kpis = expected[row.pricing_strategy, row.storage_policy]
        assert row.p2p_kwh == pytest.approx(kpis["p2p_kwh"])
        assert row.battery_throughput_kwh == pytest.approx(kpis["battery_throughput_kwh"])
    # and the classes did act: the idle battery serves no load of its own (what it still
    # delivers is stored energy sold on the community's calls), the generous bidders price
    # differently
    by_policy = results.groupby("storage_policy")["battery_throughput_kwh"].mean()
    assert by_policy["test_idle"] < 0.2 * by_policy["greedy"]
    seed = results[results.pricing_strategy == "seed"].set_index("storage_policy")
    mine = results[results.pricing_strategy == "test_generous"].set_index("storage_policy")
    assert (mine["avg_p2p_price"] != seed["avg_p2p_price"]).all()


def test_mesa_batch_run_takes_the_researchers_strategy():
    rows = mesa.batch_run(
        CommunityModel,
        parameters={"n_prosumers": 10, "pricing_strategy": ["seed", "test_generous"],
                    "chain_enabled": False},
        rng=[1], max_steps=12, number_processes=1, display_progress=False,
    )  # fmt: skip
    assert {r["pricing_strategy"] for r in rows} == {"seed", "test_generous"}


def test_the_app_offers_a_strategy_registered_before_it_starts():
    pytest.importorskip("solara")
    from community_model.app.controls import build_model_params

    params = build_model_params()
    assert "test_generous" in params["pricing_strategy"]["values"]
    assert "test_idle" in params["storage_policy"]["values"]
