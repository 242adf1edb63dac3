"""Write a ``Document`` as a PDF with reportlab (platypus): embedded TrueType fonts,
a table of contents with page numbers, outline bookmarks for every heading, the
marking and the case reference in every header, "Page X of Y" in every footer,
and a DRAFT watermark where the document asks for one."""

from __future__ import annotations

import io
import itertools
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Spacer,
)
from reportlab.platypus import PageBreak as RLPageBreak
from reportlab.platypus import Paragraph as RLParagraph
from reportlab.platypus import Table as RLTable
from reportlab.platypus import TableStyle as RLTableStyle
from reportlab.platypus.tableofcontents import TableOfContents as RLToc

from homestudy.report import bidi_lines, fonts
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

ACCENT = colors.HexColor("#1F3864")
GREY = colors.HexColor("#595959")
RULE = colors.HexColor("#A6A6A6")
SHADE = colors.HexColor("#E8EDF5")
MARGIN = 20 * mm


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=fonts.BASE, fontSize=10.5, leading=14.5,
                          spaceAfter=6, shaping=0, splitLongWords=1,
                          bulletFontName=fonts.BASE)
    def make(name: str, **kw: Any) -> ParagraphStyle:
        return ParagraphStyle(name, parent=base, **kw)
    return {
        "body": base,
        "note": make("note", textColor=GREY),
        "meta": make("meta", fontSize=9, leading=12, textColor=GREY),
        "field": make("field", spaceAfter=3),
        "cover": make("cover"),
        "title": make("title", fontSize=24, leading=30, textColor=ACCENT, spaceBefore=60,
                      spaceAfter=8),
        "subtitle": make("subtitle", fontSize=15, leading=20, textColor=GREY, spaceAfter=28),
        "h1": make("h1", fontSize=15, leading=19, textColor=ACCENT, spaceBefore=14,
                   spaceAfter=8, keepWithNext=1),
        "h2": make("h2", fontSize=12, leading=16, textColor=ACCENT, spaceBefore=10,
                   spaceAfter=5, keepWithNext=1),
        "cell": make("cell", fontSize=9, leading=11.5, spaceAfter=0),
        "head": make("head", fontSize=9, leading=11.5, spaceAfter=0, textColor=colors.white),
        "caption": make("caption", fontSize=9, leading=12, textColor=GREY, spaceBefore=4,
                        spaceAfter=3, keepWithNext=1),
        "toc1": make("toc1", fontSize=10.5, leading=15, leftIndent=0, spaceAfter=0),
        "toc2": make("toc2", fontSize=9.5, leading=13, leftIndent=14, spaceAfter=0),
        "list": make("list", spaceAfter=3),
    }


STYLES = _styles()


def markup(runs: tuple[Run, ...] | list[Run]) -> tuple[str, str]:
    """reportlab paragraph markup for runs (escaped text, a font per script), and the
    name of a font that needs shaping ("" when none does)."""
    pieces = [(run, font, text) for run in runs for font, text in fonts.segments(run.text)]
    shaped = next((f for _, f, _ in pieces if f in fonts.SHAPED), "")
    if shaped and _font_changes_inside_a_word(pieces):
        shaped = ""  # reportlab shapes a word with its first font only: it would fail
    out: list[str] = []
    for run, font, text in pieces:
        piece = escape(text).replace("\t", "\u00a0" * 4).replace("\n", "<br/>")
        if font:
            piece = f'<font name="{font}">{piece}</font>'
        else:
            if run.bold:
                piece = f"<b>{piece}</b>"
            if run.italic:
                piece = f"<i>{piece}</i>"
            if shaped:  # the paragraph's own font is then the shaped one
                piece = f'<font name="{fonts.BASE}">{piece}</font>'
        out.append(piece)
    return "".join(out), shaped


def _font_changes_inside_a_word(pieces: list[tuple[Run, str, str]]) -> bool:
    for (_, font_a, text_a), (_, font_b, text_b) in itertools.pairwise(pieces):
        # a word that starts in a shaped font and goes on in another cannot be shaped
        if font_a != font_b and font_a in fonts.SHAPED \
                and text_a and text_b and not text_a[-1].isspace() and not text_b[0].isspace():
            return True
    return False


class _BidiParagraph(RLParagraph):
    """A paragraph with right-to-left text: each line is broken in logical order, then
    its words are drawn in Unicode bidi order (report/bidi_lines.py). Splits across
    pages keep the class and the style, so the base direction (``hs_rtl``) too."""

    def drawPara(self, debug: int = 0) -> None:
        laid_out = self.blPara
        if laid_out.kind != 1:  # one plain font: nothing here is shaped or right-to-left
            super().drawPara(debug)
            return
        rtl = bool(getattr(self.style, "hs_rtl", False))
        self.blPara = laid_out.clone(lines=[
            line.clone(words=bidi_lines.reorder_frag_line(line.words, rtl))
            for line in laid_out.lines])
        try:
            super().drawPara(debug)
        finally:
            self.blPara = laid_out  # a later split must see the logical order


def _para(runs: tuple[Run, ...] | list[Run], style: ParagraphStyle, **extra: Any) -> RLParagraph:
    text, shaped = markup(runs)
    plain = "".join(r.text for r in runs)
    if not (shaped or bidi_lines.needs_bidi(plain)):
        return RLParagraph(text, style, **extra)
    rtl = fonts.is_rtl(plain)
    # reportlab shapes a paragraph only when its style's font is shapable; the base
    # font's words are still left unshaped (fonts.PlainTTFont)
    style = ParagraphStyle(style.name + "_x", parent=style, shaping=1 if shaped else 0,
                           fontName=shaped or style.fontName,
                           alignment=TA_RIGHT if rtl else style.alignment)
    style.hs_rtl = rtl
    return _BidiParagraph(text, style, **extra)


class _Bookmark(Flowable):
    """Zero-size marker after a heading: the template adds the outline entry and TOC line."""

    def __init__(self, heading: Heading) -> None:
        super().__init__()
        self.heading = heading

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        pass


class _Template(BaseDocTemplate):
    def __init__(self, buffer: io.BytesIO, document: Document) -> None:
        super().__init__(
            buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN,
            topMargin=MARGIN + 6 * mm, bottomMargin=MARGIN + 4 * mm,
            title=f"{document.title} — {document.reference}", author=document.author,
            subject=f"{document.variant_label} — {document.marking}",
            creator="HomeStudy", lang="en-GB",
        )
        self.document = document
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body")
        self.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=self._decorate)])
        self._outline_level = -1

    def afterFlowable(self, flowable: Flowable) -> None:
        if not isinstance(flowable, _Bookmark):
            return
        heading = flowable.heading
        key = f"{heading.anchor}_{id(flowable)}"
        level = min(heading.level - 1, self._outline_level + 1)
        self._outline_level = level
        self.canv.bookmarkPage(key)
        self.canv.addOutlineEntry(heading.text, key, level=level, closed=level > 0)
        if heading.level <= 2:
            # the TOC reads its text as paragraph markup: escape it, fonts per script
            entry, _ = markup((Run(heading.text),))
            self.notify("TOCEntry", (heading.level - 1, entry, self.page, key))

    def handle_documentBegin(self) -> None:
        self._outline_level = -1
        super().handle_documentBegin()

    def _decorate(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        d = self.document
        canvas.saveState()
        if d.watermark:
            canvas.setFont(f"{fonts.BASE}-Bold", 110)
            canvas.setFillColor(colors.Color(0.8, 0.1, 0.1, alpha=0.12))
            canvas.translate(A4[0] / 2, A4[1] / 2)
            canvas.rotate(45)
            canvas.drawCentredString(0, -40, d.watermark)
            canvas.rotate(-45)
            canvas.translate(-A4[0] / 2, -A4[1] / 2)
        top = A4[1] - MARGIN + 2 * mm
        canvas.setFillColor(colors.HexColor("#C00000"))
        canvas.setFont(f"{fonts.BASE}-Bold", 9)
        canvas.drawString(MARGIN, top, d.marking)
        canvas.setFillColor(GREY)
        canvas.setFont(fonts.BASE, 9)
        canvas.drawRightString(A4[0] - MARGIN, top, _base_font_only(d.reference))
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN, top - 2.5 * mm, A4[0] - MARGIN, top - 2.5 * mm)
        bottom = MARGIN - 2 * mm
        canvas.line(MARGIN, bottom + 4.5 * mm, A4[0] - MARGIN, bottom + 4.5 * mm)
        canvas.setFont(fonts.BASE, 8)
        canvas.drawString(MARGIN, bottom, _base_font_only(f"{d.variant_label}  ·  {d.footer_note}"
                                                      if d.footer_note else d.variant_label))
        canvas.restoreState()


def _base_font_only(text: str) -> str:
    # canvas strings are not shaped or split by script: keep what the base font draws
    return "".join(t for font, t in fonts.segments(text) if font == "").replace("\n", " ")


def _numbered_canvas(marking: str) -> type[Canvas]:
    class NumberedCanvas(Canvas):
        """Defers each page so the footer can say "Page X of Y"."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["initialFontName"] = fonts.BASE  # no unembedded Helvetica
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont(fonts.BASE, 8)
                self.setFillColor(GREY)
                self.drawRightString(A4[0] - MARGIN, MARGIN - 2 * mm,
                                     f"Page {self._pageNumber} of {total}")
                super().showPage()
            super().save()

    return NumberedCanvas


def _table(block: Table, width: float) -> list[Flowable]:
    n = max(1, len(block.columns))
    weights = block.widths if len(block.widths) == n else (1.0,) * n
    total = sum(weights) or 1.0
    col_widths = [width * w / total for w in weights]
    data = [[_para((Run(c, bold=True),), STYLES["head"]) for c in block.columns]]
    data += [[_para((Run(cell),), STYLES["cell"]) for cell in row] for row in block.rows]
    table = RLTable(data, colWidths=col_widths, repeatRows=1, splitByRow=1, splitInRow=1,
                    hAlign="LEFT")
    table.setStyle(RLTableStyle([
        ("FONTNAME", (0, 0), (-1, -1), fonts.BASE),  # else Helvetica, not embedded
        ("BACKGROUND", (0, 0), (-1, 0), ACCENT),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, SHADE]),
        ("GRID", (0, 0), (-1, -1), 0.4, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]))
    out: list[Flowable] = []
    if block.caption:
        out.append(_para((Run(block.caption, bold=True),), STYLES["caption"]))
    out += [table, Spacer(1, 8)]
    return out


def _writing_space(block: WritingSpace, width: float) -> Flowable:
    table = RLTable([[""] for _ in range(block.lines)], colWidths=[width],
                    rowHeights=[22] * block.lines)
    table.setStyle(RLTableStyle([("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
                                 ("FONTNAME", (0, 0), (-1, -1), fonts.BASE)]))
    return table


def _flowables(document: Document, width: float) -> list[Flowable]:
    story: list[Flowable] = []
    for block in document.blocks:
        if isinstance(block, Heading):
            style = STYLES["h1"] if block.level <= 1 else STYLES["h2"]
            if block.level <= 1:
                story.append(CondPageBreak(60 * mm))
            story.append(KeepTogether([_para((Run(block.text),), style), _Bookmark(block)]))
        elif isinstance(block, Paragraph):
            story.append(_para(block.runs, STYLES.get(block.style, STYLES["body"])))
        elif isinstance(block, ListBlock):
            for n, item in enumerate(block.items, start=1):
                bullet = f"{item.number}." if item.number else "•"
                indent = 16 + 16 * item.level
                style = ParagraphStyle(f"list{item.level}", parent=STYLES["list"],
                                       leftIndent=indent, bulletIndent=indent - 12,
                                       spaceAfter=8 if n == len(block.items) else 3)
                story.append(_para(item.runs, style, bulletText=bullet))
        elif isinstance(block, Table):
            story.extend(_table(block, width))
        elif isinstance(block, PageBreak):
            story.append(RLPageBreak())
        elif isinstance(block, TableOfContents):
            story.append(_para((Run(block.title),), STYLES["h1"]))
            toc = RLToc(dotsMinLevel=0, tableStyle=RLTableStyle([
                ("FONTNAME", (0, 0), (-1, -1), fonts.BASE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]))
            toc.levelStyles = [STYLES["toc1"], STYLES["toc2"]]
            story.append(toc)
        elif isinstance(block, WritingSpace):
            story.append(_writing_space(block, width))
    return story


def render_pdf(document: Document) -> bytes:
    """The document as PDF bytes (built in memory)."""
    fonts.register()
    buffer = io.BytesIO()
    template = _Template(buffer, document)
    story = _flowables(document, template.width)
    if any(isinstance(b, TableOfContents) for b in document.blocks):
        template.multiBuild(story, canvasmaker=_numbered_canvas(document.marking))
    else:
        template.build(story, canvasmaker=_numbered_canvas(document.marking))
    return buffer.getvalue()
