"""``homestudy enrol`` / ``homestudy sync`` and ``homestudy-agency init|enrol|assign``
from the command line: exit codes and plain messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import TEST_KDF, TEST_PASSPHRASE
from sync_helpers import agency_init

from homestudy.agency.cli import main as agency_main
from homestudy.cli import main as homestudy_main
from homestudy.sync.enrolment import EnrolmentFile
from homestudy.vault import Vault


@pytest.fixture
def vault_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "vault"
    Vault.create(folder, TEST_PASSPHRASE, kdf=TEST_KDF).close()
    monkeypatch.setenv("HOMESTUDY_PASSPHRASE", TEST_PASSPHRASE)
    monkeypatch.setenv("HOMESTUDY_SETTINGS", str(tmp_path / "settings.json"))
    return folder


def test_agency_init_enrol_and_offline_device_enrolment(
    tmp_path, vault_dir, capsys, monkeypatch
) -> None:
    monkeypatch.setenv("HOMESTUDY_AGENCY_PASSPHRASE", "agency test passphrase")
    home = tmp_path / "agency"
    assert agency_init(home, "AG-9", "Ninth Agency", "http://127.0.0.1:9") == 0
    assert (home / "agency.key").stat().st_mode & 0o777 == 0o600
    assert agency_init(home, "AG-9", "x", "http://x") == 1
    assert "already set up" in capsys.readouterr().err
    out = tmp_path / "sam.json"
    assert (
        agency_main(
            [
                "--home",
                str(home),
                "enrol",
                "--assessor",
                "sam",
                "--assessor-name",
                "Sam",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    enrolment = EnrolmentFile.read(out)
    assert (enrolment.agency_id, enrolment.assessor_id) == ("AG-9", "sam")
    assert agency_main(["--home", str(home), "publish-keys", "--days", "30"]) == 0
    assert "Key list version 2 published" in capsys.readouterr().out

    assert homestudy_main(["enrol", str(out), "--offline", "--vault", str(vault_dir)]) == 0
    assert "register with the agency at the next sync" in capsys.readouterr().out
    assert homestudy_main(["enrol", str(out), "--offline", "--vault", str(vault_dir)]) == 1
    assert "already enrolled with Ninth Agency" in capsys.readouterr().err
    # the inbox is not running: sync says so, in plain words, and fails softly
    assert homestudy_main(["sync", "--vault", str(vault_dir)]) == 1
    assert "Ninth Agency: offline; 0 waiting to be sent." in capsys.readouterr().out


def test_bad_enrolment_file_and_no_agencies(tmp_path, vault_dir, capsys) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "homestudy-enrolment", "format_version": 1}))
    assert homestudy_main(["enrol", str(bad), "--vault", str(vault_dir)]) == 2
    assert "incomplete" in capsys.readouterr().err
    assert homestudy_main(["enrol", str(tmp_path / "missing.json"), "--vault", str(vault_dir)]) == 2
    assert "could not be opened" in capsys.readouterr().err
    assert homestudy_main(["sync", "--vault", str(vault_dir)]) == 1
    assert "not enrolled with any agency" in capsys.readouterr().out


def test_agency_commands_without_a_home_say_so(tmp_path, capsys) -> None:
    assert agency_main(["--home", str(tmp_path / "none"), "revoke", "x"]) == 1
    assert "homestudy-agency init" in capsys.readouterr().err
