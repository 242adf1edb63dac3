"""A list of small records beside a form that edits the selected one.

Used by the Case details tab for the applicants, the household, significant others,
statutory checks and lines of enquiry. The records are the case's own list, edited
in place; every edit emits ``changed`` so the view can schedule one save. Fields are
declared as data (``Field``), so each list is a few lines in the view.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.widgets.checklist import checked_ids, fill_checklist
from ui.widgets.confirm import confirm
from ui.widgets.date_input import date_kind_for
from ui.widgets.markdown_editor import MarkdownEditor
from ui.widgets.optional_date import OptionalDateEdit
from ui.widgets.record_table import (
    beside_details,
    fill_table,
    record_at,
    record_table,
    redraw_current_row,
    select_row,
)

Options = Callable[[], list[tuple[str, str]]]  # (value, label), worked out when shown


@dataclass(frozen=True)
class Field:
    """One field of a record. ``kind``: text | words (a comma-separated list of str) |
    notes (multi-line, spell-checked) | date | choice | editable (free text with
    suggestions) | bool | multi (tick boxes). ``convert`` turns a choice's stored
    value back into the record's type (an enum); ``options`` lists the choices."""

    attr: str
    label: str  # with its mnemonic
    name: str  # accessible name
    kind: str = "text"
    options: Options | None = None
    convert: Callable[[str], Any] = str
    placeholder: str = ""
    #: the option a stored value shows as (the other way from ``convert``), e.g.
    #: True/False/None as "yes"/"no"/""; by default an enum's value or the value
    to_option: Callable[[Any], str] | None = None


class RecordList(QWidget):
    #: a record was added, removed or edited (the view saves)
    changed = Signal()
    #: (record, attr) after one field of a record was edited
    edited = Signal(object, str)

    def __init__(
        self,
        noun: str,
        columns: list[tuple[str, Callable[[Any], str]]],
        fields: list[Field],
        factory: Callable[[], Any],
        spelling: Any = None,
        *,
        add_text: str = "",
        remove_text: str = "",
        can_remove: Callable[[Any], bool] = lambda _r: True,
        always_confirm: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.noun, self.columns, self.fields, self.factory = noun, columns, fields, factory
        self.can_remove, self.always_confirm = can_remove, always_confirm
        self.records: list[Any] = []
        self.record: Any = None
        self.confirm_box: QWidget | None = None
        self.inputs: dict[str, QWidget] = {}
        self.setAccessibleName(noun[0].upper() + noun[1:] + "s")

        self.add_button = QPushButton(add_text or f"Add {noun}")
        self.add_button.setAccessibleName(f"Add {noun}")
        self.add_button.clicked.connect(self.add_record)
        self.remove_button = QPushButton(remove_text or f"Remove {noun}")
        self.remove_button.setAccessibleName(f"Remove {noun}")
        self.remove_button.clicked.connect(self.remove_current)
        self.table = record_table(
            self.accessibleName(), [c[0] for c in columns], self._current_changed
        )

        self.details = QWidget()
        form = QFormLayout(self.details)
        for f in fields:
            widget = self._make_input(f, spelling)
            self.inputs[f.attr] = widget
            if f.kind == "bool":
                form.addRow("", widget)
                continue
            label = QLabel(f.label)
            label.setBuddy(widget.check if isinstance(widget, OptionalDateEdit) else widget)
            form.addRow(label, widget)
        splitter = beside_details(self.table, self.details, f"Details of the {noun}", (440, 560))

        self.buttons = buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(splitter, 1)
        self._show(None)

    # ------------------------------------------------------------------ inputs

    def _make_input(self, f: Field, spelling: Any) -> QWidget:
        if f.kind == "notes":
            notes = MarkdownEditor(spelling, f.name)
            notes.setPlaceholderText(f.placeholder)
            notes.textChanged.connect(lambda: self._edit(f.attr, notes.toPlainText()))
            return notes
        if f.kind == "date":
            when = OptionalDateEdit(f.name, kind=date_kind_for(f.attr))
            when.date_changed.connect(lambda d: self._edit(f.attr, d))
            return when
        if f.kind in ("choice", "editable"):
            combo = QComboBox()
            combo.setAccessibleName(f.name)
            if f.kind == "editable":
                combo.setEditable(True)
                line = combo.lineEdit()  # there once editable
                assert line is not None
                line.setAccessibleName(f.name)
                line.setPlaceholderText(f.placeholder)
                combo.currentTextChanged.connect(lambda t: self._edit(f.attr, t))
            else:
                combo.activated.connect(
                    lambda _i: self._edit(f.attr, f.convert(combo.currentData()))
                )
            return combo
        if f.kind == "bool":
            check = QCheckBox(f.label)
            check.setAccessibleName(f.name)
            check.toggled.connect(lambda on: self._edit(f.attr, on))
            return check
        if f.kind == "multi":
            ticks = QListWidget()
            ticks.setAccessibleName(f.name)
            ticks.itemChanged.connect(lambda _i: self._edit(f.attr, checked_ids(ticks)))
            return ticks
        line = QLineEdit()
        line.setAccessibleName(f.name)
        line.setPlaceholderText(f.placeholder)
        if f.kind == "words":
            line.textEdited.connect(
                lambda t: self._edit(f.attr, [w.strip() for w in t.split(",") if w.strip()])
            )
        else:
            line.textEdited.connect(lambda t: self._edit(f.attr, t))
        return line

    def _fill(self, f: Field, widget: QWidget, value: Any) -> None:
        """Show ``value`` in ``widget`` without emitting an edit."""
        with QSignalBlocker(widget):
            if isinstance(widget, MarkdownEditor):
                if widget.toPlainText() != value:
                    widget.setPlainText(value)
            elif isinstance(widget, OptionalDateEdit):
                widget.set_value(value)
            elif isinstance(widget, QComboBox):
                options = f.options() if f.options else []
                widget.clear()
                for option, label in options:
                    widget.addItem(label, option)
                if f.kind == "editable":
                    widget.setEditText(value)
                else:
                    stored = (
                        f.to_option(value)
                        if f.to_option is not None
                        else getattr(value, "value", value)
                    )
                    index = widget.findData(stored)
                    if index < 0 and stored:  # a value no longer offered is kept, shown as is
                        widget.addItem(str(stored), stored)
                        index = widget.count() - 1
                    widget.setCurrentIndex(max(index, 0))
            elif isinstance(widget, QCheckBox):
                widget.setChecked(bool(value))
            elif isinstance(widget, QListWidget):
                fill_checklist(widget, f.options() if f.options else [], list(value))
            elif isinstance(widget, QLineEdit):
                widget.setText(", ".join(value) if f.kind == "words" else value)

    def add_extra_button(self, button: QPushButton) -> None:
        """Another way to add (e.g. a record of a particular kind), after the Add button."""
        self.buttons.insertWidget(1, button)

    # ------------------------------------------------------------------ records

    def set_records(self, records: list[Any], select_id: str = "") -> None:
        """Show ``records`` (the case's own list, edited in place)."""
        self.records = records
        self.record = None
        self._refresh(select_id)

    def add_record(self) -> None:
        self.append(self.factory())

    def append(self, record: Any) -> None:
        """Add ``record`` to the list, select it and put the cursor in its first field."""
        self.records.append(record)
        self._refresh(record.id)
        self.changed.emit()
        first = self.inputs[self.fields[0].attr]
        first.setFocus()
        if isinstance(first, QLineEdit):
            first.selectAll()

    def remove_current(self) -> None:
        record = self.record
        if record is None or record not in self.records or not self.can_remove(record):
            return
        written = any(
            f.kind == "notes" and str(getattr(record, f.attr)).strip() for f in self.fields
        )
        if written or self.always_confirm:  # words would be lost: ask first
            what = f"the {self.noun} and the notes" if written else f"this {self.noun}"
            self.confirm_box = confirm(
                self,
                f"Remove {self.noun}",
                f"Remove {what}? This cannot be undone.",
                f"Remove {self.noun}",
                lambda: self._remove(record),
            )
            return
        self._remove(record)

    def _remove(self, record: Any) -> None:
        if record not in self.records:
            return
        self.records.remove(record)
        self.record = None
        self._refresh("")
        self.changed.emit()

    def select(self, record_id: str) -> bool:
        return select_row(self.table, record_id)

    def focus_field(self, attr: str) -> None:
        widget = self.inputs.get(attr)
        if widget is not None:
            widget.setFocus()

    def redraw(self) -> None:
        """Show the current record again (after the view changed it)."""
        self._show(self.record)
        if self.record is not None:
            redraw_current_row(self.table, self.record, self._fill_row)

    def _refresh(self, select_id: str) -> None:
        fill_table(self.table, self.records, self._fill_row)
        target = select_id or (self.records[0].id if self.records else "")
        self.record = None
        if not (target and self.select(target)):
            self._show(None)

    def _fill_row(self, item: QTreeWidgetItem, record: Any) -> None:
        for col, (_header, text) in enumerate(self.columns):
            item.setText(col, text(record))

    def _current_changed(self, current: QTreeWidgetItem | None, _previous: object) -> None:
        self._show(record_at(current, self.records))

    def _show(self, record: Any) -> None:
        self.record = record
        self.details.setEnabled(record is not None)
        self.remove_button.setEnabled(record is not None and self.can_remove(record))
        if record is None:
            return
        for f in self.fields:
            self._fill(f, self.inputs[f.attr], getattr(record, f.attr))

    def _edit(self, attr: str, value: Any) -> None:
        record = self.record
        if record is None or getattr(record, attr) == value:
            return
        setattr(record, attr, value)
        redraw_current_row(self.table, record, self._fill_row)
        self.edited.emit(record, attr)
        self.changed.emit()
