"""One input widget per question type, all with the same small interface.

Each input has ``value()`` / ``set_value(v)`` (the JSON-able value shapes of
``homestudy.forms``), ``set_read_only(bool)``, ``focus_widgets()`` (its focusable
parts, top to bottom, for the tab order) and the signal ``edited(bool typing)``:
``typing`` is True for keystrokes (the form debounces those) and False for a
click or a pick (saved at once). ``set_value`` never emits.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from homestudy.forms import Question, QuestionType
from homestudy.validation import DateKind
from ui.widgets.date_input import DateEdit
from ui.widgets.markdown_editor import MarkdownEditor

YNA_LABELS = (("yes", "Yes"), ("no", "No"), ("not_applicable", "Not applicable"))


class DateInput(DateEdit):
    """The app's date input holding an ISO string, as form answers store dates."""

    def iso(self) -> str:
        value = self.value()
        return value.isoformat() if value else ""

    def set_iso(self, text: Any) -> None:
        try:
            value = date.fromisoformat(str(text)) if text else None
        except ValueError:  # a stored value that is not a date shows as empty
            value = None
        self.set_value(value)


class Input(QWidget):
    edited = Signal(bool)
    parts_changed = Signal()  # focusable parts were added (redo the tab order)

    def __init__(self, question: Question, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.question = question
        self.name = name  # the accessible name of the main part

    def value(self) -> Any:
        raise NotImplementedError

    def set_value(self, value: Any) -> None:
        raise NotImplementedError

    def set_read_only(self, read_only: bool) -> None:
        for w in self.focus_widgets():
            if isinstance(w, QLineEdit | QPlainTextEdit | QTextEdit):
                w.setReadOnly(read_only)
            else:
                w.setEnabled(not read_only)

    def focus_widgets(self) -> list[QWidget]:
        raise NotImplementedError


def _box(widget: QWidget, vertical: bool = False) -> QHBoxLayout | QVBoxLayout:
    layout: QHBoxLayout | QVBoxLayout = QVBoxLayout(widget) if vertical else QHBoxLayout(widget)
    layout.setContentsMargins(0, 0, 0, 0)
    return layout


class TextInput(Input):
    def __init__(self, question: Question, name: str, parent: QWidget | None = None) -> None:
        super().__init__(question, name, parent)
        self.edit = QLineEdit(self)
        self.edit.setObjectName(question.id)
        self.edit.setAccessibleName(name)
        _box(self).addWidget(self.edit)
        self.setFocusProxy(self.edit)
        self.edit.textEdited.connect(lambda _t: self.edited.emit(True))

    def value(self) -> Any:
        return self.edit.text()

    def set_value(self, value: Any) -> None:
        self.edit.setText("" if value is None else str(value))

    def focus_widgets(self) -> list[QWidget]:
        return [self.edit]


class NumberInput(TextInput):
    """A number typed as text, so it can be empty; a bad entry is shown, not saved."""

    def __init__(self, question: Question, name: str, parent: QWidget | None = None) -> None:
        super().__init__(question, name, parent)
        self.edit.setMaximumWidth(140)

    def parsed(self) -> tuple[int | float | None, str]:
        """(value, problem): the number typed, or why it is not one."""
        text = self.edit.text().strip().replace(",", "")
        if not text:
            return None, ""
        try:
            number: int | float = int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                return None, "Enter a number, like 3 or 2.5."
        q = self.question
        if q.min_value is not None and number < q.min_value:
            return None, f"Enter a number of at least {q.min_value:g}."
        if q.max_value is not None and number > q.max_value:
            return None, f"Enter a number no more than {q.max_value:g}."
        return number, ""

    def value(self) -> Any:
        return self.parsed()[0]

    def set_value(self, value: Any) -> None:
        self.edit.setText(
            "" if value is None else f"{value:g}" if isinstance(value, float) else str(value)
        )


class NarrativeInput(Input):
    """Prose with bold, italic and lists (``MarkdownEditor``); the value is the Markdown.
    The form's owner may switch spell check on (``edit.set_spelling``)."""

    def __init__(self, question: Question, name: str, parent: QWidget | None = None) -> None:
        super().__init__(question, name, parent)
        self.edit = MarkdownEditor(None, name, self)
        self.edit.setObjectName(question.id)
        self.edit.setFixedHeight(110)
        _box(self).addWidget(self.edit)
        self.setFocusProxy(self.edit)
        self.edit.textChanged.connect(lambda: self.edited.emit(True))

    def value(self) -> Any:
        return self.edit.markdown()

    def set_value(self, value: Any) -> None:
        with QSignalBlocker(self.edit):
            self.edit.set_markdown("" if value is None else str(value))

    def focus_widgets(self) -> list[QWidget]:
        return [self.edit]


class ChoiceInput(Input):
    def __init__(self, question: Question, name: str, parent: QWidget | None = None) -> None:
        super().__init__(question, name, parent)
        self.combo = QComboBox(self)
        self.combo.setObjectName(question.id)
        self.combo.setAccessibleName(name)
        self.combo.addItem("Not answered", "")
        for c in question.choices:
            self.combo.addItem(c.label, c.id)
        box = _box(self)
        box.addWidget(self.combo)
        box.addStretch(1)
        self.setFocusProxy(self.combo)
        self.combo.currentIndexChanged.connect(lambda _i: self.edited.emit(False))

    def value(self) -> Any:
        return self.combo.currentData() or ""

    def set_value(self, value: Any) -> None:
        with QSignalBlocker(self.combo):
            self.combo.setCurrentIndex(max(0, self.combo.findData(value or "")))

    def focus_widgets(self) -> list[QWidget]:
        return [self.combo]


class MultiChoiceInput(Input):
    def __init__(self, question: Question, name: str, parent: QWidget | None = None) -> None:
        super().__init__(question, name, parent)
        layout = _box(self, vertical=True)
        self.boxes: list[tuple[str, QCheckBox]] = []
        for c in question.choices:
            box = QCheckBox(c.label, self)
            box.setObjectName(f"{question.id}.{c.id}")
            box.setAccessibleName(f"{name}: {c.label}")
            box.toggled.connect(lambda _on: self.edited.emit(False))
            layout.addWidget(box)
            self.boxes.append((c.id, box))

    def value(self) -> Any:
        return [cid for cid, box in self.boxes if box.isChecked()]

    def set_value(self, value: Any) -> None:
        chosen = set(value or [])
        for cid, box in self.boxes:
            with QSignalBlocker(box):
                box.setChecked(cid in chosen)

    def focus_widgets(self) -> list[QWidget]:
        return [box for _cid, box in self.boxes]


class DateQuestionInput(Input):
    def __init__(self, question: Question, name: str, parent: QWidget | None = None) -> None:
        super().__init__(question, name, parent)
        self.edit = DateInput(name, self)
        self.edit.setObjectName(question.id)
        self.edit.line.setObjectName(f"{question.id}.text")
        box = _box(self)
        box.addWidget(self.edit)
        box.addStretch(1)
        self.setFocusProxy(self.edit)
        self.edit.date_changed.connect(lambda _d: self.edited.emit(False))

    def value(self) -> Any:
        return self.edit.iso()

    def set_value(self, value: Any) -> None:
        self.edit.set_iso(value)

    def set_read_only(self, read_only: bool) -> None:
        self.edit.set_read_only(read_only)

    def focus_widgets(self) -> list[QWidget]:
        return [self.edit.line]


class YesNoNaInput(Input):
    """Yes / No / Not applicable, a comment, and when needed an action: what, who will
    do it, due by, and once done the day it was done (ticking Done offers today)."""

    def __init__(self, question: Question, name: str, parent: QWidget | None = None) -> None:
        super().__init__(question, name, parent)
        qid = question.id
        layout = _box(self, vertical=True)
        row = QHBoxLayout()
        self.group = QButtonGroup(self)
        self.radios: dict[str, QRadioButton] = {}
        for value, label in YNA_LABELS:
            radio = QRadioButton(label, self)
            radio.setObjectName(f"{qid}.{value}")
            radio.setAccessibleName(f"{name}: {label}")
            self.group.addButton(radio)
            self.radios[value] = radio
            row.addWidget(radio)
        row.addStretch(1)
        layout.addLayout(row)
        self.comment = QLineEdit(self)
        self.comment.setObjectName(f"{qid}.comment")
        self.comment.setAccessibleName(f"{name}: comment")
        self.comment.setPlaceholderText("Comment")
        layout.addWidget(self.comment)
        self._layout = layout
        # the action row (with its costly date edit) is built only when first needed
        self.action_row: QWidget | None = None
        self.action: QLineEdit | None = None
        self.due: DateInput | None = None
        self.done: QCheckBox | None = None
        self.owner: QLineEdit | None = None
        self.done_on: DateInput | None = None
        self._action_text = ""
        self._due_iso = ""
        self._done = False
        self._owner = ""
        self._done_on_iso = ""
        self._extra: dict[str, Any] = {}  # keys we do not edit, kept as they were
        self.group.buttonClicked.connect(self._clicked)
        self.comment.textEdited.connect(lambda _t: self.edited.emit(True))

    def _build_action_row(self) -> QWidget:
        if self.action_row is not None:
            return self.action_row
        qid, name = self.question.id, self.name
        self.action_row = QWidget(self)
        rows = _box(self.action_row, vertical=True)
        arow, brow = QHBoxLayout(), QHBoxLayout()
        rows.addLayout(arow)
        rows.addLayout(brow)
        self.action = QLineEdit(self._action_text, self.action_row)
        self.action.setObjectName(f"{qid}.action")
        self.action.setAccessibleName(f"{name}: action needed")
        self.action.setPlaceholderText("Action needed")
        self.owner = QLineEdit(self._owner, self.action_row)
        self.owner.setObjectName(f"{qid}.owner")
        self.owner.setAccessibleName(f"{name}: who will do it")
        self.owner.setPlaceholderText("Who will do it")
        self.due = DateInput(f"{name}: action due by", self.action_row, kind=DateKind.DUE)
        self.due.setObjectName(f"{qid}.due")
        self.due.set_iso(self._due_iso)
        self.done = QCheckBox("Done", self.action_row)
        self.done.setObjectName(f"{qid}.done")
        self.done.setAccessibleName(f"{name}: action done")
        self.done.setChecked(self._done)
        self.done_on = DateInput(f"{name}: action done on", self.action_row, kind=DateKind.DONE)
        self.done_on.setObjectName(f"{qid}.done_on")
        self.done_on.set_iso(self._done_on_iso)
        due_label = QLabel("Due", self.action_row)
        due_label.setBuddy(self.due)
        done_label = QLabel("on", self.action_row)
        done_label.setBuddy(self.done_on)
        arow.addWidget(self.action, 2)
        arow.addWidget(self.owner, 1)
        for widget in (due_label, self.due, self.done, done_label, self.done_on):
            brow.addWidget(widget)
        brow.addStretch(1)
        self._layout.addWidget(self.action_row)
        self.action.textEdited.connect(lambda _t: self.edited.emit(True))
        self.owner.textEdited.connect(lambda _t: self.edited.emit(True))
        self.due.date_changed.connect(lambda _d: self.edited.emit(False))
        self.done.toggled.connect(self._done_toggled)
        self.done_on.date_changed.connect(lambda _d: self.edited.emit(False))
        self.parts_changed.emit()
        return self.action_row

    def _done_toggled(self, on: bool) -> None:
        """Ticking Done offers today as the day it was done (the assessor can change it)."""
        if on and self.done_on is not None and not self.done_on.iso():
            with QSignalBlocker(self.done_on):
                self.done_on.set_value(date.today())
        self.edited.emit(False)

    def _show_action_row(self) -> None:
        needed = self.needs_action() or bool(self.action_text() or self._due_iso)
        if needed:
            self._build_action_row().setVisible(self.needs_action() or bool(self.action_text()))
        elif self.action_row is not None:
            self.action_row.setVisible(False)

    def action_done(self) -> bool:
        return self.done.isChecked() if self.done is not None else self._done

    def action_text(self) -> str:
        return self.action.text() if self.action is not None else self._action_text

    def answer(self) -> str:
        for value, radio in self.radios.items():
            if radio.isChecked():
                return value
        return ""

    def needs_action(self) -> bool:
        return self.answer() in self.question.action_when

    def _clicked(self, _button: object) -> None:
        self._show_action_row()
        self.edited.emit(False)

    def value(self) -> Any:
        if not (self.answer() or self.comment.text() or self.action_text()):
            return None
        value = {
            **self._extra,
            "answer": self.answer(),
            "comment": self.comment.text(),
            "action": self.action_text(),
            "due": self.due.iso() if self.due is not None else self._due_iso,
            "done": self.action_done(),
        }
        owner = self.owner.text() if self.owner is not None else self._owner
        done_on = self.done_on.iso() if self.done_on is not None else self._done_on_iso
        if owner or done_on:  # only once used, so older answers keep their shape
            value.update(owner=owner, done_on=done_on)
        return value

    def set_value(self, value: Any) -> None:
        value = value if isinstance(value, dict) else {"answer": value or ""}
        self._extra = {
            k: v
            for k, v in value.items()
            if k not in ("answer", "comment", "action", "due", "done", "owner", "done_on")
        }
        self.group.setExclusive(False)  # an exclusive group cannot be cleared
        for key, radio in self.radios.items():
            radio.setChecked(key == value.get("answer"))
        self.group.setExclusive(True)
        self.comment.setText(str(value.get("comment") or ""))
        self._action_text = str(value.get("action") or "")
        self._due_iso = str(value.get("due") or "")
        self._done = bool(value.get("done"))
        self._owner = str(value.get("owner") or "")
        self._done_on_iso = str(value.get("done_on") or "")
        if self.action is not None and self.due is not None and self.done is not None:
            self.action.setText(self._action_text)
            self.due.set_iso(self._due_iso)
            with QSignalBlocker(self.done):
                self.done.setChecked(self._done)
        if self.owner is not None and self.done_on is not None:
            self.owner.setText(self._owner)
            self.done_on.set_iso(self._done_on_iso)
        self._show_action_row()

    def focus_widgets(self) -> list[QWidget]:
        due = self.due.line if self.due is not None else None
        done_on = self.done_on.line if self.done_on is not None else None
        extra = [w for w in (self.action, self.owner, due, self.done, done_on) if w is not None]
        return [*self.radios.values(), self.comment, *extra]


INPUTS: dict[QuestionType, type[Input]] = {
    QuestionType.TEXT: TextInput,
    QuestionType.NARRATIVE: NarrativeInput,
    QuestionType.NUMBER: NumberInput,
    QuestionType.CHOICE: ChoiceInput,
    QuestionType.MULTI_CHOICE: MultiChoiceInput,
    QuestionType.DATE: DateQuestionInput,
    QuestionType.YES_NO_NA: YesNoNaInput,
}
