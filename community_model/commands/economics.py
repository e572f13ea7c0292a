"""``community-sim economics``: a year of bills, P2P and battery economics, four scenarios.

Runs the community with and without P2P trading, with and without batteries (see
:mod:`community_model.experiments.economics`), prints the comparison and writes
``economics_homes.csv`` (one row per home and a ``community`` row) and
``economics_scenarios.csv``. Every model parameter is a flag, as for ``run``; unless
``--profile-source`` is given the command uses the ``standard`` sources (weather and BDEW load).
Exit status 2 with one line on bad input.

``commands/main.py`` wires it with :func:`register` and :func:`run_economics_command`;
``python -m community_model.commands.economics [options]`` runs it on its own.
"""

from __future__ import annotations

import argparse
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

HOMES_FILE = "economics_homes.csv"
SCENARIOS_FILE = "economics_scenarios.csv"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The economics command's own options and every model parameter flag."""
    parser.add_argument(
        "--hours",
        type=number_argument("hours", 1, 10_000_000, integer=True),
        default=None,
        help="steps to simulate (default: one year, 8760 hourly steps)",
    )
    parser.add_argument(
        "--seed",
        type=number_argument("seed", 0, 2**63 - 1, integer=True),
        default=42,
        help="random seed",
    )
    parser.add_argument(
        "--out", type=Path, default=Path("results"), help="output folder (default results/)"
    )
    parser.add_argument("--config", type=Path, help="TOML file of parameters; flags override it")
    add_scenario_option(parser)
    parser.add_argument(
        "--battery-price",
        type=number_argument("battery-price", 0, 1e6),
        default=700.0,
        metavar="EUR/kWh",
        help="installed battery cost per kWh of capacity (default 700)",
    )
    parser.add_argument(
        "--discount-rate",
        type=number_argument("discount-rate", 0, 1),
        default=0.04,
        metavar="1/a",
        help="discount rate of the NPV (default 0.04)",
    )
    parser.add_argument(
        "--lifetime",
        type=number_argument("lifetime", 1, 100),
        default=15.0,
        metavar="years",
        help="battery lifetime for the NPV (default 15)",
    )
    parser.add_argument("--no-files", action="store_true", help="print the tables only")
    parser.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress bar on stderr (default on for 168+ steps)",
    )
    add_parameter_flags(parser)


def register(subparsers) -> argparse.ArgumentParser:
    """Add the ``economics`` command to ``community-sim``'s subparsers."""
    parser = subparsers.add_parser(
        "economics",
        help="a year of bills with/without P2P and batteries: savings, payback, NPV",
        description=(
            "Simulate the community four times (P2P on/off x batteries on/off) with the same "
            "homes, weather, load and prices; print the scenarios and the battery economics "
            f"and write {HOMES_FILE} and {SCENARIOS_FILE}."
        ),
    )
    add_arguments(parser)
    parser.set_defaults(handler=run_economics_command)
    return parser


def run_economics_command(args: argparse.Namespace) -> int:
    """Run the comparison described by ``args``; returns the exit status."""
    from community_model.experiments.economics import compare_scenarios, scenario_report
    from community_model.parameters import ParameterError, Parameters

    try:
        given = given_parameters(args)
        given.setdefault("profile_source", "standard")
        params = Parameters(**given)
        steps = args.hours or int(round(8760 / params.step_hours))
        _check_file_lengths(params, steps)
        show = args.progress if args.progress is not None else steps >= 168
        progress = None
        if show:
            from tqdm import tqdm

            def progress(steps_range):
                return tqdm(steps_range, desc="simulating", unit="h", file=sys.stderr)

        result = compare_scenarios(
            params,
            seed=args.seed,
            steps=steps,
            battery_price_eur_per_kwh=args.battery_price,
            discount_rate=args.discount_rate,
            lifetime_years=args.lifetime,
            progress=progress,
        )
    except ParameterError as err:
        return report_error(str(err))
    print(scenario_report(result))
    if not args.no_files:
        try:
            written = write_economics(result, args.out)
        except OSError as err:
            return report_error(f"cannot write to {args.out}: {err}")
        print(f"  files              {', '.join(str(p) for p in written)}")
    return 0


def _check_file_lengths(params, steps: int) -> None:
    """Refuse up front a run longer than the user's files (instead of failing mid-run)."""
    import numpy as np

    from community_model.homes import draw_homes
    from community_model.sources.factory import make_profile_source
    from community_model.sources.files import ProfileDataError

    if params.profile_source != "files" and params.price_source != "file":
        return

    source = make_profile_source(params, draw_homes(params, np.random.default_rng(0)))
    files = (
        ("load file", params.load_file, getattr(source, "load_rows", None)),
        ("PV file", params.pv_file, getattr(source, "pv_rows", None)),
        ("price file", params.price_file, getattr(source, "price_rows", None)),
    )
    for what, path, rows in files:
        if rows is not None and len(rows) < steps:
            raise ProfileDataError(
                f"{what} {path}: has {len(rows)} rows, the run needs {steps} (--hours)"
            )


def write_economics(result, out: Path) -> list[Path]:
    """Write the per-home and scenario tables as CSV (each under a temporary name first)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in ((HOMES_FILE, result.homes), (SCENARIOS_FILE, result.scenarios)):
        path = out / name
        partial = path.with_suffix(".csv.partial")
        frame.to_csv(partial, index=False)
        partial.replace(path)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    """``python -m community_model.commands.economics [options]``."""
    return main_of_one_command("economics", register, run_economics_command, argv)


if __name__ == "__main__":
    sys.exit(main())
