"""Document blocks as .docx content: runs, headings with bookmarks, Word-numbered lists,
tables, pictures with alternative text, writing space and the contents.

Tables are built from python-docx's ``OxmlElement`` (its cell API rebuilds the grid
on every call, far too slow for a 25,000-word report): fixed column widths from the
content (``tables.column_widths``), rows that never split across pages
(``cantSplit``), the header row repeated on each page, the header shaded and the rows
banded with direct formatting, so any template's table styles are not needed.
"""

from __future__ import annotations

import io
from typing import Any

from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.text.paragraph import Paragraph as DocxParagraph

from homestudy.report.docmodel import Image, ListBlock, Run, Table, WritingSpace
from homestudy.report.docx_styles import Numbering, twips
from homestudy.report.fonts import is_rtl
from homestudy.report.images import prepare
from homestudy.report.layout import (
    ACCENT,
    BODY_WIDTH,
    CELL_PAD_X,
    CELL_PAD_Y,
    KEEP_TABLE_ROWS,
    RULE,
    SHADE,
    WHITE,
    WRITING_LINE,
)
from homestudy.report.tables import SOFT_HYPHEN, column_widths, hyphenate, needs_hyphens


class Body:
    """Appends paragraphs and tables to the document body, style ids looked up once
    (python-docx resolves a style name by scanning every style on each call)."""

    def __init__(self, docx: DocxDocument) -> None:
        self.docx = docx
        self.body = docx.element.body
        self._ids: dict[str, str] = {}
        self.numbering: Numbering | None = None
        self._bookmarks = 0
        #: the next paragraph starts a new page ("page break before": never an empty
        #: paragraph that could make a blank page)
        self.break_before_next = False

    def style_id(self, name: str) -> str:
        if name not in self._ids:
            self._ids[name] = self.docx.styles[name].style_id
        return self._ids[name]

    def paragraph(self, style: str = "Normal") -> DocxParagraph:
        p = OxmlElement("w:p")
        self._append(p)  # python-docx's add_paragraph scans the whole body each time
        paragraph = DocxParagraph(p, self.docx._body)
        if style != "Normal":
            p.style = self.style_id(style)
        if self.break_before_next:
            paragraph.paragraph_format.page_break_before = True
            self.break_before_next = False
        return paragraph

    def insert(self, element: object) -> None:
        """Put a block element (a table) at the end of the body, before its sectPr."""
        if self.break_before_next:  # a table cannot break before: a 1 pt paragraph does
            holder = self.paragraph()
            fmt = holder.paragraph_format
            fmt.space_before = fmt.space_after = Pt(0)
            fmt.line_spacing, fmt.line_spacing_rule = Pt(1), WD_LINE_SPACING.EXACTLY
        self._append(element)

    def _append(self, element: object) -> None:
        last = self.body[-1] if len(self.body) else None
        if last is not None and last.tag == qn("w:sectPr"):  # the body's own, always last
            last.addprevious(element)
        else:
            self.body.append(element)

    def last_element(self) -> Any:
        for child in reversed(self.body):
            if child.tag != qn("w:sectPr"):
                return child
        return None

    def bookmark(self, paragraph: DocxParagraph) -> str:
        """A hidden ``_Toc`` bookmark around ``paragraph``'s text; its name."""
        self._bookmarks += 1
        name = f"_Toc{self._bookmarks:08d}"
        start = OxmlElement("w:bookmarkStart")
        start.set(qn("w:id"), str(self._bookmarks))
        start.set(qn("w:name"), name)
        end = OxmlElement("w:bookmarkEnd")
        end.set(qn("w:id"), str(self._bookmarks))
        ppr = paragraph._p.pPr
        if ppr is not None:
            ppr.addnext(start)
        else:
            paragraph._p.insert(0, start)
        paragraph._p.append(end)
        return name

    def lists(self) -> Numbering:
        if self.numbering is None:
            self.numbering = Numbering(self.docx)
        return self.numbering


def add_runs(paragraph: DocxParagraph, runs: tuple[Run, ...]) -> None:
    text = "".join(r.text for r in runs)
    if is_rtl(text):
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    p = paragraph._p
    for run in runs:
        if run.text:
            # built directly: python-docx's run.text parses the text a character at a time
            p.append(run_element(run.text, bold=run.bold, italic=run.italic, rtl=is_rtl(run.text)))


def run_element(
    text: str, *, bold: bool = False, italic: bool = False, rtl: bool = False, colour: str = ""
) -> Any:
    """A ``w:r`` for ``text``: its tabs as ``w:tab``, its line breaks as ``w:br``, soft
    hyphens as ``w:softHyphen``."""
    run = _el("w:r")
    if bold or italic or rtl or colour:
        r_pr = _el("w:rPr")
        if bold:
            r_pr.append(_el("w:b"))
        if italic:
            r_pr.append(_el("w:i"))
        if colour:
            r_pr.append(_el("w:color", val=colour))
        if rtl:
            r_pr.append(_el("w:rtl"))
        run.append(r_pr)
    for n, line in enumerate(text.split("\n")):
        if n:
            run.append(_el("w:br"))
        for m, cell in enumerate(line.split("\t")):
            if m:
                run.append(_el("w:tab"))
            for k, piece in enumerate(cell.split(SOFT_HYPHEN)):
                if k:
                    run.append(_el("w:softHyphen"))
                if piece:
                    t = _el("w:t")
                    t.set(qn("xml:space"), "preserve")
                    t.text = piece
                    run.append(t)
    return run


def list_block(body: Body, block: ListBlock) -> None:
    numbering = body.lists()
    runs: dict[int, int] = {}  # level -> numId of the numbered list running there
    previous: tuple[int, bool] | None = None  # (level, numbered) of the item before
    for index, item in enumerate(block.items):
        level = min(item.level, 2)
        numbered = bool(item.number)
        if numbered:
            continues = (
                level in runs
                and previous is not None
                and (previous[0] > level or previous == (level, True))
            )
            if not continues:
                runs[level] = numbering.numbered(level, item.number)
            num_id = runs[level]
            style = "List Number" if level == 0 else f"List Number {level + 1}"
        else:
            runs.pop(level, None)
            num_id = numbering.bullets()
            style = "List Bullet" if level == 0 else f"List Bullet {level + 1}"
        for deeper in [k for k in runs if k > level]:
            del runs[deeper]  # a sub-list after this item starts again
        paragraph = body.paragraph(style)
        num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
        num_pr.get_or_add_ilvl().val = level
        num_pr.get_or_add_numId().val = num_id
        if index == len(block.items) - 1:
            paragraph.paragraph_format.space_after = Pt(8)  # as the PDF ends a list
        add_runs(paragraph, item.runs)
        previous = (level, numbered)


# ---------------------------------------------------------------------- tables


def _el(tag: str, **attrs: str) -> Any:
    element = OxmlElement(tag)
    for key, value in attrs.items():
        element.set(qn(f"w:{key}"), value)
    return element


def _borders(tag: str, sides: tuple[str, ...], size: str = "4") -> Any:
    borders = _el(tag)
    for side in sides:
        borders.append(_el(f"w:{side}", val="single", sz=size, space="0", color=RULE))
    return borders


def table(body: Body, block: Table) -> None:
    if block.caption:
        caption = body.paragraph("Caption")
        caption.paragraph_format.keep_with_next = True
        add_runs(caption, (Run(block.caption, bold=True),))
    layout = column_widths(block, BODY_WIDTH)
    n = len(layout.widths)
    grid = [twips(w) for w in layout.widths]
    tbl = _el("w:tbl")
    props = _el("w:tblPr")
    props.append(_el("w:tblW", w=str(sum(int(g) for g in grid)), type="dxa"))
    props.append(_el("w:tblInd", w="0", type="dxa"))
    props.append(_borders("w:tblBorders", ("top", "left", "bottom", "right", "insideH", "insideV")))
    props.append(_el("w:tblLayout", type="fixed"))
    margins = _el("w:tblCellMar")
    for side, value in (
        ("top", CELL_PAD_Y),
        ("left", CELL_PAD_X),
        ("bottom", CELL_PAD_Y),
        ("right", CELL_PAD_X),
    ):
        margins.append(_el(f"w:{side}", w=twips(value), type="dxa"))
    props.append(margins)
    props.append(
        _el(
            "w:tblLook",
            val="04A0",
            firstRow="1",
            lastRow="0",
            firstColumn="0",
            lastColumn="0",
            noHBand="0",
            noVBand="1",
        )
    )
    tbl.append(props)
    columns = _el("w:tblGrid")
    for width in grid:
        columns.append(_el("w:gridCol", w=width))
    tbl.append(columns)
    style = body.style_id("Table text")
    rows = [tuple(block.columns) + ("",) * (n - len(block.columns))] + [
        tuple(r) + ("",) * (n - len(r)) for r in block.rows
    ]
    keep = len(block.rows) <= KEEP_TABLE_ROWS  # a short table stays on one page
    for index, row in enumerate(rows):
        head = index == 0
        fill = ACCENT if head else (SHADE if index % 2 == 0 else "")
        tbl.append(_row(row, grid, layout.room, style, head, fill, keep and index < len(rows) - 1))
    body.insert(tbl)
    spacer = body.paragraph()  # the PDF's 8 pt after a table
    fmt = spacer.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing, fmt.line_spacing_rule = Pt(8), WD_LINE_SPACING.EXACTLY


def _row(
    cells: tuple[str, ...],
    grid: list[str],
    room: tuple[float, ...],
    style: str,
    head: bool,
    fill: str,
    keep_with_next: bool,
) -> Any:
    tr = _el("w:tr")
    tr_pr = _el("w:trPr")
    tr_pr.append(_el("w:cantSplit"))
    if head:
        tr_pr.append(_el("w:tblHeader"))
    tr.append(tr_pr)
    for text, width, fits in zip(cells, grid, room, strict=True):
        tc = _el("w:tc")
        tc_pr = _el("w:tcPr")
        tc_pr.append(_el("w:tcW", w=width, type="dxa"))
        if fill:
            tc_pr.append(_el("w:shd", val="clear", color="auto", fill=fill))
        tc.append(tc_pr)
        p = _el("w:p")
        p_pr = _el("w:pPr")
        p_pr.append(_el("w:pStyle", val=style))
        if keep_with_next:
            p_pr.append(_el("w:keepNext"))
        rtl = is_rtl(text)
        if rtl:
            p_pr.append(_el("w:bidi"))
        p.append(p_pr)
        if needs_hyphens(text, fits, head):
            text = hyphenate(text, fits, head)
        _cell_text(p, text, head, rtl)
        tc.append(p)
        tr.append(tc)
    return tr


def _cell_text(p: Any, text: str, bold: bool, rtl: bool) -> None:
    if text:
        p.append(run_element(text, bold=bold, rtl=rtl, colour=WHITE if bold else ""))


def writing_space(body: Body, block: WritingSpace) -> None:
    before = body.last_element()
    if before is not None and before.tag == qn("w:p"):  # the prompt stays with the lines
        DocxParagraph(before, body.docx._body).paragraph_format.keep_with_next = True
    tbl = _el("w:tbl")
    props = _el("w:tblPr")
    props.append(_el("w:tblW", w=twips(BODY_WIDTH), type="dxa"))
    props.append(_borders("w:tblBorders", ("insideH", "bottom")))
    props.append(_el("w:tblLayout", type="fixed"))
    tbl.append(props)
    columns = _el("w:tblGrid")
    columns.append(_el("w:gridCol", w=twips(BODY_WIDTH)))
    tbl.append(columns)
    for n in range(block.lines):
        tr = _el("w:tr")
        tr_pr = _el("w:trPr")
        tr_pr.append(_el("w:cantSplit"))
        tr_pr.append(_el("w:trHeight", val=twips(WRITING_LINE), hRule="exact"))
        tr.append(tr_pr)
        tc = _el("w:tc")
        p = _el("w:p")
        if n < block.lines - 1:  # the lines stay together, on one page
            p_pr = _el("w:pPr")
            p_pr.append(_el("w:keepNext"))
            p.append(p_pr)
        tc.append(p)
        tr.append(tc)
        tbl.append(tr)
    body.insert(tbl)


# ---------------------------------------------------------------------- pictures


def picture(body: Body, block: Image) -> None:
    prepared = prepare(block)
    paragraph = body.paragraph()
    fmt = paragraph.paragraph_format
    fmt.space_after = Pt(0 if block.caption else 8)
    fmt.keep_with_next = bool(block.caption)
    shape = paragraph.add_run().add_picture(
        io.BytesIO(prepared.data), width=Pt(prepared.width_pt), height=Pt(prepared.height_pt)
    )
    doc_pr = shape._inline.docPr
    doc_pr.set("descr", block.alt)  # the alternative text Word and screen readers read
    doc_pr.set("title", block.caption or block.alt)
    if block.caption:
        caption = body.paragraph("Caption")
        add_runs(caption, (Run(block.caption),))
