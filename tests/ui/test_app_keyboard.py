"""Keyboard and screen-reader use of the shell: names, tab order, shortcuts."""

from __future__ import annotations

from conftest import WAIT_MS
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QWidget

from ui.shortcuts import SHORTCUTS
from ui.views.new_case import NewCaseDialog
from ui.views.search import SearchDialog


def _unnamed_controls(root: QWidget) -> list[str]:
    """Focusable, visible controls a screen reader could not name."""
    missing = []
    for w in [root, *root.findChildren(QWidget)]:
        if not w.isVisible() or w.focusPolicy() == Qt.FocusPolicy.NoFocus:
            continue
        if w.accessibleName() or (isinstance(w, QAbstractButton) and w.text()):
            continue
        if (
            w.parentWidget() is not None
            and w.parentWidget().accessibleName()
            and (type(w).__name__ in ("QWidget", "QScrollBar") or w.objectName().startswith("qt_"))
        ):
            continue  # viewports and Qt's inner parts of a named control
        if type(w).__name__ in (
            "QScrollBar",
            "QTabBar",
            "QMenuBar",
            "QScrollArea",
            "QCalendarWidget",
            "QToolButton",
        ):
            continue
        missing.append(f"{type(w).__name__}:{w.objectName()}")
    return missing


def test_shell_controls_have_names(qtbot, make_app, demo_vault_dir, unlock):
    folder, case = demo_vault_dir
    window, _ = make_app(folder)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.unlock_view, timeout=WAIT_MS)
    assert _unnamed_controls(window.unlock_view) == []
    unlock(window)
    assert _unnamed_controls(window.case_list) == []
    window.open_case(case.id)
    qtbot.waitUntil(
        lambda: window.workspace is not None and window.workspace.case is not None, timeout=WAIT_MS
    )
    overview = window.workspace.views["overview"]
    qtbot.waitUntil(lambda: overview.data is not None, timeout=WAIT_MS)
    assert _unnamed_controls(overview) == []
    window.show_search()
    assert _unnamed_controls(window.findChild(SearchDialog)) == []
    window.findChild(SearchDialog).close()
    window.new_case()
    dialog = window.findChild(NewCaseDialog)
    assert _unnamed_controls(dialog) == []
    dialog.reject()


def test_tab_walks_the_unlock_screen(qtbot, make_app, demo_vault_dir):
    folder, _ = demo_vault_dir
    window, _ = make_app(folder)
    view = window.unlock_view
    qtbot.waitUntil(lambda: window.stack.currentWidget() is view, timeout=WAIT_MS)
    window.activateWindow()
    qtbot.waitUntil(lambda: view.passphrase.hasFocus(), timeout=WAIT_MS)
    QTest.keyClick(view.passphrase, Qt.Key.Key_Tab)
    assert view.button.hasFocus()


def test_tab_walks_the_case_list(qtbot, make_app, demo_vault_dir, unlock):
    folder, _ = demo_vault_dir
    window, _ = make_app(folder)
    unlock(window)
    lst = window.case_list
    order = []
    lst.table.setFocus()
    for _ in range(6):
        order.append(QApplication.focusWidget())
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    visible_buttons = [
        b
        for b in (
            lst.open_button,
            lst.show_archived,
            lst.agency_filter,
            lst.assignment_button,
            lst.new_button,
        )
        if b.isVisible()
    ]
    assert order[: 1 + len(visible_buttons)] == [lst.table, *visible_buttons]


def test_every_shortcut_is_listed_once_and_bound(qtbot, make_app, demo_vault_dir):
    folder, _ = demo_vault_dir
    window, _ = make_app(folder)
    keys = [k for s in SHORTCUTS for k in s.keys]
    assert len(keys) == len(set(keys)), "a key is given to two actions"
    for action_id, action in window.actions.items():
        listed = next(s for s in SHORTCUTS if s.action == action_id)
        assert [seq.toString() for seq in action.shortcuts()] == list(listed.keys)
        assert action.text().replace("&", "") == listed.description
        assert "&" in action.text(), f"{action_id} has no mnemonic"
