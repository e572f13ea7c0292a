"""Verify a chain file from the command line, signatures included.

Usage::

    python -m chain.cli_verify FILE [--keys KEYS]

The transactions' signatures are checked against a key registry
(:mod:`chain.keys`): ``--keys KEYS`` if given, else ``keys.json`` in the
chain file's folder (where a run writes it), if it exists.  The registry is
the trust root -- the chain itself holds no keys -- so the output names the
registry used and its fingerprint, to compare with the one recorded when the
run ended.

Prints two lines and exits with

* 0 -- the file holds a valid chain::

      valid chain: 25 blocks, 642 transactions, difficulty 3, tip 000a1b2c...
      signatures: all 671 verified (one block statement per party and block, covering
      buyer and seller of every transaction) against key registry results/keys.json
      (101 keys, fingerprint 3f1c...)

  or, for a chain of a run with ``sign_trades=False`` and no registry::

      signatures: none -- the chain is unsigned (sign_trades=False); its trades are
      protected by the hash chain only, which anyone can re-mine

* 1 -- the file was read but is not a valid chain: damaged, truncated, not a
  chain at all, or a signature check failed (forged, altered, unsigned or
  replayed transaction, wrong signer, a registry of other keys); the message
  names the first bad block and transaction, e.g.
  ``invalid chain: block 7 (line 9): transaction h000006-p2p-000003: the
  seller's signature (participant 41) does not verify over its statement (...)`` and, on a
  second line, the registry used;
* 2 -- the file or the registry could not be read or is not a usable
  registry, the chain is signed but there is no registry to check it
  against, or the command line is wrong.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from chain.errors import ChainError
from chain.keys import KEYS_FILE, KeyRegistry
from chain.persistence import read_chain
from chain.validation import count_statements

__all__ = ["EXIT_INVALID", "EXIT_UNREADABLE", "EXIT_VALID", "main", "verify_chain_file"]

EXIT_VALID = 0
EXIT_INVALID = 1
EXIT_UNREADABLE = 2


def _registry_note(registry: KeyRegistry, where: str) -> str:
    return f"key registry {where} ({len(registry)} keys, fingerprint {registry.fingerprint})"


def check_chain_file(
    path: str | os.PathLike[str],
    keys_path: str | os.PathLike[str] | None = None,
    expected_tip: str | None = None,
) -> tuple[int, str]:
    """Verify a chain file and its signatures; return an exit code and the message.

    Parameters
    ----------
    path : str or path-like
        The chain file.
    keys_path : str or path-like or None
        Key registry to check the signatures against; ``None``: ``keys.json`` beside the
        chain file if it exists (if it does not and the chain is signed, the answer is
        :data:`EXIT_UNREADABLE`: signatures are never skipped silently).
    expected_tip : str or None
        Hex hash (or a prefix of at least 16 digits) the chain must end with, as published
        when the run ended. Signatures cannot reveal a whole trade removed before the chain
        was re-mined; an anchored tip can, since any re-mined chain ends elsewhere.

    Returns
    -------
    tuple (int, str)
        :data:`EXIT_VALID`, :data:`EXIT_INVALID` or :data:`EXIT_UNREADABLE`, and the
        message to print (two lines when a chain was read; see the module docstring).
    """
    if keys_path is None:
        beside = Path(path).parent / KEYS_FILE
        keys_path = beside if os.path.lexists(beside) else None
    registry = None
    if keys_path is not None:
        where = os.fspath(keys_path)
        try:
            registry = KeyRegistry.read(keys_path)
        except ChainError as exc:
            return EXIT_UNREADABLE, f"cannot use key registry {where!r}: {exc}"
        except OSError as exc:
            return EXIT_UNREADABLE, f"cannot read key registry {where!r}: {exc.strerror or exc}"
    try:
        blocks = read_chain(path, keys=registry)
    except ChainError as exc:
        message = f"invalid chain: {exc}"
        if registry is not None:
            message += f"\nsignatures checked against {_registry_note(registry, where)}"
        return EXIT_INVALID, message
    except OSError as exc:
        return EXIT_UNREADABLE, f"cannot read chain file {os.fspath(path)!r}: {exc.strerror or exc}"
    n_tx = sum(len(b.transactions) for b in blocks)
    tip = blocks[-1]
    if expected_tip is not None:
        wanted = expected_tip.strip().lower()
        if len(wanted) < 16 or not tip.hash.hex().startswith(wanted):
            return EXIT_INVALID, (
                f"invalid chain: it ends with block {tip.header.index} of hash "
                f"{tip.hash.hex()}, not the tip {expected_tip!r} it was anchored to (blocks "
                "removed, added or re-mined?)"
            )
    n_statements = sum(count_statements(block.transactions) for block in blocks)
    summary = (
        f"valid chain: {len(blocks)} blocks, {n_tx} transactions, "
        f"difficulty {tip.header.difficulty}, tip {tip.hash.hex()[:16]}..."
    )
    if registry is not None:
        return EXIT_VALID, (
            f"{summary}\nsignatures: all {n_statements} verified (one block statement per "
            "party and block, covering buyer and seller of every transaction) against "
            f"{_registry_note(registry, where)}"
        )
    if any(tx.signed for block in blocks for tx in block.transactions):
        return EXIT_UNREADABLE, (
            "cannot verify the signatures: the chain's transactions are signed but there is no "
            f"key registry (no {KEYS_FILE} beside {os.fspath(path)!r}); give the run's "
            f"{KEYS_FILE} with --keys FILE"
        )
    if n_tx == 0:
        return EXIT_VALID, f"{summary}\nsignatures: none -- the chain holds no transactions"
    return EXIT_VALID, (
        f"{summary}\nsignatures: none -- the chain is unsigned (sign_trades=False); its trades "
        "are protected by the hash chain only, which anyone can re-mine"
    )


def verify_chain_file(
    path: str | os.PathLike[str], keys_path: str | os.PathLike[str] | None = None
) -> tuple[bool, str]:
    """Verify a chain file and its signatures.

    Parameters
    ----------
    path : str or path-like
        The chain file.
    keys_path : str or path-like or None
        Key registry (``None``: ``keys.json`` beside the chain file, if any); see
        :func:`check_chain_file`.

    Returns
    -------
    tuple (bool, str)
        ``(True, "valid chain: ...")`` or ``(False, "invalid chain: ...")``
        (``(False, "cannot ...")`` if the file or the registry cannot be used).
    """
    code, message = check_chain_file(path, keys_path)
    return code == EXIT_VALID, message


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit code (see the module docstring)."""
    parser = argparse.ArgumentParser(
        prog="verify-chain", description="Verify a prosumer-community chain file."
    )
    parser.add_argument("file", help="chain file written by chain.persistence.write_chain")
    parser.add_argument(
        "--keys",
        metavar="FILE",
        default=None,
        help=f"key registry to check the signatures against (default: {KEYS_FILE} beside FILE)",
    )
    parser.add_argument(
        "--tip",
        metavar="HASH",
        default=None,
        help="hash the chain must end with (at least 16 hex digits), as printed by `run`",
    )
    args = parser.parse_args(argv)
    code, message = check_chain_file(args.file, args.keys, args.tip)
    print(message, file=sys.stdout if code == EXIT_VALID else sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
