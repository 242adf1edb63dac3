"""Dates as people type them, and the dates the model refuses.

``parse_date_text`` reads the forms social workers write (``14/03/1986``,
``14 Mar 1986``, ``14 March 1986``, ``14031986``, ``14Mar1986``, ISO ``1986-03-14``):
day first, always (a UK app), English month names whatever the computer's language.
It raises ``ValueError`` with a plain message; the date input shows it.

``date_problem(kind, value, today)`` is the rule for one date field; the repository
calls ``case_problems`` / ``visit_problems`` / ``reference_problems`` before a save and
refuses (``ValidationError``) only problems that are *new*: a value already stored
is kept as it is, so a case synced with an old mistake can still be edited.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from homestudy.errors import ValidationError
from homestudy.model import Applicant, Case, HouseholdMember, Reference, Visit

#: The earliest and latest dates anything in a home study can have.
EARLIEST = date(1900, 1, 1)
LATEST = date(2100, 12, 31)

FORMAT_HINT = "Type the date as day, month and year, like 14/03/1986 or 14 Mar 1986."

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_MONTH_WORD = re.compile(r"[^\W\d_]+")
# After month names are turned into numbers: day, month, year split by / - . or spaces
_SPLIT = re.compile(r"[\s/.\-,]+")
_ORDINAL = re.compile(r"(\d)(?:st|nd|rd|th)\b", re.IGNORECASE)  # 14th March 1986


class DateKind(StrEnum):
    """What a date is, for its rule and for where a calendar should open."""

    ANY = "any"  # a plain date: only the bounds above
    BIRTH = "birth"  # a date of birth: not after today
    DONE = "done"  # something that has happened (done, received, completed): not after today
    DUE = "due"  # a date ahead (a due date, a planned visit): any date in bounds


def _year(text: str, today: date) -> int:
    year = int(text)
    if len(text) <= 2:  # 86 -> 1986, 27 -> 2027: within ten years ahead, else last century
        century = today.year // 100 * 100
        year += century
        if year > today.year + 10:
            year -= 100
    return year


def _numbers(text: str) -> str:
    """Month names to numbers, surrounded by spaces: "14Mar1986" -> "14 3 1986"."""

    def month(match: re.Match[str]) -> str:
        word = match.group().lower()
        if word not in _MONTHS:
            raise ValueError(f"“{match.group()}” is not a month. {FORMAT_HINT}")
        return f" {_MONTHS[word]} "

    return _MONTH_WORD.sub(month, text)


def _candidates(text: str, today: date) -> Iterator[tuple[int, int, int]]:
    """(year, month, day) readings of ``text``, most likely first."""
    parts = [p for p in _SPLIT.split(_numbers(_ORDINAL.sub(r"\1", text)).strip()) if p]
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        if len(parts[0]) == 4:  # ISO order: 1986-03-14
            yield int(parts[0]), int(parts[1]), int(parts[2])
        else:
            yield _year(parts[2], today), int(parts[1]), int(parts[0])
    elif len(parts) == 1 and parts[0].isdigit():
        digits = parts[0]
        if len(digits) == 8:  # 14031986, or 19860314
            yield int(digits[4:]), int(digits[2:4]), int(digits[:2])
            yield int(digits[:4]), int(digits[4:6]), int(digits[6:])
        elif len(digits) == 6:  # 140386
            yield _year(digits[4:], today), int(digits[2:4]), int(digits[:2])


def parse_date_text(text: str, today: date | None = None) -> date | None:
    """The date ``text`` names, ``None`` for an empty text; ``ValueError`` (plain) if none."""
    text = text.strip()
    if not text:
        return None
    today = today or date.today()
    for year, month, day in _candidates(text, today):
        try:
            value = date(year, month, day)
        except ValueError:
            continue
        if not EARLIEST <= value <= LATEST:
            raise ValueError(f"{value.year} is not a year this date can have. {FORMAT_HINT}")
        return value
    raise ValueError(f"That is not a date HomeStudy understands. {FORMAT_HINT}")


def date_problem(
    kind: DateKind | str, value: date | None, today: date | None = None, what: str = "This date"
) -> str:
    """Why ``value`` cannot be a date of this kind ("" when it can, or when unset)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    today = today or date.today()
    if not EARLIEST <= value <= LATEST:
        return f"{what} cannot be in {value.year}."
    kind = DateKind(kind)
    if kind is DateKind.BIRTH and value > today:
        return "A date of birth cannot be after today."
    if kind is DateKind.DONE and value > today:
        return f"{what} cannot be after today: it has not happened yet."
    return ""


# ------------------------------------------------------------------ records


@dataclass(frozen=True)
class Problem:
    """One refused date: which record and field, the value, and the plain message."""

    record_id: str
    field: str
    value: date
    message: str


def _check(
    record_id: str, field: str, kind: DateKind, value: date | None, what: str, today: date
) -> Iterator[Problem]:
    message = date_problem(kind, value, today, what)
    if message and value is not None:
        yield Problem(record_id, field, value, message)


def visit_problems(visit: Visit, today: date | None = None) -> list[Problem]:
    today = today or date.today()
    return [
        *_check(
            visit.id, "done_date", DateKind.DONE, visit.done_date, "The day a visit was done", today
        ),
        *_check(
            visit.id,
            "planned_date",
            DateKind.ANY,
            visit.planned_date,
            "A planned visit date",
            today,
        ),
    ]


def reference_problems(ref: Reference, today: date | None = None) -> list[Problem]:
    today = today or date.today()
    return [
        *_check(
            ref.id,
            "written_received_on",
            DateKind.DONE,
            ref.written_received_on,
            "The day the written reference came in",
            today,
        ),
        *_check(
            ref.id, "interview_date", DateKind.ANY, ref.interview_date, "An interview date", today
        ),
    ]


def case_problems(case: Case, today: date | None = None) -> list[Problem]:
    """Every refused date in the whole case (its visits and references too)."""
    today = today or date.today()
    found: list[Problem] = []
    people: list[Applicant | HouseholdMember] = [*case.applicants, *case.household]
    for person in people:
        found += _check(
            person.id,
            "date_of_birth",
            DateKind.BIRTH,
            person.date_of_birth,
            "A date of birth",
            today,
        )
    s1 = case.stage1
    found += _check(
        case.id,
        "training_completed_on",
        DateKind.DONE,
        s1.training_completed_on,
        "The day preparation training ended",
        today,
    )
    for check in s1.checks:
        found += _check(
            check.id,
            "completed_on",
            DateKind.DONE,
            check.completed_on,
            "The day a check was completed",
            today,
        )
        found += _check(
            check.id,
            "requested_on",
            DateKind.DONE,
            check.requested_on,
            "The day a check was requested",
            today,
        )
    for name in (
        "registration_of_interest_on",
        "stage1_started_on",
        "stage1_ended_on",
        "stage2_notice_on",
        "provisional_panel_date",
        "panel_date",
        "applicant_copy_shared_on",
    ):
        found += _check(case.id, name, DateKind.ANY, getattr(case, name), "A key date", today)
    for visit in case.visits:
        found += visit_problems(visit, today)
    for ref in case.references:
        found += reference_problems(ref, today)
    return found


def refuse_new(problems: Iterable[Problem], stored: Iterable[Problem]) -> None:
    """Raise ``ValidationError`` for the first problem not already in what is stored."""
    kept = {(p.record_id, p.field, p.value) for p in stored}
    for problem in problems:
        if (problem.record_id, problem.field, problem.value) not in kept:
            raise ValidationError(problem.message, field=problem.field)
