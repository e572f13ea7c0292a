"""The ``community-sim`` command line: one subcommand per module of this package.

- ``run`` (:mod:`~community_model.commands.run`): one scenario, its files and a summary;
- ``sweep`` (:mod:`~community_model.commands.sweep`): a grid of parameters x seeds;
- ``economics`` (:mod:`~community_model.commands.economics`): a year's bills, four scenarios;
- ``verify-chain`` (:mod:`~community_model.commands.verify_chain`): check a chain file;
- ``app`` (:mod:`~community_model.commands.app`): the Solara app in the browser.

Each module has ``register(subparsers)``, which sets the subcommand's ``handler``; the helpers
they share are in :mod:`~community_model.commands.common`. Bad input exits with status 2 and
one line naming the parameter and what it accepts.
"""

from __future__ import annotations

import argparse
import os
import sys

from community_model.commands import app, economics, run, sweep, verify_chain
from community_model.commands.common import PROG, OneLineErrorParser

#: The subcommands in the order ``--help`` lists them.
COMMANDS = (run, app, economics, sweep, verify_chain)


def build_parser() -> argparse.ArgumentParser:
    """The ``community-sim`` parser with every subcommand registered."""
    parser = OneLineErrorParser(
        prog=PROG,
        description="Agent-based simulator of a P2P energy trading community (Mesa).",
    )
    from community_model import __version__

    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=OneLineErrorParser)
    for command in COMMANDS:
        command.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse ``argv`` (default: the process's arguments), run the command; its exit status."""
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except BrokenPipeError:  # output piped into e.g. `head`: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
