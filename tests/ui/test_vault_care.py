"""The vault's care through the real windows: back up now, scheduled backups, restore
with a preview, change the passphrase, delete and archive a case. Each is checked by
opening the vault again apart from the app.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QPushButton

from homestudy.demo import build_demo_case
from homestudy.model import utc_now
from homestudy.settings import load_settings
from homestudy.vault import Vault
from homestudy.vault import backup_schedule as schedule
from tests.ui.conftest import TEST_PASSPHRASE, WAIT_MS, vault_dir_with
from ui.views.vault_care.common import file_menu

OTHER = "HS-2026-0999"


def choose(qtbot, window, action_id: str) -> None:
    """Choose an entry of the File menu. (The offscreen platform cannot pop a menu up,
    so its aboutToShow, which Qt sends first, is sent here.)"""
    menu = file_menu(window)
    menu.aboutToShow.emit()
    action = window.vault_care.actions[action_id]
    assert action in menu.actions() and action.isEnabled(), f"{action.text()} is greyed out"
    action.trigger()


def dialog_named(qtbot, name: str) -> QDialog:
    found: list[QDialog] = []

    def shown() -> bool:
        found[:] = [
            w for w in QApplication.topLevelWidgets() if w.objectName() == name and w.isVisible()
        ]
        return bool(found)

    qtbot.waitUntil(shown, timeout=WAIT_MS)
    return found[0]


def click(qtbot, button: QPushButton) -> None:
    assert button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def message_box(qtbot, name: str) -> QMessageBox:
    box = dialog_named(qtbot, name)
    assert isinstance(box, QMessageBox)
    return box


def box_button(box: QMessageBox, text: str) -> QPushButton:
    return next(b for b in box.buttons() if b.text().replace("&", "") == text)


def open_vault(folder: Path, passphrase: str = TEST_PASSPHRASE) -> Vault:
    return Vault.open(folder, passphrase, check_integrity=False)


# ------------------------------------------------------------------ backups


def test_back_up_now_makes_a_backup_that_restores(
    qtbot, make_app, unlock, demo_vault_dir, tmp_path, visible_texts
) -> None:
    folder, case = demo_vault_dir
    window, _ctx = make_app(folder)
    unlock(window)
    status = window.vault_care.status
    qtbot.waitUntil(lambda: status.status is not None, timeout=WAIT_MS)
    assert status.status.stale and "No backup" in status.label.text()  # warned at once
    assert status.button.isVisible()

    choose(qtbot, window, "vault_backup_now")
    dialog = dialog_named(qtbot, "backupNowDialog")
    texts = " ".join(visible_texts(dialog))
    assert "passphrase alone" in texts and "new laptop" in texts
    out = tmp_path / "usb" / "my backup.hsbackup"
    dialog.path.setText(str(out))
    with qtbot.waitSignal(dialog.backup_made, timeout=WAIT_MS):
        click(qtbot, dialog.start)
    assert "Backup saved and checked" in dialog.message.text()
    assert out.exists() and (out.stat().st_mode & 0o777) == 0o600
    qtbot.waitUntil(lambda: status.label.text().startswith("Last backup today"), timeout=WAIT_MS)
    assert not status.button.isVisible()

    restored = Vault.restore(out, tmp_path / "new-laptop", TEST_PASSPHRASE)
    try:
        assert restored.cases.load_case(case.id).par_sections == case.par_sections
    finally:
        restored.close()


def test_back_up_now_never_replaces_a_file(
    qtbot, make_app, unlock, demo_vault_dir, tmp_path
) -> None:
    folder, _ = demo_vault_dir
    window, _ = make_app(folder)
    unlock(window)
    existing = tmp_path / "old.hsbackup"
    existing.write_bytes(b"an earlier backup")
    choose(qtbot, window, "vault_backup_now")
    dialog = dialog_named(qtbot, "backupNowDialog")
    dialog.path.setText(str(existing))
    click(qtbot, dialog.start)
    assert "already there" in dialog.message.text()
    assert existing.read_bytes() == b"an earlier backup"


def test_scheduled_backups_with_retention(
    qtbot, make_app, unlock, demo_vault_dir, tmp_path
) -> None:
    folder, case = demo_vault_dir
    window, _ctx = make_app(folder)
    unlock(window)
    choose(qtbot, window, "vault_automatic_backups")
    dialog = dialog_named(qtbot, "scheduleDialog")
    backups = tmp_path / "network" / "backups"
    qtbot.keyClicks(dialog.folder, str(backups))
    dialog.every.setCurrentIndex(dialog.every.findData(24))
    dialog.keep.setValue(2)
    scheduler = window.vault_care.scheduler
    start = utc_now()
    scheduler.clock = lambda: start
    with qtbot.waitSignal(scheduler.checked, timeout=WAIT_MS) as first:  # at once, on saving
        click(qtbot, dialog.buttons.button(dialog.buttons.StandardButton.Save))
    saved = load_settings()
    assert (saved.backup_dir, saved.backup_every_hours, saved.backup_keep) == (str(backups), 24, 2)

    made = [first.args[0]]
    for hours in (1, 25, 50, 75):  # the timer's later checks (the first only an hour on)
        scheduler.clock = lambda h=hours: start + timedelta(hours=h)
        with qtbot.waitSignal(scheduler.checked, timeout=WAIT_MS) as checked:
            assert scheduler.check_now()
        made.append(checked.args[0])
    assert [m is not None for m in made] == [True, False, True, True, True]
    kept = sorted(p.name for p in backups.iterdir())
    assert len(kept) == 2 and kept == sorted(p.path.name for p in made[-2:])
    assert window.vault_care.scheduler.timer.isActive()  # and it carries on

    restored = Vault.restore(backups / kept[-1], tmp_path / "r", TEST_PASSPHRASE)
    try:
        assert restored.cases.load_case(case.id).reference == case.reference
    finally:
        restored.close()


def test_automatic_backup_folder_set_by_it_is_greyed_out(
    qtbot, make_app, unlock, demo_vault_dir, tmp_path, monkeypatch
) -> None:
    import json

    central = tmp_path / "settings" / "central.json"
    central.parent.mkdir(parents=True, exist_ok=True)
    central.write_text(json.dumps({"backup_dir": str(tmp_path / "it-share")}))
    folder, _ = demo_vault_dir
    window, _ = make_app(folder, settings=load_settings())
    unlock(window)
    choose(qtbot, window, "vault_automatic_backups")
    dialog = dialog_named(qtbot, "scheduleDialog")
    assert not dialog.folder.isEnabled() and "backup_dir" in dialog.lock_labels
    assert dialog.keep.isEnabled()


def test_warning_when_the_last_good_backup_is_over_a_week_old(
    qtbot, make_app, unlock, tmp_path
) -> None:
    folder, _ = vault_dir_with(tmp_path / "vault", build_demo_case())
    vault = open_vault(folder)
    old = utc_now() - timedelta(days=9)
    vault.set_setting(schedule.LAST_GOOD_SETTING, {"at": old.isoformat(), "file": "x"})
    vault.close()
    window, _ = make_app(folder)
    unlock(window)
    status = window.vault_care.status
    qtbot.waitUntil(lambda: status.status is not None, timeout=WAIT_MS)
    assert status.isVisible() and status.label.text().startswith("⚠ Last backup 9 days ago")
    assert status.label.font().bold() and status.button.isVisible()
    with qtbot.waitSignal(QApplication.instance().focusChanged, timeout=WAIT_MS, raising=False):
        click(qtbot, status.button)
    dialog_named(qtbot, "backupNowDialog")  # the warning's button leads straight there


# ------------------------------------------------------------------ restore


def test_restore_shows_what_a_backup_holds_then_restores(
    qtbot, make_app, unlock, tmp_path, visible_texts
) -> None:
    folder, case = vault_dir_with(tmp_path / "vault", build_demo_case())
    vault = open_vault(folder)
    out = vault.backup(tmp_path / "before.hsbackup")
    vault.cases.save_case(build_demo_case(seed="other", reference=OTHER))
    vault.close()
    window, ctx = make_app(folder)
    unlock(window)
    assert window.case_list.model.rowCount() == 2

    choose(qtbot, window, "vault_restore")
    dialog = dialog_named(qtbot, "restoreDialog")
    dialog.set_file(out)
    qtbot.waitUntil(lambda: dialog.about.text().startswith("Made "), timeout=WAIT_MS)
    assert "KB" in dialog.about.text() or "MB" in dialog.about.text()
    qtbot.keyClicks(dialog.passphrase, "not it at all")
    with qtbot.waitSignal(dialog.show_button.clicked, timeout=WAIT_MS):
        click(qtbot, dialog.show_button)
    qtbot.waitUntil(lambda: "not the passphrase" in dialog.message.text(), timeout=WAIT_MS)
    assert not dialog.restore_button.isEnabled()
    dialog.passphrase.setText(TEST_PASSPHRASE)
    with qtbot.waitSignal(dialog.previewed, timeout=WAIT_MS):
        qtbot.keyClick(dialog.passphrase, Qt.Key.Key_Return)
    assert dialog.table.rowCount() == 1
    assert dialog.table.item(0, 0).text() == case.reference
    assert "holds 1 case" in dialog.summary.text()
    assert window.case_list.model.rowCount() == 2  # the preview changed nothing

    click(qtbot, dialog.restore_button)
    box = message_box(qtbot, "restoreConfirm")
    assert "kept beside it" in box.text()
    with qtbot.waitSignal(dialog.restored, timeout=WAIT_MS):
        click(qtbot, box_button(box, "Restore"))
    qtbot.waitUntil(lambda: window.case_list.model.rowCount() == 1, timeout=WAIT_MS)
    assert "Restored the backup of" in window.statusBar().currentMessage()

    window.lock()
    qtbot.waitUntil(lambda: not ctx.db.busy, timeout=WAIT_MS)
    reopened = open_vault(folder)
    try:
        assert [s.reference for s in reopened.cases.list_cases()] == [case.reference]
    finally:
        reopened.close()
    (aside,) = tmp_path.glob("vault.before-restore-*")
    kept = open_vault(aside)
    try:
        assert {s.reference for s in kept.cases.list_cases()} == {case.reference, OTHER}
    finally:
        kept.close()


def test_a_damaged_vault_offers_restore_at_unlock(qtbot, make_app, tmp_path) -> None:
    folder, case = vault_dir_with(tmp_path / "vault", build_demo_case())
    vault = open_vault(folder)
    out = vault.backup(tmp_path / "good.hsbackup")
    vault.close()
    db = folder / "vault.db"
    data = bytearray(db.read_bytes())
    data[200] ^= 0xFF  # the first page: the database cannot be read at all
    db.write_bytes(bytes(data))
    window, _ = make_app(folder)
    view = window.unlock_view
    qtbot.waitUntil(lambda: window.stack.currentWidget() is view, timeout=WAIT_MS)
    view.passphrase.setText(TEST_PASSPHRASE)
    qtbot.keyClick(view.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "damaged" in view.message.text(), timeout=WAIT_MS)
    assert "Traceback" not in view.message.text()
    assert view.restore_button.isVisible()

    click(qtbot, view.restore_button)
    dialog = dialog_named(qtbot, "restoreDialog")
    dialog.set_file(out)
    dialog.passphrase.setText(TEST_PASSPHRASE)
    with qtbot.waitSignal(dialog.previewed, timeout=WAIT_MS):
        click(qtbot, dialog.show_button)
    click(qtbot, dialog.restore_button)
    box = message_box(qtbot, "restoreConfirm")
    with qtbot.waitSignal(window.unlocked_ready, timeout=WAIT_MS):
        click(qtbot, box_button(box, "Restore"))
    assert window.case_list.model.rows[0].reference == case.reference
    (aside,) = tmp_path.glob("vault.before-restore-*")
    assert (aside / "vault.db").read_bytes() == bytes(data)  # the damaged one, kept as it was


def test_a_new_laptop_restores_from_the_first_run_screen(qtbot, make_app, tmp_path) -> None:
    old, case = vault_dir_with(tmp_path / "old-laptop", build_demo_case())
    vault = open_vault(old)
    out = vault.backup(tmp_path / "usb.hsbackup")
    vault.close()
    window, _ = make_app(tmp_path / "new-laptop" / "vault")
    qtbot.waitUntil(
        lambda: window.first_run is not None and window.first_run.isVisible(), timeout=WAIT_MS
    )
    click(qtbot, window.first_run.restore_button)
    dialog = dialog_named(qtbot, "restoreDialog")
    dialog.set_file(out)
    dialog.passphrase.setText(TEST_PASSPHRASE)
    with qtbot.waitSignal(dialog.previewed, timeout=WAIT_MS):
        click(qtbot, dialog.show_button)
    with qtbot.waitSignal(window.unlocked_ready, timeout=WAIT_MS):
        click(qtbot, dialog.restore_button)  # nothing to replace: no second question
    assert [r.reference for r in window.case_list.model.rows] == [case.reference]
    assert not list((tmp_path / "new-laptop").glob("*before-restore*"))


def test_damage_found_after_opening_offers_restore(qtbot, make_app, unlock, tmp_path) -> None:
    folder, _ = vault_dir_with(tmp_path / "vault", build_demo_case())
    db = folder / "vault.db"
    data = bytearray(db.read_bytes())
    data[len(data) - 4096 + 300] ^= 0xFF  # the last page: the vault opens, the check fails
    db.write_bytes(bytes(data))
    before = db.read_bytes()
    window, ctx = make_app(folder)
    unlock(window)
    box = message_box(qtbot, "damageBox")
    assert "integrity check" in box.text()
    assert box_button(box, "Restore from a backup…")
    assert "(read-only)" in window.windowTitle()
    click(qtbot, box_button(box, "Close"))
    window.lock()
    qtbot.waitUntil(lambda: not ctx.db.busy, timeout=WAIT_MS)
    window.close()
    ctx.shutdown()
    assert db.read_bytes() == before  # nothing was written into it


# ------------------------------------------------------------------ passphrase


def test_change_passphrase(qtbot, make_app, unlock, demo_vault_dir) -> None:
    folder, case = demo_vault_dir
    window, ctx = make_app(folder)
    unlock(window)
    choose(qtbot, window, "vault_change_passphrase")
    dialog = dialog_named(qtbot, "changePassphraseDialog")
    new = "kettle orchard blue ferry"
    dialog.current.setText("wrong passphrase")
    dialog.new.setText(new)
    dialog.repeat.setText(new + "x")
    qtbot.keyClick(dialog.repeat, Qt.Key.Key_Return)
    assert "not the same" in dialog.message.text()
    dialog.repeat.setText(new)
    qtbot.keyClick(dialog.repeat, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "not your current passphrase" in dialog.message.text(), timeout=WAIT_MS)
    dialog.current.setText(TEST_PASSPHRASE)
    with qtbot.waitSignal(dialog.changed, timeout=WAIT_MS):
        qtbot.keyClick(dialog.current, Qt.Key.Key_Return)
    assert "passphrase has been changed" in window.statusBar().currentMessage()

    window.lock()  # the lock screen now takes only the new one
    view = window.unlock_view
    view.passphrase.setText(TEST_PASSPHRASE)
    qtbot.keyClick(view.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "not right" in view.message.text(), timeout=WAIT_MS)
    with qtbot.waitSignal(window.unlocked_ready, timeout=WAIT_MS):
        view.passphrase.setText(new)
        qtbot.keyClick(view.passphrase, Qt.Key.Key_Return)
    window.lock()
    qtbot.waitUntil(lambda: not ctx.db.busy, timeout=WAIT_MS)
    with pytest.raises(Exception, match="passphrase is not right"):
        open_vault(folder)
    reopened = open_vault(folder, new)
    try:
        assert reopened.cases.load_case(case.id).reference == case.reference
    finally:
        reopened.close()


# ------------------------------------------------------------------ delete, archive


def _select(window, reference: str) -> None:
    table = window.case_list.table
    model = window.case_list.proxy
    for row in range(model.rowCount()):
        if model.index(row, 0).data() == reference:
            table.selectRow(row)
            return
    raise AssertionError(f"{reference} is not in the list")


def test_delete_a_case_by_typing_its_reference(qtbot, make_app, unlock, tmp_path) -> None:
    folder, case = vault_dir_with(tmp_path / "vault", build_demo_case())
    vault = open_vault(folder)
    vault.cases.save_case(build_demo_case(seed="other", reference=OTHER))
    vault.close()
    window, ctx = make_app(folder)
    unlock(window)
    window.open_case(case.id)
    qtbot.waitUntil(
        lambda: window.workspace is not None and window.workspace.case is not None, timeout=WAIT_MS
    )
    choose(qtbot, window, "vault_delete")
    dialog = dialog_named(qtbot, "deleteCaseDialog")
    assert case.reference in dialog.windowTitle()
    qtbot.keyClicks(dialog.confirm, OTHER)
    assert not dialog.delete_button.isEnabled()  # another case's reference does not do
    qtbot.keyClick(dialog.confirm, Qt.Key.Key_Return)  # Enter is Cancel's, never Delete's
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT_MS)
    assert window.workspace is not None  # nothing happened
    choose(qtbot, window, "vault_delete")
    dialog = dialog_named(qtbot, "deleteCaseDialog")
    qtbot.keyClicks(dialog.confirm, case.reference)
    with qtbot.waitSignal(dialog.deleted, timeout=WAIT_MS):
        click(qtbot, dialog.delete_button)
    qtbot.waitUntil(
        lambda: [r.reference for r in window.case_list.model.rows] == [OTHER], timeout=WAIT_MS
    )
    assert window.workspace is None and window._spare is None  # no widget keeps the case
    assert "has been deleted" in window.statusBar().currentMessage()

    window.lock()
    qtbot.waitUntil(lambda: not ctx.db.busy, timeout=WAIT_MS)
    reopened = open_vault(folder)
    try:
        assert [s.reference for s in reopened.cases.list_cases(archived=None)] == [OTHER]
        assert not any(h.case_id == case.id for h in reopened.cases.search("Whitfield"))
        entry = reopened.audit.entries(case.id)[-1]
        assert (entry.action, entry.record_kind) == ("delete", "case")
    finally:
        reopened.close()


def test_archive_then_unarchive(qtbot, make_app, unlock, tmp_path) -> None:
    folder, case = vault_dir_with(tmp_path / "vault", build_demo_case())
    vault = open_vault(folder)
    vault.cases.save_case(build_demo_case(seed="other", reference=OTHER))
    vault.close()
    window, ctx = make_app(folder)
    unlock(window)
    _select(window, case.reference)
    choose(qtbot, window, "vault_archive")
    dialog = dialog_named(qtbot, "archiveCaseDialog")
    dialog.reason.setCurrentText("Approved by the agency decision maker")
    with qtbot.waitSignal(dialog.archived, timeout=WAIT_MS):
        click(qtbot, dialog.archive_button)
    qtbot.waitUntil(
        lambda: [r.reference for r in window.case_list.model.rows] == [OTHER], timeout=WAIT_MS
    )

    listing = window.case_list
    with qtbot.waitSignal(listing.loaded, timeout=WAIT_MS):
        qtbot.mouseClick(listing.show_archived, Qt.MouseButton.LeftButton)
    assert listing.title.text() == "Archived cases"
    (row,) = listing.model.rows
    assert row.reference == case.reference and row.clock_text.startswith("Archived ")
    _select(window, case.reference)
    file_menu(window).aboutToShow.emit()
    assert window.vault_care.actions["vault_archive"].text() == "Un-&archive case"

    reopened_while_archived = []
    window.lock()
    qtbot.waitUntil(lambda: not ctx.db.busy, timeout=WAIT_MS)
    vault = open_vault(folder)
    try:
        (summary,) = vault.cases.list_cases(archived=True)
        reopened_while_archived.append(summary.archive_reason)
        assert [s.reference for s in vault.cases.list_cases()] == [OTHER]
        assert any(h.case_id == case.id for h in vault.cases.search("sertraline"))
    finally:
        vault.close()
    assert reopened_while_archived == ["Approved by the agency decision maker"]

    from tests.ui.conftest import TEST_PASSPHRASE as passphrase

    with qtbot.waitSignal(window.unlocked_ready, timeout=WAIT_MS):
        window.unlock_view.passphrase.setText(passphrase)
        qtbot.keyClick(window.unlock_view.passphrase, Qt.Key.Key_Return)
    if not listing.show_archived.isChecked():
        with qtbot.waitSignal(listing.loaded, timeout=WAIT_MS):
            listing.show_archived.setChecked(True)
    _select(window, case.reference)
    with qtbot.waitSignal(ctx.events.cases_changed, timeout=WAIT_MS):
        choose(qtbot, window, "vault_archive")  # now "Un-archive case"
    with qtbot.waitSignal(listing.loaded, timeout=WAIT_MS):
        listing.show_archived.setChecked(False)
    assert {r.reference for r in listing.model.rows} == {case.reference, OTHER}
    window.lock()
    qtbot.waitUntil(lambda: not ctx.db.busy, timeout=WAIT_MS)
    vault = open_vault(folder)
    try:
        assert vault.cases.list_cases(archived=True) == []
    finally:
        vault.close()
