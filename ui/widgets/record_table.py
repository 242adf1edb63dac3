"""A ``QTreeWidget`` listing records (anything with an ``id``), one a row, beside a form
that edits the selected one: the Visits and References tabs and ``RecordList``.

Each row keeps its record's id in column 0 under ``RECORD_ID``; the view supplies
``fill_row(item, record)`` to write the columns.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol, TypeVar

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QScrollArea,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

RECORD_ID = Qt.ItemDataRole.UserRole


class HasId(Protocol):
    @property
    def id(self) -> str: ...


R = TypeVar("R", bound=HasId)
FillRow = Callable[[QTreeWidgetItem, R], None]


def record_table(
    name: str,
    headers: list[str],
    on_current: Callable[[QTreeWidgetItem | None, QTreeWidgetItem | None], None],
) -> QTreeWidget:
    """A flat, single-selection table named ``name``; ``on_current`` follows the selection."""
    table = QTreeWidget()
    table.setAccessibleName(name)
    table.setHeaderLabels(headers)
    table.setRootIsDecorated(False)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.currentItemChanged.connect(on_current)
    return table


def beside_details(table: QTreeWidget, details: QWidget, name: str,
                   sizes: tuple[int, int]) -> QSplitter:
    """The table on the left and the record's form, scrolling (named ``name``), on the
    right, taking the extra width."""
    scroll = QScrollArea()
    scroll.setAccessibleName(name)
    scroll.setWidgetResizable(True)
    scroll.setWidget(details)
    splitter = QSplitter()
    splitter.addWidget(table)
    splitter.addWidget(scroll)
    splitter.setStretchFactor(1, 2)
    splitter.setSizes(list(sizes))
    return splitter


def fill_table(table: QTreeWidget, records: Iterable[R], fill_row: FillRow[R]) -> None:
    """Draw every row again; the table's signals stay quiet (the caller selects after)."""
    with QSignalBlocker(table):
        table.clear()
        for record in records:
            item = QTreeWidgetItem(table)
            item.setData(0, RECORD_ID, record.id)
            fill_row(item, record)


def select_row(table: QTreeWidget, record_id: str) -> bool:
    """Make ``record_id``'s row current (``currentItemChanged`` fires); False if absent."""
    for i in range(table.topLevelItemCount()):
        item = table.topLevelItem(i)
        if item.data(0, RECORD_ID) == record_id:
            table.setCurrentItem(item)
            return True
    return False


def record_at(item: QTreeWidgetItem | None, records: Iterable[R]) -> R | None:
    """The record that row ``item`` shows (None for no row)."""
    record_id = item.data(0, RECORD_ID) if item is not None else None
    return next((r for r in records if r.id == record_id), None)


def redraw_current_row(table: QTreeWidget, record: R, fill_row: FillRow[R]) -> None:
    """Write ``record`` into the current row again, after an edit to it."""
    item = table.currentItem()
    if item is not None:
        fill_row(item, record)
