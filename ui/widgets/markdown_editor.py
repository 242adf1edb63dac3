"""A plain-text editor for the PAR's Markdown subset, with UK English spell check.

The subset: paragraphs separated by a blank line, ``**bold**``, ``*italic*``,
``- `` bulleted and ``1. `` numbered lists. The text is kept exactly as typed;
undo/redo are QPlainTextEdit's own (Ctrl+Z / Ctrl+Shift+Z or Ctrl+Y).
Ctrl+B and Ctrl+I wrap the selection. Paste keeps the text but drops NUL and
the other C0 control characters (except tab and newline) that Word can carry.
A right click on an underlined word offers suggestions and "Add to dictionary".
"""

from __future__ import annotations

import re

from PySide6.QtCore import QEvent, QMimeData, QPoint, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QContextMenuEvent,
    QKeyEvent,
    QKeySequence,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import QMenu, QPlainTextEdit, QWidget

from ui.spellcheck import SpellHighlighter, SpellingService, word_at

ANALYSIS_MARKER = "**Analysis:** "

# C0 controls other than tab (\x09) and newline (\x0a); \r is turned into \n first.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f]")
_BLANK_LINE_RE = re.compile(r"\n[ \t]*\n")


def clean_pasted(text: str) -> str:
    """Text as pasted, less the control characters that break documents."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL_RE.sub("", text)


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph: runs of lines separated by blank lines."""
    spans: list[tuple[int, int]] = []
    start = 0
    for gap in _BLANK_LINE_RE.finditer(text):
        if text[start : gap.start()].strip():
            spans.append((start, gap.start()))
        start = gap.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


def paragraph_index(text: str, position: int) -> int:
    """0-based index of the paragraph at ``position`` (the one before it, in a gap)."""
    index = 0
    for i, (start, _end) in enumerate(paragraph_spans(text)):
        if start > position:
            break
        index = i
    return index


def word_count(text: str) -> int:
    """As ``ParSectionDraft.word_count`` counts them."""
    return len(text.split())


class MarkdownEditor(QPlainTextEdit):
    #: a word the user added to the dictionary
    word_added = Signal(str)

    def __init__(
        self,
        service: SpellingService | None,
        accessible_name: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setAccessibleName(accessible_name)
        self.setTabChangesFocus(True)  # full keyboard use: Tab moves on, as in a form
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.service = service
        self.spelling = service.spelling if service is not None else None
        self.highlighter: SpellHighlighter | None = None
        self._attach_highlighter()
        self.bold_action = self._action("Bold", QKeySequence.StandardKey.Bold, "**")
        self.italic_action = self._action("Italic", QKeySequence.StandardKey.Italic, "*")

    def _attach_highlighter(self) -> None:
        """One highlighter per document (the PAR editor swaps documents per section)."""
        service = self.service
        if service is None or not service.enabled:
            return
        document = self.document()
        highlighter = document.findChild(SpellHighlighter)
        if highlighter is None:
            highlighter = SpellHighlighter(document, service.spelling)
            service.words_changed.connect(highlighter.rehighlight)
        self.highlighter = highlighter

    def use_document(self, document: QTextDocument) -> None:
        """Show ``document`` (which keeps its own undo history), spell-checked."""
        self.setDocument(document)
        self._attach_highlighter()

    def _action(self, text: str, key: QKeySequence.StandardKey, marker: str) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(key))
        action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        action.triggered.connect(lambda: self.wrap_selection(marker))
        self.addAction(action)
        return action

    # ------------------------------------------------------------------ keys

    def event(self, event: QEvent) -> bool:
        # Claim Ctrl+B / Ctrl+I before any window-wide shortcut can take them.
        if event.type() == QEvent.Type.ShortcutOverride and self._format_marker(event):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        marker = self._format_marker(event)
        if marker:
            self.wrap_selection(marker)
            event.accept()
            return
        super().keyPressEvent(event)

    @staticmethod
    def _format_marker(event: QEvent) -> str:
        if not isinstance(event, QKeyEvent):
            return ""
        if event.matches(QKeySequence.StandardKey.Bold):
            return "**"
        if event.matches(QKeySequence.StandardKey.Italic):
            return "*"
        return ""

    # ------------------------------------------------------------------ editing

    def wrap_selection(self, marker: str) -> None:
        """Wrap the selection in ``marker`` (or unwrap it); with none, insert a pair."""
        cursor = self.textCursor()
        cursor.beginEditBlock()
        selected = cursor.selectedText().replace("\u2029", "\n")
        if not selected:
            cursor.insertText(marker * 2)
            cursor.movePosition(
                QTextCursor.MoveOperation.Left, QTextCursor.MoveMode.MoveAnchor, len(marker)
            )
        elif (
            len(selected) > 2 * len(marker)
            and selected.startswith(marker)
            and selected.endswith(marker)
            and not (marker == "*" and selected.startswith("**"))
        ):
            cursor.insertText(selected[len(marker) : -len(marker)])
        else:
            cursor.insertText(f"{marker}{selected}{marker}")
        cursor.endEditBlock()
        self.setTextCursor(cursor)

    def insert_analysis_paragraph(self) -> None:
        """Start a new ``**Analysis:**`` paragraph after the current one."""
        text = self.toPlainText()
        position = self.textCursor().position()
        spans = paragraph_spans(text)
        end = len(text)
        for start, stop in spans:
            if start <= position <= stop or start > position:
                end = stop
                break
        cursor = self.textCursor()
        cursor.beginEditBlock()
        cursor.setPosition(end)
        cursor.insertText(("\n\n" if text[:end].strip() else "") + ANALYSIS_MARKER)
        cursor.endEditBlock()
        self.setTextCursor(cursor)
        self.setFocus()

    def current_paragraph(self) -> int:
        return paragraph_index(self.toPlainText(), self.textCursor().position())

    def insertFromMimeData(self, source: QMimeData) -> None:
        if source.hasText():
            self.textCursor().insertText(clean_pasted(source.text()))
            self.ensureCursorVisible()
            return
        super().insertFromMimeData(source)

    # ------------------------------------------------------------------ spelling

    def build_context_menu(self, pos: QPoint) -> QMenu:
        """The right-click menu at ``pos``: suggestions first when the word is unknown."""
        menu = self.createStandardContextMenu(pos)
        if self.spelling is None or self.highlighter is None or not self.highlighter.enabled:
            return menu
        cursor = self.cursorForPosition(pos)
        block = cursor.block()
        found = word_at(block.text(), cursor.positionInBlock())
        if found is None or self.spelling.is_known(found[1]):
            return menu
        start, word = found
        first = menu.actions()[0] if menu.actions() else None
        suggestions = self.spelling.suggestions(word)
        for suggestion in suggestions:
            action = QAction(suggestion, menu)
            action.setObjectName("spellingSuggestion")
            action.triggered.connect(
                lambda _=False, s=suggestion: self._replace(block.position() + start, word, s)
            )
            menu.insertAction(first, action)
        if not suggestions:
            none = QAction("No suggestions", menu)
            none.setEnabled(False)
            menu.insertAction(first, none)
        add = QAction(f"Add “{word}” to dictionary", menu)
        add.setObjectName("addToDictionary")
        add.triggered.connect(lambda: self.add_word(word))
        menu.insertAction(first, add)
        menu.insertSeparator(first)
        return menu

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        menu = self.build_context_menu(event.pos())
        menu.exec(event.globalPos())
        menu.deleteLater()

    def _replace(self, start: int, word: str, replacement: str) -> None:
        cursor = QTextCursor(self.document())
        cursor.setPosition(start)
        cursor.setPosition(start + len(word), QTextCursor.MoveMode.KeepAnchor)
        if cursor.selectedText() == word:  # the text may have moved on meanwhile
            cursor.insertText(replacement)

    def add_word(self, word: str) -> None:
        """Add ``word`` to the user's dictionary (the service stores it in the vault)."""
        if self.service is None:
            return
        self.service.add_word(word)  # words_changed re-underlines every editor
        self.word_added.emit(word)
