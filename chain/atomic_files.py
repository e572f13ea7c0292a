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


#: Infix of the temporary sibling folders :func:`write_folder_atomic` makes
#: (``.NAME.run-XXXX.tmp``); :func:`recover_folder` removes those a killed writer left.
STAGING_INFIX = ".run-"
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Swap two directories in one step (Linux ``renameat2(RENAME_EXCHANGE)``, via ctypes);
    False where the platform or file system does not offer it."""
    import ctypes
    import sys

    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    renameat2.argtypes += [ctypes.c_uint]
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0


def _is_owned(name: str, owned: frozenset[str] | set[str]) -> bool:
    """A run's entry, or a temporary file :func:`write_atomic` left for one (``.NAME.X.tmp``)."""
    if name in owned:
        return True
    return (
        name.startswith(".")
        and name.endswith(TMP_SUFFIX)
        and any(name.startswith(f".{own}.") for own in owned)
    )


def _staging_folders(path: Path) -> list[Path]:
    prefix = f".{path.name}{STAGING_INFIX}"
    parent = path.parent
    if not parent.is_dir():
        return []
    return sorted(
        parent / name
        for name in os.listdir(parent)
        if name.startswith(prefix) and name.endswith(TMP_SUFFIX) and (parent / name).is_dir()
    )


def recover_folder(path: str | os.PathLike[str], owned: frozenset[str] | set[str]) -> None:
    """Clean up after a :func:`write_folder_atomic` that was killed: every temporary sibling
    folder is removed; entries in it that are not a run's (not in ``owned``) were the user's,
    moved aside during the swap, and are moved back into ``path`` first."""
    import shutil

    path = Path(path).absolute()
    for staging in _staging_folders(path):
        if not path.exists():  # killed between the two renames of the fallback swap
            if staging.name.endswith(".old" + TMP_SUFFIX):
                os.rename(staging, path)
                continue
        for name in os.listdir(staging):
            if not _is_owned(name, owned) and path.is_dir() and not os.path.lexists(path / name):
                os.rename(staging / name, path / name)
        shutil.rmtree(staging, ignore_errors=True)


def write_folder_atomic(
    path: str | os.PathLike[str],
    write: Callable[[Path], object],
    owned: frozenset[str] | set[str],
) -> Path:
    """Write a folder so that it is whole or absent: ``write(tmp_folder)`` fills a temporary
    sibling folder, which then replaces ``path`` in one rename.

    Nothing an earlier run wrote (names in ``owned``) stays beside the new files; anything
    else in ``path`` (the user's own files or folders) is carried over into the new folder.
    A failed write (a full disk, Ctrl-C, an exception) removes the temporary folder and leaves
    ``path`` as it was; one killed outright is cleaned up by the next call
    (:func:`recover_folder`). On Linux the old and new folders are swapped atomically
    (``renameat2`` with ``RENAME_EXCHANGE``); elsewhere by two renames, between which
    ``path`` is briefly absent.

    Parameters
    ----------
    path : path-like
        The folder to (re)place; its parent is created if needed.
    write : callable
        Writes every file into the (empty) folder it is given.
    owned : set of str
        Names of the entries a run writes; the rest of ``path`` is the user's.

    Returns
    -------
    Path
        ``path``.
    """
    import shutil

    path = Path(path)
    full = path.absolute()
    full.parent.mkdir(parents=True, exist_ok=True)
    if full.exists() and not full.is_dir():
        raise NotADirectoryError(f"{path} exists and is not a folder")
    recover_folder(full, owned)
    staging = Path(
        tempfile.mkdtemp(prefix=f".{full.name}{STAGING_INFIX}", suffix=TMP_SUFFIX, dir=full.parent)
    )
    os.chmod(staging, 0o777 & ~_umask())
    try:
        write(staging)
        if not full.exists():
            os.rename(staging, full)
            return path
        for name in os.listdir(full):  # the user's entries move into the new folder
            if not _is_owned(name, owned):
                os.rename(full / name, staging / name)
        if not _exchange(staging, full):
            old = staging.with_name(staging.name[: -len(TMP_SUFFIX)] + ".old" + TMP_SUFFIX)
            os.rename(full, old)
            os.rename(staging, full)
            staging = old
    except BaseException:
        recover_folder(full, owned)  # moves the user's entries back, removes the rest
        raise
    shutil.rmtree(staging, ignore_errors=True)  # now the earlier run
    _fsync_directory(full.parent)
    return path


def _umask() -> int:
    umask = os.umask(0o022)
    os.umask(umask)
    return umask
