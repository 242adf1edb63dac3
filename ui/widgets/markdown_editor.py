"""The rich-text editor for the PAR and every narrative field, with UK spell check.

The worker sees bold, italic and lists, as in Word; what is stored is the PAR's
Markdown subset (``homestudy.richtext``: read by markdown-it-py, as the exports read
it, and written back canonically). ``markdown()`` / ``set_markdown()`` are the
stored form; ``toPlainText()`` / ``setPlainText()`` are the same for this editor, so
code written for the old plain-text editor keeps storing Markdown.

Keys: Ctrl+B, Ctrl+I, Ctrl+Shift+8 (bullets), Ctrl+Shift+7 (numbers); typing "- " or
"1. " at the start of a paragraph starts a list (Ctrl+Z turns it back into text);
Tab / Shift+Tab in a list item changes its level, elsewhere Tab moves on. Undo steps
are a word each (Qt would undo a whole paragraph of typing at once), and loading a
text starts a fresh history, so no Ctrl+Z can empty a field that was loaded full.
Paste keeps bold, italic, paragraphs and lists from Word, LibreOffice or a web page
and drops the rest (``paste_html``). A paragraph starting with bold "Analysis:" is
marked with a bar and a tint in the margin. Ctrl+F opens a find bar over the text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QMimeData, QPoint, QRectF, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QColor,
    QContextMenuEvent,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QTextBlock,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import QMenu, QTextEdit, QWidget

from homestudy import richtext
from homestudy.report.markdown import parse_blocks
from homestudy.richtext import paragraph_spans
from ui.spellcheck import SpellHighlighter, SpellingService, UkSpelling, word_at
from ui.widgets import rich_document as rd
from ui.widgets.editor_formatting import ANALYSIS_WORD, FormattingMixin
from ui.widgets.paste_html import html_to_blocks

if TYPE_CHECKING:
    from ui.widgets.find_bar import FindBar

ANALYSIS_MARKER = "**Analysis:** "  # the stored form readiness looks for

__all__ = [
    "ANALYSIS_MARKER",
    "MarkdownEditor",
    "clean_pasted",
    "paragraph_index",
    "paragraph_spans",
    "word_count",
]


def clean_pasted(text: str) -> str:
    """Text as pasted, less the control characters that break documents."""
    from homestudy.report.sanitize import clean_text

    return clean_text(text)


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


def is_analysis_block(block: QTextBlock) -> bool:
    """A paragraph that opens with "Analysis:" in bold (the marker readiness looks for)."""
    if not block.text().startswith(ANALYSIS_WORD[:-1]):
        return False
    runs = rd.block_runs(block)
    return bool(runs) and runs[0].bold and runs[0].text.startswith("Analysis")


def text_place(editor: Any) -> dict[str, Any]:
    """Where the cursor and the scroll are in a text (positions only, never the text)."""
    cursor = editor.textCursor()
    return {
        "cursor": cursor.position(),
        "anchor": cursor.anchor(),
        "scroll": editor.verticalScrollBar().value(),
        "focused": editor.hasFocus(),
    }


def restore_text_place(editor: Any, place: dict[str, Any]) -> None:
    if not place:
        return
    end = max(0, editor.document().characterCount() - 1)
    cursor = editor.textCursor()
    cursor.setPosition(min(int(place.get("anchor", 0)), end))
    cursor.setPosition(min(int(place.get("cursor", 0)), end), QTextCursor.MoveMode.KeepAnchor)
    editor.setTextCursor(cursor)
    editor.verticalScrollBar().setValue(int(place.get("scroll", 0)))
    if place.get("focused"):
        editor.setFocus()


class MarkdownEditor(FormattingMixin, QTextEdit):
    #: a word the user added to the dictionary
    word_added = Signal(str)

    def __init__(
        self, service: SpellingService | None, accessible_name: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setAccessibleName(accessible_name)
        self.setAcceptRichText(True)
        self.setTabChangesFocus(True)  # full keyboard use: Tab moves on, as in a form
        self.setLineWrapMode(QTextEdit.LineWrapMode.WidgetWidth)
        self.service: SpellingService | None = None
        self.spelling: UkSpelling | None = None
        self.highlighter: SpellHighlighter | None = None
        self._typing_end = -1  # where the last typed word ended, to join its undo step
        self._typing_steps = -1  # undo steps then: anything else since starts a new word
        self.find_bar: FindBar | None = None  # made on first Ctrl+F (ui.widgets.find_bar)
        # extra selections: the confidentiality guard's flagged passages, under the find
        # bar's matches (each sets its own; neither wipes the other)
        self.flag_selections: list[QTextEdit.ExtraSelection] = []
        self._other_selections: list[QTextEdit.ExtraSelection] = []
        self.document().setDocumentMargin(10)  # room for the analysis bar
        self.set_spelling(service)
        self.bold_action = self._action("Bold", QKeySequence.StandardKey.Bold, self.toggle_bold)
        self.italic_action = self._action(
            "Italic", QKeySequence.StandardKey.Italic, self.toggle_italic
        )
        self.bullets_action = self._action(
            "Bulleted list", "Ctrl+Shift+8", lambda: self.toggle_list(ordered=False)
        )
        self.numbers_action = self._action(
            "Numbered list", "Ctrl+Shift+7", lambda: self.toggle_list(ordered=True)
        )

    # ------------------------------------------------------------------ set-up

    def set_spelling(self, service: SpellingService | None) -> None:
        self.service = service
        self.spelling = service.spelling if service is not None else None
        self._attach_highlighter()

    def _attach_highlighter(self) -> None:
        """One highlighter per document (the PAR editor swaps documents per section)."""
        service = self.service
        self.highlighter = None
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
        document.setDocumentMargin(10)
        self.setDocument(document)
        self._attach_highlighter()
        self._typing_end = -1

    def setExtraSelections(self, selections: Sequence[QTextEdit.ExtraSelection]) -> None:
        self._other_selections = list(selections)
        super().setExtraSelections([*self.flag_selections, *self._other_selections])

    def set_flag_selections(self, selections: Sequence[QTextEdit.ExtraSelection]) -> None:
        """Mark the flagged passages (the PAR editor's confidentiality guard)."""
        self.flag_selections = list(selections)
        super().setExtraSelections([*self.flag_selections, *self._other_selections])

    def _action(self, text: str, key: QKeySequence.StandardKey | str, slot: object) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(key))
        action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    # ------------------------------------------------------------------ the stored form

    def markdown(self) -> str:
        return richtext.to_markdown(rd.document_to_blocks(self.document()))

    def set_markdown(self, text: str) -> None:
        """Show ``text`` (the stored Markdown) with a fresh undo history."""
        rd.fill_document(self.document(), parse_blocks(text or ""))
        self.moveCursor(QTextCursor.MoveOperation.Start)
        self._typing_end = -1

    def toPlainText(self) -> str:  # Qt's name, kept for older callers
        return self.markdown()

    def setPlainText(self, text: str) -> None:
        self.set_markdown(text)

    def visible_text(self) -> str:
        """The words as shown (no markup), as Qt's own plain text."""
        return self.document().toPlainText()

    def current_paragraph(self) -> int:
        return rd.unit_index(self.document(), self.textCursor().blockNumber())

    # ------------------------------------------------------------------ keys

    def event(self, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and self._own_shortcut(event)
        ):
            event.accept()  # before any window-wide shortcut can take them
            return True
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab)
            and self.textCursor().currentList() is not None
            and not self.isReadOnly()
        ):
            self.change_list_level(
                -1
                if event.key() == Qt.Key.Key_Backtab
                or event.modifiers() & Qt.KeyboardModifier.ShiftModifier
                else 1
            )
            return True
        return super().event(event)

    def _own_shortcut(self, event: QKeyEvent) -> bool:
        if event.matches(QKeySequence.StandardKey.Bold) or event.matches(
            QKeySequence.StandardKey.Italic
        ):
            return True
        combo = event.keyCombination().toCombined()
        return combo in (
            # PySide6's stubs lack QKeySequence.__getitem__ (it exists)
            self.bullets_action.shortcut()[0].toCombined(),  # type: ignore[index]
            self.numbers_action.shortcut()[0].toCombined(),  # type: ignore[index]
        )

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Bold):
            self.toggle_bold()
            return
        if event.matches(QKeySequence.StandardKey.Italic):
            self.toggle_italic()
            return
        text = event.text()
        mods = event.modifiers() & ~(
            Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.KeypadModifier
        )
        if (
            text
            and text.isprintable()
            and not mods
            and not self.isReadOnly()
            and not self.overwriteMode()
        ):
            self._type(text)
            return
        self._typing_end = -1
        super().keyPressEvent(event)

    def _type(self, text: str) -> None:
        """Insert typed text; a new undo step starts with each word."""
        cursor = self.textCursor()
        document = self.document()
        starts_word = not text[0].isspace() and self._after_space(cursor)
        joins = (
            not cursor.hasSelection()
            and not starts_word
            and cursor.position() == self._typing_end
            and document.availableUndoSteps() == self._typing_steps
        )
        if joins:
            cursor.joinPreviousEditBlock()
        else:
            cursor.beginEditBlock()
        cursor.insertText(text)
        cursor.endEditBlock()
        self.setTextCursor(cursor)
        self.ensureCursorVisible()
        self._typing_end = cursor.position()
        self._typing_steps = document.availableUndoSteps()
        if text == " ":
            self._auto_list(cursor)

    @staticmethod
    def _after_space(cursor: QTextCursor) -> bool:
        block, at = cursor.block(), cursor.positionInBlock()
        return at > 0 and block.text()[at - 1].isspace()

    # ------------------------------------------------------------------ paste

    def insertFromMimeData(self, source: QMimeData) -> None:
        if self.isReadOnly():
            return
        if source.hasHtml():
            blocks = html_to_blocks(source.html())
        elif source.hasText():
            text = clean_pasted(source.text())
            blocks = [rd.Paragraph((rd.Run(line),)) for line in text.split("\n")]
        else:
            return  # images and files: not part of a narrative
        cursor = self.textCursor()
        cursor.beginEditBlock()
        if cursor.hasSelection():
            cursor.removeSelectedText()
        rd.insert_blocks(cursor, blocks)
        cursor.endEditBlock()
        self.setTextCursor(cursor)
        self.ensureCursorVisible()
        self._typing_end = -1

    # ------------------------------------------------------------------ painting

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        document = self.document()
        layout = document.documentLayout()
        offset_y = self.verticalScrollBar().value()
        height = self.viewport().height()
        painter: QPainter | None = None
        block = self.cursorForPosition(QPoint(0, 0)).block()
        while block.isValid():
            rect = layout.blockBoundingRect(block).translated(0, -offset_y)
            if rect.top() > height:
                break
            if is_analysis_block(block):
                if painter is None:
                    painter = QPainter(self.viewport())
                colour = QColor(self.palette().highlight().color())
                painter.fillRect(QRectF(2, rect.top(), 4, rect.height()), colour)
                colour.setAlpha(28)
                painter.fillRect(
                    QRectF(6, rect.top(), self.viewport().width() - 6, rect.height()), colour
                )
            block = block.next()
        if painter is not None:
            painter.end()

    # ------------------------------------------------------------------ find

    def show_find_bar(self) -> None:
        from ui.widgets.find_bar import FindBar

        if self.find_bar is None:
            self.find_bar = FindBar(self, floating=True)
        self.find_bar.open()

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
        # None: at the end (Qt allows it; PySide6's stubs for insertAction do not say so)
        first = menu.actions()[0] if menu.actions() else None
        suggestions = self.spelling.suggestions(word)
        for suggestion in suggestions:
            action = QAction(suggestion, menu)
            action.setObjectName("spellingSuggestion")
            action.triggered.connect(
                lambda _=False, s=suggestion: self._replace(block.position() + start, word, s)
            )
            menu.insertAction(first, action)  # type: ignore[arg-type]
        if not suggestions:
            none = QAction("No suggestions", menu)
            none.setEnabled(False)
            menu.insertAction(first, none)  # type: ignore[arg-type]
        add = QAction(f"Add “{word}” to dictionary", menu)
        add.setObjectName("addToDictionary")
        add.triggered.connect(lambda: self.add_word(word))
        menu.insertAction(first, add)  # type: ignore[arg-type]
        menu.insertSeparator(first)  # type: ignore[arg-type]
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
