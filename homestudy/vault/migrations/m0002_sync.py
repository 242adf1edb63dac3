"""Version 2: sync with agencies (issue 6): agency profiles with their device keys,
the outbox of frozen bundles, receipts, and the cases waiting to be sent.

Private keys live here, inside the encrypted vault, and nowhere else.
"""

from __future__ import annotations

from typing import Any

VERSION = 2

SCHEMA = """
CREATE TABLE sync_profiles (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL,
    profile TEXT NOT NULL,
    agency_signing_public_key TEXT NOT NULL,
    agency_age_recipient TEXT NOT NULL,
    device_signing_secret TEXT NOT NULL,
    device_age_identity TEXT NOT NULL,
    enrol_token TEXT NOT NULL DEFAULT '',
    registered INTEGER NOT NULL DEFAULT 0,
    revoked INTEGER NOT NULL DEFAULT 0,
    key_list_version INTEGER NOT NULL DEFAULT 0,
    key_list_expires_at TEXT NOT NULL DEFAULT '',
    next_sequence INTEGER NOT NULL DEFAULT 1,
    last_bundle_id TEXT NOT NULL DEFAULT '',
    last_bundle_sha256 TEXT NOT NULL DEFAULT '',
    last_assignment_sequence INTEGER NOT NULL DEFAULT 0,
    last_synced_at TEXT NOT NULL DEFAULT '',
    last_error TEXT NOT NULL DEFAULT '',
    last_warning TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX sync_profiles_agency ON sync_profiles(agency_id);
CREATE TABLE sync_dirty (
    case_id TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    marked_at TEXT NOT NULL
);
CREATE TABLE sync_outbox (
    bundle_id TEXT PRIMARY KEY,
    profile_id TEXT NOT NULL REFERENCES sync_profiles(id),
    case_id TEXT NOT NULL,
    sequence INTEGER NOT NULL,
    data BLOB NOT NULL,
    sha256 TEXT NOT NULL,
    created_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL DEFAULT '',
    last_error TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL DEFAULT 'waiting',
    UNIQUE (profile_id, sequence)
);
CREATE TABLE sync_receipts (
    bundle_id TEXT PRIMARY KEY,
    profile_id TEXT NOT NULL,
    case_id TEXT NOT NULL,
    sequence INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    received_at TEXT NOT NULL,
    body BLOB NOT NULL,
    signature BLOB NOT NULL
);
CREATE INDEX sync_receipts_case ON sync_receipts(case_id);
"""


def migrate(conn: Any) -> None:
    for statement in SCHEMA.split(";\n"):
        if statement.strip():
            conn.execute(statement)
