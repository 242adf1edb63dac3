"""The PDF's pages: one page template per running mark, and what every page carries.

Top of each page: the marking and the case reference, the part's running mark (e.g.
"CONFIDENTIAL – not to be shared with the applicants"), the INCOMPLETE mark. Foot:
the INCOMPLETE mark, the running mark, the copy and its version, the marking and
"Page X of Y". The total comes from the build pass before (``PageCount``), so pages
are drawn in order as they are made and bookmarks and links point at the right page.
"""

from __future__ import annotations

from typing import Any

from reportlab.lib import colors
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from homestudy.report import fonts
from homestudy.report.docmodel import Document
from homestudy.report.layout import (
    FOOTER_DISTANCE,
    GREY,
    HEADER_DISTANCE,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    RULE,
    SIDE_MARGIN,
    MarkLine,
    footer_lines,
    header_lines,
    margins,
)
from homestudy.report.pdf_text import colour


def template_id(running_mark: str) -> str:
    return f"mark:{running_mark}"


def page_templates(document: Document, marks: list[str], counter: PageCount) -> list[PageTemplate]:
    """A template for each distinct running mark ("" = the plain pages)."""
    out = []
    for mark in dict.fromkeys(["", *marks]):
        top, bottom = margins(document, mark)
        frame = Frame(
            SIDE_MARGIN,
            bottom,
            PAGE_WIDTH - 2 * SIDE_MARGIN,
            PAGE_HEIGHT - top - bottom,
            id="body",
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )
        decorate = _Decorator(document, mark, counter)
        out.append(
            PageTemplate(
                id=template_id(mark),
                frames=[frame],
                onPage=decorate,
                pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
            )
        )
    return out


class PageCount(Flowable):  # type: ignore[misc]  # reportlab has no type hints
    """Zero-size, first in the story: an indexing flowable, so ``multiBuild`` builds
    again until the number of pages is the same twice; pages then say "of Y"."""

    def __init__(self) -> None:
        super().__init__()
        self.last: int | None = None  # pages in the pass before
        self.current = 0
        self.doc: BaseDocTemplate | None = None

    def isIndexing(self) -> int:
        return 1

    def notify(self, kind: str, stuff: object) -> None:
        pass  # it counts pages, not entries

    def isSatisfied(self) -> bool:
        return self.last == self.current

    def beforeBuild(self) -> None:
        self.last, self.current = (self.current or None), 0

    def afterBuild(self) -> None:
        self.current = self.doc.page if self.doc is not None else 0

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        pass


class _Decorator:
    def __init__(self, document: Document, mark: str, counter: PageCount) -> None:
        self.document, self.mark, self.counter = document, mark, counter

    def __call__(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        d = self.document
        canvas.saveState()
        if d.watermark:
            _watermark(canvas, d.watermark)
        y = PAGE_HEIGHT - HEADER_DISTANCE
        for line in header_lines(d, self.mark):
            y -= line.height
            _line(canvas, line, y + 0.25 * line.height, d.reference, "")
        canvas.setStrokeColor(colour(RULE))
        canvas.setLineWidth(0.5)
        canvas.line(SIDE_MARGIN, y - 2, PAGE_WIDTH - SIDE_MARGIN, y - 2)
        total = self.counter.last or self.counter.current or doc.page
        page = f"Page {doc.page} of {max(total, doc.page)}"
        lines = footer_lines(d, self.mark)
        y = FOOTER_DISTANCE + sum(line.height for line in lines)
        canvas.line(SIDE_MARGIN, y + 2, PAGE_WIDTH - SIDE_MARGIN, y + 2)
        for line in lines:
            y -= line.height
            _line(canvas, line, y + 0.25 * line.height, "", page)
        canvas.restoreState()


def _line(canvas: Canvas, line: MarkLine, y: float, reference: str, page: str) -> None:
    font = f"{fonts.BASE}-Bold" if line.bold else fonts.BASE
    left, right = SIDE_MARGIN, PAGE_WIDTH - SIDE_MARGIN
    if line.kind == "incomplete":  # a red band that cannot be missed
        canvas.setFillColor(colour(line.colour))
        canvas.rect(left, y - 0.3 * line.height, right - left, line.height * 0.95, stroke=0, fill=1)
        canvas.setFillColor(colors.white)
        canvas.setFont(font, line.size)
        canvas.drawCentredString(PAGE_WIDTH / 2, y, base_font_only(line.text))
        return
    canvas.setFillColor(colour(line.colour))
    canvas.setFont(font, line.size)
    if line.kind == "running":
        canvas.drawCentredString(PAGE_WIDTH / 2, y, base_font_only(line.text))
    elif line.kind == "version":
        canvas.drawString(left, y, base_font_only(line.text))
    else:  # the marking, with the reference (header) or the page number (footer)
        canvas.drawString(left, y, base_font_only(line.text))
        canvas.setFillColor(colour(GREY))
        canvas.setFont(fonts.BASE, line.size)
        canvas.drawRightString(right, y, base_font_only(reference or page))


def _watermark(canvas: Canvas, text: str) -> None:
    canvas.saveState()
    canvas.setFont(f"{fonts.BASE}-Bold", 110)
    canvas.setFillColor(colors.Color(0.8, 0.1, 0.1, alpha=0.12))
    canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
    canvas.rotate(45)
    canvas.drawCentredString(0, -40, base_font_only(text))
    canvas.restoreState()


def base_font_only(text: str) -> str:
    # canvas strings are not shaped or split by script: keep what the base font draws
    return "".join(t for font, t in fonts.segments(text) if font == "").replace("\n", " ")


class HomeStudyCanvas(Canvas):  # type: ignore[misc]  # reportlab has no type hints
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["initialFontName"] = fonts.BASE  # no unembedded Helvetica
        super().__init__(*args, **kwargs)


class LayoutCanvas(HomeStudyCanvas):
    """For a layout pass only (the .docx contents' page numbers): nothing is written."""

    def save(self) -> None:
        pass


def canvas_maker(layout_only: bool = False) -> type[Canvas]:
    return LayoutCanvas if layout_only else HomeStudyCanvas
