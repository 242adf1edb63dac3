"""One migrator at a time: a PostgreSQL advisory lock around the schema update.

Several inbox and console processes may start at once against a fresh database; each
runs ``Database.migrate``. Without a lock two of them read "version 0" and both try to
create the tables, and one fails. The session-level advisory lock, held on its own
connection, lets one process migrate while the others wait, then they find the schema
current and do nothing. (SQLite needs no lock: ``BEGIN IMMEDIATE`` serialises writers,
and each step re-reads the version inside its own transaction.)

Why not Alembic: the schema is a short list of plain SQL steps shared by SQLite and
PostgreSQL, and the inbox has no ORM models for Alembic to compare against; the
existing numbered runner under a lock gives the one guarantee missing (run once), and
keeps upgrades free of a second migration history.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

LOCK_KEY = 0x486F6D6553747564  # "HomeStud": one key for the inbox schema of any agency


@contextlib.contextmanager
def migration_lock(db: Any) -> Iterator[None]:
    if db.dialect != "postgresql":
        yield
        return
    with db.connection() as conn:
        conn.autocommit = True
        try:
            conn.execute("SELECT pg_advisory_lock(%s)", (LOCK_KEY,))
            try:
                yield
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", (LOCK_KEY,))
        finally:
            conn.autocommit = False
