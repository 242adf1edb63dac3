"""What went wrong with the disk or the database file, in plain words.

SQLite reports a read-only folder, a full disk and a damaged file through a handful of
result codes, and not always the telling one: a full disk while the WAL index is being
made shows as a generic I/O error, a read-only folder as "unable to open". So after a
storage-looking failure ``probe`` writes a small private file into the vault's folder
and sees what the operating system says. Every function returns one of the
``homestudy.errors`` classes (or ``None`` for "not a storage problem": a bug, which
the caller re-raises as it is).
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path

from homestudy.errors import (
    HomeStudyError,
    IntegrityError,
    NotAVaultError,
    StorageFullError,
    StorageReadOnlyError,
    StorageUnavailableError,
    VaultDamagedError,
    VaultError,
)

#: Errors meaning "the vault's data is damaged": the UI and CLI offer a restore.
DAMAGE_ERRORS: tuple[type[HomeStudyError], ...] = (VaultDamagedError, IntegrityError)

# SQLite primary result codes (sqlite3.h); the extended code's low byte is the primary.
SQLITE_ERROR, SQLITE_PERM, SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY = 1, 3, 5, 6, 8
SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_FULL, SQLITE_CANTOPEN = 10, 11, 13, 14
SQLITE_NOTADB = 26

_READ_ONLY_ERRNOS = {errno.EROFS, errno.EACCES, errno.EPERM}
_FULL_ERRNOS = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
_PROBE_BYTES = 64 * 1024  # more than SQLite needs to grow the WAL index by one step

FULL_AT_OPEN = (
    "The disk that holds the vault is full, so HomeStudy cannot open it. Free some space "
    "(empty the recycle bin, remove large downloads) and try again; nothing has been lost."
)
BUSY_MESSAGE = (
    "The vault is in use by another copy of HomeStudy on this computer. Close the other "
    "one and try again."
)


def primary_code(exc: BaseException) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return None if code is None else int(code) & 0xFF


def probe(folder: Path) -> VaultError | None:
    """Write and remove a small file in ``folder``: the error that shows, or None."""
    path = None
    try:
        fd, path = tempfile.mkstemp(prefix=".homestudy-probe-", dir=folder)
        try:
            os.write(fd, b"\0" * _PROBE_BYTES)
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        return from_os_error(exc)
    finally:
        if path is not None:
            with contextlib.suppress(OSError):
                os.unlink(path)
    return None


def from_os_error(exc: OSError) -> VaultError | None:
    if exc.errno in _FULL_ERRNOS:
        return StorageFullError()
    if exc.errno in _READ_ONLY_ERRNOS:
        return StorageReadOnlyError()
    if exc.errno in (errno.EIO, errno.ENXIO, errno.ENODEV, errno.ESTALE, errno.ETIMEDOUT):
        return StorageUnavailableError()
    return None


def from_sqlite(
    exc: BaseException,
    folder: Path | None,
    *,
    opening: bool = False,
) -> VaultError | None:
    """The HomeStudy error for a SQLite error about the vault in ``folder`` (None: the
    folder is not known, so no probe)."""
    code = primary_code(exc)
    text = str(exc).lower()
    if code in (None, SQLITE_ERROR):
        # the stdlib's sqlite3, or an error passed on as a generic one (sqlcipher_export
        # reports a full disk as SQLITE_ERROR): read the text
        if "disk is full" in text or "database or disk is full" in text:
            code = SQLITE_FULL
        elif "readonly" in text or "read-only" in text:
            code = SQLITE_READONLY
        elif "malformed" in text or "not a database" in text:
            code = SQLITE_CORRUPT
    if code == SQLITE_FULL:
        return StorageFullError(FULL_AT_OPEN if opening else None)
    if code in (SQLITE_CORRUPT, SQLITE_NOTADB):
        return VaultDamagedError()
    if code in (SQLITE_BUSY, SQLITE_LOCKED):
        return StorageUnavailableError(BUSY_MESSAGE)
    if code in (SQLITE_READONLY, SQLITE_CANTOPEN, SQLITE_IOERR, SQLITE_PERM):
        found = probe(folder) if folder is not None and folder.is_dir() else None
        if isinstance(found, StorageFullError) and opening:
            return StorageFullError(FULL_AT_OPEN)
        if found is not None:
            return found
        if code == SQLITE_READONLY:
            return StorageReadOnlyError()
        if code == SQLITE_CANTOPEN and opening:
            return NotAVaultError()
        return StorageUnavailableError()
    return None


def wal_has_frames(db_path: Path) -> bool:
    """True when the WAL beside ``db_path`` may hold commits not yet in the database."""
    try:
        return os.path.getsize(f"{db_path}-wal") > 0
    except OSError:
        return False
