"""Atomic, private, durable file writes: a crash leaves either the old file or the new one.

Temp file in the same folder (so ``os.replace`` is atomic), permissions set before
any data is written, the data flushed to the disk itself, then the folder.

Durability differs by platform: ``fsync`` is enough on Linux and Windows (where Python
calls ``FlushFileBuffers``), but on macOS ``fsync`` only hands the data to the drive,
which may keep it in its cache; ``fcntl(F_FULLFSYNC)`` asks the drive to write it out.
Permissions: POSIX gets ``mode`` (0600) on the new file before a byte is written;
Windows has no ``fchmod`` (before Python 3.13) and no POSIX modes, so the file simply
inherits the ACL of its folder (the user's own profile for the vault), and nothing here
calls a function Windows lacks.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import BinaryIO

from homestudy.errors import StorageFullError

_FULL_ERRNOS = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}


class TargetExistsError(FileExistsError):
    """``replace=False`` and the file is there (it was left as it is)."""


def durable_sync(fd: int) -> None:
    """Flush ``fd`` to the storage itself (``F_FULLFSYNC`` on macOS, else ``fsync``)."""
    if sys.platform == "darwin":
        import fcntl

        full_fsync = getattr(fcntl, "F_FULLFSYNC", None)
        if full_fsync is not None:
            try:
                fcntl.fcntl(fd, full_fsync)
                return
            except OSError:  # some file systems (network shares) refuse it: fsync instead
                pass
    os.fsync(fd)


def set_private(fd: int, path: Path | str, mode: int = 0o600) -> None:
    """Restrict a just-created file before data goes in (a no-op beyond that on Windows)."""
    if os.name != "posix":
        return  # the file inherits its folder's ACL; os.chmod would only set "read-only"
    if hasattr(os, "fchmod"):
        os.fchmod(fd, mode)
    else:  # pragma: no cover - every POSIX Python has fchmod
        os.chmod(path, mode)


def write_atomic(path: Path | str, data: bytes, mode: int = 0o600, *, replace: bool = True) -> Path:
    """Write ``data`` to ``path`` atomically with permissions ``mode``. With
    ``replace=False`` an existing ``path`` is left as it is and ``TargetExistsError``
    raised, checked at the moment the file appears (no window for a race)."""
    return _atomic(Path(path), mode, lambda handle: handle.write(data), replace=replace)


def copy_atomic(source: Path | str, target: Path | str, mode: int = 0o600) -> Path:
    """Copy ``source`` to ``target`` atomically (streamed, for large files)."""
    with open(source, "rb") as src:
        return _atomic(Path(target), mode, lambda handle: shutil.copyfileobj(src, handle))


def _atomic(target: Path, mode: int, fill: object, *, replace: bool = True) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        set_private(fd, tmp_name, mode)
        handle: BinaryIO
        with os.fdopen(fd, "wb") as handle:
            fill(handle)  # type: ignore[operator]
            handle.flush()
            durable_sync(handle.fileno())
        if replace:
            os.replace(tmp_name, target)
        else:
            _place_new(tmp_name, target)
        fsync_dir(target.parent)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        if exc.errno in _FULL_ERRNOS:
            raise StorageFullError() from exc
        raise
    return target


def _place_new(tmp_name: str, target: Path) -> None:
    """Move the finished temp file to ``target`` only if nothing is there yet: a hard
    link fails on an existing name (POSIX); Windows' rename never replaces."""
    exists = TargetExistsError(errno.EEXIST, "file exists", str(target))
    try:
        if os.name != "posix":
            os.rename(tmp_name, target)
            return
        os.link(tmp_name, target)
    except FileExistsError as exc:
        raise exists from exc
    except OSError as exc:  # a file system without hard links (FAT, some shares)
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
            raise
        if target.exists():
            raise exists from exc
        os.replace(tmp_name, target)
        return
    os.unlink(tmp_name)


def fsync_dir(folder: Path) -> None:
    """Make a rename or a new file in ``folder`` durable (POSIX; NTFS journals renames)."""
    if os.name != "posix":
        return  # Windows cannot open a directory for fsync
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        durable_sync(dir_fd)
    finally:
        os.close(dir_fd)
