"""A laptop restored from its own backup: continue after the inbox's last bundle.

The restored outbox holds sequence numbers the inbox has already seen, so sending them
would be refused as re-used (and raise a copied-laptop alert). Before uploading, the
round asks the inbox where this device's chain ends (in the round's poll, or
``GET /devices/{id}/status`` from an older inbox);
if the inbox is ahead, the waiting bundles are dropped, their cases marked again, and
the numbering continues after the inbox's last bundle. Nothing is lost: a marked case
is frozen again from the vault at the next round.
"""

from __future__ import annotations

from typing import Any

from homestudy.sync import outbox
from homestudy.sync.client import InboxClient
from homestudy.sync.outbox import OutboxItem, ProfileState


def inbox_ahead(
    state: ProfileState,
    items: list[OutboxItem],
    client: InboxClient,
    seen: dict[str, Any] | None = None,
) -> dict[str, Any] | None:
    """The inbox's view of this device when it already holds one of our numbers under a
    bundle this outbox does not have (a lost receipt is not that: the bundle is ours).
    ``seen``: that view from this round's poll; asked here when None (older inbox)."""
    if seen is None:
        seen = client.status(state.profile.device_id, state.device_signing_secret)
    last = seen.get("last_sequence")
    if not isinstance(last, int) or isinstance(last, bool) or last < min(i.sequence for i in items):
        return None
    if seen.get("last_bundle_id") in {i.bundle_id for i in items}:
        return None
    return seen


def resequence(vault: Any, profile_id: str, seen: dict[str, Any]) -> None:
    """Drop the waiting bundles, mark their cases again, number on after ``seen``."""
    with vault.transaction() as conn:
        cases = [
            r[0]
            for r in conn.execute(
                "SELECT case_id FROM sync_outbox WHERE profile_id = ?", (profile_id,)
            )
        ]
        conn.execute("DELETE FROM sync_outbox WHERE profile_id = ?", (profile_id,))
        conn.execute(
            "UPDATE sync_profiles SET next_sequence = ?, last_bundle_id = ?, "
            "last_bundle_sha256 = ? WHERE id = ?",
            (
                int(seen["last_sequence"]) + 1,
                str(seen.get("last_bundle_id", "")),
                str(seen.get("last_sha256", "")),
                profile_id,
            ),
        )
    for case_id in cases:
        outbox.mark_dirty(vault, case_id)
