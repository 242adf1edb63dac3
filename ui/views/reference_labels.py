"""What the References tab calls things, and the pieces it shows beside a referee."""

from __future__ import annotations

from typing import Any

from homestudy.model import Case, ContactStatus, HouseholdMemberKind, ReferenceKind

KIND_LABELS = {
    ReferenceKind.PERSONAL: "Personal referee",
    ReferenceKind.FAMILY: "Family referee (a relative)",
    ReferenceKind.EMPLOYER: "Employer (current or most recent)",
    ReferenceKind.PREVIOUS_EMPLOYER_CARING: "Previous employer (caring role)",
    ReferenceKind.EX_PARTNER: "Ex-partner",
    ReferenceKind.ADULT_CHILD: "Adult child",
    ReferenceKind.SCHOOL_NURSERY: "School or nursery",
    ReferenceKind.HEALTH_VISITOR: "Health visitor",
    ReferenceKind.VOLUNTARY_ROLE: "Voluntary role with children",
}
STATUS_LABELS = {
    ContactStatus.NOT_CONTACTED: "Not contacted yet",
    ContactStatus.REQUESTED: "Reference requested",
    ContactStatus.WRITTEN_RECEIVED: "Written reference received",
    ContactStatus.INTERVIEWED: "Interviewed",
    ContactStatus.NOT_CONTACTED_AGREED: "Not to be contacted (manager's decision)",
    ContactStatus.DECLINED: "Declined to take part",
}
#: Kinds that are a particular person on the case (an ex-partner, an adult child).
PERSON_KINDS = {ReferenceKind.EX_PARTNER, ReferenceKind.ADULT_CHILD}


def people_for(case: Case, kind: ReferenceKind) -> list[tuple[str, str]]:
    """(id, name) of the people on the case a referee of ``kind`` can be."""
    if kind is ReferenceKind.EX_PARTNER:
        return [(p.id, p.name) for p in case.significant_others]
    if kind is ReferenceKind.ADULT_CHILD:
        return [
            (m.id, m.name) for m in case.household if m.kind is HouseholdMemberKind.ADULT_CHILD_AWAY
        ]
    return []


def guide_text(guide: Any) -> str:
    """An interview guide (a FormDefinition) as plain text: groups and their questions."""
    lines = [guide.title, ""]
    for group in guide.groups:
        lines.append(group.title)
        lines.extend(f"  • {q.label}" for q in group.questions)
        lines.append("")
    return "\n".join(lines).strip()
