"""``homestudy export`` end to end on a real vault, and the atomic write."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from report_helpers import read_docx, read_pdf, squash

from homestudy.cli import main
from homestudy.vault import Vault


@pytest.fixture
def cli_env(cli_env: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The suite's ``cli_env``, with temporary files in ``tmp_path / "tmp"`` (to see that
    an export leaves none behind)."""
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    return cli_env


def export(vault: Path, *args: str) -> int:
    """``homestudy --vault VAULT export ARGS``: its exit status."""
    return main(["--vault", str(vault), "export", *args])


def _ref(vault: Vault) -> str:
    ref = vault.cases.list_cases()[0].reference
    vault.close()
    return ref


@pytest.mark.parametrize("variant", ["panel", "applicant", "supervisor"])
def test_export_pdf_and_docx_from_the_vault(
    demo_vault, demo_case, cli_env, tmp_path, capsys, variant
):
    if variant == "applicant":
        _accept_every_flag(demo_vault, demo_case)
    ref = _ref(demo_vault)
    out_dir = tmp_path / "exports"
    out_dir.mkdir()  # export makes no folder: a mistyped one is refused
    pdf, docx_file = out_dir / f"{variant}.pdf", out_dir / f"{variant}.docx"
    assert export(cli_env, ref, "--format", "pdf", "--variant", variant, "--out", str(pdf)) == 0
    assert (
        main(
            ["export", ref, "--variant", variant, "--out", str(docx_file), "--vault", str(cli_env)]
        )
        == 0
    )  # format from the extension
    assert f"Exported {ref}" in capsys.readouterr().out
    pages = read_pdf(pdf.read_bytes())
    assert all("OFFICIAL-SENSITIVE" in p for p in pages)
    body = read_docx(docx_file.read_bytes()).body
    medical = demo_case.stage1.medical_adviser_summary[:60]  # shared: the applicants' own
    assert medical in body
    assert squash(medical) in squash("".join(pages))
    # private, and nothing left behind: no temp file beside it or in TMPDIR
    assert stat.S_IMODE(os.stat(pdf).st_mode) == 0o600
    assert sorted(p.name for p in out_dir.iterdir()) == sorted([pdf.name, docx_file.name])
    assert list((tmp_path / "tmp").iterdir()) == []


def _accept_every_flag(vault: Vault, case) -> None:
    from homestudy.forms import load_library
    from homestudy.report.confidentiality import record_may_share, unreviewed_flags

    for flag in unreviewed_flags(case, load_library()):
        record_may_share(case, flag, by="test")
    for draft in case.par_sections.values():
        vault.cases.save_par_section(case.id, draft)


def test_the_applicants_copy_is_refused_while_passages_are_unreviewed(
    demo_vault, cli_env, tmp_path, capsys
):
    ref = _ref(demo_vault)
    out = tmp_path / "exports" / "applicants.pdf"
    out.parent.mkdir()
    assert export(cli_env, ref, "--variant", "applicant", "--out", str(out)) == 1
    err = capsys.readouterr().err
    assert "cannot be exported yet" in err and "“Cover: applicants and recommendation”" in err
    assert list(out.parent.iterdir()) == []


def test_export_records(demo_vault, demo_case, cli_env, tmp_path):
    ref = _ref(demo_vault)
    visit = demo_case.visits[0]
    out = tmp_path / "visit.docx"
    assert export(cli_env, ref, "--record", f"visit:{visit.id}", "--out", str(out)) == 0
    body = read_docx(out.read_bytes()).body
    assert visit.title in body and visit.notes.split("\n")[0][:40] in body
    out = tmp_path / "checklists.pdf"
    assert export(cli_env, ref, "--record", "checklists", "--out", str(out)) == 0
    text = squash("".join(read_pdf(out.read_bytes())))
    assert squash("Home health and safety check") in text
    assert squash("Biscuit (dog, Labrador Retriever)") in text


def test_bad_choices_are_refused_plainly(demo_vault, cli_env, tmp_path, capsys):
    ref = _ref(demo_vault)
    assert export(cli_env, ref, "--out", str(tmp_path / "x.txt")) == 2
    assert "--format" in capsys.readouterr().err
    assert export(cli_env, ref, "--record", "nonsense", "--out", str(tmp_path / "x.pdf")) == 2
    assert export(cli_env, "HS-0000-0000", "--out", str(tmp_path / "x.pdf")) == 1
    assert "no case with the reference" in capsys.readouterr().err
    assert export(cli_env, ref, "--record", "visit:nope", "--out", str(tmp_path / "x.pdf")) == 1
    assert "visit could not be found" in capsys.readouterr().err
    assert not (tmp_path / "x.pdf").exists()


def test_unwritable_folder_is_a_plain_error(demo_vault, cli_env, tmp_path, capsys):
    ref = _ref(demo_vault)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert export(cli_env, ref, "--out", str(blocker / "par.pdf")) == 1
    assert "could not save the export there" in capsys.readouterr().err
