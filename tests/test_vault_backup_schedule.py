"""Scheduled backups, retention, the last-good-backup status, and backup previews."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from homestudy.errors import HomeStudyError, WrongPassphraseError
from homestudy.model import Case, utc_now
from homestudy.settings import load_settings
from homestudy.vault import Vault
from homestudy.vault import backup as backup_mod
from homestudy.vault import backup_schedule as schedule
from tests.conftest import TEST_PASSPHRASE
from tests.test_vault_errors import snapshot


def test_status_without_any_backup_is_a_warning(demo_vault: Vault) -> None:
    st = schedule.status(demo_vault)
    assert st.stale and st.last_at is None and st.text == "No backup of your cases yet."


def test_backup_now_is_recorded_and_ages(demo_vault: Vault, tmp_path: Path) -> None:
    info = schedule.back_up_now(demo_vault, tmp_path / "b.hsbackup")
    assert info.size == (tmp_path / "b.hsbackup").stat().st_size
    st = schedule.status(demo_vault)
    assert not st.stale and st.text.startswith("Last backup today at ")
    assert st.last_file == str(tmp_path / "b.hsbackup")
    later = schedule.status(demo_vault, now=info.created_at + timedelta(days=6, hours=23))
    assert not later.stale
    week = schedule.status(demo_vault, now=info.created_at + timedelta(days=9))
    assert week.stale and week.text.startswith("Last backup 9 days ago (")


def test_scheduled_backups_when_due_with_retention(demo_vault: Vault, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    other_vault = "ffffffff-0000-0000-0000-000000000000"
    theirs = folder / schedule.file_name(other_vault, utc_now() - timedelta(days=30))
    theirs.write_bytes(b"another vault's backup")
    mine_but_not_a_backup = folder / schedule.file_name(
        demo_vault.vault_id, utc_now() - timedelta(days=40)
    )
    mine_but_not_a_backup.write_bytes(b"not a backup at all")
    (folder / "my notes.txt").write_text("keep me")

    start = utc_now()
    made = []
    for day in range(6):
        now = start + timedelta(days=day)
        made.append(schedule.run_if_due(demo_vault, folder, every_hours=24, keep=3, now=now))
        # an hour later it is not due again
        assert schedule.run_if_due(demo_vault, folder, 24, 3, now + timedelta(hours=1)) is None
    assert all(info is not None for info in made)
    kept = schedule.automatic_backups(folder, demo_vault.vault_id)
    assert [p.name for p in kept] == [
        *(schedule.file_name(demo_vault.vault_id, start + timedelta(days=d)) for d in (5, 4, 3)),
        mine_but_not_a_backup.name,
    ]
    assert theirs.exists() and (folder / "my notes.txt").exists()
    assert mine_but_not_a_backup.exists()  # not a HomeStudy backup: never removed
    restored = Vault.restore(kept[0], tmp_path / "restored", TEST_PASSPHRASE)
    try:
        assert len(restored.cases.list_cases()) == 1
    finally:
        restored.close()


def test_a_failed_scheduled_backup_is_reported(demo_vault: Vault, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")
    with pytest.raises(HomeStudyError) as info:
        schedule.run_if_due(demo_vault, blocker / "backups", 24, 10)
    st = schedule.status(demo_vault)
    assert st.error and st.error == info.value.message
    assert st.text.startswith("The automatic backup did not work:") and st.stale
    schedule.run_if_due(demo_vault, tmp_path / "backups", 24, 10)  # a working folder
    assert schedule.status(demo_vault).error == ""


def test_backup_folder_expands_home_and_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOMESTUDY_TEST_USER", "jsmith")
    folder = schedule.resolve_folder("~/Backups/$HOMESTUDY_TEST_USER")
    assert folder is not None and folder.parts[-1] == "jsmith" and "~" not in str(folder)
    assert schedule.resolve_folder("  ") is None


def test_central_settings_can_fix_the_backup_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    central = tmp_path / "central.json"
    central.write_text(
        json.dumps(
            {
                "backup_dir": "//server/backups/%USERNAME%",
                "backup_every_hours": 0,
                "backup_keep": 30,
            }
        )
    )
    monkeypatch.setenv("HOMESTUDY_CENTRAL_SETTINGS", str(central))
    monkeypatch.setenv("HOMESTUDY_SETTINGS", str(tmp_path / "user.json"))
    settings = load_settings()
    assert settings.backup_dir == "//server/backups/%USERNAME%"
    assert {"backup_dir", "backup_keep"} <= settings.locked_keys
    assert settings.backup_every_hours == 1 and settings.problems  # 0 is raised to 1
    assert settings.backup_keep == 30


def test_preview_shows_what_a_backup_holds_without_touching_the_vault(
    demo_vault: Vault, demo_case: Case, tmp_path: Path
) -> None:
    from homestudy.demo import build_demo_case

    other = build_demo_case(seed="other", reference="HS-2026-0555")
    demo_vault.cases.save_case(other)
    demo_vault.cases.archive_case(other.id, "Approved")
    out = demo_vault.backup(tmp_path / "b.hsbackup")
    before = snapshot(demo_vault.folder)
    shown = backup_mod.preview(out, TEST_PASSPHRASE)
    assert snapshot(demo_vault.folder) == before
    assert [c.reference for c in shown.cases] == [demo_case.reference, other.reference]
    assert shown.cases[1].archived_at is not None and shown.cases[0].archived_at is None
    assert shown.info.size == out.stat().st_size
    assert abs((shown.info.created_at - utc_now()).total_seconds()) < 60
    assert shown.last_change == max(c.updated_at for c in shown.cases)
    with pytest.raises(WrongPassphraseError):
        backup_mod.preview(out, "not the passphrase")
    info = backup_mod.read_info(out)  # no passphrase: only the plaintext header
    assert info.backup_id == shown.info.backup_id


def test_a_restored_vault_knows_the_backup_it_came_from(demo_vault: Vault, tmp_path: Path) -> None:
    out = demo_vault.backup(tmp_path / "b.hsbackup")
    restored = Vault.restore(out, tmp_path / "r", TEST_PASSPHRASE)
    try:
        st = schedule.status(restored)
        assert st.last_file == str(out) and not st.stale
    finally:
        restored.close()


def test_prepare_restore_touches_nothing_until_finished(demo_vault: Vault, tmp_path: Path) -> None:
    out = demo_vault.backup(tmp_path / "b.hsbackup")
    folder = demo_vault.folder
    before = snapshot(folder)
    staged = backup_mod.prepare_restore(out, folder, TEST_PASSPHRASE)
    assert snapshot(folder) == before and staged.staging.is_dir()
    demo_vault.close()
    aside = backup_mod.finish_restore(staged)
    assert aside is not None and aside.name.startswith("vault.before-restore-")
    assert not staged.staging.exists()
    Vault.open(folder, TEST_PASSPHRASE).close()
    Vault.open(aside, TEST_PASSPHRASE).close()
