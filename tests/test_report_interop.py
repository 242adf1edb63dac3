"""The .docx opens in another office suite: LibreOffice converts it to PDF headless, and
its pages are what ours are. Every variant of the demo PAR and a document with Parts,
a confidential section, pictures and marks go through one LibreOffice run."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pypdf
import pytest
from pdf_checks import lines, squash, targets
from report_documents import CONFIDENTIAL, INCOMPLETE, rich_document
from report_helpers import plant_canaries, read_pdf

from homestudy.demo import build_demo_case
from homestudy.forms import load_library
from homestudy.report import build_par_document, export_record, render
from homestudy.report.layout import heading_text

TODAY = date(2026, 11, 20)
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
VARIANTS = ("panel", "applicant", "supervisor")
VERSION = "Version 143 · 20 Nov 2026"


def _convert(sources: list[Path], out_dir: Path) -> list[Path]:
    if SOFFICE is None:
        print("soffice not found: install libreoffice-writer-nogui (tests/setup_system.sh)")
        pytest.skip("LibreOffice (soffice) is not installed; tests/setup_system.sh installs it")
    profile = out_dir / "lo-profile"  # a private profile: parallel runs do not collide
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out_dir),
            *map(str, sources),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    results = [out_dir / (s.stem + ".pdf") for s in sources]
    for result in results:
        assert result.exists(), f"LibreOffice did not convert {result.stem}"
    return results


@pytest.fixture(scope="module")
def round_trip(tmp_path_factory) -> dict[str, dict[str, object]]:
    """Each document: our model, our PDF, and LibreOffice's PDF of our .docx."""
    folder = tmp_path_factory.mktemp("interop")
    case = build_demo_case(TODAY)
    canaries = plant_canaries(case)
    lib = load_library()
    # as exported: the version on every page, the panel and applicants' copies of this
    # unfinished case marked INCOMPLETE (the red band makes the header taller)
    docs = {
        v: build_par_document(case, v, forms=lib, today=TODAY, version=VERSION, incomplete=True)
        for v in VARIANTS
    }
    docs["rich"] = rich_document(watermark="DRAFT")
    sources = []
    for name, doc in docs.items():
        path = folder / f"{name}.docx"
        path.write_bytes(render(doc, "docx"))
        sources.append(path)
    record = export_record(
        case, "checklists", "docx", folder / "checklists.docx", forms=lib, today=TODAY
    )
    converted = _convert([*sources, record], folder)
    out: dict[str, dict[str, object]] = {
        name: {"doc": doc, "ours": render(doc, "pdf"), "lo": pdf.read_bytes()}
        for (name, doc), pdf in zip(docs.items(), converted, strict=False)
    }
    out["checklists"] = {"lo": converted[-1].read_bytes()}
    out["canaries"] = {"words": canaries}
    return out


def _pages(data: bytes) -> int:
    return len(pypdf.PdfReader(io.BytesIO(data)).pages)


@pytest.mark.slow
@pytest.mark.parametrize("name", [*VARIANTS, "rich"])
def test_libreoffice_pages_match_ours(round_trip, name):
    item = round_trip[name]
    ours, theirs = _pages(item["ours"]), _pages(item["lo"])
    assert abs(ours - theirs) <= max(1, round(0.1 * ours)), (ours, theirs)


@pytest.mark.slow
@pytest.mark.parametrize("name", [*VARIANTS, "rich"])
def test_libreoffice_shows_the_contents_with_the_right_page_numbers(round_trip, name):
    item = round_trip[name]
    doc, lo = item["doc"], item["lo"]
    where = {t.title: t.page + 1 for t in targets(lo)}  # LibreOffice's own headings
    listed = [heading_text(h.number, h.text) for h in doc.headings() if h.level <= 1]
    contents_pages = [
        p for p in range(min(4, _pages(lo))) if any("Contents" in t for _y, _x, t in lines(lo, p))
    ]
    assert contents_pages, "no contents page"
    toc_lines = [t for p in contents_pages for _y, _x, t in lines(lo, p)]
    exact = 0
    for title in listed:
        line = next((t for t in toc_lines if squash(t).startswith(squash(title)[:25])), None)
        assert line is not None, f"“{title}” is not in the contents"
        number = line.rstrip(". ").split(".")[-1].split()[-1]
        assert number.isdigit(), f"the contents give no page for “{title}”: {line!r}"
        assert abs(int(number) - where[title]) <= 1, (title, number, where[title])
        exact += int(number) == where[title]
    # the same fonts' metrics and spacing: the pages agree (all of them, with the
    # LibreOffice this was made with); a line that only just fits in one and not the
    # other could move a heading by one page
    assert exact >= 0.9 * len(listed), f"only {exact} of {len(listed)} pages are exact"


@pytest.mark.slow
@pytest.mark.parametrize("name", [*VARIANTS, "rich"])
def test_libreoffice_keeps_every_page_marked_and_none_blank(round_trip, name):
    item = round_trip[name]
    doc, lo = item["doc"], item["lo"]
    pages = read_pdf(lo)
    for n, text in enumerate(pages, start=1):
        assert "OFFICIAL-SENSITIVE" in text and doc.reference in text, n
        assert f"Page {n} of {len(pages)}" in text, n  # the PAGE/NUMPAGES fields work
        assert squash(doc.version_label) in squash(text), n
        body = [
            t
            for _y, _x, t in lines(lo, n - 1)[2:-2]
            if t.strip() not in (doc.watermark, doc.incomplete_mark, CONFIDENTIAL)
        ]
        assert body, f"page {n} is blank"
        if doc.incomplete_mark:
            assert text.count(INCOMPLETE) >= 2, n
        assert bool(doc.incomplete_mark) is (name in ("panel", "applicant", "rich"))


@pytest.mark.slow
def test_no_blank_page_before_the_supervisor_annex(round_trip):
    lo = round_trip["supervisor"]["lo"]
    where = {t.title: t.page for t in targets(lo)}
    annex = where["Annex: readiness for panel"]
    before = max(p for t, p in where.items() if t != "Annex: readiness for panel" and p < annex)
    assert annex - before <= 1  # the page before the annex holds the report's end


@pytest.mark.slow
def test_libreoffice_keeps_the_confidential_part_and_its_marks(round_trip):
    lo = round_trip["rich"]["lo"]
    where = {t.title: t.page for t in targets(lo)}
    start, end = where["12 Statutory checks and references"], where["13 Signatures"]
    pages = read_pdf(lo)
    for n, text in enumerate(pages):
        assert (text.count(CONFIDENTIAL) == 2) is (start <= n < end), n + 1
    reader = pypdf.PdfReader(io.BytesIO(lo))
    # LibreOffice shares one resource dictionary between pages: count distinct pictures
    assert len({(i.name, i.image.size) for p in reader.pages for i in p.images}) == 2


@pytest.mark.slow
def test_libreoffice_keeps_the_text_and_leaks_nothing(round_trip):
    words = round_trip["canaries"]["words"]
    lib = load_library()
    on_front = lib.par.front_sheet.sections_shown  # page 1 prints their text, not a title
    for variant in VARIANTS:
        text = squash("".join(read_pdf(round_trip[variant]["lo"])))
        for section in lib.par.sections:
            if section.id in on_front:
                continue
            assert squash(section.title) in text, (variant, section.id)
        for canary in words.values():
            assert (canary in text) is (variant != "applicant"), (variant, canary)


@pytest.mark.slow
def test_libreoffice_opens_the_checklist_record(round_trip):
    text = squash("".join(read_pdf(round_trip["checklists"]["lo"])))
    assert squash("Smoke alarms") in text and squash("Not answered (required)") in text
