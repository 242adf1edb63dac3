"""The readiness table: each row is one small change to a case that is otherwise ready,
the findings (and severity) it must get, and the same case put right, which is ready.

The first rows are the panel adviser's findings in issue 10, each of which used to
come out "Ready for panel: 0 blockers"; the rest cover every other rule.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from readiness_helpers import (
    TODAY,
    clear_check,
    codes,
    ready_case,
    set_answer,
    set_signatories,
    signatory,
)

from homestudy.forms import FormLibrary
from homestudy.model import (
    Case,
    CheckKind,
    CheckOutcome,
    ContactStatus,
    HouseholdMember,
    HouseholdMemberKind,
    PlaceLived,
    Reference,
    ReferenceKind,
    Stage,
    VisitMode,
)
from homestudy.readiness import Finding, Severity, assess_readiness, is_ready
from homestudy.timeline import TimelineRules

BLOCKER, WARNING = Severity.BLOCKER, Severity.WARNING
Change = Callable[[Case, FormLibrary], object]


def _yn(answer: str, **extra: object) -> dict[str, object]:
    return {"answer": answer, "comment": "", "action": "", "due": "", "done": False, **extra}


def _applicant(case: Case, n: int) -> str:
    return case.applicants[n].id


def _checks_of(case: Case, person: str) -> list:
    return [c for c in case.stage1.checks if c.person_id == person]


def _set_checks(case: Case, **values: object) -> None:
    for check in case.stage1.checks:
        for key, value in values.items():
            setattr(check, key, value)


def _dbs(case: Case) -> list:
    return [c for c in case.stage1.checks if c.kind is CheckKind.DBS]


def _add_member(case: Case, kind: HouseholdMemberKind, born: date | None = None) -> HouseholdMember:
    member = HouseholdMember("Someone", kind, date_of_birth=born, area_since=date(2015, 1, 1))
    case.household.append(member)
    return member


def _member_checked_and_seen(case: Case) -> None:
    member = case.household[-1]
    case.stage1.checks += [
        clear_check(CheckKind.DBS, member.id),
        clear_check(CheckKind.LOCAL_AUTHORITY, member.id),
    ]
    case.visits[0].who_seen.append(member.id)


def _lodger(case: Case, _lib: FormLibrary) -> None:
    _add_member(case, HouseholdMemberKind.LODGER)


def _adult_child_at_home(case: Case, _lib: FormLibrary) -> None:
    _add_member(case, HouseholdMemberKind.BIRTH_CHILD, date(2005, 3, 1))  # 21


def _turns_18_before_panel(case: Case, _lib: FormLibrary) -> None:
    child = _add_member(case, HouseholdMemberKind.BIRTH_CHILD, date(2008, 12, 5))  # 17 today
    case.references.append(
        Reference(
            ReferenceKind.SCHOOL_NURSERY,
            "College",
            person_id=child.id,
            contact_status=ContactStatus.INTERVIEWED,
        )
    )


def _tenants_no_gas_answer(case: Case, _lib: FormLibrary) -> None:
    set_answer(case, "health_safety", "tenure", "tenant")
    case.checklist_answers = [
        a for a in case.checklist_answers if a.question_id != "gas_safety_certificate"
    ]


def _panel_passed(case: Case, lib: FormLibrary) -> None:
    """Panel four days ago, with the papers and signatures all in time for it."""
    case.provisional_panel_date = TODAY - timedelta(days=4)
    case.applicant_copy_shared_on = date(2026, 11, 5)
    set_signatories(
        case,
        lib,
        [signatory("assessor", on=date(2026, 11, 6)), signatory("manager", on=date(2026, 11, 9))],
    )


def _child_never_seen(case: Case, _lib: FormLibrary) -> None:
    child = _add_member(case, HouseholdMemberKind.BIRTH_CHILD, date(2019, 6, 1))
    case.references.append(
        Reference(
            ReferenceKind.SCHOOL_NURSERY,
            "School",
            person_id=child.id,
            contact_status=ContactStatus.WRITTEN_RECEIVED,
        )
    )


def _two_relatives(case: Case, _lib: FormLibrary) -> None:
    case.references[1].kind = ReferenceKind.FAMILY


def _dog_has_bitten(case: Case, _lib: FormLibrary) -> None:
    set_answer(case, "pet_assessment", "bite_history", _yn("yes"), case.animals[0].id)


def _risk_signed_off(case: Case, _lib: FormLibrary) -> None:
    dog = case.animals[0].id
    set_answer(case, "pet_assessment", "risk_assessment", "Kept apart; muzzle on walks.", dog)
    set_answer(case, "pet_assessment", "manager_sign_off_by", "Team manager", dog)
    set_answer(
        case, "pet_assessment", "manager_sign_off_on", (TODAY - timedelta(2)).isoformat(), dog
    )


def _blind_cord_open(case: Case, _lib: FormLibrary) -> None:
    set_answer(
        case, "health_safety", "blind_cords", _yn("no", action="Cleat the cord.", owner="Ben")
    )


def _blind_cord_done(case: Case, _lib: FormLibrary) -> None:
    set_answer(
        case,
        "health_safety",
        "blind_cords",
        _yn(
            "no",
            action="Cleat the cord.",
            owner="Ben",
            done=True,
            done_on=(TODAY - timedelta(days=1)).isoformat(),
        ),
    )


def _future_done_dates(case: Case, _lib: FormLibrary) -> None:
    for v in case.visits[4:]:
        v.done_date = TODAY + timedelta(days=3)


def _all_virtual(case: Case, _lib: FormLibrary) -> None:
    for v in case.visits:
        v.mode = VisitMode.VIRTUAL


def _in_person(case: Case, _lib: FormLibrary) -> None:
    for v in case.visits:
        v.mode = VisitMode.IN_PERSON


def _hs_checked(case: Case, day: date) -> None:
    set_answer(case, "health_safety", "checked_on", day.isoformat())


def _pet_assessed(case: Case, day: date) -> None:
    set_answer(case, "pet_assessment", "assessed_on", day.isoformat(), case.animals[0].id)


def _par_field(case: Case, lib: FormLibrary, field: str, value: object) -> None:
    set_answer(case, lib.par.id, field, value)


def _moved_recently(case: Case, _lib: FormLibrary) -> None:
    a = case.applicants[0]
    a.area_since = TODAY - timedelta(days=150)
    a.places_lived = [
        PlaceLived("Previous Borough", from_date=date(2015, 1, 1), to_date=a.area_since)
    ]


def _abroad_as_adult(case: Case, _lib: FormLibrary) -> None:
    case.applicants[1].places_lived = [
        PlaceLived("Abroad Town", abroad=True, from_date=date(2019, 1, 1), to_date=date(2019, 9, 1))
    ]


@dataclass(frozen=True)
class Row:
    id: str
    change: Change
    expected: tuple[str, ...]  # every finding code the change must give (with repeats)
    severity: Severity  # of the first code
    put_right: Change


def _set(obj_of: Callable[[Case], object], attr: str, value: object) -> Change:
    return lambda case, _lib: setattr(obj_of(case), attr, value)


ROWS = [
    # --- the panel adviser's findings (issue 10), each with its opposite
    Row(
        "both DBS checks pending",
        lambda c, _l: [setattr(x, "outcome", CheckOutcome.PENDING) for x in _dbs(c)],
        ("statutory_check_pending",) * 2,
        BLOCKER,
        lambda c, _l: [setattr(x, "outcome", CheckOutcome.CLEAR) for x in _dbs(c)],
    ),
    Row(
        "no statutory checks at all",
        lambda c, _l: setattr(c.stage1, "checks", []),
        ("statutory_check_missing",) * 4,
        BLOCKER,
        lambda c, _l: setattr(
            c.stage1,
            "checks",
            [
                clear_check(k, a.id)
                for a in c.applicants
                for k in (CheckKind.DBS, CheckKind.LOCAL_AUTHORITY)
            ],
        ),
    ),
    Row(
        "an adult lodger with no checks",
        _lodger,
        ("statutory_check_missing", "statutory_check_missing", "household_adult_not_seen"),
        BLOCKER,
        lambda c, _l: _member_checked_and_seen(c),
    ),
    Row(
        "matching fields blank",
        lambda c, lib: [
            set_answer(c, lib.par.id, f, None)
            for f in ("number_of_children", "age_from", "age_to", "gender")
        ],
        ("par_field_missing",) * 4,
        BLOCKER,
        lambda c, lib: [
            set_answer(c, lib.par.id, f, v)
            for f, v in (
                ("number_of_children", 1),
                ("age_from", 0),
                ("age_to", 4),
                ("gender", "either"),
            )
        ],
    ),
    Row(
        "recommendation field blank",
        lambda c, lib: _par_field(c, lib, "recommended_outcome", ""),
        ("par_field_missing",),
        BLOCKER,
        lambda c, lib: _par_field(c, lib, "recommended_outcome", "approve"),
    ),
    Row(
        "nothing signed",
        lambda c, lib: set_signatories(c, lib, []),
        ("par_signature_missing",) * 2,
        BLOCKER,
        lambda c, lib: set_signatories(c, lib, [signatory("manager"), signatory("assessor")]),
    ),
    Row(
        "no manager's countersignature",
        lambda c, lib: set_signatories(
            c, lib, [signatory("assessor"), signatory("manager", name=" ")]
        ),
        ("par_signature_missing",),
        BLOCKER,
        lambda c, lib: set_signatories(c, lib, [signatory("assessor"), signatory("manager")]),
    ),
    Row(
        "no preparation training",
        _set(lambda c: c.stage1, "training_completed_on", None),
        ("preparation_training_missing",),
        BLOCKER,
        _set(lambda c: c.stage1, "training_completed_on", date(2026, 4, 1)),
    ),
    Row(
        "no medical adviser's summary",
        _set(lambda c: c.stage1, "medical_adviser_summary", " "),
        ("medical_summary_missing",),
        BLOCKER,
        _set(lambda c: c.stage1, "medical_adviser_summary", "Fit to adopt."),
    ),
    Row(
        "two of three personal referees are relatives",
        _two_relatives,
        ("family_referees_too_many",),
        BLOCKER,
        lambda c, _l: c.references.append(
            Reference(
                ReferenceKind.PERSONAL,
                "Fourth",
                years_known=6,
                contact_status=ContactStatus.INTERVIEWED,
            )
        ),
    ),
    Row(
        "the dog has bitten a child",
        _dog_has_bitten,
        ("animal_bite_history",),
        BLOCKER,
        _risk_signed_off,
    ),
    Row(
        "an unfixed blind cord",
        _blind_cord_open,
        ("health_safety_action_open",),
        BLOCKER,
        _blind_cord_done,
    ),
    Row(
        "visits done on future dates",
        _future_done_dates,
        (
            "visits_too_few",
            "home_visit_not_in_person",
            "visit_done_in_future",
            "visit_done_in_future",
        ),
        BLOCKER,
        # each on its own day: visits on the same day count as one
        lambda c, _l: [
            setattr(v, "done_date", TODAY - timedelta(days=v.sequence)) for v in c.visits
        ],
    ),
    Row(
        "six visits, all virtual",
        _all_virtual,
        ("applicant_not_seen_alone_in_person",) * 2 + ("home_visit_not_in_person",),
        BLOCKER,
        _in_person,
    ),
    Row(
        "a child of the household never seen",
        _child_never_seen,
        ("household_child_not_seen",),
        BLOCKER,
        lambda c, _l: c.visits[4].who_seen.append(c.household[-1].id),
    ),
    Row(
        "a health and safety check three years old",
        lambda c, _l: _hs_checked(c, TODAY - timedelta(days=3 * 365)),
        ("health_safety_out_of_date",),
        BLOCKER,
        lambda c, _l: _hs_checked(c, TODAY - timedelta(days=20)),
    ),
    Row(
        "a case still at Stage 1",
        _set(lambda c: c, "stage", Stage.STAGE_1),
        ("not_in_stage2",),
        BLOCKER,
        _set(lambda c: c, "stage", Stage.STAGE_2),
    ),
    Row(
        "the provisional panel date passed with nothing recorded",
        _panel_passed,
        ("panel_date_passed",),
        WARNING,
        _set(lambda c: c, "stage", Stage.DECISION),
    ),
    Row(
        "a plain Analysis: marker with nothing after it",
        lambda c, _l: setattr(c.section("health"), "text", "Evidence.\n\nAnalysis:  "),
        ("par_analysis_missing",),
        BLOCKER,
        lambda c, _l: setattr(c.section("health"), "text", "Evidence.\n\nAnalysis: it shows."),
    ),
    Row(
        "no family referee is agency policy: a warning",
        lambda c, _l: setattr(c.references[2], "kind", ReferenceKind.PERSONAL),
        ("family_referee_missing",),
        WARNING,
        lambda c, _l: setattr(c.references[2], "kind", ReferenceKind.FAMILY),
    ),
    # --- statutory checks per person
    Row(
        "one applicant's DBS pending",
        lambda c, _l: setattr(_dbs(c)[1], "outcome", CheckOutcome.PENDING),
        ("statutory_check_pending",),
        BLOCKER,
        lambda c, _l: setattr(_dbs(c)[1], "outcome", CheckOutcome.INFORMATION_DISCLOSED),
    ),
    Row(
        "a result the manager has not considered",
        lambda c, _l: setattr(_dbs(c)[0], "considered_by", ""),
        ("statutory_check_not_considered",),
        BLOCKER,
        lambda c, _l: setattr(_dbs(c)[0], "considered_by", "Team manager"),
    ),
    Row(
        "a result with no date",
        lambda c, _l: setattr(_dbs(c)[0], "completed_on", None),
        ("statutory_check_undated",),
        BLOCKER,
        lambda c, _l: setattr(_dbs(c)[0], "completed_on", date(2026, 2, 1)),
    ),
    Row(
        "moved into the area five months ago",
        _moved_recently,
        ("statutory_check_missing",),
        BLOCKER,
        lambda c, _l: c.stage1.checks.append(
            clear_check(CheckKind.PREVIOUS_LOCAL_AUTHORITY, c.applicants[0].id, "previous borough")
        ),
    ),
    Row(
        "eight months abroad as an adult",
        _abroad_as_adult,
        ("statutory_check_missing",),
        BLOCKER,
        lambda c, _l: c.stage1.checks.append(
            clear_check(CheckKind.OVERSEAS_POLICE, c.applicants[1].id)
        ),
    ),
    Row(
        "an adult child living at home",
        _adult_child_at_home,
        ("statutory_check_missing", "statutory_check_missing", "household_adult_not_seen"),
        BLOCKER,
        lambda c, _l: _member_checked_and_seen(c),
    ),
    Row(
        "a child who turns 18 before panel",
        _turns_18_before_panel,
        ("statutory_check_missing", "statutory_check_missing", "household_adult_not_seen"),
        BLOCKER,
        lambda c, _l: _member_checked_and_seen(c),
    ),
    Row(
        "a check linked to nobody",
        lambda c, _l: c.stage1.checks.append(clear_check(CheckKind.PROBATION, "")),
        ("statutory_check_unassigned",),
        WARNING,
        lambda c, _l: setattr(c.stage1.checks[-1], "person_id", c.applicants[0].id),
    ),
    Row(
        "no area-since date",
        _set(lambda c: c.applicants[0], "area_since", None),
        ("area_since_missing",),
        WARNING,
        _set(lambda c: c.applicants[0], "area_since", date(2010, 1, 1)),
    ),
    Row(
        "training completed only in the future",
        _set(lambda c: c.stage1, "training_completed_on", TODAY + timedelta(days=9)),
        ("preparation_training_missing",),
        BLOCKER,
        _set(lambda c: c.stage1, "training_completed_on", TODAY),
    ),
    # --- referees
    Row(
        "a personal referee only requested",
        _set(lambda c: c.references[1], "contact_status", ContactStatus.REQUESTED),
        ("personal_referees_too_few", "couple_referees_too_few"),
        BLOCKER,
        _set(lambda c: c.references[1], "contact_status", ContactStatus.INTERVIEWED),
    ),
    Row(
        "an employer reference only requested",
        _set(lambda c: c.references[3], "contact_status", ContactStatus.REQUESTED),
        ("employer_reference_missing",),
        BLOCKER,
        _set(lambda c: c.references[3], "contact_status", ContactStatus.WRITTEN_RECEIVED),
    ),
    Row(
        "an ex-partner asked but not replied",
        _set(lambda c: c.references[5], "contact_status", ContactStatus.REQUESTED),
        ("ex_partner_no_reply",),
        BLOCKER,
        _set(lambda c: c.references[5], "contact_status", ContactStatus.DECLINED),
    ),
    Row(
        "no referee known five years",
        lambda c, _l: [setattr(c.references[n], "years_known", 4) for n in (0, 2)],
        ("long_acquaintance_missing",),
        BLOCKER,
        _set(lambda c: c.references[0], "years_known", 5),
    ),
    Row(
        "one referee knows them as a couple",
        _set(lambda c: c.references[1], "knows_as_couple", False),
        ("couple_referees_too_few",),
        BLOCKER,
        _set(lambda c: c.references[1], "knows_as_couple", True),
    ),
    # --- visits
    Row(
        "an applicant never seen alone",
        lambda c, _l: c.visits[2].who_seen.append("x"),
        ("applicant_not_seen_alone",),
        BLOCKER,
        lambda c, _l: c.visits[2].who_seen.remove("x"),
    ),
    Row(
        "the home seen only by video",
        _set(lambda c: c.visits[4], "mode", VisitMode.VIRTUAL),
        ("home_visit_not_in_person",),
        BLOCKER,
        _set(lambda c: c.visits[4], "mode", VisitMode.IN_PERSON),
    ),
    Row(
        "no midway review",
        lambda c, _l: setattr(c.visits[3], "topics", ["relationship"]),
        ("midway_review_missing",),
        BLOCKER,
        lambda c, _l: c.visits[3].topics.append("midway_review"),
    ),
    Row(
        "five visits done",
        _set(lambda c: c.visits[5], "done_date", None),
        ("visits_too_few",),
        BLOCKER,
        _set(lambda c: c.visits[5], "done_date", TODAY),
    ),
    # --- animals
    Row(
        "a pet assessment 13 months old",
        lambda c, _l: _pet_assessed(c, TODAY - timedelta(days=400)),
        ("pet_assessment_out_of_date",),
        BLOCKER,
        lambda c, _l: _pet_assessed(c, TODAY - timedelta(days=10)),
    ),
    Row(
        "a breed written 'Bully, XL'",
        _set(lambda c: c.animals[0], "breed", "Bully, XL"),
        ("banned_breed",),
        BLOCKER,
        _set(lambda c: c.animals[0], "breed", "Labrador"),
    ),
    Row(
        "the worker judges the dog a prohibited type",
        lambda c, _l: set_answer(
            c, "pet_assessment", "dog_type_judgement", _yn("yes"), c.animals[0].id
        ),
        ("banned_type_suspected",),
        BLOCKER,
        lambda c, _l: set_answer(
            c, "pet_assessment", "dog_type_judgement", _yn("no"), c.animals[0].id
        ),
    ),
    Row(
        "rated high risk, not signed off",
        lambda c, _l: set_answer(c, "pet_assessment", "risk_rating", "high", c.animals[0].id),
        ("animal_risk_not_signed_off",),
        BLOCKER,
        _risk_signed_off,
    ),
    Row(
        "the form calls the dog a cat",
        lambda c, _l: set_answer(c, "pet_assessment", "species", "cat", c.animals[0].id),
        ("animal_species_differs",),
        BLOCKER,
        lambda c, _l: set_answer(c, "pet_assessment", "species", "dog", c.animals[0].id),
    ),
    # --- health and safety
    Row(
        "an action done with no date",
        lambda c, _l: set_answer(c, "health_safety", "blind_cords", _yn("no", done=True)),
        ("health_safety_action_undated",),
        WARNING,
        _blind_cord_done,
    ),
    Row(
        "not gone through with the applicants",
        lambda c, _l: set_answer(c, "health_safety", "gone_through_on", ""),
        ("health_safety_incomplete",),
        BLOCKER,
        lambda c, _l: set_answer(c, "health_safety", "gone_through_on", TODAY.isoformat()),
    ),
    Row(
        "tenants with no gas safety certificate answer",
        _tenants_no_gas_answer,
        ("health_safety_incomplete",),
        BLOCKER,
        lambda c, _l: c.checklist_answers.append(
            type(c.checklist_answers[0])("health_safety", 2, "gas_safety_certificate", _yn("yes"))
        ),
    ),
    Row(
        "smoking in the home is not a safety action",
        lambda c, _l: set_answer(c, "health_safety", "smoke_free_home", _yn("yes")),
        (),
        BLOCKER,
        lambda c, _l: set_answer(c, "health_safety", "smoke_free_home", _yn("no")),
    ),
    # --- the clock and the panel date
    Row(
        "shared too late for the comments before the papers go",
        _set(lambda c: c, "applicant_copy_shared_on", date(2026, 11, 27)),
        ("applicant_copy_late",),
        BLOCKER,
        _set(lambda c: c, "applicant_copy_shared_on", date(2026, 11, 24)),
    ),
    Row(
        "a panel date past the Stage 2 decision date",
        _set(lambda c: c, "stage2_notice_on", date(2026, 8, 14)),
        ("panel_after_stage2",),
        WARNING,
        _set(lambda c: c, "stage2_notice_on", date(2026, 8, 31)),
    ),
    Row(
        "a panel date on a Saturday",
        _set(lambda c: c, "provisional_panel_date", date(2026, 12, 12)),
        ("panel_not_working_day",),
        WARNING,
        _set(lambda c: c, "provisional_panel_date", date(2026, 12, 11)),
    ),
    Row(
        "a case closed",
        _set(lambda c: c, "stage", Stage.CLOSED),
        ("not_in_stage2",),
        BLOCKER,
        _set(lambda c: c, "stage", Stage.PANEL),
    ),
]


def _assess(case: Case, lib: FormLibrary) -> list[Finding]:
    return assess_readiness(case, lib, TimelineRules(), TODAY)


def test_the_table_is_big_enough() -> None:
    assert len(ROWS) >= 40
    assert len({r.id for r in ROWS}) == len(ROWS)


@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_the_change_gets_its_findings(row: Row, lib: FormLibrary) -> None:
    case = ready_case(lib)
    assert _assess(case, lib) == []
    row.change(case, lib)
    findings = _assess(case, lib)
    assert Counter(codes(findings)) == Counter(row.expected), codes(findings)
    if row.expected:
        first = next(f for f in findings if f.code == row.expected[0])
        assert first.severity is row.severity
        assert is_ready(findings) is (row.severity is not BLOCKER)
        for f in findings:  # plain words, and never a name from the case
            assert f.message[0].isupper() and f.message.endswith(".")
            assert "Example" not in f.message and "Someone" not in f.message


@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_the_same_case_put_right_is_ready(row: Row, lib: FormLibrary) -> None:
    case = ready_case(lib)
    row.change(case, lib)
    row.put_right(case, lib)
    assert _assess(case, lib) == []
