"""Agency-side work on bundles: assign a case to a device, open a received bundle."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from homestudy.agency.db import Database
from homestudy.agency.home import AgencyHome
from homestudy.errors import NotFoundError
from homestudy.model import Case
from homestudy.serial import to_jsonable
from homestudy.sync.bundle import OpenedBundle, open_bundle


@dataclass(frozen=True)
class Assignment:
    bundle_id: str
    device_id: str
    sequence: int


def assign_case(home: AgencyHome, db: Database, case: Case, device_id: str) -> Assignment:
    """Sign a new case (Stage 1 summary, lines of enquiry) to one device, encrypted to it.

    Sent as a ``case_update`` message (``homestudy.agency.messages``): the device's
    sequence is taken in the transaction that stores it, so assignments and messages
    reach a device in order and none is skipped.
    """
    from homestudy.agency.messages import issue

    made = issue(
        db,
        home,
        case_id=case.id,
        kind="case_update",
        body={"case": to_jsonable(case), "fields": None, "note": ""},
        device_id=device_id,
        case_reference=case.reference,
    )
    return Assignment(made.message_id, made.device_id, made.sequence)


def devices_of(db: Database, assessor_id: str) -> list[str]:
    with db.transaction() as cur:
        rows = cur.all(
            "SELECT device_id FROM devices WHERE assessor_id = ? AND revoked_at IS NULL "
            "ORDER BY enrolled_at",
            (assessor_id,),
        )
    return [r[0] for r in rows]


def open_received(home: AgencyHome, db: Database, bundle_id: str) -> OpenedBundle:
    """Re-verify a stored bundle against its device's key and decrypt it."""
    with db.transaction() as cur:
        row = cur.one(
            "SELECT b.data, d.signing_public_key, d.device_id FROM bundles b "
            "JOIN devices d ON d.device_id = b.device_id WHERE b.bundle_id = ?",
            (bundle_id,),
        )
    if row is None:
        raise NotFoundError("No bundle with that id has been received.")
    opened = open_bundle(
        row[0],
        signer_public_key=row[1],
        identity=home.age_identities,
        expected_agency_id=home.agency_id,
        expected_device_id=row[2],
        max_size=max(home.config.max_bundle_size, len(row[0])),
    )
    if opened.change is None:
        return opened
    # a change set: the whole case as it stood after it, and its attachments by hash
    from homestudy.agency import case_state
    from homestudy.model import CASE_FORMAT_VERSION
    from homestudy.sync.bundle import CASE_FORMAT

    with db.transaction() as cur:
        case_state.index_pending(cur, home, opened.manifest.case_id)
        state = case_state.state_for(cur, home, opened.manifest.case_id, opened.change.state_sha256)
    if state is None:
        raise NotFoundError(
            "The inbox no longer holds enough of this case's history to open that bundle."
        )
    attachments = {
        a["id"]: case_state.read_blob(db, home, a["sha256"]) for a in state.get("attachments", [])
    }
    return dataclasses.replace(
        opened,
        attachments=attachments,
        case_document={"format": CASE_FORMAT, "format_version": CASE_FORMAT_VERSION, "case": state},
    )
