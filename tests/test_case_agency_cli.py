"""Cases belong to an agency, from the command line and in the exported PAR:
``homestudy link``, ``homestudy cases``, ``homestudy messages``, the PAR's front sheet,
and the agency's ``restore-device``/``reissue``/``withdraw`` commands."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from conftest import TEST_KDF, TEST_PASSPHRASE
from sync_helpers import agency_init, sample_case

from homestudy.agency.cli import main as agency_main
from homestudy.cli import main as homestudy_main
from homestudy.demo import build_demo_case
from homestudy.vault import Vault


@pytest.fixture
def vault_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "vault"
    vault = Vault.create(folder, TEST_PASSPHRASE, kdf=TEST_KDF)
    vault.cases.save_case(build_demo_case())
    vault.close()
    monkeypatch.setenv("HOMESTUDY_PASSPHRASE", TEST_PASSPHRASE)
    monkeypatch.setenv("HOMESTUDY_SETTINGS", str(tmp_path / "settings.json"))
    monkeypatch.setenv("HOMESTUDY_AGENCY_PASSPHRASE", "agency test passphrase")
    return folder


def _agency(tmp_path: Path, n: int, name: str) -> Path:
    home = tmp_path / f"agency{n}"
    assert agency_init(home, f"AG-{n}", name, "http://127.0.0.1:9") == 0
    out = tmp_path / f"enrol{n}.json"
    assert agency_main(["--home", str(home), "enrol", "--assessor", "sam", "--out", str(out)]) == 0
    return out


def _docx_text(path: Path) -> str:
    document = docx.Document(str(path))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_link_the_demo_case_and_the_par_names_its_agency(tmp_path, vault_dir, capsys) -> None:
    demo = build_demo_case().reference
    args = ["--vault", str(vault_dir)]
    before = tmp_path / "before.docx"
    assert homestudy_main([*args, "export", demo, "--out", str(before)]) == 0
    assert "Not linked to an agency" in _docx_text(before)
    enrolment = _agency(tmp_path, 1, "Northshire Adoption Agency")
    assert homestudy_main([*args, "enrol", str(enrolment), "--offline"]) == 0
    capsys.readouterr()
    assert homestudy_main([*args, "link", demo, "Nowhere Agency"]) == 1
    assert "not enrolled with an agency called Nowhere Agency" in capsys.readouterr().err
    assert homestudy_main([*args, "link", demo, "northshire adoption agency"]) == 0
    assert "linked to Northshire Adoption Agency" in capsys.readouterr().out
    assert homestudy_main([*args, "cases"]) == 0
    assert "Northshire Adoption Agency" in capsys.readouterr().out
    after = tmp_path / "after.docx"
    assert homestudy_main([*args, "export", demo, "--out", str(after)]) == 0
    assert "Northshire Adoption Agency" in _docx_text(after)
    vault = Vault.open(vault_dir, TEST_PASSPHRASE)
    try:
        (summary,) = vault.cases.list_cases()
        assert summary.agency_profile_id
        with vault.reading() as conn:  # marked: it goes at the next sync
            assert conn.execute("SELECT count(*) FROM sync_dirty").fetchone()[0] == 1
    finally:
        vault.close()


def test_link_refuses_a_reference_the_agency_already_has(tmp_path, vault_dir, capsys) -> None:
    args = ["--vault", str(vault_dir)]
    assert homestudy_main([*args, "enrol", str(_agency(tmp_path, 1, "North")), "--offline"]) == 0
    vault = Vault.open(vault_dir, TEST_PASSPHRASE)
    try:
        from homestudy.sync import outbox

        (state,) = outbox.profiles(vault)
        twin = sample_case(build_demo_case().reference)
        twin.agency_profile_id = state.id
        vault.cases.save_case(twin)
    finally:
        vault.close()
    capsys.readouterr()
    assert homestudy_main([*args, "link", build_demo_case().reference, "North"]) == 1
    err = capsys.readouterr().err
    assert "More than one agency has a case" in err and "homestudy cases --json" in err
    demo_id = build_demo_case().id
    assert homestudy_main([*args, "link", demo_id, "North"]) == 1
    assert "already has the reference" in capsys.readouterr().err


def test_messages_command_when_nothing_waits(vault_dir, capsys) -> None:
    assert homestudy_main(["--vault", str(vault_dir), "messages"]) == 0
    assert "No messages from the agency are waiting." in capsys.readouterr().out


def test_agency_commands_refuse_plainly(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("HOMESTUDY_AGENCY_PASSPHRASE", "agency test passphrase")
    home = tmp_path / "agency1"
    _agency(tmp_path, 1, "North")
    capsys.readouterr()
    assert agency_main(["--home", str(home), "restore-device", "nope"]) == 1
    assert "No device with that id" in capsys.readouterr().err
    assert (
        agency_main(["--home", str(home), "reissue", "--assessor", "sam", "--to-device", "nope"])
        == 1
    )
    assert "No device with that id" in capsys.readouterr().err
    assert agency_main(["--home", str(home), "withdraw", "HS-404"]) == 1
    assert "no case HS-404" in capsys.readouterr().err
