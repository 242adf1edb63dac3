"""The lock screen: unlock, a wrong passphrase, first-run creation, and the idle lock."""

from __future__ import annotations

from pathlib import Path

from conftest import TEST_PASSPHRASE, WAIT_MS
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from homestudy.vault import Vault
from ui.views.unlock import CreateVaultView


def test_unlock_with_the_passphrase_shows_the_case_list(qtbot, make_app, demo_vault_dir, unlock):
    folder, case = demo_vault_dir
    window, _ = make_app(folder)
    unlock(window)
    assert window.stack.currentWidget() is window.home
    assert window.home.currentWidget() is window.case_list
    assert window.case_list.model.rows[0].reference == case.reference
    assert window.windowTitle() == "HomeStudy — Cases"


def test_a_wrong_passphrase_is_refused_in_plain_words(qtbot, make_app, demo_vault_dir, unlock):
    folder, _ = demo_vault_dir
    window, _ = make_app(folder)
    view = window.unlock_view
    qtbot.waitUntil(lambda: window.stack.currentWidget() is view, timeout=WAIT_MS)
    view.passphrase.setText("not the passphrase")
    qtbot.keyClick(view.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "not right" in view.message.text(), timeout=WAIT_MS)
    assert "Caps Lock" in view.message.text()
    assert view.passphrase.isEnabled() and view.passphrase.hasFocus()
    assert window.stack.currentWidget() is view
    assert window.case_list.model.rows == []
    # and the right one still works afterwards
    unlock(window)
    assert len(window.case_list.model.rows) == 1


def test_empty_passphrase_asks_for_one(qtbot, make_app, demo_vault_dir):
    folder, _ = demo_vault_dir
    window, _ = make_app(folder)
    view = window.unlock_view
    qtbot.waitUntil(lambda: window.stack.currentWidget() is view, timeout=WAIT_MS)
    qtbot.mouseClick(view.button, Qt.MouseButton.LeftButton)
    assert view.message.text() == "Type your passphrase first."


def test_first_run_creates_a_vault_with_the_rules_in_plain_words(
    qtbot, make_app, tmp_path: Path, read_back
):
    folder = tmp_path / "new-vault"
    window, _ = make_app(folder)
    qtbot.waitUntil(
        lambda: isinstance(window.stack.currentWidget(), CreateVaultView), timeout=WAIT_MS
    )
    view = window.stack.currentWidget()
    assert isinstance(view, CreateVaultView)
    # the keyring situation is stated (tests run with no keyring backend)
    qtbot.waitUntil(lambda: "no keyring" in view.keyring_note.text(), timeout=WAIT_MS)
    view.passphrase.setText("short")
    view.confirm.setText("short")
    qtbot.keyClick(view.confirm, Qt.Key.Key_Return)
    assert "at least 10 characters" in view.message.text()
    view.passphrase.setText(TEST_PASSPHRASE)
    view.confirm.setText(TEST_PASSPHRASE + "x")
    qtbot.keyClick(view.confirm, Qt.Key.Key_Return)
    assert "not the same" in view.message.text()
    assert not Vault.exists(folder)
    view.confirm.setText(TEST_PASSPHRASE)
    with qtbot.waitSignal(window.unlocked_ready, timeout=30_000):  # real KDF calibration
        qtbot.keyClick(view.confirm, Qt.Key.Key_Return)
    assert Vault.exists(folder)
    assert window.case_list.status.text() == "No cases yet. Make a new case to begin."
    # the new vault opens with that passphrase, independently of the app
    with read_back(window, folder) as vault:
        assert vault.cases.list_cases() == []


def test_ctrl_l_locks_and_the_passphrase_unlocks_again(qtbot, make_app, demo_vault_dir, unlock):
    folder, case = demo_vault_dir
    window, ctx = make_app(folder)
    unlock(window)
    with qtbot.waitSignal(ctx.events.locked, timeout=WAIT_MS):
        QTest.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.stack.currentWidget() is window.unlock_view
    assert window.unlock_view.title.text() == "HomeStudy is locked"
    # a wrong passphrase does not unlock a locked vault either
    window.unlock_view.passphrase.setText("wrong wrong wrong")
    qtbot.keyClick(window.unlock_view.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "not right" in window.unlock_view.message.text(), timeout=WAIT_MS)
    assert window.stack.currentWidget() is window.unlock_view
    unlock(window)
    assert window.case_list.model.rows[0].reference == case.reference


def test_a_damaged_vault_says_so_and_turns_read_only(qtbot, make_app, demo_vault_dir, unlock):
    from PySide6.QtWidgets import QMessageBox

    from homestudy.errors import IntegrityError

    folder, _ = demo_vault_dir
    db = folder / "vault.db"
    data = bytearray(db.read_bytes())
    data[5 * 4096 + 200] ^= 0xFF  # one flipped byte in a page the start-up does not read
    db.write_bytes(bytes(data))
    window, _ = make_app(folder)
    unlock(window)
    qtbot.waitUntil(lambda: window.findChild(QMessageBox) is not None, timeout=60_000)
    assert window.findChild(QMessageBox).text() == IntegrityError.default_message
    assert window.windowTitle().endswith("(read-only)")
