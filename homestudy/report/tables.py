"""Table column widths from the content, shared by both writers.

Like a browser's automatic table layout: each column gets at least the width of its
longest word (so no word is broken inside a cell), and the room left is shared out
in proportion to how much more each column's longest text would like. Only a word
too long for any fair share of the page (a long compound, a URL) is hyphenated, and
only that word: ``hyphenate`` puts soft hyphens into it, at the points an en-GB
dictionary allows (pyphen).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Protocol

from reportlab.pdfbase.pdfmetrics import stringWidth

from homestudy.report import fonts
from homestudy.report.docmodel import Table
from homestudy.report.layout import CELL_PAD_X, STYLES

SOFT_HYPHEN = "\u00ad"
#: A column's longest word may claim at most this share of the width; a longer word
#: is hyphenated rather than squeezing every other column.
MAX_WORD_SHARE = 0.45
_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class ColumnLayout:
    widths: tuple[float, ...]  # points, adding up to the width given
    #: per column, the longest word width that fits (text wider than this is hyphenated)
    room: tuple[float, ...]


def _width(text: str, bold: bool, size: float) -> float:
    fonts.register()
    width: float = stringWidth(text, f"{fonts.BASE}-Bold" if bold else fonts.BASE, size)
    return width


def _longest_word(text: str, bold: bool, size: float) -> float:
    return max((_width(w, bold, size) for w in _WORD.findall(text)), default=0.0)


def _longest_line(text: str, bold: bool, size: float) -> float:
    return max((_width(line, bold, size) for line in text.split("\n")), default=0.0)


def column_widths(table: Table, total: float) -> ColumnLayout:
    """Widths for ``table``'s columns that add up to ``total`` points."""
    n = max(1, len(table.columns))
    size = STYLES["cell"].size
    pad = 2 * CELL_PAD_X + 1.0  # padding and the grid line
    least = [0.0] * n  # the longest word: below this a word would break
    most = [0.0] * n  # the longest line: the width the column would like
    for index in range(n):
        head = table.columns[index] if index < len(table.columns) else ""
        least[index] = _longest_word(head, True, size)
        most[index] = _longest_line(head, True, size)
        for row in table.rows:
            cell = row[index] if index < len(row) else ""
            least[index] = max(least[index], _longest_word(cell, False, size))
            most[index] = max(most[index], _longest_line(cell, False, size))
    cap = MAX_WORD_SHARE * total - pad
    least = [min(w, cap) + pad for w in least]
    most = [max(m + pad, lo) for m, lo in zip(most, least, strict=True)]
    if sum(least) >= total:  # even the words do not fit: only the widest give way
        widths = _level_down(least, total)
    elif sum(most) <= total:  # everything fits on one line: share out the rest
        widths = [m + (total - sum(most)) * m / sum(most) for m in most]
    else:
        spare = total - sum(least)
        wants = [m - lo for m, lo in zip(most, least, strict=True)]
        widths = [lo + spare * w / sum(wants) for lo, w in zip(least, wants, strict=True)]
    return ColumnLayout(tuple(widths), tuple(w - pad for w in widths))


class _Hyphenator(Protocol):
    """What is used of ``pyphen.Pyphen`` (pyphen has no type hints)."""

    def inserted(self, word: str, hyphen: str = "-") -> str: ...


@cache
def _dictionary() -> _Hyphenator:
    import pyphen

    dictionary: _Hyphenator = pyphen.Pyphen(lang="en_GB")
    return dictionary


def hyphenate(text: str, room: float, bold: bool = False) -> str:
    """``text`` with soft hyphens in each word wider than ``room`` points, so a writer
    can break it at a syllable; other words are left whole. A word with no
    hyphenation point is left to the writer (it breaks it only as a last resort)."""
    size = STYLES["cell"].size

    def fix(match: re.Match[str]) -> str:
        word = match.group(0)
        if _width(word, bold, size) <= room:
            return word
        return _dictionary().inserted(word, hyphen=SOFT_HYPHEN)

    return _WORD.sub(fix, text)


def needs_hyphens(text: str, room: float, bold: bool = False) -> bool:
    return _longest_word(text, bold, STYLES["cell"].size) > room


def _level_down(least: list[float], total: float) -> list[float]:
    """Widths adding up to ``total`` that cut only the widest columns, to one level
    (water-filling): a column narrower than the level keeps its longest word whole."""
    order = sorted(least)
    remaining, count = total, len(order)
    level = total / count
    for width in order:
        if width * count > remaining:
            level = remaining / count
            break
        remaining -= width
        count -= 1
    else:
        level = max(order)
    return [min(w, level) for w in least]
