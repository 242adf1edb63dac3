"""The case list shows each case with its clock, visits and readiness; new cases."""

from __future__ import annotations

from datetime import date

from conftest import TEST_KDF, TEST_PASSPHRASE, WAIT_MS
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from homestudy.forms import load_library
from homestudy.readiness import Severity, assess_readiness
from homestudy.timeline import TimelineRules, stage2_progress
from homestudy.vault import Vault
from ui.views.new_case import NewCaseDialog


def test_the_demo_case_with_its_figures(qtbot, make_app, demo_vault_dir, unlock):
    folder, case = demo_vault_dir
    window, _ = make_app(folder)
    unlock(window)
    model = window.case_list.model
    assert model.rowCount() == 1
    assert model.data(model.index(0, 0)) == case.reference  # the list shows at once
    qtbot.waitUntil(lambda: model.rows[0].blockers >= 0, timeout=WAIT_MS)  # then readiness
    texts = [model.data(model.index(0, c)) for c in range(model.columnCount())]
    day, total = stage2_progress(case, date.today())
    blockers = sum(
        f.severity is Severity.BLOCKER
        for f in assess_readiness(case, load_library(), TimelineRules(), date.today())
    )
    assert blockers > 0  # the demo is mid Stage 2
    assert texts == [
        case.reference,
        "Hannah Whitfield and Daniel Mensah",
        "Not linked to an agency",
        f"Stage 2 day {day} of {total}",
        f"{case.visits_done} of {len(case.visits)} done",
        f"{blockers} blocking",
    ]
    assert window.case_list.status.text() == "1 case"
    assert window.case_list.table.accessibleName() == "Cases"


def test_enter_opens_the_selected_case(qtbot, make_app, demo_vault_dir, unlock):
    folder, case = demo_vault_dir
    window, _ = make_app(folder)
    unlock(window)
    table = window.case_list.table
    assert table.hasFocus() or table.currentIndex().isValid()
    table.setFocus()
    QTest.keyClick(table, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: window.workspace is not None and window.workspace.case is not None, timeout=WAIT_MS
    )
    assert window.workspace.case.id == case.id
    assert window.windowTitle() == f"HomeStudy — {case.reference}"
    # Ctrl+0 goes back to the list
    QTest.keyClick(window, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert window.workspace is None
    assert window.home.currentWidget() is window.case_list


def test_new_case_from_scratch_is_saved_and_opened(
    qtbot, make_app, demo_vault_dir, unlock, read_back
):
    folder, _ = demo_vault_dir
    window, _ctx = make_app(folder)
    unlock(window)
    window.new_case()
    dialog = window.findChild(NewCaseDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.buttons.accepted.emit()
    assert "household reference" in dialog.message.text()
    dialog.reference.setText("HS-2026-0999")
    dialog.buttons.accepted.emit()
    assert "applicant" in dialog.message.text()
    dialog.first1.setText("Amira")
    dialog.last1.setText("Okafor")
    with qtbot.waitSignal(dialog.created, timeout=WAIT_MS) as created:
        dialog.buttons.accepted.emit()
    qtbot.waitUntil(
        lambda: window.workspace is not None and window.workspace.case is not None, timeout=WAIT_MS
    )
    assert window.workspace.case.reference == "HS-2026-0999"
    assert window.workspace.case.applicant_names == "Amira Okafor"
    window.show_case_list()
    qtbot.waitUntil(lambda: window.case_list.model.rowCount() == 2, timeout=WAIT_MS)
    refs = sorted(r.reference for r in window.case_list.model.rows)
    assert refs[1] == "HS-2026-0999"
    # read back independently of the app
    with read_back(window, folder) as vault:
        saved = vault.cases.load_case(created.args[0])
    assert saved.reference == "HS-2026-0999"
    assert saved.stage2_notice_on == date.today()


def test_a_duplicate_reference_is_refused(qtbot, make_app, demo_vault_dir, unlock):
    folder, case = demo_vault_dir
    window, _ = make_app(folder)
    unlock(window)
    dialog = NewCaseDialog(window.ctx, window)
    dialog.reference.setText(case.reference)
    dialog.first1.setText("Someone")
    dialog.buttons.accepted.emit()
    qtbot.waitUntil(lambda: "already in the vault" in dialog.message.text(), timeout=WAIT_MS)
    assert dialog.buttons.isEnabled()


def test_an_empty_vault_says_how_to_begin(qtbot, make_app, tmp_path, unlock):
    folder = tmp_path / "empty"
    Vault.create(folder, TEST_PASSPHRASE, kdf=TEST_KDF).close()
    window, _ = make_app(folder)
    unlock(window)
    assert window.case_list.model.rowCount() == 0
    assert "Make a new case" in window.case_list.status.text()
