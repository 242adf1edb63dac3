"""Find in the text: a small bar over an editor (Ctrl+F), or inside a panel.

Typing finds as you go from the cursor; Enter or F3 goes to the next match,
Shift+Enter or Shift+F3 to the one before; every match is tinted (extra
selections, so the document and its undo history are untouched); "3 of 12" says
where you are. Esc closes a floating bar and puts the cursor back in the text.
Works with any ``QTextEdit`` (the editors, and read-only notes in a browser).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QTextEdit,
    QToolButton,
    QWidget,
)

MAX_MARKED = 500  # tinting more matches than this is slow and tells nothing more


class FindBar(QFrame):
    #: the number of matches after each search
    searched = Signal(int)

    def __init__(
        self, editor: QTextEdit, parent: QWidget | None = None, *, floating: bool = False
    ) -> None:
        super().__init__(parent if parent is not None else editor)
        self.editor = editor
        self.floating = floating
        self.setObjectName("findBar")
        self.setAccessibleName("Find in the text")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.query = QLineEdit(self)
        self.query.setAccessibleName("Find")
        self.query.setPlaceholderText("Find in the text")
        self.query.setClearButtonEnabled(True)
        self.count = QLabel("", self)
        self.count.setAccessibleName("Matches")
        self.previous_button = self._button("↑", "Previous match (Shift+Enter)", self.previous)
        self.next_button = self._button("↓", "Next match (Enter)", self.next)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.addWidget(self.query, 1)
        layout.addWidget(self.count)
        layout.addWidget(self.previous_button)
        layout.addWidget(self.next_button)
        if floating:
            self.close_button = self._button("✕", "Close (Esc)", self.close_bar)
            layout.addWidget(self.close_button)
            editor.installEventFilter(self)  # keep to the top right when it resizes
            self.hide()
        self.query.textEdited.connect(lambda _t: self.find_matches(from_start_of_match=True))
        self.query.installEventFilter(self)
        self.matches: list[QTextCursor] = []

    def _button(self, text: str, tip: str, slot: object) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setToolTip(tip)
        button.setAccessibleName(tip.split(" (")[0])
        button.clicked.connect(slot)
        return button

    # ------------------------------------------------------------------ showing

    def open(self) -> None:
        """Show (floating) and put the cursor in the box, the selection as the query."""
        selected = self.editor.textCursor().selectedText()
        if selected and "\u2029" not in selected:
            self.query.setText(selected)
        if self.floating:
            self._place()
            self.show()
            self.raise_()
        self.query.setFocus()
        self.query.selectAll()
        self.find_matches(from_start_of_match=True)

    def close_bar(self) -> None:
        self.editor.setExtraSelections([])
        self.matches = []
        if self.floating:
            self.hide()
        self.editor.setFocus()

    def _place(self) -> None:
        width = min(max(260, self.editor.width() // 2), self.editor.width() - 8)
        self.resize(width, self.sizeHint().height())
        self.move(
            self.editor.width()
            - width
            - 4
            - self.editor.verticalScrollBar().width() * self.editor.verticalScrollBar().isVisible(),
            4,
        )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.editor and event.type() == QEvent.Type.Resize and self.isVisible():
            self._place()
        if watched is self.query and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key, shift = event.key(), bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_F3):
                self.previous() if shift else self.next()
                return True
            if key == Qt.Key.Key_Escape:
                if self.floating:
                    self.close_bar()
                else:
                    self.query.clear()
                    self.find_matches()
                return True
        return super().eventFilter(watched, event)

    # ------------------------------------------------------------------ finding

    def find_matches(self, from_start_of_match: bool = False) -> int:
        """Mark every match and move to the first at or after the cursor."""
        text = self.query.text()
        document = self.editor.document()
        self.matches = []
        if text:
            cursor = QTextCursor(document)
            while len(self.matches) < MAX_MARKED:
                cursor = document.find(text, cursor)
                if cursor.isNull():
                    break
                self.matches.append(QTextCursor(cursor))
        self._mark()
        if self.matches:
            here = self.editor.textCursor()
            start = here.selectionStart() if from_start_of_match else here.selectionEnd()
            target = next((m for m in self.matches if m.selectionStart() >= start), self.matches[0])
            self._go(target)
        self._show_count()
        self.searched.emit(len(self.matches))
        return len(self.matches)

    def next(self) -> None:
        self._step(forward=True)

    def previous(self) -> None:
        self._step(forward=False)

    def _step(self, forward: bool) -> None:
        if not self.matches and not self.find_matches():
            return
        here = self.editor.textCursor()
        if forward:
            target = next(
                (m for m in self.matches if m.selectionStart() > here.selectionStart()),
                self.matches[0],
            )
        else:
            target = next(
                (m for m in reversed(self.matches) if m.selectionStart() < here.selectionStart()),
                self.matches[-1],
            )
        self._go(target)
        self._show_count()

    def _go(self, match: QTextCursor) -> None:
        self.editor.setTextCursor(match)
        self.editor.ensureCursorVisible()

    def current_index(self) -> int:
        here = self.editor.textCursor().selectionStart()
        return next((i for i, m in enumerate(self.matches) if m.selectionStart() == here), -1)

    def _mark(self) -> None:
        fmt = QTextCharFormat()
        colour = QColor(self.palette().highlight().color())
        colour.setAlpha(70)
        fmt.setBackground(colour)
        selections = []
        for match in self.matches:
            selection = QTextEdit.ExtraSelection()
            selection.cursor = match  # type: ignore[attr-defined]
            selection.format = fmt  # type: ignore[attr-defined]
            selections.append(selection)
        self.editor.setExtraSelections(selections)

    def _show_count(self) -> None:
        if not self.query.text():
            self.count.setText("")
        elif not self.matches:
            self.count.setText("Not found")
        else:
            index = self.current_index()
            more = "+" if len(self.matches) >= MAX_MARKED else ""
            self.count.setText(
                f"{index + 1} of {len(self.matches)}{more}"
                if index >= 0
                else f"{len(self.matches)}{more} found"
            )
        self.count.setAccessibleDescription(self.count.text())
