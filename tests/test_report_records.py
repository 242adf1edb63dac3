"""Record exports (one visit, the checklists): every question shown, what is missing
said plainly, actions with their owner and dates; read back from both formats."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from report_helpers import read_docx, read_pdf, squash

from homestudy.demo import build_demo_case
from homestudy.errors import NotFoundError
from homestudy.forms import load_library
from homestudy.model import ChecklistAnswer
from homestudy.report import build_record_document, render
from homestudy.report.docmodel import Heading, Table

TODAY = date(2026, 11, 20)


@pytest.fixture
def demo_case():
    """The demo case as of TODAY (its checklist dates are relative to the day it is made)."""
    return build_demo_case(TODAY)


def _tables(doc) -> list[Table]:
    return [b for b in doc.blocks if isinstance(b, Table)]


def _rows(doc) -> dict[str, list[str]]:
    """Question label -> its row, over every answers table."""
    return {
        r[0]: r for t in _tables(doc) if t.columns[:2] == ("Question", "Answer") for r in t.rows
    }


def test_visit_record_has_its_facts_and_notes(demo_case):
    lib = load_library()
    visit = demo_case.visits[1]
    doc = build_record_document(demo_case, f"visit:{visit.id}", forms=lib, today=TODAY)
    text = doc.plain_text()
    assert f"Visit {visit.sequence}: {visit.title}" in text
    assert lib.visit_plan.topic(visit.topics[0]).title in text
    assert demo_case.applicants[0].full_name in text  # who was seen, by name
    body = read_docx(render(doc, "docx"))
    assert visit.notes.split("\n")[0][:40] in body.body
    assert all("OFFICIAL-SENSITIVE" in h and demo_case.reference in h for h in body.headers)
    for name in (a.first_name for a in demo_case.applicants):
        assert all(name not in h for h in body.headers)


def test_a_visit_record_says_who_was_not_seen_and_what_was_planned(demo_case):
    lib = load_library()
    visit = next(v for v in demo_case.visits if v.is_done and len(v.who_seen) == 1)
    doc = build_record_document(demo_case, f"visit:{visit.id}", forms=lib, today=TODAY)
    fields = {
        b.runs[0].text.rstrip(": "): b.runs[1].text
        for b in doc.blocks
        if getattr(b, "style", "") == "field"
    }
    absent = [a.full_name for a in demo_case.applicants if a.id not in visit.who_seen]
    assert fields["Not seen at this visit"].startswith(absent[0])
    assert fields["The plan"].endswith("alone")
    assert fields["Held"] == visit.done_date.strftime("%-d %b %Y")


def test_a_visit_not_yet_held_says_so(demo_case):
    visit = next(v for v in demo_case.visits if not v.is_done)
    doc = build_record_document(demo_case, f"visit:{visit.id}", today=TODAY)
    text = doc.plain_text()
    assert "Held: Not yet held" in text and "No notes recorded." in text
    assert "Not seen at this visit" not in text


def test_a_visit_dated_in_the_future_is_not_passed_off_as_held(demo_case):
    visit = demo_case.visits[0]
    visit.done_date = TODAY + timedelta(days=3)
    doc = build_record_document(demo_case, f"visit:{visit.id}", today=TODAY)
    assert "a date still to come" in doc.plain_text()


def test_unknown_visit_is_a_not_found_error(demo_case):
    with pytest.raises(NotFoundError):
        build_record_document(demo_case, "visit:nope", today=TODAY)


def test_checklist_record_shows_every_question_grouped_as_the_form(demo_case):
    lib = load_library()
    form = lib.get("health_safety")
    answered = {a.question_id for a in demo_case.checklist_answers if a.form_id == "health_safety"}
    doc = build_record_document(demo_case, "checklists", forms=lib, today=TODAY)
    headings = [b.text for b in doc.blocks if isinstance(b, Heading)]
    values = {
        a.question_id: a.value for a in demo_case.checklist_answers if a.form_id == "health_safety"
    }

    def applies(group) -> bool:  # a group shown only when an answer given says so
        when = group.show_when
        return (
            when is None or when.question_id not in values or when.holds(values[when.question_id])
        )

    groups = [g for g in form.groups if applies(g)]
    assert len(groups) < len(form.groups)  # the demo's home is owned: no tenancy part
    for group in form.groups:
        assert (group.title in headings) == (group in groups)  # room by room, as the form
    rows = _rows(doc)
    for question in (q for g in groups for q in g.questions):
        assert question.label in rows, question.id
        if question.id not in answered:
            assert rows[question.label][1].startswith("Not answered"), question.id
    missing_required = [
        q for g in groups for q in g.questions if q.required and q.id not in answered
    ]
    assert missing_required, "the demo leaves some required items unanswered"
    for question in missing_required:
        assert rows[question.label][1] == "Not answered (required)"
    text = doc.plain_text()
    assert "Completed by: Priya Raman" in text
    assert f"Date completed: {(TODAY - timedelta(days=5)).strftime('%-d %b %Y')}" in text
    assert "required questions not answered" in text
    assert doc.title == "Checklist record" and "Completed checklists" not in text


def test_checklist_actions_have_owner_due_and_done_dates(demo_case):
    lib = load_library()
    blind = next(a for a in demo_case.checklist_answers if a.question_id == "blind_cords")
    blind.value = dict(blind.value, owner="Daniel Mensah", done_on="2026-11-18", done=True)
    windows = next(a for a in demo_case.checklist_answers if a.question_id == "window_restrictors")
    windows.value = {k: v for k, v in windows.value.items() if k != "owner"}  # none recorded
    doc = build_record_document(demo_case, "checklists", forms=lib, today=TODAY)
    actions = {r[0]: r for t in _tables(doc) if t.columns[0] == "Item" for r in t.rows}
    label = lib.get("health_safety").question("blind_cords").label
    assert list(actions[label][1:]) == [
        "Applicants to fit before the home visit.",
        "Daniel Mensah",
        (TODAY + timedelta(days=10)).strftime("%-d %b %Y"),
        "18 Nov 2026",
    ]
    window = lib.get("health_safety").question("window_restrictors").label
    assert list(actions[window][2:]) == [
        "Not recorded",
        (TODAY + timedelta(days=10)).strftime("%-d %b %Y"),
        "Not yet done",
    ]
    row = _rows(doc)[label]
    assert row[1] == "No" and row[2].startswith("Loop cord")
    pdf = squash("".join(read_pdf(render(doc, "pdf"))))
    assert squash("Daniel Mensah") in pdf and squash("18 Nov 2026") in pdf


def test_pets_are_recorded_per_animal_with_only_the_parts_that_apply(demo_case):
    lib = load_library()
    doc = build_record_document(demo_case, "checklists", forms=lib, today=TODAY)
    text = squash("".join(read_pdf(render(doc, "pdf"))))
    assert squash("Biscuit (dog, Labrador Retriever)") in text  # the breed: from the record
    pet = lib.get("pet_assessment")
    dog_group = next(
        g for g in pet.groups if g.show_when is not None and "dog" in g.show_when.values
    )
    reptiles = next(
        g for g in pet.groups if g.show_when is not None and "reptile" in g.show_when.values
    )
    headings = [b.text for b in doc.blocks if isinstance(b, Heading)]
    assert dog_group.title in headings  # Biscuit is a dog
    assert reptiles.title not in headings  # and not a reptile
    demo_case.animals[0].species = "cat"
    for answer in demo_case.checklist_answers:
        if answer.question_id == "species":
            answer.value = "cat"
    doc = build_record_document(demo_case, "checklists", forms=lib, today=TODAY)
    assert dog_group.title not in [b.text for b in doc.blocks if isinstance(b, Heading)]


def test_checklists_when_nothing_is_answered(demo_case):
    lib = load_library()
    demo_case.checklist_answers.clear()
    doc = build_record_document(demo_case, "checklists", forms=lib, today=TODAY)
    text = doc.plain_text()
    assert text.count("Not yet started") == 2  # the home check, and the one pet
    rows = _rows(doc)
    assert all(r[1].startswith("Not answered") for r in rows.values())
    assert len(rows) >= len(lib.get("health_safety").questions)


def test_an_unknown_form_still_shows_its_answers(demo_case):
    demo_case.checklist_answers.append(ChecklistAnswer("agency_extra", 1, "odd_shape", {"x": 1}))
    doc = build_record_document(demo_case, "checklists", forms=load_library(), today=TODAY)
    assert "X: 1" in _rows(doc)["Odd shape"][1]


def test_an_answer_read_in_a_sentence_names_the_actions_owner_and_done_date():
    from homestudy.report.values import format_value

    value = {
        "answer": "no",
        "comment": "Loop cord",
        "action": "Fit a cleat",
        "due": "2026-11-30",
        "owner": "Daniel Mensah",
        "done_on": "2026-11-18",
        "done": True,
    }
    assert format_value(None, value) == (
        "No — Loop cord — Action: Fit a cleat (Daniel Mensah), by 30 Nov 2026 (done 18 Nov 2026)"
    )
