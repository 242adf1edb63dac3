"""Version 8: the agency's receipt key (issue 14, key custody).

An agency's key list may name a receipt key, which signs receipts and nothing else (the
internet-facing inbox holds it instead of the signing key). The laptop keeps the one
from the newest list it accepted; '' means receipts are checked with the signing key,
as before (an agency set up before receipt keys).
"""

from __future__ import annotations

from typing import Any

VERSION = 8


def migrate(conn: Any) -> None:
    conn.execute(
        "ALTER TABLE sync_profiles ADD COLUMN agency_receipt_public_key TEXT NOT NULL DEFAULT ''"
    )
