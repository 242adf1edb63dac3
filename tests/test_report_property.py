"""Property: any Unicode in any field gives files that independent readers open."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import docx
import pypdf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from homestudy.demo import build_demo_case
from homestudy.forms import load_library
from homestudy.model import ChecklistAnswer
from homestudy.report import build_par_document, build_record_document, render

TODAY = date(2026, 11, 20)
LIB = load_library()

# Any code point hypothesis will put in a str (all categories, controls included),
# plus right-to-left, emoji and lone surrogates as a bad decode makes them.
_chars = st.text(max_size=60)
_scripts = st.sampled_from(
    [
        "مرحبا بكم",
        "שלום",
        "😀👍🏽🇬🇧‍",
        "王小明",
        "\u202eRLO",
        "\t\r\n",
        "**bold *it",
        "- item\n1. one",
        "\x00\x0b\x1b",
    ]
)
_bad_bytes = st.binary(max_size=12).map(lambda b: b.decode("utf-8", "surrogateescape"))
text = st.lists(st.one_of(_chars, _scripts, _bad_bytes), max_size=4).map("".join)


N_TEXTS = 48
texts = st.lists(text, min_size=N_TEXTS, max_size=N_TEXTS)


def wild_case(values: list[str]):
    """The demo case with every free-text field replaced by one of ``values``."""
    pool = iter(values * 4)
    draw = pool.__next__
    case = build_demo_case(TODAY)
    case.reference = draw() or "REF"
    case.assessor_name = draw()
    for a in case.applicants:
        a.first_name, a.last_name, a.ethnicity = draw(), draw(), draw()
        a.languages = [draw()]
    for m in case.household:
        m.name, m.relationship, m.notes = draw(), draw(), draw()
    for c in case.stage1.checks[:2]:
        c.subject, c.notes = draw(), draw()
    case.stage1.medical_adviser_summary = draw()
    case.stage1.preparation_training = draw()
    for r in case.references:
        r.referee_name, r.relationship, r.notes = draw(), draw(), draw()
    for v in case.visits:
        v.title, v.notes = draw(), draw()
    for e in case.lines_of_enquiry:
        e.text, e.source = draw(), draw()
    for draft in case.par_sections.values():
        draft.text = draw()
    case.animals[0].name = draw()
    case.checklist_answers.append(
        ChecklistAnswer(
            "health_safety",
            1,
            "smoke_alarms",
            {"answer": "no", "comment": draw(), "action": draw(), "due": draw()},
        )
    )
    case.checklist_answers.append(ChecklistAnswer("par_england", 1, "gender", draw()))
    return case


def _valid(fmt: str, data: bytes) -> None:
    if fmt == "docx":
        document = docx.Document(io.BytesIO(data))
        assert document.sections[0].header.paragraphs[0].text.startswith("OFFICIAL-SENSITIVE")
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            assert z.testzip() is None
    else:
        reader = pypdf.PdfReader(io.BytesIO(data), strict=True)
        assert len(reader.pages) >= 1
        for page in (reader.pages[0], reader.pages[-1]):  # every page: test_report_par
            assert "OFFICIAL-SENSITIVE" in page.extract_text()


@pytest.mark.slow
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(values=texts, variant=st.sampled_from(["panel", "applicant", "supervisor"]))
def test_any_text_in_any_field_gives_valid_files(values, variant):
    case = wild_case(values)
    document = build_par_document(case, variant, forms=LIB, today=TODAY, findings=[])
    for fmt in ("docx", "pdf"):
        _valid(fmt, render(document, fmt))


@pytest.mark.slow
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=texts)
def test_any_text_in_records_gives_valid_files(values):
    case = wild_case(values)
    for record in ("checklists", f"visit:{case.visits[0].id}"):
        document = build_record_document(case, record, forms=LIB, today=TODAY)
        for fmt in ("docx", "pdf"):
            _valid(fmt, render(document, fmt))
