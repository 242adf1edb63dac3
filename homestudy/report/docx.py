"""Write a ``Document`` as a .docx with python-docx.

Real structure for Word and LibreOffice: named styles (``docx_styles``), the headings
in Word's heading styles (a Part is Heading 1 when the report has Parts), Word
numbering for lists, a contents (TOC field) whose entries, links and page numbers are
filled in at export, so it reads right even in Protected View, where Word updates no
field. The page numbers are those of the PDF layout of the same document (one layout
pass, ``pdf.layout_pages``): the .docx uses the same page geometry, sizes and font
metrics, so they agree with what Word shows; Word refreshes them when editing is
allowed. Page breaks are "page break before" on the next paragraph and a
``SectionBreak`` is a new Word section with its own header and footer
(``docx_page``), so no empty paragraph can spill onto a page of its own.
"""

from __future__ import annotations

import io
from pathlib import Path

from docx.document import Document as DocxDocument
from docx.enum.section import WD_SECTION
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph as DocxParagraph

from homestudy.report import docx_blocks
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
from homestudy.report.docx_page import Pages
from homestudy.report.docx_styles import MODEL_STYLES, define_styles
from homestudy.report.docx_template import finish, load_template
from homestudy.report.layout import heading_text


def render_docx(
    document: Document, *, template: Path | None = None, pages: list[int] | None = None
) -> bytes:
    """The document as .docx bytes (built in memory). ``template``: an agency's
    report template (HomeStudy's own when None); ``pages``: the page of each heading,
    for the contents (worked out from the PDF layout when None and there are contents)."""
    docx, ours = load_template(template)
    has_parts = any(h.level <= 0 for h in document.headings())
    define_styles(docx, ours=ours, has_parts=has_parts, language=document.language or "en-GB")
    total = 0
    if pages is None and any(isinstance(b, TableOfContents) for b in document.blocks):
        from homestudy.report.pdf import layout_pages

        pages, total = layout_pages(document)
    _Writer(docx, document, has_parts, pages or []).write()
    finish(docx, document, total)
    buffer = io.BytesIO()
    docx.save(buffer)
    return buffer.getvalue()


class _Writer:
    def __init__(
        self, docx: DocxDocument, document: Document, has_parts: bool, pages: list[int]
    ) -> None:
        self.docx, self.document, self.has_parts = docx, document, has_parts
        self.body = docx_blocks.Body(docx)
        self.pages = Pages(docx, document)
        self.heading_pages = pages
        self.bookmarks: list[str] = []  # per heading, in order
        self.toc_entries: list[tuple[int, Heading]] = []  # (contents level, heading)
        self.fresh = True  # nothing written yet
        self.break_due = False  # the next content starts a new page
        self.mark = self.section_mark = ""  # the running mark wanted / the section's

    def write(self) -> None:
        self.pages.setup(self.docx.sections[0], "")
        toc_at: DocxParagraph | None = None
        for block in self.document.blocks:
            if isinstance(block, PageBreak | SectionBreak):
                if isinstance(block, SectionBreak):
                    self.mark = block.running_mark
                # consecutive breaks, or a break before anything, make one new page
                self.break_due = self.break_due or not self.fresh
                continue
            if isinstance(block, Heading) and block.level <= 0 and not self.fresh:
                self.break_due = True  # a Part starts on a new page
            self._before_content()
            if isinstance(block, TableOfContents):
                toc_at = self.body.paragraph("TOC Heading")
                toc_at.add_run(block.title)
            else:
                self._block(block)
        if toc_at is not None:
            self._fill_toc(toc_at)

    def _before_content(self) -> None:
        if self.mark != self.section_mark:
            if self.body.last_element() is None:  # nothing yet: the first section's mark
                self.pages.setup(self.docx.sections[0], self.mark)
            else:
                self._new_section(self.mark)
            self.section_mark = self.mark
        elif self.break_due:
            self.body.break_before_next = True
        self.break_due = self.fresh = False

    def _new_section(self, mark: str) -> None:
        last = self.body.last_element()
        section = self.docx.add_section(WD_SECTION.NEW_PAGE)
        holder = self.body.last_element()  # python-docx's new paragraph ending the section
        sect_path = qn("w:pPr") + "/" + qn("w:sectPr")
        if (
            last is not None
            and last.tag == qn("w:p")
            and holder is not None
            and last.find(sect_path) is None
        ):
            # the section ends with its own last paragraph, not an empty one after it
            last.get_or_add_pPr()._insert_sectPr(holder.find(sect_path))
            holder.getparent().remove(holder)
        self.pages.setup(section, mark)
        self.body.break_before_next = False  # the new section starts a new page

    def _block(self, block: object) -> None:
        if isinstance(block, Heading):
            self._heading(block)
        elif isinstance(block, Paragraph):
            paragraph = self.body.paragraph(MODEL_STYLES.get(block.style, "Normal"))
            docx_blocks.add_runs(paragraph, block.runs)
        elif isinstance(block, ListBlock):
            docx_blocks.list_block(self.body, block)
        elif isinstance(block, Table):
            docx_blocks.table(self.body, block)
        elif isinstance(block, Image):
            docx_blocks.picture(self.body, block)
        elif isinstance(block, WritingSpace):
            docx_blocks.writing_space(self.body, block)

    def _heading(self, block: Heading) -> None:
        level = block.level + (1 if self.has_parts else 0)
        paragraph = self.body.paragraph(f"Heading {min(max(level, 1), 4)}")
        docx_blocks.add_runs(paragraph, (Run(heading_text(block.number, block.text)),))
        self.bookmarks.append(self.body.bookmark(paragraph))
        # the contents list Parts and sections (as the PDF's: pdf._toc_levels)
        contents_level = block.level if self.has_parts else block.level - 1
        if 0 <= contents_level <= (1 if self.has_parts else 0):
            self.toc_entries.append((contents_level, block))

    # ------------------------------------------------------------------ contents
    def _fill_toc(self, title: DocxParagraph) -> None:
        """The TOC field after ``title``, its result the entries with their pages."""
        headings = self.document.headings()
        index = {id(h): n for n, h in enumerate(headings)}
        depth = "1-2" if self.has_parts else "1-1"
        anchor = title._p
        entries = self.toc_entries or []
        paragraphs: list[DocxParagraph] = []
        for level, heading in entries:
            n = index[id(heading)]
            page = self.heading_pages[n] if n < len(self.heading_pages) else 0
            paragraph = self._detached(f"TOC {level + 1}")
            _toc_entry(
                paragraph, heading_text(heading.number, heading.text), self.bookmarks[n], page
            )
            paragraphs.append(paragraph)
        if not paragraphs:
            paragraphs.append(self._detached("TOC 1"))
            paragraphs[0].add_run("No headings.")
        first, last = paragraphs[0], paragraphs[-1]
        begin = [
            _fld_char("begin", dirty=False),
            _instr(f'TOC \\o "{depth}" \\h \\z \\u'),
            _fld_char("separate"),
        ]
        ppr = first._p.pPr
        for element in reversed(begin):
            if ppr is not None:
                ppr.addnext(element)
            else:
                first._p.insert(0, element)
        last._p.append(_fld_char("end"))
        for paragraph in paragraphs:
            anchor.addnext(paragraph._p)
            anchor = paragraph._p

    def _detached(self, style: str) -> DocxParagraph:
        p = OxmlElement("w:p")
        paragraph = DocxParagraph(p, self.docx._body)
        p.style = self.body.style_id(style)
        return paragraph


def _toc_entry(paragraph: DocxParagraph, text: str, bookmark: str, page: int) -> None:
    link = OxmlElement("w:hyperlink")
    link.set(qn("w:anchor"), bookmark)
    link.set(qn("w:history"), "1")
    link.append(_run(text))
    link.append(_run("\t"))
    link.append(_fld_char("begin"))
    link.append(_instr(f" PAGEREF {bookmark} \\h "))
    link.append(_fld_char("separate"))
    link.append(_run(str(page) if page else ""))
    link.append(_fld_char("end"))
    paragraph._p.append(link)


def _run(text: str) -> object:
    run = OxmlElement("w:r")
    if text == "\t":
        run.append(OxmlElement("w:tab"))
        return run
    t = OxmlElement("w:t")
    t.set(qn("xml:space"), "preserve")
    t.text = text
    run.append(t)
    return run


def _fld_char(kind: str, dirty: bool = False) -> object:
    run = OxmlElement("w:r")
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), kind)
    if dirty:
        char.set(qn("w:dirty"), "true")
    run.append(char)
    return run


def _instr(text: str) -> object:
    run = OxmlElement("w:r")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = text
    run.append(instr)
    return run
