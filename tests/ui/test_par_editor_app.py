"""The PAR editor inside the real app: words typed just before closing or locking are
in the vault afterwards, and the status bar says "Saved"."""

from __future__ import annotations

from conftest import TEST_PASSPHRASE, WAIT_MS
from PySide6.QtGui import QTextCursor
from PySide6.QtTest import QTest

from homestudy.vault import Vault


def _open_par(qtbot, window, case, section_id: str):
    window.open_case(case.id, f"par:{section_id}")
    qtbot.waitUntil(
        lambda: window.workspace is not None and window.workspace.case is not None, timeout=WAIT_MS
    )
    par = window.workspace.views["par"]
    assert window.workspace.current_tab() == "par" and par.section_id == section_id
    par.editor.moveCursor(QTextCursor.MoveOperation.End)
    return par


def test_typing_shows_saved_in_the_status_bar(qtbot, make_app, demo_vault_dir, unlock):
    folder, case = demo_vault_dir
    window, _ctx = make_app(folder)
    unlock(window)
    par = _open_par(qtbot, window, case, "health")
    QTest.keyClicks(par.editor, " More.")
    qtbot.waitUntil(lambda: window.save_indicator.text().startswith("Saved at"), timeout=WAIT_MS)
    assert par.saver.idle


def test_words_typed_just_before_closing_are_kept(qtbot, make_app, demo_vault_dir, unlock):
    folder, case = demo_vault_dir
    window, ctx = make_app(folder)
    unlock(window)
    par = _open_par(qtbot, window, case, "matching")
    before = par.editor.toPlainText()
    par.editor.moveCursor(QTextCursor.MoveOperation.End)
    QTest.keyClicks(par.editor, " Added just before closing.")
    assert not par.saver.idle  # still inside the 400 ms pause
    window.close()
    ctx.shutdown()  # the DB worker finishes its queue, then closes the vault

    vault = Vault.open(folder, TEST_PASSPHRASE)
    try:
        text = vault.cases.load_case(case.id).par_sections["matching"].text
    finally:
        vault.close()
    assert text == (before + " Added just before closing.").strip()


def test_words_typed_just_before_locking_are_kept(qtbot, make_app, demo_vault_dir, unlock):
    folder, case = demo_vault_dir
    window, _ctx = make_app(folder)
    unlock(window)
    par = _open_par(qtbot, window, case, "motivation")
    before = par.editor.toPlainText()
    QTest.keyClicks(par.editor, " Added just before the lock.")
    window.lock()
    assert window.workspace is None  # case content is gone from the screen
    unlock(window)
    par = _open_par(qtbot, window, case, "motivation")
    assert par.editor.toPlainText() == before + " Added just before the lock."
