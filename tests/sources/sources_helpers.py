"""Shared helpers of the profile-source tests (not a test module)."""

from __future__ import annotations

import numpy as np

from community_model.homes import draw_homes
from community_model.parameters import Parameters
from community_model.sources.factory import make_profile_source

#: Standard-source settings with the per-home variation switched off: every home is the BDEW
#: profile scaled to its annual consumption.
PLAIN_LOAD = dict(
    annual_load_spread=0.0, load_day_variation=0.0, load_step_noise=0.0, load_shift_hours=0.0
)


def year_of_profiles(params: Parameters, steps: int | None = None, seed: int = 1):
    """Build a source for ``params`` and read ``steps`` steps: (homes, source, pv, load, price)."""
    rng = np.random.default_rng(seed)
    homes = draw_homes(params, rng)
    source = make_profile_source(params, homes)
    steps = steps if steps is not None else int(round(8760 / params.step_hours))
    rows = [source.hour(k, rng) for k in range(steps)]
    pv = np.array([r.pv_kwh for r in rows])
    load = np.array([r.load_kwh for r in rows])
    price = np.array([r.price_forecast for r in rows])
    return homes, source, pv, load, price
