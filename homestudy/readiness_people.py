"""Statutory checks per person: who needs which check, and how far each has got.

Every applicant and every adult of the household (a lodger, an adult child living
at home, anyone of ``adult_age`` or over by the panel date) needs the agency's
checks (``applicant_checks`` / ``household_adult_checks``: by default an enhanced
DBS check with the barred lists, and a local authority check). Where they have
lived in their present area for less than ``previous_area_months``, each previous
local authority area of that time needs a check too; each stay abroad as an adult
of ``overseas_min_months`` or more needs an overseas police check.

A recorded check counts once it has a result, a date, and (as the agency sets) the
manager's consideration. ``person_checks`` is what readiness, the CLI's ``--json``
and the Case details tab all read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Literal

from homestudy.model import Case, CheckKind, CheckOutcome, PlaceLived, StatutoryCheck
from homestudy.readiness_rules import ADULT_KINDS, MEMBER_WORDS, age_on
from homestudy.textutil import format_date
from homestudy.timeline import TimelineRules, add_months, panel_date_for

CHECK_WORDS = {
    CheckKind.DBS: "enhanced DBS check",
    CheckKind.LOCAL_AUTHORITY: "local authority check",
    CheckKind.PREVIOUS_LOCAL_AUTHORITY: "previous local authority check",
    CheckKind.PROBATION: "probation check",
    CheckKind.HEALTH: "health check",
    CheckKind.OVERSEAS_POLICE: "overseas police check",
    CheckKind.OTHER: "check",
}


class NeedStatus(StrEnum):
    MISSING = "missing"  # no check of this kind recorded for the person
    PENDING = "pending"  # asked for, no result yet
    UNDATED = "undated"  # a result with no date (or a date still to come)
    NOT_CONSIDERED = "not_considered"  # the manager has not recorded considering it
    DONE = "done"


_RANK = {
    NeedStatus.DONE: 0,
    NeedStatus.NOT_CONSIDERED: 1,
    NeedStatus.UNDATED: 2,
    NeedStatus.PENDING: 3,
    NeedStatus.MISSING: 4,
}


@dataclass(frozen=True)
class CheckNeed:
    kind: CheckKind
    why: str  # plain words that follow "because they ...", no case content
    place: str = ""  # the previous area or country it is for ("" = any)
    place_index: int = 0  # 1-based position in the person's places lived, 0 if none


@dataclass(frozen=True)
class CheckState:
    need: CheckNeed
    status: NeedStatus
    check: StatutoryCheck | None = None


@dataclass(frozen=True)
class PersonChecks:
    person_id: str
    label: str  # "Applicant 1", "Household member 2 (a lodger)"
    role: Literal["applicant", "household_adult"]
    states: tuple[CheckState, ...]
    area_since_known: bool

    @property
    def outstanding(self) -> tuple[CheckState, ...]:
        return tuple(s for s in self.states if s.status is not NeedStatus.DONE)


def _compact(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.casefold())


def assessed_on(case: Case, today: date) -> date:
    """The panel date when it is still to come, else today."""
    panel, _provisional = panel_date_for(case)
    return panel if panel is not None and panel > today else today


def _people(case: Case, rules: TimelineRules, on: date) -> list[tuple[str, str, str, object]]:
    """(person id, label, role, the Applicant/HouseholdMember) of everyone needing checks."""
    out: list[tuple[str, str, str, object]] = []
    several = len(case.applicants) > 1
    for n, a in enumerate(case.applicants, start=1):
        out.append((a.id, f"Applicant {n}" if several else "The applicant", "applicant", a))
    for n, m in enumerate(case.household, start=1):
        if not m.lives_in_household:
            continue
        if m.date_of_birth is not None:
            adult = age_on(m.date_of_birth, on) >= rules.adult_age
        else:
            adult = m.kind in ADULT_KINDS or m.kind.value == "adult_child_away"
        if adult:
            out.append(
                (m.id, f"Household member {n} ({MEMBER_WORDS[m.kind]})", "household_adult", m)
            )
    return out


def _needs(rules: TimelineRules, role: str, person: object, on: date) -> list[CheckNeed]:
    kinds = rules.applicant_checks if role == "applicant" else rules.household_adult_checks
    why = "are an applicant" if role == "applicant" else "are an adult of the household"
    needs = [CheckNeed(CheckKind(k), why) for k in kinds]
    places: list[PlaceLived] = list(getattr(person, "places_lived", []))
    area_since: date | None = getattr(person, "area_since", None)
    born: date | None = getattr(person, "date_of_birth", None)
    window = add_months(on, -rules.previous_area_months)
    months = rules.previous_area_months
    recent_area = area_since is not None and area_since > window
    named_previous = came_from_abroad = False
    for i, place in enumerate(places, start=1):
        if place.abroad:
            came_from_abroad |= (place.to_date or area_since or on) > window
            if _long_adult_stay(place, born, on, rules):
                needs.append(
                    CheckNeed(
                        CheckKind.OVERSEAS_POLICE,
                        f"lived abroad as an adult for {rules.overseas_min_months} months or more",
                        place.place,
                        i,
                    )
                )
            continue
        ended = place.to_date or area_since
        if ended is None or ended > window:
            named_previous = True
            needs.append(
                CheckNeed(
                    CheckKind.PREVIOUS_LOCAL_AUTHORITY,
                    f"lived in another local authority area within the last {months} months",
                    place.place,
                    i,
                )
            )
    if recent_area and not named_previous and not came_from_abroad:
        needs.append(
            CheckNeed(
                CheckKind.PREVIOUS_LOCAL_AUTHORITY,
                f"has lived in the present area for less than {months} months",
            )
        )
    return needs


def _long_adult_stay(place: PlaceLived, born: date | None, on: date, rules: TimelineRules) -> bool:
    if place.from_date is None:
        return True  # cannot tell how long: ask for the check
    start, end = place.from_date, place.to_date or on
    if born is not None:
        start = max(start, add_months(born, 12 * rules.adult_age))
    if end <= start:
        return False  # all of it as a child
    return add_months(start, rules.overseas_min_months) <= end


def application_began(case: Case) -> date | None:
    """The earliest day a check for this application can be dated: the Registration of
    Interest (or Stage 1's start); None when neither is recorded."""
    days = [d for d in (case.registration_of_interest_on, case.stage1_started_on) if d]
    return min(days) if days else None


def check_date_problem(check: StatutoryCheck, began: date | None, today: date) -> str:
    """Why the check's completion date cannot be right ("" when it can): words that
    follow "its result is dated ...", no case content."""
    done = check.completed_on
    if done is None:
        return "missing"
    if done > today:
        return "still to come"
    if check.requested_on is not None and done < check.requested_on:
        return f"{format_date(done)}, before it was requested on {format_date(check.requested_on)}"
    if began is not None and done < began:
        return f"{format_date(done)}, before this application began on {format_date(began)}"
    return ""


def check_status(
    check: StatutoryCheck, rules: TimelineRules, today: date, began: date | None = None
) -> NeedStatus:
    if check.outcome is CheckOutcome.PENDING:
        return NeedStatus.PENDING
    if check_date_problem(check, began, today):
        return NeedStatus.UNDATED
    must_consider = rules.manager_considers == "all" or check.outcome in (
        CheckOutcome.INFORMATION_DISCLOSED,
        CheckOutcome.NOT_APPLICABLE,
    )
    considered = (
        bool(check.considered_by.strip())
        and check.considered_on is not None
        and check.considered_on <= today
    )
    if must_consider and not considered:
        return NeedStatus.NOT_CONSIDERED
    return NeedStatus.DONE


def _match(
    need: CheckNeed,
    theirs: list[StatutoryCheck],
    used: set[str],
    rules: TimelineRules,
    today: date,
    began: date | None,
) -> CheckState:
    same = [c for c in theirs if c.kind is need.kind and c.id not in used]
    if need.place:
        want = _compact(need.place)
        exact = [c for c in same if c.place and _compact(c.place) == want]
        same = exact or [c for c in same if not c.place.strip()]
    if not same:
        return CheckState(need, NeedStatus.MISSING)
    best = min(same, key=lambda c: _RANK[check_status(c, rules, today, began)])
    used.add(best.id)
    return CheckState(need, check_status(best, rules, today, began), best)


def person_checks(case: Case, rules: TimelineRules, today: date) -> list[PersonChecks]:
    """Per person who needs checks: each check needed and how far it has got."""
    on = assessed_on(case, today)
    by_person: dict[str, list[StatutoryCheck]] = {}
    for c in case.stage1.checks:
        by_person.setdefault(c.person_id, []).append(c)
    out = []
    began = application_began(case)
    for person_id, label, role, person in _people(case, rules, on):
        used: set[str] = set()
        theirs = by_person.get(person_id, [])
        states = tuple(
            _match(n, theirs, used, rules, today, began) for n in _needs(rules, role, person, on)
        )
        out.append(
            PersonChecks(
                person_id,
                label,
                role,  # type: ignore[arg-type]
                states,
                getattr(person, "area_since", None) is not None,
            )
        )
    return out


def unlinked_checks(case: Case, people: Iterable[PersonChecks]) -> list[StatutoryCheck]:
    """Checks that name nobody who needs checks (recorded before checks were per person,
    or of someone since removed)."""
    known = {a.id for a in case.applicants} | {m.id for m in case.household}
    known |= {p.person_id for p in people}
    return [c for c in case.stage1.checks if c.person_id not in known]
