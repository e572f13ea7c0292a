"""Prosumer community P2P energy trading on Mesa.

>>> from community_model import CommunityModel
>>> model = CommunityModel(n_prosumers=10, rng=42)
>>> model.run_for(24)
>>> len(model.step_frame())
24
"""

from community_model.model import CommunityModel
from community_model.parameters import ParameterError, Parameters

__all__ = ["CommunityModel", "ParameterError", "Parameters"]
