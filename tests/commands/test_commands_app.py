"""``community-sim app``: the subcommand and the server command it starts."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from community_model.commands import app as app_command

ROOT = Path(__file__).resolve().parents[2]


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="community-sim")
    app_command.register(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(argv)


class FakeServer:
    """Stands in for the solara process; records how it was started and stopped."""

    started: list[tuple[list[str], dict]] = []

    def __init__(self, command, env=None, interrupt=False):
        FakeServer.started.append((command, env))
        self.interrupt = interrupt
        self.terminated = False

    def wait(self, timeout=None):
        if self.interrupt and not self.terminated:
            raise KeyboardInterrupt
        return 0

    def terminate(self):
        self.terminated = True

    def kill(self):
        self.terminated = True


@pytest.fixture
def started(monkeypatch):
    FakeServer.started = []
    monkeypatch.setattr(subprocess, "Popen", FakeServer)
    return FakeServer.started


def test_defaults():
    args = parse(["app"])
    assert (args.host, args.port, args.no_open) == ("127.0.0.1", 8765, False)
    assert args.handler is app_command.run_app


def test_host_and_port():
    args = parse(["app", "--host", "0.0.0.0", "--port", "9000", "--no-open"])
    assert (args.host, args.port, args.no_open) == ("0.0.0.0", 9000, True)


@pytest.mark.parametrize("port", ["http", "-1", "70000"])
def test_bad_port_is_refused(port, capsys):
    with pytest.raises(SystemExit) as exit_info:
        parse(["app", "--port", port])
    assert exit_info.value.code == 2
    assert "port must be an integer in [0, 65535]" in capsys.readouterr().err


def test_the_app_is_served_from_inside_the_package():
    """So that an installed wheel has it (the top-level server.py only re-exports it)."""
    assert app_command.SERVER_PATH == ROOT / "community_model" / "app" / "server.py"
    assert app_command.SERVER_PATH.is_file()
    top = (ROOT / "server.py").read_text()
    assert "from community_model.app.server import" in top


def test_a_missing_app_extra_is_one_line_naming_it(monkeypatch, capsys, started):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "solara" else real(name, *a)
    )
    assert app_command.run_app(parse(["app"])) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "optional extra 'app'" in err and "solara" in err
    assert "pip install 'prosumer-community-sim[app]'" in err
    assert started == []


def test_run_app_starts_solara_in_production_without_telemetry(started, capsys):
    args = parse(["app", "--port", "9123", "--no-open"])
    assert app_command.run_app(args) == 0
    ((command, env),) = started
    server = ROOT / "community_model" / "app" / "server.py"
    assert command[:5] == [sys.executable, "-m", "community_model.app.serve", "run", str(server)]
    assert command[5:] == ["--host", "127.0.0.1", "--port", "9123", "--production", "--no-open"]
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"
    assert "http://127.0.0.1:9123" in capsys.readouterr().out


def test_ctrl_c_stops_the_server(monkeypatch):
    servers = []

    def popen(command, env=None):
        servers.append(FakeServer(command, env, interrupt=True))
        return servers[-1]

    monkeypatch.setattr(subprocess, "Popen", popen)
    assert app_command.run_app(parse(["app"])) == 0
    assert servers[0].terminated


def test_missing_server_is_reported(monkeypatch, tmp_path, capsys, started):
    monkeypatch.setattr(app_command, "SERVER_PATH", tmp_path / "server.py")
    assert app_command.run_app(parse(["app"])) == 2
    assert "server.py is missing" in capsys.readouterr().err
    assert started == []


def test_the_app_is_served_without_websocket_compression(monkeypatch):
    """community_model.app.serve runs Solara's own command line, with uvicorn's
    permessage-deflate off (the figures are PNGs: compressing them again only costs time)."""
    import solara.__main__
    import uvicorn

    from community_model.app import serve

    seen = {}

    def cli(argv, prog_name):
        config = uvicorn.Config(app="solara.server.starlette:app", ws_per_message_deflate=True)
        seen.update(argv=argv, prog_name=prog_name, deflate=config.ws_per_message_deflate)

    monkeypatch.setattr(solara.__main__, "cli", cli)
    monkeypatch.setattr(uvicorn, "Config", uvicorn.Config)  # restored after the test
    serve.main(["run", "server.py", "--port", "9123"])
    assert seen == {"argv": ["run", "server.py", "--port", "9123"], "prog_name": "solara",
                    "deflate": False}  # fmt: skip
