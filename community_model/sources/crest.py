"""Individual household loads from the CREST model (richardsonpy), cached per home and seed.

A BDEW standard profile is the smoothed mean of many households; one household is spiky
(a kettle, an oven, lights), which lowers what its own PV can cover. The CREST domestic
electricity demand model simulates each household minute by minute from an occupancy Markov
chain and appliance use (Richardson et al. 2010); ``richardsonpy`` implements it with its
data shipped. A year of one household takes 15-30 s, so each profile is computed once and
cached as ``crest_<seed>_<home>_<occupants>.npy`` (hourly energy, kWh) in ``cache_dir``.

Install: ``pip install richardsonpy`` (extra ``crest``); imported only when used.

References
----------
Richardson, I., Thomson, M., Infield, D., Clifford, C. (2010): Domestic electricity use: A
high-resolution energy demand model. Energy and Buildings 42(10), 1878-1887.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import numpy as np

MINUTES_PER_YEAR = 525_600


def default_cache_dir() -> Path:
    """``$COMMUNITY_MODEL_CACHE`` or ``~/.cache/community_model``, subfolder ``crest``."""
    base = os.environ.get("COMMUNITY_MODEL_CACHE") or Path.home() / ".cache" / "community_model"
    return Path(base) / "crest"


def occupants_for(annual_load_kwh: np.ndarray) -> np.ndarray:
    """Occupants of each home (1 .. 5) from its annual consumption [-]: about 1,500 kWh/a
    for one person plus 1,000 kWh/a for each more (German households, BDEW 2023)."""
    return np.clip(np.round((np.asarray(annual_load_kwh) - 500.0) / 1000.0), 1, 5).astype(int)


def household_year_kwh(seed: int, home: int, occupants: int, cache_dir: Path | None = None):
    """Hourly energy of one CREST household over a year, 8760 values [kWh].

    Deterministic in (``seed``, ``home``, ``occupants``); Python's and numpy's global random
    states, which richardsonpy draws from, are restored afterwards.
    """
    cache = Path(cache_dir) if cache_dir else default_cache_dir()
    path = cache / f"crest_{seed}_{home}_{occupants}.npy"
    if path.exists():
        return np.load(path)
    import richardsonpy.classes.electric_load as eload
    import richardsonpy.classes.occupancy as occ
    import richardsonpy.functions.change_resolution as cr
    import richardsonpy.functions.load_radiation as loadrad

    # richardsonpy draws from the legacy global generators: seed them, then restore them
    saved_py, saved_np = random.getstate(), np.random.get_state()  # noqa: NPY002
    try:
        household_seed = int(np.random.SeedSequence([seed, home, occupants]).generate_state(1)[0])
        random.seed(household_seed)
        np.random.seed(household_seed)  # noqa: NPY002
        occupancy = occ.Occupancy(number_occupants=occupants)
        direct, diffuse = loadrad.get_rad_from_try_path()  # lighting: richardsonpy's TRY
        direct = cr.change_resolution(direct, old_res=3600, new_res=60)
        diffuse = cr.change_resolution(diffuse, old_res=3600, new_res=60)
        load = eload.ElectricLoad(
            occ_profile=occupancy.occupancy, total_nb_occ=occupants, q_direct=direct,
            q_diffuse=diffuse, timestep=60,
        )  # fmt: skip
    finally:
        random.setstate(saved_py)
        np.random.set_state(saved_np)  # noqa: NPY002
    watts = np.asarray(load.loadcurve, float)[:MINUTES_PER_YEAR]
    hourly_kwh = watts.reshape(8760, 60).sum(axis=1) * 60.0 / 3.6e6
    cache.mkdir(parents=True, exist_ok=True)
    np.save(path, hourly_kwh)
    return hourly_kwh


def community_year_kwh(seed: int, annual_load_kwh: np.ndarray, cache_dir: Path | None = None):
    """(8760, n) hourly load of each home [kWh], CREST households scaled to each home's
    annual consumption ``annual_load_kwh`` [kWh/a]."""
    occupants = occupants_for(annual_load_kwh)
    columns = []
    for home, (persons, annual) in enumerate(zip(occupants, annual_load_kwh, strict=True)):
        year = household_year_kwh(seed, home, int(persons), cache_dir)
        columns.append(year / year.sum() * annual)
    return np.column_stack(columns)
