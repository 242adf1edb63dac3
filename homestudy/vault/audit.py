"""The append-only audit trail: who changed which record (and which fields), when.

Entries hold ids and field names only, never case text. Exports and shares
(``homestudy.exports``) add entries of record kind ``export`` whose fields are
``key=value`` strings (what, format, version, revision, sha256, incomplete,
shared_on): codes and a file hash, still never case text nor a file name. Each entry's ``hash`` is
SHA-256 over the previous entry's hash and this entry's canonical JSON, so a
changed, removed or inserted entry breaks the chain, and ``verify`` says where.
The table's triggers refuse UPDATE and DELETE.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from homestudy.errors import AuditChainError
from homestudy.model import utc_now

GENESIS = "0" * 64


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: datetime
    actor: str
    action: str  # "create" | "update" | "delete" | "set" | "export" | "share"
    case_id: str  # "" for vault-wide records (settings)
    record_kind: str  # "case", "visit", "reference", "par_section", "answer", ...
    record_id: str
    fields: tuple[str, ...]
    prev_hash: str
    hash: str


def _digest(
    prev: str,
    seq: int,
    at: str,
    actor: str,
    action: str,
    case_id: str,
    kind: str,
    record_id: str,
    fields: str,
) -> str:
    body = json.dumps(
        [seq, at, actor, action, case_id, kind, record_id, fields],
        separators=(",", ":"),
        ensure_ascii=True,
    )
    return hashlib.sha256((prev + body).encode("ascii")).hexdigest()


def append(
    conn: Any,
    actor: str,
    action: str,
    case_id: str,
    kind: str,
    record_id: str,
    fields: Iterable[str] = (),
) -> None:
    """Add one entry; call inside the transaction that made the change."""
    row = conn.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    seq, prev = (row[0] + 1, row[1]) if row else (1, GENESIS)
    at = utc_now().isoformat()
    names = json.dumps(sorted(fields))
    digest = _digest(prev, seq, at, actor, action, case_id, kind, record_id, names)
    conn.execute(
        "INSERT INTO audit (seq, at, actor, action, case_id, record_kind, record_id, fields,"
        " prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?)",
        (seq, at, actor, action, case_id, kind, record_id, names, prev, digest),
    )


class AuditTrail:
    """Read and verify the trail (writes happen inside the repository's saves)."""

    def __init__(self, conn_getter: Callable[[], Any]) -> None:
        self._conn = conn_getter

    def entries(self, case_id: str | None = None, limit: int | None = None) -> list[AuditEntry]:
        sql = "SELECT * FROM audit"
        params: list[Any] = []
        if case_id is not None:
            sql += " WHERE case_id = ?"
            params.append(case_id)
        sql += " ORDER BY seq"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [self._entry(r) for r in self._conn().execute(sql, params)]

    @staticmethod
    def _entry(r: Any) -> AuditEntry:
        return AuditEntry(
            r[0],
            datetime.fromisoformat(r[1]),
            r[2],
            r[3],
            r[4],
            r[5],
            r[6],
            tuple(json.loads(r[7])),
            r[8],
            r[9],
        )

    def verify(self) -> int:
        """Check the whole chain; returns the number of entries or raises AuditChainError."""
        prev, expected_seq, count = GENESIS, 1, 0
        cur = self._conn().execute(
            "SELECT seq, at, actor, action, case_id, record_kind, record_id, fields,"
            " prev_hash, hash FROM audit ORDER BY seq"
        )
        for seq, at, actor, action, case_id, kind, rid, fields, prev_hash, digest in cur:
            if seq != expected_seq or prev_hash != prev:
                raise AuditChainError(f"The audit trail is broken at entry {expected_seq}.")
            if _digest(prev, seq, at, actor, action, case_id, kind, rid, fields) != digest:
                raise AuditChainError(f"The audit trail entry {seq} has been altered.")
            prev, expected_seq, count = digest, seq + 1, count + 1
        return count
