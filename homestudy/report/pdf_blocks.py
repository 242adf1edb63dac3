"""Document blocks as reportlab flowables: headings that bookmark themselves where they
are drawn, tables with widths from their content, pictures with their alternative
text, lists, the contents and room to write."""

from __future__ import annotations

import io
from typing import Any

from reportlab.lib.utils import ImageReader
from reportlab.platypus import Flowable, KeepTogether, Spacer
from reportlab.platypus import Paragraph as RLParagraph
from reportlab.platypus import Table as RLTable
from reportlab.platypus import TableStyle as RLTableStyle
from reportlab.platypus.tableofcontents import TableOfContents as RLToc

from homestudy.report import fonts
from homestudy.report.docmodel import Heading, Image, ListBlock, Run, Table, WritingSpace
from homestudy.report.images import prepare
from homestudy.report.layout import (
    ACCENT,
    CELL_PAD_X,
    CELL_PAD_Y,
    KEEP_TABLE_ROWS,
    RULE,
    RULE_WIDTH,
    SHADE,
    WRITING_LINE,
    heading_style,
    heading_text,
)
from homestudy.report.pdf_text import STYLES_PDF, colour, list_style, markup, paragraph
from homestudy.report.tables import column_widths, hyphenate, needs_hyphens


class HeadingParagraph(RLParagraph):  # type: ignore[misc]  # reportlab has no type hints
    """A heading that sets its PDF destination at the top of where it is drawn; the
    document template then adds it to the outline and the contents."""

    hs_heading: Heading
    hs_key: str

    def draw(self) -> None:
        # the destination is the heading's top line, on the page it is drawn on
        self.canv.bookmarkHorizontal(self.hs_key, 0, self.height + self.style.spaceBefore)
        super().draw()


def heading(block: Heading, key: str) -> HeadingParagraph:
    text = heading_text(block.number, block.text)
    para: HeadingParagraph = paragraph(
        (Run(text),), STYLES_PDF[heading_style(block.level)], cls=HeadingParagraph
    )
    para.hs_heading, para.hs_key = block, key
    return para


def toc(entries: list[tuple[int, str, int, str]]) -> list[Flowable]:
    """The contents, pre-filled with every entry (pages 0) so the first build pass
    already gives it its final height: two passes then settle every page number."""
    contents = RLToc(
        dotsMinLevel=0,
        rightColumnWidth=36,
        tableStyle=RLTableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), fonts.BASE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        ),
    )
    contents.levelStyles = [STYLES_PDF["toc0"], STYLES_PDF["toc1"]]
    contents._entries = list(entries)  # multiBuild: becomes the first pass's "last run"
    contents._lastEntries = list(entries)  # build (one pass): drawn as they are
    return [contents]


def toc_entry(level: int, block: Heading) -> str:
    entry, _ = markup((Run(heading_text(block.number, block.text)),))
    return entry


def table(block: Table, width: float) -> list[Flowable]:
    n = max(1, len(block.columns))
    layout = column_widths(block, width)
    head = [_cell(c, layout.room[i], True) for i, c in enumerate(block.columns)]
    data = [head] + [
        [_cell(row[i] if i < len(row) else "", layout.room[i], False) for i in range(n)]
        for row in block.rows
    ]
    out = KeptRowsTable(
        data, colWidths=list(layout.widths), repeatRows=1, splitByRow=1, splitInRow=1, hAlign="LEFT"
    )
    out.setStyle(
        RLTableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), fonts.BASE),  # else Helvetica, not embedded
                ("BACKGROUND", (0, 0), (-1, 0), colour(ACCENT)),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colour("FFFFFF"), colour(SHADE)]),
                ("GRID", (0, 0), (-1, -1), RULE_WIDTH, colour(RULE)),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD_X),
                ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD_X),
                ("TOPPADDING", (0, 0), (-1, -1), CELL_PAD_Y),
                ("BOTTOMPADDING", (0, 0), (-1, -1), CELL_PAD_Y + RULE_WIDTH),  # the row's rule
            ]
        )
    )
    flowables: list[Flowable] = []
    if block.caption:
        flowables.append(paragraph((Run(block.caption, bold=True),), STYLES_PDF["caption"]))
    if len(block.rows) <= KEEP_TABLE_ROWS:  # a short table is not split (as in the .docx)
        return [KeepTogether([*flowables, out]), Spacer(1, 8)]
    return [*flowables, out, Spacer(1, 8)]


class KeptRowsTable(RLTable):  # type: ignore[misc]  # reportlab has no type hints
    """Rows are kept whole: a row that does not fit moves to the next page with the
    header repeated. Only a row taller than a whole page is split inside."""

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        parts = self._splitRows_whole(availWidth, availHeight)
        if parts:
            return parts
        frame = self._doctemplateAttr("frame")
        if frame is not None and bool(getattr(frame, "_atTop", 0)):
            inside: list[Flowable] = super().split(availWidth, availHeight)
            return inside  # split in the row: the last resort
        return []

    def _splitRows_whole(self, availWidth: float, availHeight: float) -> list[Flowable]:
        self._calc(availWidth, availHeight)
        return list(self._splitRows(availHeight, doInRowSplit=0) or [])


def _cell(text: str, room: float, head: bool) -> RLParagraph:
    kind = "head" if head else "cell"
    if needs_hyphens(text, room, head):
        return paragraph(
            (Run(hyphenate(text, room, head), bold=head),), STYLES_PDF[f"{kind}_hyphenated"]
        )
    return paragraph((Run(text, bold=head),), STYLES_PDF[kind])


class Picture(Flowable):  # type: ignore[misc]  # reportlab has no type hints
    """A picture at its printed size, with its alternative text laid over it as
    invisible text (render mode 3): reportlab cannot tag a PDF, so this is how a
    screen reader, a search or a copy finds the description."""

    def __init__(self, block: Image) -> None:
        super().__init__()
        self.prepared = prepare(block)
        self.alt = block.alt
        self.width, self.height = self.prepared.width_pt, self.prepared.height_pt

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        canvas.drawImage(
            ImageReader(io.BytesIO(self.prepared.data)), 0, 0, self.width, self.height, mask="auto"
        )
        text = canvas.beginText(2, self.height - 8)
        text.setTextRenderMode(3)
        for font, piece in fonts.segments(f"Picture: {self.alt}".replace("\n", " ")):
            text.setFont(font or fonts.BASE, 6)
            text.textOut(piece)
        canvas.drawText(text)


def picture(block: Image) -> Flowable:
    parts: list[Flowable] = [Picture(block)]
    if block.caption:
        parts.append(paragraph((Run(block.caption),), STYLES_PDF["caption"]))
    else:
        parts.append(Spacer(1, 8))
    return KeepTogether(parts)


def list_items(block: ListBlock) -> list[Flowable]:
    out: list[Flowable] = []
    numbers: dict[int, int] = {}  # per level, the next number of an ordered list
    for index, item in enumerate(block.items):
        level = min(item.level, 4)
        for deeper in [k for k in numbers if k > level]:
            del numbers[deeper]  # a new sub-list starts again at its own number
        if item.number:
            number = numbers.get(level, item.number)
            numbers[level] = number + 1
            bullet = f"{number}."
        else:
            bullet = ("•", "◦", "▪")[level % 3]
        style = list_style(level, index == len(block.items) - 1)
        out.append(paragraph(item.runs, style, bulletText=bullet))
    return out


class WritingSpaceTable(RLTable):  # type: ignore[misc]  # reportlab has no type hints
    """Ruled lines to write on: kept whole, with the heading and prompt above them."""


def writing_space(block: WritingSpace, width: float) -> Flowable:
    space = WritingSpaceTable(
        [[""] for _ in range(block.lines)],
        colWidths=[width],
        rowHeights=[WRITING_LINE] * block.lines,
    )
    space.setStyle(
        RLTableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, colour(RULE)),
                ("FONTNAME", (0, 0), (-1, -1), fonts.BASE),
            ]
        )
    )
    return space


def lead_height(flowable: Flowable, width: float) -> float:
    """How much of ``flowable`` must stay with a heading above it: two lines of a
    paragraph, the header and first row of a table, all of a picture or a short item."""
    if isinstance(flowable, RLParagraph):
        _, height = flowable.wrap(width, 10_000)
        style = flowable.style
        return float(min(height, 2 * style.leading) + style.spaceBefore)
    if isinstance(flowable, RLTable):
        flowable.wrap(width, 10_000)
        rows: Any = getattr(flowable, "_rowHeights", None) or [0.0]
        return float(sum(rows[:2]))
    if isinstance(flowable, KeepTogether):  # a picture and its caption: all of it
        return float(
            sum(
                f.wrap(width, 10_000)[1] + getattr(getattr(f, "style", None), "spaceBefore", 0)
                for f in flowable._content
            )
        )
    if isinstance(flowable, Picture):
        return flowable.height
    return 0.0
