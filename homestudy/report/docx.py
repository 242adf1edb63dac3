"""Write a ``Document`` as a .docx with python-docx.

Real structure for Word and LibreOffice: Heading 1/2 styles (navigation pane), a
TOC field (pre-filled with the section titles, refreshed by Word on opening), tables
with a repeating header row, List Bullet styles, "Page X of Y" from PAGE/NUMPAGES
fields, and a header holding only the marking and the case reference. The few
elements python-docx has no API for (fields, the repeating-header flag, "update
fields on open") are built with its ``oxml`` helpers, nothing hand-written.
"""

from __future__ import annotations

import io

from docx import Document as new_docx
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph as DocxParagraph

from homestudy.report.docmodel import (
    Document,
    Heading,
    ListBlock,
    PageBreak,
    Paragraph,
    Run,
    Table,
    TableOfContents,
    WritingSpace,
)
from homestudy.report.fonts import is_rtl

ACCENT = RGBColor(0x1F, 0x38, 0x64)
GREY = RGBColor(0x59, 0x59, 0x59)
RED = RGBColor(0xC0, 0x00, 0x00)
FONT = "Calibri"
TOC_INSTRUCTION = 'TOC \\o "1-2" \\h \\z \\u'
PAGE_WIDTH_CM = 21.0
MARGIN_CM = 2.0


def render_docx(document: Document) -> bytes:
    """The document as .docx bytes (built in memory)."""
    docx = new_docx()
    _setup(docx, document)
    headings = [(h.level, h.text) for h in document.headings() if h.level <= 2]
    for block in document.blocks:
        if isinstance(block, TableOfContents):
            _toc(docx, block, headings)
        else:
            _block(docx, block)
    buffer = io.BytesIO()
    docx.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------------- set-up


def _setup(docx: DocxDocument, document: Document) -> None:
    section = docx.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(PAGE_WIDTH_CM), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(MARGIN_CM))
    styles = docx.styles
    normal = styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(11)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15
    for name, size in (("Heading 1", 16), ("Heading 2", 13)):
        style = styles[name]
        style.font.name, style.font.size, style.font.color.rgb = FONT, Pt(size), ACCENT
        style.paragraph_format.keep_with_next = True
    styles["Title"].font.name = FONT
    styles["Title"].font.color.rgb = ACCENT
    for level, indent in ((1, 0.0), (2, 0.6)):
        toc = styles.add_style(f"TOC {level}", WD_STYLE_TYPE.PARAGRAPH)
        toc.base_style = normal
        toc.paragraph_format.left_indent = Cm(indent)
        toc.paragraph_format.space_after = Pt(2)
    _header_footer(docx, document)
    props = docx.core_properties
    props.title = f"{document.title} — {document.reference}"  # never a person's name
    props.subject = f"{document.variant_label} — {document.marking}"
    props.author = document.author
    props.keywords = document.marking
    props.category = document.marking
    props.language = "en-GB"
    props.comments = "Made by HomeStudy."
    _update_fields_on_open(docx)


def _header_footer(docx: DocxDocument, document: Document) -> None:
    section = docx.sections[0]
    usable = Cm(PAGE_WIDTH_CM - 2 * MARGIN_CM)
    for name in ("Header", "Footer"):  # the template's stops suit US Letter: set ours
        stops = docx.styles[name].paragraph_format.tab_stops
        stops.clear_all()
        if name == "Header":
            stops.add_tab_stop(usable // 2, WD_TAB_ALIGNMENT.CENTER)
        stops.add_tab_stop(usable, WD_TAB_ALIGNMENT.RIGHT)
    header = section.header.paragraphs[0]
    mark = header.add_run(document.marking)
    mark.bold, mark.font.color.rgb, mark.font.size = True, RED, Pt(9)
    header.add_run("\t")
    if document.watermark:
        draft = header.add_run(document.watermark)
        draft.bold, draft.font.color.rgb, draft.font.size = True, RED, Pt(14)
    ref = header.add_run(f"\t{document.reference}")
    ref.font.color.rgb, ref.font.size = GREY, Pt(9)

    footer = section.footer.paragraphs[0]
    label = document.variant_label + (f"  ·  {document.footer_note}" if document.footer_note
                                      else "")
    _small(footer.add_run(label))
    _small(footer.add_run("\tPage "))
    _field(footer, "PAGE", "1")
    _small(footer.add_run(" of "))
    _field(footer, "NUMPAGES", "1")


def _small(run: object) -> None:
    run.font.size, run.font.color.rgb = Pt(8), GREY  # type: ignore[attr-defined]


def _field(paragraph: DocxParagraph, instruction: str, shown: str) -> None:
    """A simple field (PAGE, NUMPAGES) with ``shown`` as its cached result."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    props = OxmlElement("w:rPr")
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), "16")
    props.append(size)
    run.append(props)
    text = OxmlElement("w:t")
    text.text = shown
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _update_fields_on_open(docx: DocxDocument) -> None:
    """Ask Word to refresh the TOC and page numbers when the file is opened."""
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    docx.settings.element.append(update)


# ---------------------------------------------------------------------- blocks


def _block(docx: DocxDocument, block: object) -> None:
    if isinstance(block, Heading):
        paragraph = _add(docx, f"Heading {min(max(block.level, 1), 3)}")
        _runs(paragraph, (Run(block.text),))
    elif isinstance(block, Paragraph):
        _paragraph(docx, block)
    elif isinstance(block, ListBlock):
        for item in block.items:
            level = min(item.level, 2)
            if item.number:
                paragraph = _add(docx, "List Paragraph")
                paragraph.paragraph_format.left_indent = Cm(0.9 + 0.7 * level)
                paragraph.paragraph_format.first_line_indent = Cm(-0.6)
                paragraph.add_run(f"{item.number}.\t")
            else:
                style = "List Bullet" if level == 0 else f"List Bullet {level + 1}"
                paragraph = _add(docx, style)
            _runs(paragraph, item.runs)
    elif isinstance(block, Table):
        _table(docx, block)
    elif isinstance(block, PageBreak):
        docx.add_page_break()
    elif isinstance(block, WritingSpace):
        table = docx.add_table(rows=block.lines, cols=1)
        table.style = docx.styles["Table Grid"]
        for row in table.rows:
            row.height = Cm(0.8)


def _add(docx: DocxDocument, style: str) -> DocxParagraph:
    """A new paragraph in ``style``. python-docx resolves a style name by scanning every
    style on each call, which dominated export time; the ids are looked up once."""
    paragraph = docx.add_paragraph()
    if style != "Normal":
        ids = _style_ids(docx)
        if style not in ids:
            ids[style] = docx.styles[style].style_id
        paragraph._p.style = ids[style]
    return paragraph


def _style_ids(docx: DocxDocument) -> dict[str, str]:
    cache: dict[str, str] | None = getattr(docx, "_hs_style_ids", None)
    if cache is None:
        cache = {}
        docx._hs_style_ids = cache  # type: ignore[attr-defined]
    return cache


def _paragraph(docx: DocxDocument, block: Paragraph) -> None:
    style = {"title": "Title", "subtitle": "Subtitle"}.get(block.style, "Normal")
    paragraph = _add(docx, style)
    _runs(paragraph, block.runs)
    if block.style in ("note", "meta"):
        for run in paragraph.runs:
            run.font.color.rgb = GREY
            if block.style == "meta":
                run.font.size = Pt(9)
    if block.style == "field":
        paragraph.paragraph_format.space_after = Pt(2)


def _runs(paragraph: DocxParagraph, runs: tuple[Run, ...]) -> None:
    text = "".join(r.text for r in runs)
    if is_rtl(text):
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for run in runs:
        if not run.text:
            continue
        out = paragraph.add_run(run.text)  # python-docx makes \t a tab and \n a break
        out.bold = run.bold or None
        out.italic = run.italic or None
        if is_rtl(run.text):
            out.font.rtl = True


def _table(docx: DocxDocument, block: Table) -> None:
    if block.caption:
        caption = _add(docx, "Caption")
        caption.add_run(block.caption)
        caption.paragraph_format.keep_with_next = True
    n = max(1, len(block.columns))
    table = docx.add_table(rows=1, cols=n)
    table.style = docx.styles["Light Grid Accent 1"]
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    for cell, title in zip(table.rows[0].cells, block.columns, strict=False):
        _cell(cell.paragraphs[0], title, bold=True)
    _repeat_header(table)
    for row in block.rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=False):
            _cell(cell.paragraphs[0], value)
    weights = block.widths if len(block.widths) == n else (1.0,) * n
    total = sum(weights) or 1.0
    table.autofit = False
    widths = [Cm((PAGE_WIDTH_CM - 2 * MARGIN_CM) * w / total) for w in weights]
    for index, column in enumerate(table.columns):
        column.width = widths[index]  # the grid: LibreOffice reads this
    for row in table.rows:  # and each cell: Word reads this
        for index, cell in enumerate(row.cells):
            cell.width = widths[index]
    docx.add_paragraph().paragraph_format.space_after = Pt(2)


def _cell(paragraph: DocxParagraph, text: str, bold: bool = False) -> None:
    paragraph.paragraph_format.space_after = Pt(0)
    _runs(paragraph, (Run(text, bold=bold),))
    for run in paragraph.runs:
        run.font.size = Pt(9.5)


def _repeat_header(table: DocxTable) -> None:
    row_props = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    row_props.append(header)


def _toc(docx: DocxDocument, block: TableOfContents, headings: list[tuple[int, str]]) -> None:
    """A TOC field whose cached result already lists the headings (no page numbers until
    Word or LibreOffice updates it), so it reads well even before an update."""
    title = _add(docx, "TOC Heading")
    title.add_run(block.title)
    first = _add(docx, "TOC 1")
    _fld_char(first, "begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = TOC_INSTRUCTION
    run = OxmlElement("w:r")
    run.append(instr)
    first._p.append(run)
    _fld_char(first, "separate")
    last = first
    if headings:
        first.add_run(headings[0][1])
        for level, text in headings[1:]:
            last = _add(docx, f"TOC {min(level, 2)}")
            last.add_run(text)
    else:
        first.add_run("Right-click and choose Update Field to build the contents.")
    _fld_char(last, "end")


def _fld_char(paragraph: DocxParagraph, kind: str) -> None:
    run = OxmlElement("w:r")
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), kind)
    if kind == "begin":
        char.set(qn("w:dirty"), "true")
    run.append(char)
    paragraph._p.append(run)
