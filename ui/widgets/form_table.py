"""A repeatable table question: one line of inputs per row, with add and remove buttons.

Each row is one answer (``row`` = 0, 1, ...; value ``{column_id: value}``). Removing
a row moves the later rows up; the form then re-saves them and clears the last.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from homestudy.forms import Choice, Question, QuestionType
from ui.widgets.form_inputs import INPUTS, YNA_LABELS, Input

_YNA_CHOICES = tuple(Choice(v, label) for v, label in YNA_LABELS)


def _cell(column: Question, name: str, parent: QWidget) -> Input:
    if column.type is QuestionType.YES_NO_NA:  # in a table: just the answer, no action
        column = replace(column, type=QuestionType.CHOICE, choices=_YNA_CHOICES)
    return INPUTS[column.type](column, name, parent)


class TableInput(QWidget):
    row_edited = Signal(int, bool)  # row, typing
    row_removed = Signal(int, int)  # removed row, row count before
    rows_changed = Signal()  # rows were added or removed (the tab order needs redoing)

    def __init__(self, question: Question, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.question = question
        self.rows: list[tuple[list[Input], QPushButton]] = []
        self._read_only = False
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.grid_host = QWidget(self)
        self.grid = QGridLayout(self.grid_host)
        self.grid.setContentsMargins(0, 0, 0, 0)
        for c, col in enumerate(question.columns):
            self.grid.addWidget(QLabel(f"<b>{col.label}</b>", self.grid_host), 0, c)
        outer.addWidget(self.grid_host)
        self.empty = QLabel("No rows yet.", self)
        outer.addWidget(self.empty)
        self.add_button = QPushButton("Add row", self)
        self.add_button.setObjectName(f"{question.id}.add")
        self.add_button.setAccessibleName(f"Add a row to {question.label}")
        self.add_button.clicked.connect(self._add_clicked)
        outer.addWidget(self.add_button)

    # ------------------------------------------------------------------ rows

    def values(self) -> list[dict[str, Any]]:
        return [
            {col.id: cell.value() for col, cell in zip(self.question.columns, cells, strict=True)}
            for cells, _button in self.rows
        ]

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        while self.rows:
            self._drop_last_widgets()
        for value in rows:
            self._append(value)
        self.empty.setVisible(not self.rows)

    def add_row(self) -> int:
        self._append({})
        self.empty.setVisible(False)
        self.rows_changed.emit()
        return len(self.rows) - 1

    def remove_row(self, index: int) -> None:
        values = self.values()
        count = len(values)
        del values[index]
        self.set_rows(values)
        self.row_removed.emit(index, count)
        self.rows_changed.emit()
        if self.rows:
            self.rows[min(index, len(self.rows) - 1)][1].setFocus()
        else:
            self.add_button.setFocus()

    def _add_clicked(self) -> None:
        row = self.add_row()
        self.rows[row][0][0].focus_widgets()[0].setFocus()

    def _append(self, value: dict[str, Any]) -> None:
        r = len(self.rows)
        q = self.question
        cells: list[Input] = []
        for c, col in enumerate(q.columns):
            cell = _cell(col, f"{q.label}, row {r + 1}, {col.label}", self.grid_host)
            for w in cell.focus_widgets():
                w.setObjectName(f"{q.id}[{r}].{w.objectName()}")
            cell.set_value(value.get(col.id))
            cell.set_read_only(self._read_only)
            cell.edited.connect(lambda typing, cell=cell: self._cell_edited(cell, typing))
            self.grid.addWidget(cell, r + 1, c)
            cells.append(cell)
        button = QPushButton("Remove", self.grid_host)
        button.setObjectName(f"{q.id}[{r}].remove")
        button.setAccessibleName(f"Remove row {r + 1} of {q.label}")
        button.setEnabled(not self._read_only)
        button.clicked.connect(lambda _c=False, button=button: self._remove_clicked(button))
        self.grid.addWidget(button, r + 1, len(q.columns))
        self.rows.append((cells, button))

    def _drop_last_widgets(self) -> None:
        cells, button = self.rows.pop()
        for w in (*cells, button):
            self.grid.removeWidget(w)
            w.hide()
            w.setParent(None)  # gone from findChild at once, not at the next event loop
            w.deleteLater()

    def _cell_edited(self, cell: Input, typing: bool) -> None:
        for r, (cells, _button) in enumerate(self.rows):
            if cell in cells:
                self.row_edited.emit(r, typing)
                return

    def _remove_clicked(self, button: QPushButton) -> None:
        for r, (_cells, b) in enumerate(self.rows):
            if b is button:
                self.remove_row(r)
                return

    # ------------------------------------------------------------------ as an input

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        self.add_button.setEnabled(not read_only)
        for cells, button in self.rows:
            button.setEnabled(not read_only)
            for cell in cells:
                cell.set_read_only(read_only)

    def focus_widgets(self) -> list[QWidget]:
        out: list[QWidget] = []
        for cells, button in self.rows:
            for cell in cells:
                out.extend(cell.focus_widgets())
            out.append(button)
        out.append(self.add_button)
        return out
