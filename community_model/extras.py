"""Optional extras: which modules each needs, and the one-line error when one is missing.

``pip install prosumer-community-sim`` installs the model, the command line and what the
notebooks import; the parts below need an extra (``pip install 'prosumer-community-sim[grid]'``).
A missing extra is found with ``importlib.util.find_spec`` (nothing is imported) and reported
as a :class:`MissingExtraError`: a :class:`ParameterError`, so the command line prints it as
one line and exits with status 2.
"""

from __future__ import annotations

import importlib.util

from community_model.errors import ParameterError

#: extra -> the modules it provides (the first import of each part)
EXTRAS: dict[str, tuple[str, ...]] = {
    "app": ("solara", "ipyvuetify", "ipyvue", "altair"),
    "dask": ("distributed",),
    "grid": ("pandapower",),
    "learning": ("pettingzoo", "gymnasium"),
    "crest": ("richardsonpy",),
}


class MissingExtraError(ParameterError):
    """A part of the package whose optional extra is not installed."""


def missing_modules(extra: str) -> list[str]:
    """The modules of ``extra`` that cannot be imported here."""
    return [name for name in EXTRAS[extra] if importlib.util.find_spec(name) is None]


def require(extra: str, what: str) -> None:
    """Raise :class:`MissingExtraError` naming ``extra`` if any of its modules is missing;
    ``what`` says what needs it (e.g. "grid 'radial'")."""
    missing = missing_modules(extra)
    if missing:
        raise MissingExtraError(
            f"{what} needs the optional extra '{extra}' ({', '.join(missing)} missing): "
            f"pip install 'prosumer-community-sim[{extra}]'"
        )
