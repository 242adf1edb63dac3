"""Review of a PAR by the team manager: comments per section, then a countersignature
decision (sign, or return for changes with reasons), sent to the laptop as one agency
message of kind ``review``:

    {"review_id", "comments": [{"id", "section_id", "text", "author", "created_at"}],
     "decision": {"kind": "sign"|"return", "reasons", "by", "at"} | null}

A review remembers the bundle it was made on, so the case page can show what changed
in each section since (a diff of the two decrypted bundles; no text is stored here).
"""

from __future__ import annotations

import difflib
import re
import uuid
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime

from homestudy.agency.console import messaging
from homestudy.agency.db import Database
from homestudy.agency.home import AgencyHome
from homestudy.errors import ValidationError
from homestudy.model import Case

MAX_COMMENT = 4000


@dataclass(frozen=True)
class Comment:
    comment_id: str
    review_id: str
    section_id: str
    text: str
    author: str
    created_at: str


@dataclass
class Review:
    review_id: str
    bundle_id: str
    reviewer: str
    created_at: str
    sent_at: str | None
    decision: str
    reasons: str
    comments: list[Comment] = field(default_factory=list)


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _open_review(db: Database, case_id: str, bundle_id: str, reviewer: str) -> str:
    with db.transaction(immediate=True) as cur:
        row = cur.one(
            "SELECT review_id FROM console_reviews WHERE case_id = ? AND "
            "reviewer = ? AND sent_at IS NULL",
            (case_id, reviewer),
        )
        if row is not None:
            cur.execute(
                "UPDATE console_reviews SET bundle_id = ? WHERE review_id = ?", (bundle_id, row[0])
            )
            return str(row[0])
        review_id = str(uuid.uuid4())
        cur.execute(
            "INSERT INTO console_reviews (review_id, case_id, bundle_id, reviewer, "
            "created_at) VALUES (?, ?, ?, ?, ?)",
            (review_id, case_id, bundle_id, reviewer, _now()),
        )
    return review_id


def add_comment(
    db: Database,
    case: Case,
    bundle_id: str,
    section_id: str,
    text: str,
    author: str,
    *,
    section_ids: Collection[str] = (),
) -> Comment:
    """``section_ids``: the PAR's sections (the form's), so a section not yet started
    can be commented on too; the case's own sections are always allowed."""
    text = text.strip()
    if not text:
        raise ValidationError("Write the comment before saving it.")
    if len(text) > MAX_COMMENT:
        raise ValidationError(f"A comment can have at most {MAX_COMMENT} characters.")
    known = section_id in case.par_sections or section_id in section_ids
    if not known:  # the laptop shows comments per PAR section, so no "general" ones
        raise ValidationError(
            "That PAR section is not in this case. Comment on one of the PAR's sections."
        )
    review_id = _open_review(db, case.id, bundle_id, author)
    comment = Comment(str(uuid.uuid4()), review_id, section_id, text, author, _now())
    with db.transaction() as cur:
        cur.execute(
            "INSERT INTO console_comments (comment_id, review_id, case_id, section_id, "
            "text, author, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (comment.comment_id, review_id, case.id, section_id, text, author, comment.created_at),
        )
    return comment


def decide(
    db: Database,
    home: AgencyHome,
    case: Case,
    bundle_id: str,
    reviewer: str,
    kind: str,
    reasons: str,
    *,
    blockers_open: int = 0,
) -> tuple[str, int]:
    """Send the reviewer's open comments with a decision ("sign", "return" or "" for
    comments only). Returns (review id, message id). ``blockers_open``: the readiness
    blockers the reviewer was shown when countersigning; the decision says so."""
    reasons = reasons.strip()
    if kind not in ("sign", "return", ""):
        raise ValidationError("Choose whether to countersign or return the PAR.")
    if kind == "return" and not reasons:
        raise ValidationError(
            "Say why the PAR is being returned, so the worker knows what to change."
        )
    if not kind and reasons:  # a comments-only review carries no reasons to the laptop
        raise ValidationError(
            "Reasons go with a return. Choose “Return it for changes”, or clear "
            "the reasons and add them as comments."
        )
    review_id = _open_review(db, case.id, bundle_id, reviewer)
    comments = [c for c in comments_of(db, case.id) if c.review_id == review_id]
    if not kind and not comments:
        raise ValidationError("There are no comments to send yet.")
    if kind == "sign" and not comments and _signed_already(db, case.id, bundle_id):
        raise ValidationError(
            "This version of the PAR is countersigned already, and nothing has changed since."
        )
    if kind == "sign" and blockers_open:
        plural = "s" if blockers_open != 1 else ""
        note = f"Countersigned with {blockers_open} blocker{plural} open."
        reasons = f"{note} {reasons}" if reasons else note
    at = _now()
    body = {
        "review_id": review_id,
        "comments": [
            {
                "id": c.comment_id,
                "section_id": c.section_id,
                "text": c.text,
                "author": c.author,
                "created_at": c.created_at,
            }
            for c in comments
        ],
        "decision": (
            {"kind": kind, "reasons": reasons, "by": reviewer, "at": at} if kind else None
        ),
    }
    message_id = messaging.queue_review(db, home, case.id, body)
    with db.transaction() as cur:
        cur.execute(
            "UPDATE console_reviews SET sent_at = ?, decision = ?, reasons = ?, "
            "message_id = ?, bundle_id = ? WHERE review_id = ?",
            (at, kind, reasons, message_id, bundle_id, review_id),
        )
    return review_id, message_id


def comments_of(db: Database, case_id: str) -> list[Comment]:
    with db.transaction() as cur:
        rows = cur.all(
            "SELECT comment_id, review_id, section_id, text, author, created_at "
            "FROM console_comments WHERE case_id = ? ORDER BY created_at",
            (case_id,),
        )
    return [Comment(*r) for r in rows]


def reviews_of(db: Database, case_id: str) -> list[Review]:
    with db.transaction() as cur:
        rows = cur.all(
            "SELECT review_id, bundle_id, reviewer, created_at, sent_at, decision, "
            "reasons FROM console_reviews WHERE case_id = ? ORDER BY created_at",
            (case_id,),
        )
    reviews = {r[0]: Review(*r) for r in rows}
    for c in comments_of(db, case_id):
        if c.review_id in reviews:
            reviews[c.review_id].comments.append(c)
    return list(reviews.values())


def _signed_already(db: Database, case_id: str, bundle_id: str) -> bool:
    """Whether the newest sent decision on this case countersigned this same bundle."""
    decided = [r for r in reviews_of(db, case_id) if r.sent_at and r.decision]
    newest = max(decided, key=lambda r: r.sent_at or "", default=None)
    return newest is not None and newest.decision == "sign" and newest.bundle_id == bundle_id


def last_sent_bundle(db: Database, case_id: str) -> str | None:
    sent = [r for r in reviews_of(db, case_id) if r.sent_at]
    return max(sent, key=lambda r: r.sent_at or "").bundle_id if sent else None


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "same" | "added" | "removed"
    text: str


def section_changes(before: Case, after: Case) -> dict[str, list[DiffLine]]:
    """Sections whose text changed between two states of a case, as paragraph diffs."""
    changed: dict[str, list[DiffLine]] = {}
    for section_id in sorted(set(before.par_sections) | set(after.par_sections)):
        old = before.par_sections.get(section_id)
        new = after.par_sections.get(section_id)
        a, b = _paragraphs(old.text if old else ""), _paragraphs(new.text if new else "")
        if a == b:
            continue
        lines = []
        for line in difflib.ndiff(a, b):
            tag, text = line[:2], line[2:]
            if tag == "? ":
                continue
            kind = {"+ ": "added", "- ": "removed"}.get(tag, "same")
            lines.append(DiffLine(kind, text))
        changed[section_id] = lines
    return changed


def _paragraphs(text: str) -> list[str]:
    return [_words(p) for p in re.split(r"\n\s*\n", text) if p.strip()]


def _words(paragraph: str) -> str:
    """A paragraph's words without its Markdown (``**bold**`` shows as bold elsewhere,
    here as the words), list items one a line with their number or a bullet."""
    from homestudy.report.docmodel import ListBlock
    from homestudy.report.markdown import parse_blocks

    lines = []
    for block in parse_blocks(paragraph):
        if isinstance(block, ListBlock):
            for item in block.items:
                text = "".join(r.text for r in item.runs)
                mark = f"{item.number}." if item.number else "•"
                lines.append(f"{mark} {text}")
        else:
            lines.append("".join(r.text for r in block.runs))
    return "\n".join(lines).strip() or paragraph.strip()
