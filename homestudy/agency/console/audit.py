"""The audit log: who did what, when, from where. Never case content: targets are ids
and references, details are short words of our own (a decision, a file type, a scope)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime

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


def entries(
    db: Database, *, action: str = "", actor: str = "", limit: int = 500
) -> list[AuditEntry]:
    where, params = [], []
    if action:
        where.append("action = ?")
        params.append(action)
    if actor:
        where.append("actor = ?")
        params.append(actor)
    sql = "SELECT id, at, actor, action, target, detail, ip FROM console_audit"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += f" ORDER BY id DESC LIMIT {int(limit)}"
    with db.transaction() as cur:
        return [AuditEntry(int(r[0]), *r[1:]) for r in cur.all(sql, params)]


def to_csv(rows: list[AuditEntry]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["When (UTC)", "Who", "Action", "What", "Detail", "From"])
    for e in rows:
        writer.writerow([csv_cell(v) for v in (e.at, e.actor, e.action, e.target, e.detail, e.ip)])
    return out.getvalue()


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
