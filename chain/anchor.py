"""The anchor of a chain: its tip hash, height and difficulty, in a small file beside it.

Why
---
Signatures cannot reveal a block or a tail of blocks removed, or every transaction removed,
when the rest is re-mined (every remaining trade still carries valid signatures), and anyone
can re-mine a chain of difficulty 3 in seconds -- or at difficulty 0 at once. What a re-mined
or shortened chain cannot keep is its tip: ``run`` writes :data:`ANCHOR_FILE` (``anchor.json``)
beside ``chain.jsonl``, and ``verify-chain`` refuses a chain that does not end at the anchored
tip, has another height, or a lower difficulty. Like the key registry, the anchor is only
worth what its custody is worth: keep a copy (or its tip hash) where a forger cannot write.

File (JSON, ASCII, this exact layout; the reader refuses any other bytes)::

    {
     "format": "prosumer-community-anchor",
     "version": 1,
     "tip": "<64 hex digits>",
     "height": 26,
     "difficulty": 3,
     "keys_fingerprint": "<64 hex digits>" or null
    }

``height`` counts the blocks after genesis (the tip's index); ``keys_fingerprint`` is that of
the run's ``keys.json`` (``null`` for an unsigned chain), so a registry swapped for another is
refused as well.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass

from chain.atomic_files import write_atomic
from chain.errors import ChainError

__all__ = ["ANCHOR_FILE", "ANCHOR_FORMAT_NAME", "Anchor"]

#: Name of the anchor file a run writes next to its ``chain.jsonl``.
ANCHOR_FILE = "anchor.json"
#: Value of ``"format"`` in an anchor file.
ANCHOR_FORMAT_NAME = "prosumer-community-anchor"
ANCHOR_FORMAT_VERSION = 1
_KEYS = ("format", "version", "tip", "height", "difficulty", "keys_fingerprint")
_HEX64 = re.compile(r"[0-9a-f]{64}")


class AnchorError(ChainError):
    """An anchor file that is not one, or is damaged."""


@dataclass(frozen=True)
class Anchor:
    """Tip hash (hex), height (blocks after genesis), difficulty [hex digits] and the key
    registry's fingerprint (``None``: unsigned) of a chain as its run ended."""

    tip: str
    height: int
    difficulty: int
    keys_fingerprint: str | None = None

    @classmethod
    def of_chain(cls, blocks, keys_fingerprint: str | None = None) -> Anchor:
        """The anchor of a list of blocks (genesis first)."""
        tip = blocks[-1]
        return cls(tip.hash.hex(), tip.header.index, tip.header.difficulty, keys_fingerprint)

    def to_bytes(self) -> bytes:
        """The anchor file's bytes (layout of the module docstring)."""
        data = {
            "format": ANCHOR_FORMAT_NAME,
            "version": ANCHOR_FORMAT_VERSION,
            "tip": self.tip,
            "height": self.height,
            "difficulty": self.difficulty,
            "keys_fingerprint": self.keys_fingerprint,
        }
        return (json.dumps(data, indent=1, ensure_ascii=True) + "\n").encode("ascii")

    @classmethod
    def from_bytes(cls, data: bytes) -> Anchor:
        """Parse an anchor file; refuse anything but :meth:`to_bytes` output (AnchorError)."""
        if len(data) > 4096:
            raise AnchorError(f"not an anchor file ({len(data)} bytes; an anchor has < 400)")
        try:
            parsed = json.loads(data.decode("ascii"))
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise AnchorError(f"not an anchor file: {exc}") from None
        if not isinstance(parsed, dict) or parsed.get("format") != ANCHOR_FORMAT_NAME:
            raise AnchorError(f"not a {ANCHOR_FORMAT_NAME} file")
        if tuple(parsed) != _KEYS or parsed["version"] != ANCHOR_FORMAT_VERSION:
            raise AnchorError(f"an anchor must have exactly the keys {_KEYS}, version 1")
        tip, height, difficulty, fp = (parsed[k] for k in _KEYS[2:])
        if not isinstance(tip, str) or not _HEX64.fullmatch(tip):
            raise AnchorError("tip must be 64 lowercase hex digits")
        for name, value in (("height", height), ("difficulty", difficulty)):
            if type(value) is not int or value < 0:
                raise AnchorError(f"{name} must be an integer >= 0, got {value!r}")
        if fp is not None and (not isinstance(fp, str) or not _HEX64.fullmatch(fp)):
            raise AnchorError("keys_fingerprint must be 64 lowercase hex digits or null")
        anchor = cls(tip, height, difficulty, fp)
        if anchor.to_bytes() != data:
            raise AnchorError("not in canonical form (changed byte?)")
        return anchor

    def write(self, path: str | os.PathLike[str]) -> None:
        """Write the anchor file atomically."""
        data = self.to_bytes()
        write_atomic(path, lambda tmp: tmp.write_bytes(data), fsync=True)

    @classmethod
    def read(cls, path: str | os.PathLike[str]) -> Anchor:
        """Read an anchor file (``OSError`` if unreadable, :class:`AnchorError` if bad)."""
        with open(path, "rb") as f:
            return cls.from_bytes(f.read(4097))

    def mismatch(self, blocks, keys_fingerprint: str | None) -> str | None:
        """Why ``blocks`` (a valid chain) is not the anchored one, or None."""
        tip = blocks[-1]
        if tip.header.difficulty < self.difficulty:
            return (
                f"difficulty {tip.header.difficulty} is below the anchored {self.difficulty} "
                "(re-mined more cheaply?)"
            )
        if tip.header.index != self.height:
            return (
                f"{tip.header.index} blocks after genesis, the anchor says {self.height} "
                "(blocks removed or added?)"
            )
        if tip.hash.hex() != self.tip:
            return (
                f"it ends with hash {tip.hash.hex()}, not the anchored tip {self.tip} "
                "(blocks or trades removed, changed or re-mined?)"
            )
        if self.keys_fingerprint != keys_fingerprint:
            return (
                f"signatures checked against key registry {keys_fingerprint}, the anchor names "
                f"{self.keys_fingerprint} (registry swapped?)"
            )
        return None
