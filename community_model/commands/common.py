"""What every ``community-sim`` command shares: the one-line error parser, the model parameters
as ``--kebab-case`` flags (generated from :class:`Parameters`, so they never drift from the
model), number options with their allowed range, and the reading of ``--config`` files.

The command modules import this module; none imports the top-level parser
(:mod:`community_model.commands.main`).
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable

from community_model.parameters import Parameters

#: The command's name, at the start of every error line.
PROG = "community-sim"

#: Short flags kept from the vocabulary of the system this simulator grew from.
ALIASES = {"n_prosumers": ["--prosumers"]}


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _converter(row: dict) -> Callable[[str], object]:
    """Parse one flag's text into the parameter's type; Parameters checks the range."""
    name, default = row["name"], row["default"]

    def number(text: str):
        try:
            return int(text) if row["type"] == "int" else float(text)
        except ValueError:
            message = f"{name} must be {row['allowed']}, got {text!r}"
            raise argparse.ArgumentTypeError(message) from None

    def convert(text: str):
        if isinstance(default, bool):
            word = text.strip().lower()
            if word in ("true", "yes", "on", "1"):
                return True
            if word in ("false", "no", "off", "0"):
                return False
            raise argparse.ArgumentTypeError(f"{name} must be true or false, got {text!r}")
        if isinstance(default, tuple):
            return tuple(number(part) for part in text.split(",") if part.strip())
        if row["type"].endswith("| None") and text.strip().lower() == "none":
            return None
        if row["type"].startswith(("int", "float")):
            return number(text)
        return text

    return convert


def add_scenario_option(parser: argparse.ArgumentParser) -> None:
    """``--scenario NAME``: a shipped scenario (community_model/scenarios/NAME.toml)."""
    from community_model.scenarios import scenario_names

    parser.add_argument(
        "--scenario",
        choices=scenario_names(),
        help="a named scenario (its TOML file ships in community_model/scenarios/); "
        "--config and flags override it",
    )


def add_parameter_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("model parameters (defaults: the seed scenario's)")
    for row in Parameters.describe():
        default = row["default"]
        shown = ",".join(f"{v:g}" for v in default) if isinstance(default, tuple) else default
        help_text = f"{row['doc']} [{row['unit']}]; {row['allowed']}; default {shown}"
        group.add_argument(
            _flag(row["name"]),
            *ALIASES.get(row["name"], []),
            dest=row["name"],
            type=_converter(row),
            default=argparse.SUPPRESS,
            metavar=row["unit"] if row["unit"] != "-" else "VALUE",
            help=help_text.replace("%", "%%"),
        )


def report_error(message: str) -> int:
    """Print ``community-sim: error: MESSAGE`` on stderr; return the exit status 2 (bad input)."""
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return 2


class OneLineErrorParser(argparse.ArgumentParser):
    """Report bad input in one line (not the whole usage), exit status 2; no abbreviated
    flags (``--prosumer`` must not silently mean ``--prosumers``)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def number_argument(name: str, lo: float, hi: float = math.inf, integer: bool = False):
    """An argparse ``type`` accepting a number in ``[lo, hi]`` (an integer if ``integer``); its
    error names the option and the allowed range, e.g. ``hours must be an integer >= 1``."""

    def parse(text: str):
        try:
            value = int(text) if integer else float(text)
        except ValueError:
            value = None
        if value is None or not lo <= value <= hi:  # NaN fails the comparison too
            kind = "an integer" if integer else "a number"
            allowed = f">= {lo:g}" if hi == math.inf else f"in [{lo:g}, {hi:g}]"
            raise argparse.ArgumentTypeError(f"{name} must be {kind} {allowed}, got {text!r}")
        return value

    return parse


def main_of_one_command(command: str, register, run, argv: list[str] | None) -> int:
    """Run ``community-sim COMMAND ARGS`` with only that command registered: the ``main`` of a
    command's own module (``python -m community_model.commands.sweep ...``)."""
    parser = OneLineErrorParser(prog=PROG)
    subparsers = parser.add_subparsers(dest="command", parser_class=OneLineErrorParser)
    register(subparsers)
    args = parser.parse_args([command, *(sys.argv[1:] if argv is None else argv)])
    return run(args)


def given_parameters(args: argparse.Namespace) -> dict:
    """Parameter values a command was given: its ``--scenario``, overridden by its
    ``--config`` file, overridden by flags."""
    given = {}
    if getattr(args, "scenario", None):
        from community_model.scenarios import scenario_parameters

        given.update(scenario_parameters(args.scenario))
    given.update(Parameters.read_toml(args.config) if args.config else {})
    given.update({name: getattr(args, name) for name in Parameters.names() if hasattr(args, name)})
    return given
