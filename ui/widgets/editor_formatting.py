"""Formatting commands of the rich-text editor (``MarkdownEditor`` mixes them in): bold,
italic, lists and their levels, the analysis paragraph, and lists started as in Word by
typing "- " or "1. ". Each is one undo step; none changes what is stored except through
the document (``homestudy.richtext`` writes it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QFont, QTextBlock, QTextCursor, QTextList

from ui.widgets import rich_document as rd

ANALYSIS_WORD = "Analysis:"

if TYPE_CHECKING:  # so the checker knows what ``self`` is; no base class at run time
    from PySide6.QtWidgets import QTextEdit as _Editor
else:
    _Editor = object


class FormattingMixin(_Editor):
    """Needs a ``QTextEdit`` (``self``) with ``_typing_end``."""

    _typing_end: int

    def _auto_list(self, cursor: QTextCursor) -> None:
        """ "- " or "1. " typed at the start of a paragraph starts a list, as in Word."""
        block = cursor.block()
        if block.textList() is not None or cursor.positionInBlock() != len(block.text()):
            return
        marker = block.text()
        if marker not in ("- ", "* ", "1. ", "1) "):
            return
        cursor.beginEditBlock()
        cursor.movePosition(QTextCursor.MoveOperation.StartOfBlock, QTextCursor.MoveMode.KeepAnchor)
        cursor.removeSelectedText()
        cursor.createList(rd.list_format(0, ordered=marker[0].isdigit()))
        cursor.endEditBlock()
        self.setTextCursor(cursor)
        self._typing_end = -1

    # ------------------------------------------------------------------ formatting

    def _toggle_char(self, is_on: bool, apply: object) -> None:
        cursor = self.textCursor()
        fmt = rd.char_format(False, False)
        fmt.clearProperty(fmt.Property.FontWeight)
        fmt.clearProperty(fmt.Property.FontItalic)
        apply(fmt, not is_on)  # type: ignore[operator]
        if cursor.hasSelection():
            cursor.beginEditBlock()
            cursor.mergeCharFormat(fmt)
            cursor.endEditBlock()
        else:
            self.mergeCurrentCharFormat(fmt)
        self._typing_end = -1

    def _selection_all(self, test: object) -> bool:
        cursor = self.textCursor()
        if not cursor.hasSelection():
            return bool(test(self.currentCharFormat()))  # type: ignore[operator]
        start, end = cursor.selectionStart(), cursor.selectionEnd()
        probe = QTextCursor(self.document())
        for pos in range(start + 1, end + 1):
            probe.setPosition(pos)
            if probe.block().length() > 1 and not test(probe.charFormat()):  # type: ignore
                return False
        return True

    def toggle_bold(self) -> None:
        on = self._selection_all(lambda f: f.fontWeight() >= QFont.Weight.DemiBold)
        self._toggle_char(
            on, lambda f, v: f.setFontWeight(QFont.Weight.Bold if v else QFont.Weight.Normal)
        )

    def toggle_italic(self) -> None:
        on = self._selection_all(lambda f: f.fontItalic())
        self._toggle_char(on, lambda f, v: f.setFontItalic(v))

    def wrap_selection(self, marker: str) -> None:
        """The old Markdown-wrapping entry point: ``**`` is bold, ``*`` italic."""
        if marker == "**":
            self.toggle_bold()
        else:
            self.toggle_italic()

    def toggle_list(self, ordered: bool) -> None:
        cursor = self.textCursor()
        current = cursor.currentList()
        cursor.beginEditBlock()
        if current is not None and rd.is_ordered(current) == ordered:
            for block in self._selected_blocks(cursor):
                lst = block.textList()
                if lst is not None:
                    lst.remove(block)
                    edit = QTextCursor(block)
                    fmt = block.blockFormat()
                    fmt.setIndent(0)
                    edit.setBlockFormat(fmt)
        elif current is not None:
            level = current.format().indent() - 1
            current.setFormat(rd.list_format(level, ordered))
        else:
            cursor.createList(rd.list_format(0, ordered))
        cursor.endEditBlock()
        self._typing_end = -1

    def _selected_blocks(self, cursor: QTextCursor) -> list[QTextBlock]:
        document = self.document()
        first = document.findBlock(cursor.selectionStart())
        last = document.findBlock(cursor.selectionEnd())
        blocks = [first]
        while blocks[-1] != last and blocks[-1].next().isValid():
            blocks.append(blocks[-1].next())
        return blocks

    def change_list_level(self, step: int) -> None:
        """Tab / Shift+Tab in a list item: one level deeper or shallower (0 leaves it)."""
        cursor = self.textCursor()
        current = cursor.currentList()
        if current is None:
            return
        level = current.format().indent() - 1 + step
        block = cursor.block()
        cursor.beginEditBlock()
        current.remove(block)
        if level < 0:
            fmt = block.blockFormat()
            fmt.setIndent(0)
            cursor.setBlockFormat(fmt)
        else:
            ordered = rd.is_ordered(current)
            neighbour = self._list_at(block, level, ordered)
            if neighbour is not None:
                neighbour.add(block)
            else:
                cursor.createList(rd.list_format(level, ordered))
        cursor.endEditBlock()
        self._typing_end = -1

    @staticmethod
    def _list_at(block: QTextBlock, level: int, ordered: bool) -> QTextList | None:
        """The list at ``level`` just above ``block`` that it can join, if any."""
        previous = block.previous()
        while previous.isValid() and previous.textList() is not None:
            lst = previous.textList()
            indent = lst.format().indent() - 1
            if indent == level and rd.is_ordered(lst) == ordered:
                return lst
            if indent < level:
                return None
            previous = previous.previous()
        return None

    def insert_analysis_paragraph(self) -> None:
        """Start a new "Analysis:" paragraph (bold) after the current paragraph."""
        cursor = self.textCursor()
        cursor.beginEditBlock()
        block = cursor.block()
        while (
            block.textList() is not None
            and block.next().isValid()
            and block.next().textList() is not None
        ):
            block = block.next()  # after the whole list
        cursor.setPosition(block.position() + block.length() - 1)
        if self.document().toPlainText().strip():
            cursor.insertBlock(rd.paragraph_format(), rd.char_format(False, False))
        cursor.insertText(ANALYSIS_WORD, rd.char_format(True, False))
        cursor.insertText(" ", rd.char_format(False, False))
        cursor.endEditBlock()
        self.setTextCursor(cursor)
        self.setCurrentCharFormat(rd.char_format(False, False))
        self._typing_end = -1
        self.setFocus()
