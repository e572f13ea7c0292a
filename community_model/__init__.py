"""Prosumer community P2P energy trading on Mesa.

>>> from community_model import CommunityModel
>>> model = CommunityModel(n_prosumers=10, rng=42)
>>> model.run_for(24)
>>> len(model.step_frame())
24
"""

from importlib.metadata import PackageNotFoundError, version

from community_model.model import CommunityModel
from community_model.parameters import ParameterError, Parameters

try:
    __version__ = version("prosumer-community-sim")
except PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"

__all__ = ["CommunityModel", "ParameterError", "Parameters", "__version__"]
