"""Version 6 (issue 13): cases belong to an agency; what the agency sends is kept.

- ``cases.agency_profile_id`` mirrors ``Case.agency_profile_id``, and a reference is
  unique per agency, not per laptop (two agencies may both use ``HS-2026-0001``; a case
  not linked to an agency has ``''``). SQLite cannot change a UNIQUE constraint in
  place, so the table is rebuilt (SQLite's documented procedure: foreign keys off for
  this step, ``FOREIGN_KEYS_OFF``, and checked before commit).
- ``agency_messages``: every message an agency sent this laptop, applied or not, with
  the reason when it could not be applied (never dropped); ``agency_message_files``
  holds the attachments of one not yet applied; ``agency_message_cursor`` the last
  message stored per profile (what the laptop acknowledges).
- ``review_replies``: the worker's replies to review comments (sent back in bundles).
"""

from __future__ import annotations

from typing import Any

VERSION = 6
FOREIGN_KEYS_OFF = True

SCHEMA = """
CREATE TABLE cases_new (
    id TEXT PRIMARY KEY,
    agency_profile_id TEXT NOT NULL DEFAULT '',
    reference TEXT NOT NULL,
    applicant_names TEXT NOT NULL,
    stage TEXT NOT NULL,
    stage2_notice_on TEXT,
    provisional_panel_date TEXT,
    updated_at TEXT NOT NULL,
    data TEXT NOT NULL,
    archived_at TEXT,
    UNIQUE (agency_profile_id, reference)
);
INSERT INTO cases_new (id, agency_profile_id, reference, applicant_names, stage,
    stage2_notice_on, provisional_panel_date, updated_at, data, archived_at)
    SELECT id, coalesce(json_extract(data, '$.agency_profile_id'), ''), reference,
    applicant_names, stage, stage2_notice_on, provisional_panel_date, updated_at, data,
    archived_at FROM cases;
DROP TABLE cases;
ALTER TABLE cases_new RENAME TO cases;
CREATE INDEX cases_archived ON cases(archived_at);
CREATE INDEX cases_reference ON cases(reference);
CREATE TABLE agency_messages (
    message_id TEXT PRIMARY KEY,
    profile_id TEXT NOT NULL,
    sequence INTEGER NOT NULL,
    kind TEXT NOT NULL,
    case_id TEXT NOT NULL,
    case_reference TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    received_at TEXT NOT NULL,
    resolved_at TEXT
);
CREATE INDEX agency_messages_case ON agency_messages(case_id);
CREATE INDEX agency_messages_status ON agency_messages(status);
CREATE TABLE agency_message_files (
    message_id TEXT NOT NULL REFERENCES agency_messages(message_id) ON DELETE CASCADE,
    attachment_id TEXT NOT NULL,
    content BLOB NOT NULL,
    PRIMARY KEY (message_id, attachment_id)
);
CREATE TABLE agency_message_cursor (
    profile_id TEXT PRIMARY KEY,
    sequence INTEGER NOT NULL,
    message_id TEXT NOT NULL
);
CREATE TABLE review_replies (
    review_id TEXT NOT NULL,
    comment_id TEXT NOT NULL,
    case_id TEXT NOT NULL,
    reply TEXT NOT NULL,
    resolved INTEGER NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (review_id, comment_id)
);
CREATE INDEX review_replies_case ON review_replies(case_id);
"""


def migrate(conn: Any) -> None:
    for statement in SCHEMA.split(";\n"):
        if statement.strip():
            conn.execute(statement)
