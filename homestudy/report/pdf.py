"""Write a ``Document`` as a PDF with reportlab (platypus).

Embedded TrueType fonts (``fonts.py``); every heading a bookmark at the heading itself
(outline and contents links land on its page and line); the contents with page numbers;
headings kept with what follows them; table columns sized to their words; pictures
with their alternative text; a page template per running mark, so a confidential part
starts on its own page with its mark at the top and the foot of each of its pages;
the marking, the version and the INCOMPLETE mark on every page (``pdf_page.py``).

reportlab (open source, 4.x/5.x) cannot write a tagged PDF: it has no structure tree
or marked-content API, only the catalogue's key names, and we do not hand-write PDF
objects. The document language (/Lang) and title are set; pictures carry their
alternative text as invisible text (``pdf_blocks.Picture``).
"""

from __future__ import annotations

import io
import re

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    PageBreakIfNotEmpty,
    Spacer,
)

from homestudy.report import fonts, pdf_blocks
from homestudy.report.docmodel import (
    Document,
    Heading,
    Image,
    ListBlock,
    PageBreak,
    Paragraph,
    Run,
    SectionBreak,
    Table,
    TableOfContents,
    WritingSpace,
)
from homestudy.report.layout import BODY_WIDTH, PAGE_HEIGHT, PAGE_WIDTH, heading_text, margins
from homestudy.report.pdf_page import PageCount, canvas_maker, page_templates, template_id
from homestudy.report.pdf_text import STYLES_PDF, paragraph


class _Template(BaseDocTemplate):  # type: ignore[misc]  # reportlab has no type hints
    def __init__(
        self,
        buffer: io.BytesIO,
        document: Document,
        marks: list[str],
        counter: PageCount,
        toc_levels: dict[int, int],
    ) -> None:
        top, bottom = margins(document, "")
        super().__init__(
            buffer,
            pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
            leftMargin=(PAGE_WIDTH - BODY_WIDTH) / 2,
            rightMargin=(PAGE_WIDTH - BODY_WIDTH) / 2,
            topMargin=top,
            bottomMargin=bottom,
            title=f"{document.title} — {document.reference}",
            author=document.author,
            subject=f"{document.variant_label} — {document.marking}",
            creator="HomeStudy",
            producer="HomeStudy",
            lang=document.language or "en-GB",
            keywords=document.marking,
        )
        self.addPageTemplates(page_templates(document, marks, counter))
        counter.doc = self
        self.toc_levels = toc_levels  # heading level -> contents level (absent: not listed)
        self.heading_pages: list[int] = []
        self._outline_level = -1

    def handle_documentBegin(self) -> None:
        self._outline_level = -1
        self.heading_pages = []
        super().handle_documentBegin()

    def afterFlowable(self, flowable: Flowable) -> None:
        if not isinstance(flowable, pdf_blocks.HeadingParagraph):
            return
        block = flowable.hs_heading
        self.heading_pages.append(self.page)
        # the outline may go at most one level deeper than the entry before
        level = min(_depth(block, self), self._outline_level + 1)
        self._outline_level = level
        text = heading_text(block.number, block.text)
        self.canv.addOutlineEntry(text, flowable.hs_key, level=level, closed=level > 0)
        if block.level in self.toc_levels:
            self.notify(
                "TOCEntry",
                (
                    self.toc_levels[block.level],
                    pdf_blocks.toc_entry(block.level, block),
                    self.page,
                    flowable.hs_key,
                ),
            )


def _depth(block: Heading, doc: _Template) -> int:
    top = min(doc.toc_levels, default=1)
    return max(0, block.level - top)


def _keys(document: Document) -> list[str]:
    """A unique, PDF-safe destination name for each heading, in order."""
    seen: set[str] = set()
    keys = []
    for n, block in enumerate(document.headings()):
        key = re.sub(r"[^A-Za-z0-9_.-]", "_", block.anchor) or f"h{n}"
        if key in seen:
            key = f"{key}_{n}"
        seen.add(key)
        keys.append(key)
    return keys


def _toc_levels(document: Document) -> dict[int, int]:
    """Parts and sections are in the contents: with Parts, levels 0 and 1; without, 1."""
    has_parts = any(h.level <= 0 for h in document.headings())
    return {0: 0, 1: 1} if has_parts else {1: 0}


def _story(
    document: Document, counter: PageCount, toc_levels: dict[int, int]
) -> tuple[list[Flowable], list[str]]:
    """The flowables, and the running marks used. Breaks are collapsed: a page break,
    section break or Part that meets a page with nothing on it yet never makes a blank
    page (``PageBreakIfNotEmpty`` gives a fresh page the new mark instead)."""
    story: list[Flowable] = []
    marks: list[str] = []
    keys = iter(_keys(document))
    fresh = True  # nothing on the page being filled yet
    break_due = False  # the next content starts a new page
    mark = page_mark = ""  # the running mark wanted / the one of the page being filled
    for block in document.blocks:
        if isinstance(block, PageBreak | SectionBreak):
            if isinstance(block, SectionBreak):
                mark = block.running_mark
                marks.append(mark)
            break_due = break_due or not fresh
            continue
        if isinstance(block, Heading) and block.level <= 0 and not fresh:
            break_due = True  # a Part starts on a new page
        new_page = fresh or break_due or page_mark != mark  # the first page, or one asked for
        if break_due or page_mark != mark:
            story.append(PageBreakIfNotEmpty(nextTemplate=template_id(mark)))
            page_mark = mark
        fresh = break_due = False
        flowables = _flowables(document, block, keys, toc_levels)
        # Word and LibreOffice keep the space above the first paragraph of the document
        # and of a page they were told to start; reportlab drops it at a frame's top
        # while nothing is drawn there: a hair's height is, and the pages agree
        if (
            new_page
            and flowables
            and bool(getattr(getattr(flowables[0], "style", None), "spaceBefore", 0))
        ):
            story.append(Spacer(1, 0.01))
        story.extend(flowables)
    story.append(counter)  # last: at the start it would begin the first page
    return _keep_headings_with_next(_collapse_spacing(story)), marks


def _collapse_spacing(story: list[Flowable]) -> list[Flowable]:
    """Between two paragraphs, the larger of the space after the first and the space
    before the second, as word processors do (reportlab would add them): the second
    gets a copy of its style with the overlap taken off its space before."""
    clones: dict[tuple[str, float], ParagraphStyle] = {}
    previous: Flowable | None = None
    for flowable in story:
        style = getattr(flowable, "style", None)
        before_prev = getattr(getattr(previous, "style", None), "spaceAfter", 0) or 0
        if isinstance(style, ParagraphStyle) and style.spaceBefore and before_prev:
            wanted = max(0.0, style.spaceBefore - before_prev)
            key = (style.name, wanted)
            if key not in clones:
                clones[key] = ParagraphStyle(
                    f"{style.name}_b{wanted:g}", parent=style, spaceBefore=wanted
                )
                for extra in ("hs_rtl",):
                    if hasattr(style, extra):
                        setattr(clones[key], extra, getattr(style, extra))
            flowable.style = clones[key]
        if not isinstance(flowable, PageCount):
            previous = flowable
    return story


def _flowables(
    document: Document, block: object, keys: object, toc_levels: dict[int, int]
) -> list[Flowable]:
    if isinstance(block, Heading):
        return [pdf_blocks.heading(block, next(keys))]  # type: ignore[call-overload]
    if isinstance(block, Paragraph):
        style = STYLES_PDF.get(block.style, STYLES_PDF["body"])
        return [paragraph(block.runs, style)]
    if isinstance(block, ListBlock):
        return pdf_blocks.list_items(block)
    if isinstance(block, Table):
        return pdf_blocks.table(block, BODY_WIDTH)
    if isinstance(block, Image):
        return [pdf_blocks.picture(block)]
    if isinstance(block, TableOfContents):
        entries = [
            (toc_levels[h.level], pdf_blocks.toc_entry(h.level, h), 0, key)
            for h, key in zip(document.headings(), _keys(document), strict=True)
            if h.level in toc_levels
        ]
        title = paragraph((Run(block.title),), STYLES_PDF["toc_title"])
        return [title, *pdf_blocks.toc(entries)]
    if isinstance(block, WritingSpace):
        return [pdf_blocks.writing_space(block, BODY_WIDTH)]
    return []


def _keep_headings_with_next(story: list[Flowable]) -> list[Flowable]:
    """Before each run of headings, a conditional page break as tall as the headings and
    the start of what follows, so a heading never stands alone at the foot of a page."""
    out: list[Flowable] = []
    for index, flowable in enumerate(story):
        if isinstance(flowable, pdf_blocks.HeadingParagraph) and not (
            out and isinstance(out[-1], pdf_blocks.HeadingParagraph)
        ):
            needed = 0.0
            look = index
            while look < len(story) and isinstance(story[look], pdf_blocks.HeadingParagraph):
                heading = story[look]
                _, height = heading.wrap(BODY_WIDTH, 10_000)
                needed += height + heading.style.spaceBefore + heading.style.spaceAfter
                look += 1
            if look < len(story):
                needed += _follow_height(story, look)
            out.append(CondPageBreak(needed))
        out.append(flowable)
    return out


def _follow_height(story: list[Flowable], index: int) -> float:
    """What must stay with the headings before ``story[index]``: the start of it, or the
    whole of a short prompt and the ruled writing space after it (comments, signing)."""
    following = story[index : index + 2]
    if following and isinstance(following[-1], pdf_blocks.WritingSpaceTable):
        return float(
            sum(
                f.wrap(BODY_WIDTH, 10_000)[1] + getattr(getattr(f, "style", None), "spaceAfter", 0)
                for f in following
            )
        )
    if isinstance(story[index], pdf_blocks.WritingSpaceTable):
        return float(story[index].wrap(BODY_WIDTH, 10_000)[1])
    return pdf_blocks.lead_height(story[index], BODY_WIDTH)


def _build(document: Document, passes: int | None) -> tuple[bytes, list[int], int]:
    fonts.register()
    buffer = io.BytesIO()
    counter = PageCount()
    toc_levels = _toc_levels(document)
    story, marks = _story(document, counter, toc_levels)
    template = _Template(buffer, document, marks, counter, toc_levels)
    if passes == 1:  # layout only (the .docx contents): the pages are already final
        template.build(story, canvasmaker=canvas_maker(layout_only=True))
    else:
        template.multiBuild(story, canvasmaker=canvas_maker())
    return buffer.getvalue(), list(template.heading_pages), template.page


def render_pdf(document: Document) -> bytes:
    """The document as PDF bytes (built in memory)."""
    data, _, _ = _build(document, None)
    return data


def layout_pages(document: Document) -> tuple[list[int], int]:
    """The page each heading of ``document`` falls on in its PDF, in heading order, and
    the number of pages (one layout pass, nothing kept): for the .docx contents."""
    _, pages, total = _build(document, 1)
    return pages, total


__all__ = ["layout_pages", "render_pdf"]
