"""Small shared pieces of the editor views: a named button, a list of tick boxes, a
combo box of an enum's values."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import QComboBox, QListWidget, QListWidgetItem, QPushButton

from homestudy.model import VisitMode

MODE_LABELS = {VisitMode.IN_PERSON: "In person", VisitMode.VIRTUAL: "Virtual"}
_ID = Qt.ItemDataRole.UserRole


def button(text: str, name: str, handler: Any) -> QPushButton:
    made = QPushButton(text)
    made.setAccessibleName(name)
    made.clicked.connect(handler)
    return made


def enum_combo(name: str, labels: dict[Any, str]) -> QComboBox:
    """A combo box named ``name`` offering ``labels``; each entry's data is the enum's value."""
    combo = QComboBox()
    combo.setAccessibleName(name)
    for value, label in labels.items():
        combo.addItem(label, value.value)
    return combo


def checked_ids(widget: QListWidget) -> list[str]:
    return [
        str(widget.item(i).data(_ID))
        for i in range(widget.count())
        if widget.item(i).checkState() == Qt.CheckState.Checked
    ]


def fill_checklist(widget: QListWidget, options: list[tuple[str, str]], chosen: list[str]) -> None:
    """Checkable rows ``(id, label)``; ids chosen but not offered are kept, shown by id."""
    with QSignalBlocker(widget):
        widget.clear()
        offered = {i for i, _ in options}
        for item_id, label in options + [(c, c) for c in chosen if c not in offered]:
            item = QListWidgetItem(label, widget)
            item.setData(_ID, item_id)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            state = Qt.CheckState.Checked if item_id in chosen else Qt.CheckState.Unchecked
            item.setCheckState(state)
    # As tall as its rows (up to ten), so the form does not fill with empty list space.
    rows = max(1, min(widget.count(), 10))
    widget.setFixedHeight(rows * max(widget.sizeHintForRow(0), 18) + 2 * widget.frameWidth() + 4)
