"""Make text from anywhere (Word, email, a sync bundle) safe to put in a .docx or .pdf.

Kept: every printable character, smart quotes, tabs, newlines, emoji, any script.
Removed: C0 controls other than tab and newline, DEL and the C1 controls (XML 1.0
forbids most of them and Word refuses a file that holds one), the non-characters
U+FFFE/U+FFFF, and lone surrogates (which cannot be encoded as UTF-8 at all; they
become U+FFFD so the reader sees that something was there). Also removed, unseen
characters that change what a reader sees or finds: the bidi embedding, override and
isolate controls (U+202A-U+202E, U+2066-U+2069: a right-to-left override shows words
backwards), the byte order mark U+FEFF and the zero-width space U+200B (a word split by
one is not found by search). The zero-width (non-)joiners U+200C/U+200D stay: Persian,
Indic scripts and emoji need them.
"""

from __future__ import annotations

import re

# C0 except \t and \n, plus DEL and C1; \r is handled first (line ends). Then the
# bidi controls, the zero-width space and the byte order mark.
_CONTROL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\u202a-\u202e\u2066-\u2069\u200b\ufeff]"
)
_SURROGATE = re.compile("[\ud800-\udfff]")
_LINE_ENDS = re.compile("\r\n?|[\u2028\u2029\x85]")


def clean_text(value: object) -> str:
    """``value`` as safe text; ``None`` becomes ""."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    text = _LINE_ENDS.sub("\n", text)
    text = _CONTROL.sub("", text)
    return _SURROGATE.sub("\ufffd", text)


def clean_line(value: object) -> str:
    """One line of text (a table cell, a name, a title): newlines and tabs become spaces."""
    text = clean_text(value).replace("\t", " ").replace("\n", " ")
    return text.strip()


def is_blank(value: object) -> bool:
    return not clean_text(value).strip()
