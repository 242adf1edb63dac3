"""Moving cases between laptops: a transfer to another assessor, and re-issuing every case
of an assessor whose laptop was lost, stolen or broken.

Both send the case as the agency last knew it (the newest state rebuilt from the change
sets the laptop sent, ``case_state.latest_case_state``, with
any later ``case_update`` from the agency laid over it), every attachment, and its
history (the bundles received and the messages sent), as one ``transfer`` message.
"""

from __future__ import annotations

import contextlib
from typing import Any

from homestudy.agency import case_state
from homestudy.agency.assign import open_received
from homestudy.agency.db import Cursor, Database
from homestudy.agency.home import AgencyHome
from homestudy.agency.messages import (
    PLACING_KINDS,
    QueuedMessage,
    device_for_case,
    issue,
    last_placed,
)
from homestudy.errors import AgencyError, NotFoundError
from homestudy.model import Case
from homestudy.serial import from_jsonable, to_jsonable
from homestudy.sync.message_format import AGENCY_FIELDS, open_message

CaseState = tuple[Case, dict[str, bytes], list[dict[str, Any]]]


def find_case_id(db: Database, case: str) -> str:
    """A case's id from its id or its reference (references are unique per agency)."""
    with db.transaction() as cur:
        for column in ("case_id", "case_reference"):
            for table in ("bundles", "assignments"):
                row = cur.one(f"SELECT case_id FROM {table} WHERE {column} = ? LIMIT 1", (case,))
                if row is not None:
                    return str(row[0])
    raise NotFoundError(f"The agency has no case {case}.")


def latest_state(home: AgencyHome, db: Database, case_id: str) -> CaseState:
    """The case as the agency last knew it, its attachments, and its history."""
    with db.transaction() as cur:
        bundles = cur.all(
            "SELECT bundle_id, device_id, sequence, received_at FROM bundles "
            "WHERE case_id = ? ORDER BY received_at",
            (case_id,),
        )
        messages = cur.all(
            "SELECT data, kind, device_id, sequence, created_at FROM assignments "
            "WHERE case_id = ? ORDER BY created_at",
            (case_id,),
        )
    history = [
        {"kind": "bundle", "bundle_id": b[0], "device_id": b[1], "sequence": int(b[2]), "at": b[3]}
        for b in bundles
    ]
    history += [
        {"kind": m[1], "device_id": m[2], "sequence": int(m[3]), "at": m[4]} for m in messages
    ]
    history.sort(key=lambda h: h["at"])
    case: Case | None = None
    attachments: dict[str, bytes] = {}
    since = ""
    if bundles:  # rebuilt from the chain of change sets the laptop sent
        latest = case_state.latest_case_state(db, home, case_id)
        if latest is not None:
            case, since = latest.as_case(), latest.received_at
            attachments = _attachments_of(home, db, latest)
    for data, kind, _device, _seq, created in messages:
        if kind not in PLACING_KINDS[1:] or created <= since:
            continue
        got = open_message(data, signer_public_key=None, identity=home.age_identities)
        theirs = from_jsonable(Case, got.body["case"])
        attachments.update(got.attachments)
        if case is None or kind == "transfer":
            case = theirs
        else:  # a case_update after the last bundle: its fields over the laptop's work
            for name in got.body.get("fields") or AGENCY_FIELDS:
                setattr(case, name, getattr(theirs, name))
    if case is None:
        raise NotFoundError(
            "The agency holds no copy of that case it can send on: the "
            "laptop never sent it, and it was assigned before this version."
        )
    return case, attachments, history


def _attachments_of(
    home: AgencyHome, db: Database, latest: case_state.CaseState
) -> dict[str, bytes]:
    """The case's attachments by id: kept once by content hash, or (a bundle from before
    change sets, stored by the inbox role) inside the bundle itself."""
    listed = [a for a in latest.case.get("attachments", []) if isinstance(a, dict)]
    try:
        return {str(a["id"]): latest.attachment(str(a["sha256"])) for a in listed}
    except (KeyError, AgencyError):
        return dict(open_received(home, db, latest.bundle_id).attachments)


def transfer_case(home: AgencyHome, db: Database, case_id: str, to_device: str) -> QueuedMessage:
    """Send a case, whole, to another assessor's laptop; the laptop it leaves archives it."""
    with db.transaction() as cur:
        from_device, reference = device_for_case(cur, case_id)
        name = _assessor_name(cur, to_device)
    if from_device == to_device:
        raise AgencyError("The case is already with that laptop.")
    made = _send_whole(
        home,
        db,
        case_id,
        reference,
        to_device,
        "This case was transferred to you by the agency.",
        name,
    )
    with contextlib.suppress(AgencyError):  # a revoked old laptop: nothing to tell it
        issue(
            db,
            home,
            case_id=case_id,
            kind="withdraw",
            device_id=from_device,
            case_reference=reference,
            body={"reason": "The agency transferred this case to another assessor."},
        )
    return made


def _send_whole(
    home: AgencyHome,
    db: Database,
    case_id: str,
    reference: str,
    to_device: str,
    note: str,
    assessor_name: str = "",
) -> QueuedMessage:
    """The case as the agency last had it, with its attachments and history, to a laptop."""
    case, attachments, history = latest_state(home, db, case_id)
    if assessor_name:
        case.assessor_name = assessor_name
    return issue(
        db,
        home,
        case_id=case_id,
        kind="transfer",
        device_id=to_device,
        case_reference=reference,
        attachments=attachments,
        body={"case": to_jsonable(case), "history": history, "note": note},
    )


def reissue(
    home: AgencyHome, db: Database, assessor_id: str, to_device: str
) -> list[QueuedMessage]:
    """Every open case of an assessor, to their new laptop (a lost or broken one)."""
    with db.transaction() as cur:
        row = cur.one(
            "SELECT assessor_id, revoked_at FROM devices WHERE device_id = ?", (to_device,)
        )
        if row is None:
            raise NotFoundError("No device with that id is enrolled.")
        if row[0] != assessor_id:
            raise AgencyError("That laptop is enrolled for a different assessor.")
        case_ids = [
            r[0]
            for r in cur.all("SELECT case_id FROM bundles UNION SELECT case_id FROM assignments")
        ]
        mine = []
        for case_id in sorted(case_ids):
            found = last_placed(cur, case_id)
            if (
                found is not None
                and found[0] != to_device
                and _assessor_of(cur, found[0]) == assessor_id
                and not _ended(cur, case_id, found[0])
            ):
                mine.append((case_id, found[1]))
    return [
        _send_whole(
            home,
            db,
            case_id,
            reference,
            to_device,
            "The agency re-issued this case to this laptop.",
        )
        for case_id, reference in mine
    ]


def _ended(cur: Cursor, case_id: str, device_id: str) -> bool:
    """Withdrawn or closed on that laptop since it was last placed there."""
    rows = cur.all(
        "SELECT kind FROM assignments WHERE case_id = ? AND device_id = ? "
        "ORDER BY sequence DESC LIMIT 1",
        (case_id, device_id),
    )
    return bool(rows) and rows[0][0] in ("withdraw", "close")


def _assessor_of(cur: Cursor, device_id: str) -> str:
    row = cur.one("SELECT assessor_id FROM devices WHERE device_id = ?", (device_id,))
    return "" if row is None else str(row[0])


def _assessor_name(cur: Cursor, device_id: str) -> str:
    row = cur.one(
        "SELECT t.assessor_name FROM enrolment_tokens t WHERE t.device_id = ?", (device_id,)
    )
    return "" if row is None else str(row[0] or "")
