"""Readiness says "ready for panel" only when it is true: no panel date does not excuse
the applicants' copy, a date still to come is not a thing done, and nothing is counted
twice or for the wrong stage or person."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, time, timedelta

import pytest
from readiness_helpers import (
    TODAY,
    assess,
    codes,
    only,
    ready_case_fixture,  # noqa: F401 (the case fixture)
    set_answer,
    set_signatories,
    signatory,
)

from homestudy.forms import FormLibrary
from homestudy.model import (
    Case,
    ContactStatus,
    HouseholdMember,
    HouseholdMemberKind,
    ReferenceKind,
)
from homestudy.readiness import FixAt, Severity, is_ready
from homestudy.timeline import TimelineRules

RULES = TimelineRules()


# ------------------------------------------------------------ the applicants' copy


def test_no_panel_date_and_never_shared_blocks(case: Case, lib: FormLibrary) -> None:
    case.provisional_panel_date = None
    case.applicant_copy_shared_on = None
    findings = assess(case, lib)
    f = only(findings, "applicant_copy_not_given")
    assert f.severity is Severity.BLOCKER and not is_ready(findings)
    assert f.fix_at == FixAt("case", "applicant_copy_shared_on")
    assert "5 working days" in f.message


def test_no_panel_date_while_the_comment_period_runs_blocks(case: Case, lib: FormLibrary) -> None:
    case.provisional_panel_date = None
    case.applicant_copy_shared_on = date(2026, 11, 25)  # Wed: five working days end Wed 2 Dec
    f = only(assess(case, lib), "applicant_copy_comments_open")
    assert f.severity is Severity.BLOCKER
    assert "2 Dec 2026" in f.message
    # once the period is over, only the missing panel date is left (a warning)
    later = assess(case, lib, today=date(2026, 12, 3))
    assert is_ready(later) and "applicant_copy_comments_open" not in codes(later)


def test_with_no_panel_date_the_panel_copy_is_incomplete_not_the_applicants(
    case: Case, lib: FormLibrary
) -> None:
    """Sharing the applicants' copy (and their comment period) is not missing work in
    that very copy; the panel's copy must say the case is not ready."""
    from homestudy.exports import ExportInputs, blockers_for

    case.provisional_panel_date = None
    case.applicant_copy_shared_on = None
    inputs = ExportInputs(case, lib, RULES, 1)
    assert codes(blockers_for(inputs, "panel", TODAY)) == ["applicant_copy_not_given"]
    assert blockers_for(inputs, "applicant", TODAY) == []
    case.applicant_copy_shared_on = TODAY
    assert codes(blockers_for(inputs, "panel", TODAY)) == ["applicant_copy_comments_open"]
    assert blockers_for(inputs, "applicant", TODAY) == []


# ------------------------------------------------------------ dates that cannot be right


def test_health_and_safety_dated_in_the_future_is_not_done(case: Case, lib: FormLibrary) -> None:
    set_answer(case, "health_safety", "checked_on", (TODAY + timedelta(days=30)).isoformat())
    f = only(assess(case, lib), "health_safety_date_future")
    assert f.severity is Severity.BLOCKER
    assert f.fix_at == FixAt("checklists", "health_safety/checked_on")


def test_pet_assessment_dated_in_the_future_is_not_done(case: Case, lib: FormLibrary) -> None:
    dog = case.animals[0]
    set_answer(
        case, "pet_assessment", "assessed_on", (TODAY + timedelta(days=30)).isoformat(), dog.id
    )
    f = only(assess(case, lib), "pet_assessment_date_future")
    assert f.severity is Severity.BLOCKER
    assert f.fix_at == FixAt("checklists", f"pet_assessment/{dog.id}/assessed_on")


def test_an_interview_dated_still_to_come_does_not_count(case: Case, lib: FormLibrary) -> None:
    personal = [r for r in case.references if r.kind is ReferenceKind.PERSONAL]
    personal[0].interview_date = TODAY + timedelta(days=20)
    findings = assess(case, lib)
    f = only(findings, "referee_interview_in_future")
    assert f.fix_at == FixAt("references", personal[0].id)
    assert "personal_referees_too_few" in codes(findings) and not is_ready(findings)
    personal[0].interview_date = TODAY - timedelta(days=20)
    assert is_ready(assess(case, lib))


def test_a_signature_from_before_stage2_is_not_of_this_report(case: Case, lib: FormLibrary) -> None:
    set_signatories(case, lib, [signatory("assessor", on=date(2020, 1, 1)), signatory("manager")])
    f = only(assess(case, lib), "par_signature_before_stage2")
    assert f.severity is Severity.BLOCKER
    assert f.fix_at == FixAt("par", "signatures/signatories")
    assert "1 Jan 2020" in f.message and "1 Sep 2026" in f.message


def test_a_signature_older_than_the_last_edit_must_be_renewed(case: Case, lib: FormLibrary) -> None:
    signed = TODAY - timedelta(days=3)
    case.section("health").last_edited = datetime.combine(signed, time(12), tzinfo=UTC)
    assert is_ready(assess(case, lib))  # edited the day it was signed: cannot tell
    case.section("health").last_edited += timedelta(days=1)
    findings = assess(case, lib)
    assert codes(findings).count("par_signature_before_edit") == 2  # worker and manager
    assert not is_ready(findings)


@pytest.mark.parametrize(
    ("requested", "completed", "words"),
    [
        (date(2014, 12, 1), date(2015, 1, 1), "before this application began on 12 Jan 2026"),
        (date(2026, 6, 1), date(2026, 2, 20), "before it was requested on 1 Jun 2026"),
    ],
)
def test_a_check_dated_before_it_could_have_been_done(
    case: Case, lib: FormLibrary, requested: date, completed: date, words: str
) -> None:
    check = case.stage1.checks[0]
    check.requested_on, check.completed_on = requested, completed
    f = only(assess(case, lib), "statutory_check_undated")
    assert f.severity is Severity.BLOCKER and words in f.message
    assert f.fix_at == FixAt("case", check.id)


def test_the_same_referee_entered_twice_counts_once(case: Case, lib: FormLibrary) -> None:
    one, two = (r for r in case.references if r.kind is ReferenceKind.PERSONAL)
    two.contact_status = ContactStatus.REQUESTED
    repeat = copy.deepcopy(one)
    repeat.id, repeat.referee_name = "repeat", " referee  ONE."
    case.references.append(repeat)
    findings = assess(case, lib)
    assert only(findings, "referee_entered_twice").fix_at == FixAt("references", "repeat")
    assert "personal_referees_too_few" in codes(findings) and not is_ready(findings)


# ------------------------------------------------------------ what is counted


def test_visits_before_stage2_do_not_count(case: Case, lib: FormLibrary) -> None:
    first = case.visits[0]
    first.done_date = date(2026, 8, 20)  # Stage 2 began on 1 Sep
    findings = assess(case, lib)
    f = only(findings, "visit_before_stage2")
    assert f.severity is Severity.WARNING and f.fix_at == FixAt("visits", first.id)
    assert only(findings, "visits_too_few").message == "Visits done: 5 of the at least 6 needed."


def test_visits_on_the_same_day_count_once(case: Case, lib: FormLibrary) -> None:
    case.visits[1].done_date = case.visits[0].done_date
    f = only(assess(case, lib), "visits_too_few")
    assert f.message == (
        "Visits done: 5 of the at least 6 needed (visits on the same day count as one)."
    )


def test_an_unlinked_employer_reference_covers_neither_applicant(
    case: Case, lib: FormLibrary
) -> None:
    employers = [r for r in case.references if r.kind is ReferenceKind.EMPLOYER]
    case.references.remove(employers[1])
    employers[0].applicant_ids = []
    findings = assess(case, lib)
    f = only(findings, "employer_reference_unlinked")
    assert f.severity is Severity.WARNING and f.fix_at == FixAt("references", employers[0].id)
    assert codes(findings).count("employer_reference_missing") == 2
    # one applicant alone: their employer's reference need not name them
    case.applicants = case.applicants[:1]
    assert "employer_reference_missing" not in codes(assess(case, lib))


def test_a_child_at_home_with_no_date_of_birth_is_asked_for_it(
    case: Case, lib: FormLibrary
) -> None:
    child = HouseholdMember("Kid", HouseholdMemberKind.BIRTH_CHILD, area_since=date(2005, 1, 1))
    case.household.append(child)
    case.visits[4].who_seen.append(child.id)
    findings = assess(case, lib)
    f = only(findings, "household_child_birth_date_missing")
    assert f.severity is Severity.BLOCKER and f.fix_at == FixAt("case", child.id)
    assert f.message.startswith("Household member 2 (a birth child) lives in the household")
    assert "school_reference_missing" in codes(findings)  # age unknown: ask the school


@pytest.mark.parametrize("summary", ["-", " . ", "\u2014"])
def test_a_medical_summary_of_only_a_mark_is_not_recorded(
    case: Case, lib: FormLibrary, summary: str
) -> None:
    case.stage1.medical_adviser_summary = summary
    assert only(assess(case, lib), "medical_summary_missing").severity is Severity.BLOCKER


def test_an_adult_birth_child_living_away_is_asked_about(case: Case, lib: FormLibrary) -> None:
    son = HouseholdMember(
        "Son",
        HouseholdMemberKind.BIRTH_CHILD,
        date_of_birth=date(1995, 1, 1),
        lives_in_household=False,
    )
    case.household.append(son)
    f = only(assess(case, lib), "adult_child_recorded_as_child")
    assert f.severity is Severity.BLOCKER and f.fix_at == FixAt("case", son.id)
    assert f.message.startswith("Household member 2 (a birth child) lives away from home")
    son.date_of_birth = date(2012, 1, 1)  # a child living away (with the other parent)
    assert is_ready(assess(case, lib))
