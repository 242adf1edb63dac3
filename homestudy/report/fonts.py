"""The TrueType fonts embedded in PDF exports, and which one draws each character.

Liberation Sans (four faces) draws Latin, Greek and Cyrillic. It has the metrics of
Arial, the font of the .docx exports, so a PDF and the .docx of the same report break
lines and pages alike (the .docx contents take their page numbers from the PDF
layout, ``pdf.layout_pages``). DejaVu Sans draws what Liberation lacks (Armenian,
Georgian, many symbols); per-script fallbacks (Noto Sans for Arabic and the scripts
of South and South-East Asia, Hebrew and Ethiopic, Droid Sans Fallback for Chinese
and Japanese, Nanum Square for Korean, Symbola for emoji) draw the rest. ``segments``
splits text into runs by the first font that has each character, so no glyph is
drawn as an empty box; a character no font has becomes U+FFFD, and invisible
format characters (joiners, variation selectors) that no font draws are dropped.
Licences are beside the fonts in ``homestudy/data/fonts``.
"""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from homestudy.resources import resource_path

BASE = "HSSans"
BASE_FILES = {
    BASE: "LiberationSans-Regular.ttf",
    f"{BASE}-Bold": "LiberationSans-Bold.ttf",
    f"{BASE}-Italic": "LiberationSans-Italic.ttf",
    f"{BASE}-BoldItalic": "LiberationSans-BoldItalic.ttf",
}
#: (font name, file, code point ranges it is preferred for, ahead of the base font)
FALLBACKS: tuple[tuple[str, str, tuple[tuple[int, int], ...]], ...] = (
    ("HSDejaVu", "DejaVuSans.ttf", ()),
    (
        "HSArabic",
        "NotoSansArabic-Regular.ttf",
        ((0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF)),
    ),
    ("HSHebrew", "NotoSansHebrew-Regular.ttf", ((0x0590, 0x05FF), (0xFB1D, 0xFB4F))),
    ("HSDevanagari", "NotoSansDevanagari-Regular.ttf", ()),
    ("HSBengali", "NotoSansBengali-Regular.ttf", ()),
    ("HSGurmukhi", "NotoSansGurmukhi-Regular.ttf", ()),
    ("HSGujarati", "NotoSansGujarati-Regular.ttf", ()),
    ("HSOriya", "NotoSansOriya-Regular.ttf", ()),
    ("HSTamil", "NotoSansTamil-Regular.ttf", ()),
    ("HSTelugu", "NotoSansTelugu-Regular.ttf", ()),
    ("HSKannada", "NotoSansKannada-Regular.ttf", ()),
    ("HSMalayalam", "NotoSansMalayalam-Regular.ttf", ()),
    ("HSSinhala", "NotoSansSinhala-Regular.ttf", ()),
    ("HSThai", "NotoSansThai-Regular.ttf", ()),
    ("HSLao", "NotoSansLao-Regular.ttf", ()),
    ("HSKhmer", "NotoSansKhmer-Regular.ttf", ()),
    ("HSMyanmar", "NotoSansMyanmar-Regular.ttf", ()),
    ("HSEthiopic", "NotoSansEthiopic-Regular.ttf", ()),
    ("HSCJK", "DroidSansFallbackFull.ttf", ()),
    ("HSKorean", "NanumSquareR.ttf", ()),  # after CJK: its few Hanja glyphs are blank
    ("HSSymbols", "NotoSansSymbols2-Regular.ttf", ()),
    ("HSEmoji", "Symbola.ttf", ()),
)
#: Fonts that need HarfBuzz shaping (joining, reordering, right-to-left glyph order).
#: The base font is never shaped: shaping Latin would turn "st" into a ligature that
#: PDF text extraction and search no longer find.
SHAPED = frozenset(
    {
        "HSArabic",
        "HSHebrew",
        "HSDevanagari",
        "HSBengali",
        "HSGurmukhi",
        "HSGujarati",
        "HSOriya",
        "HSTamil",
        "HSTelugu",
        "HSKannada",
        "HSMalayalam",
        "HSSinhala",
        "HSThai",
        "HSLao",
        "HSKhmer",
        "HSMyanmar",
    }
)
_INVISIBLE = {"Mn", "Me", "Cf", "Cc", "Cs", "Co", "Cn", "Zl", "Zp"}


def fonts_dir() -> Path:
    """The shipped fonts (package data; see ``homestudy.resources``)."""
    return resource_path("fonts")


@dataclass(frozen=True)
class _Font:
    name: str
    chars: frozenset[int]
    preferred: tuple[tuple[int, int], ...]


def _plain_font_class() -> type:
    from reportlab.pdfbase.ttfonts import TTFont

    class PlainTTFont(TTFont):  # type: ignore[misc]
        """A font reportlab never shapes, even inside a shaped paragraph (it skips a
        word whose font has no ``hbFont``), so Latin text keeps plain letters."""

        @property
        def hbFont(self) -> None:
            raise AttributeError("not shaped")

    return PlainTTFont


_lock = threading.Lock()
_fonts: list[_Font] = []  # base first, then the fallbacks in order


def register() -> None:
    """Register every font with reportlab once (thread-safe; cheap after the first call)."""
    if _fonts:
        return
    with _lock:
        if _fonts:
            return
        from reportlab.lib.fonts import addMapping
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        folder = fonts_dir()
        plain = _plain_font_class()
        loaded: list[_Font] = []
        for name, file in BASE_FILES.items():
            font = plain(name, str(folder / file), shapable=False)
            pdfmetrics.registerFont(font)
            if name == BASE:
                chars = frozenset(font.face.charToGlyph)
                loaded.append(_Font(name, chars, ()))
                _common_punctuation.update(c for c in range(0x2000, 0x2070) if c in chars)
        for bold, italic, name in (
            (0, 0, BASE),
            (1, 0, f"{BASE}-Bold"),
            (0, 1, f"{BASE}-Italic"),
            (1, 1, f"{BASE}-BoldItalic"),
        ):
            addMapping(BASE, bold, italic, name)
        for name, file, preferred in FALLBACKS:
            path = folder / file
            if not path.exists():  # a trimmed install: fall back further down the chain
                continue
            font = (TTFont if name in SHAPED else plain)(name, str(path), shapable=name in SHAPED)
            pdfmetrics.registerFont(font)
            loaded.append(_Font(name, frozenset(font.face.charToGlyph), preferred))
        _fonts.extend(loaded)
        _font_for.cache_clear()


@cache
def _font_for(code: int) -> str | None:
    """The font to draw ``code`` with: "" = the base font (keeps bold/italic), None = none."""
    for font in _fonts[1:]:
        if (
            font.preferred
            and any(lo <= code <= hi for lo, hi in font.preferred)
            and code in font.chars
        ):
            return font.name
    for index, font in enumerate(_fonts):
        if code in font.chars:
            return "" if index == 0 else font.name
    return None


_common_punctuation: set[int] = set()  # General Punctuation the base font has


def _is_simple(text: str) -> bool:
    # Fast path: the base font has every letter below U+0250 (Latin, Latin-1, Extended-A
    # and -B) and the common General Punctuation (smart quotes, dashes, ellipsis)
    return text.isascii() or all(ord(c) < 0x0250 or ord(c) in _common_punctuation for c in text)


def segments(text: str) -> list[tuple[str, str]]:
    """``text`` as (font, text) runs; font "" is the base family (bold/italic apply)."""
    register()
    if _is_simple(text):
        return [("", text)] if text else []
    out: list[tuple[str, str]] = []
    for ch in text:
        if ch in "\n\t":  # line structure: the writers handle these, in any font
            out[-1:] = [(out[-1][0], out[-1][1] + ch)] if out else [("", ch)]
            continue
        code = ord(ch)
        font = _font_for(code)
        category = unicodedata.category(ch)
        invisible = category in _INVISIBLE
        if out and out[-1][0] and category[0] in "PNS" and code in _chars_of(out[-1][0]):
            # punctuation and digits stay with the script before them ("بكم." is one
            # word in one font, which reportlab's shaping needs)
            out[-1] = (out[-1][0], out[-1][1] + ch)
            continue
        if invisible and out:
            prev = out[-1][0]
            if code in _chars_of(prev):  # a mark or joiner stays with its base character
                out[-1] = (prev, out[-1][1] + ch)
                continue
            if font is None:
                continue
        if font is None:
            if invisible or ch == "\ufffd":
                continue
            font, ch = "", "\ufffd"
        if out and out[-1][0] == font:
            out[-1] = (font, out[-1][1] + ch)
        else:
            out.append((font, ch))
    return out


@cache
def _chars_of(name: str) -> frozenset[int]:
    for index, font in enumerate(_fonts):
        if (index == 0 and name == "") or font.name == name:
            return font.chars
    return frozenset()


def is_rtl(text: str) -> bool:
    """True when ``text``'s first strong character is right-to-left (Hebrew, Arabic ...)."""
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False
