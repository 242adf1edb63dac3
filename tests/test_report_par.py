"""The PAR exports read back by independent readers: python-docx and pypdf."""

from __future__ import annotations

from datetime import date

import pytest
from report_helpers import (
    CONFIDENTIAL_SECTIONS,
    pdf_margin_text,
    pdf_outline_titles,
    plant_canaries,
    read_docx,
    read_pdf,
    squash,
)

from homestudy.demo import build_demo_case
from homestudy.forms import load_library
from homestudy.report import build_par_document, render
from homestudy.report.layout import heading_text
from homestudy.report.variants import REMOVED_NOTE

TODAY = date(2026, 11, 20)
VARIANTS = ("panel", "applicant", "supervisor")


@pytest.fixture(scope="module")
def exports() -> dict[str, object]:
    """The demo case (with canaries) rendered in every variant and format, once."""
    case = build_demo_case(TODAY)
    canaries = plant_canaries(case)
    lib = load_library()
    out: dict[str, object] = {"case": case, "canaries": canaries, "lib": lib}
    for variant in VARIANTS:
        doc = build_par_document(case, variant, forms=lib, today=TODAY)
        out[f"{variant}.model"] = doc
        out[f"{variant}.docx"] = render(doc, "docx")
        out[f"{variant}.pdf"] = render(doc, "pdf")
    return out


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_section_title_is_in_both_files(exports, variant):
    lib = exports["lib"]
    docx_text = read_docx(exports[f"{variant}.docx"])
    heading_texts = [t for _, t in docx_text.heading_texts]
    pdf_text = squash("".join(read_pdf(exports[f"{variant}.pdf"])))
    outline = pdf_outline_titles(exports[f"{variant}.pdf"])
    numbers = {h.anchor: h.number for h in exports[f"{variant}.model"].headings(1)}
    on_front = lib.par.front_sheet.sections_shown  # printed on page 1, not as a section
    for section in lib.par.sections:
        if section.id in on_front:
            continue
        title = heading_text(numbers[f"s_{section.id}"], section.title)
        assert title in heading_texts, section.id
        assert squash(title) in pdf_text, section.id
        assert title in outline, section.id


@pytest.mark.parametrize("variant", VARIANTS)
def test_sections_use_word_heading_styles(exports, variant):
    styles = {style for style, _ in read_docx(exports[f"{variant}.docx"]).heading_texts}
    assert "Heading 1" in styles
    assert styles <= {"Heading 1", "Heading 2", "Heading 3"}


def test_applicant_copy_has_no_canary_anywhere(exports):
    canaries = exports["canaries"]
    assert len(canaries) >= 8 + 4 + 2  # checks, references, sections
    docx_body = read_docx(exports["applicant.docx"]).body
    pdf_text = squash("".join(read_pdf(exports["applicant.pdf"])))
    model_text = exports["applicant.model"].plain_text()
    for place, canary in canaries.items():
        assert canary not in docx_body, place
        assert canary not in pdf_text, place
        assert canary not in model_text, place


@pytest.mark.parametrize("variant", ["panel", "supervisor"])
def test_full_copies_keep_every_canary(exports, variant):
    docx_body = read_docx(exports[f"{variant}.docx"]).body
    pdf_text = squash("".join(read_pdf(exports[f"{variant}.pdf"])))
    for place, canary in exports["canaries"].items():
        assert canary in docx_body, place
        assert canary in pdf_text, place


def test_applicant_copy_notes_each_removal_and_ends_with_comments(exports):
    body = read_docx(exports["applicant.docx"]).body
    assert body.count(REMOVED_NOTE) == len(CONFIDENTIAL_SECTIONS)
    assert squash(REMOVED_NOTE) in squash("".join(read_pdf(exports["applicant.pdf"])))
    headings = [t for _, t in read_docx(exports["applicant.docx"]).heading_texts]
    # the applicants write their comments before anyone signs
    assert headings[-2:] == ["Applicants' comments", "Signatures"]
    assert headings.count("Applicants' comments") == 1


@pytest.mark.parametrize("variant", VARIANTS)
def test_marking_and_page_numbers_on_every_pdf_page(exports, variant):
    pages = read_pdf(exports[f"{variant}.pdf"])
    assert 20 <= len(pages) <= 90  # about 15,000 words with tables
    for number, text in enumerate(pages, start=1):
        assert "OFFICIAL-SENSITIVE" in text, number
        assert exports["case"].reference in text, number
        assert f"Page {number} of {len(pages)}" in text, number


@pytest.mark.parametrize("variant", VARIANTS)
def test_docx_header_is_marking_and_reference_only(exports, variant):
    case = exports["case"]
    text = read_docx(exports[f"{variant}.docx"])
    assert text.headers, "no header"
    people = [a.first_name for a in case.applicants] + [m.name.split()[0] for m in case.household]
    for header, footer in zip(text.headers, text.footers, strict=True):
        assert "OFFICIAL-SENSITIVE" in header and case.reference in header
        assert "Page" in footer
        for name in people:
            assert name not in header and name not in footer


@pytest.mark.parametrize("variant", VARIANTS)
def test_no_person_named_in_pdf_headers_or_footers(exports, variant):
    case = exports["case"]
    people = [a.first_name for a in case.applicants] + [m.name.split()[0] for m in case.household]
    margins = pdf_margin_text(exports[f"{variant}.pdf"])
    assert all("OFFICIAL-SENSITIVE" in m for m in margins)  # the reader found the header
    for text in margins:
        for name in people:
            assert name not in text


def test_supervisor_draft_has_watermark_version_status_and_annex(exports):
    pages = read_pdf(exports["supervisor.pdf"])
    case = exports["case"]
    version = case.updated_at.strftime("%Y%m%d-%H%M")
    for text in pages:
        assert "DRAFT" in text
        assert version in text and "20 Nov 2026" in text
    joined = squash("".join(pages))
    assert squash("Status: ready for review") in joined or squash("Status: drafting") in joined
    assert squash("Annex: readiness for panel") in joined
    body = read_docx(exports["supervisor.docx"])
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(exports["supervisor.docx"])) as z:
        headers = [z.read(n).decode() for n in z.namelist() if n.startswith("word/header")]
    assert headers and all('string="DRAFT"' in h for h in headers)  # Word's watermark
    assert version in body.footers[0]
    assert "Annex: readiness for panel" in [t for _, t in body.heading_texts]


def test_panel_copy_has_no_draft_marks(exports):
    joined = "".join(read_pdf(exports["panel.pdf"]))
    assert "DRAFT" not in joined and "Status:" not in joined


def test_tables_for_household_chronology_and_matching(exports):
    import io

    import docx

    document = docx.Document(io.BytesIO(exports["panel.docx"]))
    first_rows = [[c.text for c in t.rows[0].cells] for t in document.tables]
    assert ["Name", "Relationship", "Age", "Lives at home", "Notes"] in first_rows
    assert ["Date", "Event"] in first_rows
    assert ["Consideration", "Answer"] in first_rows
    household = next(t for t in document.tables if t.rows[0].cells[0].text == "Name")
    assert household.rows[1].cells[0].text == exports["case"].household[0].name


def test_docx_has_a_toc_field_and_page_fields(exports):
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(exports["panel.docx"])) as z:
        document = z.read("word/document.xml").decode()
        footer = "".join(z.read(n).decode() for n in z.namelist() if "footer" in n)
        settings = z.read("word/settings.xml").decode()
    assert 'TOC \\o "1-' in document
    assert 'w:instr="PAGE"' in footer and 'w:instr="NUMPAGES"' in footer
    assert "updateFields" in settings


def test_pdf_embeds_its_fonts(exports):
    import io

    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(exports["panel.pdf"]))
    for page in reader.pages[:5]:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            assert "Helvetica" not in str(font["/BaseFont"])
            descriptor = (
                font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
                if "/DescendantFonts" in font
                else font["/FontDescriptor"]
            )
            assert "/FontFile2" in descriptor.get_object()


def test_markdown_becomes_real_bold_italic_and_lists(exports):
    import io

    import docx

    document = docx.Document(io.BytesIO(exports["panel.docx"]))
    bold = [r.text for p in document.paragraphs for r in p.runs if r.bold]
    italic = [r.text for p in document.paragraphs for r in p.runs if r.italic]
    assert "Analysis:" in bold  # "**Analysis:**" in the demo prose
    assert italic
    assert not any("**" in p.text for p in document.paragraphs)
    assert any(p.style.name == "List Bullet" for p in document.paragraphs)
