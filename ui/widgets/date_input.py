"""The one date input of the app: empty until set, typed the way people write dates.

``DateEdit(label, parent=None, kind=DateKind.ANY)``: a text field and a calendar
button. The field reads ``14/03/1986``, ``14 Mar 1986``, ``14 March 1986``,
``14031986``, ISO and the rest (``homestudy.validation.parse_date_text``) when the
user presses Enter or leaves it, shows the date as ``14 Mar 1986``, and emits
``date_changed(date | None)`` only for a real change. A date that is not one, or
that the rule for its kind refuses (a birth after today, a visit done in the
future: ``homestudy.validation.date_problem``), is kept as typed with the reason
beside it and is never emitted, so nothing wrong is saved. Deleting the text
clears the date. ↑/↓ move a set date by a day and do nothing on an empty field.

The calendar (Alt+↓, F4 or the button) opens on the date, else on a sensible one
for the kind: a date of birth about 35 years back, anything else this month.
There is no hidden "1900" or silent "today": an empty field stays empty.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from PySide6.QtCore import QDate, QEvent, QObject, QPoint, QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCalendarWidget,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from homestudy.textutil import format_date
from homestudy.validation import EARLIEST, LATEST, DateKind, date_problem, parse_date_text
from ui.widgets.colours import warning_style

PLACEHOLDER = "Not set (e.g. 14/03/1986)"
BIRTH_YEARS_BACK = 35


def _qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


#: Record fields whose dates have happened (or are births): the kind of their input.
FIELD_KINDS = {
    "date_of_birth": DateKind.BIRTH,
    "done_date": DateKind.DONE,
    "completed_on": DateKind.DONE,
    "requested_on": DateKind.DONE,
    "considered_on": DateKind.DONE,
    "written_received_on": DateKind.DONE,
    "training_completed_on": DateKind.DONE,
}


def date_kind_for(attr: str) -> DateKind:
    """The kind of date a record field holds (``DateKind.ANY`` when unknown)."""
    return FIELD_KINDS.get(attr, DateKind.ANY)


def calendar_start(kind: DateKind, value: date | None, default: date | None, today: date) -> date:
    """Where the calendar opens: the date itself, the owner's suggestion, else by kind."""
    if value is not None:
        return value
    if default is not None:
        return default
    if kind is DateKind.BIRTH:
        try:
            return today.replace(year=today.year - BIRTH_YEARS_BACK)
        except ValueError:  # 29 February
            return today.replace(year=today.year - BIRTH_YEARS_BACK, day=28)
    return today


class _CalendarPopup(QFrame):
    """A calendar in a popup window; ``chosen(date)`` when a day is picked."""

    chosen = Signal(object)

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.calendar = QCalendarWidget(self)
        self.calendar.setGridVisible(True)
        self.calendar.setFirstDayOfWeek(Qt.DayOfWeek.Monday)
        self.calendar.setVerticalHeaderFormat(QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)
        self.calendar.activated.connect(self._pick)  # Enter or a double click
        # not ``clicked``: Qt sends it for arrow keys too, and arrows only move about
        self.view = self.calendar.findChild(QTableView)
        if self.view is not None:
            self.view.viewport().installEventFilter(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.calendar)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.MouseButtonRelease
            and self.view is not None
            and watched is self.view.viewport()
        ):
            index = self.view.indexAt(event.position().toPoint())  # type: ignore[attr-defined]
            if index.isValid() and index.flags() & Qt.ItemFlag.ItemIsEnabled:
                QTimer.singleShot(0, lambda: self._pick(self.calendar.selectedDate()))
        return super().eventFilter(watched, event)

    def _pick(self, day: QDate) -> None:
        if not self.isVisible():
            return
        self.hide()
        self.chosen.emit(day.toPython())


class DateEdit(QWidget):
    #: the new value after a real change: a ``datetime.date`` or ``None``
    date_changed = Signal(object)

    def __init__(
        self,
        label: str,
        parent: QWidget | None = None,
        *,
        kind: DateKind | str = DateKind.ANY,
        today: Callable[[], date] = date.today,
    ) -> None:
        super().__init__(parent)
        self.kind = DateKind(kind)
        self.label = label
        self._today = today
        self._value: date | None = None
        self._default: date | None = None
        self._problem = ""
        self.line = QLineEdit(self)
        self.line.setAccessibleName(label)
        self.line.setPlaceholderText(PLACEHOLDER)
        self.line.setMinimumWidth(self.fontMetrics().horizontalAdvance(PLACEHOLDER) + 16)
        self.line.setToolTip(
            "Type a date such as 14/03/1986 or 14 Mar 1986, or open the calendar with Alt+↓"
        )
        self.button = QToolButton(self)
        self.button.setArrowType(Qt.ArrowType.DownArrow)
        self.button.setAccessibleName(f"{label}: open the calendar")
        self.button.setToolTip("Open the calendar (Alt+↓)")
        self.button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Alt+↓ reaches it from the field
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setStyleSheet(warning_style(self.error))
        self.error.setVisible(False)
        self.popup: _CalendarPopup | None = None
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        row.addWidget(self.line)
        row.addWidget(self.button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.error)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.setFocusProxy(self.line)
        self.line.editingFinished.connect(self.commit)
        self.line.installEventFilter(self)
        self.button.clicked.connect(self.open_calendar)

    # ------------------------------------------------------------------ the old API
    # OptionalDateEdit's callers used .check (a label's buddy) and .edit (the input).

    @property
    def check(self) -> QLineEdit:
        return self.line

    @property
    def edit(self) -> QLineEdit:
        return self.line

    # ------------------------------------------------------------------ value

    def value(self) -> date | None:
        return self._value

    def message(self) -> str:
        """Why the text typed is not saved ("" when it is fine)."""
        return self._problem

    def set_value(self, value: date | None, default: date | None = None) -> None:
        """Show ``value`` without emitting; ``default`` is where an empty field's calendar
        opens (it is never filled in by itself)."""
        self._value, self._default = value, default
        with QSignalBlocker(self.line):
            self.line.setText(format_date(value))
        self._show_problem("")

    def set_default(self, default: date | None) -> None:
        self._default = default

    def set_read_only(self, read_only: bool) -> None:
        self.line.setReadOnly(read_only)
        self.button.setEnabled(not read_only)

    def set_text(self, text: str) -> None:
        """Type ``text`` and commit it, as a user pressing Enter would (tests, scripts)."""
        self.line.setText(text)
        self.commit()

    # ------------------------------------------------------------------ committing

    def commit(self) -> None:
        """Read the typed text; emit when it names a new, acceptable date (or none)."""
        if self.line.isReadOnly():
            return
        try:
            value = parse_date_text(self.line.text(), self._today())
        except ValueError as exc:
            self._show_problem(str(exc))
            return
        problem = date_problem(self.kind, value, self._today(), self._what())
        if problem:
            self._show_problem(problem)
            return
        self._show_problem("")
        with QSignalBlocker(self.line):
            self.line.setText(format_date(value))
        if value != self._value:
            self._value = value
            self.date_changed.emit(value)

    def _what(self) -> str:
        return "This date" if not self.label else f"“{self.label}”"

    def _show_problem(self, text: str) -> None:
        self._problem = text
        self.error.setText(text)
        self.error.setAccessibleName(text)
        self.error.setVisible(bool(text))
        self.line.setAccessibleDescription(text)

    def _choose(self, value: date) -> None:
        self.line.setText(format_date(value))
        self.commit()
        self.line.setFocus()

    # ------------------------------------------------------------------ keys, calendar

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.line and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            return self._key(event)
        return super().eventFilter(watched, event)

    def _key(self, event: QKeyEvent) -> bool:
        key, mods = event.key(), event.modifiers()
        if key == Qt.Key.Key_F4 or (
            key == Qt.Key.Key_Down and mods & Qt.KeyboardModifier.AltModifier
        ):
            self.open_calendar()
            return True
        if key in (Qt.Key.Key_Up, Qt.Key.Key_Down) and not mods & Qt.KeyboardModifier.AltModifier:
            self._step(1 if key == Qt.Key.Key_Up else -1)
            return True  # never the line edit's own handling (or a parent's scrolling)
        return False

    def _step(self, days: int) -> None:
        """Move a set date by a day; an empty or unreadable field is left alone."""
        if self.line.isReadOnly():
            return
        try:
            current = parse_date_text(self.line.text(), self._today())
        except ValueError:
            return
        if current is None:
            return
        moved = current + timedelta(days=days)
        if EARLIEST <= moved <= LATEST:
            self._choose(moved)

    def open_calendar(self) -> None:
        if self.line.isReadOnly():
            return
        if self.popup is None:
            self.popup = _CalendarPopup(self)
            self.popup.chosen.connect(self._choose)
        calendar = self.popup.calendar
        today = self._today()
        latest = today if self.kind in (DateKind.BIRTH, DateKind.DONE) else LATEST
        calendar.setDateRange(_qdate(EARLIEST), _qdate(latest))
        try:
            typed = parse_date_text(self.line.text(), today)
        except ValueError:
            typed = None
        start = calendar_start(self.kind, typed or self._value, self._default, today)
        calendar.setSelectedDate(_qdate(min(start, latest)))
        self.popup.adjustSize()
        self.popup.move(self.line.mapToGlobal(QPoint(0, self.line.height())))
        self.popup.show()
        calendar.setFocus()


#: The name the rest of the app has always used for an optional date.
OptionalDateEdit = DateEdit
