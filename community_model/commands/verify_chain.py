"""``community-sim verify-chain FILE``: check a chain file written by ``run``.

A thin front for :mod:`chain.cli_verify` (the chain package's own command line, which does
the checks), so that the one ``community-sim`` command reaches it.
"""

from __future__ import annotations

import argparse


def register(subparsers) -> argparse.ArgumentParser:
    """Add the ``verify-chain`` subcommand; its handler is :func:`run_verify_chain`."""
    verify = subparsers.add_parser(
        "verify-chain", help="check a chain file written by `run`, signatures included"
    )
    verify.add_argument("file", help="path of a chain.jsonl file")
    verify.add_argument(
        "--keys",
        metavar="FILE",
        help="key registry to check the signatures against (default: keys.json beside FILE)",
    )
    from chain.cli_verify import add_options

    add_options(verify)
    verify.set_defaults(handler=run_verify_chain)
    return verify


def run_verify_chain(args: argparse.Namespace) -> int:
    """Check the chain as :func:`chain.cli_verify.main` does; its exit status (0: valid, signed
    and anchored; 1 invalid; 2 unreadable; 3 unanchored; 4 unsigned; 5 both)."""
    import sys

    from chain.cli_verify import _ACCEPTED, check_chain_file

    code, message = check_chain_file(
        args.file,
        args.keys,
        args.tip,
        anchor_path=args.anchor,
        min_difficulty=args.difficulty,
        accept_unsigned=args.accept_unsigned,
        accept_unanchored=args.accept_unanchored,
    )
    print(message, file=sys.stdout if code in _ACCEPTED else sys.stderr)
    return code
