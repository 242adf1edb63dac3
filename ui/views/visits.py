"""The visit planner and visit record.

A list of the case's visits (in order) beside the selected visit's details:
title, planned date, in person or virtual, who will be seen, topics (with the
template's prompts), the day it was done and the notes. Every change is saved
as it is made, debounced, through ``AutoSaver`` on the DB worker.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from homestudy.model import Case, Visit, VisitMode
from homestudy.textutil import format_date
from homestudy.validation import DateKind
from ui.operations import AutoSaver
from ui.spellcheck import spelling_service
from ui.views import visit_planning as planning
from ui.widgets.checklist import MODE_LABELS, button, checked_ids, enum_combo, fill_checklist
from ui.widgets.confirm import confirm
from ui.widgets.markdown_editor import MarkdownEditor, restore_text_place, text_place
from ui.widgets.optional_date import OptionalDateEdit
from ui.widgets.record_editor import RecordEditor
from ui.widgets.record_table import (
    beside_details,
    fill_table,
    record_at,
    record_table,
    select_row,
)

SAVE_DELAY_MS = 400


class VisitsView(RecordEditor, QWidget):
    """Shared view interface: ``VisitsView(ctx, parent=None)``, ``set_case``, ``reveal``."""

    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.case: Case | None = None
        self.visit: Visit | None = None
        self.confirm_box: QWidget | None = None
        self.saver = AutoSaver(ctx, self, delay_ms=SAVE_DELAY_MS)
        self.setAccessibleName("Visits")

        self.plan_button = button(
            "Plan visits from the te&mplate", "Plan visits from the template", self.plan_visits
        )
        self.add_button = button("&Add visit", "Add visit", self.add_visit)
        self.split_button = button("Spl&it visit", "Split visit", self.split_current)
        self.up_button = button("Move &up", "Move visit up", lambda: self.move_current(-1))
        self.down_button = button("Move &down", "Move visit down", lambda: self.move_current(1))
        self.remove_button = button("R&emove visit", "Remove visit", self.remove_current)
        self.summary = QLabel()
        self.summary.setAccessibleName("Visits summary")

        # the title stretches; cut in the middle, as many begin "Joint visit: the"
        self.table = record_table(
            "Visit plan",
            ["No.", "Visit", "Planned", "Done", "How"],
            self._current_changed,
            stretch=1,
            elide=Qt.TextElideMode.ElideMiddle,
        )

        self.title_edit = QLineEdit()
        self.title_edit.setAccessibleName("Visit title")
        self.planned_edit = OptionalDateEdit("Planned date", kind=DateKind.DUE)
        self.mode_combo = enum_combo("In person or virtual", MODE_LABELS)
        self.done_edit = OptionalDateEdit("Done on", kind=DateKind.DONE)
        self.done_today = button("Mark done toda&y", "Mark visit done today", self.mark_done)
        self.people_list = QListWidget()
        self.people_list.setAccessibleName("Who will be seen")
        self.topics_list = QListWidget()
        self.topics_list.setAccessibleName("Topics")
        self.prompts = QLabel()
        self.prompts.setWordWrap(True)
        self.prompts.setAccessibleName("Prompts for these topics")
        self.prompts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.notes_edit = MarkdownEditor(spelling_service(ctx), "Visit notes")
        self.notes_edit.setPlaceholderText("Notes written during or after the visit")

        self._build_layout()
        self.title_edit.textEdited.connect(self._title_edited)
        self.planned_edit.date_changed.connect(lambda d: self._edit("planned_date", d))
        self.done_edit.date_changed.connect(lambda d: self._edit("done_date", d))
        self.done_edit.date_changed.connect(lambda _d: self._name_people_row())
        self.mode_combo.activated.connect(
            lambda _i: self._edit("mode", VisitMode(self.mode_combo.currentData()))
        )
        self.people_list.itemChanged.connect(
            lambda _i: self._edit("who_seen", checked_ids(self.people_list))
        )
        self.topics_list.itemChanged.connect(self._topics_changed)
        self.notes_edit.textChanged.connect(self._notes_changed)
        self._show_visit(None)

    def _build_layout(self) -> None:
        buttons = QHBoxLayout()
        for b in (
            self.plan_button,
            self.add_button,
            self.split_button,
            self.up_button,
            self.down_button,
            self.remove_button,
        ):
            buttons.addWidget(b)
        buttons.addStretch(1)

        self.details = QWidget()
        form = QFormLayout(self.details)
        form.addRow("Tit&le:", self.title_edit)
        form.addRow("Planned &for:", self.planned_edit)
        form.addRow("&How:", self.mode_combo)
        done_row = QHBoxLayout()
        done_row.addWidget(self.done_edit, 1)
        done_row.addWidget(self.done_today)
        form.addRow("Done o&n:", done_row)
        form.addRow("&Who will be seen:", self.people_list)
        form.addRow("Topic&s:", self.topics_list)
        form.addRow("Prompts:", self.prompts)
        form.addRow("No&tes:", self.notes_edit)
        for field, buddy in (
            (self.title_edit, self.title_edit),
            (self.planned_edit, self.planned_edit.check),
            (self.mode_combo, self.mode_combo),
            (done_row, self.done_edit.check),
            (self.people_list, self.people_list),
            (self.topics_list, self.topics_list),
            (self.notes_edit, self.notes_edit),
        ):
            label = form.labelForField(field)
            if isinstance(label, QLabel):
                label.setBuddy(buddy)
        splitter = beside_details(self.table, self.details, "Visit details", (600, 640))
        self.table.setColumnWidth(0, 40)
        self.table.setColumnWidth(1, 250)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.summary)
        layout.addWidget(splitter, 1)

    # ------------------------------------------------------------------ the interface

    def set_case(self, case: Case) -> None:
        self.flush()
        self.case = case
        current = self.visit.id if self.visit else ""
        self.visit = None
        self._refresh_table(current)

    def reveal(self, target_id: str) -> None:
        """Select a visit by id, or the first visit that sees this applicant alone."""
        if self.case is None:
            return
        match = next((v for v in self.case.visits if v.id == target_id), None)
        if match is None:
            match = next(
                (v for v in planning.ordered(self.case.visits) if v.who_seen == [target_id]),
                None,
            )
        if match is not None:
            self.select_visit(match.id)
            self.title_edit.setFocus()
        else:
            self.add_button.setFocus()

    def save_place(self) -> dict[str, Any]:
        return {"visit": self.visit.id if self.visit else "", "notes": text_place(self.notes_edit)}

    def restore_place(self, place: dict[str, Any]) -> None:
        if self.case is None or not place.get("visit"):
            return
        self.select_visit(str(place["visit"]))
        restore_text_place(self.notes_edit, place.get("notes") or {})

    # ------------------------------------------------------------------ plan and list

    @property
    def visits(self) -> list[Visit]:
        return planning.ordered(self.case.visits) if self.case else []

    def plan_visits(self) -> None:
        if self.case is None:
            return
        new = planning.plan_visits(self.case, self.ctx.forms.visit_plan, date.today())
        if not new:
            self.summary.setText("Every visit in the template is already planned.")
            return
        self.case.visits.extend(new)
        for visit in new:
            self._save(visit)
        self._refresh_table(new[0].id)

    def add_visit(self) -> None:
        if self.case is None:
            return
        visit = Visit(
            sequence=len(self.case.visits) + 1,
            title="New visit",
            who_seen=[a.id for a in self.case.applicants],
        )
        self.case.visits.append(visit)
        self._save(visit)
        self._refresh_table(visit.id)
        self.title_edit.setFocus()
        self.title_edit.selectAll()

    def split_current(self) -> None:
        if self.case is None or self.visit is None:
            return
        visits = self.visits
        new = planning.split_visit(self.visit)
        visits.insert(visits.index(self.visit) + 1, new)
        self.case.visits.append(new)
        self._save(self.visit)
        self._save(new)
        self._renumber(visits)
        self._refresh_table(new.id)

    def move_current(self, step: int) -> None:
        if self.visit is None:
            return
        visits = self.visits
        i = visits.index(self.visit)
        j = i + step
        if not 0 <= j < len(visits):
            return
        visits[i], visits[j] = visits[j], visits[i]
        self._renumber(visits)
        self._refresh_table(self.visit.id)

    def remove_current(self) -> None:
        if self.case is None or self.visit is None:
            return
        visit = self.visit
        if visit.is_done or visit.notes.strip():
            self.confirm_box = confirm(
                self,
                "Remove visit",
                "This visit has notes or is marked done. Remove it and its notes?",
                "Remove visit",
                lambda: self._remove(visit),
            )
            return
        self._remove(visit)

    def _remove(self, visit: Visit) -> None:
        if self.case is None or visit not in self.case.visits:
            return
        self.case.visits.remove(visit)
        case_id, visit_id = self.case.id, visit.id
        # Same key as the visit's saves: a pending save cannot bring it back.
        self.saver.schedule(
            case_id,
            self._save_key(visit),
            lambda vault: vault.cases.delete_visit(case_id, visit_id),
        )
        self._renumber(self.visits)
        self.visit = None
        self._refresh_table("")

    def _renumber(self, visits: list[Visit]) -> None:
        for visit in planning.renumber(visits):
            self._save(visit)

    def select_visit(self, visit_id: str) -> None:
        select_row(self.table, visit_id)

    def _refresh_table(self, select_id: str) -> None:
        fill_table(self.table, self.visits, self._fill_row)
        self._update_summary()
        target = select_id or (self.visits[0].id if self.visits else "")
        self.visit = None
        if target:
            self.select_visit(target)
        if self.table.currentItem() is None:
            self._show_visit(None)

    def _fill_row(self, item: QTreeWidgetItem, visit: Visit) -> None:
        item.setText(0, str(visit.sequence))
        item.setText(1, visit.title)
        item.setText(2, format_date(visit.planned_date, "Not set"))
        item.setText(3, format_date(visit.done_date, "Not yet"))
        item.setText(4, MODE_LABELS[visit.mode])

    def _update_summary(self) -> None:
        if self.case is None:
            self.summary.setText("")
            return
        n, done = len(self.case.visits), self.case.visits_done
        self.summary.setText(f"{done} of {n} visits done (at least 6 are needed).")
        has = self.visit is not None
        for b in (self.split_button, self.up_button, self.down_button, self.remove_button):
            b.setEnabled(has)

    def _current_changed(self, current: QTreeWidgetItem | None, _previous: object) -> None:
        self.flush()
        self._show_visit(record_at(current, self.visits))

    # ------------------------------------------------------------------ the record

    def _show_visit(self, visit: Visit | None) -> None:
        self.visit = visit
        self.details.setEnabled(visit is not None)
        self._update_summary()
        if visit is None or self.case is None:
            return
        with (
            QSignalBlocker(self.title_edit),
            QSignalBlocker(self.mode_combo),
            QSignalBlocker(self.notes_edit),
        ):
            self.title_edit.setText(visit.title)
            self.mode_combo.setCurrentIndex(self.mode_combo.findData(visit.mode.value))
            self.notes_edit.setPlainText(visit.notes)
        self.planned_edit.set_value(visit.planned_date)
        self.done_edit.set_value(visit.done_date)
        people = [
            (a.id, a.full_name or f"Applicant {n}")
            for n, a in enumerate(self.case.applicants, start=1)
        ]
        people += [(m.id, m.name) for m in self.case.household]
        fill_checklist(self.people_list, people, visit.who_seen)
        fill_checklist(self.topics_list, self._topic_options(), visit.topics)
        self._name_people_row()
        self._show_prompts()

    def _name_people_row(self) -> None:
        """A visit that has been held says who was seen; a planned one, who will be."""
        held = self.visit is not None and self.visit.done_date is not None
        words = "Who was seen" if held else "Who will be seen"
        layout = self.details.layout()
        label = layout.labelForField(self.people_list) if isinstance(layout, QFormLayout) else None
        if isinstance(label, QLabel):
            label.setText(f"&{words}:")
        self.people_list.setAccessibleName(words)

    def _topic_options(self) -> list[tuple[str, str]]:
        try:
            return [(t.id, t.title) for t in self.ctx.forms.visit_plan.topics]
        except Exception:  # no form definitions: topics still show by id
            return []

    def _show_prompts(self) -> None:
        lines: list[str] = []
        if self.visit is not None:
            for topic_id in self.visit.topics:
                try:
                    topic = self.ctx.forms.visit_plan.topic(topic_id)
                except Exception:
                    continue
                lines.extend(f"• {p}" for p in topic.prompts)
        self.prompts.setText("\n".join(lines) or "No prompts for these topics.")

    def mark_done(self) -> None:
        if self.visit is not None:
            self.done_edit.set_value(date.today())
            self._edit("done_date", date.today())
            self._name_people_row()

    def _title_edited(self, text: str) -> None:
        self._edit("title", text)

    def _topics_changed(self, _item: QListWidgetItem) -> None:
        self._edit("topics", checked_ids(self.topics_list))
        self._show_prompts()

    # ------------------------------------------------------------------ RecordEditor's needs

    def _current_record(self) -> Visit | None:
        return self.visit

    @staticmethod
    def _save_key(visit: Visit) -> str:
        return f"visit:{visit.id}"

    @staticmethod
    def _store(vault: Any, case_id: str, visit: Visit) -> None:
        vault.cases.save_visit(case_id, visit)
