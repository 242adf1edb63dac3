"""Working days in England: weekends and England and Wales bank holidays excluded.

Bank holidays come from the ``holidays`` package (``holidays.UK(subdiv="ENG")``),
substitute days included ("Boxing Day (observed)"), and one-off days such as a
state funeral or a jubilee. The set for each year is built once and cached: the
UI recomputes deadlines after every edit.

Counting convention, used everywhere in HomeStudy:
``working_days_between(a, b)`` counts the working days *after* ``a`` up to and
including ``b``; ``add_working_days(a, n)`` is the date ``b`` on which that count
first reaches ``n`` (for negative ``n``, the ``n``th working day before ``a``).
So ``add_working_days(panel, -5)`` for a Monday panel is the Monday before (which
leaves that Monday to Friday, five working days, before the panel day itself: the
panel clock in ``homestudy.timeline_panel`` never counts the panel day), and "within
7 working days of panel" is the 7th working day after it.
``working_days_strictly_between(a, b)`` counts the days after ``a`` and before ``b``
(neither end): the working days someone really has between two events.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from functools import lru_cache

import holidays

_ONE_DAY = timedelta(days=1)


@lru_cache(maxsize=64)
def _named_bank_holidays(year: int) -> dict[date, str]:
    # country_holidays, not holidays.UK(...): the same days, and typed
    england = holidays.country_holidays("GB", subdiv="ENG", years=year)
    return {day: str(name) for day, name in england.items()}


@lru_cache(maxsize=64)
def _bank_holidays_in_year(year: int) -> frozenset[date]:
    return frozenset(_named_bank_holidays(year))


@lru_cache(maxsize=32)
def bank_holidays(first_year: int, last_year: int) -> frozenset[date]:
    """England and Wales bank holidays from ``first_year`` to ``last_year`` inclusive."""
    found: set[date] = set()
    for year in range(first_year, last_year + 1):
        found |= _bank_holidays_in_year(year)
    return frozenset(found)


def bank_holiday_name(day: date) -> str:
    """The holiday's name ("Boxing Day (observed)"), or "" on an ordinary day."""
    return _named_bank_holidays(day.year).get(day, "")


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays_in_year(day.year)


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days after ``start`` (before it when negative).

    ``add_working_days(d, 0)`` is ``d`` itself, even on a weekend.
    """
    step = _ONE_DAY if days >= 0 else -_ONE_DAY
    remaining = abs(days)
    current = start
    while remaining:
        current += step
        if is_working_day(current):
            remaining -= 1
    return current


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end``.

    When ``end`` is earlier the count is negative and mirrors counting backwards:
    minus the working days from ``end`` up to but excluding ``start``. So
    ``working_days_between(a, add_working_days(a, n)) == n`` for every ``n``.
    """
    if end >= start:
        return _count_working_days(start + _ONE_DAY, end)
    return -_count_working_days(end, start - _ONE_DAY)


def working_days_strictly_between(start: date, end: date) -> int:
    """Working days after ``start`` and before ``end`` (0 when there are none)."""
    return _count_working_days(start + _ONE_DAY, end - _ONE_DAY)


def _count_working_days(first: date, last: date) -> int:
    """Working days from ``first`` to ``last``, both included (0 if ``last < first``)."""
    if last < first:
        return 0
    # Whole weeks have five weekdays each; walk only the remainder day by day.
    weeks, rest = divmod((last - first).days + 1, 7)
    weekdays = weeks * 5
    day = first + timedelta(days=weeks * 7)
    for _ in range(rest):
        if day.weekday() < 5:
            weekdays += 1
        day += _ONE_DAY
    closed = sum(
        1 for h in bank_holidays(first.year, last.year) if first <= h <= last and h.weekday() < 5
    )
    return weekdays - closed


def add_months(start: date, months: int) -> date:
    """Same day of the month ``months`` later, clamped to the month's last day
    (31 Oct + 4 months = 28 Feb, or 29 Feb in a leap year)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(start.day, last))
