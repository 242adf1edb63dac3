"""The PAR's document model (``homestudy.report``) as HTML for the case page, cut at
each PAR section so the review comments can sit beside the section they are about.

Everything is escaped (markupsafe): the text is the worker's, never markup. Images are
left out of the page (the .docx and .pdf downloads have them).
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

from homestudy.report.docmodel import (
    Document,
    Heading,
    Image,
    ListBlock,
    Paragraph,
    Run,
    Table,
    WritingSpace,
)


@dataclass(frozen=True)
class Part:
    section_id: str  # the PAR section this part shows, "" for the cover and annexes
    title: str
    html: Markup


def _runs(runs: tuple[Run, ...]) -> str:
    out = []
    for r in runs:
        text = str(escape(r.text))
        if r.bold:
            text = f"<strong>{text}</strong>"
        if r.italic:
            text = f"<em>{text}</em>"
        out.append(text)
    return "".join(out)


def _block(block: object) -> str:
    if isinstance(block, Heading):
        level = min(max(block.level + 2, 3), 6)  # the page has h1 and h2 above the PAR
        number = f"{escape(block.number)} " if block.number else ""
        return f'<h{level} id="{escape(block.anchor)}">{number}{escape(block.text)}</h{level}>'
    if isinstance(block, Paragraph):
        return f'<p class="p-{escape(block.style)}">{_runs(block.runs)}</p>'
    if isinstance(block, ListBlock):
        ordered = any(i.number for i in block.items)
        tag = "ol" if ordered else "ul"
        items = "".join(f'<li class="lvl-{i.level}">{_runs(i.runs)}</li>' for i in block.items)
        return f"<{tag}>{items}</{tag}>"
    if isinstance(block, Table):
        head = "".join(f'<th scope="col">{escape(c)}</th>' for c in block.columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in block.rows
        )
        caption = f"<caption>{escape(block.caption)}</caption>" if block.caption else ""
        return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    if isinstance(block, Image):
        return f'<p class="p-note">[Picture: {escape(block.alt)} — in the downloads]</p>'
    if isinstance(block, WritingSpace):
        return ""
    return ""  # page and section breaks, the contents list: not on a web page


def parts(document: Document, section_ids: set[str], front: tuple[str, ...] = ()) -> list[Part]:
    """The document cut before each level-0/1 heading.

    ``front``: the sections the front sheet prints (the cover), which have no heading of
    their own: the part before the first heading is the first of them, and each further
    one gets an empty part after it, so every section can have its review box.
    """
    out: list[Part] = []
    current_id, title = "", ""
    html: list[str] = []
    for block in document.blocks:
        if isinstance(block, Heading) and block.level <= 1:
            if html:
                out.append(Part(current_id, title, Markup("".join(html))))
            sid = block.anchor[2:] if block.anchor.startswith("s_") else ""
            current_id = sid if sid in section_ids else ""
            title, html = block.text, []
        html.append(_block(block))
    if html:
        out.append(Part(current_id, title, Markup("".join(html))))
    shown = [sid for sid in front if sid in section_ids]
    if shown and out and not out[0].title:  # the front sheet: everything before a heading
        out[0] = Part(shown[0], out[0].title, out[0].html)
        out[1:1] = [Part(sid, "", Markup("")) for sid in shown[1:]]
    return out
