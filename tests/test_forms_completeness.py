"""Completeness: empty required questions, open actions, hidden groups, flags."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from homestudy.forms import completeness, list_match, load_library
from homestudy.model import ChecklistAnswer


def _yn(answer: str, **extra: object) -> dict[str, object]:
    return {"answer": answer, "comment": "", "action": "", "due": "", "done": False, **extra}


def test_empty_health_safety_lists_every_required_item() -> None:
    form = load_library().get("health_safety")
    result = completeness(form, [])
    # the tenants' and owner-occupiers' groups show only once tenure is answered
    hidden = {q.id for g in form.groups if g.show_when for q in g.questions}
    required = [q.id for q in form.questions if q.required and q.id not in hidden]
    assert result.missing_required == tuple(required)
    assert not result.is_complete


def test_tenants_and_owner_occupiers_are_asked_their_own_gas_question() -> None:
    form = load_library().get("health_safety")
    tenant = [ChecklistAnswer("health_safety", 2, "tenure", "tenant")]
    owner = [ChecklistAnswer("health_safety", 2, "tenure", "owner_occupier")]
    assert "gas_safety_certificate" in completeness(form, tenant).missing_required
    assert "gas_appliances_serviced" not in completeness(form, tenant).missing_required
    assert "gas_safety_certificate" not in completeness(form, owner).missing_required
    assert "gas_appliances_serviced" in completeness(form, owner).missing_required


def test_health_safety_actions_open_until_done() -> None:
    form = load_library().get("health_safety")
    answers = [
        ChecklistAnswer("health_safety", 2, q.id, _yn("yes"))
        for q in form.questions
        if q.type.value == "yes_no_na"
    ]
    answers += [
        ChecklistAnswer("health_safety", 2, "checked_on", "2026-11-02"),
        ChecklistAnswer("health_safety", 2, "gone_through_on", "2026-11-02"),
        ChecklistAnswer("health_safety", 2, "tenure", "tenant"),
    ]
    assert completeness(form, answers).is_complete
    answers[0] = ChecklistAnswer(
        "health_safety",
        2,
        answers[0].question_id,
        _yn("no", action="Fit alarm", due="2026-12-01", owner="Ann"),
    )
    result = completeness(form, answers)
    assert result.missing_required == ()
    (action,) = result.open_actions
    assert (action.question_id, action.action, action.due, action.owner) == (
        answers[0].question_id,
        "Fit alarm",
        date(2026, 12, 1),
        "Ann",
    )
    assert action.is_overdue(date(2026, 12, 2)) and not action.is_overdue(date(2026, 11, 30))
    answers[0] = ChecklistAnswer(
        "health_safety",
        2,
        answers[0].question_id,
        _yn(
            "no", action="Fit alarm", due="2026-12-01", done=True, owner="Ann", done_on="2026-11-28"
        ),
    )
    result = completeness(form, answers)
    assert result.is_complete
    (closed,) = result.closed_actions
    assert (closed.owner, closed.done_on) == ("Ann", date(2026, 11, 28))


def test_smoking_is_a_matching_consideration_not_an_action() -> None:
    form = load_library().get("health_safety")
    answers = [ChecklistAnswer("health_safety", 2, "smoke_free_home", _yn("no"))]
    assert completeness(form, answers).open_actions == ()
    assert "smoke_free_home" not in completeness(form, answers).missing_required


def test_not_applicable_is_an_answer_and_archived_answers_do_not_count() -> None:
    form = load_library().get("health_safety")
    na = ChecklistAnswer("health_safety", 2, "firearms", _yn("not_applicable"))
    archived = ChecklistAnswer("health_safety", 2, "trip_hazards", _yn("yes"), archived=True)
    missing = completeness(form, [na, archived]).missing_required
    assert "firearms" not in missing and "trip_hazards" in missing


def test_dog_assessment_only_counts_for_a_dog_and_answers_are_per_animal() -> None:
    form = load_library().get("pet_assessment")
    cat = [ChecklistAnswer("pet_assessment", 2, "species", "cat", subject_id="cat1")]
    dog = [ChecklistAnswer("pet_assessment", 2, "species", "dog", subject_id="dog1")]
    assert "dog_conclusion" not in completeness(form, cat, "cat1").missing_required
    assert "dog_conclusion" in completeness(form, dog, "dog1").missing_required
    # the dog's answers say nothing about the cat
    assert "species" in completeness(form, dog, "cat1").missing_required


def test_an_answer_on_a_form_list_is_flagged(tmp_path: Path) -> None:
    """The engine still flags an answer that matches a list it must not (an agency's
    own form may use it); the standard pet form keeps the breed on the animal record."""
    (tmp_path / "dogs.yaml").write_text(
        "id: dog_check\nkind: form\nversion: 1\ntitle: Dog check\n"
        "lists:\n  banned: [XL Bully]\ngroups:\n  - id: g\n    title: G\n    questions:\n"
        "      - {id: breed, type: text, label: Breed, not_in_list: banned,\n"
        "         list_message: On the banned list.}\n",
        encoding="utf-8",
    )
    form = load_library(tmp_path).get("dog_check")
    answers = [ChecklistAnswer("dog_check", 1, "breed", "Bully XL (American)", subject_id="d")]
    (flag,) = completeness(form, answers, "d").flags
    assert flag.question_id == "breed" and flag.message == "On the banned list."


def test_word_order_spacing_punctuation_and_case_do_not_hide_a_listed_name() -> None:
    names = ("XL Bully", "Pit Bull Terrier", "Dogo Argentino")
    for label in (
        "Bully XL",
        "bully, xl",
        "XL-BULLY",
        "xlbully",
        "Terrier (pit bull)",
        "argentino dogo",
        "Dogo  Argentino!",
    ):
        assert list_match(label, names), label
    for label in ("Bull Terrier", "Bulldog", "Staffordshire", "", "Argentine"):
        assert not list_match(label, names), label


def test_required_table_needs_a_row() -> None:
    form = load_library().get("par_england")
    missing = completeness(form, []).missing_required
    assert {"number_of_children", "age_from", "age_to", "gender"} <= set(missing)
    assert "household_members" not in missing  # optional table
    rows = [
        ChecklistAnswer("par_england", 1, "household_members", {"name": "Isla"}, row=0),
        ChecklistAnswer("par_england", 1, "household_members", None, row=1),
    ]
    assert completeness(form, rows).missing_required == completeness(form, []).missing_required
