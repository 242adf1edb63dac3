"""The one document model that both writers (``docx.py``, ``pdf.py``) render.

Built by ``par.py`` / ``records.py`` from a case; holds only cleaned text
(``sanitize.clean_text``), so a writer never sees a control character. What a
reader may see is decided here, once, not in the writers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from homestudy.report.sanitize import clean_line, clean_text

MARKING = "OFFICIAL-SENSITIVE"


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    italic: bool = False


@dataclass(frozen=True)
class Heading:
    #: 0 = a Part of the report ("Part 1 – Assessment report"); 1 = a PAR section; both
    #: are in the table of contents and the PDF outline; 2+ = headings inside a section
    level: int
    text: str
    anchor: str  # unique id, used for bookmarks / links
    number: str = ""  # the section's number as printed before its title ("4", "4.3"), "" none


@dataclass(frozen=True)
class Paragraph:
    runs: tuple[Run, ...]
    #: body | note (italic, grey: "Not yet written.", removal notes) | meta (small: status)
    #: | title | subtitle | cover (cover page lines) | field (a "Label: value" line)
    #: | analysis (the assessor's analysis paragraph; a named style in the .docx)
    style: str = "body"

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass(frozen=True)
class ListItem:
    runs: tuple[Run, ...]
    level: int = 0  # nesting depth, 0 = outermost
    number: int = 0  # 0 = a bullet; else the item's number in an ordered list


@dataclass(frozen=True)
class ListBlock:
    items: tuple[ListItem, ...]


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...] = ()  # relative column widths; () = equal
    caption: str = ""


@dataclass(frozen=True)
class PageBreak:
    pass


@dataclass(frozen=True)
class Image:
    """A picture placed in the report (photograph, family tree, eco-map): the bytes of
    an attachment, scaled by the writer to fit ``max_width_cm`` and the page."""

    data: bytes
    media_type: str  # "image/png" | "image/jpeg"
    alt: str  # alternative text for screen readers (never empty)
    max_width_cm: float = 15.0
    caption: str = ""


@dataclass(frozen=True)
class SectionBreak:
    """Starts a new page and a new document section (a Word section, a PDF page run).

    ``running_mark`` is printed in the header and footer of every page of the new
    section besides the marking (e.g. "CONFIDENTIAL – not to be shared with the
    applicants"), so that part can be detached; "" returns to the plain header.
    """

    running_mark: str = ""


@dataclass(frozen=True)
class TableOfContents:
    title: str = "Contents"


@dataclass(frozen=True)
class WritingSpace:
    """Room for the reader to write by hand (applicants' comments, signatures)."""

    lines: int = 12


Block = (
    Heading
    | Paragraph
    | ListBlock
    | Table
    | PageBreak
    | TableOfContents
    | WritingSpace
    | Image
    | SectionBreak
)


@dataclass
class Document:
    reference: str  # the case reference: the only identifier in headers and footers
    title: str
    variant_label: str  # "Panel copy", "Applicants' copy", "Supervisor draft", "Visit record"
    blocks: list[Block] = field(default_factory=list)
    marking: str = MARKING
    watermark: str = ""  # e.g. "DRAFT"; "" for none
    footer_note: str = ""  # e.g. "Draft version 20261128-1600 · exported 29 Nov 2026"
    author: str = ""
    #: printed on every page (header or footer), e.g. "Version r42 · 2 Dec 2026"
    version_label: str = ""
    #: printed prominently on every page when set, e.g. "INCOMPLETE – NOT FOR PANEL"
    incomplete_mark: str = ""
    language: str = "en-GB"  # proofing language of the .docx, /Lang of the PDF

    def __post_init__(self) -> None:
        # these reach headers, footers and file properties: one clean line each
        self.reference = clean_line(self.reference) or "No reference"
        self.title = clean_line(self.title)
        self.variant_label = clean_line(self.variant_label)
        self.author = clean_line(self.author)
        self.version_label = clean_line(self.version_label)
        self.incomplete_mark = clean_line(self.incomplete_mark)

    # ------------------------------------------------------------------ builders
    def heading(self, text: str, level: int = 1, anchor: str = "", number: str = "") -> None:
        n = sum(1 for b in self.blocks if isinstance(b, Heading))
        self.blocks.append(
            Heading(level, clean_line(text) or "Untitled", anchor or f"h{n}", clean_line(number))
        )

    def para(
        self, text: str, style: str = "body", *, bold: bool = False, italic: bool = False
    ) -> None:
        self.blocks.append(Paragraph((Run(clean_text(text), bold, italic),), style))

    def note(self, text: str) -> None:
        self.para(text, "note", italic=True)

    def field(self, label: str, value: str) -> None:
        self.blocks.append(
            Paragraph(
                (Run(clean_line(label) + ": ", bold=True), Run(clean_line(value) or "—")), "field"
            )
        )

    def table(
        self,
        columns: list[str] | tuple[str, ...],
        rows: list[list[str]],
        widths: tuple[float, ...] = (),
        caption: str = "",
    ) -> None:
        width = len(columns)
        cleaned = tuple(
            tuple(clean_text(c).replace("\t", " ") for c in (list(r) + [""] * width)[:width])
            for r in rows
        )
        self.blocks.append(
            Table(tuple(clean_line(c) for c in columns), cleaned, widths, clean_line(caption))
        )

    def extend(self, blocks: Iterable[Block]) -> None:
        self.blocks.extend(blocks)

    # ------------------------------------------------------------------ reading
    def headings(self, level: int | None = None) -> list[Heading]:
        return [
            b for b in self.blocks if isinstance(b, Heading) and (level is None or b.level == level)
        ]

    def plain_text(self) -> str:
        """Every word a reader could see (tests look for leaks with it)."""
        out: list[str] = [
            self.title,
            self.variant_label,
            self.footer_note,
            self.version_label,
            self.incomplete_mark,
        ]
        for b in self.blocks:
            if isinstance(b, Heading | Paragraph):
                out.append(b.text)
            elif isinstance(b, ListBlock):
                out.extend("".join(r.text for r in i.runs) for i in b.items)
            elif isinstance(b, Table):
                out.append(" ".join(b.columns))
                out.extend(" ".join(r) for r in b.rows)
            elif isinstance(b, Image):
                out.extend((b.alt, b.caption))
            elif isinstance(b, SectionBreak):
                out.append(b.running_mark)
        return "\n".join(out)
