"""The console's tables, kept apart from the inbox's numbered migrations.

They have their own version table (``console_schema_version``) so the console can be
added to, or left out of, an agency without touching the inbox's schema. Nothing here
holds case text: reviews point at the bundle they reviewed (ciphertext, in ``bundles``),
and comments are the manager's own words to the worker.
"""

from __future__ import annotations

from homestudy.agency.db import Database

CONSOLE_MIGRATIONS: list[list[str]] = [
    [  # 1: staff, sessions, throttling, audit, reviews, API tokens (messages: issue 13's)
        """CREATE TABLE console_staff (
            username TEXT PRIMARY KEY,
            display_name TEXT NOT NULL,
            role TEXT NOT NULL,
            password_hash TEXT NOT NULL,
            totp_secret TEXT NOT NULL,
            created_at TEXT NOT NULL,
            disabled_at TEXT)""",
        """CREATE TABLE console_sessions (
            token_sha256 TEXT PRIMARY KEY,
            username TEXT NOT NULL,
            csrf_token TEXT NOT NULL,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL)""",
        """CREATE TABLE console_login_failures (
            id {serial},
            throttle_key TEXT NOT NULL,
            at TEXT NOT NULL)""",
        "CREATE INDEX console_failures_by_key ON console_login_failures (throttle_key, at)",
        """CREATE TABLE console_audit (
            id {serial},
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            target TEXT NOT NULL,
            detail TEXT NOT NULL,
            ip TEXT NOT NULL)""",
        """CREATE TABLE console_reviews (
            review_id TEXT PRIMARY KEY,
            case_id TEXT NOT NULL,
            bundle_id TEXT NOT NULL,
            reviewer TEXT NOT NULL,
            created_at TEXT NOT NULL,
            sent_at TEXT,
            decision TEXT NOT NULL DEFAULT '',
            reasons TEXT NOT NULL DEFAULT '',
            message_id BIGINT)""",
        # the caseload's query reads only this index, never the bundle rows (whose data
        # sits before received_at: SQLite would walk each bundle's overflow pages)
        "CREATE INDEX console_bundles_latest ON bundles (case_id, received_at, sequence, "
        "bundle_id, device_id, case_reference)",
        "CREATE INDEX console_reviews_by_case ON console_reviews (case_id, created_at)",
        """CREATE TABLE console_comments (
            comment_id TEXT PRIMARY KEY,
            review_id TEXT NOT NULL REFERENCES console_reviews(review_id),
            case_id TEXT NOT NULL,
            section_id TEXT NOT NULL,
            text TEXT NOT NULL,
            author TEXT NOT NULL,
            created_at TEXT NOT NULL)""",
        """CREATE TABLE console_api_tokens (
            token_id TEXT PRIMARY KEY,
            token_sha256 TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            scopes TEXT NOT NULL,
            created_by TEXT NOT NULL,
            created_at TEXT NOT NULL,
            revoked_at TEXT)""",
    ],
    [  # 2: the last TOTP time-step each account signed in with, so a code works once
        "ALTER TABLE console_staff ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0",
    ],
]

_DIALECT = {
    "sqlite": {"serial": "INTEGER PRIMARY KEY AUTOINCREMENT"},
    "postgresql": {"serial": "BIGSERIAL PRIMARY KEY"},
}


def migrate_console(db: Database) -> int:
    """Bring the console's tables up to date (after the inbox's own ``db.migrate()``)."""
    db.migrate()
    for number, statements in enumerate(CONSOLE_MIGRATIONS, start=1):
        with db.transaction(immediate=True) as cur:
            if db.dialect == "postgresql":  # two consoles starting at once: one migrates
                cur.execute("SELECT pg_advisory_xact_lock(7414001)")
            if not cur.table_exists("console_schema_version"):
                cur.execute("CREATE TABLE console_schema_version (version INTEGER NOT NULL)")
            row = cur.one("SELECT MAX(version) FROM console_schema_version")
            if row and row[0] is not None and int(row[0]) >= number:
                continue
            for statement in statements:
                cur.execute(statement.format(**_DIALECT[db.dialect]))
            cur.execute("INSERT INTO console_schema_version (version) VALUES (?)", (number,))
    return len(CONSOLE_MIGRATIONS)
