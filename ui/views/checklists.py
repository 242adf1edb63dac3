"""Checklists: health and safety of the home and car, and one pet assessment per animal.

Each checklist is drawn by the generic ``FormWidget`` from its form definition;
every answer is saved as it changes (``vault.cases.save_answers``) and how
complete the checklist is (required questions left, open actions) shows above it.
"""

from __future__ import annotations

import copy
from typing import Any

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtGui import QHideEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from homestudy.model import Animal, Case, ChecklistAnswer
from homestudy.textutil import format_date
from ui.operations import AutoSaver
from ui.widgets.animal_dialog import AnimalDialog

HEALTH_SAFETY = "health_safety"
PET_ASSESSMENT = "pet_assessment"
SAVE_DELAY_MS = 400
_ID = Qt.ItemDataRole.UserRole


def answer_key(a: ChecklistAnswer) -> tuple[str, str, str, int]:
    return (a.form_id, a.subject_id, a.question_id, a.row)


def upsert_answer(case: Case, answer: ChecklistAnswer) -> None:
    """Replace the case's answer to the same question (same subject and row), or add it."""
    key = answer_key(answer)
    for i, existing in enumerate(case.checklist_answers):
        if answer_key(existing) == key:
            case.checklist_answers[i] = answer
            return
    case.checklist_answers.append(answer)


class ChecklistsView(QWidget):
    """Shared view interface: ``ChecklistsView(ctx, parent=None)``, ``set_case``, ``reveal``."""

    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.case: Case | None = None
        self.subject = ""  # "" = health and safety, else an animal id
        self.form_widget: QWidget | None = None
        self.animal_dialog: AnimalDialog | None = None
        self.saver = AutoSaver(ctx, self, delay_ms=SAVE_DELAY_MS)
        ctx.events.about_to_lock.connect(self.flush)  # the renderer's debounced text too
        self.setAccessibleName("Checklists")

        self.subjects = QListWidget()
        self.subjects.setAccessibleName("Checklists")
        # long entries ("Pet assessment: Biscuit (dog, ...) - complete") wrap rather than
        # hide their state behind a sideways scroll in a small window
        self.subjects.setWordWrap(True)
        self.subjects.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.subjects.setUniformItemSizes(False)
        self.subjects.currentItemChanged.connect(self._subject_changed)
        self.add_animal_button = QPushButton("&Add animal")
        self.add_animal_button.setAccessibleName("Add animal")
        self.add_animal_button.clicked.connect(self.add_animal)
        self.edit_animal_button = QPushButton("&Edit animal")
        self.edit_animal_button.setAccessibleName("Edit animal")
        self.edit_animal_button.clicked.connect(self.edit_animal)

        self.title = QLabel()
        self.title.setAccessibleName("Checklist title")
        self.title.setTextFormat(Qt.TextFormat.PlainText)  # an animal's name as typed
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setBold(True)
        self.title.setFont(font)
        self.status = QLabel()
        self.status.setAccessibleName("Checklist completeness")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.scroll_area = QScrollArea()
        self.scroll_area.setAccessibleName("Checklist questions")
        self.scroll_area.setWidgetResizable(True)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(self.subjects, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_animal_button)
        buttons.addWidget(self.edit_animal_button)
        left_layout.addLayout(buttons)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.addWidget(self.title)
        right_layout.addWidget(self.status)
        right_layout.addWidget(self.scroll_area, 1)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([360, 1040])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

    # ------------------------------------------------------------------ the interface

    def set_case(self, case: Case) -> None:
        from homestudy.forms import migrate_answers

        self.flush()
        self.case = case
        # answers saved under an older form version are shown where they now belong
        case.checklist_answers = migrate_answers(case.checklist_answers, self.ctx.forms)
        self._fill_subjects(self.subject)

    def reveal(self, target_id: str) -> None:
        """``health_safety[/<question>]``, ``pet_assessment[/<animal>[/<question>]]``, or
        ``<animal id>[/<question>]``: the checklist, scrolled to its question."""
        if self.case is None:
            return
        parts = target_id.split("/")
        animals = {a.id for a in self.case.animals}
        question = ""
        if parts[0] == HEALTH_SAFETY:
            subject, question = "", "/".join(parts[1:2])
        elif parts[0] == PET_ASSESSMENT:
            subject = (
                parts[1]
                if len(parts) > 1 and parts[1] in animals
                else (self.case.animals[0].id if self.case.animals else "")
            )
            question = (
                parts[2]
                if len(parts) > 2
                else (parts[1] if len(parts) > 1 and parts[1] not in animals else "")
            )
        elif parts[0] in animals:
            subject, question = parts[0], "/".join(parts[1:2])
        else:
            return
        self.select_subject(subject)
        reveal = getattr(self.form_widget, "reveal", None)
        if not (question and callable(reveal) and reveal(question)):
            self.subjects.setFocus()

    def save_place(self) -> dict[str, Any]:
        return {"subject": self.subject, "scroll": self.scroll_area.verticalScrollBar().value()}

    def restore_place(self, place: dict[str, Any]) -> None:
        if self.case is None or not place:
            return
        self.select_subject(str(place.get("subject") or ""))
        inner = self.scroll_area.widget()
        if inner is not None:
            inner.adjustSize()
        self.scroll_area.verticalScrollBar().setValue(int(place.get("scroll", 0)))

    def flush(self) -> None:
        self.saver.flush()
        flush_form = getattr(self.form_widget, "flush", None)
        if callable(flush_form):
            flush_form()  # the renderer debounces text; its last answer comes out here

    def hideEvent(self, event: QHideEvent) -> None:
        self.flush()
        super().hideEvent(event)

    # ------------------------------------------------------------------ subjects

    def _fill_subjects(self, select: str) -> None:
        assert self.case is not None
        with QSignalBlocker(self.subjects):
            self.subjects.clear()
            for subject in ["", *(a.id for a in self.case.animals)]:
                item = QListWidgetItem(self._subject_label(subject), self.subjects)
                item.setData(_ID, subject)
        self.select_subject(select if self._has_subject(select) else "", force=True)

    def _subject_label(self, subject: str) -> str:
        """The list entry, with how far the checklist has got, in words."""
        from homestudy.forms import completeness

        assert self.case is not None
        animal = next((a for a in self.case.animals if a.id == subject), None)
        if animal is None:
            title = "Health and safety of the home and car"
        else:
            kind = ", ".join(p for p in (animal.species, animal.breed) if p)
            title = f"Pet assessment: {animal.name}" + (f" ({kind})" if kind else "")
        form_id = PET_ASSESSMENT if subject else HEALTH_SAFETY
        answers = self.case.answers_for(form_id, subject)
        if not answers:
            return f"{title} – not started"
        result = completeness(self.ctx.forms.get(form_id), answers, subject)
        return f"{title} – {'complete' if result.is_complete else 'to finish'}"

    def _has_subject(self, subject: str) -> bool:
        animals = self.case.animals if self.case else []
        return subject == "" or any(a.id == subject for a in animals)

    def select_subject(self, subject: str, force: bool = False) -> None:
        for i in range(self.subjects.count()):
            item = self.subjects.item(i)
            if item.data(_ID) == subject:
                if self.subjects.currentItem() is item and not force:
                    return
                with QSignalBlocker(self.subjects):
                    self.subjects.setCurrentItem(item)
                self._show_subject(subject)
                return

    def _subject_changed(self, current: QListWidgetItem | None, _previous: object) -> None:
        if current is not None:
            self._show_subject(str(current.data(_ID) or ""))

    def _form_id(self) -> str:
        return PET_ASSESSMENT if self.subject else HEALTH_SAFETY

    def _show_subject(self, subject: str) -> None:
        from ui.widgets.form_renderer import FormWidget  # the forms engineer's renderer

        self.flush()
        self.subject = subject
        self.edit_animal_button.setEnabled(bool(subject))
        if self.case is None:
            return
        form = self.ctx.forms.get(self._form_id())
        answers = self.case.answers_for(form.id, subject)
        widget = FormWidget(form, answers, subject_id=subject)
        widget.setAccessibleName(form.title)
        widget.answer_changed.connect(self._answer_changed)
        old = self.scroll_area.takeWidget()
        if old is not None:
            old.deleteLater()
        self.scroll_area.setWidget(widget)
        self.form_widget = widget
        animal = next((a for a in self.case.animals if a.id == subject), None)
        self.title.setText(form.title + (f": {animal.name}" if animal else ""))
        self._update_status()

    # ------------------------------------------------------------------ answers

    def _answer_changed(self, answer: ChecklistAnswer) -> None:
        if self.case is None:
            return
        upsert_answer(self.case, answer)
        case_id, snapshot = self.case.id, copy.deepcopy(answer)
        key = "answer:" + ":".join(map(str, answer_key(answer)))
        self.saver.schedule(
            case_id, key, lambda vault: vault.cases.save_answers(case_id, [snapshot])
        )
        self._update_status()

    def _update_status(self) -> None:
        from homestudy.forms import completeness

        if self.case is None:
            return
        form = self.ctx.forms.get(self._form_id())
        answers = self.case.answers_for(form.id, self.subject)
        result = completeness(form, answers, self.subject)
        lines: list[str] = []
        if not answers:
            lines.append("Not started.")
        missing = len(result.missing_required)
        if missing:
            labels = []
            for qid in result.missing_required[:5]:
                try:
                    labels.append(form.question(qid).label)
                except KeyError:
                    labels.append(qid)
            more = f" and {missing - 5} more" if missing > 5 else ""
            word = "question" if missing == 1 else "questions"
            lines.append(f"{missing} required {word} not answered: " + "; ".join(labels) + more)
        for action in result.open_actions:
            due = f" (due {format_date(action.due)})" if action.due else ""
            what = f": {action.action}" if action.action else ""
            lines.append(f"Open action – {action.label}{what}{due}")
        for flag in getattr(result, "flags", ()):
            lines.append(f"Warning – {flag.message}")
        if answers and result.is_complete and not getattr(result, "flags", ()):
            lines.append("Complete: every required question is answered and no action is open.")
        self.status.setText("\n".join(lines))
        item = self.subjects.currentItem()
        if item is not None:
            item.setText(self._subject_label(self.subject))

    # ------------------------------------------------------------------ animals

    def add_animal(self) -> None:
        self._open_animal_dialog(None)

    def edit_animal(self) -> None:
        if self.case is None:
            return
        animal = next((a for a in self.case.animals if a.id == self.subject), None)
        if animal is not None:
            self._open_animal_dialog(animal)

    def _open_animal_dialog(self, animal: Animal | None) -> None:
        if self.case is None:
            return
        from homestudy.forms import BANNED_BREEDS_LIST

        banned = tuple(self.ctx.forms.get(PET_ASSESSMENT).lists.get(BANNED_BREEDS_LIST, ()))
        dialog = AnimalDialog(animal, banned, self)
        dialog.accepted.connect(lambda: self._animal_saved(dialog.animal()))
        dialog.finished.connect(dialog.deleteLater)
        self.animal_dialog = dialog
        dialog.open()

    def _animal_saved(self, animal: Animal) -> None:
        if self.case is None:
            return
        for i, existing in enumerate(self.case.animals):
            if existing.id == animal.id:
                self.case.animals[i] = animal
                break
        else:
            self.case.animals.append(animal)
        case_id, snapshot = self.case.id, copy.deepcopy(animal)
        self.saver.schedule(
            case_id, f"animal:{animal.id}", lambda vault: vault.cases.save_animal(case_id, snapshot)
        )
        self.saver.flush()
        self._fill_subjects(animal.id)
