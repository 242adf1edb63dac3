"""Record exports (one visit, the checklists) and how answers read in them."""

from __future__ import annotations

from datetime import date

import pytest
from report_helpers import read_docx, read_pdf, squash

from homestudy.errors import NotFoundError
from homestudy.forms import load_library
from homestudy.model import ChecklistAnswer
from homestudy.report import build_record_document, render
from homestudy.report.docmodel import Table

TODAY = date(2026, 11, 20)


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


def test_a_visit_not_yet_held_says_so(demo_case):
    visit = next(v for v in demo_case.visits if not v.is_done)
    doc = build_record_document(demo_case, f"visit:{visit.id}", today=TODAY)
    assert "not yet held" in doc.plain_text() and "No notes recorded." in doc.plain_text()


def test_unknown_visit_is_a_not_found_error(demo_case):
    with pytest.raises(NotFoundError):
        build_record_document(demo_case, "visit:nope", today=TODAY)


def test_checklists_read_as_words_with_actions(demo_case):
    demo_case.checklist_answers.append(ChecklistAnswer("agency_extra", 1, "odd_shape",
                                                       {"x": 1}))
    doc = build_record_document(demo_case, "checklists", forms=load_library(), today=TODAY)
    tables = [b for b in doc.blocks if isinstance(b, Table)]
    rows = {r[0]: r[1] for t in tables for r in t.rows}
    blind = next(v for k, v in rows.items() if "cords" in k.lower())
    assert blind.startswith("No — Loop cord") and "Action: Applicants to fit" in blind
    assert "X: 1" in rows["Odd shape"]  # an unknown form still shows its answers
    text = squash("".join(read_pdf(render(doc, "pdf"))))
    assert squash("Biscuit (dog, Labrador Retriever)") in text  # the breed: from the record


def test_checklists_when_nothing_is_answered(demo_case):
    demo_case.checklist_answers.clear()
    doc = build_record_document(demo_case, "checklists", today=TODAY)
    assert doc.plain_text().count("Not yet completed.") == 2
