"""Version 9: review replies travel once, not with every bundle (issue 13).

Each outbox row and each agency's base keep ``replies_at``: the newest reply time the
bundle carried (``review_replies.at``). The next bundle carries only replies saved
after the base's, so a case with many review comments still sends a few hundred bytes
per edit. '' means the agency has none of them yet: an upgraded vault sends every reply
once more, which the agency keeps as before (the newest reply to a comment wins).
"""

from __future__ import annotations

from typing import Any

VERSION = 9


def migrate(conn: Any) -> None:
    for table in ("sync_case_base", "sync_outbox"):
        conn.execute(f"ALTER TABLE {table} ADD COLUMN replies_at TEXT NOT NULL DEFAULT ''")
