"""A date that may be left unset: a tick box ("Set") beside a calendar date edit.

QDateEdit has no empty state, and most dates in a home study are not known yet
(the interview date, the day a visit was done), so this pairs it with a tick box.
Dates show as ``22 Nov 2026``.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, QSignalBlocker, Signal
from PySide6.QtWidgets import QCheckBox, QDateEdit, QHBoxLayout, QSizePolicy, QWidget

DISPLAY_FORMAT = "d MMM yyyy"


class OptionalDateEdit(QWidget):
    #: the new value: a ``datetime.date`` or ``None``
    date_changed = Signal(object)

    def __init__(self, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.check = QCheckBox("Set", self)
        self.check.setAccessibleName(f"{label}: set")
        self.edit = QDateEdit(self)
        self.edit.setCalendarPopup(True)
        self.edit.setDisplayFormat(DISPLAY_FORMAT)
        self.edit.setAccessibleName(label)
        self.edit.setDate(QDate.currentDate())
        self.edit.setEnabled(False)
        self.edit.setMinimumWidth(150)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.check)
        layout.addWidget(self.edit)
        layout.addStretch(1)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.setFocusProxy(self.check)
        self.check.toggled.connect(self._toggled)
        self.edit.dateChanged.connect(self._emit)

    def value(self) -> date | None:
        if not self.check.isChecked():
            return None
        return self.edit.date().toPython()

    def set_value(self, value: date | None, default: date | None = None) -> None:
        """Show ``value`` without emitting; ``default`` is offered when it is unset."""
        with QSignalBlocker(self.check), QSignalBlocker(self.edit):
            self.check.setChecked(value is not None)
            shown = value or default or date.today()
            self.edit.setDate(QDate(shown.year, shown.month, shown.day))
            self.edit.setEnabled(value is not None)

    def _toggled(self, on: bool) -> None:
        self.edit.setEnabled(on)
        self._emit()

    def _emit(self, *_: object) -> None:
        self.date_changed.emit(self.value())
