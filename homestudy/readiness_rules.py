"""The rules behind ``homestudy.readiness.assess_readiness``, one function each.

A rule takes the ``Context`` and yields ``Finding``s; ``readiness.all_rules()`` lists
them in the order the overview shows them. The checklist, pet and clock rules are
in ``readiness_checks``. Every message is plain UK English with no case content.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING

from homestudy.model import (
    Case,
    ContactStatus,
    HouseholdMemberKind,
    Reference,
    ReferenceKind,
    SignificantOtherKind,
)
from homestudy.readiness import Finding, FixAt, Severity
from homestudy.timeline import TimelineRules

if TYPE_CHECKING:
    from homestudy.forms import FormLibrary

BLOCKER, WARNING, NOTE = Severity.BLOCKER, Severity.WARNING, Severity.NOTE

#: A paragraph (or line) that opens with the analysis marker and says something after it.
_ANALYSIS = re.compile(r"^[ \t]*\*\*Analysis(?::\*\*|\*\*:?)[ \t]*\S", re.MULTILINE)

_PERSONAL_KINDS = {ReferenceKind.PERSONAL, ReferenceKind.FAMILY}
#: A referee counts as contacted once asked, whatever came of it.
_CONTACTED = {
    ContactStatus.REQUESTED,
    ContactStatus.WRITTEN_RECEIVED,
    ContactStatus.INTERVIEWED,
    ContactStatus.DECLINED,
}
_EMPLOYER_HEARD = {ContactStatus.WRITTEN_RECEIVED, ContactStatus.INTERVIEWED}


@dataclass(frozen=True)
class Context:
    case: Case
    library: FormLibrary
    rules: TimelineRules
    today: date

    @cached_property
    def interviewed_personal(self) -> list[Reference]:
        return [
            r
            for r in self.case.references
            if r.kind in _PERSONAL_KINDS and r.contact_status is ContactStatus.INTERVIEWED
        ]

    def applicant_label(self, applicant_id: str) -> str:
        for n, a in enumerate(self.case.applicants, start=1):
            if a.id == applicant_id:
                return f"Applicant {n}" if len(self.case.applicants) > 1 else "The applicant"
        return "An applicant"


Rule = Callable[[Context], Iterable[Finding]]


def has_analysis(text: str) -> bool:
    """True when the text has a paragraph opening ``**Analysis:**`` with words after it."""
    return _ANALYSIS.search(text) is not None


def agreed_not_to_contact(ref: Reference) -> bool:
    """A manager's recorded decision not to contact, with its reason."""
    return (
        ref.contact_status is ContactStatus.NOT_CONTACTED_AGREED
        and bool(ref.not_contacted_reason.strip())
        and bool(ref.manager_decision_by.strip())
    )


# --------------------------------------------------------------------------- visits


def visits_done(ctx: Context) -> Iterator[Finding]:
    done, needed = ctx.case.visits_done, ctx.rules.min_visits
    if done < needed:
        yield Finding(
            BLOCKER,
            "visits_too_few",
            f"Visits done: {done} of the at least {needed} needed.",
            FixAt("visits"),
        )


def seen_alone(ctx: Context) -> Iterator[Finding]:
    alone: set[str] = set()
    for v in ctx.case.visits:
        if v.is_done and len(set(v.who_seen)) == 1:
            alone.update(v.who_seen)
    for a in ctx.case.applicants:
        if a.id not in alone:
            yield Finding(
                BLOCKER,
                "applicant_not_seen_alone",
                f"{ctx.applicant_label(a.id)} has not yet been seen alone at a visit.",
                FixAt("visits", a.id),
            )


# --------------------------------------------------------------------------- PAR


def par_sections(ctx: Context) -> Iterator[Finding]:
    drafts = ctx.case.par_sections
    for section in ctx.library.par.sections:
        draft = drafts.get(section.id)
        text = draft.text if draft is not None else ""
        if section.required and not text.strip():
            yield Finding(
                BLOCKER,
                "par_section_empty",
                f"The PAR section \u201c{section.title}\u201d is empty.",
                FixAt("par", section.id),
            )
        elif section.needs_analysis and text.strip() and not has_analysis(text):
            yield Finding(
                BLOCKER,
                "par_analysis_missing",
                f"The PAR section \u201c{section.title}\u201d has no analysis yet: add a "
                "paragraph that starts \u201cAnalysis:\u201d and says what the evidence shows.",
                FixAt("par", section.id),
            )


def lines_of_enquiry(ctx: Context) -> Iterator[Finding]:
    addressed: set[str] = set()
    for draft in ctx.case.par_sections.values():
        addressed.update(draft.lines_of_enquiry_addressed)
    total = len(ctx.case.lines_of_enquiry)
    for n, line in enumerate(ctx.case.lines_of_enquiry, start=1):
        if line.id in addressed:
            continue
        expected = [s for s in line.par_section_ids if _has_section(ctx, s)]
        where = ""
        if expected:
            titles = ", ".join(f"\u201c{ctx.library.par.section(s).title}\u201d" for s in expected)
            where = f" It was expected in {titles}."
        yield Finding(
            BLOCKER,
            "line_of_enquiry_not_addressed",
            f"Stage 1 line of enquiry {n} of {total} is not yet addressed in any PAR "
            f"section.{where}",
            FixAt("par", expected[0] if expected else ""),
        )


def _has_section(ctx: Context, section_id: str) -> bool:
    return section_id in ctx.library.par.section_ids


# --------------------------------------------------------------------------- references


def personal_referees(ctx: Context) -> Iterator[Finding]:
    rules, interviewed = ctx.rules, ctx.interviewed_personal
    if len(interviewed) < rules.min_personal_referees:
        yield Finding(
            BLOCKER,
            "personal_referees_too_few",
            f"Personal referees interviewed: {len(interviewed)} of the "
            f"{rules.min_personal_referees} needed.",
            FixAt("references"),
        )
    if not any(r.kind is ReferenceKind.FAMILY for r in interviewed):
        yield Finding(
            BLOCKER,
            "family_referee_missing",
            "No family referee has been interviewed.",
            FixAt("references"),
        )
    relatives = sum(1 for r in interviewed if r.kind is ReferenceKind.FAMILY)
    if relatives > 1 and len(interviewed) - relatives < rules.min_personal_referees - 1:
        yield Finding(
            WARNING,
            "family_referees_too_many",
            f"Relatives among the personal referees interviewed: {relatives}; at most one "
            f"of the {rules.min_personal_referees} should be a relative.",
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


def employer_references(ctx: Context) -> Iterator[Finding]:
    employers = [r for r in ctx.case.references if r.kind is ReferenceKind.EMPLOYER]
    for a in ctx.case.applicants:
        theirs = [r for r in employers if not r.applicant_ids or a.id in r.applicant_ids]
        if any(r.contact_status in _EMPLOYER_HEARD or agreed_not_to_contact(r) for r in theirs):
            continue
        yield Finding(
            BLOCKER,
            "employer_reference_missing",
            f"{ctx.applicant_label(a.id)} has no employer reference yet (and no recorded "
            "decision that none is needed).",
            FixAt("references", theirs[0].id if theirs else ""),
        )


def people_to_contact(ctx: Context) -> Iterator[Finding]:
    """Ex-partners and adult children living away: each needs a reference that was
    contacted, or a manager's recorded decision not to contact them."""
    case = ctx.case
    people = [
        (p.id, "ex_partner", "An ex-partner")
        for p in case.significant_others
        if p.kind is SignificantOtherKind.EX_PARTNER
    ] + [
        (m.id, "adult_child", "An adult child living away from home")
        for m in case.household
        if m.kind is HouseholdMemberKind.ADULT_CHILD_AWAY
    ]
    for person_id, kind, who in people:
        refs = [r for r in case.references if r.person_id == person_id]
        if any(r.contact_status in _CONTACTED or agreed_not_to_contact(r) for r in refs):
            continue
        agreed = [r for r in refs if r.contact_status is ContactStatus.NOT_CONTACTED_AGREED]
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
            code = f"{kind}_not_contacted_reason_missing"
        else:
            message = (
                f"{who} has not been contacted for a reference, and no manager's decision "
                "not to contact them is recorded."
            )
            code = f"{kind}_not_contacted"
        yield Finding(
            BLOCKER, code, message, FixAt("references", refs[0].id if refs else person_id)
        )


_CHILD_KINDS = {
    HouseholdMemberKind.BIRTH_CHILD,
    HouseholdMemberKind.ADOPTED_CHILD,
    HouseholdMemberKind.OTHER_CHILD,
}


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def children_references(ctx: Context) -> Iterator[Finding]:
    """Children at home: their school or nursery, and the health visitor for under-fives
    (DOMAIN.md). Warnings, as agencies differ on when these are needed."""
    case = ctx.case
    children = [m for m in case.household if m.kind in _CHILD_KINDS and m.lives_in_household]
    for kind, code, what in (
        (ReferenceKind.SCHOOL_NURSERY, "school_reference_missing", "school or nursery"),
        (ReferenceKind.HEALTH_VISITOR, "health_visitor_reference_missing", "health visitor"),
    ):
        refs = [
            r
            for r in case.references
            if r.kind is kind and (r.contact_status in _CONTACTED or agreed_not_to_contact(r))
        ]
        for n, child in enumerate(children, start=1):
            age = None if child.date_of_birth is None else _age(child.date_of_birth, ctx.today)
            if kind is ReferenceKind.HEALTH_VISITOR:
                needed = age is not None and age < ctx.rules.health_visitor_under_age
            else:
                needed = age is None or ctx.rules.nursery_from_age <= age < 18
            if not needed or any(r.person_id in ("", child.id) for r in refs):
                continue
            yield Finding(
                WARNING,
                code,
                f"Child {n} of {len(children)} in the household has no {what} reference yet.",
                FixAt("references", child.id),
            )
