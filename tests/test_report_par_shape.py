"""The shape of the CoramBAAF PAR in the exports: the front sheet, the Parts and their
numbers, the confidential part on pages of its own with its running mark, the pictures
the worker chose, the team manager's comments, and the applicants' comments (before
the signatures, with the date they are due back). Read back with python-docx, pypdf
and pdftotext."""

from __future__ import annotations

import io
import subprocess
from datetime import date
from pathlib import Path

import docx
import pypdf
import pytest
from report_documents import drawing_png, photo_jpeg
from report_helpers import pdf_outline_titles, read_docx, read_pdf, squash

from homestudy.demo import build_demo_case
from homestudy.forms import load_library
from homestudy.model import Attachment, ChecklistAnswer, ParSectionDraft
from homestudy.report import ReportExtras, build_par_document, render
from homestudy.timeline import TimelineRules
from homestudy.workdays import add_working_days

TODAY = date(2026, 11, 20)
MARK = "CONFIDENTIAL – not to be shared with the applicants"
AGENCY = "Family Adoption Links"
MANAGER = "Samuel Okafor"
MANAGER_WORDS = "I have read this report and agree with its recommendation"
VARIANTS = ("panel", "applicant", "supervisor")


def _picture(
    case, field: str, name: str, data: bytes, media_type: str, alt: str, images: dict[str, bytes]
) -> None:
    att = Attachment(name, media_type, len(data), "0" * 64, description=alt)
    case.attachments.append(att)
    setattr(case, field, att.id)
    images[att.id] = data


@pytest.fixture(scope="module")
def made() -> dict[str, object]:
    """The demo case with a photograph, family tree and eco-map chosen, a recommendation,
    the manager's comments and countersignature, in every variant and format."""
    case = build_demo_case(TODAY)
    images: dict[str, bytes] = {}
    _picture(
        case,
        "photo_attachment_id",
        "us.jpg",
        photo_jpeg(1200, 900),
        "image/jpeg",
        "Hannah and Daniel in their garden",
        images,
    )
    _picture(
        case,
        "family_tree_attachment_id",
        "tree.png",
        drawing_png(900, 600),
        "image/png",
        "Family tree drawn with the applicants",
        images,
    )
    _picture(
        case,
        "ecomap_attachment_id",
        "eco.png",
        drawing_png(800, 800),
        "image/png",
        "Eco-map of the applicants' support network",
        images,
    )
    lib = load_library()
    case.checklist_answers += [
        ChecklistAnswer("par_england", 1, "recommended_outcome", "approve"),
        ChecklistAnswer(
            "par_england",
            1,
            "signatories",
            {"role": "manager", "name": MANAGER, "signed_on": "2026-11-18"},
            row=0,
        ),
    ]
    case.par_sections["manager_comments"] = ParSectionDraft("manager_comments", MANAGER_WORDS + ".")
    extras = ReportExtras(images, AGENCY)
    out: dict[str, object] = {"case": case, "lib": lib}
    for variant in VARIANTS:
        doc = build_par_document(case, variant, forms=lib, today=TODAY, extras=extras)
        out[f"{variant}.model"] = doc
        out[f"{variant}.docx"] = render(doc, "docx")
        out[f"{variant}.pdf"] = render(doc, "pdf")
    return out


def _pdftotext(data: bytes, tmp: Path, first: int, last: int) -> str:
    path = tmp / "par.pdf"
    path.write_bytes(data)
    result = subprocess.run(
        ["pdftotext", "-f", str(first), "-l", str(last), str(path), "-"],
        capture_output=True,
        check=True,
        text=True,
    )
    return result.stdout


@pytest.mark.parametrize("variant", VARIANTS)
def test_front_sheet_is_page_one_with_names_recommendation_and_people(made, variant, tmp_path):
    page1 = squash(_pdftotext(made[f"{variant}.pdf"], tmp_path, 1, 1))
    for words in (
        "Name(s) of adopters",
        "Hannah Whitfield and Daniel Mensah",
        "Social worker's recommendation",
        "Suitable to adopt",
        "Name of social worker",
        "Priya Raman",
        AGENCY,
        "Team manager",
        MANAGER,
        "Interest in Fostering for Adoption",
        "Stage 2 started",
        "Panel date",
    ):
        assert squash(words) in page1, words
    # the recommendation is on page 1, not under an invented title further on
    assert "Cover: applicants" not in squash("".join(read_pdf(made[f"{variant}.pdf"])))


@pytest.mark.parametrize("variant", VARIANTS)
def test_parts_and_numbered_sections_in_docx_and_pdf(made, variant):
    headings = read_docx(made[f"{variant}.docx"]).heading_texts
    outline = pdf_outline_titles(made[f"{variant}.pdf"])
    for style, text in (
        ("Heading 1", "Part 1 – Assessment report"),
        ("Heading 2", "1.1 The assessment process"),
        ("Heading 2", "1.17 Team manager's comments and countersignature"),
        ("Heading 1", "Part 2 – Factual information"),
        ("Heading 2", "2.1 Factual information"),
        ("Heading 2", "2.2 Medical adviser's summary"),
        ("Heading 1", "Part 2 – Confidential information"),
        ("Heading 2", "2.3 Statutory checks"),
    ):
        assert (style, text) in headings, text
        assert text in outline, text
    texts = [t for _, t in headings]
    assert (
        texts.index("Part 1 – Assessment report")
        < texts.index("Part 2 – Factual information")
        < texts.index("Part 2 – Confidential information")
    )


def _mark_pages(data: bytes) -> list[bool]:
    return [squash(MARK) in squash(t) for t in read_pdf(data)]


@pytest.mark.parametrize("variant", ["panel", "supervisor"])
def test_confidential_part_on_its_own_pages_with_its_mark(made, variant):
    data = made[f"{variant}.pdf"]
    pages = [squash(t) for t in read_pdf(data)]
    start = next(
        i
        for i, t in enumerate(pages)
        if squash("Part 2 – Confidential information") in t
        and squash("2.3 Statutory checks") in t
        and "Contents" not in t
    )
    end = next(
        i for i, t in enumerate(pages) if squash("Applicants' comments") in t and i > start
    )  # the part after it
    marked = _mark_pages(data)
    assert not any(marked[:start])  # nothing before it carries the mark
    assert all(marked[start:end])  # every page of it does
    assert not any(marked[end:])
    # it starts on a page of its own: the factual information ends on the page before
    assert squash("Income and finances") not in pages[start]
    assert squash("Income and finances") in "".join(pages[:start])
    # header and footer both: the mark is printed twice on each of its pages
    reader = pypdf.PdfReader(io.BytesIO(data))
    for n in range(start, end):
        assert reader.pages[n].extract_text().count(MARK) == 2, n


def test_confidential_part_is_its_own_word_section(made):
    document = docx.Document(io.BytesIO(made["panel.docx"]))
    marked = [
        MARK in "".join(p.text for p in s.header.paragraphs)
        and MARK in "".join(p.text for p in s.footer.paragraphs)
        for s in document.sections
    ]
    assert marked.count(True) == 1
    at = marked.index(True)
    assert at > 0 and not marked[at - 1]
    assert document.sections[at].start_type == docx.enum.section.WD_SECTION.NEW_PAGE


def test_applicants_copy_has_no_confidential_mark_or_content(made):
    assert not any(_mark_pages(made["applicant.pdf"]))
    assert not any(MARK in h for h in read_docx(made["applicant.docx"]).headers)


@pytest.mark.parametrize("variant", VARIANTS)
def test_pictures_embedded_with_alt_text(made, variant):
    document = docx.Document(io.BytesIO(made[f"{variant}.docx"]))
    alts = [shape._inline.docPr.get("descr") for shape in document.inline_shapes]
    assert alts == [
        "Hannah and Daniel in their garden",
        "Family tree drawn with the applicants",
        "Eco-map of the applicants' support network",
    ]
    reader = pypdf.PdfReader(io.BytesIO(made[f"{variant}.pdf"]))
    assert len(reader.pages[0].images) == 1  # the photograph on the front sheet
    assert sum(len(p.images) for p in reader.pages) == 3
    text = squash("".join(read_pdf(made[f"{variant}.pdf"])))
    for alt in alts:
        assert squash(alt) in text  # the alt text rides over the picture


def test_manager_comments_and_countersignature_before_signatures(made):
    for variant in VARIANTS:  # shown in every copy unless the form marks it confidential
        body = read_docx(made[f"{variant}.docx"]).body
        assert MANAGER_WORDS in body, variant
        texts = [t for _, t in read_docx(made[f"{variant}.docx"]).heading_texts]
        assert texts.index("1.17 Team manager's comments and countersignature") < texts.index(
            "Signatures"
        )
        model = made[f"{variant}.model"].plain_text()
        assert f"{MANAGER} 18 Nov 2026" in model  # the countersignature's row


def test_applicants_copy_comments_come_before_signatures_with_due_date(made):
    case = made["case"]
    rules = TimelineRules()
    due = add_working_days(
        case.applicant_copy_shared_on or TODAY, rules.par_to_applicants_working_days
    )
    headings = [t for _, t in read_docx(made["applicant.docx"]).heading_texts]
    assert headings.index("Applicants' comments") == headings.index("Signatures") - 1
    expected = f"Please return your comments by {due.strftime('%-d %b %Y')}."
    assert expected in read_docx(made["applicant.docx"]).body
    assert squash(expected) in squash("".join(read_pdf(made["applicant.pdf"])))
    for variant in ("panel", "supervisor"):
        assert "Please return your comments" not in made[f"{variant}.model"].plain_text()


def test_due_date_counts_working_days_from_the_day_shared():
    case = build_demo_case(TODAY)
    case.applicant_copy_shared_on = date(2026, 12, 18)  # Friday; Christmas in between
    rules = TimelineRules(par_to_applicants_working_days=5)
    doc = build_par_document(case, "applicant", forms=load_library(), today=TODAY, rules=rules)
    # 21, 22, 23, 24 Dec, then 29 Dec (25, 28 bank holidays; 26, 27 the weekend)
    assert "Please return your comments by 29 Dec 2026." in doc.plain_text()


def test_a_picture_no_longer_attached_is_left_out():
    case = build_demo_case(TODAY)
    case.photo_attachment_id = "gone"
    doc = build_par_document(
        case,
        "panel",
        forms=load_library(),
        today=TODAY,
        extras=ReportExtras({"gone": photo_jpeg()}),
    )
    assert not [b for b in doc.blocks if type(b).__name__ == "Image"]


@pytest.mark.parametrize("variant", VARIANTS)
def test_factual_information_reads_the_case_records(made, variant):
    """Daniel's ex-partner (the significant others' table) is his previous relationship;
    a date of birth reads date first; an area's start date never stands alone."""
    docx_words = squash(read_docx(made[f"{variant}.docx"]).body)
    pdf_words = squash(" ".join(read_pdf(made[f"{variant}.pdf"])))
    named = "Claire Robson, ex-partner" if variant != "applicant" else "An ex-partner"
    for words in (
        f"Previous marriages, civil partnerships and relationships{named} "
        "(lived together, children together)",
        "Date of birth2 Sep 1983 (age 43)",
        "Date of birth14 Mar 1987 (age 39)",
        "Local authority areaArea not recorded (since 1 Aug 2014)",
    ):
        assert squash(words) in docx_words, words
        assert squash(words) in pdf_words, words
    if variant == "applicant":  # the applicants' copy names no ex-partner here
        assert squash("Claire Robson, ex-partner") not in pdf_words + docx_words
    assert squash("areasince") not in pdf_words and squash("43 (born") not in pdf_words
