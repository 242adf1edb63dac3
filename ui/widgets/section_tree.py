"""The PAR's sections as a tree grouped by part, with status and word count.

Status is shown as a symbol and in words (never colour alone), so it reads out
on a screen reader and in high contrast.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

from homestudy.model import ParSectionDraft, SectionStatus

STATUS_LABELS: dict[SectionStatus, str] = {
    SectionStatus.NOT_STARTED: "Not started",
    SectionStatus.DRAFTING: "Drafting",
    SectionStatus.READY_FOR_REVIEW: "Ready for review",
    SectionStatus.COMPLETE: "Complete",
}
STATUS_SYMBOLS: dict[SectionStatus, str] = {
    SectionStatus.NOT_STARTED: "○",
    SectionStatus.DRAFTING: "◐",
    SectionStatus.READY_FOR_REVIEW: "◕",
    SectionStatus.COMPLETE: "●",
}
PART_TITLES = {
    "cover": "Cover and applicants' pages",
    "part1": "Part 1: assessment report",
    "part2": "Part 2: factual information",
    "after": "After sharing and sign-off",
}
_ID_ROLE = Qt.ItemDataRole.UserRole
_TEXT_MARGINS = 8  # the style's padding either side of an item's text, rounded up


def status_text(status: SectionStatus) -> str:
    return f"{STATUS_SYMBOLS[status]} {STATUS_LABELS[status]}"


class _WrappingDelegate(QStyledItemDelegate):
    """Tall enough rows for a wrapped section title: the tree asks a delegate for a row's
    height without the column's width, so a wrapped title was cut to one line."""

    def __init__(self, tree: QTreeWidget) -> None:
        super().__init__(tree)
        self._tree = tree

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        hint = super().sizeHint(option, index)
        if index.column() != 0 or not index.parent().isValid():
            return hint
        # a section sits one level down: two indents (root decoration and level) + margins
        width = self._tree.columnWidth(0) - 2 * self._tree.indentation() - _TEXT_MARGINS
        text = str(index.data() or "")
        if width <= 0 or not text:
            return hint
        bounds = option.fontMetrics.boundingRect(
            QRect(0, 0, width, 10_000), int(Qt.TextFlag.TextWordWrap), text
        )
        hint.setHeight(max(hint.height(), bounds.height() + 4))
        return hint


class SectionTree(QTreeWidget):
    #: the chosen section id
    section_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("PAR sections")
        self.setColumnCount(3)
        self.setHeaderLabels(["Section", "Status", "Words"])
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        # Titles are long ("Summary pen picture of the applicants and their plan to
        # adopt"): wrap them rather than cut them off, and re-wrap when the pane resizes.
        self.setWordWrap(True)
        self.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.setUniformRowHeights(False)
        self.setItemDelegate(_WrappingDelegate(self))
        self.setIndentation(14)  # narrow: the titles need the room
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.sectionResized.connect(self._rewrap)
        self._items: dict[str, QTreeWidgetItem] = {}
        self.currentItemChanged.connect(self._current_changed)

    def _rewrap(self, column: int, _old: int, _new: int) -> None:
        if column == 0:
            self.scheduleDelayedItemsLayout()  # row heights follow the new width

    def set_sections(self, sections: Sequence[Any]) -> None:
        """``sections``: the form's ParSection objects, in order."""
        self.clear()
        self._items.clear()
        parts: dict[str, QTreeWidgetItem] = {}
        for section in sections:
            part = parts.get(section.part)
            if part is None:
                part = QTreeWidgetItem(self, [PART_TITLES.get(section.part, section.part)])
                part.setFlags(Qt.ItemFlag.ItemIsEnabled)
                part.setFirstColumnSpanned(True)  # a part's title is not squeezed into col 0
                part.setExpanded(True)
                parts[section.part] = part
            title = section.title + ("" if section.required else " (optional)")
            item = QTreeWidgetItem(part, [title, "", ""])
            item.setToolTip(0, title)
            item.setData(0, _ID_ROLE, section.id)
            item.setTextAlignment(2, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self._items[section.id] = item
        self.expandAll()
        self.resizeColumnToContents(1)

    def update_section(self, draft: ParSectionDraft) -> None:
        item = self._items.get(draft.section_id)
        if item is None:
            return
        item.setText(1, status_text(draft.status))
        words = draft.word_count
        item.setText(2, str(words))
        item.setToolTip(2, f"{words} words")

    def select_section(self, section_id: str) -> bool:
        item = self._items.get(section_id)
        if item is None:
            return False
        self.setCurrentItem(item)
        self.scrollToItem(item)
        return True

    def section_ids(self) -> list[str]:
        return list(self._items)

    def current_section_id(self) -> str:
        item = self.currentItem()
        return str(item.data(0, _ID_ROLE) or "") if item is not None else ""

    def item_for(self, section_id: str) -> QTreeWidgetItem | None:
        return self._items.get(section_id)

    def _current_changed(self, current: QTreeWidgetItem | None, _previous: object) -> None:
        if current is not None and current.data(0, _ID_ROLE):
            self.section_chosen.emit(str(current.data(0, _ID_ROLE)))
