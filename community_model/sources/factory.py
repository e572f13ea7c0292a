"""One factory for every profile source: :func:`make_profile_source`."""

from __future__ import annotations

from community_model.homes import Homes
from community_model.parameters import Parameters
from community_model.sources.base import ProfileSource


def make_profile_source(params: Parameters, homes: Homes) -> ProfileSource:
    """The profile source that ``params.profile_source`` names."""
    if params.profile_source == "synthetic" and params.price_source == "synthetic":
        from community_model.sources.synthetic import SyntheticProfiles

        return SyntheticProfiles(params, homes)
    if params.profile_source in ("synthetic", "standard", "files"):
        from community_model.sources.real import make_real_source  # weather, BDEW, tariffs

        return make_real_source(params, homes)
    raise ValueError(f"unknown profile_source {params.profile_source!r}")  # validated earlier
