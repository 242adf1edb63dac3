"""The agency's messages to laptops, and the worker's replies that come back.

A message (``homestudy.sync.message_format``) is signed by the agency, encrypted to the
laptop the case is with and to the agency itself, and numbered in the same per-device
sequence as assignments (the ``assignments`` table holds both; ``kind`` tells them
apart). A laptop collects them with ``GET /devices/{id}/assignments?after=N&last=ID``,
which also acknowledges: N and ID are the last message it stored. When what a laptop
acknowledges is not what this inbox sent (the inbox was restored from a backup and
numbers were given again), every message the laptop may not have is re-signed with
numbers after N; the laptop skips the ones it already holds by message id. Re-signing
needs the agency's signing key, which the internet-facing inbox role does not hold: there
``acknowledge`` only notes it (``devices.renumber_from``) and the console does it
(``renumber_waiting``, every ``RENUMBER_EVERY`` seconds in the console role and at each
``serve`` start outside the inbox role); one process in the ``all`` role does it at once.

Kinds and their ``body`` (JSON objects; docs/DESIGN.md "Agency to laptop"):
    case_update  {"case": Case JSON, "fields": [top-level Case fields] | null, "note"}
    review       {"review_id", "comments": [{"id", "section_id", "text", "author",
                  "created_at"}], "decision": {"kind": "sign"|"return", "reasons", "by",
                  "at"} | null}
    transfer     {"case": Case JSON, "history": [...], "note"}  + attachments
    withdraw     {"reason"}          close  {"reason"}
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from homestudy.agency.db import Cursor, Database, now_iso
from homestudy.agency.home import AgencyHome
from homestudy.errors import AgencyError, NotFoundError
from homestudy.sync.bundle import sha256_hex
from homestudy.sync.message_format import (
    KINDS,
    MessageManifest,
    build_message,
    open_message,
)

PLACING_KINDS = ("assignment", "case_update", "transfer")  # rows that put a case on a device
RENUMBER_EVERY = 15.0  # seconds between the console's looks for re-numberings to do
REVIEW_REPLIES = "review_replies.json"


@dataclass(frozen=True)
class QueuedMessage:
    message_id: str
    device_id: str
    sequence: int


def queue_message(
    db: Database,
    home: AgencyHome,
    *,
    case_id: str,
    kind: str,
    body: dict[str, Any],
    attachments: dict[str, bytes] | None = None,
    device_id: str | None = None,
    case_reference: str | None = None,
) -> int:
    """Queue a message about a case for the laptop it is with; its sequence number."""
    return issue(
        db,
        home,
        case_id=case_id,
        kind=kind,
        body=body,
        attachments=attachments,
        device_id=device_id,
        case_reference=case_reference,
    ).sequence


def issue(
    db: Database,
    home: AgencyHome,
    *,
    case_id: str,
    kind: str,
    body: dict[str, Any],
    attachments: dict[str, bytes] | None = None,
    device_id: str | None = None,
    case_reference: str | None = None,
) -> QueuedMessage:
    """``queue_message`` with the message id and device. ``device_id`` overrides where
    the case is (a transfer or a re-issue names the new laptop)."""
    if kind not in KINDS:
        raise AgencyError(f"Unknown message kind {kind!r}.")
    if not isinstance(body, dict):
        raise AgencyError("A message's body must be a JSON object.")
    with db.transaction(immediate=True) as cur:
        target, reference = device_id, case_reference
        if target is None or reference is None:
            found, found_ref = device_for_case(cur, case_id)
            target, reference = target or found, reference or found_ref
        row = cur.lock_device(
            target, "age_recipient, revoked_at, assignment_sequence, acked_sequence"
        )
        if row is None:
            raise NotFoundError("No device with that id is enrolled.")
        if row[1] is not None:
            raise AgencyError(
                "That device has been revoked; enrol the assessor again, or "
                "run 'homestudy-agency restore-device' if it was a mistake."
            )
        sequence = max(int(row[2]), int(row[3])) + 1
        manifest = MessageManifest(
            message_id=str(uuid.uuid4()),
            kind=kind,
            agency_id=home.agency_id,
            device_id=target,
            case_id=case_id,
            case_reference=reference,
            sequence=sequence,
            created_at=now_iso(),
        )
        data = build_message(
            manifest,
            body=body,
            attachments=attachments or {},
            signing_secret=home.signing_secret,
            recipients=[row[0], home.age_recipient],
        )
        cur.execute(
            "INSERT INTO assignments (bundle_id, device_id, sequence, case_id, case_reference, "
            "data, created_at, kind, message_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                manifest.message_id,
                target,
                sequence,
                case_id,
                reference,
                data,
                now_iso(),
                kind,
                manifest.message_id,
            ),
        )
        cur.execute(
            "UPDATE devices SET assignment_sequence = ?, last_assignment_id = ?, "
            "last_assignment_sha256 = ? WHERE device_id = ?",
            (sequence, manifest.message_id, sha256_hex(data), target),
        )
    return QueuedMessage(manifest.message_id, target, sequence)


def last_placed(cur: Cursor, case_id: str) -> tuple[str, str] | None:
    """The laptop a case was last sent to or came from, and the case's reference (None:
    neither); revoked or not."""
    placed = cur.one(
        "SELECT device_id, case_reference, created_at FROM assignments WHERE case_id = ? AND "
        f"kind IN ({', '.join('?' * len(PLACING_KINDS))}) ORDER BY created_at DESC LIMIT 1",
        (case_id, *PLACING_KINDS),
    )
    sent = cur.one(
        "SELECT device_id, case_reference, received_at FROM bundles WHERE "
        "case_id = ? ORDER BY received_at DESC LIMIT 1",
        (case_id,),
    )
    found = max((r for r in (placed, sent) if r is not None), key=lambda r: r[2], default=None)
    return None if found is None else (found[0], found[1])


def device_for_case(cur: Cursor, case_id: str) -> tuple[str, str]:
    """The laptop a case is with (the last one it was sent to or came from) and the
    case's reference; a revoked laptop's newest active successor for the same assessor."""
    found = last_placed(cur, case_id)
    if found is None:
        raise NotFoundError("The agency has no record of that case on any laptop.")
    device = cur.one("SELECT assessor_id, revoked_at FROM devices WHERE device_id = ?", (found[0],))
    if device is not None and device[1] is not None:
        successor = cur.one(
            "SELECT device_id FROM devices WHERE assessor_id = ? AND "
            "revoked_at IS NULL ORDER BY enrolled_at DESC LIMIT 1",
            (device[0],),
        )
        if successor is not None:
            return successor[0], found[1]
    return found[0], found[1]


# --------------------------------------------------------------------------- acknowledging


def acknowledge(db: Database, home: AgencyHome, device_id: str, after: int, last: str) -> None:
    """Note what a device says it has stored; re-number if this inbox has forgotten it."""
    with db.transaction(immediate=True) as cur:
        dev = cur.lock_device(device_id, "assignment_sequence, acked_sequence, renumber_from")
        if dev is None:
            return
        at = cur.one(
            "SELECT message_id, bundle_id FROM assignments WHERE device_id = ? AND sequence = ?",
            (device_id, after),
        )
        consistent = after == 0 or (at is not None and (not last or last in at))
        if not consistent or dev[2] is not None:
            known = min(int(dev[1]), after, *([int(dev[2])] if dev[2] is not None else []))
            if home.role == "inbox":  # no signing key here: the console re-signs them
                cur.execute(
                    "UPDATE devices SET renumber_from = ? WHERE device_id = ?",
                    (known if _hidden(cur, device_id, known, after) else None, device_id),
                )
            else:
                _renumber(cur, home, device_id, known=known, after=after)
                cur.execute(
                    "UPDATE devices SET renumber_from = NULL WHERE device_id = ?", (device_id,)
                )
        cur.execute(
            "UPDATE devices SET acked_sequence = ?, acked_message_id = ? WHERE device_id = ?",
            (after, last, device_id),
        )


def renumber_waiting(db: Database, home: AgencyHome) -> int:
    """Do the re-numberings the inbox role noted (it cannot sign); how many devices.

    Numbers go after what each laptop acknowledged last (it may have collected more
    since the inbox noted it), so nothing lands where the laptop will not look.
    """
    with db.transaction() as cur:
        waiting = [
            r[0] for r in cur.all("SELECT device_id FROM devices WHERE renumber_from IS NOT NULL")
        ]
    done = 0
    for device_id in waiting:
        with db.transaction(immediate=True) as cur:
            dev = cur.lock_device(device_id, "acked_sequence, renumber_from")
            if dev is None or dev[1] is None:
                continue  # another console process did it
            if _hidden(cur, device_id, int(dev[1]), int(dev[0])):
                _renumber(cur, home, device_id, known=int(dev[1]), after=int(dev[0]))
                done += 1
            cur.execute("UPDATE devices SET renumber_from = NULL WHERE device_id = ?", (device_id,))
    return done


def _hidden(cur: Cursor, device_id: str, known: int, after: int) -> bool:
    """Whether messages sit at numbers the laptop has passed (after ``known``, up to
    ``after``) without its having them: only then is re-numbering needed."""
    row = cur.one(
        "SELECT 1 FROM assignments WHERE device_id = ? AND sequence > ? AND sequence <= ? "
        "AND kind <> 'assignment' LIMIT 1",
        (device_id, known, after),
    )
    return row is not None


def _renumber(cur: Cursor, home: AgencyHome, device_id: str, *, known: int, after: int) -> None:
    """Give every message after the last acknowledgement this inbox kept a number after
    what the device holds (re-signed; the same message id, so the device skips twins)."""
    rows = cur.all(
        "SELECT bundle_id, sequence, data, kind FROM assignments WHERE "
        "device_id = ? AND sequence > ? ORDER BY sequence",
        (device_id, known),
    )
    legacy = [int(r[1]) for r in rows if r[3] == "assignment"]  # not re-signable: left alone
    movable = [r for r in rows if r[3] != "assignment"]
    start = max([after, *legacy]) + 1
    for row in movable:  # out of the way of the unique (device, sequence) first
        cur.execute(
            "UPDATE assignments SET sequence = ? WHERE bundle_id = ?", (-int(row[1]), row[0])
        )
    last_id, last_sha, sequence = "", "", start - 1
    for sequence, row in enumerate(movable, start=start):
        opened = open_message(row[2], signer_public_key=None, identity=home.age_identities)
        old = opened.manifest
        manifest = MessageManifest(
            message_id=old.message_id,
            kind=old.kind,
            agency_id=old.agency_id,
            device_id=old.device_id,
            case_id=old.case_id,
            case_reference=old.case_reference,
            sequence=sequence,
            created_at=old.created_at,
        )
        recipient = cur.one("SELECT age_recipient FROM devices WHERE device_id = ?", (device_id,))
        assert recipient is not None
        data = build_message(
            manifest,
            body=opened.body,
            attachments=opened.attachments,
            signing_secret=home.signing_secret,
            recipients=[recipient[0], home.age_recipient],
        )
        cur.execute(
            "UPDATE assignments SET sequence = ?, data = ? WHERE bundle_id = ?",
            (sequence, data, row[0]),
        )
        last_id, last_sha = row[0], sha256_hex(data)
    if movable:
        cur.execute(
            "UPDATE devices SET assignment_sequence = ?, last_assignment_id = ?, "
            "last_assignment_sha256 = ? WHERE device_id = ?",
            (sequence, last_id, last_sha, device_id),
        )
    else:
        cur.execute(
            "UPDATE devices SET assignment_sequence = ? WHERE device_id = ? AND "
            "assignment_sequence < ?",
            (start - 1, device_id, start - 1),
        )


# --------------------------------------------------------------------------- replies


def record_replies(cur: Cursor, *, device_id: str, bundle_id: str, case_id: str, raw: bytes) -> int:
    """Store the replies a laptop sent (a bundle's ``review_replies.json``); the newest
    reply to a comment wins. Returns how many were stored. Malformed entries are skipped
    (the bundle itself is already verified and kept)."""
    try:
        entries = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return 0
    stored = 0
    for entry in entries if isinstance(entries, list) else []:
        if not _reply_ok(entry):
            continue
        old = cur.one(
            "SELECT at FROM review_replies WHERE review_id = ? AND comment_id = ?",
            (entry["review_id"], entry["comment_id"]),
        )
        if old is not None and old[0] >= entry["at"]:
            continue
        cur.execute(
            "DELETE FROM review_replies WHERE review_id = ? AND comment_id = ?",
            (entry["review_id"], entry["comment_id"]),
        )
        cur.execute(
            "INSERT INTO review_replies (review_id, comment_id, case_id, device_id, bundle_id, "
            "reply, resolved, at, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                entry["review_id"],
                entry["comment_id"],
                case_id,
                device_id,
                bundle_id,
                entry["reply"],
                int(entry["resolved"]),
                entry["at"],
                now_iso(),
            ),
        )
        stored += 1
    return stored


def _reply_ok(entry: Any) -> bool:
    texts = ("comment_id", "review_id", "reply", "at")
    return (
        isinstance(entry, dict)
        and all(isinstance(entry.get(k), str) for k in texts)
        and isinstance(entry.get("resolved"), bool)
    )


def replies_for(db: Database, case_id: str) -> list[dict[str, Any]]:
    """The worker's replies to review comments on a case, oldest first."""
    with db.transaction() as cur:
        rows = cur.all(
            "SELECT comment_id, review_id, reply, resolved, at, device_id, "
            "received_at FROM review_replies WHERE case_id = ? ORDER BY at, "
            "comment_id",
            (case_id,),
        )
    return [
        {
            "comment_id": r[0],
            "review_id": r[1],
            "reply": r[2],
            "resolved": bool(r[3]),
            "at": r[4],
            "device_id": r[5],
            "received_at": r[6],
        }
        for r in rows
    ]
