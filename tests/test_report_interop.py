"""The .docx opens in another office suite: LibreOffice converts it to PDF headless."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from report_helpers import plant_canaries, read_pdf, squash

from homestudy.forms import load_library
from homestudy.report import export_par, export_record

TODAY = date(2026, 11, 20)
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def _convert(source: Path, out_dir: Path) -> Path:
    if SOFFICE is None:
        print("soffice not found: install libreoffice-writer-nogui (tests/setup_system.sh)")
        pytest.skip("LibreOffice (soffice) is not installed; tests/setup_system.sh installs it")
    profile = out_dir / "lo-profile"  # a private profile: parallel runs do not collide
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless",
         "--convert-to", "pdf", "--outdir", str(out_dir), str(source)],
        check=True, capture_output=True, timeout=180,
    )
    result = out_dir / (source.stem + ".pdf")
    assert result.exists(), "LibreOffice did not convert the file"
    return result


@pytest.mark.slow
@pytest.mark.parametrize("variant", ["applicant", "supervisor"])
def test_libreoffice_opens_the_docx_and_keeps_the_text(tmp_path, demo_case, variant):
    canaries = plant_canaries(demo_case)
    lib = load_library()
    source = export_par(demo_case, "docx", variant, tmp_path / f"par-{variant}.docx",
                        forms=lib, today=TODAY)
    pages = read_pdf(_convert(source, tmp_path).read_bytes())
    assert 20 <= len(pages) <= 100
    text = squash("".join(pages))
    for section in lib.par.sections:
        assert squash(section.title) in text, section.id
    for n, page in enumerate(pages, start=1):
        assert "OFFICIAL-SENSITIVE" in page and demo_case.reference in page
        assert f"Page {n} of {len(pages)}" in page, n  # the PAGE/NUMPAGES fields work
    for canary in canaries.values():
        assert (canary in text) is (variant != "applicant")


@pytest.mark.slow
def test_libreoffice_opens_the_checklist_record(tmp_path, demo_case):
    source = export_record(demo_case, "checklists", "docx", tmp_path / "checklists.docx",
                           today=TODAY)
    text = squash("".join(read_pdf(_convert(source, tmp_path).read_bytes())))
    assert squash("Smoke alarms") in text
