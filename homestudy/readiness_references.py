"""Readiness rules for referees and the other people the assessment must hear from.

Only referees who have replied count: a personal referee once interviewed, others
once their reference is in (written or by interview). "Requested" alone never
counts, nor an interview dated still to come; a referee entered twice counts once; for
a couple, an employer reference counts for the applicant it names. The statutory
guidance asks for personal referees of whom at most one is a relative; that a family
referee is one of them is agency policy (a setting).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from homestudy.model import (
    ContactStatus,
    HouseholdMemberKind,
    Reference,
    ReferenceKind,
    SignificantOtherKind,
)
from homestudy.readiness_findings import Finding, FixAt, Severity
from homestudy.readiness_rules import (
    CHILD_KINDS,
    REPLIED,
    Context,
    age_on,
    agreed_not_to_contact,
    referee_key,
)
from homestudy.textutil import format_date

BLOCKER, WARNING = Severity.BLOCKER, Severity.WARNING


def _personal_entries_not_counted(ctx: Context) -> Iterator[Finding]:
    """An interview dated still to come, or a referee entered twice: said at the entry,
    which does not count (too few referees is the blocker)."""
    counted = {r.id for r in ctx.interviewed_personal}
    seen: set[str] = set()
    for r in ctx.personal_entries:
        if r.interview_date is not None and r.interview_date > ctx.today:
            yield Finding(
                WARNING,
                "referee_interview_in_future",
                f"A personal referee is recorded as interviewed on "
                f"{format_date(r.interview_date)}, a date still to come, so they are not "
                "counted. Record the date the interview took place.",
                FixAt("references", r.id),
            )
            continue
        key = referee_key(r)
        if r.id not in counted and key in seen:
            yield Finding(
                WARNING,
                "referee_entered_twice",
                "A personal referee is entered twice (the same name), so they count once. "
                "Remove the repeated entry, or correct the name if it is someone else.",
                FixAt("references", r.id),
            )
        seen.add(key)


def personal_referees(ctx: Context) -> Iterator[Finding]:
    yield from _personal_entries_not_counted(ctx)
    rules, interviewed = ctx.rules, ctx.interviewed_personal
    needed = rules.min_personal_referees
    if len(interviewed) < needed:
        yield Finding(
            BLOCKER,
            "personal_referees_too_few",
            f"Personal referees interviewed: {len(interviewed)} of the {needed} needed.",
            FixAt("references"),
        )
    relatives = [r for r in interviewed if r.kind is ReferenceKind.FAMILY]
    others = len(interviewed) - len(relatives)
    most = rules.max_relative_referees
    if len(relatives) > most and others + most < needed:
        yield Finding(
            BLOCKER,
            "family_referees_too_many",
            f"Relatives among the personal referees interviewed: {len(relatives)}; at most "
            f"{most} of the {needed} may be a relative. Interview a referee who is not a "
            "relative.",
            FixAt("references", relatives[-1].id),
        )
    if not relatives and rules.family_referee != "off":
        severity = BLOCKER if rules.family_referee == "blocker" else WARNING
        yield Finding(
            severity,
            "family_referee_missing",
            "No family referee has been interviewed; the agency asks for one.",
            FixAt("references"),
        )
    years = rules.long_acquaintance_years
    if not any((r.years_known or 0) >= years for r in interviewed):
        yield Finding(
            BLOCKER,
            "long_acquaintance_missing",
            f"No interviewed personal referee has known the applicants for {years} years or more.",
            FixAt("references"),
        )
    if len(ctx.case.applicants) > 1:
        as_couple = sum(1 for r in interviewed if r.knows_as_couple)
        if as_couple < rules.min_couple_referees:
            yield Finding(
                BLOCKER,
                "couple_referees_too_few",
                "Interviewed personal referees who know the applicants as a couple: "
                f"{as_couple} of the {rules.min_couple_referees} needed.",
                FixAt("references"),
            )


def _employers(ctx: Context) -> list[Reference]:
    return [r for r in ctx.case.references if r.kind is ReferenceKind.EMPLOYER]


def _employer_references_of(ctx: Context, applicant_id: str) -> list[Reference]:
    """The employer references that speak for this applicant: for a couple, those that
    name them; for one applicant, any."""
    several = len(ctx.case.applicants) > 1
    return [
        r
        for r in _employers(ctx)
        if applicant_id in r.applicant_ids or (not r.applicant_ids and not several)
    ]


def employer_reference_done(ctx: Context, applicant_id: str) -> bool:
    """The applicant's employer reference has come back, or a manager agreed none."""
    return any(
        r.contact_status in REPLIED or agreed_not_to_contact(r)
        for r in _employer_references_of(ctx, applicant_id)
    )


@dataclass(frozen=True)
class ReferenceCounts:
    """What the References tab sums up, by the rules readiness uses."""

    interviewed: int  # personal referees who count (interviewed by today, each once)
    needed: int
    family: bool  # a family referee among them
    employers: tuple[tuple[str, bool], ...]  # ("Applicant 1", their reference is done)


def reference_counts(ctx: Context) -> ReferenceCounts:
    interviewed = ctx.interviewed_personal
    return ReferenceCounts(
        len(interviewed),
        ctx.rules.min_personal_referees,
        any(r.kind is ReferenceKind.FAMILY for r in interviewed),
        tuple(
            (ctx.applicant_label(a.id), employer_reference_done(ctx, a.id))
            for a in ctx.case.applicants
        ),
    )


def employer_references(ctx: Context) -> Iterator[Finding]:
    several = len(ctx.case.applicants) > 1
    for r in _employers(ctx):
        if several and not r.applicant_ids:
            yield Finding(
                WARNING,
                "employer_reference_unlinked",
                "An employer reference is not linked to either applicant, so it counts for "
                "neither: choose whose employer it is.",
                FixAt("references", r.id),
            )
    for a in ctx.case.applicants:
        if employer_reference_done(ctx, a.id):
            continue
        theirs = _employer_references_of(ctx, a.id)
        asked = any(r.contact_status is ContactStatus.REQUESTED for r in theirs)
        detail = (
            " (it has been asked for, but has not come back)"
            if asked
            else " (and no recorded decision that none is needed)"
        )
        yield Finding(
            BLOCKER,
            "employer_reference_missing",
            f"{ctx.applicant_label(a.id)} has no employer reference yet{detail}.",
            FixAt("references", theirs[0].id if theirs else ""),
        )


#: Resolved for an ex-partner or adult child: they replied, or declined to take part.
_HEARD_FROM = REPLIED | {ContactStatus.DECLINED}


def _adult_children_recorded_as_children(ctx: Context) -> Iterator[Finding]:
    """A child of the family living away who is an adult by their date of birth needs
    what an adult child living away needs: recorded as one, the rule below asks for it."""
    for member in ctx.case.household:
        born = member.date_of_birth
        if member.lives_in_household or member.kind not in CHILD_KINDS or born is None:
            continue
        if age_on(born, ctx.today) < ctx.rules.adult_age:
            continue
        yield Finding(
            BLOCKER,
            "adult_child_recorded_as_child",
            f"{ctx.person_label(member.id)} lives away from home and is an adult by their "
            "date of birth: record them as an adult child living away, then contact them "
            "for a reference (or record a manager's decision not to).",
            FixAt("case", member.id),
        )


def people_to_contact(ctx: Context) -> Iterator[Finding]:
    """Ex-partners and adult children living away: each needs a reference that came
    back (or that they declined), or a manager's recorded decision not to contact."""
    yield from _adult_children_recorded_as_children(ctx)
    case = ctx.case
    people = [
        (p.id, "ex_partner", "An ex-partner")
        for p in case.significant_others
        if p.kind is SignificantOtherKind.EX_PARTNER
    ] + [
        (m.id, "adult_child", "An adult child living away from home")
        for m in case.household
        if m.kind is HouseholdMemberKind.ADULT_CHILD_AWAY and not m.lives_in_household
    ]
    for person_id, kind, who in people:
        refs = [r for r in case.references if r.person_id == person_id]
        if any(r.contact_status in _HEARD_FROM or agreed_not_to_contact(r) for r in refs):
            continue
        agreed = [r for r in refs if r.contact_status is ContactStatus.NOT_CONTACTED_AGREED]
        asked = [r for r in refs if r.contact_status is ContactStatus.REQUESTED]
        ref: Reference | None
        if agreed:
            missing = " and ".join(
                part
                for part, value in (
                    ("the reason", agreed[0].not_contacted_reason),
                    ("the manager who agreed", agreed[0].manager_decision_by),
                )
                if not value.strip()
            )
            message = f"{who} is not to be contacted, but {missing} is not recorded."
            code, ref = f"{kind}_not_contacted_reason_missing", agreed[0]
        elif asked:
            message = (
                f"{who} has been asked for a reference and has not replied yet; "
                "a request alone does not count."
            )
            code, ref = f"{kind}_no_reply", asked[0]
        else:
            message = (
                f"{who} has not been contacted for a reference, and no manager's decision "
                "not to contact them is recorded."
            )
            code, ref = f"{kind}_not_contacted", refs[0] if refs else None
        yield Finding(BLOCKER, code, message, FixAt("references", ref.id if ref else person_id))


def children_references(ctx: Context) -> Iterator[Finding]:
    """Children at home: their school or nursery, and the health visitor for under-fives
    (DOMAIN.md). Warnings, as agencies differ on when these are needed."""
    case = ctx.case
    children = [m for m in ctx.household_at_home if m.kind in CHILD_KINDS]
    for kind, code, what in (
        (ReferenceKind.SCHOOL_NURSERY, "school_reference_missing", "school or nursery"),
        (ReferenceKind.HEALTH_VISITOR, "health_visitor_reference_missing", "health visitor"),
    ):
        refs = [
            r
            for r in case.references
            if r.kind is kind and (r.contact_status in REPLIED or agreed_not_to_contact(r))
        ]
        for n, child in enumerate(children, start=1):
            age = None if child.date_of_birth is None else age_on(child.date_of_birth, ctx.today)
            if kind is ReferenceKind.HEALTH_VISITOR:
                needed = age is not None and age < ctx.rules.health_visitor_under_age
            else:
                needed = age is None or ctx.rules.nursery_from_age <= age < ctx.rules.adult_age
            if not needed or any(r.person_id in ("", child.id) for r in refs):
                continue
            yield Finding(
                WARNING,
                code,
                f"Child {n} of {len(children)} in the household has no {what} reference yet.",
                FixAt("references", child.id),
            )
