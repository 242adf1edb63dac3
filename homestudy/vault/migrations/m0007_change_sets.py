"""Version 7: sync sends changes, not copies (issue 13).

``sync_case_base`` keeps, per agency and case, the case as the agency last signed a
receipt for it (gzip of canonical JSON), so the next bundle carries only what
changed since. ``sync_blobs_sent`` remembers which attachments (by content hash)
an agency holds, so each is sent once. Each outbox row keeps the state its change
set leads to and the attachments it needs; ``extras_sha256`` whether the members
sent beside the change (review replies, issue 13's messages) changed since.
"""

from __future__ import annotations

from typing import Any

VERSION = 7

SCHEMA = """
CREATE TABLE IF NOT EXISTS sync_case_base (
    profile_id TEXT NOT NULL,
    case_id TEXT NOT NULL,
    bundle_id TEXT NOT NULL,
    state_sha256 TEXT NOT NULL,
    state BLOB NOT NULL,
    extras_sha256 TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (profile_id, case_id)
);
CREATE TABLE IF NOT EXISTS sync_blobs_sent (
    profile_id TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    PRIMARY KEY (profile_id, sha256)
);
ALTER TABLE sync_outbox ADD COLUMN result_state BLOB NOT NULL DEFAULT x'';
ALTER TABLE sync_outbox ADD COLUMN result_sha256 TEXT NOT NULL DEFAULT '';
ALTER TABLE sync_outbox ADD COLUMN blobs TEXT NOT NULL DEFAULT '[]';
ALTER TABLE sync_outbox ADD COLUMN extras_sha256 TEXT NOT NULL DEFAULT '';
CREATE INDEX IF NOT EXISTS sync_outbox_case ON sync_outbox(profile_id, case_id)
"""


def migrate(conn: Any) -> None:
    for statement in SCHEMA.split(";\n"):
        if statement.strip():
            conn.execute(statement)
