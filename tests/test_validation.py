"""Dates as people type them, and the dates the repository refuses (homestudy.validation)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from homestudy.errors import ValidationError
from homestudy.model import Applicant, Reference, ReferenceKind, Visit
from homestudy.textutil import format_date
from homestudy.validation import DateKind, date_problem, parse_date_text

TODAY = date(2026, 12, 2)


@pytest.mark.parametrize(
    "text",
    [
        "14/03/1986",
        "14/3/1986",
        "14 Mar 1986",
        "14 mar 1986",
        "14 March 1986",
        "14 MARCH 1986",
        "14031986",
        "14Mar1986",
        "14-03-1986",
        "14.03.1986",
        "1986-03-14",
        "14th March 1986",
        "  14 / 03 / 1986 ",
        "14/03/86",
        "140386",
        "19860314",
    ],
)
def test_the_forms_people_type_mean_the_same_day(text: str) -> None:
    assert parse_date_text(text, TODAY) == date(1986, 3, 14)


def test_sept_and_two_digit_years_near_today() -> None:
    assert parse_date_text("3 Sept 2026", TODAY) == date(2026, 9, 3)
    assert parse_date_text("1/2/30", TODAY) == date(2030, 2, 1)  # within ten years ahead
    assert parse_date_text("1/2/40", TODAY) == date(1940, 2, 1)


@pytest.mark.parametrize(
    "text", ["03/14/1986", "31/02/2026", "14 Marchh 1986", "hello", "1403", "14/03", "32/01/2026"]
)
def test_what_is_not_a_date_gets_a_plain_message(text: str) -> None:
    with pytest.raises(ValueError) as raised:
        parse_date_text(text, TODAY)
    assert "14/03/1986" in str(raised.value)  # says how to write one


def test_empty_is_no_date_and_far_years_are_refused() -> None:
    assert parse_date_text("   ", TODAY) is None
    with pytest.raises(ValueError, match="1850"):
        parse_date_text("1/1/1850", TODAY)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_what_the_app_shows_reads_back(value: date) -> None:
    assert parse_date_text(format_date(value), TODAY) == value
    assert parse_date_text(value.isoformat(), TODAY) == value
    assert parse_date_text(value.strftime("%d/%m/%Y"), TODAY) == value


def test_rules_per_kind() -> None:
    tomorrow = TODAY + timedelta(days=1)
    assert date_problem(DateKind.BIRTH, tomorrow, TODAY) == "A date of birth cannot be after today."
    assert "after today" in date_problem(DateKind.DONE, tomorrow, TODAY, "The visit")
    assert date_problem(DateKind.DONE, TODAY, TODAY) == ""
    assert date_problem(DateKind.DUE, tomorrow, TODAY) == ""
    assert date_problem(DateKind.ANY, None, TODAY) == ""
    assert "1899" in date_problem(DateKind.ANY, date(1899, 12, 31), TODAY)


def test_the_repository_refuses_a_visit_done_in_the_future(demo_vault) -> None:
    (summary,) = demo_vault.cases.list_cases()
    case = demo_vault.cases.load_case(summary.id)
    visit = case.visits[-1]
    visit.done_date = date.today() + timedelta(days=3)
    with pytest.raises(ValidationError) as raised:
        demo_vault.cases.save_visit(case.id, visit)
    assert raised.value.field == "done_date"
    assert "has not happened yet" in raised.value.message
    assert demo_vault.cases.load_case(case.id).visits[-1].done_date != visit.done_date
    with pytest.raises(ValidationError):
        demo_vault.cases.save_case(case)  # the whole case is checked too
    visit.done_date = date.today()
    demo_vault.cases.save_visit(case.id, visit)  # today is fine
    assert demo_vault.cases.load_case(case.id).visits[-1].done_date == date.today()


def test_births_and_received_dates_after_today_are_refused(demo_vault) -> None:
    (summary,) = demo_vault.cases.list_cases()
    case = demo_vault.cases.load_case(summary.id)
    case.applicants[0].date_of_birth = date.today() + timedelta(days=1)
    with pytest.raises(ValidationError, match="date of birth"):
        demo_vault.cases.save_case(case)
    ref = Reference(
        ReferenceKind.PERSONAL, "A Referee", written_received_on=date.today() + timedelta(days=10)
    )
    with pytest.raises(ValidationError, match="written reference"):
        demo_vault.cases.save_reference(case.id, ref)


def test_a_stored_mistake_does_not_block_other_edits(vault) -> None:
    """A case that arrived with an impossible date (an agency typo) can still be edited."""
    from homestudy.model import Case

    case = Case(reference="HS-TYPO", applicants=[Applicant("Ann", "Smith")])
    vault.cases.save_case(case)
    future = date.today() + timedelta(days=400)
    with vault.writing(case.id) as conn:  # as if written by an older version or a sync
        from homestudy.vault import records

        core = records.case_core(case)
        core["applicants"][0]["date_of_birth"] = future.isoformat()
        conn.execute("UPDATE cases SET data = ? WHERE id = ?", (records.dumps(core), case.id))
    stored = vault.cases.load_case(case.id)
    assert stored.applicants[0].date_of_birth == future
    stored.assessor_name = "Sam Patel"
    vault.cases.save_case(stored)  # the old mistake is kept, the new edit saved
    assert vault.cases.load_case(case.id).assessor_name == "Sam Patel"
    stored.applicants[0].date_of_birth = future + timedelta(days=1)  # but not a new one
    with pytest.raises(ValidationError):
        vault.cases.save_case(stored)
    visit = Visit(1, "First visit", done_date=date.today())
    vault.cases.save_visit(case.id, visit)
