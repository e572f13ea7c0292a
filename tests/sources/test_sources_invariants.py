"""SPEC section 8 invariants, every step, with each real-data source."""

import numpy as np
import pandas as pd
import pytest

from community_model import CommunityModel
from community_model.invariants import run_checked
from community_model.parameters import Parameters
from community_model.sources.calendar import run_start, run_times
from community_model.sources.files import write_home_file

N = 30
HOURS = 300  # from 20 March: crosses the spring clock change


@pytest.fixture(scope="module")
def user_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("own_data")
    params = Parameters(start_date="2023-03-20")
    rng = np.random.default_rng(7)
    hours = run_times(params, HOURS).hour.to_numpy()
    sun = np.clip(np.sin(np.pi * (hours - 6) / 12), 0, None)[:, None]
    pv = sun * rng.uniform(1.0, 5.0, size=(1, N)) * rng.uniform(0.3, 1.0, size=(HOURS, 1))
    load = rng.gamma(2.0, 0.25, size=(HOURS, N))
    first = run_start(params)
    write_home_file(folder / "pv.parquet", pv, first, 1.0)
    write_home_file(folder / "load.csv", load, first, 1.0)
    prices = pd.DataFrame(
        {
            "timestamp": [t.isoformat() for t in run_times(params, HOURS)],
            "price_eur_per_kwh": rng.uniform(0.05, 0.4, HOURS),
        }
    )
    prices.to_csv(folder / "prices.csv", index=False)
    return {name: str(folder / name) for name in ("pv.parquet", "load.csv", "prices.csv")}


CONFIGS = {
    "standard": {},
    "standard, tou": {"price_source": "tou"},
    "standard, quarter hours": {"step_hours": 0.25},
    "standard, P2P-maximising regulator": {"objective": "maximize_p2p"},
    "standard, UTC, no holidays": {"timezone": "UTC", "holiday_calendar": "none"},
    "synthetic, tou": {"profile_source": "synthetic", "price_source": "tou"},
}


@pytest.mark.parametrize("config", CONFIGS.values(), ids=CONFIGS.keys())
def test_invariants_with_real_sources(config):
    kw = {"profile_source": "standard", "start_date": "2023-03-20", **config}
    model = CommunityModel(n_prosumers=N, chain_enabled=False, rng=11, **kw)
    checker = run_checked(model, HOURS)
    assert checker.steps_checked == HOURS
    frame = model.step_frame()
    assert frame["pv_kwh"].sum() > 0 and frame["load_kwh"].sum() > 0


def test_invariants_with_the_users_files(user_files):
    model = CommunityModel(
        n_prosumers=N,
        profile_source="files",
        load_file=user_files["load.csv"],
        pv_file=user_files["pv.parquet"],
        price_source="file",
        price_file=user_files["prices.csv"],
        start_date="2023-03-20",
        rng=3,
    )
    run_checked(model, HOURS)
    assert model.step_frame()["p2p_kwh"].sum() > 0


def test_invariants_with_the_chain_on_and_standard_sources():
    model = CommunityModel(n_prosumers=N, profile_source="standard", start_date="2023-06-20", rng=4)
    run_checked(model, 48)
    assert model.blockchain.height > 0


def test_same_seed_same_run_with_real_sources():
    def run(seed):
        model = CommunityModel(
            n_prosumers=15, profile_source="standard", price_source="tou", chain_enabled=False,
            rng=seed,
        )  # fmt: skip
        model.run_for(36)
        return model

    a, b, c = run(5), run(5), run(6)
    pd.testing.assert_frame_equal(a.step_frame(), b.step_frame(), check_exact=True)
    pd.testing.assert_frame_equal(a.trades_frame(), b.trades_frame(), check_exact=True)
    assert not a.step_frame()["load_kwh"].equals(c.step_frame()["load_kwh"])
