"""Working days over England and Wales bank holidays (homestudy.workdays)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from homestudy.workdays import (
    add_months,
    add_working_days,
    bank_holiday_name,
    bank_holidays,
    is_working_day,
    working_days_between,
)


def brute_force_between(start: date, end: date) -> int:
    day, count = start, 0
    while day < end:
        day += timedelta(days=1)
        count += is_working_day(day)
    return count


@pytest.mark.parametrize(
    ("start", "days", "expected", "why"),
    [
        # Christmas 2026 is a Friday, Boxing Day a Saturday: substitute Monday 28 Dec.
        (date(2026, 12, 24), 1, date(2026, 12, 29), "Christmas, Boxing Day substitute"),
        # 2027: both on the weekend, substitutes on Monday 27 and Tuesday 28 Dec.
        (date(2027, 12, 24), 1, date(2027, 12, 29), "two substitute days"),
        # Year end: 1 Jan 2028 is a Saturday, so Monday 3 Jan is the holiday.
        (date(2027, 12, 30), 2, date(2028, 1, 4), "New Year substitute across the year end"),
        (date(2026, 12, 30), 2, date(2027, 1, 4), "New Year's Day 2027, a Friday"),
        # Easter 2026: Good Friday 3 Apr, Easter Monday 6 Apr.
        (date(2026, 4, 2), 1, date(2026, 4, 7), "Easter"),
        # Late May (spring) bank holiday 2026: Monday 25 May.
        (date(2026, 5, 22), 1, date(2026, 5, 26), "spring bank holiday"),
        # One-off: the state funeral, Monday 19 Sep 2022.
        (date(2022, 9, 16), 1, date(2022, 9, 20), "a one-off bank holiday"),
        (date(2026, 11, 27), 1, date(2026, 11, 30), "an ordinary weekend"),
        (date(2026, 11, 28), 0, date(2026, 11, 28), "zero days stays put"),
        # Backwards over Christmas 2026.
        (date(2026, 12, 29), -1, date(2026, 12, 24), "backwards over Christmas"),
        (date(2027, 1, 7), -5, date(2026, 12, 30), "five back over New Year"),
        (date(2027, 1, 7), -10, date(2026, 12, 21), "ten back over Christmas"),
    ],
)
def test_add_working_days(start: date, days: int, expected: date, why: str) -> None:
    assert add_working_days(start, days) == expected, why


def test_substitute_days_are_bank_holidays() -> None:
    assert not is_working_day(date(2026, 12, 28))
    assert "Boxing Day" in bank_holiday_name(date(2026, 12, 28))
    assert not is_working_day(date(2027, 12, 27))
    assert not is_working_day(date(2027, 12, 28))
    assert bank_holiday_name(date(2026, 12, 29)) == ""
    assert is_working_day(date(2026, 12, 29))
    # Scotland's 2 January is not a holiday in England.
    assert is_working_day(date(2026, 1, 2))


def test_bank_holidays_span_and_cache() -> None:
    days = bank_holidays(2026, 2027)
    assert date(2026, 5, 25) in days and date(2027, 3, 29) in days
    # Eight a year in England, counting a substitute day instead of a weekend one.
    assert len({d for d in days if d.weekday() < 5}) == 16
    assert bank_holidays(2026, 2027) is days  # cached


def test_working_days_between_examples() -> None:
    # After Thu 24 Dec 2026 up to and including Thu 7 Jan 2027:
    # 29, 30, 31 Dec and 4, 5, 6, 7 Jan.
    assert working_days_between(date(2026, 12, 24), date(2027, 1, 7)) == 7
    assert working_days_between(date(2027, 1, 7), date(2026, 12, 24)) == -7
    assert working_days_between(date(2026, 6, 1), date(2026, 6, 1)) == 0


@settings(max_examples=200, deadline=None)
@given(
    start=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
    days=st.integers(min_value=-120, max_value=120),
)
def test_add_and_between_agree(start: date, days: int) -> None:
    end = add_working_days(start, days)
    assert is_working_day(end) or days == 0
    assert working_days_between(start, end) == days


@settings(max_examples=200, deadline=None)
@given(
    start=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
    span=st.integers(min_value=0, max_value=400),
)
def test_between_matches_counting_day_by_day(start: date, span: int) -> None:
    end = start + timedelta(days=span)
    assert working_days_between(start, end) == brute_force_between(start, end)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 10, 31), 4, date(2027, 2, 28)),
        (date(2027, 10, 31), 4, date(2028, 2, 29)),
        (date(2026, 9, 1), 4, date(2027, 1, 1)),
        (date(2026, 11, 15), 2, date(2027, 1, 15)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
    ],
)
def test_add_months_clamps_to_month_end(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected
