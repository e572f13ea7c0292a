"""``community-sim run``: run one scenario, write its files, print a summary.

Every model parameter is a ``--kebab-case`` flag (one default differs from the API's: with more
than one CPU, ``mine_in_background`` is on unless given, since it gives the same chain);
``--config FILE`` reads a TOML file of them first (flags override it). Bad input exits with
status 2 and one line naming the parameter and what it accepts. ``python -m
community_model.commands.run [options]`` runs it on its own.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from community_model.commands.common import (
    add_parameter_flags,
    add_scenario_option,
    given_parameters,
    main_of_one_command,
    number_argument,
    report_error,
)
from community_model.parameters import ParameterError, Parameters

PROGRESS_MIN_STEPS = 168  # show a progress bar on runs of a week or longer


def add_arguments(run: argparse.ArgumentParser) -> None:
    """The run command's own options and every model parameter flag."""
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
    add_scenario_option(run)
    run.add_argument("--no-files", action="store_true", help="print the summary only")
    run.add_argument(
        "--private-keys",
        type=Path,
        metavar="FILE",
        help="where the signing keys go (mode 0600; default: <out>.private-keys.json beside "
        "the output folder, never inside it)",
    )
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


def register(subparsers) -> argparse.ArgumentParser:
    """Add the ``run`` subcommand; its handler is :func:`run_command`."""
    parser = subparsers.add_parser("run", help="run one scenario, write its files, print a summary")
    add_arguments(parser)
    parser.set_defaults(handler=run_command)
    return parser


def run_command(args: argparse.Namespace) -> int:
    """Run the scenario ``args`` describe; the exit status (0, or 2 on bad input)."""
    try:
        return _run(args)
    except ParameterError as err:  # also from a data file found short or bad mid-run
        return report_error(str(err))


def _run(args: argparse.Namespace) -> int:
    from chain.anchor import ANCHOR_FILE
    from community_model.ledger import private_keys_path
    from community_model.model import CommunityModel
    from community_model.outputs.files import write_outputs
    from community_model.outputs.summary import summary_report

    given = given_parameters(args)
    if "mine_in_background" not in given and _cores() > 1:
        given["mine_in_background"] = True  # sign and mine on the second core: the same chain
    params = Parameters(**given)  # raises ParameterError with the message to show
    if not args.no_files and params.agent_data_every != 1:
        raise ParameterError(
            "agent_data_every must be 1 when the run writes its files (they hold every hour of "
            f"every prosumer), got {params.agent_data_every}; add --no-files to run without them"
        )
    if not args.no_files:  # the folder's parents are made now, as a sweep does: a path that
        try:  # cannot be written fails before the run, not after it
            args.out.resolve().parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            return report_error(f"cannot write to {args.out}: {err}")
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
    model.history.flush()  # the last, partial block of agent data (agent_data_dir)

    print(summary_report(model))
    if checker:
        print(f"  checks    invariants held for all {checker.steps_checked} steps")
    if params.chain_enabled and params.sign_trades and params.reproducible_keys:
        print(
            "  WARNING   reproducible_keys: the signing keys follow from the seed; whoever "
            "finds it (by trying seeds against keys.json) can forge trades that verify"
        )
    if not args.no_files:
        private = args.private_keys
        if private is None and model.keyring is not None:
            private = private_keys_path(args.out)
        try:
            written = write_outputs(model, args.out, private_keys=private)
        except OSError as err:
            return report_error(f"cannot write to {args.out}: {err}")
        except ValueError as err:
            return report_error(str(err))
        secret = written.pop("private keys", None)
        print(f"  files     {len(written)} files in {args.out}/: " + ", ".join(written))
        if ANCHOR_FILE in written:
            print(
                f"  anchor    {args.out}/{ANCHOR_FILE} (tip, height, difficulty): keep a copy "
                "where a forger cannot write; verify-chain checks it"
            )
        if secret is not None:
            print(f"  keys      private keys in {secret} (mode 0600): keep them secret")
    return 0


def _cores() -> int:
    """CPUs this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def main(argv: list[str] | None = None) -> int:
    """``python -m community_model.commands.run [options]``."""
    return main_of_one_command("run", register, run_command, argv)


if __name__ == "__main__":
    sys.exit(main())
