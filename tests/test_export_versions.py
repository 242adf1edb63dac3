"""Versions and honesty: every copy carries its version on every page, a panel or
applicants' copy of a case that is not ready says INCOMPLETE on every page, every
export and every share is in the audit trail with the file's hash, and an existing
file is never silently replaced. Real vault, real files read back with pypdf and
python-docx."""

from __future__ import annotations

import hashlib
import io
from datetime import date
from pathlib import Path

import docx
import pypdf
import pytest
from report_helpers import accept_every_passage_in_vault

from homestudy import exports
from homestudy.errors import ExportExistsError, NotFoundError, ValidationError
from homestudy.exports import INCOMPLETE_MARK
from homestudy.settings import AppSettings
from homestudy.textutil import format_date

TODAY = date.today()


@pytest.fixture
def inputs(demo_vault, demo_case):
    accept_every_passage_in_vault(demo_vault, demo_case.id)  # the guard has its own tests
    return exports.gather(demo_vault, demo_case.id, AppSettings())


def _pdf_pages(path: Path) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(path).pages]


def _docx_marks(path: Path) -> list[tuple[str, str]]:
    """Header and footer text of every section (and of a different first page)."""
    document = docx.Document(io.BytesIO(path.read_bytes()))
    out = []
    for section in document.sections:
        parts = [(section.header, section.footer)]
        if section.different_first_page_header_footer:
            parts.append((section.first_page_header, section.first_page_footer))
        for header, footer in parts:
            out.append(
                (
                    "\n".join(p.text for p in header.paragraphs),
                    "\n".join(p.text for p in footer.paragraphs),
                )
            )
    return out


def test_revision_counts_saved_changes_not_exports(demo_vault, demo_case, inputs, tmp_path):
    before = exports.case_revision(demo_vault, demo_case.id)
    assert before == inputs.revision > 0
    done = exports.export_copy(inputs, "par:panel", "pdf", tmp_path / "a.pdf")
    exports.record_export(demo_vault, done)
    assert exports.case_revision(demo_vault, demo_case.id) == before  # an export is no change
    case = demo_vault.cases.load_case(demo_case.id)
    case.assessor_name = "Someone Else"
    demo_vault.cases.save_case(case)
    assert exports.case_revision(demo_vault, demo_case.id) == before + 1


def test_panel_copy_with_blockers_is_marked_and_versioned_on_every_pdf_page(inputs, tmp_path):
    blockers = exports.blockers_for(inputs, "panel", TODAY)
    assert blockers, "the demo case is not ready for panel"
    done = exports.export_copy(inputs, "par:panel", "pdf", tmp_path / "panel.pdf")
    assert done.incomplete and done.blockers == len(blockers)
    version = f"Version {inputs.revision} · {format_date(TODAY)}"
    assert done.version == version
    pages = _pdf_pages(done.file.path)
    assert len(pages) > 5
    for n, text in enumerate(pages, 1):
        assert text.count(INCOMPLETE_MARK) >= 2, n  # top and bottom
        assert version in text, n


def test_panel_copy_with_blockers_is_marked_in_every_docx_header_and_footer(inputs, tmp_path):
    done = exports.export_copy(inputs, "par:panel", "docx", tmp_path / "panel.docx")
    marks = _docx_marks(done.file.path)
    assert marks
    for header, footer in marks:
        assert INCOMPLETE_MARK in header and INCOMPLETE_MARK in footer
        assert done.version in footer


def test_applicants_copy_is_marked_and_the_draft_is_not(inputs, tmp_path):
    applicants = exports.export_copy(inputs, "par:applicant", "pdf", tmp_path / "app.pdf")
    assert applicants.incomplete
    assert all(INCOMPLETE_MARK in t for t in _pdf_pages(applicants.file.path))
    draft = exports.export_copy(inputs, "par:supervisor", "pdf", tmp_path / "draft.pdf")
    assert not draft.incomplete  # the draft says DRAFT; the version is still on every page
    for text in _pdf_pages(draft.file.path):
        assert INCOMPLETE_MARK not in text and draft.version in text


def test_a_ready_case_is_not_marked(inputs, tmp_path, monkeypatch):
    # a fault we cannot cheaply cause with a real case: readiness finding nothing
    monkeypatch.setattr(exports, "blockers_for", lambda *_a: [])
    done = exports.export_copy(inputs, "par:panel", "pdf", tmp_path / "ready.pdf")
    assert not done.incomplete
    assert not any(INCOMPLETE_MARK in t for t in _pdf_pages(done.file.path))


def test_records_carry_the_version_too(inputs, tmp_path):
    done = exports.export_copy(inputs, "record:checklists", "pdf", tmp_path / "c.pdf")
    assert all(done.version in t for t in _pdf_pages(done.file.path))
    assert not done.incomplete


def test_export_is_in_the_audit_trail_with_the_files_hash(demo_vault, demo_case, inputs, tmp_path):
    done = exports.export_copy(inputs, "par:panel", "pdf", tmp_path / "p.pdf")
    record = exports.record_export(demo_vault, done)
    digest = hashlib.sha256(done.file.path.read_bytes()).hexdigest()
    assert record.sha256 == digest
    assert (record.what, record.fmt, record.version, record.incomplete) == (
        "par:panel",
        "pdf",
        done.version,
        True,
    )
    entry = [e for e in demo_vault.audit.entries(demo_case.id) if e.action == "export"][-1]
    assert entry.record_id == record.id and f"sha256={digest}" in entry.fields
    assert demo_vault.audit.verify() > 0  # the chain still holds
    # ids, codes and the hash only: no file name, no case text
    text = " ".join(entry.fields)
    assert "p.pdf" not in text and demo_case.applicant_names not in text
    assert exports.history(demo_vault, demo_case.id) == [record]


def test_sharing_an_applicants_copy_is_recorded_and_sets_the_date(
    demo_vault, demo_case, inputs, tmp_path
):
    assert exports.shared_on(demo_vault, demo_case.id) is None
    panel = exports.record_export(
        demo_vault, exports.export_copy(inputs, "par:panel", "pdf", tmp_path / "p.pdf")
    )
    with pytest.raises(NotFoundError):  # only an applicants' copy can be shared
        exports.record_share(demo_vault, demo_case.id, panel.id, TODAY)
    done = exports.export_copy(inputs, "par:applicant", "docx", tmp_path / "a.docx")
    record = exports.record_export(demo_vault, done)
    with pytest.raises(ValidationError):
        exports.record_share(demo_vault, demo_case.id, record.id, date(2999, 1, 1))
    shared = exports.record_share(demo_vault, demo_case.id, record.id, TODAY)
    assert shared.shared_on == TODAY and shared.sha256 == done.file.sha256
    assert exports.shared_on(demo_vault, demo_case.id) == TODAY
    assert demo_vault.cases.load_case(demo_case.id).applicant_copy_shared_on == TODAY
    entries = demo_vault.audit.entries(demo_case.id)
    share = [e for e in entries if e.action == "share"]
    assert len(share) == 1 and share[0].record_id == record.id
    assert f"shared_on={TODAY.isoformat()}" in share[0].fields
    assert entries[-1].fields == ("applicant_copy_shared_on",)  # the case change, audited
    demo_vault.audit.verify()


def test_an_existing_file_is_never_replaced_unless_asked(inputs, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "panel.pdf"
    out.write_bytes(b"the earlier copy")
    with pytest.raises(ExportExistsError):
        exports.export_copy(inputs, "par:panel", "pdf", out)
    assert out.read_bytes() == b"the earlier copy"
    assert sorted(p.name for p in folder.iterdir()) == ["panel.pdf"]  # no temp left
    second = exports.free_name(out)
    assert second.name == "panel (2).pdf"
    exports.export_copy(inputs, "par:panel", "pdf", second)
    assert exports.free_name(out).name == "panel (3).pdf"
    done = exports.export_copy(inputs, "par:panel", "pdf", out, overwrite=True)
    assert out.read_bytes()[:5] == b"%PDF-" and done.file.size == out.stat().st_size


def test_an_agency_case_uses_its_agencys_rules_and_template(
    demo_vault, demo_case, tmp_path, monkeypatch
):
    from homestudy.model import AgencyProfile
    from homestudy.sync import outbox

    monkeypatch.setenv("HOMESTUDY_FORM_OVERRIDES", str(tmp_path))
    folder = tmp_path / "acme"
    folder.mkdir()
    (folder / "rules.yaml").write_text("version: 1\nmin_visits: 20\n", encoding="utf-8")
    template = docx.Document()
    template.styles["Normal"].font.name = "Georgia"
    template.sections[0].header.paragraphs[0].add_run("Acme Adoption Agency")
    template.save(folder / "report-template.docx")
    profile = AgencyProfile(name="Acme Adoption", agency_id="AG-ACME", form_overrides="acme")
    outbox.add_profile(
        demo_vault,
        outbox.ProfileState(
            profile, "", "", "", "", "", False, False, 0, "", 1, "", "", 0, "", "", ""
        ),
    )
    case = demo_vault.cases.load_case(demo_case.id)
    case.agency_profile_id = profile.id
    demo_vault.cases.save_case(case)

    inputs = exports.gather(demo_vault, demo_case.id, AppSettings())
    assert inputs.rules.min_visits == 20  # the agency's, not the app's
    assert inputs.docx_template == folder / "report-template.docx"
    codes = {f.code for f in exports.blockers_for(inputs, "panel", TODAY)}
    assert "visits_too_few" in codes
    done = exports.export_copy(inputs, "par:panel", "docx", tmp_path / "acme.docx")
    written = docx.Document(io.BytesIO(done.file.path.read_bytes()))
    assert written.styles["Normal"].font.name == "Georgia"
    header = "\n".join(p.text for p in written.sections[0].header.paragraphs)
    assert "Acme Adoption Agency" in header and INCOMPLETE_MARK in header
