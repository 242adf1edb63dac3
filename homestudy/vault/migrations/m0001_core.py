"""Version 1: cases and their records, settings, the audit trail, full-text search.

Records are stored as JSON of the model dataclasses (``homestudy.serial``), with the
columns the app looks things up by pulled out and indexed. Children cascade with
their case. The audit table refuses UPDATE and DELETE.
"""

from __future__ import annotations

from typing import Any

VERSION = 1

SCHEMA = """
CREATE TABLE cases (
    id TEXT PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    applicant_names TEXT NOT NULL,
    stage TEXT NOT NULL,
    stage2_notice_on TEXT,
    provisional_panel_date TEXT,
    updated_at TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE TABLE visits (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    sequence INTEGER NOT NULL,
    done INTEGER NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX visits_case ON visits(case_id, sequence);
CREATE TABLE case_references (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    data TEXT NOT NULL
);
CREATE INDEX case_references_case ON case_references(case_id);
CREATE TABLE animals (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    data TEXT NOT NULL
);
CREATE INDEX animals_case ON animals(case_id);
CREATE TABLE checklist_answers (
    case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    form_id TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    question_id TEXT NOT NULL,
    row INTEGER NOT NULL,
    form_version INTEGER NOT NULL,
    archived INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (case_id, form_id, subject_id, question_id, row)
);
CREATE TABLE par_sections (
    case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    section_id TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (case_id, section_id)
);
CREATE TABLE attachments (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    meta TEXT NOT NULL,
    content BLOB NOT NULL
);
CREATE INDEX attachments_case ON attachments(case_id);
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE audit (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    case_id TEXT NOT NULL,
    record_kind TEXT NOT NULL,
    record_id TEXT NOT NULL,
    fields TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_case ON audit(case_id, seq);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TABLE search_docs (
    id INTEGER PRIMARY KEY,
    case_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    record_id TEXT NOT NULL,
    field TEXT NOT NULL,
    paragraph INTEGER NOT NULL,
    UNIQUE (case_id, kind, record_id, field, paragraph)
);
CREATE VIRTUAL TABLE search_fts USING fts5(
    text, tokenize = 'porter unicode61 remove_diacritics 2'
);
"""


def migrate(conn: Any) -> None:
    for statement in SCHEMA.split(";\n"):
        if statement.strip():
            conn.execute(statement)  # not executescript: it would COMMIT first
