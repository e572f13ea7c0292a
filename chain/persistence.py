"""Writing a chain to disk and reading it back, refusing any damage.

File format (JSON Lines, ASCII, version 1)
------------------------------------------
Line 1 is the file header, with its keys in this fixed order so that every
chain file starts with the same bytes ``{"format":"prosumer-community-chain",``::

    {"format":"prosumer-community-chain","version":1,"difficulty":3,"blocks":26}

``blocks`` counts all block lines, genesis included.  Then comes one line per
block, genesis first, in canonical JSON (keys sorted, no spaces, ASCII only,
floats as Python's shortest round-trip ``repr``, hashes as lowercase hex)::

    {"hash":"000d38...","header":{"difficulty":3,"index":0,"merkle_root":"e3b0...",
     "miner_id":0,"nonce":3962,"prev_hash":"0000...","timestamp":0.0},"transactions":[]}

(shown wrapped; it is one line).  Each transaction is the JSON of
:meth:`chain.transaction.Transaction.to_dict`; in a signed chain it also holds
``buyer_signature`` and ``seller_signature`` (128 lowercase hex digits each),
which are optional keys of version 1, so an unsigned chain file has exactly
the bytes it had before signatures existed.  The public keys are *not* in
this file: they are in the key registry (:mod:`chain.keys`), which
:func:`read_chain` takes as ``keys`` to check every signature.  **Every line, the last one
included, ends with a single ``\\n``**: a missing final newline means the file
was cut short and is refused.

Why any changed byte is detected
--------------------------------
The reader re-serialises every parsed line canonically and requires byte
equality with the line it read, so a change that keeps the JSON meaning
(whitespace, key order, escapes, hex case, ``1.50`` for ``1.5``) is refused.
A change of meaning alters a transaction (hence the Merkle root), a header
field, a signature or a stored hash, which :mod:`chain.validation` refuses
(a signature is part of its transaction's Merkle leaf); a change of the
file header alters its format name, version, difficulty (must match the
blocks') or block count (must match the lines, which also catches truncation
at a line boundary and appended data).

Errors are :class:`chain.errors.ChainFileError` with a one-line message naming
the line and block, e.g. ``"block 2 (line 4): merkle root does not match its
transactions"``.  I/O errors (missing file, no permission) are left as ``OSError``.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chain.atomic_files import write_atomic
from chain.block import Block
from chain.errors import ChainError, ChainFileError, ChainValidationError
from chain.pow import MAX_HEADER_DIFFICULTY
from chain.transaction import canonical_json
from chain.validation import ChainChecker, validate_chain

if TYPE_CHECKING:
    from chain.keys import KeyRegistry

__all__ = ["FORMAT_NAME", "FORMAT_VERSION", "read_chain", "write_chain"]

#: Value of ``"format"`` in the file header.
FORMAT_NAME = "prosumer-community-chain"
#: Value of ``"version"`` in the file header understood by this module.
FORMAT_VERSION = 1

#: Longest file header line the reader reads (a line without an end is not read whole).
MAX_HEADER_LINE_BYTES = 4096
#: Longest block line the reader accepts [bytes]: 1,000,000 transactions of about 500 bytes.
MAX_BLOCK_LINE_BYTES = 512 * 2**20

_MAGIC = b'{"format":"' + FORMAT_NAME.encode("ascii") + b'",'
_FILE_HEADER_KEYS = ("format", "version", "difficulty", "blocks")


def file_header_line(difficulty: int, n_blocks: int) -> bytes:
    """Return line 1 of a chain file, without its newline.

    Parameters
    ----------
    difficulty : int
        Difficulty of the chain.
    n_blocks : int
        Number of blocks in the file, genesis included.

    Returns
    -------
    bytes
        ``{"format":"prosumer-community-chain","version":1,"difficulty":..,"blocks":..}``
    """
    header = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "difficulty": difficulty,
        "blocks": n_blocks,
    }
    return json.dumps(header, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def block_line(block: Block, tx_bytes: list[bytes] | None = None) -> bytes:
    """Return the canonical line of a block, without its newline.

    Parameters
    ----------
    block : Block

    Returns
    -------
    bytes
        Canonical JSON of :meth:`chain.block.Block.to_dict`, written from the parts' own
        canonical bytes (the keys ``hash`` < ``header`` < ``transactions`` are in sorted
        order), several times faster than serialising the dict; a test holds the two equal.
    """
    if tx_bytes is None:  # (the transactions' canonical bytes, when the caller has them)
        tx_bytes = [tx.canonical_bytes() for tx in block.transactions]
    txs = b",".join(tx_bytes)
    return b"".join(
        (
            b'{"hash":"', block.hash.hex().encode("ascii"), b'","header":',
            canonical_json(block.header.to_dict()), b',"transactions":[', txs, b"]}",
        )
    )  # fmt: skip


def write_chain(
    path: str | os.PathLike[str], blocks: Iterable[Block], keys: KeyRegistry | None = None
) -> None:
    """Write a valid chain to ``path`` atomically.

    The file is written to a temporary file in the same directory, flushed to
    disk and then renamed over ``path``, so ``path`` never holds a
    half-written chain.

    Parameters
    ----------
    path : str or path-like
        Destination file; replaced if it exists.
    blocks : iterable of Block
        The chain, genesis first.
    keys : KeyRegistry or None
        Also verify every signature against these keys before writing (two Ed25519
        verifications per transaction); ``None``: structural checks only.

    Raises
    ------
    ChainValidationError
        If the blocks do not form a valid chain (nothing is written).
    """
    blocks = list(blocks)
    if not blocks:
        validate_chain(blocks)  # raises: a chain starts with its genesis block

    def write(tmp: Path) -> None:
        # Each block is checked as it is written, from the same canonical bytes of its
        # transactions (hashed for its Merkle root, joined for its line); the first invalid
        # block raises and write_atomic removes the partial file: nothing is written.
        checker = ChainChecker(None, keys)
        sha256 = hashlib.sha256
        with open(tmp, "wb") as f:
            f.write(file_header_line(blocks[0].header.difficulty, len(blocks)) + b"\n")
            for block in blocks:
                if not isinstance(block, Block):  # the checker names what it is
                    reason = checker.check(block)
                    raise ChainValidationError(checker.count, reason)
                tx_bytes = [tx.canonical_bytes() for tx in block.transactions]
                reason = checker.check(block, [sha256(b).digest() for b in tx_bytes])
                if reason is not None:
                    raise ChainValidationError(checker.count, reason)
                f.write(block_line(block, tx_bytes) + b"\n")

    write_atomic(path, write, fsync=True)


def read_chain(path: str | os.PathLike[str], keys: KeyRegistry | None = None) -> list[Block]:
    """Read and validate a chain file written by :func:`write_chain`.

    Parameters
    ----------
    path : str or path-like
    keys : KeyRegistry or None
        Key registry every transaction's signatures are checked against; ``None``:
        signatures are not verified (only required to be all present or all absent).

    Returns
    -------
    list of Block
        The chain, genesis first; it is valid.

    Raises
    ------
    ChainFileError
        If the file is not a chain file or is damaged in any byte; the message
        names the first bad line (and block) and the reason.
    OSError
        If the file cannot be read.
    """
    with open(path, "rb") as f:
        first = f.readline(MAX_HEADER_LINE_BYTES)
        if not first:
            raise ChainFileError("empty file, not a prosumer-community-chain file")
        difficulty, n_blocks = _parse_file_header(first)
        checker = ChainChecker(difficulty, keys)
        blocks: list[Block] = []
        line_no = 1
        while raw := f.readline(MAX_BLOCK_LINE_BYTES + 1):
            line_no += 1
            if len(raw) > MAX_BLOCK_LINE_BYTES:
                raise ChainFileError(
                    f"line longer than {MAX_BLOCK_LINE_BYTES:,} bytes (not a block line)",
                    line=line_no,
                    block_index=line_no - 2,
                )
            position = line_no - 2
            if position >= n_blocks:
                raise ChainFileError(
                    f"unexpected data after the {n_blocks} blocks announced in the file header",
                    line=line_no,
                )
            block = _parse_block_line(raw, line_no, position)
            reason = checker.check(block)
            if reason is not None:
                raise ChainFileError(reason, line=line_no, block_index=position)
            blocks.append(block)
    if len(blocks) < n_blocks:
        raise ChainFileError(
            f"missing: the file ends after {len(blocks)} of the {n_blocks} blocks "
            "announced in its header (truncated?)",
            line=len(blocks) + 2,
            block_index=len(blocks),
        )
    return blocks


def _parse_file_header(raw: bytes) -> tuple[int, int]:
    """Parse line 1; return ``(difficulty, n_blocks)``."""
    if not raw.startswith(_MAGIC):
        raise ChainFileError(
            f"not a {FORMAT_NAME} file (it must start with {_MAGIC.decode('ascii')})", line=1
        )
    data = _parse_json_line(raw, 1, None)
    if not isinstance(data, dict) or tuple(data) != _FILE_HEADER_KEYS:
        raise ChainFileError(f"file header must have exactly the keys {_FILE_HEADER_KEYS}", line=1)
    version = data["version"]
    if version != FORMAT_VERSION or isinstance(version, bool):
        raise ChainFileError(
            f"unsupported format version {version!r} (this reader reads version {FORMAT_VERSION})",
            line=1,
        )
    difficulty, n_blocks = data["difficulty"], data["blocks"]
    if type(difficulty) is not int or not 0 <= difficulty <= MAX_HEADER_DIFFICULTY:
        raise ChainFileError(
            f"difficulty must be an int in 0..{MAX_HEADER_DIFFICULTY}, got {difficulty!r}", line=1
        )
    if type(n_blocks) is not int or n_blocks < 1:
        raise ChainFileError(f"blocks must be an int >= 1, got {n_blocks!r}", line=1)
    _require_canonical(raw[:-1], file_header_line(difficulty, n_blocks), 1, None)
    return difficulty, n_blocks


def _parse_block_line(raw: bytes, line_no: int, position: int) -> Block:
    """Parse one block line, requiring it to be byte-for-byte canonical."""
    data = _parse_json_line(raw, line_no, position)
    try:
        block = Block.from_dict(data)
    except ChainError as exc:
        raise ChainFileError(str(exc), line=line_no, block_index=position) from None
    _require_canonical(raw[:-1], block_line(block), line_no, position)
    return block


def _parse_json_line(raw: bytes, line_no: int, position: int | None) -> Any:
    """Check that ``raw`` is a complete ASCII line and parse it as JSON."""
    if not raw.endswith(b"\n"):
        raise ChainFileError(
            "incomplete line: no final newline (file truncated?)",
            line=line_no,
            block_index=position,
        )
    body = raw[:-1]
    try:
        text = body.decode("ascii")
    except UnicodeDecodeError as exc:
        raise ChainFileError(
            f"non-ASCII byte 0x{body[exc.start]:02x} at column {exc.start + 1} "
            "(chain files are ASCII)",
            line=line_no,
            block_index=position,
        ) from None
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        reason = f"not valid JSON: {exc.msg} at column {exc.colno}"
    except (ValueError, RecursionError) as exc:  # NaN/Infinity, huge ints, deep nesting
        reason = f"not valid JSON: {exc}"
    raise ChainFileError(reason, line=line_no, block_index=position)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed")


def _require_canonical(body: bytes, canonical: bytes, line_no: int, position: int | None) -> None:
    """Refuse a line that differs from the canonical serialisation of what it holds."""
    if body == canonical:
        return
    column = next(
        (i for i, (a, b) in enumerate(zip(body, canonical, strict=False)) if a != b),
        min(len(body), len(canonical)),
    )
    raise ChainFileError(
        f"not in canonical form from column {column + 1} (changed byte?)",
        line=line_no,
        block_index=position,
    )
