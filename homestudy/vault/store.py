"""The SQLCipher connection: keying, PRAGMAs, transactions, migrations.

Order matters and each step is checked: ``PRAGMA key`` (raw 256-bit key, so no
SQLCipher KDF at open), ``cipher_memory_security``, a probe read (a wrong key or a
file that is not a database only shows there), then the PRAGMAs chosen for safety,
each read back, then speed. Extension loading is never enabled.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.request import pathname2url

import sqlcipher3
from sqlcipher3 import dbapi2

from homestudy.errors import (
    HomeStudyError,
    ReadOnlyVaultError,
    StorageReadOnlyError,
    VaultDamagedError,
    VaultError,
    VaultTooNewError,
)
from homestudy.vault import migrations, storage

Connection = Any  # sqlcipher3.dbapi2.Connection (no type stubs)

#: (pragma, value to set, value expected back). ``fullfsync`` makes SQLite use
#: F_FULLFSYNC on macOS, where a plain fsync may leave a commit in the drive's cache;
#: elsewhere SQLite ignores it (it still reads back as set).
_SAFETY = [
    ("journal_mode", "WAL", "wal"),
    ("synchronous", "FULL", 2),
    ("fullfsync", "ON", 1),
    ("checkpoint_fullfsync", "ON", 1),
    ("temp_store", "MEMORY", 2),
    ("secure_delete", "ON", 1),
    ("foreign_keys", "ON", 1),
]
CACHE_KIB = 32 * 1024  # a whole case (with its PAR) fits many times over
#: Wipe and lock SQLCipher's memory (process-wide once on). Kept on, on the evidence in
#: the README's security section: with it, locking clears nearly all case text SQLCipher
#: read; without it, almost all stays in freed memory. Only the benchmarks turn it off,
#: in a child process, to measure both ways.
MEMORY_SECURITY = True
_DB_ERRORS = (dbapi2.Error, sqlite3.Error)


def translate(
    exc: BaseException,
    folder: Path | None,
    *,
    opening: bool = False,
) -> BaseException:
    """The HomeStudy error for a database error (or ``exc`` itself when it is not one)."""
    if isinstance(exc, HomeStudyError) or not isinstance(exc, _DB_ERRORS):
        return exc
    return storage.from_sqlite(exc, folder, opening=opening) or exc


def connect(
    db_path: Path,
    key: bytes,
    *,
    read_only: bool = False,
    plain: bool = False,
) -> Connection:
    """An open, checked connection. ``plain=True`` is plain sqlite3 (benchmarks only).

    A read-only open of a vault in a folder that cannot be written (a read-only disk,
    a snapshot) falls back to SQLite's ``immutable`` mode, but only when no WAL file
    could hold commits that mode would not see."""
    try:
        return _connect(db_path, key, read_only=read_only, plain=plain)
    except StorageReadOnlyError:
        if not read_only or plain or storage.wal_has_frames(db_path):
            raise
        return _connect(db_path, key, read_only=True, immutable=True)


def _open(db_path: Path, *, plain: bool, immutable: bool) -> Connection:
    if plain:
        return sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
    if immutable:
        uri = f"file:{pathname2url(str(db_path))}?mode=ro&immutable=1"
        return sqlcipher3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    return sqlcipher3.connect(str(db_path), isolation_level=None, check_same_thread=False)


def _connect(
    db_path: Path, key: bytes, *, read_only: bool, plain: bool = False, immutable: bool = False
) -> Connection:
    folder = db_path.parent
    try:
        conn = _open(db_path, plain=plain, immutable=immutable)
    except _DB_ERRORS as exc:
        raise translate(exc, folder, opening=True) from exc
    try:
        if not plain:
            # SQLCipher writes its own log to stderr: a damaged page would print lines a
            # user of the CLI should not see. Our errors say what happened instead.
            conn.execute("PRAGMA cipher_log_level = NONE")
            conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
            want = int(MEMORY_SECURITY)
            conn.execute(f"PRAGMA cipher_memory_security = {want}")
            if int(conn.execute("PRAGMA cipher_memory_security").fetchone()[0]) != want:
                raise VaultError("The store's memory protection could not be turned on.")
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except _DB_ERRORS as exc:
            found = translate(exc, folder, opening=True)
            # a key that does not fit, or a file that is not a database: both "damaged"
            raise (found if found is not exc else VaultDamagedError()) from exc
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > migrations.LATEST:
            raise VaultTooNewError()
        for name, value, expected in _SAFETY:
            if immutable and name == "journal_mode":
                continue  # nothing is written, so no journal; the mode cannot change
            conn.execute(f"PRAGMA {name} = {value}")
            got = conn.execute(f"PRAGMA {name}").fetchone()[0]
            if got != expected:
                raise VaultError(f"The store's safety setting '{name}' could not be applied.")
        conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        if read_only:
            conn.execute("PRAGMA query_only = ON")
        return conn
    except BaseException as exc:
        with contextlib.suppress(Exception):
            conn.close()
        found = translate(exc, folder, opening=True)
        if found is exc:
            raise
        raise found from exc


def migrate(conn: Connection) -> int:
    """Bring the schema up to date, one step per transaction. Returns the version."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    for step in migrations.STEPS[version:]:
        # a step that rebuilds a table needs foreign keys off (outside the transaction),
        # or dropping the old table would cascade into its children
        keys_off = getattr(step, "FOREIGN_KEYS_OFF", False)
        if keys_off:
            conn.execute("PRAGMA foreign_keys = OFF")
        try:
            with transaction(conn):
                step.migrate(conn)
                if keys_off and conn.execute("PRAGMA foreign_key_check").fetchone():
                    raise VaultError(
                        "The vault could not be upgraded: its records do not "
                        "match up. Nothing was changed."
                    )
                conn.execute(f"PRAGMA user_version = {int(step.VERSION)}")
        finally:
            if keys_off:
                conn.execute("PRAGMA foreign_keys = ON")
        version = step.VERSION
    return version


@contextlib.contextmanager
def transaction(
    conn: Connection, *, read_only: bool = False, folder: Path | None = None
) -> Iterator[Connection]:
    """A short write transaction; committed (durably: synchronous=FULL) on exit.

    Database errors come out as HomeStudy errors (full disk, read-only, damaged ...);
    ``folder`` lets a vague one be pinned down by probing the vault's folder."""
    if read_only:
        raise ReadOnlyVaultError()
    try:
        conn.execute("BEGIN IMMEDIATE")
    except _DB_ERRORS as exc:
        raise translate(exc, folder) from exc
    try:
        yield conn
        conn.execute("COMMIT")
    except BaseException as exc:
        with contextlib.suppress(Exception):
            conn.execute("ROLLBACK")
        found = translate(exc, folder)
        if found is exc:
            raise
        raise found from exc


def page_problems(conn: Connection) -> list[str]:
    """Pages whose HMAC fails (``cipher_integrity_check``): any change to any byte of
    the file since SQLCipher wrote it. Fast: about 0.3 s for 200 cases."""
    try:
        return [str(r[0]) for r in conn.execute("PRAGMA cipher_integrity_check")]
    except dbapi2.DatabaseError as exc:
        return [f"The check could not run: {exc}"]


def structure_problems(conn: Connection) -> list[str]:
    """What SQLite's ``integrity_check`` finds wrong in the b-trees and indexes
    (several times slower than ``page_problems``)."""
    try:
        rows = [str(r[0]) for r in conn.execute("PRAGMA integrity_check")]
    except dbapi2.DatabaseError as exc:
        return [f"The check could not run: {exc}"]
    return [r for r in rows if r != "ok"]


def integrity_problems(conn: Connection) -> list[str]:
    """Problems found by cipher_integrity_check and integrity_check ([] when fine)."""
    return page_problems(conn) or structure_problems(conn)
