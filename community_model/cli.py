"""The ``community-sim`` command line.

``community-sim run`` accepts every model parameter as a ``--kebab-case`` flag (the list is
generated from :class:`Parameters`, so it never drifts from the model), runs the community,
writes the files and prints a summary. Bad input exits with status 2 and one line naming the
parameter and what it accepts.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Callable
from pathlib import Path

from community_model.parameters import ParameterError, Parameters

#: The command's name, at the start of every error line.
PROG = "community-sim"

#: Short flags kept from the original system's vocabulary.
ALIASES = {"n_prosumers": ["--prosumers"]}
PROGRESS_MIN_STEPS = 168  # show a progress bar on runs of a week or longer


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


def add_parameter_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("model parameters (defaults are the SPEC's)")
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


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineErrorParser(
        prog=PROG,
        description="Agent-based simulator of a P2P energy trading community (Mesa).",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=OneLineErrorParser)
    run = sub.add_parser("run", help="run one scenario, write its files, print a summary")
    run.add_argument(
        "--hours",
        type=number_argument("hours", 1, integer=True),
        default=24,
        help="number of steps to run (default 24)",
    )
    run.add_argument(
        "--seed",
        type=number_argument("seed", 0, integer=True),
        default=42,
        help="random seed (default 42)",
    )
    run.add_argument(
        "--out", type=Path, default=Path("results"), help="output folder (default results/)"
    )
    run.add_argument("--config", type=Path, help="TOML file of parameters; flags override it")
    run.add_argument("--no-files", action="store_true", help="print the summary only")
    run.add_argument(
        "--check-invariants",
        action="store_true",
        help="check energy, SOC and money invariants after every step",
    )
    run.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help=f"progress bar (default: on for {PROGRESS_MIN_STEPS}+ steps)",
    )
    add_parameter_flags(run)

    from community_model.app_command import register as register_app

    register_app(sub)
    from community_model import economics_command

    economics_command.register(sub)
    from community_model.sweep_command import register as register_sweep

    register_sweep(sub)

    verify = sub.add_parser(
        "verify-chain", help="check a chain file written by `run`, signatures included"
    )
    verify.add_argument("file", help="path of a chain.jsonl file")
    verify.add_argument(
        "--keys",
        metavar="FILE",
        help="key registry to check the signatures against (default: keys.json beside FILE)",
    )
    verify.add_argument(
        "--tip",
        metavar="HASH",
        help="hash the chain must end with (>= 16 hex digits, as `run` prints it): catches "
        "trades removed before the chain was re-mined",
    )
    return parser


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
    command's own module (``python -m community_model.sweep_command ...``)."""
    parser = OneLineErrorParser(prog=PROG)
    subparsers = parser.add_subparsers(dest="command", parser_class=OneLineErrorParser)
    register(subparsers)
    args = parser.parse_args([command, *(sys.argv[1:] if argv is None else argv)])
    return run(args)


def given_parameters(args: argparse.Namespace) -> dict:
    """Parameter values a command was given: its ``--config`` file, overridden by flags."""
    given = Parameters.read_toml(args.config) if args.config else {}
    given.update({name: getattr(args, name) for name in Parameters.names() if hasattr(args, name)})
    return given


def run_command(args: argparse.Namespace) -> int:
    from community_model.exports import write_outputs
    from community_model.model import CommunityModel
    from community_model.report import summary_report

    params = Parameters(**given_parameters(args))  # raises ParameterError with the message to show
    model = CommunityModel.from_params(params, rng=args.seed)
    checker = None
    if args.check_invariants:
        from community_model.invariants import InvariantChecker

        checker = InvariantChecker(model)
    show_progress = args.progress if args.progress is not None else args.hours >= PROGRESS_MIN_STEPS
    steps = range(args.hours)
    if show_progress:
        from tqdm import tqdm

        steps = tqdm(steps, desc="simulating", unit="h", file=sys.stderr)
    for _ in steps:
        model.step()
        if checker:
            checker.check()

    print(summary_report(model))
    if checker:
        print(f"  checks    invariants held for all {checker.steps_checked} steps")
    if not args.no_files:
        try:
            written = write_outputs(model, args.out)
        except OSError as err:
            return report_error(f"cannot write to {args.out}: {err}")
        print(f"  files     {len(written)} files in {args.out}/: " + ", ".join(written))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "app":
        return args.handler(args)
    if args.command == "sweep":
        from community_model.sweep_command import run_sweep_command

        return run_sweep_command(args)
    if args.command == "economics":
        from community_model.economics_command import run_economics_command

        return run_economics_command(args)
    if args.command == "verify-chain":
        from chain.cli_verify import main as verify_main

        options = [*(["--keys", args.keys] if args.keys else []),
                   *(["--tip", args.tip] if args.tip else [])]  # fmt: skip
        return verify_main([args.file, *options])
    try:
        if args.command == "run":
            return run_command(args)
    except ParameterError as err:
        return report_error(str(err))
    except BrokenPipeError:  # output piped into e.g. `head`: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    parser.error(f"unknown command {args.command}")
    return 2
