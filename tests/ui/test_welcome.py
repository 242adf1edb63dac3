"""First run through the real main window: the welcome creates the vault and opens the demo."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, Qt

from homestudy.demo import build_demo_case
from homestudy.vault import Vault
from tests.conftest import TEST_PASSPHRASE
from ui.views.welcome import OPEN_DEMO, WelcomeView

WAIT_MS = 10_000


def welcome_of(qtbot, window) -> WelcomeView:
    qtbot.waitUntil(lambda: isinstance(window.stack.currentWidget(), WelcomeView), timeout=WAIT_MS)
    view = window.stack.currentWidget()
    assert isinstance(view, WelcomeView)
    return view


def test_first_run_creates_a_vault_and_opens_the_demo_case(
    qtbot, make_app, tmp_path: Path, read_back
):
    folder = tmp_path / "first-vault"
    window, ctx = make_app(folder)
    view = welcome_of(qtbot, window)

    # It says what HomeStudy is, the rules in plain words, the keyring and where data lives.
    assert "Prospective Adopter's Report" in view.intro.text()
    assert "At least 10 characters" in view.rules.text()
    assert f"after {ctx.settings.idle_lock_minutes} minutes" in view.rules.text()
    assert str(folder) in view.where.text()
    assert "except the reports you choose to export" in view.where.text()
    qtbot.waitUntil(lambda: "no keyring" in view.keyring_note.text(), timeout=WAIT_MS)

    qtbot.keyClicks(view.passphrase, TEST_PASSPHRASE)
    qtbot.keyClicks(view.confirm, TEST_PASSPHRASE)
    demo_radio = view.choices[OPEN_DEMO]  # click on its circle: a radio's hit area
    qtbot.mouseClick(demo_radio, Qt.MouseButton.LeftButton, pos=QPoint(6, demo_radio.height() // 2))
    assert view.chosen() == OPEN_DEMO
    with qtbot.waitSignal(view.demo_opened, timeout=30_000) as opened:  # real KDF calibration
        qtbot.mouseClick(view.button, Qt.MouseButton.LeftButton)

    # The main window has left the welcome and opened the demo case's workspace.
    qtbot.waitUntil(
        lambda: window.workspace is not None and window.workspace.case is not None, timeout=WAIT_MS
    )
    demo = build_demo_case()
    assert window.workspace.case.id == opened.args[0]
    assert window.workspace.case.reference == demo.reference
    assert window.first_run is None and not window.is_locked

    # The vault is real: it opens with that passphrase, independently of the app.
    with read_back(window, folder) as vault:
        assert [c.reference for c in vault.cases.list_cases()] == [demo.reference]


def test_weak_passphrase_is_explained_and_nothing_is_made(qtbot, make_app, tmp_path: Path):
    folder = tmp_path / "vault"
    window, _ = make_app(folder)
    view = welcome_of(qtbot, window)
    view.passphrase.setText("too short")
    view.confirm.setText("too short")
    qtbot.mouseClick(view.button, Qt.MouseButton.LeftButton)
    assert "at least 10 characters" in view.message.text()
    assert not Vault.exists(folder)
    assert window.stack.currentWidget() is view


def test_start_empty_is_the_default(qtbot, make_app, tmp_path: Path):
    folder = tmp_path / "vault"
    window, _ = make_app(folder)
    view = welcome_of(qtbot, window)
    assert view.chosen() == "empty"
    view.passphrase.setText(TEST_PASSPHRASE)
    view.confirm.setText(TEST_PASSPHRASE)
    with qtbot.waitSignal(window.unlocked_ready, timeout=30_000):
        qtbot.keyClick(view.confirm, Qt.Key.Key_Return)
    assert window.workspace is None
    assert window.case_list.model.rowCount() == 0


def test_enrol_choice_opens_the_add_agency_dialog(qtbot, make_app, tmp_path: Path):
    from ui.views.agency_dialog import AgencyDialog
    from ui.views.welcome import ENROL

    window, _ = make_app(tmp_path / "vault")
    view = welcome_of(qtbot, window)
    assert ENROL in view.choices  # the sync engineer's dialog is present
    view.choices[ENROL].setChecked(True)
    view.passphrase.setText(TEST_PASSPHRASE)
    view.confirm.setText(TEST_PASSPHRASE)
    with qtbot.waitSignal(view.enrol_opened, timeout=30_000) as opened:
        qtbot.keyClick(view.confirm, Qt.Key.Key_Return)
    dialog = opened.args[0]
    assert isinstance(dialog, AgencyDialog) and dialog.isVisible()
    assert dialog.parent() is window
    assert Vault.exists(tmp_path / "vault")
    dialog.reject()


def test_the_choice_can_be_made_from_the_keyboard(qtbot, make_app, tmp_path: Path):
    window, _ = make_app(tmp_path / "vault")
    view = welcome_of(qtbot, window)
    window.activateWindow()
    view.confirm.setFocus()
    qtbot.waitUntil(view.confirm.hasFocus, timeout=WAIT_MS)
    qtbot.keyClick(view.confirm, Qt.Key.Key_Tab)
    assert view.choices["empty"].hasFocus()
    qtbot.keyClick(view.choices["empty"], Qt.Key.Key_Down)
    assert view.chosen() == OPEN_DEMO
    qtbot.keyClick(view.choices[OPEN_DEMO], Qt.Key.Key_Tab)
    assert view.button.hasFocus()
