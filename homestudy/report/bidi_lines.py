"""Visual order for laid-out PDF lines that mix right-to-left and left-to-right text.

reportlab breaks a paragraph into lines in logical (typing) order and, for paragraphs
of several fonts, does not reorder them (its own bidi path needs ``rlbidi`` and handles
single-font paragraphs only). We reorder each line after breaking, at draw time, so line
breaks are those of the logical text, as the Unicode Bidirectional Algorithm (UAX #9)
requires. The algorithm is python-bidi's (``bidi.algorithm``): we run its stages on the
line's text and read back where each character went (python-bidi's fast default,
``bidi.get_display``, gives only the reordered string). A shaped fragment (one Arabic
or Hebrew word, whose glyphs HarfBuzz already put right to left) moves whole; plain
text moves character by character, mirrored where the algorithm says, then rejoined.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from bidi import algorithm as _uba
from reportlab.pdfbase.ttfonts import ShapedStr

_RTL_CLASSES = frozenset({"R", "AL", "AN", "RLE", "RLO", "RLI"})


def needs_bidi(text: str) -> bool:
    """True when ``text`` has anything that can make its words run right to left."""
    if text.isascii():
        return False
    return any(ord(ch) >= 0x0590 and unicodedata.bidirectional(ch) in _RTL_CLASSES for ch in text)


def visual_order(pieces: list[str], rtl: bool) -> list[tuple[int, int, str]]:
    """Where each character of ``pieces`` (one line, in logical order) is drawn: a list,
    left to right, of (piece index, character index in the piece, character as drawn,
    mirrored where the algorithm says so). ``rtl`` is the paragraph's base direction.
    Characters the algorithm removes (embedding controls) are left out."""
    storage = _uba.get_empty_storage()
    storage["base_level"] = 1 if rtl else 0
    storage["base_dir"] = "R" if rtl else "L"
    _uba.get_embedding_levels("".join(pieces), storage)
    where: dict[int, tuple[int, int]] = {}
    chars = iter(storage["chars"])  # one per character (Python str has no surrogates)
    for index, piece in enumerate(pieces):
        for offset in range(len(piece)):
            where[id(next(chars))] = (index, offset)
    _uba.explicit_embed_and_overrides(storage)
    _uba.resolve_weak_types(storage)
    _uba.resolve_neutral_types(storage, False)
    _uba.resolve_implicit_levels(storage, False)
    _uba.reorder_resolved_levels(storage, False)
    _uba.apply_mirroring(storage, False)
    return [(*where[id(ch)], ch["ch"]) for ch in storage["chars"]]


def _logical(text: str) -> str:
    """A shaped word's text in logical order: its glyphs are already laid out visually,
    right to left for Arabic and Hebrew."""
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind in ("R", "AL"):
            return text[::-1]
        if kind == "L":
            return text
    return text


def reorder_frag_line(words: list[Any], rtl: bool) -> list[Any]:
    """A reportlab ``FragLine``'s fragments in left-to-right drawing order. A shaped
    fragment (one word, glyphs already in visual order) moves whole; plain text moves
    character by character and is then joined back into as few fragments as it can."""
    texts = [getattr(f, "text", None) for f in words]
    shaped = [isinstance(t, ShapedStr) for t in texts]
    logical = [_logical(t) if isinstance(t, ShapedStr) else t or "" for t in texts]
    if not rtl and not needs_bidi("".join(logical)):
        return words
    runs: list[tuple[int, int, str]] = []  # (fragment, end offset, text as drawn)
    placed: set[int] = set()
    for index, offset, ch in visual_order(logical, rtl):
        if shaped[index]:
            if index not in placed:
                runs.append((index, 0, ""))
        elif runs and runs[-1][0] == index and runs[-1][1] == offset:
            runs[-1] = (index, offset + 1, runs[-1][2] + ch)
        else:
            runs.append((index, offset + 1, ch))
        placed.add(index)
    out = [
        words[index] if shaped[index] or drawn == texts[index] else words[index].clone(text=drawn)
        for index, _, drawn in runs
    ]
    # images, callbacks and empty fragments have no characters: keep them just after
    # the fragment before them
    for index in range(len(words)):
        if index not in placed:
            before = words[index - 1] if index else None
            out.insert(out.index(before) + 1 if before in out else 0, words[index])
    return out
