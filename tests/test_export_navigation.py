"""Every PDF outline entry and every contents link of each copy, as exported (version
on every page; the panel and applicants' copies of the unfinished demo case marked
INCOMPLETE, whose red band makes every header taller), lands on the page that holds its
heading: destinations read with pypdf (outline, /Annots /Link /Dest), the page's text
read with pdftotext, an independent reader."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date

import pypdf
import pytest
from pdf_checks import links, squash, targets

from homestudy.demo import build_demo_case
from homestudy.forms import load_library
from homestudy.report import build_par_document, render
from homestudy.report.layout import heading_text

TODAY = date(2026, 11, 20)
VARIANTS = ("panel", "applicant", "supervisor")
VERSION = "Version 143 · 20 Nov 2026"
PDFTOTEXT = shutil.which("pdftotext")


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> dict[str, tuple[object, bytes, list[str]]]:
    if PDFTOTEXT is None:
        pytest.skip("pdftotext (poppler-utils) is not installed; tests/setup_system.sh does it")
    folder = tmp_path_factory.mktemp("navigation")
    case, lib = build_demo_case(TODAY), load_library()
    out = {}
    for variant in VARIANTS:
        doc = build_par_document(
            case, variant, forms=lib, today=TODAY, version=VERSION, incomplete=True
        )
        data = render(doc, "pdf")
        path = folder / f"{variant}.pdf"
        path.write_bytes(data)
        text = subprocess.run(
            [PDFTOTEXT, "-layout", str(path), "-"],
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout
        out[variant] = (doc, data, text.split("\f")[:-1])  # pdftotext ends each page so
    return out


def _holds(page_text: str, title: str) -> bool:
    return squash(title)[:25] in squash(page_text)


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_outline_entry_lands_on_the_page_of_its_heading(exported, variant):
    doc, data, pages = exported[variant]
    found = targets(data)
    assert [t.title for t in found] == [heading_text(h.number, h.text) for h in doc.headings()]
    assert len(found) > 10
    for target in found:
        assert _holds(pages[target.page], target.title), (target.title, target.page + 1)


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_contents_link_lands_on_the_page_of_its_heading(exported, variant):
    doc, data, pages = exported[variant]
    by_place = {(t.page, round(t.top, 1)): t for t in targets(data)}
    found = links(data)
    listed = [h for h in doc.headings() if h.level <= 1]
    assert len(found) == 2 * len(listed)  # the entry's words and its page number
    assert {link.dest_page for link in found} != {0}  # not all to page 1 (the old bug)
    for link in found:
        target = by_place.get((link.dest_page, round(link.dest_top, 1)))
        assert target is not None, f"a link on page {link.page + 1} goes nowhere"
        assert _holds(pages[link.dest_page], target.title), target.title
        # the contents line gives that page's number
        line = next(
            t
            for t in pages[link.page].splitlines()
            if squash(t).startswith(squash(target.title)[:25])
        )
        assert line.rstrip().split()[-1] == str(link.dest_page + 1), line


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_page_carries_the_version_and_the_right_mark(exported, variant):
    _doc, _data, pages = exported[variant]
    for n, text in enumerate(pages, 1):
        assert squash(VERSION) in squash(text), n
        marked = squash("INCOMPLETE – NOT FOR PANEL") in squash(text)
        assert marked is (variant != "supervisor"), n  # the draft says DRAFT instead


@pytest.mark.parametrize("variant", VARIANTS)
def test_pdftotext_reads_every_page(exported, variant):
    _doc, data, pages = exported[variant]
    assert len(pages) == len(pypdf.PdfReader(io.BytesIO(data)).pages)
