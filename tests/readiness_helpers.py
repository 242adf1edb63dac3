"""A case that is ready for panel, built against the real form library, for the
readiness tests to break one rule at a time."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from homestudy.forms import FormDefinition, FormLibrary, Question, QuestionType
from homestudy.model import (
    Animal,
    Applicant,
    Case,
    CheckKind,
    ChecklistAnswer,
    CheckOutcome,
    ContactStatus,
    HouseholdMember,
    HouseholdMemberKind,
    LineOfEnquiry,
    Reference,
    ReferenceKind,
    SectionStatus,
    SignificantOther,
    Stage,
    StatutoryCheck,
    Visit,
)

TODAY = date(2026, 11, 30)  # a Monday
PANEL = date(2026, 12, 10)  # provisional, a Thursday: papers go out Thursday 3 Dec
SHARED = date(2026, 11, 25)  # the last day that leaves 5 working days before 3 Dec
#: Answers a ready case gives where the first safe-looking answer would not be safe.
SAFE_ANSWERS = {"bite_history": "no", "dog_type_judgement": "no"}
#: Left unanswered in a ready case: nothing calls for them.
UNANSWERED = {"risk_assessment", "manager_sign_off_by", "manager_sign_off_on"}


def sample_value(q: Question) -> Any:
    """An answer that fills ``q`` without raising an action or a list flag."""
    t = q.type
    if t is QuestionType.YES_NO_NA:
        answer = SAFE_ANSWERS.get(q.id) or next(
            v for v in ("yes", "not_applicable", "no") if v not in q.action_when
        )
        return {"answer": answer, "comment": "", "action": "", "due": "", "done": False}
    if t in (QuestionType.TEXT, QuestionType.NARRATIVE):
        return "Labrador Retriever" if q.not_in_list else "Recorded."
    if t is QuestionType.CHOICE:
        return q.choices[0].id
    if t is QuestionType.MULTI_CHOICE:
        return [q.choices[0].id]
    if t is QuestionType.DATE:
        return (TODAY - timedelta(days=14)).isoformat()  # done before any test's today
    if t is QuestionType.NUMBER:
        return q.min_value if q.min_value is not None else 1
    raise AssertionError(f"no sample for {t}")


def fill_form(form: FormDefinition, subject_id: str = "") -> list[ChecklistAnswer]:
    answers = []
    for q in form.questions:
        if q.id in UNANSWERED:
            continue
        if q.type is QuestionType.TABLE:
            rows = max(1, q.min_rows)
            for row in range(rows):
                value = {}
                for c in q.columns:
                    v = sample_value(c)
                    value[c.id] = v["answer"] if isinstance(v, dict) else v
                answers.append(ChecklistAnswer(form.id, form.version, q.id, value, subject_id, row))
            continue
        answers.append(ChecklistAnswer(form.id, form.version, q.id, sample_value(q), subject_id))
    return answers


def clear_check(kind: CheckKind, person_id: str, place: str = "") -> StatutoryCheck:
    return StatutoryCheck(
        kind,
        "",
        person_id=person_id,
        outcome=CheckOutcome.CLEAR,
        requested_on=date(2026, 1, 20),
        completed_on=date(2026, 2, 20),
        place=place,
        considered_by="Team manager",
        considered_on=date(2026, 2, 27),
    )


def signatory(role: str, name: str = "Signed Name", on: date | None = None) -> dict[str, Any]:
    return {"role": role, "name": name, "signed_on": (on or TODAY - timedelta(days=3)).isoformat()}


def set_signatories(case: Case, lib: FormLibrary, rows: list[dict[str, Any]]) -> None:
    par = lib.get(lib.par.id)
    case.checklist_answers = [
        a
        for a in case.checklist_answers
        if not (a.form_id == par.id and a.question_id == "signatories")
    ]
    case.checklist_answers += [
        ChecklistAnswer(par.id, par.version, "signatories", row, "", n)
        for n, row in enumerate(rows)
    ]


def ready_case(lib: FormLibrary) -> Case:
    a1 = Applicant("Ann", "Example", area_since=date(2012, 5, 1))
    a2 = Applicant("Ben", "Example", area_since=date(2012, 5, 1))
    adult_child = HouseholdMember(
        "Cal Example", HouseholdMemberKind.ADULT_CHILD_AWAY, lives_in_household=False
    )
    ex = SignificantOther("Dee Former", applicant_id=a2.id, had_children_together=True)
    dog = Animal("Rex", "dog", breed="Labrador Retriever", age_years=4)
    loe = LineOfEnquiry("Explore the thing Stage 1 found.", par_section_ids=["health"])
    case = Case(
        reference="HS-READY-1",
        stage=Stage.STAGE_2,
        stage1_started_on=date(2026, 1, 12),
        stage1_ended_on=date(2026, 3, 12),
        stage2_notice_on=date(2026, 9, 1),
        provisional_panel_date=PANEL,
        applicant_copy_shared_on=SHARED,
        applicants=[a1, a2],
        household=[adult_child],
        significant_others=[ex],
        animals=[dog],
        lines_of_enquiry=[loe],
    )
    case.stage1.checks = [
        clear_check(kind, a.id)
        for a in (a1, a2)
        for kind in (CheckKind.DBS, CheckKind.LOCAL_AUTHORITY)
    ]
    case.stage1.medical_adviser_summary = "No health bar to adoption."
    case.stage1.training_completed_on = date(2026, 3, 1)
    seen = [[a1.id, a2.id], [a1.id], [a2.id], [a1.id, a2.id], [a1.id, a2.id], [a1.id, a2.id]]
    topics = [
        ["plan_chronology"],
        ["childhood_parenting"],
        ["childhood_parenting"],
        ["midway_review"],
        ["home_safety", "pets"],
        ["matching"],
    ]
    case.visits = [
        Visit(
            n,
            f"Visit {n}",
            done_date=date(2026, 9, 1) + timedelta(days=7 * n),
            who_seen=w,
            topics=t,
        )
        for n, (w, t) in enumerate(zip(seen, topics, strict=True), start=1)
    ]
    both = [a1.id, a2.id]
    interviewed = ContactStatus.INTERVIEWED
    case.references = [
        Reference(
            ReferenceKind.PERSONAL,
            "Referee One",
            applicant_ids=both,
            years_known=12,
            knows_as_couple=True,
            contact_status=interviewed,
        ),
        Reference(
            ReferenceKind.PERSONAL,
            "Referee Two",
            applicant_ids=both,
            years_known=3,
            knows_as_couple=True,
            contact_status=interviewed,
        ),
        Reference(
            ReferenceKind.FAMILY,
            "Referee Three",
            applicant_ids=[a1.id],
            years_known=30,
            contact_status=interviewed,
        ),
        Reference(
            ReferenceKind.EMPLOYER,
            "Employer One",
            applicant_ids=[a1.id],
            contact_status=ContactStatus.WRITTEN_RECEIVED,
        ),
        Reference(
            ReferenceKind.EMPLOYER,
            "Employer Two",
            applicant_ids=[a2.id],
            contact_status=interviewed,
        ),
        Reference(
            ReferenceKind.EX_PARTNER,
            "Dee Former",
            applicant_ids=[a2.id],
            person_id=ex.id,
            contact_status=interviewed,
        ),
        Reference(
            ReferenceKind.ADULT_CHILD,
            "Cal Example",
            applicant_ids=[a2.id],
            person_id=adult_child.id,
            contact_status=ContactStatus.NOT_CONTACTED_AGREED,
            not_contacted_reason="Lives abroad; views given in a letter seen by the panel.",
            manager_decision_by="Team manager",
        ),
    ]
    case.checklist_answers = (
        fill_form(lib.get("health_safety"))
        + fill_form(lib.get("pet_assessment"), dog.id)
        + [a for a in fill_form(lib.get(lib.par.id)) if a.question_id != "signatories"]
    )
    set_signatories(case, lib, [signatory("assessor"), signatory("manager")])
    for section in lib.par.sections:
        if not section.required:
            continue
        draft = case.section(section.id)
        draft.text = "What we found.\n\n**Analysis:** What it shows about parenting."
        draft.status = SectionStatus.COMPLETE
    case.section("health").lines_of_enquiry_addressed = [loe.id]
    return case


@pytest.fixture(name="case")
def ready_case_fixture(lib: FormLibrary) -> Case:
    """``case``: a new ``ready_case`` for each test (import this into the module)."""
    return ready_case(lib)


def assess(case: Case, lib: FormLibrary, today: date = TODAY, rules: Any = None) -> list[Any]:
    """The readiness findings for ``case`` on ``today`` (the app's default rules)."""
    from homestudy.readiness import assess_readiness
    from homestudy.timeline import TimelineRules

    return assess_readiness(case, lib, rules or TimelineRules(), today)


def only(findings: list[Any], code: str) -> Any:
    """The one finding with ``code`` (the test fails, listing them all, if not one)."""
    hits = [f for f in findings if f.code == code]
    assert len(hits) == 1, codes(findings)
    return hits[0]


def codes(findings: list[Any]) -> list[str]:
    return [f.code for f in findings]


def set_answer(case: Case, form_id: str, question_id: str, value: Any, subject: str = "") -> None:
    for a in case.checklist_answers:
        if a.form_id == form_id and a.question_id == question_id and a.subject_id == subject:
            a.value = value
            return
    versions = {a.form_version for a in case.checklist_answers if a.form_id == form_id}
    if not versions:
        raise AssertionError(f"no answers to {form_id}")
    case.checklist_answers.append(
        ChecklistAnswer(form_id, max(versions), question_id, value, subject)
    )


def add_agency_profile(vault: Any, profile: Any) -> None:
    """Store ``profile`` as an agency the laptop is enrolled with (keys are placeholders:
    the readiness tests only need the profile's form-overrides folder)."""
    from sync_helpers import profile_state

    from homestudy.sync.outbox import add_profile

    placeholders = {
        "agency_signing_public_key": "pk",
        "agency_age_recipient": "age1x",
        "device_signing_secret": "sk",
        "device_age_identity": "AGE-SECRET",
    }
    add_profile(vault, profile_state(profile, registered=False, key_list_version=0, **placeholders))
