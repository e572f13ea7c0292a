"""The module Solara serves: ``community-sim app`` runs ``solara run`` on this file (the
top-level ``server.py`` of a checkout re-exports it for ``solara run server.py``).

A thin entry: the dashboard lives in the package :mod:`community_model.app` (controls, plots,
panels, export, the page and its sessions); see its docstring. The names below are re-exported
for scripts and tests that load this file.
"""

from __future__ import annotations

from community_model.app import page as _page
from community_model.app.common import (  # noqa: F401
    APP_NAME,
    CHAIN_ROWS,
    SEED,
    TABLE_ROWS,
    WINDOW,
    AppModel,
    hour_text,
    hourly,
    time_text,
)
from community_model.app.controls import (  # noqa: F401
    GROUPS,
    MODEL_PARAMS,
    SLIDERS,
    build_model_params,
    initial_values,
)
from community_model.app.feeder import Feeder  # noqa: F401
from community_model.app.page import COMPONENTS, MAX_SESSIONS, Page, claim_session  # noqa: F401
from community_model.app.panels import (  # noqa: F401
    Battery,
    ChainView,
    Community,
    EnergyFlows,
    LatestTrades,
    Prices,
    Prosumer,
    Regulator,
    Shares,
    picked,
)

sessions = _page  #: the module that holds the session cap (``MAX_SESSIONS``, ``_sessions``)
page = Page
