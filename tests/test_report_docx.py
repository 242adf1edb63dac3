"""The .docx writer read back with python-docx and as the package's XML: styles and
language, Word numbering, the contents with page numbers, sections and their marks,
the watermark, tables, pictures, file properties, and an agency's own template."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime, timedelta

import docx
import pytest
from docx.oxml.ns import qn
from pdf_checks import targets
from report_documents import CONFIDENTIAL, GPS_CANARY, INCOMPLETE, VERSION, rich_document

from homestudy.demo import build_demo_case
from homestudy.errors import ExportError
from homestudy.forms import load_library
from homestudy.report import build_par_document, export_par, render
from homestudy.report.docx import render_docx
from homestudy.report.docx_template import TEMPLATE_NAME, agency_template
from homestudy.report.layout import BODY_WIDTH

TODAY = date(2026, 11, 20)
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def made() -> dict[str, object]:
    case = build_demo_case(TODAY)
    lib = load_library()
    out: dict[str, object] = {"case": case}
    for variant in ("panel", "supervisor"):
        doc = build_par_document(case, variant, forms=lib, today=TODAY)
        out[variant] = (doc, render(doc, "docx"), render(doc, "pdf"))
    rich = rich_document(watermark="DRAFT")
    out["rich"] = (rich, render(rich, "docx"), render(rich, "pdf"))
    return out


def _part(data: bytes, name: str) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return package.read(name).decode("utf-8")


def _names(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return package.namelist()


def _open(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


def test_proofing_language_is_en_gb_everywhere(made):
    _, data, _ = made["panel"]
    styles = _part(data, "word/styles.xml")
    assert 'w:lang w:val="en-GB"' in styles
    assert "en-US" not in styles and "en-US" not in _part(data, "word/settings.xml")
    document = _open(data)
    defaults = document.styles.element.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
    assert defaults.get(qn("w:val")) == "en-GB"
    assert document.core_properties.language == "en-GB"


def test_lists_use_word_numbering(made):
    _, data, _ = made["rich"]
    document = _open(data)
    listed = [p for p in document.paragraphs if p.style.name.startswith("List ")]
    assert len(listed) == 8
    for paragraph in listed:
        num_pr = paragraph._p.pPr.numPr
        assert num_pr is not None and num_pr.numId is not None, paragraph.text
        assert not paragraph.text[:2].rstrip(".").isdigit()  # no typed "1."
    numbering = document.part.numbering_part.element
    names = {a.find(f"{W}name").get(qn("w:val")): a for a in numbering.findall(f"{W}abstractNum")}
    assert {"HomeStudy bullets", "HomeStudy numbers"} <= set(names)
    assert names["HomeStudy bullets"].find(f"{W}lvl/{W}numFmt").get(qn("w:val")) == "bullet"
    assert names["HomeStudy numbers"].find(f"{W}lvl/{W}numFmt").get(qn("w:val")) == "decimal"
    numbered = [p for p in listed if p.style.name == "List Number"]
    starts = {}
    for paragraph in numbered:
        num_id = paragraph._p.pPr.numPr.numId.val
        num = numbering.num_having_numId(num_id)
        override = num.find(f"{W}lvlOverride/{W}startOverride")
        starts.setdefault(num_id, int(override.get(qn("w:val"))))
    assert sorted(starts.values()) == [1, 3]  # "3. 4." then a new list "1. 2."
    nested = next(p for p in listed if p.text == "Nested under the second")
    assert nested._p.pPr.numPr.ilvl.val == 1 and nested.style.name == "List Bullet 2"


@pytest.mark.parametrize("name", ["panel", "rich"])
def test_contents_are_filled_in_with_links_and_pdf_page_numbers(made, name):
    doc, data, pdf = made[name]
    body = _part(data, "word/document.xml")
    assert 'TOC \\o "' in body
    document = _open(data)
    entries = [p for p in document.paragraphs if p.style.name in ("TOC 1", "TOC 2")]
    pages = {t.title: t.page + 1 for t in targets(pdf)}
    bookmarks = {b.get(qn("w:name")): b for b in document.element.body.iter(f"{W}bookmarkStart")}
    listed = [h for h in doc.headings() if h.level <= 1]
    assert len(entries) == len(listed)
    for entry in entries:
        link = entry._p.find(f"{W}hyperlink")
        anchor = link.get(qn("w:anchor"))
        texts = [t.text for t in link.iter(f"{W}t")]
        title, page = texts[0], texts[-1]
        assert page == str(pages[title]), title  # the PDF layout's page, filled in
        heading = bookmarks[anchor].getparent()  # the bookmark sits in the heading
        assert "".join(t.text for t in heading.iter(f"{W}t")) == title
        assert f"PAGEREF {anchor}" in "".join(i.text for i in link.iter(f"{W}instrText"))


def _headers_footers(document: docx.document.Document) -> list[tuple[str, str]]:
    return [
        (
            "\n".join(p.text for p in s.header.paragraphs),
            "\n".join(p.text for p in s.footer.paragraphs),
        )
        for s in document.sections
    ]


def test_every_section_has_its_marks_top_and_bottom(made):
    doc, data, _ = made["rich"]
    document = _open(data)
    parts = _headers_footers(document)
    assert len(parts) == 3  # before, the confidential part, after
    for n, (header, footer) in enumerate(parts):
        section = document.sections[n]
        assert not section.header.is_linked_to_previous
        assert not section.footer.is_linked_to_previous
        assert "OFFICIAL-SENSITIVE" in header and "OFFICIAL-SENSITIVE" in footer
        assert INCOMPLETE in header and INCOMPLETE in footer
        assert doc.reference in header and VERSION in footer and "Page" in footer
        assert (CONFIDENTIAL in header) is (n == 1) and (CONFIDENTIAL in footer) is (n == 1)
    starts = [s.start_type for s in document.sections[1:]]
    assert all(str(s).startswith("NEW_PAGE") for s in starts)
    # the confidential section holds the confidential part and begins with its heading
    body = document.element.body
    first = next(
        p
        for p in document.paragraphs
        if p.text.startswith("12 Statutory") and p.style.name == "Heading 2"
    )
    previous = first._p.getprevious()  # the paragraph that ends the section before
    assert previous.find(f"{W}pPr/{W}sectPr") is not None and previous.getparent() is body


def test_incomplete_mark_in_every_header_and_footer_of_the_demo_par(made):
    doc, _, _ = made["panel"]
    doc.incomplete_mark = INCOMPLETE
    try:
        document = _open(render(doc, "docx"))
    finally:
        doc.incomplete_mark = ""
    for header, footer in _headers_footers(document):
        assert INCOMPLETE in header and INCOMPLETE in footer


def _watermarks(data: bytes) -> list[str]:
    out = []
    for name in _names(data):
        if name.startswith("word/header"):
            xml = _part(data, name)
            if "PowerPlusWaterMarkObject" in xml:
                out.append(xml)
    return out


def test_draft_watermark_is_a_word_watermark_in_every_section(made):
    _, supervisor, _ = made["supervisor"]
    marks = _watermarks(supervisor)
    assert len(marks) == len(_open(supervisor).sections) >= 1
    assert all('string="DRAFT"' in m and "_x0000_t136" in m for m in marks)
    assert len(_watermarks(made["rich"][1])) == 3  # one per section
    assert _watermarks(made["panel"][1]) == []
    for header, _ in _headers_footers(_open(supervisor)):
        assert "DRAFT" not in header  # a watermark, not header text


def test_tables_keep_rows_whole_and_repeat_their_header(made):
    _, data, _ = made["panel"]
    document = _open(data)
    tables = [t for t in document.tables if len(t.rows) > 1 and len(t.columns) > 1]
    assert len(tables) >= 5
    for table in tables:
        rows = table._tbl.findall(f"{W}tr")
        assert all(r.find(f"{W}trPr/{W}cantSplit") is not None for r in rows)
        assert rows[0].find(f"{W}trPr/{W}tblHeader") is not None
        assert all(r.find(f"{W}trPr/{W}tblHeader") is None for r in rows[1:])
        grid = [int(c.get(qn("w:w"))) for c in table._tbl.findall(f"{W}tblGrid/{W}gridCol")]
        assert abs(sum(grid) - BODY_WIDTH * 20) < len(grid) + 1  # the page's width, in twips


def test_named_styles_for_analysis_and_notes(made):
    _, data, _ = made["rich"]
    document = _open(data)
    styles = {p.style.name for p in document.paragraphs}
    assert {"Analysis", "Note", "Heading 1", "Heading 2", "Heading 3", "Caption"} <= styles
    analysis = document.styles["Analysis"]
    assert analysis.type == 1 and analysis.quick_style  # in the gallery, restylable
    # the look is the style's, not each paragraph's: restyling changes every one
    for paragraph in document.paragraphs:
        if paragraph.style.name in ("Analysis", "Note"):
            for run in paragraph.runs:
                assert run.font.size is None and run.font.color.rgb is None


def test_pictures_are_embedded_with_their_alternative_text(made):
    _, data, _ = made["rich"]
    document = _open(data)
    shapes = list(document.inline_shapes)
    assert len(shapes) == 2
    described = {s._inline.docPr.get("descr") for s in shapes}
    assert described == {"Photograph of the applicants", "Family tree of the household"}
    photo = next(s for s in shapes if s._inline.docPr.get("descr").startswith("Photograph"))
    assert abs(photo.width.cm - 8.0) < 0.05  # scaled to the width asked for
    media = [n for n in _names(data) if n.startswith("word/media/")]
    assert len(media) == 2
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        for name in media:
            assert GPS_CANARY.encode() not in package.read(name)  # EXIF (GPS) stripped


def test_file_properties_are_homestudys_and_dated_now(made):
    doc, data, _ = made["panel"]
    props = _open(data).core_properties
    now = datetime.now(UTC)
    for moment in (props.created.replace(tzinfo=UTC), props.modified.replace(tzinfo=UTC)):
        assert now - timedelta(minutes=5) < moment <= now + timedelta(seconds=5)
    assert props.last_modified_by == "HomeStudy" and props.author == doc.author
    assert "python-docx" not in _part(data, "docProps/core.xml")
    app = _part(data, "docProps/app.xml")
    assert "<Application>HomeStudy</Application>" in app
    every = "".join(_part(data, n) for n in _names(data) if n.endswith((".xml", ".rels")))
    assert "Macintosh" not in every and "thumbnail" not in every.lower()
    assert not [n for n in _names(data) if "thumbnail" in n or "stylesWithEffects" in n]


def _agency_template(tmp_path):
    """A Word document an agency might make: its own body font and a logo in the header."""
    from report_documents import drawing_png

    template = docx.Document()
    template.styles["Normal"].font.name = "Georgia"
    header = template.sections[0].header.paragraphs[0]
    header.add_run().add_picture(io.BytesIO(drawing_png(300, 100)), width=docx.shared.Cm(3))
    header.add_run(" Acme Adoption Agency")
    template.add_paragraph("Sample text the agency left in its template.")
    folder = tmp_path / "acme"
    folder.mkdir()
    template.save(folder / TEMPLATE_NAME)
    return folder


def test_an_agency_template_brings_its_styles_and_logo(made, tmp_path):
    folder = _agency_template(tmp_path)
    path = agency_template(folder)
    assert path == folder / TEMPLATE_NAME and agency_template(tmp_path) is None
    doc, _, _ = made["rich"]
    document = _open(render_docx(doc, template=path))
    assert document.styles["Normal"].font.name == "Georgia"  # the agency's look is kept
    assert "Sample text" not in "\n".join(p.text for p in document.paragraphs)
    for n, section in enumerate(document.sections):
        header = section.header
        assert "Acme Adoption Agency" in "\n".join(p.text for p in header.paragraphs)
        blips = header._element.xpath(".//a:blip/@r:embed")
        assert blips and all(
            header.part.related_parts[b].content_type == "image/png" for b in blips
        ), n
        assert "OFFICIAL-SENSITIVE" in "\n".join(p.text for p in header.paragraphs)
    assert "Analysis" in {s.name for s in document.styles}  # ours added where missing


@pytest.mark.parametrize("content", [b"not a zip at all", b"PK\x03\x04broken zip"])
def test_an_unusable_agency_template_is_a_clear_error_and_writes_nothing(
    tmp_path, demo_case, content
):
    template = tmp_path / TEMPLATE_NAME
    template.write_bytes(content)
    out = tmp_path / "par.docx"
    with pytest.raises(ExportError) as raised:
        export_par(demo_case, "docx", "panel", out, today=TODAY, docx_template=template)
    message = str(raised.value)
    assert TEMPLATE_NAME in message and "cannot be used" in message
    assert demo_case.applicants[0].first_name not in message
    assert not out.exists()


def test_a_word_template_file_is_refused_with_advice(tmp_path, demo_case):
    source = io.BytesIO()
    docx.Document().save(source)
    with (
        zipfile.ZipFile(io.BytesIO(source.getvalue())) as old,
        zipfile.ZipFile(tmp_path / TEMPLATE_NAME, "w") as new,
    ):
        for item in old.infolist():
            data = old.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"document.main+xml", b"template.main+xml")
            new.writestr(item, data)
    with pytest.raises(ExportError, match="Word template"):
        export_par(
            demo_case,
            "docx",
            "panel",
            tmp_path / "par.docx",
            today=TODAY,
            docx_template=tmp_path / TEMPLATE_NAME,
        )


def test_the_assessors_analysis_paragraphs_take_the_analysis_style(made):
    _, data, _ = made["panel"]
    analysed = [p for p in _open(data).paragraphs if p.text.startswith("Analysis:")]
    assert len(analysed) >= 5
    assert all(p.style.name == "Analysis" for p in analysed)


def test_a_case_finds_its_agencys_template_through_its_profile(tmp_path, vault, demo_case):
    from homestudy.model import AgencyProfile
    from homestudy.report import docx_template_for
    from homestudy.sync import outbox

    folder = _agency_template(tmp_path)  # tmp_path/acme/report-template.docx
    profile = AgencyProfile(name="Acme Adoption", agency_id="AG-ACME", form_overrides="acme")
    outbox.add_profile(
        vault,
        outbox.ProfileState(
            profile, "", "", "", "", "", False, False, 0, "", 1, "", "", 0, "", "", ""
        ),
    )
    assert docx_template_for(vault, demo_case, tmp_path) is None  # a case of no agency
    demo_case.agency_profile_id = profile.id
    assert docx_template_for(vault, demo_case, tmp_path) == folder / TEMPLATE_NAME
    (folder / TEMPLATE_NAME).unlink()
    assert docx_template_for(vault, demo_case, tmp_path) is None  # none given: ours
    demo_case.agency_profile_id = "no such profile"
    assert docx_template_for(vault, demo_case, tmp_path) is None
