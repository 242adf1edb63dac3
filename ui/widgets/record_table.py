"""A ``QTreeWidget`` listing records (anything with an ``id``), one a row, beside a form
that edits the selected one: the Visits and References tabs and ``RecordList``.

Each row keeps its record's id in column 0 under ``RECORD_ID``; the view supplies
``fill_row(item, record)`` to write the columns. One column (``stretch``, the main
text) takes the spare width; the others fit their contents, up to ``MAX_FIT`` pixels,
and give way (never below their header's text) when the table is narrow, so there is
no sideways scrolling. Every cell's full text is in its tooltip, as a cut-short
cell shows only part of it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol, TypeVar

from PySide6.QtCore import QEvent, QObject, QSignalBlocker, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QScrollArea,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

RECORD_ID = Qt.ItemDataRole.UserRole
MAX_FIT = 240  # the widest a fitted (non-stretching) column grows to, in pixels
DETAILS_MIN_WIDTH = 400  # the form beside a table keeps this much, even at 1024x700
TABLE_MIN_WIDTH = 260
MAIN_MIN = 160  # the stretching column gives way to the others only down to this


class HasId(Protocol):
    @property
    def id(self) -> str: ...


R = TypeVar("R", bound=HasId)
FillRow = Callable[[QTreeWidgetItem, R], None]


class _ColumnFitter(QObject):
    """Fits the columns again whenever the table's visible width changes."""

    def __init__(self, table: QTreeWidget, stretch: int) -> None:
        super().__init__(table)
        self.table, self.stretch = table, stretch
        table.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            fit_columns(self.table)
        return False


def record_table(
    name: str,
    headers: list[str],
    on_current: Callable[[QTreeWidgetItem | None, QTreeWidgetItem | None], None],
    *,
    stretch: int = 0,
    elide: Qt.TextElideMode = Qt.TextElideMode.ElideRight,
) -> QTreeWidget:
    """A flat, single-selection table named ``name``; ``on_current`` follows the selection.
    Column ``stretch`` takes the spare width; text too long for its cell is cut short
    with an ellipsis where ``elide`` says."""
    table = QTreeWidget()
    table.setAccessibleName(name)
    table.setHeaderLabels(headers)
    table.setRootIsDecorated(False)
    table.setUniformRowHeights(True)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setTextElideMode(elide)
    table.setMinimumWidth(TABLE_MIN_WIDTH)
    header = table.header()
    header.setStretchLastSection(False)
    header.setSectionsMovable(False)
    for col in range(len(headers)):
        mode = (
            QHeaderView.ResizeMode.Stretch if col == stretch else QHeaderView.ResizeMode.Interactive
        )
        header.setSectionResizeMode(col, mode)
    table.setProperty("stretch_column", stretch)
    _ColumnFitter(table, stretch)
    table.currentItemChanged.connect(on_current)
    return table


def fit_columns(table: QTreeWidget) -> None:
    """Size each non-stretching column to its contents (at most ``MAX_FIT``), then, if
    the table is too narrow for them and the stretching column (``MAIN_MIN``, or its
    header if wider), narrow the widest of them towards their headers' width."""
    stretch = table.property("stretch_column")
    if stretch is None:  # not made by record_table: its columns are its owner's
        return
    header = table.header()
    cols = [c for c in range(table.columnCount()) if c != stretch]
    floor = {c: header.sectionSizeHint(c) for c in cols}
    want = {c: max(floor[c], min(table.sizeHintForColumn(c), MAX_FIT)) for c in cols}
    # the main column keeps room for a useful part of its text, not just its header
    main = max(header.sectionSizeHint(stretch), min(table.sizeHintForColumn(stretch), MAIN_MIN))
    over = sum(want.values()) + main - table.viewport().width()
    for c in sorted(cols, key=lambda c: floor[c] - want[c]):  # the most room to give first
        if over <= 0:
            break
        cut = min(over, want[c] - floor[c])
        want[c] -= cut
        over -= cut
    for c in cols:
        if header.sectionSize(c) != want[c]:
            header.resizeSection(c, want[c])


def beside_details(
    table: QTreeWidget, details: QWidget, name: str, sizes: tuple[int, int]
) -> QSplitter:
    """The table on the left and the record's form, scrolling (named ``name``), on the
    right, in a splitter the user can drag; ``sizes`` are the starting widths, kept in
    proportion as the window changes. Neither side can be dragged shut, and the form
    keeps at least ``DETAILS_MIN_WIDTH``."""
    scroll = QScrollArea()
    scroll.setAccessibleName(name)
    scroll.setWidgetResizable(True)
    scroll.setWidget(details)
    scroll.setMinimumWidth(DETAILS_MIN_WIDTH)
    splitter = QSplitter()
    splitter.setAccessibleName(f"{table.accessibleName()} and {name.lower()}")
    splitter.setChildrenCollapsible(False)
    splitter.addWidget(table)
    splitter.addWidget(scroll)
    # stretch in proportion to the starting sizes, so a smaller window shrinks both sides
    splitter.setStretchFactor(0, max(1, sizes[0] // 10))
    splitter.setStretchFactor(1, max(1, sizes[1] // 10))
    splitter.setSizes(list(sizes))
    return splitter


def _set_tooltips(item: QTreeWidgetItem) -> None:
    for col in range(item.columnCount()):
        item.setToolTip(col, item.text(col))


def fill_table(table: QTreeWidget, records: Iterable[R], fill_row: FillRow[R]) -> None:
    """Draw every row again; the table's signals stay quiet (the caller selects after)."""
    with QSignalBlocker(table):
        table.clear()
        for record in records:
            item = QTreeWidgetItem(table)
            item.setData(0, RECORD_ID, record.id)
            fill_row(item, record)
            _set_tooltips(item)
    fit_columns(table)


def select_row(table: QTreeWidget, record_id: str) -> bool:
    """Make ``record_id``'s row current (``currentItemChanged`` fires); False if absent."""
    for i in range(table.topLevelItemCount()):
        item = table.topLevelItem(i)
        if item is not None and item.data(0, RECORD_ID) == record_id:
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
        _set_tooltips(item)
        fit_columns(table)
