"""What the worker writes in the rich editors (bold, italic, lists) reaches the exported
tables as words, never as the Markdown marks the editors store (``**``, ``*``)."""

from __future__ import annotations

from datetime import date

import pytest
from report_helpers import read_docx, read_pdf

from homestudy.demo import build_demo_case
from homestudy.forms import load_library
from homestudy.model import ChecklistAnswer
from homestudy.report import build_par_document, build_record_document, render
from homestudy.report.markdown import cell_text

TODAY = date(2026, 11, 20)


def test_cell_text_drops_emphasis_and_keeps_list_marks() -> None:
    assert cell_text("A **very** *settled* home.") == "A very settled home."
    assert cell_text("Seen:\n\n- the *garden*\n- the **stairs**\n\n1. first\n2. second") == (
        "Seen:\n\u2022 the garden\n\u2022 the stairs\n1. first\n2. second"
    )
    assert cell_text("") == ""


@pytest.fixture(scope="module")
def marked_case():
    case = build_demo_case(TODAY)
    case.household[0].notes = "Gets on **really well** with the *dog*."
    case.lines_of_enquiry[0].text = "Explore **support network** after the move."
    case.stage1.checks[0].notes = "- **clear** on receipt"
    version = load_library().get("health_safety").version
    case.checklist_answers = [
        a for a in case.checklist_answers if a.question_id != "overall_comment"
    ]
    case.checklist_answers.append(
        ChecklistAnswer(
            "health_safety", version, "overall_comment", "A **safe** home; *stair gate* fitted."
        )
    )
    return case


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_no_markdown_marks_in_the_par_or_the_checklist_record(marked_case, fmt) -> None:
    lib = load_library()
    par = render(build_par_document(marked_case, "supervisor", forms=lib, today=TODAY), fmt)
    record = render(build_record_document(marked_case, "checklists", forms=lib, today=TODAY), fmt)
    texts = []
    for data in (par, record):
        texts.append(" ".join(read_pdf(data)) if fmt == "pdf" else read_docx(data).body)
    par_text, record_text = (" ".join(t.split()) for t in texts)
    for words in ("really well", "support network", "clear on receipt"):
        assert words in par_text
    assert "A safe home; stair gate fitted." in record_text
    assert "**" not in par_text and "**" not in record_text
    assert "*dog*" not in par_text and "*stair gate*" not in record_text
