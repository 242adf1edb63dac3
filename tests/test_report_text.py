"""Text from anywhere: sanitising, the Markdown subset, scripts and fonts, awkward input."""

from __future__ import annotations

from datetime import date

import pytest
from report_helpers import read_docx, read_pdf, squash

from homestudy.demo import build_demo_case
from homestudy.forms import load_library
from homestudy.report import build_par_document, fonts, render
from homestudy.report.docmodel import ListBlock, Paragraph, Run
from homestudy.report.markdown import parse_blocks
from homestudy.report.par import NOT_WRITTEN
from homestudy.report.sanitize import clean_line, clean_text

TODAY = date(2026, 11, 20)


def test_clean_text_removes_xml_breakers_and_keeps_the_rest():
    nasty = "a\x00b\x01c\x0bd\x1fe\x7ff\x85g\ud800h\ufffei\tj\r\nk\rl “smart” — 😀 مرحبا"
    cleaned = clean_text(nasty)
    assert cleaned == "abcdef\ng\ufffdhi\tj\nk\nl “smart” — 😀 مرحبا"
    cleaned.encode("utf-8")  # no lone surrogate left
    assert clean_line("  two\nlines\tand tab ") == "two lines and tab"
    assert clean_text(None) == ""


def test_clean_text_removes_bidi_controls_zero_width_spaces_and_byte_order_marks():
    hidden = "".join(chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)])
    assert clean_text(f"\ufeffa{hidden}b\u200bc") == "abc"
    joiners = "\u0645\u06cc\u200c\u062e \U0001f468\u200d\U0001f469"  # Persian, an emoji family
    assert clean_text(joiners) == joiners


def test_lone_surrogates_from_a_bad_decode_do_not_survive():
    raw = b"caf\xe9 \xed\xa0\x80".decode("utf-8", "surrogateescape")
    assert "\udce9" in raw
    assert "\ufffd" in clean_text(raw)
    clean_text(raw).encode("utf-8")


def test_markdown_subset_bold_italic_lists():
    blocks = parse_blocks(
        "Plain **bold** and *italic*.\n\n- one\n- two **b**\n  - nested\n\n3. three\n4. four"
    )
    assert blocks[0] == Paragraph(
        (
            Run("Plain "),
            Run("bold", bold=True),
            Run(" and "),
            Run("italic", italic=True),
            Run("."),
        )
    )
    bullets = blocks[1]
    assert isinstance(bullets, ListBlock)
    assert [(i.level, i.number) for i in bullets.items] == [(0, 0), (0, 0), (1, 0)]
    numbered = blocks[2]
    assert [i.number for i in numbered.items] == [3, 4]


def test_markdown_outside_the_subset_stays_literal():
    text = "# Not a heading\n<b>not html</b> [not](a link) `code` \\*stars\\*"
    blocks = parse_blocks(text)
    assert len(blocks) == 1
    assert blocks[0].text == "# Not a heading\n<b>not html</b> [not](a link) `code` *stars*"
    assert parse_blocks("   \n\n ") == []


def test_each_script_gets_a_font_that_has_its_glyphs():
    fonts.register()
    samples = {
        "Ἀλέξανδρος Дмитрий": "",
        "فاطمة": "HSArabic",
        "מרים": "HSHebrew",
        "राधा": "HSDevanagari",
        "ਗੁਰਪ੍ਰੀਤ": "HSGurmukhi",
        "সাবরিনা": "HSBengali",
        "王小明": "HSCJK",
        "さくら": "HSCJK",
        "김민준": "HSKorean",
        "ሰላም": "HSEthiopic",
        "தமிழ்": "HSTamil",
        "สมชาย": "HSThai",
    }
    for text, font in samples.items():
        runs = fonts.segments(text)
        assert {f for f, _ in runs} == {font}, text
    # something no font has becomes U+FFFD in the base font, never an empty box
    assert fonts.segments("\U000e0100x") in ([("", "x")], [("", "\ufffdx")])
    assert fonts.segments("\ua98f") == [("", "\ufffd")]  # Javanese: no font of ours
    assert fonts.segments("\U0010fffd") == []  # private use: nothing to draw


def _nasty_case():
    case = build_demo_case(TODAY)
    long_para = " ".join(f"word{n}" for n in range(5000))
    case.applicants[0].first_name = "Fāṭima فاطمة"
    case.applicants[1].first_name = "Dmitrí Дмитрий 王小明"
    case.household[0].name = "Noa נועה 😀👍🏽"
    case.par_sections["family_of_origin"].text = (
        "Tabs\tinside\ttext, control \x07\x1b chars, “smart quotes”, emoji 🙂🇬🇧.\n\n"
        + long_para
        + "\n\nEnd marker ZZLASTPARA."
    )
    case.par_sections["health"].text = "   "
    case.par_sections["motivation"].text = "مرحبا بكم. Right-to-left paragraph.\n\nשלום עולם"
    case.par_sections["relationships"].text = "x" * 20000  # one enormous "word"
    return case


@pytest.fixture(scope="module")
def nasty() -> dict[str, bytes]:
    case = _nasty_case()
    doc = build_par_document(case, "panel", forms=load_library(), today=TODAY)
    return {"docx": render(doc, "docx"), "pdf": render(doc, "pdf")}


def test_awkward_text_gives_valid_files(nasty):
    pages = read_pdf(nasty["pdf"])
    text = squash("".join(pages))
    assert "word4999" in text and "ZZLASTPARA" in text
    assert squash(NOT_WRITTEN) in text
    body = read_docx(nasty["docx"]).body
    assert "word4999" in body and "ZZLASTPARA" in body and NOT_WRITTEN in body
    assert "\x07" not in body and "“smart quotes”" in body
    assert "Fāṭima فاطمة" in body and "Noa נועה 😀👍🏽" in body


def test_a_5000_word_paragraph_splits_across_pages(nasty):
    pages = read_pdf(nasty["pdf"])
    holding = [
        n for n, t in enumerate(pages) if "word2500" in t or "word10 " in t or "word4999" in t
    ]
    first = next(n for n, t in enumerate(pages) if "word10 " in t)
    last = next(n for n, t in enumerate(pages) if "word4999" in t)
    assert holding and last - first >= 2


def test_empty_sections_say_not_yet_written(demo_case):
    demo_case.par_sections.clear()
    lib = load_library()
    doc = build_par_document(demo_case, "panel", forms=lib, today=TODAY)
    body = read_docx(render(doc, "docx")).body
    assert body.count(NOT_WRITTEN) >= len(lib.par.sections) - 1
