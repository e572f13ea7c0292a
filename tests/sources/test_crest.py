"""Individual CREST household loads (richardsonpy), cached per home and seed (issue 15)."""

import numpy as np
import pytest

pytest.importorskip("richardsonpy")

from community_model import CommunityModel  # noqa: E402
from community_model.invariants import run_checked  # noqa: E402
from community_model.sources import crest  # noqa: E402


def test_a_crest_home_is_scaled_to_its_annual_load_cached_and_spikier_than_h25():
    settings = dict(profile_source="standard", n_prosumers=1, chain_enabled=False,
                    agent_data_every=0, annual_load_spread=0.0)  # fmt: skip
    model = CommunityModel(**settings, household_load_model="crest", rng=7)
    run_checked(model, 48)  # the first run computes the household year (about 20 s), cached
    source = model.profiles
    year = source._crest[:, 0]
    assert year.sum() == pytest.approx(source.annual_load_kwh[0])
    files = list(crest.default_cache_dir().glob(f"crest_{source.seed}_0_*.npy"))
    assert len(files) == 1
    again = CommunityModel(**settings, household_load_model="crest", rng=7)
    run_checked(again, 48)
    assert np.array_equal(model.step_frame()["load_kwh"], again.step_frame()["load_kwh"])
    bdew = CommunityModel(**settings, load_day_variation=0.0, load_step_noise=0.0, rng=7)
    run_checked(bdew, 48)
    # one household's hours vary far more than the smoothed profile's
    spread = model.step_frame()["load_kwh"].std() / model.step_frame()["load_kwh"].mean()
    smooth = bdew.step_frame()["load_kwh"].std() / bdew.step_frame()["load_kwh"].mean()
    assert spread > 1.5 * smooth


def test_occupants_follow_annual_consumption():
    assert crest.occupants_for(np.array([1000, 2500, 3500, 6500, 9000])).tolist() == [1, 2, 3, 5, 5]
