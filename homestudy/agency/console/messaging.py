"""Agency messages to laptops: the console's one seam over ``homestudy.agency.messages``
(issue 13). A review goes out as a message of kind ``review`` to the laptop the case is
with; the worker's replies and "resolved" marks come back in the laptop's next bundle
(``review_replies.json``) and are read here with ``replies_for``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from homestudy.agency import messages
from homestudy.agency.db import Database
from homestudy.agency.home import AgencyHome


@dataclass(frozen=True)
class Reply:
    comment_id: str
    status: str  # "replied" | "resolved"
    text: str
    by: str  # the assessor whose laptop sent it
    at: str


def queue_review(db: Database, home: AgencyHome, case_id: str, body: dict[str, Any]) -> int:
    return int(messages.queue_message(db, home, case_id=case_id, kind="review", body=body))


def replies(db: Database, case_id: str) -> dict[str, list[Reply]]:
    """Replies and "resolved" marks from the worker, by comment id."""
    from homestudy.agency.console.caseload import assessor_names

    names = assessor_names(db)
    out: dict[str, list[Reply]] = {}
    for item in messages.replies_for(db, case_id):
        reply = Reply(
            str(item["comment_id"]),
            "resolved" if item["resolved"] else "replied",
            str(item.get("reply", "")),
            names.get(str(item.get("device_id")), "the worker"),
            str(item.get("at", "")),
        )
        out.setdefault(reply.comment_id, []).append(reply)
    return out


def queued_reviews(db: Database, case_id: str) -> int:
    """How many review messages wait for, or went to, the case's laptop."""
    with db.transaction() as cur:
        row = cur.one(
            "SELECT count(*) FROM assignments WHERE case_id = ? AND kind = 'review'", (case_id,)
        )
    return int(row[0]) if row else 0
