"""The model as the app runs it, and the time helpers every view shares."""

from __future__ import annotations

import inspect
import logging
import math
import weakref

import mesa
import numpy as np
import pandas as pd

from community_model import CommunityModel, ParameterError, Parameters

log = logging.getLogger(__name__)

APP_NAME = "Prosumer community"
SEED = 42  #: the seed the app starts with
WINDOW = 168  #: steps shown in the time plots (the latest week of hours)
DAY = 24  #: the time axes grow and move on by this many steps
TABLE_ROWS = 10  #: trades listed in "Latest trades"
CHAIN_ROWS = 8  #: blocks listed in "Chain"


class AppModel(CommunityModel):
    """``CommunityModel`` whose construction and steps never raise into the app.

    SolaraViz 3.5 builds a new model only on Reset, as ``type(model)(**values)`` inside the
    button's handler; an exception there replaces the whole page with its traceback. Here the
    values are validated first; a refusal (or any failure to build) gives a bare Mesa model
    with no community that carries the message in ``error`` and does not run (``running``
    False): the first view shows the message, the others say there is no model. A failure
    inside a step is caught the same way. The keywords are exactly ``CommunityModel``'s
    (SolaraViz checks the controls against this signature and passes them by name).
    """

    error: str | None = None  #: why this model cannot run, shown by every view
    app_seed: int | None = None  #: the seed it was built with (for the TOML download)

    def __init__(self, **values):
        try:
            Parameters(**{k: v for k, v in values.items() if k != "rng"})
        except (ParameterError, TypeError) as exc:
            self._refuse(values, str(exc))
            return
        try:
            super().__init__(**values)
        except Exception as exc:  # e.g. a data source that cannot be read
            log.exception("building the model failed")
            self._refuse(values, f"the model could not be built: {exc}")
            return
        self.app_seed = values.get("rng")

    def _refuse(self, values: dict, message: str) -> None:
        mesa.Model.__init__(self, rng=values.get("rng"))  # a bare Mesa model: time, steps
        self.error = message
        self.running = False

    __init__.__signature__ = inspect.signature(CommunityModel.__init__)

    def step(self) -> None:
        if self.error is not None:
            self.running = False
            return
        try:
            super().step()
        except Exception as exc:  # shown in the app; the traceback goes to the server log
            log.exception("step %d failed", self.steps)
            self.error = f"step {self.steps} failed: {exc}"
            self.running = False


def window_start(steps: int) -> int:
    """First step the time plots show: whole days are dropped to keep at most ``WINDOW``."""
    return DAY * math.ceil(max(0, steps - WINDOW) / DAY)


_hourly_frames: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def hourly(model: CommunityModel) -> pd.DataFrame:
    """Model reporters of the steps the time plots show, with an ``hour`` column (read-only).

    Read straight from the DataCollector's lists (their first entry is the state before step
    1), so the cost does not grow with the length of the run; built once per step and model
    (five plots read it, and each build costs about 3 ms).
    """
    cached = _hourly_frames.get(model)
    if cached is None or cached[0] != model.steps:
        cached = (model.steps, _hourly_frame(model))
        _hourly_frames[model] = cached
    return cached[1]


def _hourly_frame(model: CommunityModel) -> pd.DataFrame:
    first = window_start(model.steps)
    n = model.steps - first
    columns = model.datacollector.model_vars
    frame = pd.DataFrame(
        {name: values[len(values) - n :] if n else [] for name, values in columns.items()}
    )
    frame.insert(0, "hour", np.arange(first, model.steps))
    return frame


def run_total(model: CommunityModel, name: str) -> float:
    """Sum of a model reporter over every executed step."""
    return float(np.nansum(model.datacollector.model_vars[name][1:]))


def time_label(model: CommunityModel) -> str:
    return "hour" if model.params.step_hours == 1 else "step"


def hour_text(model: CommunityModel) -> str:
    """Names the step just run (0-based, as in the plots and files)."""
    return f"{time_label(model)} {model.steps - 1}" if model.steps else "before the first hour"


def step_times(model: CommunityModel, first: int, n: int) -> pd.DatetimeIndex | None:
    """Start times of steps ``first`` .. ``first + n - 1`` from the run's calendar (None if
    the model has none, e.g. one that could not be built)."""
    try:
        from community_model.sources.calendar import run_times

        return run_times(model.params, n, offset=first)
    except Exception:  # noqa: BLE001 - a model without a calendar: hours only
        return None


def time_text(model: CommunityModel) -> str:
    """The one time label of the page: the step just run, with its date and time."""
    if getattr(model, "error", None) is not None:
        return "no model"
    if not model.steps:
        return "before the first hour"
    times = step_times(model, model.steps - 1, 1)
    when = f", {times[0]:%a %Y-%m-%d %H:%M}" if times is not None else ""
    return f"{hour_text(model)}{when}"
