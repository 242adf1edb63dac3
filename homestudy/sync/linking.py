"""Cases belong to an agency: which one, and linking a case made on the laptop to one.

A case points at an agency profile (``Case.agency_profile_id``); the profile keeps its id
across a revocation and re-enrolment, so the link holds. A case not linked to an agency
is shown as such and is not sent anywhere.
"""

from __future__ import annotations

from typing import Any

from homestudy.errors import NotFoundError, ValidationError
from homestudy.model import Case
from homestudy.sync import outbox
from homestudy.sync.outbox import ProfileState

NOT_LINKED = "Not linked to an agency"


def agency_names(vault: Any) -> dict[str, str]:
    """Agency profile id -> the agency's name, for lists and headers."""
    return {s.id: s.profile.name for s in outbox.profiles(vault)}


def agency_label(names: dict[str, str], profile_id: str) -> str:
    if not profile_id:
        return NOT_LINKED
    return names.get(profile_id, "An agency no longer on this laptop")


def find_profile(vault: Any, agency: str) -> ProfileState:
    """An enrolled agency by its name, its agency id or its profile id (any case)."""
    wanted = agency.strip().casefold()
    found = [
        s
        for s in outbox.profiles(vault)
        if wanted in (s.id.casefold(), s.profile.agency_id.casefold(), s.profile.name.casefold())
    ]
    if not found:
        names = ", ".join(s.profile.name for s in outbox.profiles(vault)) or "none yet"
        raise NotFoundError(
            f"This laptop is not enrolled with an agency called {agency} "
            f"(enrolled: {names}; to enrol: homestudy enrol FILE)."
        )
    return found[0]


def link_case(vault: Any, case_id: str, profile_id: str) -> Case:
    """Link a case to an agency this laptop is enrolled with; it syncs from then on."""
    state = outbox.profile(vault, profile_id)
    case = vault.cases.load_case(case_id)
    if case.agency_profile_id == state.id:
        return case  # type: ignore[no-any-return]
    if case.agency_profile_id and _was_sent(vault, case.id):
        raise ValidationError(
            "This case has already been sent to another agency, so it "
            "cannot be moved to a different one here; ask the agencies "
            "to transfer it."
        )
    case.agency_profile_id = state.id
    vault.cases.save_case(case)  # refuses a reference this agency already has here
    outbox.mark_dirty(vault, case.id)
    return case  # type: ignore[no-any-return]


def _was_sent(vault: Any, case_id: str) -> bool:
    with vault.reading() as conn:
        return (
            conn.execute(
                "SELECT 1 FROM sync_receipts WHERE case_id = ? LIMIT 1", (case_id,)
            ).fetchone()
            is not None
        )
