"""The generic form renderer: an editable form from any ``FormDefinition``.

``FormWidget(definition, answers, subject_id="")`` draws each group as a titled box
and each question as a label, its input, help on demand (the "?" button) and a
validation message beside it. Every input has an accessible name and the tab
order runs top to bottom. Tables have add and remove row buttons. Archived
answers (from questions a newer form version removed) are shown read-only at the
end. Groups with ``show_when`` appear only when their condition holds.

Each change emits ``answer_changed(ChecklistAnswer)``: clicks and picks at once,
typing after a short pause per field (``flush()`` sends anything pending; the
widget also flushes when hidden). The widget never touches the vault: the owner
connects the signal to its save path. Pass answers already migrated to the
current form version (``homestudy.forms.migrate_answers``).
"""

from __future__ import annotations

import itertools
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from homestudy.forms import FormDefinition, Group, Question, QuestionType
from homestudy.forms.completeness import is_empty, list_match
from homestudy.model import ChecklistAnswer
from ui.widgets.colours import warning_style
from ui.widgets.form_inputs import INPUTS, Input, NumberInput, YesNoNaInput
from ui.widgets.form_table import TableInput

DEBOUNCE_MS = 400
REQUIRED_MESSAGE = "This needs an answer."
ACTION_MESSAGE = "Say what needs doing, and by when."


def describe_value(value: Any) -> str:
    """An answer as plain text, for read-only display of archived answers."""
    if value is None:
        return ""
    if isinstance(value, dict):
        if "answer" in value:
            parts = [str(value.get("answer", "")).replace("_", " ").capitalize()]
            parts += [str(value[k]) for k in ("comment", "action", "due") if value.get(k)]
            return " — ".join(p for p in parts if p)
        return "; ".join(f"{k}: {v}" for k, v in value.items() if v not in (None, ""))
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


def _help_button(text: str, name: str, label: QLabel, parent: QWidget) -> QToolButton:
    button = QToolButton(parent)
    button.setText("?")
    button.setCheckable(True)
    button.setToolTip("Show help")
    button.setAccessibleName(f"Help: {name}")
    label.setText(text)
    label.setWordWrap(True)
    label.setVisible(False)
    button.toggled.connect(label.setVisible)
    return button


class FieldRow(QWidget):
    """One question: label, optional help, the input, and its validation message."""

    def __init__(self, question: Question, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.question = question
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 4)
        head = QHBoxLayout()
        text = question.label + (" (required)" if question.required else "")
        self.label = QLabel(text, self)
        self.label.setWordWrap(True)
        head.addWidget(self.label, 1)
        self.help_label = QLabel(self)
        self.help_button: QToolButton | None = None
        if question.help:
            self.help_button = _help_button(question.help, question.label, self.help_label, self)
            head.addWidget(self.help_button)
        layout.addLayout(head)
        layout.addWidget(self.help_label)
        self.help_label.setVisible(False)
        self.input: Input | TableInput
        if question.type is QuestionType.TABLE:
            self.input = TableInput(question, self)
        else:
            self.input = INPUTS[question.type](question, question.label, self)
        layout.addWidget(self.input)
        first = self.input.focus_widgets()
        if first:
            self.label.setBuddy(first[0])
        self.error = QLabel(self)
        self.error.setObjectName(f"{question.id}.error")
        self.error.setStyleSheet(warning_style(self.error))
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        layout.addWidget(self.error)

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))
        self.error.setAccessibleName(message)

    def focus_widgets(self) -> list[QWidget]:
        out: list[QWidget] = [self.help_button] if self.help_button else []
        return [*out, *self.input.focus_widgets()]


class FormWidget(QWidget):
    answer_changed = Signal(object)  # a homestudy.model.ChecklistAnswer

    def __init__(
        self,
        definition: FormDefinition,
        answers: list[ChecklistAnswer] | None = None,
        subject_id: str = "",
        parent: QWidget | None = None,
        debounce_ms: int = DEBOUNCE_MS,
    ) -> None:
        super().__init__(parent)
        self.definition = definition
        self.subject_id = subject_id
        self._debounce_ms = debounce_ms
        self._values: dict[tuple[str, int], Any] = {}
        self._archived: list[ChecklistAnswer] = []
        for a in answers or []:
            if a.form_id != definition.id or a.subject_id != subject_id:
                continue
            if a.archived or not definition.has_question(a.question_id):
                self._archived.append(a)
            else:
                self._values[(a.question_id, a.row)] = a.value
        self.rows: dict[str, FieldRow] = {}
        self.group_boxes: dict[str, QGroupBox] = {}
        self._timers: dict[tuple[str, int], QTimer] = {}
        self._controllers = {g.show_when.question_id for g in definition.groups if g.show_when}
        layout = QVBoxLayout(self)
        for group in definition.groups:
            layout.addWidget(self._build_group(group))
        if self._archived:
            layout.addWidget(self._build_archived())
        layout.addStretch(1)
        self._apply_visibility()
        self._set_tab_order()
        for qid, row in self.rows.items():
            self._validate(qid, row, touched=False)

    # ------------------------------------------------------------------ building

    def _build_group(self, group: Group) -> QGroupBox:
        box = QGroupBox(group.title, self)
        box.setObjectName(f"group.{group.id}")
        box.setAccessibleName(group.title)
        layout = QVBoxLayout(box)
        if group.help:  # a line or two that says what the part is for: always in view
            about = QLabel(group.help, box)
            about.setObjectName(f"about.{group.id}")
            about.setWordWrap(True)
            about.setTextFormat(Qt.TextFormat.PlainText)
            layout.addWidget(about)
        for q in group.questions:
            row = FieldRow(q, box)
            self.rows[q.id] = row
            self._load(row)
            if isinstance(row.input, TableInput):
                row.input.row_edited.connect(lambda r, typing, q=q: self._row_edited(q, r, typing))
                row.input.row_removed.connect(lambda r, n, q=q: self._row_removed(q, r, n))
                row.input.rows_changed.connect(self._set_tab_order)
            else:
                row.input.edited.connect(lambda typing, q=q: self._edited(q, typing))
                row.input.parts_changed.connect(self._set_tab_order)
            layout.addWidget(row)
        self.group_boxes[group.id] = box
        return box

    def _load(self, row: FieldRow) -> None:
        q = row.question
        if isinstance(row.input, TableInput):
            rows = sorted(
                (r, v)
                for (qid, r), v in self._values.items()
                if qid == q.id and isinstance(v, dict)
            )
            row.input.set_rows([v for _r, v in rows])
            # rows are re-numbered 0..n-1 on screen; keep the stored values in step
            for k in [k for k in self._values if k[0] == q.id]:
                del self._values[k]
            self._values.update({(q.id, i): v for i, (_r, v) in enumerate(rows)})
        else:
            row.input.set_value(self._values.get((q.id, 0)))

    def _build_archived(self) -> QGroupBox:
        box = QGroupBox("Answers to questions no longer on this form", self)
        box.setObjectName("group.archived")
        layout = QVBoxLayout(box)
        note = QLabel("Kept from an earlier version of the form. They cannot be changed.", box)
        note.setWordWrap(True)
        layout.addWidget(note)
        for a in self._archived:
            label = self.definition.removed_label(a.question_id)
            if a.row:
                label += f" (row {a.row + 1})"
            layout.addWidget(QLabel(label, box))
            text = QPlainTextEdit(describe_value(a.value), box)
            text.setObjectName(f"archived.{a.question_id}[{a.row}]")
            text.setReadOnly(True)
            text.setTabChangesFocus(True)
            text.setFixedHeight(60)
            text.setAccessibleName(f"{label} (archived, read-only)")
            layout.addWidget(text)
        return box

    def _set_tab_order(self) -> None:
        chain = [w for row in self.rows.values() for w in row.focus_widgets()]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    # ------------------------------------------------------------------ answers

    def _edited(self, q: Question, typing: bool) -> None:
        self._changed(q, 0, typing)

    def _row_edited(self, q: Question, row: int, typing: bool) -> None:
        self._changed(q, row, typing)

    def _changed(self, q: Question, row: int, typing: bool) -> None:
        self._validate(q.id, self.rows[q.id], touched=True)
        if typing and self._debounce_ms > 0:
            timer = self._timers.get((q.id, row))
            if timer is None:
                timer = QTimer(self)
                timer.setSingleShot(True)
                timer.setInterval(self._debounce_ms)
                timer.timeout.connect(lambda q=q, row=row: self._emit(q, row))
                self._timers[(q.id, row)] = timer
            timer.start()
        else:
            self._emit(q, row)

    def _current(self, q: Question, row: int) -> Any:
        field_row = self.rows[q.id]
        if isinstance(field_row.input, TableInput):
            values = field_row.input.values()
            return values[row] if row < len(values) else None
        return field_row.input.value()

    def _emit(self, q: Question, row: int) -> None:
        timer = self._timers.get((q.id, row))
        if timer is not None:
            timer.stop()
        field_input = self.rows[q.id].input
        if isinstance(field_input, NumberInput) and field_input.parsed()[1]:
            return  # a bad number is shown beside the field, not saved
        value = self._current(q, row)
        if value == self._values.get((q.id, row)) and (q.id, row) in self._values:
            return
        self._send(q.id, row, value)
        if q.id in self._controllers:
            self._apply_visibility()

    def _send(self, qid: str, row: int, value: Any) -> None:
        self._values[(qid, row)] = value
        self.answer_changed.emit(
            ChecklistAnswer(
                form_id=self.definition.id,
                form_version=self.definition.version,
                question_id=qid,
                value=value,
                subject_id=self.subject_id,
                row=row,
            )
        )

    def _row_removed(self, q: Question, index: int, count: int) -> None:
        for r in list(self._timers):
            if r[0] == q.id:
                self._timers.pop(r).stop()
        values = self.rows[q.id].input.values()  # type: ignore[union-attr]
        for i in range(index, count - 1):
            self._send(q.id, i, values[i])
        self._send(q.id, count - 1, None)
        self._validate(q.id, self.rows[q.id], touched=True)

    def flush(self) -> None:
        """Send every answer still waiting for its typing pause."""
        for (qid, row), timer in list(self._timers.items()):
            if timer.isActive():
                self._emit(self.definition.question(qid), row)

    def hideEvent(self, event: QHideEvent) -> None:
        self.flush()
        super().hideEvent(event)

    # ------------------------------------------------------------------ checks

    def _apply_visibility(self) -> None:
        for group in self.definition.groups:
            cond = group.show_when
            if cond is not None:
                shown = cond.holds(self._values.get((cond.question_id, 0)))
                self.group_boxes[group.id].setVisible(shown)

    def validation_message(self, question_id: str) -> str:
        return (
            self.rows[question_id].error.text() if self.rows[question_id].error.isVisible() else ""
        )

    def _validate(self, qid: str, row: FieldRow, touched: bool) -> None:
        q = row.question
        message = ""
        if isinstance(row.input, NumberInput):
            message = row.input.parsed()[1]
        if isinstance(row.input, TableInput):
            value: Any = [v for v in row.input.values() if not is_empty(q, v)] or None
        else:
            value = row.input.value()
        if (
            not message
            and touched
            and q.required
            and (value is None or (not isinstance(value, list) and is_empty(q, value)))
        ):
            message = REQUIRED_MESSAGE
        if (
            not message
            and isinstance(row.input, YesNoNaInput)
            and row.input.needs_action()
            and not row.input.action_text().strip()
            and not row.input.action_done()
        ):
            message = ACTION_MESSAGE
        if not message and q.not_in_list and isinstance(value, str):
            hit = list_match(value, self.definition.lists.get(q.not_in_list, ()))
            if hit:
                message = q.list_message or f"'{hit}' is on the list of {q.not_in_list}."
        row.show_error(message)

    # ------------------------------------------------------------------ for owners

    def answers(self) -> list[ChecklistAnswer]:
        """The current answers (not archived), as the form holds them."""
        return [
            ChecklistAnswer(
                self.definition.id,
                self.definition.version,
                qid,
                v,
                subject_id=self.subject_id,
                row=r,
            )
            for (qid, r), v in self._values.items()
        ]

    def set_read_only(self, read_only: bool) -> None:
        for row in self.rows.values():
            row.input.set_read_only(read_only)

    def reveal(self, question_id: str) -> bool:
        """Scroll to, focus and highlight a question (a readiness finding points here)."""
        row = self.rows.get(question_id)
        if row is None:
            return False
        for group in self.definition.groups:  # a hidden group is shown for its question
            if any(q.id == question_id for q in group.questions):
                self.group_boxes[group.id].setVisible(True)
        widgets = row.input.focus_widgets()
        target = widgets[0] if widgets else row
        self._highlight(row)
        parent = self.parentWidget()
        while parent is not None and not isinstance(parent, QScrollArea):
            parent = parent.parentWidget()
        if isinstance(parent, QScrollArea):
            layout = self.layout()
            if layout is not None:
                layout.activate()  # row positions are right before scrolling to one
            parent.ensureWidgetVisible(row, 20, 40)
        target.setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    def _highlight(self, row: FieldRow) -> None:
        """A bar and a tint on the revealed question until another is revealed."""
        for other in self.rows.values():
            if other.property("revealed"):
                other.setProperty("revealed", False)
                other.setStyleSheet("")
        row.setProperty("revealed", True)
        row.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        row.setObjectName(row.objectName() or f"row.{row.question.id}")
        row.setStyleSheet(
            f"#{row.objectName()} {{ background: palette(alternate-base);"
            " border-left: 4px solid palette(highlight); }"
        )
