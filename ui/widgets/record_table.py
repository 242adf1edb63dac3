"""A ``QTreeWidget`` listing records (anything with an ``id``), one a row, beside a form
that edits the selected one: the Visits and References tabs and ``RecordList``.

Each row keeps its record's id in column 0 under ``RECORD_ID``; the view supplies
``fill_row(item, record)`` to write the columns.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol, TypeVar

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem

RECORD_ID = Qt.ItemDataRole.UserRole


class HasId(Protocol):
    @property
    def id(self) -> str: ...


R = TypeVar("R", bound=HasId)
FillRow = Callable[[QTreeWidgetItem, R], None]


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
