"""The inbox's database: SQLite by default, PostgreSQL for a ``postgresql://`` URL.

One schema, written once with two small substitutions (``{blob}``, ``{serial}``) and
``?`` placeholders that become ``%s`` for psycopg. Migrations are numbered lists of
statements applied in one transaction each, recorded in ``schema_version``.

Connections come from a small pool (the ASGI server calls in from worker threads).
Writes that must be serialised per device take the device row first: ``BEGIN
IMMEDIATE`` on SQLite, ``SELECT ... FOR UPDATE`` on PostgreSQL.
"""

from __future__ import annotations

import contextlib
import queue
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from homestudy.errors import AgencyError


def now_iso() -> str:
    """Now, as the inbox's tables store times (UTC, ISO 8601)."""
    return datetime.now(UTC).isoformat()


MIGRATIONS: list[list[str]] = [
    [  # 1: the inbox
        """CREATE TABLE devices (
            device_id TEXT PRIMARY KEY,
            assessor_id TEXT NOT NULL,
            device_name TEXT NOT NULL DEFAULT '',
            signing_public_key TEXT NOT NULL,
            age_recipient TEXT NOT NULL,
            enrolled_at TEXT NOT NULL,
            revoked_at TEXT,
            last_sequence BIGINT NOT NULL DEFAULT 0,
            last_bundle_id TEXT NOT NULL DEFAULT '',
            last_sha256 TEXT NOT NULL DEFAULT '',
            assignment_sequence BIGINT NOT NULL DEFAULT 0,
            last_assignment_id TEXT NOT NULL DEFAULT '',
            last_assignment_sha256 TEXT NOT NULL DEFAULT '')""",
        """CREATE TABLE enrolment_tokens (
            token_sha256 TEXT PRIMARY KEY,
            assessor_id TEXT NOT NULL,
            assessor_name TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            used_at TEXT,
            device_id TEXT)""",
        """CREATE TABLE bundles (
            bundle_id TEXT PRIMARY KEY,
            device_id TEXT NOT NULL REFERENCES devices(device_id),
            sequence BIGINT NOT NULL,
            case_id TEXT NOT NULL,
            case_reference TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            size BIGINT NOT NULL,
            data {blob} NOT NULL,
            received_at TEXT NOT NULL,
            receipt_body {blob} NOT NULL,
            receipt_signature {blob} NOT NULL,
            UNIQUE (device_id, sequence))""",
        """CREATE TABLE alerts (
            id {serial},
            created_at TEXT NOT NULL,
            kind TEXT NOT NULL,
            device_id TEXT NOT NULL,
            bundle_id TEXT NOT NULL,
            sequence BIGINT NOT NULL,
            detail TEXT NOT NULL)""",
        """CREATE TABLE assignments (
            bundle_id TEXT PRIMARY KEY,
            device_id TEXT NOT NULL REFERENCES devices(device_id),
            sequence BIGINT NOT NULL,
            case_id TEXT NOT NULL,
            case_reference TEXT NOT NULL,
            data {blob} NOT NULL,
            created_at TEXT NOT NULL,
            UNIQUE (device_id, sequence))""",
        """CREATE TABLE key_lists (
            version BIGINT PRIMARY KEY,
            body {blob} NOT NULL,
            signature {blob} NOT NULL,
            created_at TEXT NOT NULL)""",
        "CREATE INDEX bundles_by_case ON bundles (case_reference, received_at)",
    ],
    [  # 2: key rotation: a key list's further signatures (JSON list of minisig texts)
        "ALTER TABLE key_lists ADD COLUMN extra_signatures TEXT NOT NULL DEFAULT '[]'",
    ],
    [  # 3: agency -> laptop messages (homestudy.agency.messages) share the assignments'
        # per-device sequence; what a device acknowledged re-derives it after a restore
        "ALTER TABLE assignments ADD COLUMN kind TEXT NOT NULL DEFAULT 'assignment'",
        "ALTER TABLE assignments ADD COLUMN message_id TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE devices ADD COLUMN acked_sequence BIGINT NOT NULL DEFAULT 0",
        "ALTER TABLE devices ADD COLUMN acked_message_id TEXT NOT NULL DEFAULT ''",
        "CREATE INDEX assignments_by_case ON assignments (case_id, created_at)",
        "CREATE INDEX bundles_by_case_id ON bundles (case_id, received_at)",
        """CREATE TABLE review_replies (
            review_id TEXT NOT NULL,
            comment_id TEXT NOT NULL,
            case_id TEXT NOT NULL,
            device_id TEXT NOT NULL,
            bundle_id TEXT NOT NULL,
            reply TEXT NOT NULL,
            resolved INTEGER NOT NULL,
            at TEXT NOT NULL,
            received_at TEXT NOT NULL,
            PRIMARY KEY (review_id, comment_id))""",
    ],
    [  # 4: change sets (docs/sync-payload.md): case states rebuilt from changes, and
        # attachments by content hash, uploaded in chunks
        "ALTER TABLE bundles ADD COLUMN format_version INTEGER NOT NULL DEFAULT 1",
        "ALTER TABLE bundles ADD COLUMN base_sha256 TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE bundles ADD COLUMN state_sha256 TEXT NOT NULL DEFAULT ''",
        """CREATE TABLE case_states (
            case_id TEXT NOT NULL,
            state_sha256 TEXT NOT NULL,
            bundle_id TEXT NOT NULL,
            device_id TEXT NOT NULL,
            received_at TEXT NOT NULL,
            blobs TEXT NOT NULL,
            data {blob} NOT NULL,
            PRIMARY KEY (case_id, state_sha256))""",
        """CREATE TABLE blobs (
            sha256 TEXT PRIMARY KEY,
            size BIGINT NOT NULL,
            received BIGINT NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            completed_at TEXT)""",
        """CREATE TABLE blob_chunks (
            sha256 TEXT NOT NULL,
            offset_bytes BIGINT NOT NULL,
            size BIGINT NOT NULL,
            data {blob} NOT NULL,
            PRIMARY KEY (sha256, offset_bytes))""",
    ],
    [  # 5: the HomeStudy version each laptop last synced with (the console's team page)
        "ALTER TABLE devices ADD COLUMN app_version TEXT NOT NULL DEFAULT ''",
    ],
    [  # 6: a re-numbering after a restore that the inbox role (no signing key) left for
        # the console: messages after this acknowledgement (NULL: none waiting)
        "ALTER TABLE devices ADD COLUMN renumber_from BIGINT",
    ],
]

_DIALECT = {
    "sqlite": {"blob": "BLOB", "serial": "INTEGER PRIMARY KEY AUTOINCREMENT"},
    "postgresql": {"blob": "BYTEA", "serial": "BIGSERIAL PRIMARY KEY"},
}


class Database:
    """A pool of connections to one inbox database."""

    def __init__(self, url: str, pool_size: int = 16, timeout: float = 5.0) -> None:
        self.url = url
        is_pg = url.startswith(("postgresql://", "postgres://"))
        self.dialect = "postgresql" if is_pg else "sqlite"
        self._pool: queue.LifoQueue[Any] = queue.LifoQueue()
        self._slots = threading.BoundedSemaphore(pool_size)
        # SQLite: this process's writers queue here, in turn, instead of each polling
        # SQLite's lock through its sleeping busy handler (1, 2, 5 ... 100 ms naps that
        # leave the lock idle); only other processes still meet at SQLite's lock
        self._writers = threading.RLock()
        if self.dialect == "postgresql":
            import psycopg

            from homestudy.agency.pool import PgPool

            self.IntegrityError: type[Exception] = psycopg.IntegrityError
            self._psycopg = psycopg
            self.pg_pool: PgPool | None = PgPool(url, pool_size, timeout)
        else:
            self.pg_pool = None
            self.IntegrityError = sqlite3.IntegrityError
            self._path = url.removeprefix("sqlite:///") if url.startswith("sqlite:") else url

    # ----------------------------------------------------------------- connections

    def _connect(self) -> Any:
        if self.dialect == "postgresql":
            return self._psycopg.connect(self.url, autocommit=False)
        conn = sqlite3.connect(
            self._path, timeout=30, isolation_level=None, check_same_thread=False
        )
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        return conn

    @contextlib.contextmanager
    def connection(self) -> Iterator[Any]:
        if self.pg_pool is not None:  # psycopg-pool: checked on checkout, heals after restarts
            with self.pg_pool.connection() as conn:
                yield conn
            return
        self._slots.acquire()
        try:
            try:
                conn = self._pool.get_nowait()
            except queue.Empty:
                conn = self._connect()
            try:
                yield conn
            except BaseException:
                try:  # a refusal mid-transaction is normal: keep a connection that rolls back
                    conn.rollback()
                except Exception:
                    with contextlib.suppress(Exception):
                        conn.close()
                else:
                    self._pool.put(conn)
                raise
            self._pool.put(conn)
        finally:
            self._slots.release()

    @contextlib.contextmanager
    def transaction(self, immediate: bool = False) -> Iterator[Cursor]:
        """One transaction; ``immediate`` takes SQLite's write lock at the start."""
        if immediate and self.dialect == "sqlite":
            with self._writers, self._transaction(immediate) as cur:
                yield cur
            return
        with self._transaction(immediate) as cur:
            yield cur

    @contextlib.contextmanager
    def _transaction(self, immediate: bool) -> Iterator[Cursor]:
        with self.connection() as conn:
            if self.dialect == "sqlite":
                conn.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
            cur = Cursor(conn.cursor(), self.dialect)
            try:
                yield cur
            except BaseException:
                conn.rollback()
                raise
            conn.commit()

    def ping(self) -> bool:
        """Whether the database answers now (for /health); never raises."""
        if self.pg_pool is not None:
            return self.pg_pool.ping()
        try:
            with self.transaction() as cur:
                cur.one("SELECT 1")
        except Exception:
            return False
        return True

    def close(self) -> None:
        if self.pg_pool is not None:
            self.pg_pool.close()
            return
        while True:
            try:
                self._pool.get_nowait().close()
            except queue.Empty:
                return

    # ----------------------------------------------------------------- schema

    def schema_version(self) -> int:
        with self.transaction() as cur:
            if not cur.table_exists("schema_version"):
                return 0
            row = cur.one("SELECT MAX(version) FROM schema_version")
            return int(row[0] or 0) if row else 0

    def migrate(self) -> int:
        """Bring the schema up to date; returns the version now.

        Safe when several processes start at once: PostgreSQL under an advisory lock
        (``migrate_lock``), and every step re-reads the version in its own transaction.
        """
        from homestudy.agency.migrate_lock import migration_lock

        with migration_lock(self):
            for number, statements in enumerate(MIGRATIONS, start=1):
                with self.transaction(immediate=True) as cur:
                    version = 0
                    if cur.table_exists("schema_version"):
                        row = cur.one("SELECT MAX(version) FROM schema_version")
                        version = int(row[0] or 0) if row else 0
                    if version > len(MIGRATIONS):
                        raise AgencyError(
                            "The inbox database was made by a newer version of HomeStudy."
                        )
                    if version >= number:
                        continue
                    if not cur.table_exists("schema_version"):
                        cur.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
                    for statement in statements:
                        cur.execute(statement.format(**_DIALECT[self.dialect]))
                    cur.execute("INSERT INTO schema_version (version) VALUES (?)", (number,))
        return len(MIGRATIONS)


class Cursor:
    """A cursor that takes ``?`` placeholders on both databases and returns bytes for blobs."""

    def __init__(self, cursor: Any, dialect: str) -> None:
        self._cur = cursor
        self.dialect = dialect

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        if self.dialect == "postgresql":
            sql = sql.replace("?", "%s")
        self._cur.execute(sql, tuple(params))
        return self

    def one(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        row = self.execute(sql, params)._cur.fetchone()
        return None if row is None else tuple(_plain(v) for v in row)

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return [tuple(_plain(v) for v in row) for row in self.execute(sql, params)._cur.fetchall()]

    def lock_device(self, device_id: str, columns: str) -> tuple[Any, ...] | None:
        suffix = " FOR UPDATE" if self.dialect == "postgresql" else ""
        return self.one(f"SELECT {columns} FROM devices WHERE device_id = ?{suffix}", (device_id,))

    def table_exists(self, name: str) -> bool:
        if self.dialect == "postgresql":
            row = self.one("SELECT to_regclass(?)", (name,))
            return bool(row and row[0])
        return self.one("SELECT 1 FROM sqlite_master WHERE name = ?", (name,)) is not None


def _plain(value: Any) -> Any:
    return bytes(value) if isinstance(value, memoryview | bytearray) else value


def default_url(home: Path) -> str:
    return f"sqlite:///{home / 'inbox.sqlite3'}"
