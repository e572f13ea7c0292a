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
    verify.add_argument(
        "--tip",
        metavar="HASH",
        help="hash the chain must end with (>= 16 hex digits, as `run` prints it): catches "
        "trades removed before the chain was re-mined",
    )
    verify.set_defaults(handler=run_verify_chain)
    return verify


def run_verify_chain(args: argparse.Namespace) -> int:
    """Run :func:`chain.cli_verify.main` on the parsed options; its exit status."""
    from chain.cli_verify import main as verify_main

    options = [*(["--keys", args.keys] if args.keys else []),
               *(["--tip", args.tip] if args.tip else [])]  # fmt: skip
    return verify_main([args.file, *options])
