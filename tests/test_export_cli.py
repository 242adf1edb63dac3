"""``homestudy export`` refuses to replace a file unless ``--overwrite``, prints the
version and hash, records the export (and a share) in the vault's audit trail."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

from conftest import TEST_PASSPHRASE
from report_helpers import accept_every_passage_in_vault

from homestudy import exports
from homestudy.cli import main
from homestudy.vault import Vault


def _history(folder: Path, case_id: str) -> list[exports.ExportRecord]:
    vault = Vault.open(folder, TEST_PASSPHRASE, check_integrity=False)
    try:
        return exports.history(vault, case_id)
    finally:
        vault.close()


def test_cli_refuses_an_existing_file_unless_overwrite(
    demo_vault, demo_case, cli_env, tmp_path, capsys
):
    demo_vault.close()
    out = tmp_path / "panel.pdf"
    out.write_bytes(b"earlier")
    args = ["--vault", str(cli_env), "export", demo_case.reference, "--out", str(out)]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "already there" in err and "--overwrite" in err and "Traceback" not in err
    assert out.read_bytes() == b"earlier"
    assert _history(cli_env, demo_case.id) == []  # nothing written, nothing recorded
    assert main([*args, "--overwrite"]) == 0
    printed = capsys.readouterr().out
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    assert f"SHA-256 {digest}" in printed and "Version " in printed
    assert "Marked INCOMPLETE – NOT FOR PANEL" in printed and "blockers" in printed
    [record] = _history(cli_env, demo_case.id)
    assert (record.what, record.fmt, record.sha256) == ("par:panel", "pdf", digest)


def test_cli_records_sharing_the_applicants_copy(demo_vault, demo_case, cli_env, tmp_path):
    accept_every_passage_in_vault(demo_vault, demo_case.id)  # the guard has its own tests
    demo_vault.close()
    out = tmp_path / "applicants.docx"
    base = ["--vault", str(cli_env), "export", demo_case.reference, "--out", str(out)]
    today = date.today().isoformat()
    assert main([*base, "--shared-on", today]) == 2  # the panel copy is not shared
    assert main([*base, "--variant", "applicant", "--shared-on", today]) == 0
    [record] = _history(cli_env, demo_case.id)
    assert record.variant == "applicant" and record.shared_on == date.today()
    assert record.sha256 == hashlib.sha256(out.read_bytes()).hexdigest()


def test_cli_refuses_a_format_unlike_the_name_and_a_folder_not_there(
    demo_vault, demo_case, cli_env, tmp_path, capsys
):
    demo_vault.close()
    base = ["--vault", str(cli_env), "export", demo_case.reference]
    named_pdf = tmp_path / "x.pdf"
    assert main([*base, "--out", str(named_pdf), "--format", "docx"]) == 2
    err = capsys.readouterr().err
    assert "ends in .pdf but --format is docx" in err and "Traceback" not in err
    assert not named_pdf.exists()
    missing = tmp_path / "no" / "such" / "x.pdf"
    assert main([*base, "--out", str(missing)]) == 1
    err = capsys.readouterr().err
    assert f"there is no folder {missing.parent}" in err and "Traceback" not in err
    assert not (tmp_path / "no").exists()
    assert _history(cli_env, demo_case.id) == []
    # the format taken from the name, and a name with no known ending, still work
    assert main([*base, "--out", str(named_pdf)]) == 0
    assert named_pdf.read_bytes().startswith(b"%PDF")
    other = tmp_path / "x.report"
    assert main([*base, "--out", str(other), "--format", "docx"]) == 0
    assert other.read_bytes().startswith(b"PK")
