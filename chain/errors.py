"""Exception classes of the ``chain`` package.

Every error raised on purpose by this package is a :class:`ChainError`, so a
caller can catch them all with one ``except`` clause.  ``ChainError`` is a
``ValueError`` because each of them reports a bad value (a malformed
transaction, a damaged block, a damaged file).
"""

from __future__ import annotations

__all__ = ["ChainError", "ChainValidationError", "ChainFileError", "KeyRegistryError"]


class ChainError(ValueError):
    """Base class of all errors raised by the ``chain`` package."""


class ChainValidationError(ChainError):
    """A chain of blocks breaks a validation rule.

    Parameters
    ----------
    block_index : int
        Position in the chain (0 = genesis) of the first bad block.
    reason : str
        What is wrong with that block, e.g.
        ``"merkle root does not match its transactions"``.
    """

    def __init__(self, block_index: int, reason: str) -> None:
        self.block_index = block_index
        self.reason = reason
        super().__init__(f"block {block_index}: {reason}")


class ChainFileError(ChainError):
    """A chain file cannot be accepted (damaged, truncated or not a chain).

    The message is one line naming where the problem is and what it is, e.g.
    ``"block 7 (line 9): previous hash does not link to block 6"`` or
    ``"line 1 (file header): not a prosumer-community-chain file"``.

    Parameters
    ----------
    reason : str
        What is wrong.
    line : int or None
        1-based line number of the file where the problem was found.
    block_index : int or None
        Index of the block stored on that line, if the line holds a block.
    """

    def __init__(
        self, reason: str, line: int | None = None, block_index: int | None = None
    ) -> None:
        self.reason = reason
        self.line = line
        self.block_index = block_index
        if block_index is not None and line is not None:
            where = f"block {block_index} (line {line}): "
        elif line == 1:
            where = "line 1 (file header): "
        elif line is not None:
            where = f"line {line}: "
        else:
            where = ""
        super().__init__(where + reason)


class KeyRegistryError(ChainError):
    """A key registry file cannot be accepted (damaged, wrong fingerprint, bad or weak keys).

    Raised by :meth:`chain.keys.KeyRegistry.from_bytes`; the message says what is wrong.
    """
