"""The audit log: who did what, when, from where. Never case content: targets are ids
and references, details are short words of our own (a decision, a file type, a scope)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from homestudy.agency.db import Database

# the actions recorded (the audit page's filter offers these)
ACTIONS = (
    "sign_in",
    "sign_in_failed",
    "sign_out",
    "view_caseload",
    "view_case",
    "download",
    "decrypt",
    "comment",
    "decision",
    "assign",
    "enrolment_issued",
    "enrolment_cancelled",
    "device_revoked",
    "device_restored",
    "key_operation",
    "api_token_created",
    "api_token_revoked",
    "api_call",
    "api_refused",
    "denied",
    "export_csv",
    "view_audit",
    "staff_added",
)


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str
    actor: str
    action: str
    target: str
    detail: str
    ip: str


def record(
    db: Database, actor: str, action: str, target: str = "", detail: str = "", ip: str = ""
) -> None:
    with db.transaction() as cur:
        cur.execute(
            "INSERT INTO console_audit (at, actor, action, target, detail, ip) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (datetime.now(UTC).isoformat(), actor, action, target, detail[:200], ip),
        )


PAGE = 500  # entries on one audit page


@dataclass(frozen=True)
class AuditQuery:
    """Which entries: by action, person, and days (UTC, both included)."""

    action: str = ""
    actor: str = ""
    since: date | None = None
    until: date | None = None

    def where(self, before: int | None = None) -> tuple[str, list[object]]:
        clauses: list[str] = []
        params: list[object] = []
        if self.action:
            clauses.append("action = ?")
            params.append(self.action)
        if self.actor:
            clauses.append("actor = ?")
            params.append(self.actor)
        if self.since:
            clauses.append("at >= ?")
            params.append(self.since.isoformat())
        if self.until:  # ISO timestamps sort as text: before the next day begins
            clauses.append("at < ?")
            params.append((self.until + timedelta(days=1)).isoformat())
        if before is not None:
            clauses.append("id < ?")
            params.append(before)
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def entries(
    db: Database,
    *,
    action: str = "",
    actor: str = "",
    limit: int = PAGE,
    query: AuditQuery | None = None,
    before: int | None = None,
) -> list[AuditEntry]:
    """The newest ``limit`` entries matching (older than entry ``before``, for paging)."""
    where, params = (query or AuditQuery(action, actor)).where(before)
    sql = f"SELECT id, at, actor, action, target, detail, ip FROM console_audit{where}"
    sql += f" ORDER BY id DESC LIMIT {int(limit)}"
    with db.transaction() as cur:
        return [AuditEntry(int(r[0]), *r[1:]) for r in cur.all(sql, params)]


def count(db: Database, query: AuditQuery) -> int:
    where, params = query.where()
    with db.transaction() as cur:
        row = cur.one(f"SELECT count(*) FROM console_audit{where}", params)
    return int(row[0]) if row else 0


def every_entry(db: Database, query: AuditQuery, batch: int = 1000) -> Iterator[AuditEntry]:
    """Every matching entry, newest first, read a batch at a time (a CSV of a year's log
    is not held in memory at once)."""
    before: int | None = None
    while True:
        rows = entries(db, query=query, before=before, limit=batch)
        yield from rows
        if len(rows) < batch:
            return
        before = rows[-1].id


CSV_HEADER = ["When (UTC)", "Who", "Action", "What", "Detail", "From"]


def csv_chunks(rows: Iterable[AuditEntry]) -> Iterator[str]:
    """The CSV a line at a time, header first: for a streamed download."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    yield out.getvalue()
    for e in rows:
        out.seek(0)
        out.truncate()
        writer.writerow([csv_cell(v) for v in (e.at, e.actor, e.action, e.target, e.detail, e.ip)])
        yield out.getvalue()


def to_csv(rows: list[AuditEntry]) -> str:
    return "".join(csv_chunks(rows))


def csv_cell(value: object) -> str:
    """A CSV cell a spreadsheet will not run as a formula (OWASP's CSV injection advice)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def record_cli(db: Database, action: str, target: str = "", detail: str = "") -> None:
    """An action taken with ``homestudy-agency`` on the server (who: the OS account)."""
    import getpass

    from homestudy.agency.console.schema import migrate_console

    migrate_console(db)
    try:
        who = getpass.getuser()
    except Exception:  # no name for this uid (a container): still record the action
        who = "unknown"
    record(db, f"cli:{who}", action, target, detail)
