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

import sqlcipher3
from sqlcipher3 import dbapi2

from homestudy.errors import (
    NotAVaultError,
    ReadOnlyVaultError,
    StorageFullError,
    VaultError,
    VaultTooNewError,
)
from homestudy.vault import migrations

Connection = Any  # sqlcipher3.dbapi2.Connection (no type stubs)

#: (pragma, value to set, value expected back)
_SAFETY = [
    ("journal_mode", "WAL", "wal"),
    ("synchronous", "FULL", 2),
    ("temp_store", "MEMORY", 2),
    ("secure_delete", "ON", 1),
    ("foreign_keys", "ON", 1),
]
CACHE_KIB = 32 * 1024  # a whole case (with its PAR) fits many times over
#: Wipe and lock SQLCipher's memory (process-wide once on). Only the benchmark turns it
#: off, in a child process, to show what it costs.
MEMORY_SECURITY = True


def _is_full(exc: BaseException) -> bool:
    return getattr(exc, "sqlite_errorcode", None) == dbapi2.SQLITE_FULL or (
        "disk is full" in str(exc))


def connect(db_path: Path, key: bytes, *, read_only: bool = False, plain: bool = False,
            ) -> Connection:
    """An open, checked connection. ``plain=True`` is plain sqlite3 (benchmarks only)."""
    if plain:
        conn = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
    else:
        conn = sqlcipher3.connect(str(db_path), isolation_level=None, check_same_thread=False)
    try:
        if not plain:
            conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
            want = int(MEMORY_SECURITY)
            conn.execute(f"PRAGMA cipher_memory_security = {want}")
            if int(conn.execute("PRAGMA cipher_memory_security").fetchone()[0]) != want:
                raise VaultError("The store's memory protection could not be turned on.")
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except dbapi2.DatabaseError as exc:
            raise NotAVaultError() from exc
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > migrations.LATEST:
            raise VaultTooNewError()
        for name, value, expected in _SAFETY:
            conn.execute(f"PRAGMA {name} = {value}")
            got = conn.execute(f"PRAGMA {name}").fetchone()[0]
            if got != expected:
                raise VaultError(f"The store's safety setting '{name}' could not be applied.")
        conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        if read_only:
            conn.execute("PRAGMA query_only = ON")
        return conn
    except BaseException:
        conn.close()
        raise


def migrate(conn: Connection) -> int:
    """Bring the schema up to date, one step per transaction. Returns the version."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    for step in migrations.STEPS[version:]:
        with transaction(conn):
            step.migrate(conn)
            conn.execute(f"PRAGMA user_version = {int(step.VERSION)}")
        version = step.VERSION
    return version


@contextlib.contextmanager
def transaction(conn: Connection, *, read_only: bool = False) -> Iterator[Connection]:
    """A short write transaction; committed (durably: synchronous=FULL) on exit."""
    if read_only:
        raise ReadOnlyVaultError()
    try:
        conn.execute("BEGIN IMMEDIATE")
    except dbapi2.OperationalError as exc:
        if _is_full(exc):
            raise StorageFullError() from exc
        raise
    try:
        yield conn
        conn.execute("COMMIT")
    except BaseException as exc:
        with contextlib.suppress(Exception):
            conn.execute("ROLLBACK")
        if isinstance(exc, dbapi2.OperationalError | sqlite3.OperationalError) and _is_full(exc):
            raise StorageFullError() from exc
        if isinstance(exc, dbapi2.OperationalError) and "readonly" in str(exc):
            raise ReadOnlyVaultError() from exc
        raise


def integrity_problems(conn: Connection) -> list[str]:
    """Problems found by cipher_integrity_check and integrity_check ([] when fine)."""
    problems: list[str] = []
    try:
        problems += [str(r[0]) for r in conn.execute("PRAGMA cipher_integrity_check")]
        rows = [str(r[0]) for r in conn.execute("PRAGMA integrity_check")]
    except dbapi2.DatabaseError as exc:
        return [*problems, f"The check could not run: {exc}"]
    problems += [r for r in rows if r != "ok"]
    return problems
