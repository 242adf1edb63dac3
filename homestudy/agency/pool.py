"""PostgreSQL connections for the inbox: a psycopg-pool pool that heals after a restart.

Each connection is checked as it is handed out (``ConnectionPool.check_connection``, a
cheap round trip), so connections broken by a PostgreSQL restart are dropped and
replaced instead of failing the next request. While the database is down, asking for a
connection waits up to ``timeout`` seconds and then raises ``DatabaseDown`` — a plain
message, which the app answers as 503 and the command line prints as one line.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import Any

from homestudy.errors import AgencyError

# (max_size at least 2: the migration lock holds one connection while a step uses another)
# the pool logs every failed reconnect attempt as a warning with the server's words;
# the app reports the outage itself (/health, 503), so keep the pool's own logger quiet
logging.getLogger("psycopg.pool").setLevel(logging.ERROR)


class DatabaseDown(AgencyError):
    """The database does not answer (stopped, restarting, or unreachable)."""


def describe(url: str) -> str:
    """``host:port/dbname`` of a URL, never its password."""
    from urllib.parse import urlsplit

    import psycopg

    try:
        if "://" in url:
            _ = urlsplit(url).port  # a port that is not a number
        info = psycopg.conninfo.conninfo_to_dict(url)
    except (psycopg.ProgrammingError, ValueError) as exc:
        raise AgencyError(
            "The database URL is not valid; it should look like postgresql://user@host:5432/dbname."
        ) from exc
    host = info.get("host") or "localhost"
    return f"{host}:{info.get('port') or 5432}/{info.get('dbname') or ''}"


class PgPool:
    def __init__(self, url: str, max_size: int, timeout: float = 10.0) -> None:
        from psycopg_pool import ConnectionPool

        self.where = describe(url)
        self.timeout = timeout
        self._pool = ConnectionPool(
            url,
            min_size=1,
            max_size=max(2, max_size),
            kwargs={"autocommit": False},
            check=ConnectionPool.check_connection,
            timeout=timeout,
            open=False,
            name="homestudy-inbox",
            reconnect_timeout=3600.0,
        )
        self._pool.open(wait=False)

    def down(self, exc: BaseException | None = None) -> DatabaseDown:
        return DatabaseDown(
            f"The inbox database ({self.where}) is not answering. Check that "
            "PostgreSQL is running and reachable."
        )

    @contextlib.contextmanager
    def connection(self, timeout: float | None = None) -> Iterator[Any]:
        import psycopg

        try:
            with self._pool.connection(timeout=timeout) as conn:
                yield conn
        except psycopg.OperationalError as exc:
            raise self.down(exc) from exc

    def ping(self, timeout: float = 2.0) -> bool:
        try:
            with self.connection(timeout=timeout) as conn:
                conn.execute("SELECT 1")
                conn.rollback()
        except DatabaseDown:
            return False
        return True

    def close(self) -> None:
        self._pool.close()
