"""Pasted HTML (Word, LibreOffice, a browser, Google Docs, our own editors) to the PAR's
blocks: bold, italic, paragraphs, line breaks and lists are kept; everything else
(fonts, colours, sizes, tables, links, images, headings' looks) is dropped, words kept.

The HTML is read with the standard library's ``html.parser`` and each ``style``
attribute with ``tinycss2``. Word writes a list item as a paragraph with
``mso-list:l0 level2 lfo1`` in its style and the bullet or number as literal text
inside ``<![if !supportLists]>`` (or a ``mso-list:Ignore`` span): that marker text is
read to tell numbers from bullets and then left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import tinycss2

from homestudy.report.docmodel import ListBlock, ListItem, Paragraph, Run
from homestudy.report.sanitize import clean_text
from homestudy.richtext import Block

_BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "pre",
        "tr",
        "td",
        "th",
        "table",
        "dt",
        "dd",
        "section",
        "article",
        "header",
        "footer",
        "address",
        "figcaption",
        "caption",
        "center",
    }
)
_SKIP_TAGS = frozenset({"head", "style", "script", "title", "xml", "template", "noscript"})
_VOID_TAGS = frozenset(
    {
        "br",
        "img",
        "meta",
        "link",
        "hr",
        "input",
        "col",
        "area",
        "base",
        "wbr",
        "source",
        "embed",
        "param",
        "track",
    }
)
_BOLD_TAGS = frozenset({"b", "strong"})
_ITALIC_TAGS = frozenset({"i", "em", "cite", "dfn", "var"})
_LEVEL = re.compile(r"level(\d+)")
_ORDERED_MARKER = re.compile(r"^\(?([0-9]+|[a-zA-Z]|[ivxlcdmIVXLCDM]+)[.)]")
_SPACES = re.compile(r"[ \t\r\n\f\u00a0]+")


def _styles(attrs: dict[str, str]) -> dict[str, str]:
    text = attrs.get("style") or ""
    out: dict[str, str] = {}
    for decl in tinycss2.parse_declaration_list(text, skip_whitespace=True, skip_comments=True):
        if decl.type == "declaration":
            out[decl.lower_name] = tinycss2.serialize(decl.value).strip().lower()
    return out


def _weight_bold(value: str) -> bool | None:
    if value in ("bold", "bolder"):
        return True
    if value in ("normal", "lighter"):
        return False
    return int(value) >= 600 if value.isdigit() else None


@dataclass
class _Element:
    tag: str
    bold: bool
    italic: bool
    skip: bool
    list_tag: str = ""  # "ul" / "ol" for list containers


@dataclass
class _Pending:
    """The block being read: its runs, and what kind of block it is."""

    runs: list[Run] = field(default_factory=list)
    item: tuple[int, bool] | None = None  # (level, ordered) when a list item


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[_Element] = []
        self.blocks: list[Paragraph | ListItem] = []
        self.pending = _Pending()
        self.conditional_skip = False  # inside <![if !supportLists]> ... <![endif]>
        self.marker = ""  # Word's list marker text, read while skipping it

    # --------------------------------------------------------------- state

    @property
    def bold(self) -> bool:
        return self.stack[-1].bold if self.stack else False

    @property
    def italic(self) -> bool:
        return self.stack[-1].italic if self.stack else False

    @property
    def skipping(self) -> bool:
        return self.conditional_skip or bool(self.stack and self.stack[-1].skip)

    def _lists(self) -> list[str]:
        return [e.list_tag for e in self.stack if e.list_tag]

    def finish(self) -> None:
        """End the current block (an empty one is dropped)."""
        runs = self.pending.runs
        while runs and not runs[-1].text.strip(" "):
            runs.pop()
        if runs:
            runs[-1] = Run(runs[-1].text.rstrip(" "), runs[-1].bold, runs[-1].italic)
        text = "".join(r.text for r in runs).strip()
        if text and self.pending.item is not None:
            level, ordered = self.pending.item
            self.blocks.append(ListItem(tuple(runs), level, 1 if ordered else 0))
        elif text:
            self.blocks.append(Paragraph(tuple(runs)))
        self.pending = _Pending()

    def _add(self, text: str) -> None:
        runs = self.pending.runs
        if not runs or runs[-1].text.endswith("\n"):
            text = text.lstrip(" ")
        if not text:
            return
        if runs and runs[-1].text.endswith(" ") and text.startswith(" "):
            text = text[1:]
        if runs and (runs[-1].bold, runs[-1].italic) == (self.bold, self.italic):
            runs[-1] = Run(runs[-1].text + text, self.bold, self.italic)
        elif text:
            runs.append(Run(text, self.bold, self.italic))

    # --------------------------------------------------------------- parser events

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): v or "" for k, v in attrs}
        styles = _styles(values)
        if tag == "br":
            if not self.skipping:
                self.pending.runs.append(Run("\n", self.bold, self.italic))
            return
        if tag in _VOID_TAGS:
            return
        bold = self.bold
        italic = self.italic
        if tag in _BOLD_TAGS:
            bold = True
        if tag in _ITALIC_TAGS:
            italic = True
        weight = _weight_bold(styles.get("font-weight", ""))
        if weight is not None:
            bold = weight
        if styles.get("font-style") in ("italic", "oblique"):
            italic = True
        elif styles.get("font-style") == "normal":
            italic = False
        skip = self.skipping or tag in _SKIP_TAGS or styles.get("mso-list") == "ignore"
        if tag in _BLOCK_TAGS and not self.skipping:
            self.finish()
            self._start_item(tag, styles)
        element = _Element(tag, bold, italic, skip, tag if tag in ("ul", "ol") else "")
        if tag in ("ul", "ol") and not self.skipping:
            self.finish()
        self.stack.append(element)

    def _start_item(self, tag: str, styles: dict[str, str]) -> None:
        lists = self._lists()
        if tag == "li":
            ordered = bool(lists) and lists[-1] == "ol"
            self.pending.item = (max(0, len(lists) - 1), ordered)
            return
        word_list = styles.get("mso-list", "")
        if tag == "p" and word_list and word_list != "ignore":
            found = _LEVEL.search(word_list)
            level = int(found.group(1)) - 1 if found else 0
            self.pending.item = (max(0, level), False)  # numbers or bullets: see the marker
            self.marker = ""

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID_TAGS or not any(e.tag == tag for e in self.stack):
            return
        while self.stack:
            element = self.stack.pop()
            if element.tag == tag:
                break
        if (tag in _BLOCK_TAGS or tag in ("ul", "ol")) and not self.skipping:
            self.finish()

    def handle_data(self, data: str) -> None:
        if self.skipping:
            if self.conditional_skip or (self.stack and self.stack[-1].skip):
                self.marker += data
                self._read_marker()
            return
        self._add(clean_text(_SPACES.sub(" ", data)))  # as plain text is: no hidden controls

    def _read_marker(self) -> None:
        item = self.pending.item
        if item is not None and _ORDERED_MARKER.match(self.marker.strip()):
            self.pending.item = (item[0], True)

    def unknown_decl(self, data: str) -> None:
        text = data.strip().lower()
        if text.startswith("if") and "supportlists" in text.replace(" ", ""):
            self.conditional_skip = True
            self.marker = ""
        elif text.startswith("endif"):
            self.conditional_skip = False

    def close(self) -> None:
        super().close()
        self.finish()


def html_to_blocks(html: str) -> list[Block]:
    """The blocks of pasted ``html`` (paragraphs and lists only)."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    blocks: list[Block] = []
    items: list[ListItem] = []
    for block in reader.blocks:
        if isinstance(block, ListItem):
            items.append(block)
            continue
        if items:
            blocks.append(ListBlock(tuple(items)))
            items = []
        blocks.append(block)
    if items:
        blocks.append(ListBlock(tuple(items)))
    return blocks
