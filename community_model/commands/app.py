"""``community-sim app``: start the interactive Solara app in a browser.

:func:`register` adds the subcommand to the command line's subparsers; :func:`run_app` runs
``solara run community_model/app/server.py --host ... --port ... --production`` (through
:mod:`community_model.app.serve`, which turns the websocket's per-message compression off)
until it is stopped (Ctrl-C). The app needs the optional extra ``app`` (Solara and its widgets).
Every asset of the app is served locally, so it works without internet access.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

#: The module Solara serves, inside the package (so an installed wheel has it).
SERVER_PATH = Path(__file__).resolve().parents[1] / "app" / "server.py"

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


def register(subparsers) -> argparse.ArgumentParser:
    """Add the ``app`` subcommand; its handler is ``args.handler`` (:func:`run_app`)."""
    parser = subparsers.add_parser(
        "app",
        help="open the interactive app (Solara) in the browser",
        description="Serve the interactive app with Solara: sliders for the "
        "parameters, Step/Play/Reset, live plots of energy, prices, batteries, trades, the "
        "chain and the regulator. Stop it with Ctrl-C.",
    )
    parser.add_argument(
        "--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST})"
    )
    parser.add_argument(
        "--port", type=_port, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})"
    )
    parser.add_argument(
        "--no-open", action="store_true", help="do not open a browser window on start"
    )
    parser.set_defaults(handler=run_app)
    return parser


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port must be an integer in [0, 65535], got {text!r}")
    return port


def solara_command(host: str, port: int, open_browser: bool = True) -> list[str]:
    """The command line that serves the app."""
    command = [sys.executable, "-m", "community_model.app.serve", "run", str(SERVER_PATH)]
    command += ["--host", host, "--port", str(port), "--production"]
    if not open_browser:
        command.append("--no-open")
    return command


def app_environment() -> dict[str, str]:
    """The environment of the server: ours, with Solara's usage telemetry switched off and
    websocket frames written straight from the thread that renders (Solara's
    ``SOLARA_SERVER_SYNC_WS_WRITE``; without it every message waits for a hop to the event
    loop: about 7 ms of a step here; Solara falls back by itself where it cannot)."""
    return {
        "SOLARA_SERVER_SYNC_WS_WRITE": "true",
        **os.environ,
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
    }


def run_app(args: argparse.Namespace) -> int:
    """Serve the app until it is stopped; return the exit status."""
    from community_model.extras import MissingExtraError, require

    try:
        require("app", "the app")
    except MissingExtraError as err:
        print(f"community-sim: error: {err}", file=sys.stderr)
        return 2
    if not SERVER_PATH.is_file():
        print(
            f"community-sim: error: the app {SERVER_PATH} is missing; reinstall the package "
            "(pip install 'prosumer-community-sim[app]')",
            file=sys.stderr,
        )
        return 2
    command = solara_command(args.host, args.port, not getattr(args, "no_open", False))
    print(f"serving the app on http://{args.host}:{args.port} (Ctrl-C stops it)", flush=True)
    process = subprocess.Popen(command, env=app_environment())
    try:
        return process.wait()
    except KeyboardInterrupt:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        return 0
