"""Atomic, private file writes: a crash leaves either the old file or the new one.

Temp file in the same folder (so ``os.replace`` is atomic), permissions set before
any data is written, ``fsync`` of the file and of the folder.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path

from homestudy.errors import StorageFullError


def write_atomic(path: Path | str, data: bytes, mode: int = 0o600) -> Path:
    """Write ``data`` to ``path`` atomically with permissions ``mode``."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.fchmod(fd, mode) if hasattr(os, "fchmod") else os.chmod(tmp_name, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, target)
        _fsync_dir(target.parent)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        if exc.errno == errno.ENOSPC:
            raise StorageFullError() from exc
        raise
    return target


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return  # Windows cannot open a directory for fsync; NTFS journals the rename
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
