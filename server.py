"""The interactive app for ``solara run server.py`` from a checkout of the repository.

The app itself is :mod:`community_model.app.server`, inside the package, so that
``community-sim app`` works after a plain ``pip install`` too; this file only re-exports it.
"""

from community_model.app.server import *  # noqa: F403
from community_model.app.server import page, sessions  # noqa: F401
