"""A read-only folder and a full disk, on a real (small) tmpfs: each has its own plain
message (never "not a HomeStudy vault", never a traceback), nothing is half-written,
and once the disk is writable or has room again the same vault carries on.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from homestudy.cli import main
from homestudy.demo import build_demo_case
from homestudy.errors import (
    NotAVaultError,
    ReadOnlyVaultError,
    StorageFullError,
    StorageReadOnlyError,
)
from homestudy.model import ParSectionDraft
from homestudy.vault import Vault
from tests.conftest import TEST_KDF, TEST_PASSPHRASE
from tests.storage_helpers import fill, remount, tmpfs
from tests.test_vault_errors import snapshot

READ_ONLY_WORDS = "read-only, or you do not have permission"
FULL_WORDS = "full"


def _make_vault(folder: Path) -> str:
    vault = Vault.create(folder, TEST_PASSPHRASE, kdf=TEST_KDF)
    case = build_demo_case()
    vault.cases.save_case(case)
    vault.close()
    return case.id


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOMESTUDY_PASSPHRASE", TEST_PASSPHRASE)
    monkeypatch.setenv("HOMESTUDY_NEW_PASSPHRASE", "another passphrase")
    monkeypatch.setenv("HOMESTUDY_SETTINGS", str(tmp_path / "settings.json"))


# ------------------------------------------------------------------ read-only


def test_read_only_folder_has_its_own_message(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk", 8192) as disk:
        folder = disk / "vault"
        _make_vault(folder)
        remount(disk, read_only=True)
        before = snapshot(folder)
        with pytest.raises(StorageReadOnlyError) as info:
            Vault.open(folder, TEST_PASSPHRASE)
        assert READ_ONLY_WORDS in info.value.message
        assert not isinstance(info.value, NotAVaultError)
        assert snapshot(folder) == before


def test_read_only_folder_can_still_be_read(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk", 8192) as disk:
        folder = disk / "vault"
        case_id = _make_vault(folder)
        remount(disk, read_only=True)
        vault = Vault.open(folder, TEST_PASSPHRASE, read_only=True)
        try:
            assert vault.integrity_future.result(timeout=60) == []
            assert vault.cases.load_case(case_id).reference == build_demo_case().reference
            assert vault.cases.search("sertraline")
            with pytest.raises(ReadOnlyVaultError):
                vault.cases.save_par_section(case_id, ParSectionDraft("matching", "x"))
            vault.backup(tmp_path / "from-read-only.hsbackup")  # backed up elsewhere
        finally:
            vault.close()
        restored = Vault.restore(
            tmp_path / "from-read-only.hsbackup", tmp_path / "r", TEST_PASSPHRASE
        )
        restored.close()


def test_read_only_folder_after_a_power_cut_reads_the_wal(tmp_path: Path) -> None:
    """Commits still in the WAL (the laptop lost power) are read, not missed."""
    with tmpfs(tmp_path / "disk", 8192) as disk:
        folder = disk / "vault"
        case_id = _make_vault(folder)
        vault = Vault.open(folder, TEST_PASSPHRASE, check_integrity=False)
        vault.cases.save_par_section(case_id, ParSectionDraft("matching", "In the WAL only."))
        shutil.copytree(folder, disk / "copy")  # the files as they were at the power cut
        vault.close()
        remount(disk, read_only=True)
        assert (disk / "copy" / "vault.db-wal").stat().st_size > 0
        copy = Vault.open(disk / "copy", TEST_PASSPHRASE, read_only=True)
        try:
            assert copy.cases.load_case(case_id).par_sections["matching"].text == "In the WAL only."
        finally:
            copy.close()


def test_read_only_then_writable_again(tmp_path: Path) -> None:
    """A read-only disk is reported, and once it is writable the vault just opens."""
    with tmpfs(tmp_path / "disk", 8192) as disk:
        folder = disk / "vault"
        case_id = _make_vault(folder)
        remount(disk, read_only=True)
        with pytest.raises(StorageReadOnlyError):
            Vault.open(folder, TEST_PASSPHRASE)
        remount(disk, read_only=False)
        vault = Vault.open(folder, TEST_PASSPHRASE)
        try:
            vault.cases.save_par_section(case_id, ParSectionDraft("matching", "Now saved."))
            assert vault.cases.load_case(case_id).par_sections["matching"].text == "Now saved."
            assert vault.check_integrity() == []
        finally:
            vault.close()


def test_cli_on_a_read_only_folder(
    tmp_path: Path, cli_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    with tmpfs(tmp_path / "disk", 8192) as disk:
        folder = disk / "vault"
        _make_vault(folder)
        remount(disk, read_only=True)
        ref = build_demo_case().reference
        assert main(["--vault", str(folder), "cases"]) == 0  # reading still works
        assert ref in capsys.readouterr().out
        assert (
            main(["--vault", str(folder), "export", ref, "--out", str(tmp_path / "par.docx")]) == 0
        )
        assert "not in the case's history" in capsys.readouterr().err  # said, not hidden
        assert main(["--vault", str(folder), "backup", "--out", str(tmp_path / "b")]) == 0
        capsys.readouterr()
        for command in (["passwd"], ["demo"], ["archive", ref], ["delete", ref, "--confirm", ref]):
            assert main(["--vault", str(folder), *command]) == 1, command
            err = capsys.readouterr().err
            assert READ_ONLY_WORDS in err and "Traceback" not in err, (command, err)
            assert "not a HomeStudy vault" not in err


# ------------------------------------------------------------------ full disk


def test_full_disk_at_open_then_freed(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk", 4096) as disk:
        folder = disk / "vault"
        _make_vault(folder)
        filler = fill(disk)
        with pytest.raises(StorageFullError) as info:
            Vault.open(folder, TEST_PASSPHRASE)
        assert "cannot open it" in info.value.message
        filler.unlink()
        Vault.open(folder, TEST_PASSPHRASE).close()


def test_full_disk_while_saving_then_freed(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk", 6144) as disk:
        folder = disk / "vault"
        case_id = _make_vault(folder)
        vault = Vault.open(folder, TEST_PASSPHRASE)
        try:
            assert vault.integrity_future.result(timeout=60) == []
            kept = vault.cases.load_case(case_id).par_sections["health"].text
            filler = fill(disk, leave_kib=64)
            big = "A long paragraph of the assessment. " * 20_000
            with pytest.raises(StorageFullError) as info:
                vault.cases.save_par_section(case_id, ParSectionDraft("matching", big))
            assert "not saved" in info.value.message
            loaded = vault.cases.load_case(case_id)
            assert loaded.par_sections["matching"].text == ""  # nothing half-written
            assert loaded.par_sections["health"].text == kept
            filler.unlink()  # the worker frees space: the same open vault carries on
            vault.cases.save_par_section(case_id, ParSectionDraft("matching", big))
            assert vault.cases.load_case(case_id).par_sections["matching"].text == big
            assert vault.check_integrity() == []
            vault.audit.verify()
        finally:
            vault.close()


def test_create_on_a_full_disk_leaves_nothing(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk", 2048) as disk:
        filler = fill(disk)
        with pytest.raises(StorageFullError):
            Vault.create(disk / "vault", TEST_PASSPHRASE, kdf=TEST_KDF)
        assert not Vault.exists(disk / "vault")
        assert [p.name for p in (disk / "vault").iterdir()] == []
        filler.unlink()
        Vault.create(disk / "vault", TEST_PASSPHRASE, kdf=TEST_KDF).close()


def test_backup_to_a_full_disk_leaves_no_partial_file(demo_vault: Vault, tmp_path: Path) -> None:
    with tmpfs(tmp_path / "usb", 1024) as usb:
        filler = fill(usb, leave_kib=128)
        with pytest.raises(StorageFullError):
            demo_vault.backup(usb / "backup.hsbackup")
        assert sorted(p.name for p in usb.iterdir()) == [filler.name]
        filler.unlink()
        demo_vault.backup(usb / "backup.hsbackup")
        assert sorted(p.name for p in usb.iterdir()) == ["backup.hsbackup"]


def test_delete_on_a_nearly_full_disk_still_deletes(tmp_path: Path) -> None:
    """Room to delete but not to VACUUM: the case goes, and the space is reclaimed later."""
    with tmpfs(tmp_path / "disk", 16384) as disk:
        folder = disk / "vault"
        vault = Vault.create(folder, TEST_PASSPHRASE, kdf=TEST_KDF)
        try:
            for i in range(3):
                vault.cases.save_case(build_demo_case(seed=f"f{i}", reference=f"HS-9-{i}"))
            victim = vault.cases.list_cases()[0].id
            with vault.reading() as conn:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            leave, result = 64, None
            while result is None:  # find the room a deletion needs (less than VACUUM's)
                assert leave < 16384
                filler = fill(disk, leave_kib=leave)
                try:
                    result = vault.cases.delete_case(victim)
                except StorageFullError:  # too little even to delete: nothing changed
                    assert victim in {s.id for s in vault.cases.list_cases()}
                    leave += 64
                finally:
                    filler.unlink()
            assert result is False  # deleted; the space was not reclaimed yet
            assert victim not in {s.id for s in vault.cases.list_cases(archived=None)}
            assert vault.reclaim() is True  # room again: it is done now
            assert vault.check_integrity() == []
        finally:
            vault.close()


def test_cli_on_a_full_disk(
    tmp_path: Path, cli_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    with tmpfs(tmp_path / "disk", 4096) as disk:
        folder = disk / "vault"
        _make_vault(folder)
        filler = fill(disk)
        for command in (["cases"], ["passwd"], ["demo"]):
            assert main(["--vault", str(folder), *command]) == 1
            err = capsys.readouterr().err
            assert FULL_WORDS in err and "Traceback" not in err, (command, err)
            assert "not a HomeStudy vault" not in err
        filler.unlink()
        assert main(["--vault", str(folder), "cases"]) == 0
