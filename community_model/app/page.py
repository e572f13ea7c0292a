"""The page: one model per browser session, the controls in the sidebar, the panels beside.

The sidebar holds the run (one time label: the step just run with its date and time; Reset,
Play/Pause and Step, the last two disabled while there is no model to run), the controls in
collapsible sections (:mod:`~community_model.app.controls`; a changed value says "Reset to
apply" until Reset builds a model from it) and the downloads
(:mod:`~community_model.app.export`). Each panel re-renders on its own after a step (it reads
Mesa's ``update_counter``), so a step does not redraw the sidebar.

The app needs no internet (Solara serves every asset locally, see the README); Solara's
telemetry and its "runs on Solara" banner are off; a session's kernel is culled within
:data:`SESSION_CULL_TIMEOUT` of its browser going away; at most :data:`MAX_SESSIONS` sessions
hold a model at once.
"""

from __future__ import annotations

import os
import threading
import time

import solara
import solara.lab
from mesa.visualization.utils import force_update, update_counter

from community_model.app import export
from community_model.app.common import APP_NAME, AppModel, time_text
from community_model.app.compare import Compare
from community_model.app.controls import MODEL_PARAMS, Controls, changed, initial_values
from community_model.app.feeder import Feeder
from community_model.app.hover import CSS as HOVER_CSS
from community_model.app.panels import COMPONENTS as PANELS

COMPONENTS = [*PANELS, Feeder]
PLAY_INTERVAL_S = 0.05  #: pause between two steps while playing [s]
#: Narrowest column of panels [px]: a figure (600 px) with its card's padding, so the figures
#: are shown at their own size and their 10 pt text stays 10 pt: two columns in a window of
#: about 1,750 px and more (1,920 px: 742 px each), one below.
PANEL_MIN_WIDTH = 650
CSS = f"""
.app-time {{ font-size: 15px; font-weight: 600; }}
.app-section {{ font-weight: 600; }}
.v-expansion-panel-content__wrap {{ padding: 0 12px 4px 12px; }}
.v-input .v-label {{ font-size: 14px; }}
.app-panels {{
    display: grid; gap: 12px; align-items: stretch;
    grid-template-columns: repeat(auto-fill, minmax(min({PANEL_MIN_WIDTH}px, 100%), 1fr));
}}
"""

#: Most browser sessions the app serves at once; each holds a model (about 15 MB). A session
#: beyond it gets a message instead. ``COMMUNITY_SIM_MAX_SESSIONS`` overrides it.
MAX_SESSIONS = int(os.environ.get("COMMUNITY_SIM_MAX_SESSIONS", "20"))
#: How long Solara keeps the kernel (and model) of a session whose browser went away without
#: closing it (Solara's default: 24 h).
SESSION_CULL_TIMEOUT = "2m"
_sessions: set[str] = set()  # ids of the kernels that hold a model
_sessions_lock = threading.Lock()


def _configure_solara() -> None:
    """Telemetry off and disconnected sessions culled within minutes, however the app is
    started (``solara run server.py`` reads this module before it reports its start)."""
    import solara.server.settings as settings

    os.environ["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    settings.telemetry.mixpanel_enable = False
    settings.theme.show_banner = False  # no "This website runs on Solara" badge
    settings.kernel.cull_timeout = SESSION_CULL_TIMEOUT


def _kernel_id() -> str | None:
    try:
        from solara.server import kernel_context

        return kernel_context.get_current_context().id
    except Exception:  # noqa: BLE001 - outside a server (tests, notebooks): no kernel
        return None


def _on_kernel_start():
    """A session's kernel started: free its place when the kernel closes (or is culled)."""
    kernel = _kernel_id()

    def release() -> None:
        with _sessions_lock:
            _sessions.discard(kernel)

    return release


def claim_session() -> bool:
    """Whether this session may hold a model (fewer than :data:`MAX_SESSIONS` do)."""
    kernel = _kernel_id()
    if kernel is None:
        return True
    with _sessions_lock:
        if kernel in _sessions or len(_sessions) < MAX_SESSIONS:
            _sessions.add(kernel)
            return True
    return False


_configure_solara()
solara.lab.on_kernel_start(_on_kernel_start)


@solara.component
def Panel(view, model):
    """A panel, re-rendered after every step."""
    update_counter.get()
    with solara.Card(margin=0, style={"height": "100%"}) as card:
        view(model)
    return card


@solara.component
def RunControls(model: solara.Reactive, values: solara.Reactive, applied: solara.Reactive):
    """The time label, Reset / Play / Step, and the "changed: Reset to apply" notice."""
    update_counter.get()
    playing = solara.use_reactive(False)
    current = model.value
    can_run = current.error is None and current.running

    def play():
        while playing.value and model.value.running and model.value.error is None:
            model.value.step()
            force_update()
            time.sleep(PLAY_INTERVAL_S)
        playing.set(False)

    solara.use_thread(play, dependencies=[playing.value, current])

    def step():
        model.value.step()
        force_update()

    def reset():
        playing.set(False)
        model.set(AppModel(**values.value))
        applied.set(dict(values.value))
        force_update()

    pending = changed(values.value, applied.value)
    solara.Text(f"Now: {time_text(current)}", classes=["app-time"])
    with solara.Row(justify="space-between"):
        solara.Button("Reset", color="warning" if pending else "primary", on_click=reset)
        solara.Button(
            "Pause" if playing.value else "Play", color="primary", disabled=not can_run,
            on_click=lambda: playing.set(not playing.value),
        )  # fmt: skip
        solara.Button("Step", color="primary", on_click=step, disabled=playing.value or not can_run)
    if pending:
        names = ", ".join(MODEL_PARAMS[n].get("label") if n in MODEL_PARAMS else n for n in pending)
        solara.Warning(f"changed: {names}. Reset to apply.", dense=True)
    elif current.error is not None:
        solara.Text("No model to run: change the values and press Reset.")
    elif not current.running:
        solara.Text("The run has ended.")


#: The scenario picker's first entry: the controls as the user set them.
CUSTOM = "custom"


def scenario_values(name: str) -> dict[str, object]:
    """The controls' values for scenario ``name``: every parameter of its TOML file (also
    those without a control, e.g. the weather station or the tariff) over the defaults, with
    the controls' seed."""
    from community_model.scenarios import scenario_parameters

    values = initial_values()
    values.update(scenario_parameters(name))
    return values


@solara.component
def ScenarioPicker(values: solara.Reactive):
    """A select of the named scenarios (community_model/scenarios): picking one fills the
    controls with its parameters; Reset then builds it."""
    from community_model.scenarios import scenario_names

    picked = solara.use_reactive(CUSTOM)

    def pick(name: str) -> None:
        picked.set(name)
        if name != CUSTOM:
            values.set(scenario_values(name))

    solara.Select(
        "Scenario", value=picked.value, values=[CUSTOM, *scenario_names()], on_value=pick,
    )  # fmt: skip


@solara.component
def Downloads(model: solara.Reactive):
    """The run's frames, parameters and chain (figures: the button under each)."""
    update_counter.get()
    m = model.value
    if m.error is not None:
        solara.Text("No model, nothing to download.")
        return
    seed = m.app_seed
    solara.FileDownload(lambda: export.frames_csv(m), f"steps_{m.steps}.csv",
                        label="Frames (CSV)", mime_type="text/csv")  # fmt: skip
    solara.FileDownload(lambda: export.frames_parquet(m), f"steps_{m.steps}.parquet",
                        label="Frames (Parquet)")  # fmt: skip
    solara.FileDownload(lambda: export.parameters_toml(m.params, seed, m.steps),
                        "parameters.toml", label="Parameters (TOML)",
                        mime_type="application/toml")  # fmt: skip
    if getattr(m, "blockchain", None) is not None:
        solara.FileDownload(lambda: export.chain_bytes(m), "chain.jsonl", label="Chain (JSONL)",
                            mime_type="application/jsonl")  # fmt: skip


@solara.component
def Dashboard(first: AppModel):
    model = solara.use_reactive(first)
    values = solara.use_reactive(initial_values())
    applied = solara.use_reactive(initial_values())
    solara.Style(CSS + HOVER_CSS)
    with solara.AppBar():
        solara.AppBarTitle(APP_NAME)
        solara.lab.ThemeToggle()
    with solara.Sidebar():
        with solara.Card("Run", margin=0):
            RunControls(model, values, applied)
            ScenarioPicker(values)
        Controls(values, applied.value)
        with solara.Card("Download", margin=0):
            Downloads(model)
        Compare(values)
    with solara.Div(classes=["app-panels"]):
        for panel in COMPONENTS:
            Panel(panel, model.value)


@solara.component
def Page():
    """One model per browser session (a module-level model would be shared by all), for at
    most :data:`MAX_SESSIONS` sessions at once."""
    admitted = solara.use_memo(claim_session, [])
    model = solara.use_memo(lambda: AppModel(**initial_values()) if admitted else None, [])
    if model is None:
        return solara.Warning(
            f"The app serves at most {MAX_SESSIONS} sessions at once and all are in use. "
            "Close another tab, or try again in a few minutes (a closed tab frees its place "
            f"at once, one that lost its connection within {SESSION_CULL_TIMEOUT})."
        )
    return Dashboard(model)


page = Page
