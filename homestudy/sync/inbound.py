"""What an agency sends this laptop (``homestudy.sync.message_format``), kept in the vault.

Every message is stored before anything else happens (``agency_messages``, vault step
6), then applied: a case's new information is laid over it, a transferred or re-issued
case arrives whole with its attachments, review comments wait beside their PAR
sections, a withdrawn or closed case is archived. A message that cannot be applied is
kept with its reason (``status = "unapplied"``) and tried again each sync round until
it applies or the worker sets it aside (``resolve``); it is never dropped.

Replies to review comments are kept in ``review_replies`` and travel back in the case's
next bundle as the payload member ``review_replies.json``: the replies saved since those
the agency already holds (all of them when it holds none), each stamped with a time
that only moves forward in the case, so "since" is exact even if the clock steps back.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from homestudy.errors import HomeStudyError, NotFoundError, ValidationError
from homestudy.model import Case, utc_now
from homestudy.serial import from_jsonable
from homestudy.sync import outbox
from homestudy.sync.message_format import (
    AGENCY_FIELDS,
    CASE_UPDATE,
    CLOSE,
    REVIEW,
    TRANSFER,
    WITHDRAW,
    OpenedMessage,
)

log = logging.getLogger(__name__)
APPLIED, STORED, UNAPPLIED, RESOLVED = "applied", "stored", "unapplied", "resolved"
REVIEW_REPLIES = "review_replies.json"


@dataclass(frozen=True)
class StoredMessage:
    message_id: str
    profile_id: str
    sequence: int
    kind: str
    case_id: str
    case_reference: str
    status: str
    reason: str
    received_at: str
    body: dict[str, Any]

    @property
    def summary(self) -> str:
        """One line for lists: what the agency sent, about which case."""
        what = {
            CASE_UPDATE: "Updated case information",
            REVIEW: "Review comments",
            TRANSFER: "A case transferred to you",
            WITHDRAW: "The case was withdrawn",
            CLOSE: "The case was closed",
        }.get(self.kind, self.kind)
        return f"{what} ({self.case_reference})"


@dataclass(frozen=True)
class ReviewComment:
    review_id: str
    comment_id: str
    section_id: str
    text: str
    author: str
    created_at: str
    reply: str = ""
    resolved: bool = False
    replied_at: str = ""  # when the reply was kept ('' for none): whether it has gone


@dataclass(frozen=True)
class Outcome:
    status: str
    reason: str = ""
    new_case: bool = False
    notice: str = ""  # said to the worker after the round (an archived case)


# --------------------------------------------------------------------------- receiving


def receive(vault: Any, profile_id: str, opened: OpenedMessage) -> Outcome | None:
    """Store a message and apply it; None if this laptop already holds it."""
    m = opened.manifest
    with vault.transaction() as conn:
        if conn.execute(
            "SELECT 1 FROM agency_messages WHERE message_id = ?", (m.message_id,)
        ).fetchone():
            _advance(conn, profile_id, m.sequence, m.message_id)
            return None
        conn.execute(
            "INSERT INTO agency_messages (message_id, profile_id, sequence, kind, case_id, "
            "case_reference, body, status, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                m.message_id,
                profile_id,
                m.sequence,
                m.kind,
                m.case_id,
                m.case_reference,
                json.dumps(opened.body),
                UNAPPLIED,
                utc_now().isoformat(),
            ),
        )
        for attachment_id, data in opened.attachments.items():
            conn.execute(
                "INSERT INTO agency_message_files (message_id, attachment_id, content) "
                "VALUES (?, ?, ?)",
                (m.message_id, attachment_id, data),
            )
        _advance(conn, profile_id, m.sequence, m.message_id)
    return _try(vault, message(vault, m.message_id))


def retry(vault: Any, profile_id: str | None = None) -> list[Outcome]:
    """Try again every message not yet applied (the worker may have cleared the cause)."""
    return [
        _try(vault, m)
        for m in messages(vault, status=UNAPPLIED)
        if profile_id is None or m.profile_id == profile_id
    ]


def _try(vault: Any, msg: StoredMessage) -> Outcome:
    try:
        outcome = _apply(vault, msg)
    except (ValidationError, NotFoundError) as exc:
        outcome = Outcome(UNAPPLIED, exc.message)
    except HomeStudyError as exc:  # e.g. a case the laptop cannot read: keep, say why
        outcome = Outcome(UNAPPLIED, exc.message)
    except Exception as exc:  # a signed but odd body must not stop every later round
        log.warning("agency message not applied: %s", type(exc).__name__)
        outcome = Outcome(
            UNAPPLIED,
            "This message could not be applied by this version of "
            "HomeStudy. Update HomeStudy, or ask the agency to send "
            "it again.",
        )
    with vault.transaction() as conn:
        conn.execute(
            "UPDATE agency_messages SET status = ?, reason = ? WHERE message_id = ?",
            (outcome.status, outcome.reason, msg.message_id),
        )
        if outcome.status != UNAPPLIED:
            conn.execute("DELETE FROM agency_message_files WHERE message_id = ?", (msg.message_id,))
    return outcome


def _apply(vault: Any, msg: StoredMessage) -> Outcome:
    if msg.kind == REVIEW:
        _local(vault, msg)
        return Outcome(STORED)
    if msg.kind in (WITHDRAW, CLOSE):
        case = _local(vault, msg)
        verb = "withdrew" if msg.kind == WITHDRAW else "closed"
        reason = str(msg.body.get("reason") or f"The agency {verb} this case.")
        if case.archived_at is None:
            vault.cases.archive_case(case.id, reason)
            outbox.clear_dirty(vault, case.id)
        return Outcome(
            APPLIED,
            notice=f"The agency {verb} case {case.reference}; it has been "
            "archived (Archived cases in the case list).",
        )
    if msg.kind not in (CASE_UPDATE, TRANSFER):
        return Outcome(
            UNAPPLIED,
            "This version of HomeStudy does not know this kind of "
            "message. Update HomeStudy, then try again.",
        )
    theirs = _case_of(msg)
    theirs.agency_profile_id = msg.profile_id
    local = _existing(vault, theirs.id)
    _refuse_clash(vault, theirs)
    if local is None or msg.kind == TRANSFER:
        if local is not None and _has_unsent_work(vault, local.id):
            return Outcome(
                UNAPPLIED,
                f"Case {local.reference} is already on this laptop with "
                "changes not yet sent; sync first, then try again.",
            )
        vault.cases.save_case(theirs)
        files = _files(vault, msg.message_id)
        for meta in theirs.attachments:
            if meta.id in files:
                vault.cases.put_attachment(theirs.id, meta, files[meta.id])
        outbox.clear_dirty(vault, theirs.id)  # the agency has this state already
        return Outcome(APPLIED, new_case=local is None)
    fields = msg.body.get("fields") or AGENCY_FIELDS
    known = set(Case.__dataclass_fields__)
    for name in fields:
        if name in known and name not in ("id", "agency_profile_id", "attachments"):
            setattr(local, name, getattr(theirs, name))
    vault.cases.save_case(local)
    return Outcome(APPLIED)


def _case_of(msg: StoredMessage) -> Case:
    try:
        case = from_jsonable(Case, msg.body["case"])
    except Exception as exc:  # a signed message with a case this version cannot read
        raise ValidationError(
            "The case in this message could not be read by this version of HomeStudy."
        ) from exc
    if case.id != msg.case_id:
        raise ValidationError("The case in this message does not match its label.")
    return case


def _local(vault: Any, msg: StoredMessage) -> Case:
    local = _existing(vault, msg.case_id)
    if local is None:
        raise NotFoundError(f"Case {msg.case_reference} is not on this laptop.")
    return local


def _existing(vault: Any, case_id: str) -> Case | None:
    try:
        return vault.cases.load_case(case_id)  # type: ignore[no-any-return]
    except NotFoundError:
        return None


def _refuse_clash(vault: Any, case: Case) -> None:
    with vault.reading() as conn:
        row = conn.execute(
            "SELECT 1 FROM cases WHERE reference = ? AND agency_profile_id = ? AND id != ?",
            (case.reference, case.agency_profile_id, case.id),
        ).fetchone()
    if row is not None:
        raise ValidationError(
            f"This laptop already has a different case {case.reference} for this agency. "
            "Change that case's reference (or unlink it from the agency), then choose "
            "Try again.",
            field="reference",
        )


def _has_unsent_work(vault: Any, case_id: str) -> bool:
    with vault.reading() as conn:
        return (
            conn.execute(
                "SELECT 1 FROM sync_dirty WHERE case_id = ? UNION SELECT 1 FROM sync_outbox "
                "WHERE case_id = ?",
                (case_id, case_id),
            ).fetchone()
            is not None
        )


def _files(vault: Any, message_id: str) -> dict[str, bytes]:
    with vault.reading() as conn:
        return {
            r[0]: bytes(r[1])
            for r in conn.execute(
                "SELECT attachment_id, content FROM agency_message_files WHERE message_id = ?",
                (message_id,),
            )
        }


def _advance(conn: Any, profile_id: str, sequence: int, message_id: str) -> None:
    conn.execute(
        "INSERT INTO agency_message_cursor (profile_id, sequence, message_id) VALUES (?, ?, ?) "
        "ON CONFLICT (profile_id) DO UPDATE SET sequence = excluded.sequence, "
        "message_id = excluded.message_id WHERE excluded.sequence > sequence",
        (profile_id, sequence, message_id),
    )
    conn.execute(
        "UPDATE sync_profiles SET last_assignment_sequence = ? WHERE id = ? AND "
        "last_assignment_sequence < ?",
        (sequence, profile_id, sequence),
    )


def cursor(vault: Any, profile_id: str) -> tuple[int, str]:
    """The last message stored for a profile: (sequence, message id)."""
    with vault.reading() as conn:
        row = conn.execute(
            "SELECT sequence, message_id FROM agency_message_cursor WHERE profile_id = ?",
            (profile_id,),
        ).fetchone()
    return (int(row[0]), row[1]) if row else (0, "")


def reset_cursor(conn: Any, profile_id: str) -> None:
    """A new device for the profile: its messages are numbered from 1 again."""
    conn.execute("DELETE FROM agency_message_cursor WHERE profile_id = ?", (profile_id,))


# --------------------------------------------------------------------------- reading


_COLUMNS = (
    "message_id, profile_id, sequence, kind, case_id, case_reference, status, reason, "
    "received_at, body"
)


def _row(r: Any) -> StoredMessage:
    return StoredMessage(
        r[0], r[1], int(r[2]), r[3], r[4], r[5], r[6], r[7], r[8], json.loads(r[9])
    )


def message(vault: Any, message_id: str) -> StoredMessage:
    with vault.reading() as conn:
        row = conn.execute(
            f"SELECT {_COLUMNS} FROM agency_messages WHERE message_id = ?", (message_id,)
        ).fetchone()
    if row is None:
        raise NotFoundError("That message from the agency could not be found.")
    return _row(row)


def messages(
    vault: Any, *, status: str | None = None, case_id: str | None = None
) -> list[StoredMessage]:
    where, args = [], []
    if status is not None:
        where.append("status = ?")
        args.append(status)
    if case_id is not None:
        where.append("case_id = ?")
        args.append(case_id)
    sql = f"SELECT {_COLUMNS} FROM agency_messages"
    if where:
        sql += " WHERE " + " AND ".join(where)
    with vault.reading() as conn:
        return [_row(r) for r in conn.execute(sql + " ORDER BY received_at, sequence", args)]


def resolve(vault: Any, message_id: str) -> None:
    """The worker has dealt with a message that could not be applied: set it aside
    (kept, no longer listed as waiting)."""
    with vault.transaction() as conn:
        conn.execute(
            "UPDATE agency_messages SET status = ?, resolved_at = ? WHERE "
            "message_id = ? AND status = ?",
            (RESOLVED, utc_now().isoformat(), message_id, UNAPPLIED),
        )
        conn.execute("DELETE FROM agency_message_files WHERE message_id = ?", (message_id,))


# --------------------------------------------------------------------------- reviews


def review_comments(vault: Any, case_id: str, section_id: str | None = None) -> list[ReviewComment]:
    """Every review comment on a case (or one section), with the worker's reply."""
    with vault.reading() as conn:
        replies = {
            (r[0], r[1]): (r[2], bool(r[3]), str(r[4]))
            for r in conn.execute(
                "SELECT review_id, comment_id, reply, resolved, at FROM review_replies WHERE "
                "case_id = ?",
                (case_id,),
            )
        }
    found = []
    for msg in messages(vault, case_id=case_id):
        if msg.kind != REVIEW or msg.status not in (STORED, APPLIED):
            continue
        review_id = str(msg.body.get("review_id", msg.message_id))
        for c in msg.body.get("comments") or []:
            if not isinstance(c, dict) or (section_id and c.get("section_id") != section_id):
                continue
            reply, resolved, at = replies.get((review_id, str(c.get("id", ""))), ("", False, ""))
            found.append(
                ReviewComment(
                    review_id=review_id,
                    comment_id=str(c.get("id", "")),
                    section_id=str(c.get("section_id", "")),
                    text=str(c.get("text", "")),
                    author=str(c.get("author", "")),
                    created_at=str(c.get("created_at", "")),
                    reply=reply,
                    resolved=resolved,
                    replied_at=at,
                )
            )
    return found


def save_reply(
    vault: Any, case_id: str, review_id: str, comment_id: str, *, reply: str, resolved: bool
) -> None:
    """Keep the worker's reply; the case is marked so the reply goes to the agency."""
    with vault.transaction() as conn:
        newest = conn.execute(
            "SELECT MAX(at) FROM review_replies WHERE case_id = ?", (case_id,)
        ).fetchone()[0]
        conn.execute(
            "INSERT INTO review_replies (review_id, comment_id, case_id, reply, resolved, at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (review_id, comment_id) DO UPDATE SET "
            "reply = excluded.reply, resolved = excluded.resolved, at = excluded.at",
            (review_id, comment_id, case_id, reply, int(resolved), _after(newest)),
        )
    outbox.mark_dirty(vault, case_id)


def _after(newest: str | None) -> str:
    """Now, or just after the case's newest reply if the clock has stepped back: the
    bundles send replies newer than the agency's, and the agency keeps the newest."""
    now = utc_now()
    if newest:
        floor = datetime.fromisoformat(newest) + timedelta(microseconds=1)
        now = max(now, floor)
    return now.isoformat(timespec="microseconds")


def replies_member(vault: Any, case_id: str, since: str = "") -> tuple[dict[str, bytes], str]:
    """``({"review_replies.json": ...}, newest)`` for a case's bundle: the replies saved
    after ``since`` (the newest the agency holds; '' for all), and the newest time among
    them (``since`` itself when there are none, with {} for the member)."""
    with vault.reading() as conn:
        rows = conn.execute(
            "SELECT comment_id, review_id, reply, resolved, at FROM "
            "review_replies WHERE case_id = ? AND at > ? ORDER BY at",
            (case_id, since),
        ).fetchall()
    if not rows:
        return {}, since
    data = [
        {"comment_id": r[0], "review_id": r[1], "reply": r[2], "resolved": bool(r[3]), "at": r[4]}
        for r in rows
    ]
    return {REVIEW_REPLIES: json.dumps(data, sort_keys=True).encode("utf-8")}, str(rows[-1][4])
