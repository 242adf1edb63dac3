"""Version 5: archived cases (issue 12) leave the case list but stay searchable.

``cases.archived_at`` mirrors ``Case.archived_at`` (kept in the case's JSON too), so
the list can leave archived cases out without loading each one. Cases archived before
this step (by a newer branch writing only the JSON) are carried over.
"""

from __future__ import annotations

from typing import Any

VERSION = 5


def migrate(conn: Any) -> None:
    conn.execute("ALTER TABLE cases ADD COLUMN archived_at TEXT")
    conn.execute(
        "UPDATE cases SET archived_at = json_extract(data, '$.archived_at')"
        " WHERE json_extract(data, '$.archived_at') IS NOT NULL"
    )
    conn.execute("CREATE INDEX cases_archived ON cases(archived_at)")
