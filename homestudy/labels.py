"""What HomeStudy calls each value of the model's enums, in plain UK English.

One place for every reader-facing label of an enum value ("DBS", "Ex-partner",
"Previous employer (caring role)"), so exports and screens say the same thing and
nothing is made by capitalising an identifier ("Dbs", "Ex partner").

    from homestudy.labels import label, value_label
    label(CheckKind.DBS)            -> "Enhanced DBS"
    check_label(CheckKind.DBS)      -> "Enhanced DBS check"
    value_label("ex_partner")       -> "Ex-partner"   (any enum's value, by its text)

A test checks that every member of every enum here has a label, and that a value
shared by two enums (``ex_partner``, ``other``) means the same words in both.
"""

from __future__ import annotations

from enum import Enum
from functools import cache

from homestudy.model import (
    CheckKind,
    CheckOutcome,
    ContactStatus,
    HouseholdMemberKind,
    MaritalStatus,
    ReferenceKind,
    Route,
    SectionStatus,
    SignificantOtherKind,
    Stage,
    VisitMode,
)

LABELS: dict[type[Enum], dict[Enum, str]] = {
    Stage: {
        Stage.STAGE_1: "Stage 1",
        Stage.GAP: "Between Stage 1 and Stage 2",
        Stage.STAGE_2: "Stage 2",
        Stage.PANEL: "Waiting for panel",
        Stage.DECISION: "Waiting for the agency decision",
        Stage.APPROVED: "Approved",
        Stage.NOT_APPROVED: "Not approved",
        Stage.CLOSED: "Closed",
    },
    Route: {
        Route.STANDARD: "Standard",
        Route.FAST_TRACK: "Fast track",
        Route.FOSTER_CARER_CONCURRENT: "Foster carer adopting a child in their care",
    },
    HouseholdMemberKind: {
        HouseholdMemberKind.BIRTH_CHILD: "Birth child",
        HouseholdMemberKind.ADOPTED_CHILD: "Adopted child",
        HouseholdMemberKind.ADULT_CHILD_AWAY: "Adult child living away",
        HouseholdMemberKind.LODGER: "Lodger",
        HouseholdMemberKind.OTHER_ADULT: "Other adult",
        HouseholdMemberKind.OTHER_CHILD: "Other child",
    },
    SignificantOtherKind: {
        SignificantOtherKind.EX_PARTNER: "Ex-partner",
        SignificantOtherKind.OTHER: "Other",
    },
    ContactStatus: {
        ContactStatus.NOT_CONTACTED: "Not contacted yet",
        ContactStatus.REQUESTED: "Reference requested",
        ContactStatus.WRITTEN_RECEIVED: "Written reference received",
        ContactStatus.INTERVIEWED: "Interviewed",
        ContactStatus.NOT_CONTACTED_AGREED: "Not to be contacted (manager's decision)",
        ContactStatus.DECLINED: "Declined to take part",
    },
    ReferenceKind: {
        ReferenceKind.PERSONAL: "Personal",
        ReferenceKind.FAMILY: "Family",
        ReferenceKind.EMPLOYER: "Employer",
        ReferenceKind.PREVIOUS_EMPLOYER_CARING: "Previous employer (caring role)",
        ReferenceKind.EX_PARTNER: "Ex-partner",
        ReferenceKind.ADULT_CHILD: "Adult child",
        ReferenceKind.SCHOOL_NURSERY: "School or nursery",
        ReferenceKind.HEALTH_VISITOR: "Health visitor",
        ReferenceKind.VOLUNTARY_ROLE: "Voluntary role with children",
    },
    VisitMode: {
        VisitMode.IN_PERSON: "In person",
        VisitMode.VIRTUAL: "Virtual",
    },
    # the kind of check, as a noun that takes "check" after it (see check_label)
    CheckKind: {
        CheckKind.DBS: "Enhanced DBS",
        CheckKind.LOCAL_AUTHORITY: "Local authority",
        CheckKind.PREVIOUS_LOCAL_AUTHORITY: "Previous local authority",
        CheckKind.PROBATION: "Probation",
        CheckKind.HEALTH: "Health",
        CheckKind.OVERSEAS_POLICE: "Overseas police",
        CheckKind.OTHER: "Other",
    },
    CheckOutcome: {
        CheckOutcome.PENDING: "Pending",
        CheckOutcome.CLEAR: "Clear",
        CheckOutcome.INFORMATION_DISCLOSED: "Information disclosed",
        CheckOutcome.NOT_APPLICABLE: "Not applicable",
    },
    MaritalStatus: {
        MaritalStatus.NOT_RECORDED: "Not recorded",
        MaritalStatus.SINGLE: "Single",
        MaritalStatus.MARRIED: "Married",
        MaritalStatus.CIVIL_PARTNERSHIP: "In a civil partnership",
        MaritalStatus.COHABITING: "Living together",
        MaritalStatus.SEPARATED: "Separated",
        MaritalStatus.DIVORCED: "Divorced or civil partnership dissolved",
        MaritalStatus.WIDOWED: "Widowed or surviving civil partner",
    },
    SectionStatus: {
        SectionStatus.NOT_STARTED: "Not started",
        SectionStatus.DRAFTING: "Drafting",
        SectionStatus.READY_FOR_REVIEW: "Ready for review",
        SectionStatus.COMPLETE: "Complete",
    },
}

#: Values that are not enum members but reach readers as identifiers
#: (form answers, finding severities).
EXTRA_VALUES: dict[str, str] = {
    "yes": "Yes",
    "no": "No",
    "na": "Not applicable",
    "blocker": "Blocker",
    "warning": "Warning",
    "info": "Information",
}


def label(member: Enum) -> str:
    """The reader's words for ``member`` (KeyError for an enum this module does not know)."""
    return LABELS[type(member)][member]


def check_label(kind: CheckKind) -> str:
    """A check by its name: "Enhanced DBS check", "Local authority check"."""
    return f"{label(kind)} check"


@cache
def _by_value() -> dict[str, str]:
    out = dict(EXTRA_VALUES)
    for table in LABELS.values():
        for member, words in table.items():
            value = str(member.value)
            if value:
                out.setdefault(value, words)
    return out


def value_label(value: str) -> str | None:
    """The label of an enum value known only by its text, or None if no enum has it."""
    return _by_value().get(value)
