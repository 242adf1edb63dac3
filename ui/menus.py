"""Desktop conventions for the main window, kept apart from its assembly code:
the Edit menu, a mnemonic on every menu entry, find-in-text, focus on the first field
of a tab, and the window's size and place remembered between sessions.

- ``add_edit_menu(window, shortcuts)``: Undo, Redo, Cut, Copy, Paste, Select all and
  Find, acting on whichever text field has the keyboard focus (the same as the field's
  own keys), placed after the File menu.
- ``add_mnemonics(menu_bar)``: gives each entry without one an Alt-letter mnemonic
  (its first word's first free letter, else any free letter), as KDE does; run after
  every menu is built, so entries other parts add get one too.
- ``find_in_text(window)``: Ctrl+F opens the find bar of the editor being written in
  (or the tab's main text); with no text in reach it searches all cases instead.
- ``focus_first(view)``: a tab's ``focus_first()`` if it has one, else its first field.
- ``WindowPlace``: ``QSettings`` in the settings folder (never case content).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMenuBar,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)


class SearchingWindow(Protocol):
    """What Ctrl+F needs of the main window: its case workspace, its search."""

    workspace: Any

    def focusWidget(self) -> QWidget | None: ...

    def show_search(self) -> None: ...


#: (action id, the Qt method of a text field it calls); texts and keys are in SHORTCUTS
EDIT_ACTIONS: tuple[tuple[str, str], ...] = (
    ("undo", "undo"),
    ("redo", "redo"),
    ("", ""),
    ("cut", "cut"),
    ("copy", "copy"),
    ("paste", "paste"),
    ("select_all", "selectAll"),
    ("", ""),
    ("find", ""),
)
_TEXT_WIDGETS = (QLineEdit, QTextEdit, QPlainTextEdit)


def _text_widget(window: QWidget | None = None) -> QWidget | None:
    """The text field with the keyboard focus (the window's own, if it is not active)."""
    widget = QApplication.focusWidget() or (window.focusWidget() if window else None)
    return widget if isinstance(widget, _TEXT_WIDGETS) else None


def _call(window: QWidget, method: str) -> None:
    widget = _text_widget(window)
    if widget is not None:
        getattr(widget, method)()


def add_edit_menu(
    window: QMainWindow,
    shortcuts: Sequence[Any],
    actions: dict[str, QAction],
    find: Callable[[], None],
) -> QMenu:
    """The Edit menu; its actions join ``actions`` (by id), as the other menus' do."""
    by_id = {s.action: s for s in shortcuts}
    menu = QMenu("&Edit", window)
    menu.setObjectName("editMenu")
    for action_id, method in EDIT_ACTIONS:
        if not action_id:
            menu.addSeparator()
            continue
        spec = by_id[action_id]
        action = QAction(spec.description, window)
        action.setObjectName(f"action_{action_id}")
        action.setShortcuts([QKeySequence(k) for k in spec.keys])
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        if method:
            action.triggered.connect(lambda _checked=False, m=method: _call(window, m))
        else:
            action.triggered.connect(find)
        menu.addAction(action)
        actions[action_id] = action
    bar = window.menuBar()
    file_menu = next((a for a in bar.actions() if a.menu() is not None), None)
    following = (
        bar.actions()[bar.actions().index(file_menu) + 1]
        if file_menu is not None and bar.actions().index(file_menu) + 1 < len(bar.actions())
        else None
    )
    bar.insertMenu(following, menu) if following is not None else bar.addMenu(menu)
    menu.aboutToShow.connect(lambda: _update_edit_actions(window, actions))
    return menu


def _update_edit_actions(window: QWidget, actions: dict[str, QAction]) -> None:
    """Grey out what the focused field cannot do now (the keys keep working regardless)."""
    widget = _text_widget(window)
    read_only = widget is None or widget.isReadOnly()  # type: ignore[attr-defined]
    has_selection = False
    can_undo = can_redo = False
    if isinstance(widget, QLineEdit):
        has_selection = widget.hasSelectedText()
        can_undo, can_redo = widget.isUndoAvailable(), widget.isRedoAvailable()
    elif isinstance(widget, QTextEdit | QPlainTextEdit):
        has_selection = widget.textCursor().hasSelection()
        document = widget.document()
        can_undo, can_redo = document.isUndoAvailable(), document.isRedoAvailable()
    states = {
        "undo": can_undo and not read_only,
        "redo": can_redo and not read_only,
        "cut": has_selection and not read_only,
        "copy": has_selection,
        "paste": widget is not None and not read_only,
        "select_all": widget is not None,
    }
    for action_id, enabled in states.items():
        if action_id in actions and actions[action_id].isEnabled() != enabled:
            actions[action_id].setEnabled(enabled)


def add_mnemonics(bar: QMenuBar) -> None:
    """An Alt-letter for every entry of every menu that lacks one."""
    for top in bar.actions():
        menu = top.menu()
        if not isinstance(menu, QMenu):  # None; PySide6 types menu() as any QObject
            continue
        entries = [a for a in menu.actions() if not a.isSeparator() and a.text()]
        used = {_mnemonic(a.text()) for a in entries} - {""}
        for action in entries:
            if "&" in action.text().replace("&&", ""):
                continue
            text = action.text()
            index = _free_letter(text, used)
            if index >= 0:
                used.add(text[index].lower())
                action.setText(text[:index] + "&" + text[index:])


def _mnemonic(text: str) -> str:
    plain = text.replace("&&", "")
    at = plain.find("&")
    return plain[at + 1].lower() if 0 <= at < len(plain) - 1 else ""


def _free_letter(text: str, used: set[str]) -> int:
    starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == " "]
    for i in [*starts, *range(len(text))]:
        if i < len(text) and text[i].isalnum() and text[i].lower() not in used:
            return i
    return -1


# ------------------------------------------------------------------ find, focus


def find_in_text(window: SearchingWindow) -> None:
    from ui.widgets.find_bar import FindBar
    from ui.widgets.markdown_editor import MarkdownEditor

    widget: QWidget | None = QApplication.focusWidget() or window.focusWidget()
    while widget is not None and not isinstance(widget, MarkdownEditor | FindBar):
        widget = widget.parentWidget()
    if isinstance(widget, FindBar) and isinstance(widget.editor, MarkdownEditor):
        widget = widget.editor
    if widget is None and window.workspace is not None:
        view = window.workspace.tabs.currentWidget()
        target = getattr(view, "find_target", None)
        widget = (
            target()
            if callable(target)
            else next((e for e in view.findChildren(MarkdownEditor) if e.isVisible()), None)
        )
    if isinstance(widget, MarkdownEditor):
        widget.show_find_bar()
    else:
        window.show_search()


def focus_first(view: QWidget) -> None:
    """Put the keyboard focus on a tab's first field (Ctrl+1 to Ctrl+6)."""
    own = getattr(view, "focus_first", None)
    if callable(own):
        own()
        return
    widget = view.nextInFocusChain()
    while widget is not None and widget is not view:
        if (
            view.isAncestorOf(widget)
            and widget.isVisible()
            and widget.isEnabled()
            and widget.focusPolicy() & Qt.FocusPolicy.TabFocus
        ):
            widget.setFocus(Qt.FocusReason.TabFocusReason)
            return
        widget = widget.nextInFocusChain()
    view.setFocus()


class WindowPlace:
    """The main window's size, place and state, kept beside the settings file."""

    def __init__(self) -> None:
        from homestudy.settings import user_settings_path

        path = user_settings_path().with_name("window.ini")
        self.settings = QSettings(str(path), QSettings.Format.IniFormat)

    def restore(self, window: QMainWindow) -> bool:
        geometry = self.settings.value("main/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            window.restoreGeometry(geometry)
            state = self.settings.value("main/state")
            if isinstance(state, QByteArray):
                window.restoreState(state)
            return True
        return False

    def save(self, window: QMainWindow) -> None:
        self.settings.setValue("main/geometry", window.saveGeometry())
        self.settings.setValue("main/state", window.saveState())
        self.settings.sync()
