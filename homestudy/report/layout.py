"""Page geometry, type sizes and the running marks that both writers share.

The .pdf and the .docx of one report are laid out from these same numbers (A4, the
same margins, sizes, line heights and spacing, in points) and the same font metrics
(Arial in the .docx, Liberation Sans, its metric twin, in the PDF), so they break
pages alike: the .docx contents take their page numbers from the PDF layout.
"""

from __future__ import annotations

from dataclasses import dataclass

from homestudy.report.docmodel import Document

MM = 72 / 25.4
PAGE_WIDTH = 210 * MM
PAGE_HEIGHT = 297 * MM
SIDE_MARGIN = 20 * MM
BODY_WIDTH = PAGE_WIDTH - 2 * SIDE_MARGIN
HEADER_DISTANCE = 10 * MM  # the page's top edge to the header's first line
FOOTER_DISTANCE = 10 * MM  # the page's bottom edge to the footer's last line
RULE_GAP = 8.0  # between the header (or footer) and the body
MIN_MARGIN = 20 * MM

DOCX_FONT = "Arial"  # Liberation Sans in the PDF has its metrics

ACCENT = "1F3864"
GREY = "595959"
RED = "C00000"
RULE = "A6A6A6"
SHADE = "E8EDF5"  # alternate table rows
ANALYSIS_SHADE = "F1F4F9"  # behind an analysis paragraph
WHITE = "FFFFFF"


@dataclass(frozen=True)
class TextStyle:
    size: float
    leading: float  # the height of one line
    before: float = 0.0
    after: float = 0.0
    colour: str = "000000"
    bold: bool = False
    italic: bool = False
    indent: float = 0.0  # left indent


BODY = TextStyle(10.5, 14.5, after=6)
STYLES: dict[str, TextStyle] = {
    "body": BODY,
    "cover": BODY,
    "note": TextStyle(10.5, 14.5, after=6, colour=GREY, italic=True),
    "meta": TextStyle(9, 12, after=6, colour=GREY),
    "field": TextStyle(10.5, 14.5, after=3),
    "analysis": TextStyle(10.5, 14.5, before=2, after=8, indent=8),
    "title": TextStyle(24, 30, before=40, after=8, colour=ACCENT, bold=True),
    "subtitle": TextStyle(15, 20, after=24, colour=GREY),
    "h0": TextStyle(20, 25, after=14, colour=ACCENT, bold=True),
    "h1": TextStyle(15, 19, before=14, after=8, colour=ACCENT, bold=True),
    "h2": TextStyle(12, 16, before=10, after=5, colour=ACCENT, bold=True),
    "h3": TextStyle(11, 15, before=8, after=4, colour=ACCENT, bold=True),
    "cell": TextStyle(9, 11.5),
    "head": TextStyle(9, 11.5, colour=WHITE, bold=True),
    "caption": TextStyle(9, 12, before=4, after=6, colour=GREY),
    "toc_title": TextStyle(15, 19, after=8, colour=ACCENT, bold=True),
    "toc0": TextStyle(11, 17, before=4, bold=True),
    "toc1": TextStyle(10.5, 15, indent=14),
    "list": TextStyle(10.5, 14.5, after=3),
}
CELL_PAD_X = 4.0  # left and right padding inside a table cell
CELL_PAD_Y = 3.0  # top and bottom
RULE_WIDTH = 0.5  # table borders; Word and LibreOffice count one in each row's height
LIST_INDENT = 18.0  # per nesting level
LIST_HANGING = 14.0  # room for the bullet or number
KEEP_TABLE_ROWS = 8  # a table of at most this many rows is kept on one page, whole
WRITING_LINE = 22.0  # the height of one ruled line of writing space
IMAGE_MAX_HEIGHT = 0.55 * (PAGE_HEIGHT - 2 * MIN_MARGIN)  # a picture leaves room for text


def heading_style(level: int) -> str:
    """The layout style of a heading: a Part is h0, a section h1, inner headings h2, h3."""
    if level <= 0:
        return "h0"
    return "h1" if level == 1 else ("h2" if level == 2 else "h3")


def heading_text(number: str, text: str) -> str:
    """A heading as printed, its number first ("4 Family of origin")."""
    return f"{number} {text}" if number else text


@dataclass(frozen=True)
class MarkLine:
    """One line of a header or footer."""

    kind: str  # "marking" (marking + reference or page) | "running" | "incomplete" | "version"
    text: str
    size: float
    height: float
    colour: str
    bold: bool


def header_lines(document: Document, running_mark: str) -> list[MarkLine]:
    """Top of the page: the marking and the case reference, the part's running mark,
    and the INCOMPLETE mark, in that order."""
    lines = [MarkLine("marking", document.marking, 9, 12, RED, True)]
    if running_mark:
        lines.append(MarkLine("running", running_mark, 10, 14, RED, True))
    if document.incomplete_mark:
        lines.append(MarkLine("incomplete", document.incomplete_mark, 13, 18, RED, True))
    return lines


def footer_lines(document: Document, running_mark: str) -> list[MarkLine]:
    """Foot of the page, top line first: the INCOMPLETE mark, the running mark, the copy
    and its version, then the marking with "Page X of Y"."""
    lines: list[MarkLine] = []
    if document.incomplete_mark:
        lines.append(MarkLine("incomplete", document.incomplete_mark, 13, 18, RED, True))
    if running_mark:
        lines.append(MarkLine("running", running_mark, 10, 14, RED, True))
    version = version_text(document)
    if version:
        lines.append(MarkLine("version", version, 8, 11, GREY, False))
    lines.append(MarkLine("marking", document.marking, 8, 11, RED, True))
    return lines


def version_text(document: Document) -> str:
    parts = (document.variant_label, document.version_label, document.footer_note)
    return "  ·  ".join(p for p in parts if p)


def margins(document: Document, running_mark: str) -> tuple[float, float]:
    """(top, bottom) margins of the body for pages carrying ``running_mark``."""
    top = HEADER_DISTANCE + sum(line.height for line in header_lines(document, running_mark))
    bottom = FOOTER_DISTANCE + sum(line.height for line in footer_lines(document, running_mark))
    return max(MIN_MARGIN, top + RULE_GAP), max(MIN_MARGIN, bottom + RULE_GAP)


def image_size(width_px: int, height_px: int, max_width_cm: float) -> tuple[float, float]:
    """The printed size (points) of a picture: as wide as allowed, never taller than
    ``IMAGE_MAX_HEIGHT``, never wider than the body, the shape kept."""
    width = min(BODY_WIDTH, max(1.0, max_width_cm) * 10 * MM)
    height = width * height_px / max(1, width_px)
    if height > IMAGE_MAX_HEIGHT:
        width, height = width * IMAGE_MAX_HEIGHT / height, IMAGE_MAX_HEIGHT
    return width, height
