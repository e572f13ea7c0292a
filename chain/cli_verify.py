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
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from chain.anchor import ANCHOR_FILE, Anchor
from chain.errors import ChainError
from chain.keys import KEYS_FILE, KeyRegistry
from chain.persistence import read_chain
from chain.validation import count_statements

__all__ = [
    "EXIT_INVALID",
    "EXIT_UNANCHORED",
    "EXIT_UNREADABLE",
    "EXIT_UNSIGNED",
    "EXIT_UNSIGNED_UNANCHORED",
    "EXIT_VALID",
    "main",
    "verify_chain_file",
]

EXIT_VALID = 0
EXIT_INVALID = 1
EXIT_UNREADABLE = 2
#: A valid, signed chain that nothing anchors (no anchor file, no ``--tip``).
EXIT_UNANCHORED = 3
#: A valid, anchored chain without signatures (no key registry).
EXIT_UNSIGNED = 4
#: A valid chain, neither signed nor anchored.
EXIT_UNSIGNED_UNANCHORED = 5
#: Shortest ``--tip`` prefix accepted [hex digits].
MIN_TIP_DIGITS = 16
_HEX = re.compile(r"[0-9a-f]+")


def _registry_note(registry: KeyRegistry, where: str) -> str:
    return f"key registry {where} ({len(registry)} keys, fingerprint {registry.fingerprint})"


def _tip_reason(tip: str) -> str | None:
    wanted = tip.strip().lower()
    if len(wanted) < MIN_TIP_DIGITS or len(wanted) > 64 or not _HEX.fullmatch(wanted):
        return (
            f"--tip must be {MIN_TIP_DIGITS} to 64 hex digits of the tip hash `run` printed, "
            f"got {tip!r}"
        )
    return None


def check_chain_file(
    path: str | os.PathLike[str],
    keys_path: str | os.PathLike[str] | None = None,
    expected_tip: str | None = None,
    anchor_path: str | os.PathLike[str] | None = None,
    min_difficulty: int | None = None,
    accept_unsigned: bool = False,
    accept_unanchored: bool = False,
) -> tuple[int, str]:
    """Verify a chain file, its signatures and its anchor; return an exit code and the message.

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
        when the run ended.
    anchor_path : str or path-like or None
        Anchor file (:mod:`chain.anchor`); ``None``: ``anchor.json`` beside the chain file if
        it exists. Signatures cannot reveal blocks, a tail or every trade removed before the
        chain was re-mined; the anchored tip and height can.
    min_difficulty : int or None
        Lowest difficulty accepted [hex digits]; ``None``: the anchor's (none without one).
    accept_unsigned, accept_unanchored : bool
        Exit 0 for a valid chain that is unsigned (no registry), or that nothing anchors.

    Returns
    -------
    tuple (int, str)
        :data:`EXIT_VALID`, :data:`EXIT_INVALID`, :data:`EXIT_UNREADABLE`,
        :data:`EXIT_UNANCHORED`, :data:`EXIT_UNSIGNED` or :data:`EXIT_UNSIGNED_UNANCHORED`,
        and the message to print (see the module docstring).
    """
    if expected_tip is not None and (reason := _tip_reason(expected_tip)) is not None:
        return EXIT_UNREADABLE, reason
    if min_difficulty is not None and not 0 <= min_difficulty <= 64:
        return EXIT_UNREADABLE, f"--difficulty must be an integer in [0, 64], got {min_difficulty}"
    folder = Path(path).parent
    if keys_path is None:
        beside = folder / KEYS_FILE
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
    if anchor_path is None:
        beside = folder / ANCHOR_FILE
        anchor_path = beside if os.path.lexists(beside) else None
    anchor = None
    if anchor_path is not None:
        try:
            anchor = Anchor.read(anchor_path)
        except ChainError as exc:
            return EXIT_UNREADABLE, f"cannot use anchor {os.fspath(anchor_path)!r}: {exc}"
        except OSError as exc:
            return EXIT_UNREADABLE, (
                f"cannot read anchor {os.fspath(anchor_path)!r}: {exc.strerror or exc}"
            )
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
    if min_difficulty is None and anchor is not None:
        min_difficulty = anchor.difficulty
    if min_difficulty is not None and tip.header.difficulty < min_difficulty:
        return EXIT_INVALID, (
            f"invalid chain: difficulty {tip.header.difficulty} is below the required "
            f"{min_difficulty} (re-mined more cheaply?)"
        )
    if anchor is not None:
        fingerprint = registry.fingerprint if registry is not None else None
        reason = anchor.mismatch(blocks, fingerprint)
        if reason is not None:
            return EXIT_INVALID, (
                f"invalid chain: not the chain anchored in {os.fspath(anchor_path)}: {reason}"
            )
    if expected_tip is not None:
        wanted = expected_tip.strip().lower()
        if not tip.hash.hex().startswith(wanted):
            return EXIT_INVALID, (
                f"invalid chain: it ends with block {tip.header.index} of hash "
                f"{tip.hash.hex()}, not the tip {expected_tip!r} it was anchored to (blocks "
                "removed, added or re-mined?)"
            )
    if registry is None and any(tx.signed for block in blocks for tx in block.transactions):
        return EXIT_UNREADABLE, (
            "cannot verify the signatures: the chain's transactions are signed but there is no "
            f"key registry (no {KEYS_FILE} beside {os.fspath(path)!r}); give the run's "
            f"{KEYS_FILE} with --keys FILE"
        )
    n_statements = sum(count_statements(block.transactions) for block in blocks)
    lines = [
        f"valid chain: {len(blocks)} blocks, {n_tx} transactions, "
        f"difficulty {tip.header.difficulty}, tip {tip.hash.hex()[:16]}..."
    ]
    if registry is not None:
        lines.append(
            f"signatures: all {n_statements} verified (one block statement per party and "
            "block, covering buyer and seller of every transaction) against "
            f"{_registry_note(registry, where)}"
        )
    else:
        lines.append(
            "UNSIGNED: no key registry and no signatures -- the trades are protected by the "
            "hash chain only, which anyone can re-mine"
            + ("" if accept_unsigned else " (exit 4; --accept-unsigned accepts it)")
        )
    anchored_by = [
        *([f"anchor {os.fspath(anchor_path)}"] if anchor is not None else []),
        *(["--tip"] if expected_tip is not None else []),
    ]
    if anchored_by:
        lines.append(f"anchored: tip, height and difficulty match the {' and '.join(anchored_by)}")
    else:
        lines.append(
            f"UNANCHORED: no {ANCHOR_FILE} beside the chain and no --tip, so blocks or trades "
            "removed before re-mining cannot be detected"
            + ("" if accept_unanchored else " (exit 3; --accept-unanchored accepts it)")
        )
    unsigned = registry is None and not accept_unsigned
    unanchored = not anchored_by and not accept_unanchored
    code = {
        (False, False): EXIT_VALID,
        (False, True): EXIT_UNANCHORED,
        (True, False): EXIT_UNSIGNED,
        (True, True): EXIT_UNSIGNED_UNANCHORED,
    }[(unsigned, unanchored)]
    return code, "\n".join(lines)


def verify_chain_file(
    path: str | os.PathLike[str], keys_path: str | os.PathLike[str] | None = None, **options
) -> tuple[bool, str]:
    """Verify a chain file, its signatures and its anchor.

    Parameters
    ----------
    path : str or path-like
        The chain file.
    keys_path : str or path-like or None
        Key registry (``None``: ``keys.json`` beside the chain file, if any).
    **options
        ``expected_tip``, ``anchor_path``, ``min_difficulty``, ``accept_unsigned``,
        ``accept_unanchored`` of :func:`check_chain_file`.

    Returns
    -------
    tuple (bool, str)
        ``(True, "valid chain: ...")`` only for a chain that is valid, signed and anchored
        (or what the ``accept_*`` options accept); ``(False, message)`` otherwise.
    """
    code, message = check_chain_file(path, keys_path, **options)
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
    add_options(parser)
    args = parser.parse_args(argv)
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


_ACCEPTED = (EXIT_VALID, EXIT_UNANCHORED, EXIT_UNSIGNED, EXIT_UNSIGNED_UNANCHORED)


def add_options(parser: argparse.ArgumentParser) -> None:
    """The options of ``verify-chain`` beside FILE and ``--keys`` (shared with
    ``community-sim verify-chain``)."""
    parser.add_argument(
        "--tip",
        metavar="HASH",
        default=None,
        help="hash the chain must end with (16 to 64 hex digits), as printed by `run`",
    )
    parser.add_argument(
        "--anchor",
        metavar="FILE",
        default=None,
        help=f"anchor file (tip, height, difficulty; default: {ANCHOR_FILE} beside FILE)",
    )
    parser.add_argument(
        "--difficulty",
        type=int,
        default=None,
        metavar="N",
        help="lowest difficulty accepted (default: the anchor's)",
    )
    parser.add_argument(
        "--accept-unsigned",
        action="store_true",
        help="exit 0 for a valid chain without signatures (else 4)",
    )
    parser.add_argument(
        "--accept-unanchored",
        action="store_true",
        help="exit 0 for a valid chain that nothing anchors (else 3)",
    )


if __name__ == "__main__":
    sys.exit(main())
