"""A user's own profiles: load and PV per home, and price series, from CSV or Parquet.

File format (CSV with a header line, or Parquet with the same columns):

``timestamp``
    Start of each step: ISO 8601 with a UTC offset (``2023-01-01T00:00+01:00``) or ``Z``, or
    without one, then read on the local clock of ``timezone`` (the repeated hour of an autumn
    clock change is told apart by its order). Row k is step k: the first row is the run's
    start (``start_date`` at ``start_hour``) and rows follow each other by ``step_hours``.
``home_0``, ``home_1``, ... (load and PV files)
    Energy of each home in each step [kWh], in [0, 1e6]; ``home_k`` is the k-th home
    (prosumer row k). Columns beyond ``n_prosumers`` homes are ignored; any other column, or
    a column given twice, is refused.
``price_eur_per_kwh`` (price files)
    The grid price forecast of each step [EUR/kWh], in [0, 1000].

A run may be shorter than the file; a step beyond its last row raises an error naming it.
Every problem raises :class:`ProfileDataError` (a :class:`ParameterError`) with one line naming
the file, the column or row, and what is wrong.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from community_model.errors import ParameterError
from community_model.sources.calendar import ns, parse_iso_timestamps, step_times

FILE_SUFFIXES = (".csv", ".parquet", ".pq")
PRICE_COLUMN = "price_eur_per_kwh"


class ProfileDataError(ParameterError):
    """A user's profile file is missing or malformed; the message names file and problem."""


def read_table(path: str | Path, what: str) -> pd.DataFrame:
    """Read a CSV or Parquet file; ``what`` ("load file", ...) names it in errors."""
    path = Path(path)
    where = f"{what} {path}"
    if not path.is_file():
        raise ProfileDataError(f"{where}: no such file")
    suffix = path.suffix.lower()
    if suffix not in FILE_SUFFIXES:
        raise ProfileDataError(f"{where}: expected a .csv or .parquet file")
    try:
        if suffix == ".csv":
            return pd.read_csv(path)
        return pd.read_parquet(path)
    except Exception as err:  # noqa: BLE001 - any reader failure becomes one clear line
        message = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise ProfileDataError(f"{where}: cannot be read ({message})") from None


def parse_timestamps(
    column: pd.Series, where: str, first: pd.Timestamp, step_hours: float
) -> pd.DatetimeIndex:
    """Check that ``column`` holds the run's step times from ``first``; return them.

    Naive timestamps are read on ``first``'s local clock.
    """
    try:
        parsed = parse_iso_timestamps(column)
    except ValueError as err:
        raise ProfileDataError(f"{where}: column 'timestamp' has a bad timestamp ({err})") from None
    expected = step_times(first, step_hours, len(parsed))
    if parsed.tz is None:
        # local times are compared on the wall clock: the run's own steps tell the repeated
        # hour of an autumn clock change apart by their order, even where a file holds only
        # one of the two (inferring it from the file alone cannot)
        wrong = np.flatnonzero(ns(parsed) != ns(expected.tz_localize(None)))
    else:
        wrong = np.flatnonzero(ns(parsed) != ns(expected))
    if len(wrong):
        k = int(wrong[0])
        raise ProfileDataError(
            f"{where}: row {k + 1} has timestamp {parsed[k].isoformat()}, expected "
            f"{expected[k].isoformat()} (rows are consecutive steps of {step_hours:g} h from "
            "the run's start_date and start_hour)"
        )
    return expected


#: Largest energy a file may give one home in one step [kWh] (beyond it sums overflow).
MAX_FILE_KWH = 1e6
#: Largest price a price file may give [EUR/kWh].
MAX_FILE_PRICE = 1e3
_HOME_COLUMN = re.compile(r"home_(0|[1-9][0-9]*)")


def _numeric(
    frame: pd.DataFrame,
    name: str,
    where: str,
    negative_ok: bool = False,
    limit: float = MAX_FILE_KWH,
    unit: str = "kWh",
) -> np.ndarray:
    values = pd.to_numeric(frame[name], errors="coerce").to_numpy(float)
    bad = np.flatnonzero(~np.isfinite(values))
    if len(bad):
        k = int(bad[0])
        raise ProfileDataError(
            f"{where}: column {name!r}, row {k + 1}: {_plain(frame[name].iloc[k])!r} is not a "
            "number"
        )
    if not negative_ok:
        negative = np.flatnonzero(values < 0)
        if len(negative):
            k = int(negative[0])
            raise ProfileDataError(
                f"{where}: column {name!r}, row {k + 1}: negative value {values[k]:g}"
            )
    huge = np.flatnonzero(np.abs(values) > limit)
    if len(huge):
        k = int(huge[0])
        raise ProfileDataError(
            f"{where}: column {name!r}, row {k + 1}: {values[k]:g} {unit} is beyond the "
            f"largest value accepted, {limit:g} {unit}"
        )
    return values


def _plain(value):
    """A cell as Python shows it (``nan``, not ``np.float64(nan)``)."""
    return value.item() if isinstance(value, np.generic) else value


def home_columns(n_homes: int) -> list[str]:
    """Column names of homes 0 .. n_homes - 1."""
    return [f"home_{k}" for k in range(n_homes)]


def read_home_file(
    path: str | Path, what: str, n_homes: int, first: pd.Timestamp, step_hours: float
) -> np.ndarray:
    """Energy per step and home from a user's file [kWh], shape (rows, n_homes).

    Parameters
    ----------
    path : path
        CSV or Parquet file in the format of this module's docstring.
    what : str
        "load file" or "PV file", for messages.
    n_homes : int
        Number of homes of the run.
    first : Timestamp
        Start of step 0, tz-aware.
    step_hours : float
        Step length [h].
    """
    where = f"{what} {path}"
    frame = read_table(path, what)
    if "timestamp" not in frame.columns:
        raise ProfileDataError(f"{where}: missing column 'timestamp'")
    if len(frame) == 0:
        raise ProfileDataError(f"{where}: no rows")
    wanted = home_columns(n_homes)
    _refuse_duplicates(frame, where)
    unknown = [c for c in frame.columns if c != "timestamp" and not _HOME_COLUMN.fullmatch(str(c))]
    if unknown:
        raise ProfileDataError(
            f"{where}: unexpected column {unknown[0]!r} (expected 'timestamp', 'home_0', ...)"
        )
    missing = [c for c in wanted if c not in frame.columns]
    if missing:
        raise ProfileDataError(
            f"{where}: missing column {missing[0]!r} for home {missing[0][5:]} "
            f"(the run has {n_homes} homes, home_0 .. home_{n_homes - 1}; the file has "
            f"{sum(str(c).startswith('home_') for c in frame.columns)})"
        )
    parse_timestamps(frame["timestamp"], where, first, step_hours)
    return np.column_stack([_numeric(frame, name, where) for name in wanted])


def read_price_file(path: str | Path, first: pd.Timestamp, step_hours: float) -> np.ndarray:
    """Price forecast per step from a user's file [EUR/kWh], shape (rows,)."""
    what = "price file"
    where = f"{what} {path}"
    frame = read_table(path, what)
    for name in ("timestamp", PRICE_COLUMN):
        if name not in frame.columns:
            raise ProfileDataError(f"{where}: missing column {name!r}")
    if len(frame) == 0:
        raise ProfileDataError(f"{where}: no rows")
    parse_timestamps(frame["timestamp"], where, first, step_hours)
    _refuse_duplicates(frame, where)
    return _numeric(frame, PRICE_COLUMN, where, limit=MAX_FILE_PRICE, unit="EUR/kWh")


def _refuse_duplicates(frame: pd.DataFrame, where: str) -> None:
    """Refuse a column given twice (pandas reads a CSV's second ``home_0`` as ``home_0.1``)."""
    names = [str(c) for c in frame.columns]
    for k, name in enumerate(names):
        base, dot, suffix = name.rpartition(".")
        if name in names[:k] or (dot and suffix.isdigit() and base in names):
            raise ProfileDataError(f"{where}: column {base if dot else name!r} appears twice")


def write_home_file(
    path: str | Path, energy_kwh: np.ndarray, first: pd.Timestamp, step_hours: float
) -> Path:
    """Write energy per step and home [kWh] (rows = steps) in the format read above."""
    path = Path(path)
    energy_kwh = np.asarray(energy_kwh, float)
    times = step_times(first, step_hours, len(energy_kwh))
    frame = pd.DataFrame(energy_kwh, columns=home_columns(energy_kwh.shape[1]))
    frame.insert(0, "timestamp", [t.isoformat() for t in times])
    if path.suffix.lower() == ".csv":
        frame.to_csv(path, index=False)
    else:
        frame.to_parquet(path, index=False)
    return path


def out_of_rows(what: str, path: str, rows: int, step: int, when: pd.Timestamp) -> ProfileDataError:
    """The error for a step beyond the last row of a file (wrong length)."""
    return ProfileDataError(
        f"{what} {path}: has {rows} rows, too short for step {step} ({when.isoformat()}); "
        f"give at least {step + 1} rows or run fewer steps"
    )
