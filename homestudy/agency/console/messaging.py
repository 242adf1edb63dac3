"""Agency messages to laptops: the one seam over ``homestudy.agency.messages`` (issue 13).

When that module is present, reviews go through its ``queue_message`` and replies come
from its ``replies_for``; until then they use the console's own two tables, so the
console works (and is tested) on its own. The lead removes the fallback after the merge.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from homestudy.agency.db import Database
from homestudy.agency.home import AgencyHome


@dataclass(frozen=True)
class Reply:
    comment_id: str
    status: str  # "replied" | "resolved"
    text: str
    by: str
    at: str


def queue_review(db: Database, home: AgencyHome, case_id: str, body: dict[str, Any]) -> int:
    try:
        from homestudy.agency.messages import queue_message  # type: ignore[import-not-found]
    except ImportError:
        with db.transaction() as cur:
            cur.execute("INSERT INTO console_messages (case_id, kind, body, created_at) "
                        "VALUES (?, ?, ?, ?)", (case_id, "review", json.dumps(body),
                                                datetime.now(UTC).isoformat()))
            row = cur.one("SELECT MAX(id) FROM console_messages WHERE case_id = ?", (case_id,))
        return int(row[0]) if row else 0
    return int(queue_message(db, home, case_id=case_id, kind="review", body=body))


def replies(db: Database, case_id: str) -> dict[str, list[Reply]]:
    """Replies and "resolved" marks from the worker, by comment id."""
    out: dict[str, list[Reply]] = {}
    try:
        from homestudy.agency.messages import replies_for  # type: ignore[import-not-found]
    except ImportError:
        with db.transaction() as cur:
            rows = cur.all("SELECT comment_id, status, text, by_name, at FROM console_replies "
                           "WHERE case_id = ? ORDER BY id", (case_id,))
        for r in rows:
            out.setdefault(r[0], []).append(Reply(*r))
        return out
    for item in replies_for(db, case_id):  # shape of issue 13's contract, read leniently
        get = item.get if isinstance(item, dict) else lambda k, d="", i=item: getattr(i, k, d)
        reply = Reply(str(get("comment_id", "")), str(get("status", "replied")),
                      str(get("text", "")), str(get("by", get("author", ""))),
                      str(get("at", get("created_at", ""))))
        out.setdefault(reply.comment_id, []).append(reply)
    return out


def record_reply(db: Database, case_id: str, comment_id: str, status: str, text: str,
                 by: str) -> None:
    """The fallback's way in for a worker's reply (issue 13 brings it from the laptop)."""
    with db.transaction() as cur:
        cur.execute("INSERT INTO console_replies (case_id, comment_id, status, text, by_name, "
                    "at) VALUES (?, ?, ?, ?, ?, ?)", (case_id, comment_id, status, text, by,
                                                      datetime.now(UTC).isoformat()))


def queued(db: Database, case_id: str) -> list[dict[str, Any]]:
    """The fallback's queued review bodies for a case (tests and the case page)."""
    with db.transaction() as cur:
        rows = cur.all("SELECT body FROM console_messages WHERE case_id = ? ORDER BY id",
                       (case_id,))
    return [json.loads(r[0]) for r in rows]
