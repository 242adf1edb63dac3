"""The PAR's Markdown subset, both ways: what the rich-text editor stores and reads.

Reading is ``homestudy.report.markdown.parse_blocks`` (markdown-it-py), the very
parser the exports use, so what the worker sees in the editor is what the panel
gets. Writing is ``to_markdown(blocks)``: paragraphs separated by one blank line,
list items one per line (``- `` or ``1. ``, nested by indenting), ``**bold**`` and
``*italic*``, line breaks inside a paragraph as a single newline, and every
character that would mean markup escaped with a backslash. Each written paragraph
is parsed back and compared; markup that Markdown cannot say in that place (bold
ending in a quote mark right before a letter, say) is simplified step by step, and
the words themselves are never lost. So ``to_markdown(parse_blocks(t))`` is stable.

``paragraph_spans`` counts paragraphs as ``EvidenceLink.paragraph`` does (runs of
lines between blank lines); ``paragraph_map`` says where each old paragraph of a
text ends up once the text is rewritten in this canonical form.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache

from homestudy.report.docmodel import ListBlock, ListItem, Paragraph, Run
from homestudy.report.markdown import parse_blocks
from homestudy.report.sanitize import clean_text

Block = Paragraph | ListBlock
Style = tuple[bool, bool]  # (bold, italic)

_BLANK_LINE_RE = re.compile(r"\n[ \t]*\n")
_ESCAPED = re.compile(r"([\\*_])")
_LINE_START_BULLET = re.compile(r"^([-+])(?=[ \t]|$)")
_LINE_START_NUMBER = re.compile(r"^(\d{1,9})([.)])(?=[ \t]|$)")
_PLAIN: Style = (False, False)


# ------------------------------------------------------------------ paragraphs (evidence)


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph: runs of lines separated by blank lines."""
    spans: list[tuple[int, int]] = []
    start = 0
    for gap in _BLANK_LINE_RE.finditer(text):
        if text[start : gap.start()].strip():
            spans.append((start, gap.start()))
        start = gap.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


def paragraph_map(text: str) -> list[int]:
    """For each paragraph of ``text`` (``paragraph_spans``), its index once ``text`` is
    read and written again (``canonical``): a line of text followed directly by a list
    becomes two paragraphs, and a list spread over blank lines becomes one."""
    from homestudy.report.markdown import _parser

    source = clean_text(text)
    starts = [
        t.map[0]
        for t in _parser().parse(source)
        if t.level == 0 and t.nesting == 1 and t.map is not None
    ]
    out = []
    for start, _end in paragraph_spans(source):
        line = source.count("\n", 0, start)
        out.append(max(0, sum(1 for s in starts if s <= line) - 1))
    return out


def canonical(text: str) -> str:
    """``text`` as the editor would store it (read, then written again)."""
    return to_markdown(parse_blocks(text))


# ------------------------------------------------------------------ writing


def to_markdown(blocks: Iterable[Block]) -> str:
    """The stored form of ``blocks`` (empty paragraphs and lists are left out)."""
    texts = (_list(b) if isinstance(b, ListBlock) else _paragraph(b.runs) for b in units(blocks))
    return "\n\n".join(t for t in texts if t.strip())


def units(blocks: Iterable[Block]) -> list[Block]:
    """The blocks as Markdown has them: empty list items left out, lists next to each
    other one list, and a list whose top-level items change between bullets and numbers
    two."""
    merged: list[Block] = []
    for block in blocks:
        if isinstance(block, ListBlock):  # an empty item is a gap, as an empty line is
            block = ListBlock(tuple(i for i in block.items if _lines(i.runs)))
            if not block.items:
                continue
        if isinstance(block, ListBlock) and merged and isinstance(merged[-1], ListBlock):
            merged[-1] = ListBlock(merged[-1].items + block.items)
        else:
            merged.append(block)
    out: list[Block] = []
    for block in merged:
        out += split_lists(block) if isinstance(block, ListBlock) else [block]
    return out


def split_lists(block: ListBlock) -> list[ListBlock]:
    """A list whose top-level items change between bullets and numbers is two lists in
    Markdown (and so two paragraphs for evidence links): split it the same way."""
    parts: list[list[ListItem]] = []
    for item in block.items:
        top = item.level <= 0
        if not parts or (top and bool(item.number) != bool(parts[-1][0].number)):
            parts.append([])
        parts[-1].append(item)
    return [ListBlock(tuple(p)) for p in parts]


def plain_text(blocks: Iterable[Block]) -> str:
    """The words alone, one paragraph or item per line (for comparisons and counts)."""
    lines: list[str] = []
    for block in blocks:
        if isinstance(block, ListBlock):
            lines += ["".join(r.text for r in item.runs) for item in block.items]
        else:
            lines.append("".join(r.text for r in block.runs))
    return "\n".join(lines)


def _lines(runs: Sequence[Run]) -> list[list[tuple[str, Style]]]:
    """Runs split at line breaks, each line's edges trimmed, empty lines dropped."""
    lines: list[list[tuple[str, Style]]] = [[]]
    for run in runs:
        text = clean_text(run.text)
        for n, part in enumerate(text.split("\n")):
            if n:
                lines.append([])
            if part:
                lines[-1].append((part, (run.bold, run.italic)))
    out = []
    for line in lines:
        merged = _merge(line)
        if merged:
            out.append(merged)
    return out


def _merge(line: Sequence[tuple[str, Style]]) -> list[tuple[str, Style]]:
    """Adjacent parts of one style joined, spaces at the edges of a styled stretch made
    plain (Markdown cannot style them), and the line's own edges trimmed."""
    out: list[tuple[str, Style]] = []

    def add(text: str, style: Style) -> None:
        if not text:
            return
        if out and out[-1][1] == style:
            out[-1] = (out[-1][0] + text, style)
        else:
            out.append((text, style))

    joined: list[tuple[str, Style]] = []
    for text, style in line:
        if joined and joined[-1][1] == style:
            joined[-1] = (joined[-1][0] + text, style)
        elif text:
            joined.append((text, style))
    for text, style in joined:
        core = text.strip()
        if style == _PLAIN or not core:
            add(text, _PLAIN)
            continue
        add(text[: len(text) - len(text.lstrip())], _PLAIN)
        add(core, style)
        add(text[len(text.rstrip()) :], _PLAIN)
    if out:
        out[0] = (out[0][0].lstrip(), out[0][1])
        out[-1] = (out[-1][0].rstrip(), out[-1][1])
    return [p for p in out if p[0]]


def _is_punct(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "PS"


def _flank_safe(parts: list[tuple[str, Style]]) -> list[tuple[str, Style]]:
    """Move punctuation out of a styled stretch where Markdown could not open or close
    it (``a**"x"**b``): the quote marks lose the style, the words keep it."""
    texts = [t for t, _ in parts]  # changed in place below; the styles stay
    styles = [s for _, s in parts]
    for i, (text, style) in enumerate(zip(texts, styles, strict=True)):
        if style == _PLAIN or not text:
            continue
        before = texts[i - 1][-1:] if i and styles[i - 1] == _PLAIN else ""
        after = texts[i + 1][:1] if i + 1 < len(texts) and styles[i + 1] == _PLAIN else ""
        if before and not before.isspace() and not _is_punct(before):
            cut = len(text) - len(text.lstrip("".join(c for c in text if _is_punct(c))))
            if cut:
                texts[i - 1] += text[:cut]
                text = text[cut:]
        if after and not after.isspace() and not _is_punct(after) and text:
            keep = len(text)
            while keep and _is_punct(text[keep - 1]):
                keep -= 1
            if keep < len(text):
                texts[i + 1] = text[keep:] + texts[i + 1]
                text = text[:keep]
        texts[i] = text
    return _merge([(t, s) for t, s in zip(texts, styles, strict=True) if t])


def _escape(text: str) -> str:
    return _ESCAPED.sub(r"\\\1", text)


def _escape_line_start(line: str) -> str:
    line = _LINE_START_BULLET.sub(r"\\\1", line)
    return _LINE_START_NUMBER.sub(r"\1\\\2", line)


def _inline(parts: Sequence[tuple[str, Style]]) -> str:
    """One line: markers opened and closed at style changes, bold outside italic."""
    out: list[str] = []
    bold = italic = False
    for text, (b, i) in [*parts, ("", _PLAIN)]:
        close = ""
        if italic and (not i or (b != bold)):
            close += "*"
            italic = False
        if bold and not b:
            close += "**"
            bold = False
        opening = ""
        if b and not bold:
            opening += "**"
            bold = True
        if i and not italic:
            opening += "*"
            italic = True
        out.append(close + opening + _escape(text))
    return _escape_line_start("".join(out))


def _plain_line(parts: Sequence[tuple[str, Style]]) -> str:
    return _escape_line_start(_escape("".join(t for t, _s in parts)))


def _dominant(parts: list[tuple[str, Style]]) -> list[tuple[str, Style]]:
    """Each stretch of styled text given the style most of it has (one marker pair)."""
    out: list[tuple[str, Style]] = []
    group: list[tuple[str, Style]] = []

    def close() -> None:
        if group:
            weight: dict[Style, int] = {}
            for text, style in group:
                weight[style] = weight.get(style, 0) + len(text)
            style = max(weight, key=lambda s: weight[s])
            out.append(("".join(t for t, _s in group), style))
            group.clear()

    for part in parts:
        if part[1] == _PLAIN:
            close()
            out.append(part)
        else:
            group.append(part)
    close()
    return _merge(out)


@lru_cache(maxsize=4096)  # typing changes one line: the others are not parsed again
def _line(parts: tuple[tuple[str, Style], ...]) -> str:
    """One line, written so that it reads back as written (see the module docstring)."""
    want = list(parts)
    for attempt in (_flank_safe(want), _flank_safe(_dominant(want))):
        line = _inline(attempt)
        if _reads_as(line, attempt):
            return line
    return _plain_line(want)


def _reads_as(line: str, parts: Sequence[tuple[str, Style]]) -> bool:
    blocks = parse_blocks(line)
    if len(blocks) != 1 or not isinstance(blocks[0], Paragraph):
        return False
    got = [(r.text, (r.bold, r.italic)) for r in blocks[0].runs]
    return _merge(got) == list(parts)


def _paragraph(runs: Sequence[Run]) -> str:
    return "\n".join(_line(tuple(line)) for line in _lines(runs))


def _list(block: ListBlock) -> str:
    lines: list[str] = []
    indents = [0]  # content column of the item last written at each level
    numbers: dict[int, int] = {}
    previous_level = -1
    for item in block.items:
        level = max(0, min(item.level, previous_level + 1))
        del indents[level + 1 :]
        for deeper in [k for k in numbers if k > level]:
            del numbers[deeper]
        if item.number:  # numbers run on within a list; the first one sets the start
            number = numbers[level] + 1 if level in numbers else item.number
            numbers[level] = number
            marker = f"{number}. "
        else:
            numbers.pop(level, None)
            marker = "- "
        indent = indents[level]
        text_lines = [_line(tuple(line)) for line in _lines(item.runs)] or [""]
        lines.append((" " * indent + marker + text_lines[0]).rstrip())
        content = indent + len(marker)
        lines += [" " * content + rest for rest in text_lines[1:]]
        indents.append(content)
        previous_level = level
    return "\n".join(lines)


def forget() -> None:
    """Drop the remembered lines (case text): called when the app locks."""
    _line.cache_clear()


def same_blocks(a: Sequence[Block], b: Sequence[Block]) -> bool:
    """Equal as the editor shows them (runs merged, line edges trimmed)."""
    if len(a) != len(b):
        return False
    for x, y in zip(a, b, strict=True):
        if type(x) is not type(y):
            return False
        if isinstance(x, Paragraph) and isinstance(y, Paragraph):
            if _lines(x.runs) != _lines(y.runs):
                return False
        elif isinstance(x, ListBlock) and isinstance(y, ListBlock):
            if len(x.items) != len(y.items):
                return False
            for p, q in zip(x.items, y.items, strict=True):
                if (_lines(p.runs), p.level, bool(p.number)) != (
                    _lines(q.runs),
                    q.level,
                    bool(q.number),
                ):
                    return False
    return True
