"""Assessors, their laptops and the outstanding enrolment files; issue, cancel, revoke
and restore. The web console and the CLI (``homestudy-agency devices|enrolments|...``)
both call these, so they behave the same."""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from homestudy.agency.db import Database
from homestudy.agency.home import AgencyHome
from homestudy.agency.inbox import Inbox
from homestudy.errors import NotFoundError, ValidationError
from homestudy.sync.enrolment import EnrolmentFile


@dataclass(frozen=True)
class DeviceInfo:
    device_id: str
    assessor_id: str
    assessor_name: str
    device_name: str
    enrolled_at: str
    last_seen: str  # the last bundle received ("" if none yet)
    version: str  # the HomeStudy version it last synced with ("" before its first bundle)
    state: str  # "active" | "revoked"
    bundles: int


@dataclass(frozen=True)
class EnrolmentInfo:
    token_id: str  # first 12 hex of the token's hash: enough to name it, useless to enrol
    assessor_id: str
    assessor_name: str
    created_at: str
    expires_at: str
    state: str  # "waiting" | "used" | "expired"


def _now() -> str:
    return datetime.now(UTC).isoformat()


def devices(db: Database) -> list[DeviceInfo]:
    with db.transaction() as cur:
        rows = cur.all(
            "SELECT d.device_id, d.assessor_id, COALESCE(t.assessor_name, ''), d.device_name, "
            "d.enrolled_at, COALESCE(MAX(b.received_at), ''), d.revoked_at, count(b.bundle_id), "
            "d.app_version "
            "FROM devices d LEFT JOIN bundles b ON b.device_id = d.device_id "
            "LEFT JOIN enrolment_tokens t ON t.device_id = d.device_id "
            "GROUP BY d.device_id, d.assessor_id, t.assessor_name, d.device_name, "
            "d.enrolled_at, d.revoked_at, d.app_version ORDER BY d.assessor_id, d.enrolled_at"
        )
    return [
        DeviceInfo(
            r[0],
            r[1],
            r[2],
            r[3],
            r[4],
            r[5],
            r[8] or "",
            "revoked" if r[6] else "active",
            int(r[7]),
        )
        for r in rows
    ]


def enrolments(db: Database, *, outstanding_only: bool = True) -> list[EnrolmentInfo]:
    with db.transaction() as cur:
        rows = cur.all(
            "SELECT token_sha256, assessor_id, assessor_name, created_at, "
            "expires_at, used_at FROM enrolment_tokens ORDER BY created_at"
        )
    now = _now()
    out = []
    for r in rows:
        state = "used" if r[5] else "expired" if r[4] <= now else "waiting"
        if outstanding_only and state != "waiting":
            continue
        out.append(EnrolmentInfo(r[0][:12], r[1], r[2], r[3], r[4], state))
    return out


ASSESSOR_ID_MAX = 100
ASSESSOR_NAME_MAX = 200


def checked_assessor(assessor_id: str, assessor_name: str = "") -> tuple[str, str]:
    """The assessor's id and name, trimmed, or ValidationError in plain words (the web
    form and ``homestudy-agency enrol`` both ask this): an id is needed, and neither may
    hold a line break or other control character, or run on past a sensible length."""
    assessor_id, assessor_name = assessor_id.strip(), assessor_name.strip()
    if not assessor_id:
        raise ValidationError("Give the assessor's id.")
    for what, value, most in (
        ("id", assessor_id, ASSESSOR_ID_MAX),
        ("name", assessor_name, ASSESSOR_NAME_MAX),
    ):
        if not value.isprintable():
            raise ValidationError(
                f"The assessor's {what} may not hold a line break or other control character."
            )
        if len(value) > most:
            raise ValidationError(f"The assessor's {what} may be at most {most} characters.")
    return assessor_id, assessor_name


def issue_enrolment(
    home: AgencyHome, db: Database, assessor_id: str, assessor_name: str, days: int = 14
) -> bytes:
    """A new one-time enrolment file (its bytes; the caller hands it over privately)."""
    assessor_id, assessor_name = checked_assessor(assessor_id, assessor_name)
    token = Inbox(home, db).new_token(assessor_id, assessor_name, days)
    return EnrolmentFile(
        agency_id=home.agency_id,
        agency_name=home.config.name,
        inbox_url=home.config.inbox_url,
        agency_age_recipient=home.age_recipient,
        agency_signing_public_key=home.signing_public,
        token=token,
        assessor_id=assessor_id,
        assessor_name=assessor_name,
    ).to_json()


def token_id_of(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()[:12]


#: an enrolment file's id as listed (12 hex), or any prefix of its hash from 8 hex on
_TOKEN_ID = re.compile(r"[0-9a-f]{8,64}")


def cancel_enrolment(db: Database, token_id: str) -> str:
    """Make an unused enrolment file useless at once (it expires now); its 12-hex id.

    ``token_id`` is hex only (so no LIKE pattern can stand for another file's id), at
    least 8 characters, and must name one waiting file, not several."""
    token_id = token_id.strip().lower()
    if not _TOKEN_ID.fullmatch(token_id):
        raise NotFoundError("No waiting enrolment file has that id.")
    with db.transaction(immediate=True) as cur:
        rows = cur.all(
            "SELECT token_sha256 FROM enrolment_tokens WHERE token_sha256 LIKE ? "
            "AND used_at IS NULL AND expires_at > ? LIMIT 2",
            (token_id + "%", _now()),  # hex only (checked above): no wildcard in it
        )
        if not rows:
            raise NotFoundError("No waiting enrolment file has that id.")
        if len(rows) > 1:
            raise ValidationError(
                "More than one waiting enrolment file starts with that id; give all 12 characters."
            )
        cur.execute(
            "UPDATE enrolment_tokens SET expires_at = ? WHERE token_sha256 = ?",
            (_now(), rows[0][0]),
        )
    return str(rows[0][0])[:12]


def _revoked(db: Database, device_id: str) -> bool:
    """Whether ``device_id`` is revoked; NotFoundError if no such device is enrolled."""
    with db.transaction() as cur:
        row = cur.one("SELECT revoked_at FROM devices WHERE device_id = ?", (device_id,))
    if row is None:
        raise NotFoundError("No device with that id is enrolled.")
    return row[0] is not None


def revoke_device(home: AgencyHome, db: Database, device_id: str) -> None:
    """Refuse the laptop's next sync; ValidationError if it is revoked already (nothing
    changes, so nothing is audited)."""
    if _revoked(db, device_id):
        raise ValidationError("That laptop is already revoked.")
    if not Inbox(home, db).revoke(device_id):
        raise NotFoundError("No device with that id is enrolled.")


def restore_device(home: AgencyHome, db: Database, device_id: str) -> None:
    """Undo a revocation (a laptop found again): its next sync is accepted. ValidationError
    if it was never revoked (nothing changes, so nothing is audited)."""
    if not _revoked(db, device_id):
        raise ValidationError("That laptop was not revoked.")
    if not Inbox(home, db).restore_device(device_id):
        raise NotFoundError("No device with that id is enrolled.")


def as_json(items: list[Any]) -> list[dict[str, Any]]:
    return [asdict(i) for i in items]
