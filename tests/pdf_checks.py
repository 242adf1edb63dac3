"""Read a PDF's navigation and text positions back with pypdf, to check them.

``targets``: every outline (bookmark) entry with the page and height it jumps to;
``links``: every link annotation, where it sits and where it jumps to; ``lines``:
the text drawn on a page, as (baseline y, x, text) per line.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache

import pypdf


@dataclass(frozen=True)
class Target:
    title: str
    page: int  # 0-based
    top: float


@dataclass(frozen=True)
class Link:
    page: int
    rect: tuple[float, float, float, float]
    dest_page: int
    dest_top: float


@cache
def _reader(data: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(data))


def targets(data: bytes) -> list[Target]:
    reader = _reader(data)
    out: list[Target] = []

    def walk(items: list) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                out.append(
                    Target(
                        str(item.title), reader.get_destination_page_number(item), float(item.top)
                    )
                )

    walk(reader.outline)
    return out


def links(data: bytes) -> list[Link]:
    reader = _reader(data)
    pages = {page.indirect_reference.idnum: n for n, page in enumerate(reader.pages)}
    out = []
    for n, page in enumerate(reader.pages):
        for annot in page.get("/Annots", []) or []:
            annot = annot.get_object()
            if annot.get("/Subtype") != "/Link":
                continue
            dest = annot.get("/Dest")
            if dest is None and "/A" in annot:
                dest = annot["/A"].get_object().get("/D")
            if isinstance(dest, str | pypdf.generic.TextStringObject):
                named = reader.named_destinations[str(dest)]
                dest_page, top = reader.get_destination_page_number(named), float(named.top)
            else:
                dest_page, top = pages[dest[0].idnum], float(dest[3])
            rect = tuple(float(v) for v in annot["/Rect"])
            out.append(Link(n, rect, dest_page, top))  # type: ignore[arg-type]
    return out


@cache
def lines(data: bytes, page: int) -> tuple[tuple[float, float, str], ...]:
    """The text of one page, line by line from the top: (baseline y, x, text)."""
    fragments: list[tuple[float, float, str]] = []

    def visit(text: str, cm: list, tm: list, font: object, size: object) -> None:
        if text.strip():
            x = tm[4] * cm[0] + cm[4]
            y = tm[5] * cm[3] + cm[5]
            fragments.append((y, x, text))

    _reader(data).pages[page].extract_text(visitor_text=visit)
    by_line: dict[float, list[tuple[float, str]]] = {}
    for y, x, text in fragments:
        key = next((k for k in by_line if abs(k - y) < 1.5), y)
        by_line.setdefault(key, []).append((x, text))
    return tuple(
        (y, min(x for x, _ in parts), "".join(t for _, t in sorted(parts)).replace("\n", " "))
        for y, parts in sorted(by_line.items(), key=lambda item: -item[0])
    )


def text_in(data: bytes, page: int, rect: tuple[float, float, float, float]) -> str:
    x0, y0, x1, y1 = rect
    return " ".join(
        text for y, x, text in lines(data, page) if y0 - 2 <= y <= y1 + 2 and x0 - 2 <= x <= x1 + 2
    )


def squash(text: str) -> str:
    return "".join(text.split())
