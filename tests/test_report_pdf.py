"""The PDF writer read back with pypdf: navigation, page marks, keeping headings with
their text, table cells, pictures. On the real PAR of the demo case and on documents
built here with every kind of block (``report_documents``)."""

from __future__ import annotations

import io
import random
import re
from datetime import date

import pypdf
import pytest
from pdf_checks import Target, lines, links, squash, targets
from report_documents import (
    CONFIDENTIAL,
    GPS_CANARY,
    INCOMPLETE,
    VERSION,
    drawing_png,
    prose,
    rich_document,
)

from homestudy.demo import build_demo_case
from homestudy.forms import load_library
from homestudy.report import build_par_document, render
from homestudy.report.docmodel import (
    Document,
    Heading,
    Image,
    PageBreak,
    SectionBreak,
    TableOfContents,
)
from homestudy.report.layout import PAGE_HEIGHT, heading_text, margins

TODAY = date(2026, 11, 20)
VARIANTS = ("panel", "applicant", "supervisor")


@pytest.fixture(scope="module")
def pdfs() -> dict[str, tuple[Document, bytes]]:
    case = build_demo_case(TODAY)
    lib = load_library()
    out = {}
    for variant in VARIANTS:
        doc = build_par_document(case, variant, forms=lib, today=TODAY)
        out[variant] = (doc, render(doc, "pdf"))
    rich = rich_document(watermark="DRAFT")
    out["rich"] = (rich, render(rich, "pdf"))
    return out


def _heading_line(data: bytes, target: Target) -> tuple[float, str]:
    """The line on the target's page that starts the heading, and its baseline."""
    want = squash(target.title)[:25]
    for y, _x, text in lines(data, target.page):
        if squash(text).startswith(want):
            return y, text
    raise AssertionError(f"“{target.title}” is not on page {target.page + 1}")


@pytest.mark.parametrize("name", [*VARIANTS, "rich"])
def test_every_outline_entry_lands_on_its_heading(pdfs, name):
    doc, data = pdfs[name]
    found = targets(data)
    assert [t.title for t in found] == [heading_text(h.number, h.text) for h in doc.headings()]
    for target in found:
        y, _ = _heading_line(data, target)
        # the destination is the heading's top: its first baseline is just below
        assert 0 < target.top - y < 45, (target.title, target.top, y)


@pytest.mark.parametrize("name", [*VARIANTS, "rich"])
def test_every_contents_link_lands_on_its_heading(pdfs, name):
    doc, data = pdfs[name]
    by_place = {(t.page, round(t.top, 1)): t for t in targets(data)}
    found = links(data)
    # the contents list Parts and sections (the demo PAR has no Parts yet)
    listed = [h for h in doc.headings() if h.level <= 1]
    assert len(found) == 2 * len(listed)  # the entry's words and its page number
    for link in found:
        target = by_place.get((link.dest_page, round(link.dest_top, 1)))
        assert target is not None, f"a link on page {link.page + 1} goes nowhere"
        _heading_line(data, target)  # and the heading is there
        # the contents line the link sits on names that heading and its page
        line = [
            text
            for y, _x, text in lines(data, link.page)
            if link.rect[1] - 2 <= y <= link.rect[3] + 2
            and squash(text).startswith(squash(target.title)[:25])
        ]
        assert len(line) == 1, (target.title, link.page)
        assert re.search(rf"\b{link.dest_page + 1}\s*$", line[0]), line[0]


def _body_lines(doc: Document, data: bytes, page: int) -> list[tuple[float, str]]:
    """The page's lines less its header, footer and watermark."""
    top, bottom = margins(doc, "")
    marks = [m for m in (doc.marking, doc.incomplete_mark, CONFIDENTIAL, doc.watermark) if m]
    return [
        (y, text)
        for y, _x, text in lines(data, page)
        if bottom - 5 < y < PAGE_HEIGHT - top + 5
        and not any(m in text for m in marks)
        and squash(text) != squash(doc.watermark or "-")
    ]


def _many_sections() -> Document:
    """Headings at every height of the page: sure to meet the foot of some pages."""
    rng = random.Random(3)
    doc = Document(reference="HS-TEST-0002", title="Sections", variant_label="Panel copy")
    for n in range(70):
        doc.blocks.append(Heading(1, f"Section heading {n}", f"s{n}"))
        if n % 7 == 3:
            doc.table(["Name", "Notes"], [["Row one", prose(12, n)], ["Row two", "x"]])
        if n % 5 == 1:
            doc.blocks.append(Heading(2, f"Subheading {n}", f"s{n}b"))
        if n % 11 == 4:  # a picture straight after a heading stays with it
            doc.blocks.append(Image(drawing_png(600, 300), "image/png", f"Drawing {n}", 10))
        doc.para(prose(rng.randrange(20, 170), n))
    return doc


@pytest.mark.parametrize("name", ["panel", "rich", "many"])
def test_no_heading_is_left_alone_at_the_foot_of_a_page(pdfs, name):
    doc, data = pdfs[name] if name in pdfs else (_many_sections(), None)
    data = data or render(doc, "pdf")
    checked = 0
    for target in targets(data):
        y, _ = _heading_line(data, target)
        below = [text for line_y, text in _body_lines(doc, data, target.page) if line_y < y - 1]
        assert below, f"“{target.title}” ends page {target.page + 1}"
        checked += 1
    assert checked == len(doc.headings())


def test_marks_top_and_bottom_of_every_page(pdfs):
    doc, data = pdfs["rich"]
    reader = pypdf.PdfReader(io.BytesIO(data))
    confidential_pages = set()
    for page in range(len(reader.pages)):
        top, bottom = margins(doc, "")
        page_lines = lines(data, page)
        head = " ".join(t for y, _x, t in page_lines if y > PAGE_HEIGHT - top - 10)
        foot = " ".join(t for y, _x, t in page_lines if y < bottom + 10)
        assert "OFFICIAL-SENSITIVE" in head and "OFFICIAL-SENSITIVE" in foot, page
        assert INCOMPLETE in head and INCOMPLETE in foot, page
        assert VERSION in foot and doc.reference in head, page
        assert f"Page {page + 1} of {len(reader.pages)}" in foot
        if CONFIDENTIAL in head:
            assert CONFIDENTIAL in foot
            confidential_pages.add(page)
    part = {t.title: t.page for t in targets(data)}
    start, end = part["12 Statutory checks and references"], part["13 Signatures"]
    assert confidential_pages == set(range(start, end)), "the running mark is on its part only"
    # the confidential part starts its own page: its heading is the page's first line
    first = _body_lines(doc, data, start)[0][1]
    assert squash(first).startswith(squash("12 Statutory checks"))


def test_incomplete_mark_on_every_page_of_the_demo_par(pdfs):
    doc, _ = pdfs["panel"]
    doc.incomplete_mark = INCOMPLETE
    data = render(doc, "pdf")
    reader = pypdf.PdfReader(io.BytesIO(data))
    for n, page in enumerate(reader.pages):
        assert page.extract_text().count(INCOMPLETE) == 2, n + 1  # header and footer
    doc.incomplete_mark = ""


def test_breaks_never_make_a_blank_page():
    doc = Document(reference="HS-TEST-0003", title="Breaks", variant_label="Panel copy")
    doc.blocks += [
        SectionBreak("A mark"),
        PageBreak(),
        TableOfContents(),
        PageBreak(),
        PageBreak(),
        SectionBreak(CONFIDENTIAL),
        PageBreak(),
        Heading(0, "Part 1", "p1"),
        Heading(1, "One", "one"),
    ]
    doc.para(prose(30))
    doc.blocks += [
        PageBreak(),
        Heading(0, "Part 2", "p2"),
        SectionBreak(""),
        Heading(1, "Two", "two"),
    ]
    doc.para(prose(30))
    data = render(doc, "pdf")
    pages = len(pypdf.PdfReader(io.BytesIO(data)).pages)
    assert pages == 4  # contents, Part 1, Part 2, section Two: nothing blank
    for page in range(pages):
        assert _body_lines(doc, data, page), f"page {page + 1} is blank"
    head = [" ".join(t for _y, _x, t in lines(data, p)[:3]) for p in range(pages)]
    assert "A mark" in head[0] and CONFIDENTIAL in head[1] and CONFIDENTIAL in head[2]
    assert CONFIDENTIAL not in head[3]


def test_table_cells_never_break_a_word():
    doc = Document(reference="HS-TEST-0004", title="Tables", variant_label="Panel copy")
    words = [
        "conversational",
        "Completed",
        "Information",
        "disclosed",
        "Relationship",
        "Interviewed",
        "Grandparents",
        "Neighbourhood",
        "approximately",
    ]
    rng = random.Random(5)
    # six columns, each holding the longest words: they just fit the page's width
    rows = [[" ".join(rng.sample(words, 3)) for _ in range(6)] for _ in range(12)]
    rows += [words[:6], words[3:]]
    doc.table(["Date", "Visit", "Mode", "Who was seen", "Outcome", "Notes"], rows)
    data = render(doc, "pdf")
    pages = len(pypdf.PdfReader(io.BytesIO(data)).pages)
    tokens = {
        token
        for page in range(pages)
        for _y, _x, text in lines(data, page)
        for token in text.split()
    }
    for word in words:
        assert word in tokens, word
    assert not [t for t in tokens if t.endswith("-")], "a cell word was hyphenated"


def test_a_word_too_long_for_any_column_breaks_at_a_syllable():
    doc = Document(reference="HS-TEST-0005", title="Tables", variant_label="Panel copy")
    doc.table(
        ["A", "B", "C", "D", "E", "F"],
        [
            [
                "Pneumonoultramicroscopicsilicovolcanoconiosis",
                "Completed",
                "Information",
                "x",
                "Antidisestablishmentarianism",
                "conversational",
            ]
        ],
    )
    text = " ".join(t for _y, _x, t in lines(render(doc, "pdf"), 0))
    for word in ("Completed", "Information", "conversational"):
        assert word in text.split(), word  # the others stay whole
    # the long one breaks where the en-GB dictionary allows, with a hyphen
    word = "Pneumonoultramicroscopicsilicovolcanoconiosis"
    head = next(t for t in text.split() if t.endswith("-") and word.startswith(t[:-1]))
    assert word.removeprefix(head[:-1]) in text.split()
    assert head[:-1] in _dictionary_prefixes(word)


def _dictionary_prefixes(word: str) -> set[str]:
    import pyphen

    return {word[:n] for n in pyphen.Pyphen(lang="en_GB").positions(word)}


def test_pictures_are_drawn_with_their_alternative_text(pdfs):
    _, data = pdfs["rich"]
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = squash(" ".join(p.extract_text() for p in reader.pages))
    assert squash("Picture: Photograph of the applicants") in text
    assert squash("Picture: Family tree of the household") in text
    images = [img for page in reader.pages for img in page.images]
    assert len(images) == 2
    assert GPS_CANARY.encode() not in data  # the photo's EXIF (camera, GPS) is gone


def test_pdf_says_its_language_title_and_maker(pdfs):
    doc, data = pdfs["panel"]
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    assert reader.metadata.title == f"{doc.title} — {doc.reference}"
    assert reader.metadata.producer == "HomeStudy" and reader.metadata.creator == "HomeStudy"


def test_labels_read_as_words_not_identifiers(pdfs):
    _, data = pdfs["panel"]
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages)
    assert "Dbs" not in text and "Ex partner" not in text
    assert "Enhanced DBS" in text and "Ex-partner" in text
