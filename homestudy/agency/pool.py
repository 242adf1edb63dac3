"""PostgreSQL connections for the inbox: a psycopg-pool pool that heals after a restart.

Each connection is checked as it is handed out, so connections broken by a PostgreSQL
restart are dropped and replaced instead of failing the next request. The check costs
no round trip while the connection looks sound (``check_idle``): an idle connection the
server has ended has something to read (the server's "terminating connection" message,
or the end of the stream); only then does ``ConnectionPool.check_connection`` run.
While the database is down, asking for a connection waits up to ``timeout`` seconds and
then raises ``DatabaseDown`` — a plain message, which the app answers as 503 and the
command line prints as one line.
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


def check_idle(conn: Any) -> None:
    """Raise if an idle connection is broken, without a round trip when it looks sound.

    An idle connection in a healthy session has nothing to read; after a server restart
    or a killed backend it has the server's last message or EOF waiting, or libpq
    already knows it is closed. Then the full check (a round trip) decides.
    """
    import select

    from psycopg import pq
    from psycopg_pool import ConnectionPool

    pgconn = conn.pgconn
    if pgconn.status == pq.ConnStatus.OK and pgconn.transaction_status == pq.TransactionStatus.IDLE:
        try:
            readable, _, _ = select.select([pgconn.socket], [], [], 0)
        except (OSError, ValueError):
            readable = [True]
        if not readable:
            return
    ConnectionPool.check_connection(conn)


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
            check=check_idle,
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
