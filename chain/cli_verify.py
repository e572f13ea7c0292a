"""Verify a chain file from the command line.

Usage::

    python -m chain.cli_verify FILE

Prints one line and exits with

* 0 -- the file holds a valid chain
  (``valid chain: 25 blocks, 1165 transactions, difficulty 3, tip 000a1b2c...``);
* 1 -- the file was read but is not a valid chain file: damaged, truncated or
  not a chain at all (``invalid chain: block 7 (line 9): previous hash does
  not link to block 6``);
* 2 -- the file could not be read (missing, a directory, no permission), or
  the command line is wrong.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from chain.errors import ChainError
from chain.persistence import read_chain

__all__ = ["EXIT_INVALID", "EXIT_UNREADABLE", "EXIT_VALID", "main", "verify_chain_file"]

EXIT_VALID = 0
EXIT_INVALID = 1
EXIT_UNREADABLE = 2


def check_chain_file(path: str | os.PathLike[str]) -> tuple[int, str]:
    """Verify a chain file; return an exit code and a one-line message.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    tuple (int, str)
        :data:`EXIT_VALID`, :data:`EXIT_INVALID` or :data:`EXIT_UNREADABLE`,
        and the message to print.
    """
    try:
        blocks = read_chain(path)
    except ChainError as exc:
        return EXIT_INVALID, f"invalid chain: {exc}"
    except OSError as exc:
        return EXIT_UNREADABLE, f"cannot read chain file {os.fspath(path)!r}: {exc.strerror or exc}"
    n_tx = sum(len(b.transactions) for b in blocks)
    tip = blocks[-1]
    return EXIT_VALID, (
        f"valid chain: {len(blocks)} blocks, {n_tx} transactions, "
        f"difficulty {tip.header.difficulty}, tip {tip.hash.hex()[:16]}..."
    )


def verify_chain_file(path: str | os.PathLike[str]) -> tuple[bool, str]:
    """Verify a chain file.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    tuple (bool, str)
        ``(True, "valid chain: ...")`` or ``(False, "invalid chain: ...")``
        (``(False, "cannot read chain file ...")`` if it cannot be read).
    """
    code, message = check_chain_file(path)
    return code == EXIT_VALID, message


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit code (see the module docstring)."""
    parser = argparse.ArgumentParser(
        prog="verify-chain", description="Verify a prosumer-community chain file."
    )
    parser.add_argument("file", help="chain file written by chain.persistence.write_chain")
    args = parser.parse_args(argv)
    code, message = check_chain_file(args.file)
    print(message, file=sys.stdout if code == EXIT_VALID else sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
