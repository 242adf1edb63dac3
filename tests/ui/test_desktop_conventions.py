"""Desktop conventions: an Edit menu with the standard keys, a mnemonic on every menu
entry, Ctrl+F finds in the text (Ctrl+K searches all cases), focus on the first field
after Ctrl+1 to Ctrl+6, and the window's size and place remembered."""

from __future__ import annotations

from conftest import WAIT_MS
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from ui.views.search import SearchDialog

CTRL = Qt.KeyboardModifier.ControlModifier


def _menus(window) -> dict[str, list[str]]:
    return {
        a.text(): [x.text() for x in a.menu().actions() if not x.isSeparator()]
        for a in window.menuBar().actions()
        if a.menu() is not None
    }


def test_the_edit_menu_and_a_mnemonic_everywhere(qtbot, make_app, demo_vault_dir) -> None:
    folder, _ = demo_vault_dir
    window, _ = make_app(folder)
    menus = _menus(window)
    assert list(menus)[:2] == ["&File", "&Edit"]
    plain = [t.replace("&", "") for t in menus["&Edit"]]
    assert plain[:6] == [
        "Undo",
        "Redo",
        "Cut",
        "Copy",
        "Paste (keeps bold, italic and lists)",
        "Select all",
    ]
    assert plain[-1] == "Find in the text…"
    assert window.actions["undo"].shortcut().toString() == "Ctrl+Z"
    assert window.actions["paste"].shortcut().toString() == "Ctrl+V"
    for title, entries in menus.items():
        assert "&" in title
        letters = []
        for text in entries:
            assert "&" in text.replace("&&", ""), f"{text!r} in {title} has no mnemonic"
            letters.append(text[text.index("&") + 1].lower())
        assert len(letters) == len(set(letters)), f"two entries of {title} share a letter"


def test_edit_menu_entries_act_on_the_field_being_typed_in(
    qtbot, make_app, demo_vault_dir, unlock
) -> None:
    folder, case = demo_vault_dir
    window, _ = make_app(folder)
    unlock(window)
    window.open_case(case.id, "visits")
    qtbot.waitUntil(
        lambda: window.workspace is not None and window.workspace.case is not None, timeout=WAIT_MS
    )
    title = window.workspace.views["visits"].title_edit
    title.setFocus()
    assert window.focusWidget() is title
    before = title.text()
    window.actions["select_all"].trigger()
    window.actions["copy"].trigger()
    assert QApplication.clipboard().text() == before
    window.actions["cut"].trigger()
    assert title.text() == ""
    window.actions["undo"].trigger()
    assert title.text() == before


def test_ctrl_f_finds_in_the_text_and_ctrl_k_searches_everything(
    qtbot, make_app, demo_vault_dir, unlock
):
    folder, case = demo_vault_dir
    window, _ = make_app(folder)
    unlock(window)
    QTest.keyClick(window, Qt.Key.Key_F, CTRL)  # on the case list there is no text: search
    dialog = window.findChild(SearchDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.close()
    window.activateWindow()  # the case list's window again, as after closing a dialog
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
    window.open_case(case.id, "par:health")
    qtbot.waitUntil(
        lambda: window.workspace is not None and window.workspace.case is not None, timeout=WAIT_MS
    )
    par = window.workspace.views["par"]
    par.tree.setFocus()  # even from the section list, Ctrl+F finds in the section's text
    QTest.keyClick(window, Qt.Key.Key_F, CTRL)
    assert par.editor.find_bar is not None and par.editor.find_bar.isVisible()
    assert not dialog.isVisible()
    QTest.keyClick(window, Qt.Key.Key_K, CTRL)
    assert dialog.isVisible()


def test_ctrl_number_puts_the_cursor_in_the_tabs_first_field(
    qtbot, make_app, demo_vault_dir, unlock
):
    folder, case = demo_vault_dir
    window, _ = make_app(folder)
    unlock(window)
    window.open_case(case.id, "overview")
    qtbot.waitUntil(
        lambda: window.workspace is not None and window.workspace.case is not None, timeout=WAIT_MS
    )
    workspace = window.workspace
    for number, key in enumerate(
        ["overview", "case", "visits", "references", "checklists", "par"], start=1
    ):
        QTest.keyClick(window, getattr(Qt.Key, f"Key_{number}"), CTRL)
        focused = QApplication.focusWidget()
        view = workspace.views[key]
        assert focused is not None and view.isAncestorOf(focused), key
        assert focused.isVisible() and focused.accessibleName(), key
    assert QApplication.focusWidget() is workspace.views["par"].editor
    assert workspace.views["overview"].findings is not None


def test_the_window_keeps_its_size_and_place(qtbot, make_app, demo_vault_dir) -> None:
    folder, _ = demo_vault_dir
    window, _ = make_app(folder)
    window.resize(711, 522)  # within the offscreen screen (800 x 600), which clamps sizes
    window.move(33, 44)
    window.close()
    again, _ = make_app(folder)
    assert (again.width(), again.height()) == (711, 522)
    assert (again.x(), again.y()) == (33, 44)
