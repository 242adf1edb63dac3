"""The demo case: shape, determinism, canonical ids, and a serial round trip."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest

from homestudy.demo import build_demo_case
from homestudy.model import (
    Case,
    HouseholdMemberKind,
    ReferenceKind,
    SectionStatus,
    SignificantOtherKind,
    Stage,
)
from homestudy.serial import from_jsonable, to_jsonable

PAR_IDS = [
    "cover",
    "pen_picture",
    "family_tree",
    "assessment_process",
    "family_of_origin",
    "education_employment",
    "relationships",
    "children_household",
    "support_network",
    "home_lifestyle",
    "health",
    "motivation",
    "understanding_adoption",
    "preparation_learning",
    "matching",
    "adoption_support",
    "strengths_vulnerabilities",
    "recommendation",
    "second_opinion",
    "factual_information",
    "statutory_checks",
    "medical_summary",
    "references_summary",
    "applicants_comments",
    "signatures",
]
VISIT_IDS = [
    "v1_joint_plan",
    "v2_applicant1_alone",
    "v3_applicant2_alone",
    "v4_joint_relationship",
    "v5_joint_network",
    "v6_joint_understanding",
    "v7_joint_home",
    "v8_joint_matching",
]
TOPICS = {
    "plan_chronology",
    "genogram",
    "childhood_parenting",
    "education_work",
    "past_relationships",
    "relationship",
    "loss_infertility",
    "motivation",
    "support_network",
    "lifestyle",
    "household_children",
    "trauma_attachment",
    "contact",
    "life_story_identity",
    "home_safety",
    "pets",
    "finances",
    "matching",
    "midway_review",
}
TODAY = date(2026, 11, 22)


def test_serial_round_trip_through_json() -> None:
    case = build_demo_case(TODAY)
    text = json.dumps(to_jsonable(case))
    assert from_jsonable(Case, json.loads(text)) == case


def test_deterministic_for_a_day_and_seed() -> None:
    assert build_demo_case(TODAY) == build_demo_case(TODAY)
    other = build_demo_case(TODAY, seed="other", reference="HS-X")
    assert other.id != build_demo_case(TODAY).id and other.reference == "HS-X"
    assert {v.id for v in other.visits}.isdisjoint(v.id for v in build_demo_case(TODAY).visits)


@pytest.mark.parametrize("today", [date(2026, 1, 1), TODAY, date(2031, 7, 15)])
def test_always_mid_stage_two(today: date) -> None:
    case = build_demo_case(today)
    assert case.stage is Stage.STAGE_2
    assert case.stage1_started_on < case.stage1_ended_on < case.stage2_notice_on < today
    assert today < case.provisional_panel_date <= case.stage2_notice_on + timedelta(days=122)
    done = [v for v in case.visits if v.is_done]
    assert len(case.visits) == 8 and len(done) == 5
    assert all(v.done_date <= today and v.notes for v in done)
    assert all(v.planned_date > today for v in case.visits if not v.is_done)
    assert all(v.planned_date < case.provisional_panel_date for v in case.visits)


def test_household_and_people() -> None:
    case = build_demo_case(TODAY)
    assert len(case.applicants) == 2
    kinds = {m.kind for m in case.household}
    assert {HouseholdMemberKind.BIRTH_CHILD, HouseholdMemberKind.ADULT_CHILD_AWAY} <= kinds
    (ex,) = case.significant_others
    assert ex.kind is SignificantOtherKind.EX_PARTNER
    assert ex.applicant_id in {a.id for a in case.applicants}
    (dog,) = case.animals
    assert dog.species == "dog" and dog.breed
    assert len(case.lines_of_enquiry) == 3 and case.stage1.checks
    assert case.stage1.medical_adviser_summary


def test_visits_use_canonical_ids() -> None:
    case = build_demo_case(TODAY)
    assert [v.template_visit_id for v in case.visits] == VISIT_IDS
    assert all(set(v.topics) <= TOPICS for v in case.visits)


def test_references() -> None:
    case = build_demo_case(TODAY)
    assert len(case.references) == 4
    assert {r.kind for r in case.references} == {
        ReferenceKind.PERSONAL,
        ReferenceKind.FAMILY,
        ReferenceKind.EMPLOYER,
        ReferenceKind.EX_PARTNER,
    }
    assert all(r.notes and r.interview_date for r in case.references)
    ex_ref = next(r for r in case.references if r.kind is ReferenceKind.EX_PARTNER)
    assert ex_ref.person_id == case.significant_others[0].id


def test_par_is_half_written_in_the_markdown_subset() -> None:
    case = build_demo_case(TODAY)
    assert list(case.par_sections) == PAR_IDS
    words = sum(d.word_count for d in case.par_sections.values())
    assert 14_000 <= words <= 17_000
    empty = [d for d in case.par_sections.values() if not d.text]
    assert len(empty) >= 5 and all(d.status is SectionStatus.NOT_STARTED for d in empty)
    analysed = [
        d for d in case.par_sections.values() if re.search(r"^\*\*Analysis:?\*\*", d.text, re.M)
    ]
    assert 5 <= len(analysed) < len(PAR_IDS) - len(empty)
    allowed = re.compile(r"^(- |\d+\. )?[^#>`<|]*$")
    for d in case.par_sections.values():
        for line in d.text.splitlines():
            assert allowed.match(line), (d.section_id, line[:60])
            assert line.count("**") % 2 == 0
    texts = [d.text for d in case.par_sections.values() if d.text]
    assert any("\n- " in t for t in texts) and any("\n1. " in t for t in texts)
    assert any(re.search(r"(?<!\*)\*[^*]+\*(?!\*)", t) for t in texts)  # italic
    paragraphs = [p for t in texts for p in t.split("\n\n")]
    assert len(set(paragraphs)) > 0.95 * len(paragraphs)  # varied, not one paragraph pasted


def test_answers_match_the_form_definitions() -> None:
    from homestudy.forms import load_library

    lib = load_library()
    case = build_demo_case(TODAY)
    dog = case.animals[0]
    for form_id, subject in (("health_safety", ""), ("pet_assessment", dog.id)):
        form = lib.get(form_id)
        answers = case.answers_for(form_id, subject)
        assert len(answers) >= 10
        ids = {q.id for q in form.questions}
        assert {a.question_id for a in answers} <= ids
        assert all(a.form_version == form.version for a in answers)
