"""Agency-side work on bundles: assign a case to a device, open a received bundle."""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass

from homestudy.agency.db import Database
from homestudy.agency.home import AgencyHome
from homestudy.agency.inbox import now_iso
from homestudy.errors import AgencyError, NotFoundError
from homestudy.model import Case
from homestudy.serial import to_jsonable
from homestudy.sync.bundle import (
    KIND_ASSIGNMENT,
    Manifest,
    OpenedBundle,
    build_bundle,
    open_bundle,
    sha256_hex,
)


@dataclass(frozen=True)
class Assignment:
    bundle_id: str
    device_id: str
    sequence: int


def assign_case(home: AgencyHome, db: Database, case: Case, device_id: str) -> Assignment:
    """Sign a new case (Stage 1 summary, lines of enquiry) to one device, encrypted to it.

    The device's assignment sequence is taken in the same transaction that stores the
    bundle, so assignments reach a device in order and none is skipped.
    """
    with db.transaction(immediate=True) as cur:
        row = cur.lock_device(
            device_id,
            "age_recipient, revoked_at, assignment_sequence, last_assignment_id, "
            "last_assignment_sha256",
        )
        if row is None:
            raise NotFoundError("No device with that id is enrolled.")
        if row[1] is not None:
            raise AgencyError("That device has been revoked; enrol the assessor again.")
        sequence = int(row[2]) + 1
        manifest = Manifest(
            bundle_id=str(uuid.uuid4()), kind=KIND_ASSIGNMENT, agency_id=home.agency_id,
            device_id=device_id, case_id=case.id, case_reference=case.reference,
            sequence=sequence, previous_bundle_id=row[3], previous_sha256=row[4],
            created_at=now_iso(),
        )
        data = build_bundle(manifest, case_json=to_jsonable(case), attachments={},
                            signing_secret=home.signing_secret, recipient=row[0])
        cur.execute(
            "INSERT INTO assignments (bundle_id, device_id, sequence, case_id, case_reference, "
            "data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (manifest.bundle_id, device_id, sequence, case.id, case.reference, data, now_iso()),
        )
        cur.execute(
            "UPDATE devices SET assignment_sequence = ?, last_assignment_id = ?, "
            "last_assignment_sha256 = ? WHERE device_id = ?",
            (sequence, manifest.bundle_id, sha256_hex(data), device_id),
        )
    return Assignment(manifest.bundle_id, device_id, sequence)


def devices_of(db: Database, assessor_id: str) -> list[str]:
    with db.transaction() as cur:
        rows = cur.all("SELECT device_id FROM devices WHERE assessor_id = ? AND revoked_at IS NULL "
                       "ORDER BY enrolled_at", (assessor_id,))
    return [r[0] for r in rows]


def open_received(home: AgencyHome, db: Database, bundle_id: str) -> OpenedBundle:
    """Re-verify a stored bundle against its device's key and decrypt it."""
    with db.transaction() as cur:
        row = cur.one(
            "SELECT b.data, d.signing_public_key, d.device_id FROM bundles b "
            "JOIN devices d ON d.device_id = b.device_id WHERE b.bundle_id = ?", (bundle_id,))
    if row is None:
        raise NotFoundError("No bundle with that id has been received.")
    opened = open_bundle(row[0], signer_public_key=row[1], identity=home.age_identities,
                         expected_agency_id=home.agency_id, expected_device_id=row[2],
                         max_size=max(home.config.max_bundle_size, len(row[0])))
    if opened.change is None:
        return opened
    # a change set: the whole case as it stood after it, and its attachments by hash
    from homestudy.agency import case_state
    from homestudy.model import CASE_FORMAT_VERSION
    from homestudy.sync.bundle import CASE_FORMAT

    with db.transaction() as cur:
        state = case_state.state_for(cur, home, opened.manifest.case_id,
                                     opened.change.state_sha256)
    if state is None:
        raise NotFoundError("The inbox no longer holds enough of this case's history to "
                            "open that bundle.")
    attachments = {a["id"]: case_state.read_blob(db, home, a["sha256"])
                   for a in state.get("attachments", [])}
    return dataclasses.replace(opened, attachments=attachments, case_document={
        "format": CASE_FORMAT, "format_version": CASE_FORMAT_VERSION, "case": state})
