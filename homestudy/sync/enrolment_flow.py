"""Enrol this laptop with an agency: make the device's keys and keep them in the vault.

``enrol(vault, enrolment)`` works offline: it makes a new Ed25519 signing key and a
new age X25519 identity for this agency only (a contractor's agencies never share
keys), stores the private halves and the agency's public keys in the vault, and
keeps the one-time token until the next sync registers the public halves with the
inbox (``registration_document``).
"""

from __future__ import annotations

import json
import platform
import uuid
from typing import Any

from homestudy.errors import EnrolmentError
from homestudy.model import AgencyProfile, utc_now
from homestudy.sync import inbound, keys, outbox
from homestudy.sync.enrolment import EnrolmentFile
from homestudy.sync.outbox import ProfileState
from homestudy.sync.signed import SignedDocument


def enrol(vault: Any, enrolment: EnrolmentFile) -> ProfileState:
    existing = outbox.find_by_agency(vault, enrolment.agency_id)
    if existing is not None and not existing.revoked:
        if existing.registered:
            raise EnrolmentError(f"This laptop is already enrolled with {enrolment.agency_name}.")
        if existing.enrol_token == enrolment.token:
            raise EnrolmentError(
                f"This laptop is already enrolled with {enrolment.agency_name}; it registers "
                "with the agency at the next sync."
            )
        # a new file in place of one that never got through (used on another laptop, or
        # expired): the profile and its cases stay, the new keys and token replace the old
    device_keys = keys.generate_keys()
    profile = AgencyProfile(
        name=enrolment.agency_name,
        agency_id=enrolment.agency_id,
        inbox_url=enrolment.inbox_url,
        assessor_id=enrolment.assessor_id,
        device_id=str(uuid.uuid4()),
        enrolled_at=utc_now(),
    )
    if existing is not None:  # the same profile id: the agency's cases keep pointing at it
        profile.id = existing.id
        profile.form_overrides = existing.profile.form_overrides
    state = ProfileState(
        profile=profile,
        agency_signing_public_key=enrolment.agency_signing_public_key,
        agency_age_recipient=enrolment.agency_age_recipient,
        device_signing_secret=device_keys.signing_secret,
        device_age_identity=device_keys.age_identity,
        enrol_token=enrolment.token,
        registered=False,
        revoked=False,
        key_list_version=0,
        key_list_expires_at="",
        next_sequence=1,
        last_bundle_id="",
        last_bundle_sha256="",
        last_assignment_sequence=0,
        last_synced_at="",
        last_error="",
        last_warning="",
    )
    if existing is not None:
        _reenrol(vault, state)
    else:
        outbox.add_profile(vault, state)
    return state


def _reenrol(vault: Any, state: ProfileState) -> None:
    """Enrolment is of the laptop, cases are of the agency: after a revocation the
    profile keeps its id (every case of the agency still points at it) and gets the new
    device's keys and numbering. Bundles signed by the revoked device are dropped and
    every case of the agency is marked, so the new device sends each one whole."""
    with vault.transaction() as conn:
        conn.execute("DELETE FROM sync_outbox WHERE profile_id = ?", (state.id,))
        # whole again: the new device's first bundle of each case carries all of it
        conn.execute("DELETE FROM sync_case_base WHERE profile_id = ?", (state.id,))
        conn.execute("DELETE FROM sync_blobs_sent WHERE profile_id = ?", (state.id,))
        conn.execute("DELETE FROM sync_profiles WHERE id = ?", (state.id,))
        inbound.reset_cursor(conn, state.id)
        cases = [
            r[0]
            for r in conn.execute(
                "SELECT id FROM cases WHERE agency_profile_id = ? AND archived_at IS NULL",
                (state.id,),
            )
        ]
    outbox.add_profile(vault, state)
    for case_id in cases:
        outbox.mark_dirty(vault, case_id)


def registration_document(state: ProfileState) -> SignedDocument:
    """The request that registers the device's public keys, signed by the new key."""
    body = json.dumps(
        {
            "token": state.enrol_token,
            "agency_id": state.profile.agency_id,
            "assessor_id": state.profile.assessor_id,
            "device_id": state.profile.device_id,
            "device_name": platform.node()[:100],
            "signing_public_key": keys.signing_public_key(state.device_signing_secret),
            "age_recipient": keys.age_recipient(state.device_age_identity),
        },
        sort_keys=True,
    ).encode("utf-8")
    return SignedDocument(body, keys.sign(state.device_signing_secret, body, "registration"))
