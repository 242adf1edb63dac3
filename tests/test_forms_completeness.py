"""Completeness: empty required questions, open actions, hidden groups, flags."""

from __future__ import annotations

from datetime import date

from homestudy.forms import completeness, load_library
from homestudy.model import ChecklistAnswer


def _yn(answer: str, **extra: object) -> dict[str, object]:
    return {"answer": answer, "comment": "", "action": "", "due": "", "done": False, **extra}


def test_empty_health_safety_lists_every_required_item() -> None:
    form = load_library().get("health_safety")
    result = completeness(form, [])
    required = [q.id for q in form.questions if q.required]
    assert result.missing_required == tuple(required)
    assert not result.is_complete


def test_health_safety_actions_open_until_done() -> None:
    form = load_library().get("health_safety")
    answers = [ChecklistAnswer("health_safety", 1, q.id, _yn("yes"))
               for q in form.questions if q.type.value == "yes_no_na"]
    answers.append(ChecklistAnswer("health_safety", 1, "checked_on", "2026-11-02"))
    assert completeness(form, answers).is_complete
    answers[0] = ChecklistAnswer("health_safety", 1, answers[0].question_id,
                                 _yn("no", action="Fit alarm", due="2026-12-01"))
    result = completeness(form, answers)
    assert result.missing_required == ()
    (action,) = result.open_actions
    assert (action.question_id, action.action, action.due) == (
        answers[0].question_id, "Fit alarm", date(2026, 12, 1))
    assert action.is_overdue(date(2026, 12, 2)) and not action.is_overdue(date(2026, 11, 30))
    answers[0] = ChecklistAnswer("health_safety", 1, answers[0].question_id,
                                 _yn("no", action="Fit alarm", due="2026-12-01", done=True))
    assert completeness(form, answers).is_complete


def test_not_applicable_is_an_answer_and_archived_answers_do_not_count() -> None:
    form = load_library().get("health_safety")
    na = ChecklistAnswer("health_safety", 1, "firearms", _yn("not_applicable"))
    archived = ChecklistAnswer("health_safety", 1, "gas_safety_certificate", _yn("yes"),
                               archived=True)
    missing = completeness(form, [na, archived]).missing_required
    assert "firearms" not in missing and "gas_safety_certificate" in missing


def test_dog_assessment_only_counts_for_a_dog_and_answers_are_per_animal() -> None:
    form = load_library().get("pet_assessment")
    cat = [ChecklistAnswer("pet_assessment", 1, "species", "cat", subject_id="cat1")]
    dog = [ChecklistAnswer("pet_assessment", 1, "species", "dog", subject_id="dog1")]
    assert "dog_conclusion" not in completeness(form, cat, "cat1").missing_required
    assert "dog_conclusion" in completeness(form, dog, "dog1").missing_required
    # the dog's answers say nothing about the cat
    assert "species" in completeness(form, dog, "cat1").missing_required


def test_a_banned_breed_is_flagged() -> None:
    form = load_library().get("pet_assessment")
    answers = [ChecklistAnswer("pet_assessment", 1, "breed", "American XL Bully", subject_id="d"),
               ChecklistAnswer("pet_assessment", 1, "bite_history", _yn("yes"), subject_id="d")]
    result = completeness(form, answers, "d")
    (flag,) = result.flags
    assert flag.question_id == "breed" and "Dangerous Dogs Act" in flag.message
    # a bite opens an action (action_when: yes)
    assert [a.question_id for a in result.open_actions] == ["bite_history"]


def test_required_table_needs_a_row() -> None:
    form = load_library().get("par_england")
    missing = completeness(form, []).missing_required
    assert {"number_of_children", "age_from", "age_to", "gender"} <= set(missing)
    assert "household_members" not in missing  # optional table
    rows = [ChecklistAnswer("par_england", 1, "household_members", {"name": "Isla"}, row=0),
            ChecklistAnswer("par_england", 1, "household_members", None, row=1)]
    assert completeness(form, rows).missing_required == completeness(form, []).missing_required
