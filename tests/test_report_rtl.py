"""Right-to-left words in PDF exports sit in Unicode bidi order beside their neighbours.

The PDF is read back with poppler's ``pdftotext -bbox`` (an independent reader), which
gives every word with its position on the page. Checking x positions on one line tests
what a reader sees, whatever order a text extractor would guess: in an English line the
Arabic name "محمد علی" reads right to left, so علی must sit LEFT of محمد; in an Arabic
line the English run keeps its own left-to-right order but sits left of the Arabic
that comes before it.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import unicodedata
from datetime import date
from pathlib import Path

import pytest

from homestudy.demo import build_demo_case
from homestudy.forms import load_library
from homestudy.report import export_par

TODAY = date(2026, 11, 20)
MUHAMMAD, ALI = "محمد", "علی"  # علی with Urdu/Persian yeh
MIRIAM, COHEN = "מרים", "כהן"
URDU_FAMILY = "خاندان"  # Urdu: "family"
LONG = 900

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None,
    reason="poppler-utils (pdftotext) not installed: tests/setup_system.sh installs it",
)

_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">'
    r"(.*?)</word>"
)


def _norm(text: str) -> str:
    # shaped Arabic comes back as presentation forms (even the ﷴ ligature), maybe reversed
    return unicodedata.normalize("NFKC", html.unescape(text)).strip(".,;:()")


def _words(pdf: Path) -> list[tuple[int, float, float, str]]:
    out = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    words = []
    for page, chunk in enumerate(out.split("<page ")[1:]):
        for x, top, bottom, text in _WORD.findall(chunk):
            # the middle of the box: Arabic and Hebrew fonts are taller than Latin
            words.append((page, float(x), (float(top) + float(bottom)) / 2, _norm(text)))
    return words


def _is(word: str, target: str) -> bool:
    return word in (target, target[::-1])


def _lines(words: list[tuple[int, float, float, str]]) -> list[list[str]]:
    """The words grouped into lines, each left to right on the page."""
    lines: list[list[tuple[int, float, float, str]]] = []
    for word in sorted(words, key=lambda w: (w[0], w[2])):
        if lines and lines[-1][0][0] == word[0] and abs(lines[-1][0][2] - word[2]) < 3:
            lines[-1].append(word)
        else:
            lines.append([word])
    return [[w[3] for w in sorted(line, key=lambda w: w[1])] for line in lines]


def _line_order(
    words: list[tuple[int, float, float, str]], anchor: str, wanted: list[str]
) -> list[str]:
    """The ``wanted`` words on the line holding ``anchor``, left to right on the page."""
    line = next((line for line in _lines(words) if anchor in line), None)
    assert line, f"{anchor!r} not in the PDF"
    return [t for text in line for t in wanted if _is(text, t)]


@pytest.fixture(scope="module")
def words(tmp_path_factory) -> list[tuple[int, float, float, str]]:
    case = build_demo_case(TODAY)
    case.applicants[0].first_name = f"{MUHAMMAD} {ALI}"
    case.applicants[0].last_name = "Qureshi"
    case.par_sections["motivation"].text = (
        f"Zebraword {MUHAMMAD} {ALI} Yakword spoke of {MIRIAM} {COHEN} Xenoword.\n\n"
        f"{MUHAMMAD} {ALI} 2019 {URDU_FAMILY} Quokka Wombat Numbat.\n\n"
        f"{MUHAMMAD} Lemurword {ALI}."
    )
    # a right-to-left paragraph long enough to cross a page: English tokens numbered in
    # logical order between Arabic words
    case.par_sections["relationships"].text = " ".join(
        f"{MUHAMMAD} Tok{n}" for n in range(1, LONG + 1)
    )
    out = tmp_path_factory.mktemp("rtl") / "par.pdf"
    export_par(case, "pdf", "panel", out, forms=load_library(), today=TODAY)
    return _words(out)


def test_arabic_name_in_an_english_line_reads_right_to_left(words):
    # logical: Zebraword محمد علی Yakword ... מרים כהן Xenoword
    assert _line_order(words, "Zebraword", ["Zebraword", MUHAMMAD, ALI, "Yakword"]) == [
        "Zebraword",
        ALI,
        MUHAMMAD,
        "Yakword",
    ]
    assert _line_order(words, "Xenoword", [MIRIAM, COHEN, "Xenoword"]) == [
        COHEN,
        MIRIAM,
        "Xenoword",
    ]


def test_english_and_numbers_in_an_arabic_paragraph_keep_their_place(words):
    # RTL paragraph, logical: محمد علی 2019 خاندان [Quokka Wombat Numbat]. Right to left
    # on the page: محمد, علی, 2019, خاندان, then the English run, itself left to right.
    order = _line_order(
        words, "Quokka", [MUHAMMAD, ALI, "2019", URDU_FAMILY, "Quokka", "Wombat", "Numbat"]
    )
    assert order == ["Quokka", "Wombat", "Numbat", URDU_FAMILY, "2019", ALI, MUHAMMAD]
    assert _line_order(words, "Lemurword", [MUHAMMAD, "Lemurword", ALI]) == [
        ALI,
        "Lemurword",
        MUHAMMAD,
    ]


def test_applicant_name_reads_right_to_left_wherever_it_appears(words):
    # "محمد علی Qureshi" in a table cell (Arabic first: a right-to-left line) or in an
    # English sentence: either way علی is drawn left of محمد
    checked = 0
    for line in _lines(words):
        names = [t for w in line for t in (MUHAMMAD, ALI) if _is(w, t)]
        if sorted(names) == sorted([ALI, MUHAMMAD]):
            assert names == [ALI, MUHAMMAD], line
            checked += 1
    with_surname = [
        line for line in _lines(words) if "Qureshi" in line and any(_is(w, ALI) for w in line)
    ]
    assert with_surname and checked >= 4  # the name at least twice, three paragraphs


def test_a_long_right_to_left_paragraph_is_broken_in_logical_order(words):
    # lines broken before reordering: each line holds the next tokens in logical order,
    # drawn right to left, and the paragraph goes on across the page break
    seen: list[int] = []
    for line in _lines(words):
        numbers = [int(w[3:]) for w in line if re.fullmatch(r"Tok\d+", w)]
        if numbers:
            assert numbers == sorted(numbers, reverse=True), numbers
            seen += numbers[::-1]
    assert seen == list(range(1, LONG + 1))
    pages = {p for p, _, _, t in words if re.fullmatch(r"Tok\d+", t)}
    assert len(pages) >= 2


def test_visual_order_of_a_mixed_line():
    from homestudy.report.bidi_lines import needs_bidi, visual_order

    drawn = "".join(ch for _, _, ch in visual_order(["ab (", "אב", ") cd"], False))
    assert drawn == "ab (בא) cd"
    drawn = "".join(ch for _, _, ch in visual_order(["אב (", "xy", ")"], True))
    assert drawn == "(xy) בא"  # brackets mirrored in the right-to-left run
    assert needs_bidi("Name: محمد") and not needs_bidi("Fāṭima Дмитрий")
