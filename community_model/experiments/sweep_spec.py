"""Sweep specifications: a grid of model parameters times a list of seeds.

A sweep is every combination of the ``[grid]`` values, each run once per seed for ``hours``
steps, with the ``[fixed]`` values the same in every run. It is written as a TOML file (YAML
is accepted too, same keys, for files named ``*.yaml`` / ``*.yml``)::

    # battery.toml: 3 battery shares x 2 objectives x 5 seeds = 30 runs of 48 steps
    hours = 48                 # steps per run (default 24)
    seeds = [0, 1, 2, 3, 4]    # distinct integers in [0, 2**63 - 1], or a count: seeds = 5
    frames = true              # also keep every run's per-hour frame (default false)
    description = "free text, kept with the results"   # optional

    [fixed]                    # any model parameter, one value, the same in every run
    n_prosumers = 50
    difficulty = 2

    [grid]                     # any model parameter, a list of values; every combination runs
    battery_share = [0.0, 0.5, 1.0]
    objective = ["none", "maximize_renewable"]

Parameter names and accepted values are those of :class:`~community_model.parameters.Parameters`
(docs/parameters.md). List-valued parameters take a list under ``[fixed]``
(``pv_capacities_kw = [3, 4, 5]``) and a list of lists under ``[grid]``. TOML has no null: an
optional parameter is set to None with the string ``"none"``. Both sections are optional (no
``[grid]``: one combination, run once per seed).

Every single value is checked against its parameter's range when the spec is read, so a typo
or an out-of-range value stops the sweep before any run, with one line naming it. Rules between
parameters (``soc_min < soc_max`` ...) are checked when each run is built: a combination that
breaks one fails alone, and is reported with its parameters, while the other runs complete.

Each run is identified by a stable key (:func:`run_key`): a hash of its full parameter set
(defaults filled in, numbers normalised, so ``1`` and ``1.0`` are the same run), its seed and
its number of steps. Parameters that only decide what is recorded
(:data:`RECORDING_PARAMETERS`) are left out of the key.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import itertools
import json
import math
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import Any

from community_model import parameters as parameters_module
from community_model.parameters import ParameterError, Parameters

#: Top-level keys of a spec file.
SPEC_KEYS = ("hours", "seeds", "frames", "description", "fixed", "grid")
#: Parameters that only decide what a run records, not what it computes: not part of a run key.
RECORDING_PARAMETERS = frozenset({"agent_data_every", "agent_data_dir"})
#: Parameters a sweep refuses (every run would write into the same folder).
NOT_SWEEPABLE = frozenset({"agent_data_dir"})
#: Version of the run-key recipe; bump it if the recipe changes.
KEY_VERSION = 1


class SpecError(ValueError):
    """A sweep specification that cannot be run; the message is one line naming the problem."""


#: Largest seed count a spec may give (``seeds = N``).
MAX_SEED_COUNT = 1_000_000


@functools.cache
def _fields() -> dict[str, Any]:
    return {f.name: f for f in fields(Parameters)}


def _is_optional(f) -> bool:
    return bool(f.metadata.get("optional")) or "None" in str(f.type)


def normalise_value(name: str, value: Any, section: str | None = None) -> Any:
    """One parameter value, checked against its declared range and normalised.

    Ints become floats for float parameters, lists become tuples of floats for list
    parameters, ``"none"`` becomes None for optional ones, so that equal values compare and
    hash equally. Raises :class:`SpecError` naming the parameter (and the spec ``section``)
    and what it accepts.
    """
    _check_known(name, section)
    known = _fields()
    f = known[name]
    kind = str(f.type)
    if _is_optional(f) and isinstance(value, str) and value.strip().lower() == "none":
        value = None
    if kind == "tuple" and isinstance(value, list):
        value = tuple(value)
    try:
        parameters_module._check_field(name, value, f.metadata, f.type)
    except ParameterError as err:
        raise SpecError(f"[{section}] {err}" if section else str(err)) from None
    if value is None or f.metadata.get("choices"):
        return value
    if kind == "bool":
        return bool(value)
    if kind == "int":
        return int(value)
    if kind.startswith("float"):
        return float(value)
    if kind == "tuple":
        return tuple(float(v) for v in value)
    return value


def _check_known(name: str, section: str | None = None) -> None:
    """Raise :class:`SpecError` if ``name`` is not a parameter a sweep can set."""
    if name not in _fields():
        where = f" in [{section}]" if section else ""
        raise SpecError(f"unknown parameter {name!r}{where}{_suggest(name, _fields())}")
    if name in NOT_SWEEPABLE:
        raise SpecError(f"{name} cannot be set in a sweep: sweeps keep run KPIs and frames only")


@functools.cache
def _normalised_defaults() -> dict[str, Any]:
    out = {}
    for f in fields(Parameters):
        default = f.default if f.default is not MISSING else f.default_factory()  # type: ignore[misc]
        if f.name not in RECORDING_PARAMETERS:
            out[f.name] = _jsonable(normalise_value(f.name, default))
    return out


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    return value


def run_key(params: Mapping[str, Any], seed: int, hours: int) -> str:
    """Stable identity of a run: 16 hex digits of a SHA-256 over its full parameter set
    (defaults filled in, values normalised), its seed and its number of steps."""
    canonical = dict(_normalised_defaults())
    for name, value in params.items():
        if name not in RECORDING_PARAMETERS:
            canonical[name] = _jsonable(normalise_value(name, value))
    payload = json.dumps(
        {"v": KEY_VERSION, "params": canonical, "seed": int(seed), "hours": int(hours)},
        sort_keys=True,
        separators=(",", ":"),
        allow_nan=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Run:
    """One run of a sweep: model keywords (the spec's fixed and grid values), seed, steps."""

    index: int  #: position in the sweep's plan (seed-major: every combination with seed 1 first)
    params: Mapping[str, Any]
    seed: int
    hours: int
    key: str = ""  #: filled in from the rest by :func:`run_key`

    def __post_init__(self) -> None:
        if not self.key:
            object.__setattr__(self, "key", run_key(self.params, self.seed, self.hours))

    def label(self, names: Iterable[str] | None = None) -> str:
        """``battery_share=0.5, objective='none', seed=3`` (only ``names`` if given)."""
        shown = self.params if names is None else {n: self.params[n] for n in names}
        parts = [f"{n}={v!r}" for n, v in shown.items()]
        return ", ".join([*parts, f"seed={self.seed}"])


#: Largest seed a sweep may run: the results' tables keep seeds as 64-bit integers.
MAX_SEED = 2**63 - 1


def _check_int(name: str, value: Any, lowest: int, highest: int | None = None) -> int:
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or value < lowest
        or (highest is not None and value > highest)
    ):
        allowed = f">= {lowest}" if highest is None else f"in [{lowest}, {highest}]"
        raise SpecError(f"{name} must be an integer {allowed}, got {value!r}")
    return value


def _normalise_seeds(seeds: Any) -> tuple[int, ...]:
    if isinstance(seeds, range) or hasattr(seeds, "tolist"):  # a range or a numpy array
        seeds = list(seeds.tolist() if hasattr(seeds, "tolist") else seeds)
    if isinstance(seeds, int) and not isinstance(seeds, bool):
        if not 1 <= seeds <= MAX_SEED_COUNT:
            raise SpecError(f"seeds as a count must be in [1, {MAX_SEED_COUNT:,}], got {seeds}")
        return tuple(range(seeds))
    if not isinstance(seeds, list | tuple) or not seeds:
        raise SpecError(
            f"seeds must be a non-empty list of integers >= 0 or a count >= 1, got {seeds!r}"
        )
    out = tuple(_check_int("every seed", s, 0, MAX_SEED) for s in seeds)
    if len(set(out)) != len(out):
        raise SpecError(f"seeds must be distinct, got {list(out)}")
    return out


@dataclass(frozen=True)
class SweepSpec:
    """A grid of parameters times seeds; see the module docstring for the file format.

    >>> spec = SweepSpec(grid={"battery_share": [0, 1]}, fixed={"n_prosumers": 10}, seeds=2)
    >>> len(spec.runs()), spec.runs()[0].params
    (4, {'n_prosumers': 10, 'battery_share': 0.0})
    """

    grid: Mapping[str, Sequence[Any]] = field(default_factory=dict)
    fixed: Mapping[str, Any] = field(default_factory=dict)
    seeds: Sequence[int] | int = (0,)
    hours: int = 24
    frames: bool = False
    description: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.fixed, Mapping):
            raise SpecError(f"[fixed] must be a table of parameter = value, got {self.fixed!r}")
        if not isinstance(self.grid, Mapping):
            raise SpecError(f"[grid] must be a table of parameter = [values], got {self.grid!r}")
        fixed = {name: normalise_value(name, value, "fixed") for name, value in self.fixed.items()}
        grid = {}
        for name, values in self.grid.items():
            _check_known(name, "grid")
            if hasattr(values, "tolist"):  # a numpy array, e.g. np.linspace(0, 1, 5)
                values = values.tolist()
            if name in RECORDING_PARAMETERS:
                raise SpecError(
                    f"{name} only decides what a run records; it cannot be swept in [grid]"
                )
            if isinstance(values, str) or not isinstance(values, Sequence | range):
                raise SpecError(
                    f"[grid] {name} must be a list of values, got {values!r} "
                    "(put a single value under [fixed])"
                )
            if len(values) == 0:
                raise SpecError(f"[grid] {name} is an empty list")
            if str(_fields()[name].type) == "tuple" and not all(
                isinstance(v, list | tuple) for v in values
            ):
                raise SpecError(
                    f"[grid] {name} is a list parameter: give a list of lists, got {values!r}"
                )
            grid[name] = tuple(normalise_value(name, v, "grid") for v in values)
            if len(set(map(_hashable, grid[name]))) != len(grid[name]):
                raise SpecError(f"[grid] {name} repeats a value: {list(values)!r}")
        both = sorted(set(fixed) & set(grid))
        if both:
            raise SpecError(f"{both[0]} is both in [fixed] and in [grid]")
        if not isinstance(self.frames, bool):
            raise SpecError(f"frames must be true or false, got {self.frames!r}")
        if not isinstance(self.description, str):
            raise SpecError(f"description must be a string, got {self.description!r}")
        object.__setattr__(self, "fixed", fixed)
        object.__setattr__(self, "grid", grid)
        object.__setattr__(self, "seeds", _normalise_seeds(self.seeds))
        object.__setattr__(self, "hours", _check_int("hours", self.hours, 1))

    # ---------------------------------------------------------------------------------------
    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SweepSpec:
        """A spec from the mapping a TOML/YAML file holds (keys of :data:`SPEC_KEYS`)."""
        if not isinstance(data, Mapping):
            raise SpecError(f"a sweep spec must be a table of keys, got {type(data).__name__}")
        for key in data:
            if key not in SPEC_KEYS:
                where = (
                    " (model parameters go under [fixed] or [grid])"
                    if key in _fields()
                    else _suggest(key, SPEC_KEYS)
                )
                raise SpecError(
                    f"unknown key {key!r} at the top level{where}; "
                    f"allowed keys: {', '.join(SPEC_KEYS)}"
                )
        kwargs = {key: data[key] for key in SPEC_KEYS if key in data}
        return cls(**kwargs)

    def to_dict(self) -> dict[str, Any]:
        """Plain data (lists, no tuples) that :meth:`from_dict` reads back."""
        return {
            "description": self.description,
            "hours": self.hours,
            "seeds": list(self.seeds),
            "frames": self.frames,
            "fixed": {n: _jsonable(v) for n, v in self.fixed.items()},
            "grid": {n: [_jsonable(v) for v in vs] for n, vs in self.grid.items()},
        }

    @property
    def combinations(self) -> list[dict[str, Any]]:
        """Every combination of the grid values, in the order of the spec."""
        names = list(self.grid)
        return [dict(zip(names, values, strict=True)) for values in _product(self.grid)]

    @property
    def n_runs(self) -> int:
        """Number of runs: combinations x seeds, counted without listing them."""
        return math.prod(len(values) for values in self.grid.values()) * len(self.seeds)

    def check_size(self, max_runs: int) -> None:
        """Refuse a spec of more than ``max_runs`` runs (SpecError, before any is listed)."""
        if self.n_runs > max_runs:
            raise SpecError(
                f"the spec has {self.n_runs:,} runs ({self.summary()}), more than max_runs = "
                f"{max_runs:,}; make the grid or the seeds smaller, or raise --max-runs"
            )

    def runs(self) -> list[Run]:
        """The plan: every combination for the first seed, then for the next seed, ..."""
        plan = []
        for seed in self.seeds:
            for combination in self.combinations:
                params = {**self.fixed, **combination}
                plan.append(Run(len(plan), params, seed, self.hours))
        return plan

    def summary(self) -> str:
        """``3 battery_share x 2 objective x 5 seeds = 30 runs of 48 steps``."""
        parts = [f"{len(values)} {name}" for name, values in self.grid.items()]
        parts.append(f"{len(self.seeds)} seed{'s' if len(self.seeds) != 1 else ''}")
        n = self.n_runs
        return f"{' x '.join(parts)} = {n} run{'s' if n != 1 else ''} of {self.hours} steps"


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _product(grid: Mapping[str, Sequence[Any]]) -> Iterable[tuple]:
    return itertools.product(*grid.values())


def _suggest(word: str, choices: Iterable[str]) -> str:
    # (a YAML key may be a number, a bool or null: compare its text)
    hint = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1)
    return f" (did you mean {hint[0]!r}?)" if hint else ""


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def load_spec(path: str | Path) -> SweepSpec:
    """Read and check a sweep file (TOML, or YAML if it is named ``*.yaml``/``*.yml``).

    Every problem raises :class:`SpecError` with one line starting with the file name.
    """
    path = Path(path)
    try:
        text = path.read_bytes()
    except OSError as err:
        raise SpecError(f"cannot read sweep file {str(path)!r}: {err.strerror or err}") from None
    try:
        if path.suffix.lower() in (".yaml", ".yml"):
            data = _load_yaml(text, path)
        else:
            try:
                data = tomllib.loads(text.decode("utf-8-sig"))  # (a byte-order mark is fine)
            except UnicodeDecodeError as err:
                raise SpecError(f"not UTF-8 text: {err}") from None
            except tomllib.TOMLDecodeError as err:
                raise SpecError(f"bad TOML: {_one_line(err)}") from None
        return SweepSpec.from_dict(data)
    except SpecError as err:
        raise SpecError(f"{path}: {err}") from None


def _load_yaml(text: bytes, path: Path) -> Any:
    try:
        import yaml  # dask depends on PyYAML, so it is installed with the sweeps
    except ImportError:  # pragma: no cover - only without dask
        raise SpecError("YAML spec files need PyYAML (pip install pyyaml); use TOML") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise SpecError(f"bad YAML: {_one_line(err)}") from None
