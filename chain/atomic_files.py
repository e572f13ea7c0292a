"""Write a file so that it is either whole or absent: :func:`write_atomic`.

The one helper for every file the simulator writes (chain, key registry, run outputs, agent
history parts, sweep records). It lives in ``chain/``, the lowest layer that writes files, so
that the chain's persistence and the model's outputs share it without importing each other.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

#: Suffix of the temporary files :func:`write_atomic` makes (``.NAME.XXXX.tmp``).
TMP_SUFFIX = ".tmp"


def ordinary_file_mode() -> int:
    """The mode ``open()`` gives a new file: 0o666 less the process's umask."""
    umask = os.umask(0o022)  # Python < 3.13 has no os.getumask: read it by setting it
    os.umask(umask)
    return 0o666 & ~umask


def write_atomic(
    path: str | os.PathLike[str],
    write: Callable[[Path], object],
    *,
    mode: int | None = None,
    fsync: bool = False,
) -> Path:
    """Call ``write(tmp_path)``, then rename the temporary file to ``path`` only if it
    completed; on any error (a full disk, Ctrl-C) the temporary file is removed and an
    earlier ``path`` is left as it was.

    Parameters
    ----------
    path : path-like
        The file to write; its folder must exist.
    write : callable
        Writes the whole content to the path it is given (e.g. ``frame.to_csv``).
    mode : int, optional
        Permission bits of the result; default: those of an ordinary new file under the
        user's umask (``mkstemp`` alone would give 0o600).
    fsync : bool
        Flush the file and its folder to disk before returning (for the chain and keys,
        which must survive a power cut once written).

    Returns
    -------
    Path
        ``path``.
    """
    path = Path(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TMP_SUFFIX, dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        os.chmod(tmp, ordinary_file_mode() if mode is None else mode)
        if fsync:
            with open(tmp, "rb+") as f:
                os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    if fsync:
        _fsync_directory(path.parent)
    return path


def _fsync_directory(folder: Path) -> None:
    """Make a rename in ``folder`` durable (where the platform allows it)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
