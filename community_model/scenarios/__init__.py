"""Named scenarios: TOML parameter files that ship with the package.

``seed``
    The original system, today's defaults (what ``make run`` runs).
``germany_2024``
    A present-day German community: real weather and load, 0.40/0.08 EUR/kWh, homes without
    PV, batteries sized per MWh of load with power from a C-rate.
``quartierstrom``
    The Walenstadt pilot of 2019 (Ableitner et al. 2020), against its published
    self-sufficiency and self-consumption.

Each file holds a ``[parameters]`` table, read as :meth:`Parameters.read_toml` reads a
``--config`` file; copy one (:func:`scenario_path`) to start your own. Use them as
``community-sim run --scenario NAME`` or ``CommunityModel.from_scenario(NAME, **overrides)``.

References
----------
Ableitner, L., Tiefenbeck, V., Meeuw, A., Wörner, A., Fleisch, E., Wortmann, F. (2020):
User behavior in a real-world peer-to-peer electricity market. Applied Energy 270, 115061.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from community_model.errors import ParameterError

HERE = Path(__file__).parent


def scenario_names() -> tuple[str, ...]:
    """Names of the shipped scenarios, sorted."""
    return tuple(sorted(path.stem for path in HERE.glob("*.toml")))


def scenario_path(name: str) -> Path:
    """The TOML file of scenario ``name``; ParameterError naming the choices if unknown."""
    path = HERE / f"{name}.toml"
    if name not in scenario_names():
        raise ParameterError(f"scenario must be one of {list(scenario_names())}, got {name!r}")
    return path


def scenario_parameters(name: str) -> dict[str, Any]:
    """The parameter values scenario ``name`` sets (the rest keep their defaults)."""
    from community_model.parameters import Parameters

    return Parameters.read_toml(scenario_path(name))
