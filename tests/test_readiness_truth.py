"""Readiness says "ready for panel" only when it is true: no panel date does not excuse
the applicants' copy, a date still to come is not a thing done, and nothing is counted
twice or for the wrong stage or person."""

from __future__ import annotations

from datetime import date

import pytest
from readiness_helpers import TODAY, codes, ready_case

from homestudy.forms import FormLibrary, load_library
from homestudy.model import Case
from homestudy.readiness import Finding, FixAt, Severity, assess_readiness, is_ready
from homestudy.timeline import TimelineRules

RULES = TimelineRules()


@pytest.fixture(scope="module")
def lib() -> FormLibrary:
    return load_library()


@pytest.fixture
def case(lib: FormLibrary) -> Case:
    return ready_case(lib)


def assess(case: Case, lib: FormLibrary, today: date = TODAY) -> list[Finding]:
    return assess_readiness(case, lib, RULES, today)


def only(findings: list[Finding], code: str) -> Finding:
    hits = [f for f in findings if f.code == code]
    assert len(hits) == 1, codes(findings)
    return hits[0]


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
    f = only(assess(case, lib), "applicant_comments_open")
    assert f.severity is Severity.BLOCKER
    assert "2 Dec 2026" in f.message
    # once the period is over, only the missing panel date is left (a warning)
    later = assess(case, lib, today=date(2026, 12, 3))
    assert is_ready(later) and "applicant_comments_open" not in codes(later)
