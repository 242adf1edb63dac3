"""The four practice forms brought up to what agencies use (issue 10), and the answers
people already saved under version 1 moving to version 2 without loss: checked on
the answers inside a stored vault made before the change."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from homestudy.forms import FormLibrary, completeness, migrate_answers
from homestudy.model import ChecklistAnswer, ReferenceKind
from homestudy.vault import Vault

STORED = Path(__file__).parent / "data" / "vaults"


@pytest.fixture
def stored_answers(tmp_path: Path) -> list[ChecklistAnswer]:
    """The demo case's answers as a vault made at schema version 2 stored them (forms v1)."""
    folder = tmp_path / "v2"
    shutil.copytree(STORED / "v2", folder)
    vault = Vault.open(folder, "homestudy-test-vault")
    try:
        (summary,) = vault.cases.list_cases()
        return vault.cases.load_case(summary.id).checklist_answers
    finally:
        vault.close()


def test_saved_answers_move_to_version_2_and_none_is_lost(
    lib: FormLibrary, stored_answers: list[ChecklistAnswer]
) -> None:
    assert {a.form_version for a in stored_answers} == {1}
    moved = migrate_answers(stored_answers, lib)
    assert len(moved) == len(stored_answers)
    before = {(a.form_id, a.subject_id, a.question_id): a for a in stored_answers}
    after = {(a.form_id, a.subject_id, a.question_id): a for a in moved}
    # health and safety: 'garden' is now 'garden_enclosed', with the same answer
    (garden_key,) = [k for k in before if k[0] == "health_safety" and k[2] == "garden"]
    new_key = (garden_key[0], garden_key[1], "garden_enclosed")
    assert after[new_key].value == before[garden_key].value
    assert after[new_key].form_version == 2 and not after[new_key].archived
    # the pet form's breed is kept, archived and shown under its old label
    (breed_key,) = [k for k in before if k[2] == "breed"]
    assert after[breed_key].archived and after[breed_key].value == before[breed_key].value
    assert "animal's record" in lib.get("pet_assessment").removed_label("breed")
    # everything else is the same answer, now to version 2
    for key, answer in after.items():
        if key not in (new_key, breed_key):
            assert answer.form_version == 2 and not answer.archived, key
            assert answer.value == before[key].value
    assert migrate_answers(moved, lib) == moved


def test_reference_answers_move_with_the_guides(lib: FormLibrary) -> None:
    old = [
        ChecklistAnswer("reference_interview", 1, "support_offered", "Lots", "ref1"),
        ChecklistAnswer(
            "reference_interview",
            1,
            "concerns",
            {"answer": "no", "comment": "", "action": "", "due": "", "done": False},
            "ref1",
        ),
    ]
    moved = migrate_answers(old, lib)
    assert [(a.question_id, a.form_version, a.archived) for a in moved] == [
        ("support_offered", 2, False),
        ("concerns", 2, False),
    ]


def _ids(form) -> set[str]:  # type: ignore[no-untyped-def]
    return {q.id for q in form.questions}


def test_every_guide_opens_with_the_confidentiality_statement(lib: FormLibrary) -> None:
    for kind in ReferenceKind:
        guide = lib.reference_guide(kind)
        first = [g.id for g in guide.groups][:2]
        assert "start" in first, kind
        assert guide.question("confidentiality_explained").required
    # a former partner: the safety check comes before anything else
    assert lib.reference_guide("ex_partner").groups[0].id == "safety"


def test_guides_ask_what_each_kind_of_referee_can_answer(lib: FormLibrary) -> None:
    personal, family = lib.reference_guide("personal"), lib.reference_guide("family")
    for guide in (personal, family):
        assert {
            "leave_own_children",
            "domestic_abuse",
            "anger_conflict",
            "attitudes_difference",
            "support_offered",
        } <= _ids(guide)
        assert guide.question("domestic_abuse").action_when == ("yes",)
    employer = lib.reference_guide("employer")
    assert {"sickness_absence", "work_with_children"} <= _ids(employer)
    ex = lib.reference_guide("ex_partner")
    assert {"safety_check_before_contact", "co_parenting", "contact_history"} <= _ids(ex)
    for guide in (employer, ex):  # not asked what support they will give
        assert "support_offered" not in _ids(guide)
    health_visitor, school = (
        lib.reference_guide("health_visitor"),
        lib.reference_guide("school_nursery"),
    )
    assert {"hv_parenting_seen", "hv_home_conditions"} <= _ids(health_visitor)
    assert not {"hv_parenting_seen", "hv_home_conditions"} & _ids(school)


def test_the_pet_form_asks_what_agencies_ask(lib: FormLibrary) -> None:
    form = lib.get("pet_assessment")
    for qid in (
        "microchipped",
        "sex",
        "neutered",
        "origin",
        "owned_since",
        "reaction_handling",
        "reaction_children",
        "reaction_visitors",
        "prey_drive",
        "who_walks",
        "police_council_involvement",
        "owners_account",
        "worker_observation",
        "vet_report",
        "risk_rating",
        "risk_assessment",
        "manager_sign_off_by",
        "manager_sign_off_on",
        "clash_plan",
        "zoonoses",
        "reptile_under_fives",
        "exotic_licence",
        "dog_type_judgement",
    ):
        assert form.has_question(qid), qid
    assert form.group_of("owners_account") is form.group_of("worker_observation")
    assert form.question("worker_observation").required
    assert form.group_of("dog_type_judgement").id == "dog_assessment"
    reptile = [ChecklistAnswer("pet_assessment", 2, "species", "reptile", "r")]
    cat = [ChecklistAnswer("pet_assessment", 2, "species", "cat", "c")]
    assert {"reptile_under_fives", "exotic_licence"} <= set(
        completeness(form, reptile, "r").missing_required
    )
    assert not {"reptile_under_fives", "exotic_licence", "who_walks"} & set(
        completeness(form, cat, "c").missing_required
    )


def test_the_visit_plan_has_the_new_topics_and_visits(lib: FormLibrary) -> None:
    plan = lib.visit_plan
    topics = {t.id for t in plan.topics}
    assert {
        "health",
        "caring_experience",
        "parenting_style",
        "identity_culture",
        "midway_review",
        "second_opinion",
        "read_par",
    } <= topics
    visits = [v.id for v in plan.visits]
    assert visits.index("v_midway_review") < visits.index("v8_joint_matching")
    assert visits[-2:] == ["v_second_opinion", "v_read_par"]
    assert "midway_review" in plan.visit("v_midway_review").topics
    for alone in ("v2_applicant1_alone", "v3_applicant2_alone"):
        assert {"health", "identity_culture"} <= set(plan.visit(alone).topics)
    # each topic feeds the PAR sections it names, and they know it
    for topic in plan.topics:
        for sid in topic.par_section_ids:
            assert topic.id in lib.par.section(sid).feeds_from_topics, (topic.id, sid)
