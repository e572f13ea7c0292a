"""``community-sim sweep SPEC_FILE``: run a sweep file on local processes or a Dask cluster.

The spec format is in :mod:`community_model.experiments.sweep_spec`; what is written and how
resuming works is in :mod:`community_model.experiments.sweeps`. Exit status: 0 every run
finished, 1 some runs failed (each reported with its parameters; the others completed), 2 a bad
spec file or option (one line, no traceback), 130 interrupted (every finished run is kept; rerun
with ``--resume``).

``commands/main.py`` wires it with :func:`register` and :func:`run_sweep_command`;
``python -m community_model.commands.sweep SPEC_FILE ...`` runs it on its own.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from community_model.commands.common import PROG, main_of_one_command, number_argument, report_error

MAX_FAILURES_SHOWN = 10

EXAMPLE = """\
spec file (TOML; YAML with the same keys if named *.yaml):

  hours = 48                  # steps per run
  seeds = [0, 1, 2, 3, 4]     # or a count: seeds = 5
  frames = false              # also keep per-hour frames

  [fixed]                     # the same in every run
  n_prosumers = 50

  [grid]                      # every combination runs, once per seed
  battery_share = [0.0, 0.5, 1.0]
  objective = ["none", "maximize_renewable"]

exit status: 0 all runs finished, 1 some runs failed, 2 bad spec or option, 130 interrupted
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The sweep command's arguments (used by :func:`register`)."""
    parser.add_argument("spec", metavar="SPEC_FILE", help="sweep file (.toml, or .yaml/.yml)")
    parser.add_argument(
        "--max-runs",
        type=number_argument("max-runs", 1, integer=True),
        default=10_000,
        metavar="N",
        help="refuse a spec of more runs than this before any starts (default 10,000)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="output folder (default results/<name of the spec file>)",
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="skip the runs already in the output folder and run the rest",
    )
    parser.add_argument(
        "--backend",
        choices=("processes", "dask"),
        default=None,
        help="local worker processes (default) or Dask distributed",
    )
    parser.add_argument(
        "--workers",
        type=number_argument("workers", 1, integer=True),
        default=None,
        help="worker processes, or workers of the Dask LocalCluster (default: one per CPU)",
    )
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        default=None,
        help="a running Dask scheduler, e.g. tcp://10.0.0.5:8786 (implies --backend dask)",
    )
    parser.add_argument(
        "--frames",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="also keep every run's per-hour frame (default: the spec's `frames`)",
    )
    parser.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="progress bar on stderr (default on)",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="check the spec, list the runs, run nothing"
    )


def register(subparsers) -> argparse.ArgumentParser:
    """Add the ``sweep`` command to ``community-sim``'s subparsers."""
    parser = subparsers.add_parser(
        "sweep",
        help="run a grid of parameters x seeds, locally or on a Dask cluster",
        description=(
            "Run every combination of a sweep file's [grid] values once per seed, on local "
            "worker processes or a Dask cluster. Each finished run is written at once to "
            "OUT/runs/<key>.parquet (parameters, seed, KPIs), so an interrupted sweep keeps "
            "its runs and --resume completes it."
        ),
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(parser)
    parser.set_defaults(handler=run_sweep_command)
    return parser


def run_sweep_command(args: argparse.Namespace) -> int:
    """Run the sweep described by ``args``; returns the exit status."""
    from community_model.experiments.sweeps import SpecError, SweepError, load_spec, run_sweep

    try:
        spec = load_spec(args.spec)
    except SpecError as err:
        return report_error(str(err))
    backend = args.backend or ("dask" if args.scheduler else "processes")
    if args.scheduler and backend != "dask":
        return report_error("--scheduler needs --backend dask")
    out = args.out if args.out is not None else Path("results") / Path(args.spec).stem
    frames = spec.frames if args.frames is None else args.frames
    try:
        spec.check_size(args.max_runs)
    except SpecError as err:
        return report_error(f"{args.spec}: {err}")
    plan = spec.runs()
    print(f"sweep {args.spec}: {spec.summary()}")
    if args.dry_run:
        names = list(spec.grid)
        for run in plan:
            print(f"  {run.index:>5}  {run.key}  {run.label(names)}")
        return 0
    from community_model.experiments.sweeps import default_workers

    where = f"Dask scheduler {args.scheduler}" if args.scheduler else backend
    n_workers = args.workers or default_workers(len(plan))
    workers = "" if args.scheduler else f", {n_workers} worker{'s' if n_workers > 1 else ''}"
    print(f"  output    {out}/ ({where}{workers}{', with frames' if frames else ''})")
    sys.stdout.flush()
    try:
        result = run_sweep(
            spec,
            out,
            backend=backend,
            workers=None if args.scheduler else n_workers,
            scheduler=args.scheduler,
            resume=args.resume,
            frames=frames,
            progress=args.progress,
            max_runs=args.max_runs,
        )
    except (SpecError, SweepError) as err:
        return report_error(str(err))
    except KeyboardInterrupt:
        print(
            f"{PROG}: interrupted: every finished run is kept in {out}/; "
            "rerun with --resume to complete the sweep",
            file=sys.stderr,
        )
        return 130

    print(
        f"  runs      {result.completed} finished now, {result.skipped} already there, "
        f"{len(result.failures)} failed ({result.seconds:.1f} s)"
    )
    names = list(spec.grid)
    for outcome in result.failures[:MAX_FAILURES_SHOWN]:
        print(f"{PROG}: run failed ({outcome.run.label(names)}): {outcome.error}", file=sys.stderr)
    if len(result.failures) > MAX_FAILURES_SHOWN:
        more = len(result.failures) - MAX_FAILURES_SHOWN
        print(f"{PROG}: ... and {more} more failed runs, see {out}/failed/", file=sys.stderr)
    print(
        f"  results   {out}/runs/ (community_model.experiments.sweeps.load_results({str(out)!r}))"
    )
    return 1 if result.failures else 0


def main(argv: list[str] | None = None) -> int:
    """``python -m community_model.commands.sweep SPEC_FILE [options]``."""
    return main_of_one_command("sweep", register, run_sweep_command, argv)


if __name__ == "__main__":
    sys.exit(main())
