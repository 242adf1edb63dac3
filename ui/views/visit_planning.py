"""Turning the visit plan template into a case's visits (pure: no Qt, no vault).

Dates are spread over the four months of Stage 2, ending some weeks before the
end so the PAR can be written, shared with the applicants and go to panel;
each planned date falls on a working day (England's bank holidays known).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from homestudy.model import Case, Visit
from homestudy.workdays import add_months, is_working_day

#: Weeks left at the end of Stage 2 for writing, sharing and panel.
WRITING_WEEKS = 5
FIRST_VISIT_AFTER_DAYS = 7
SPLIT_GAP_DAYS = 14
_NUMBER_PREFIX = re.compile(r"^\s*visit\s+\d+\s*[:.\-–]\s*", re.IGNORECASE)
_APPLICANT_WORDS = (
    ("first applicant", "Applicant 1", "applicant 1"),
    ("second applicant", "Applicant 2", "applicant 2"),
)


def next_working_day(day: date) -> date:
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def spread_dates(start: date, count: int, months: int = 4) -> list[date]:
    """``count`` working days spread evenly from a week after ``start`` to the last
    visit, ``WRITING_WEEKS`` before the end of the ``months``-month period."""
    if count <= 0:
        return []
    first = start + timedelta(days=FIRST_VISIT_AFTER_DAYS)
    last = add_months(start, months) - timedelta(weeks=WRITING_WEEKS)
    last = max(last, first)
    if count == 1:
        return [next_working_day(first)]
    step = (last - first).days / (count - 1)
    return [next_working_day(first + timedelta(days=round(i * step))) for i in range(count)]


def _title(template_title: str, case: Case) -> str:
    """The template's title without its "Visit N:" prefix (the plan numbers visits, and
    they get reordered), and with "first/second applicant" as first names where known."""
    title = _NUMBER_PREFIX.sub("", template_title)
    for n, applicant in enumerate(case.applicants[:2]):
        if applicant.first_name:
            for words in _APPLICANT_WORDS[n]:
                title = title.replace(words, applicant.first_name)
    return title[:1].upper() + title[1:]


def who_attends(case: Case, attendance: str) -> list[str]:
    """Ids of the people a template visit is for."""
    applicants = [a.id for a in case.applicants]
    if attendance == "applicant1":
        return applicants[:1]
    if attendance == "applicant2":
        return applicants[1:2]
    if attendance == "household":
        return applicants + [m.id for m in case.household if m.lives_in_household]
    return applicants


def plan_visits(case: Case, plan: Any, today: date) -> list[Visit]:
    """New visits for every template visit the case does not have yet, numbered
    after the existing ones. A single applicant gets no "applicant 2 alone" visit."""
    have = {v.template_visit_id for v in case.visits if v.template_visit_id}
    templates = [
        t
        for t in plan.visits
        if t.id not in have and not (t.attendance == "applicant2" and len(case.applicants) < 2)
    ]
    start = case.stage2_notice_on or today
    dates = spread_dates(start, len(templates))
    base = max((v.sequence for v in case.visits), default=0)
    return [
        Visit(
            sequence=base + n,
            title=_title(t.title, case),
            template_visit_id=t.id,
            planned_date=dates[n - 1],
            who_seen=who_attends(case, t.attendance),
            topics=list(t.topics),
        )
        for n, t in enumerate(templates, start=1)
    ]


def renumber(visits: Sequence[Visit]) -> list[Visit]:
    """The visits whose sequence changed after numbering them 1, 2, 3 ... in order."""
    changed = []
    for n, visit in enumerate(visits, start=1):
        if visit.sequence != n:
            visit.sequence = n
            changed.append(visit)
    return changed


def split_visit(visit: Visit) -> Visit:
    """Move the second half of ``visit``'s topics into a new visit (returned) that
    follows it; a visit with one topic keeps it and the new one shares it."""
    keep = max(1, (len(visit.topics) + 1) // 2)
    moved = visit.topics[keep:] or list(visit.topics)
    visit.topics = visit.topics[:keep]
    planned = (
        next_working_day(visit.planned_date + timedelta(days=SPLIT_GAP_DAYS))
        if visit.planned_date
        else None
    )
    return replace(
        Visit(sequence=visit.sequence + 1, title=f"{visit.title} (continued)"),
        planned_date=planned,
        mode=visit.mode,
        who_seen=list(visit.who_seen),
        topics=list(moved),
    )


def ordered(visits: Iterable[Visit]) -> list[Visit]:
    return sorted(visits, key=lambda v: v.sequence)
