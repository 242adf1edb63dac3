"""References: who the referees are, how far each has got, and the interview notes.

Beside the notes, the questions of the reference interview guide for that kind
of referee. When a manager agrees a referee need not be contacted, the reason
and the manager's name are asked for (readiness checks both).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSignalBlocker
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTextBrowser,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from homestudy.model import (
    Case,
    ContactStatus,
    Reference,
    ReferenceKind,
    VisitMode,
)
from homestudy.textutil import format_date
from homestudy.timeline import TimelineRules
from homestudy.validation import DateKind
from ui.case_rules import read_case_rules
from ui.operations import AutoSaver
from ui.spellcheck import spelling_service
from ui.views.reference_labels import (
    KIND_LABELS,
    PERSON_KINDS,
    STATUS_LABELS,
    guide_text,
    people_for,
)
from ui.widgets.checklist import MODE_LABELS, checked_ids, enum_combo, fill_checklist
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

if TYPE_CHECKING:
    from homestudy.forms import FormLibrary

SAVE_DELAY_MS = 400


def summary_text(
    case: Case | None, forms: FormLibrary, rules: TimelineRules, today: date | None
) -> str:
    """The tab's summary, counted by readiness's own rules (``reference_counts``): only
    personal referees interviewed by today count, each once, and each applicant needs
    their own employer reference back."""
    if case is None:
        return ""
    from homestudy.readiness_references import reference_counts
    from homestudy.readiness_rules import Context

    got = reference_counts(Context(case, forms, rules, today or date.today()))
    if len(got.employers) == 1:
        employer = "yes" if got.employers[0][1] else "not yet"
    else:
        employer = ", ".join(f"{who} {'yes' if done else 'not yet'}" for who, done in got.employers)
    return (
        f"Personal referees interviewed: {got.interviewed} of the {got.needed} needed; "
        f"family referee interviewed: {'yes' if got.family else 'no'}; "
        f"employer reference: {employer or 'no applicants yet'}."
    )


class ReferencesView(RecordEditor, QWidget):
    """Shared view interface: ``ReferencesView(ctx, parent=None)``, ``set_case``, ``reveal``."""

    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.case: Case | None = None
        self.reference: Reference | None = None
        self.rules = TimelineRules.from_settings(ctx.settings)
        self.today: date | None = None  # tests pin the day
        self.confirm_box: QWidget | None = None
        self.saver = AutoSaver(ctx, self, delay_ms=SAVE_DELAY_MS)
        self.setAccessibleName("References")

        self.add_button = QPushButton("&Add referee")
        self.add_button.setAccessibleName("Add referee")
        self.add_button.clicked.connect(self.add_reference)
        self.remove_button = QPushButton("R&emove referee")
        self.remove_button.setAccessibleName("Remove referee")
        self.remove_button.clicked.connect(self.remove_current)
        self.summary = QLabel()
        self.summary.setAccessibleName("References summary")
        self.summary.setWordWrap(True)

        self.table = record_table(
            "Referees", ["Referee", "Kind", "Status", "Interview"], self._current_changed
        )

        self.name_edit = QLineEdit()
        self.name_edit.setAccessibleName("Referee's name")
        self.kind_combo = enum_combo("Kind of referee", KIND_LABELS)
        self.person_combo = QComboBox()
        self.person_combo.setAccessibleName("Which person this is")
        self.applicants_list = QListWidget()
        self.applicants_list.setAccessibleName("Applicants spoken for")
        self.applicants_list.setMaximumHeight(70)
        self.relationship_edit = QLineEdit()
        self.relationship_edit.setAccessibleName("How they know the applicants")
        self.years_spin = QSpinBox()
        self.years_spin.setRange(0, 99)
        self.years_spin.setSpecialValueText("Not known")
        self.years_spin.setSuffix(" years")
        self.years_spin.setAccessibleName("Years known")
        self.years_spin.setMaximumWidth(160)
        self.couple_check = QCheckBox("Knows them as a co&uple")
        self.couple_check.setAccessibleName("Knows the applicants as a couple")
        self.status_combo = enum_combo("Contact status", STATUS_LABELS)
        self.written_edit = OptionalDateEdit("Written reference received on", kind=DateKind.DONE)
        self.interview_edit = OptionalDateEdit("Interview date")
        self.mode_combo = enum_combo("Interview in person or virtual", MODE_LABELS)
        self.reason_edit = QLineEdit()
        self.reason_edit.setAccessibleName("Reason for not contacting")
        self.manager_edit = QLineEdit()
        self.manager_edit.setAccessibleName("Manager who agreed")
        self.notes_edit = MarkdownEditor(spelling_service(ctx), "Interview notes")
        self.notes_edit.setPlaceholderText("Notes of the interview with the referee")
        self.guide = QTextBrowser()
        self.guide.setAccessibleName("Interview guide")
        self.guide.setOpenLinks(False)

        self._build_layout()
        self._connect()
        self._show_reference(None)

    def _build_layout(self) -> None:
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)

        self.details = QWidget()
        form = QFormLayout(self.details)
        form.addRow("&Name:", self.name_edit)
        form.addRow("&Type of referee:", self.kind_combo)
        self.person_label = QLabel("&Is this person:")
        self.person_label.setBuddy(self.person_combo)
        form.addRow(self.person_label, self.person_combo)
        form.addRow("Speaks &for:", self.applicants_list)
        form.addRow("&How they know them:", self.relationship_edit)
        form.addRow("&Years known:", self.years_spin)
        form.addRow("", self.couple_check)
        form.addRow("Contact &status:", self.status_combo)
        form.addRow("Written reference:", self.written_edit)
        form.addRow("Interview &date:", self.interview_edit)
        for field in (self.written_edit, self.interview_edit):
            label = form.labelForField(field)
            if isinstance(label, QLabel):
                label.setBuddy(field.check)
        form.addRow("In person or virtua&l:", self.mode_combo)
        self.agreed_box = QGroupBox("Manager's decision not to contact")
        agreed = QFormLayout(self.agreed_box)
        agreed.addRow("Reason &given:", self.reason_edit)
        agreed.addRow("&Manager:", self.manager_edit)
        form.addRow(self.agreed_box)
        for label_for in (
            self.name_edit,
            self.kind_combo,
            self.applicants_list,
            self.relationship_edit,
            self.years_spin,
            self.status_combo,
            self.mode_combo,
        ):
            label = form.labelForField(label_for)
            if isinstance(label, QLabel):
                label.setBuddy(label_for)
        for label_for in (self.reason_edit, self.manager_edit):
            label = agreed.labelForField(label_for)
            if isinstance(label, QLabel):
                label.setBuddy(label_for)

        notes_row = QSplitter()
        notes_box = QWidget()
        notes_layout = QVBoxLayout(notes_box)
        notes_label = QLabel("Intervie&w notes:")
        notes_label.setBuddy(self.notes_edit)
        notes_layout.addWidget(notes_label)
        notes_layout.addWidget(self.notes_edit)
        guide_box = QWidget()
        guide_layout = QVBoxLayout(guide_box)
        guide_layout.addWidget(QLabel("Questions to cover:"))
        guide_layout.addWidget(self.guide)
        notes_row.addWidget(notes_box)
        notes_row.addWidget(guide_box)
        form.addRow(notes_row)

        splitter = beside_details(self.table, self.details, "Referee details", (620, 620))
        self.table.setColumnWidth(0, 170)
        self.table.setColumnWidth(1, 150)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.summary)
        layout.addWidget(splitter, 1)

    def _connect(self) -> None:
        self.name_edit.textEdited.connect(lambda t: self._edit("referee_name", t))
        self.kind_combo.activated.connect(self._kind_changed)
        self.person_combo.activated.connect(
            lambda _i: self._edit("person_id", str(self.person_combo.currentData() or ""))
        )
        self.applicants_list.itemChanged.connect(
            lambda _i: self._edit("applicant_ids", checked_ids(self.applicants_list))
        )
        self.relationship_edit.textEdited.connect(lambda t: self._edit("relationship", t))
        self.years_spin.valueChanged.connect(lambda n: self._edit("years_known", n or None))
        self.couple_check.toggled.connect(lambda on: self._edit("knows_as_couple", on))
        self.status_combo.activated.connect(self._status_changed)
        self.written_edit.date_changed.connect(lambda d: self._edit("written_received_on", d))
        self.interview_edit.date_changed.connect(lambda d: self._edit("interview_date", d))
        self.mode_combo.activated.connect(
            lambda _i: self._edit("interview_mode", VisitMode(self.mode_combo.currentData()))
        )
        self.reason_edit.textEdited.connect(lambda t: self._edit("not_contacted_reason", t))
        self.manager_edit.textEdited.connect(lambda t: self._edit("manager_decision_by", t))
        self.notes_edit.textChanged.connect(self._notes_changed)

    # ------------------------------------------------------------------ the interface

    def set_case(self, case: Case) -> None:
        self.flush()
        self.case = case
        current = self.reference.id if self.reference else ""
        self.reference = None
        self._refresh_table(current)
        self._load_rules(case)

    def reveal(self, target_id: str) -> None:
        """Select a reference by id, or the one for this person (ex-partner, adult child)."""
        if self.case is None:
            return
        match = next((r for r in self.case.references if target_id in (r.id, r.person_id)), None)
        if match is not None:
            self.select_reference(match.id)
            self.name_edit.setFocus()
        else:
            self.add_button.setFocus()

    def save_place(self) -> dict[str, Any]:
        return {
            "reference": self.reference.id if self.reference else "",
            "notes": text_place(self.notes_edit),
        }

    def restore_place(self, place: dict[str, Any]) -> None:
        if self.case is None or not place.get("reference"):
            return
        self.select_reference(str(place["reference"]))
        restore_text_place(self.notes_edit, place.get("notes") or {})

    # ------------------------------------------------------------------ list

    def add_reference(self) -> None:
        if self.case is None:
            return
        ref = Reference(
            kind=ReferenceKind.PERSONAL,
            referee_name="New referee",
            applicant_ids=[a.id for a in self.case.applicants],
        )
        self.case.references.append(ref)
        self._save(ref)
        self._refresh_table(ref.id)
        self.name_edit.setFocus()
        self.name_edit.selectAll()

    def remove_current(self) -> None:
        if self.case is None or self.reference is None:
            return
        ref = self.reference
        if ref.notes.strip():
            self.confirm_box = confirm(
                self,
                "Remove referee",
                "This referee has interview notes. Remove the referee and the notes?",
                "Remove referee",
                lambda: self._remove(ref),
            )
            return
        self._remove(ref)

    def _remove(self, ref: Reference) -> None:
        if self.case is None or ref not in self.case.references:
            return
        self.case.references.remove(ref)
        case_id, ref_id = self.case.id, ref.id
        # Same key as the referee's saves: a pending save cannot bring it back.
        self.saver.schedule(
            case_id,
            self._save_key(ref),
            lambda vault: vault.cases.delete_reference(case_id, ref_id),
        )
        self.reference = None
        self._refresh_table("")

    def select_reference(self, ref_id: str) -> None:
        select_row(self.table, ref_id)

    def _refresh_table(self, select_id: str) -> None:
        refs = self.case.references if self.case else []
        fill_table(self.table, refs, self._fill_row)
        self._update_summary()
        target = select_id or (refs[0].id if refs else "")
        self.reference = None
        if target:
            self.select_reference(target)
        if self.table.currentItem() is None:
            self._show_reference(None)

    @staticmethod
    def _fill_row(item: QTreeWidgetItem, ref: Reference) -> None:
        item.setText(0, ref.referee_name)
        item.setText(1, KIND_LABELS[ref.kind])
        item.setText(2, STATUS_LABELS[ref.contact_status])
        item.setText(3, format_date(ref.interview_date))

    def _update_summary(self) -> None:
        self.summary.setText(summary_text(self.case, self.ctx.forms, self.rules, self.today))
        self.remove_button.setEnabled(self.reference is not None)

    def _load_rules(self, case: Case) -> None:
        """An agency's case is summed up by its own rules (how many referees), as
        readiness judges it; until they arrive the rules shown before stand."""

        def apply(rules: TimelineRules) -> None:
            if self.case is not None and self.case.id == case.id:
                self.rules = rules
                self._update_summary()

        read_case_rules(self.ctx, self, case, apply)

    def _current_changed(self, current: QTreeWidgetItem | None, _previous: object) -> None:
        self.flush()
        self._show_reference(record_at(current, self.case.references if self.case else []))

    # ------------------------------------------------------------------ the record

    def _show_reference(self, ref: Reference | None) -> None:
        self.reference = ref
        self.details.setEnabled(ref is not None)
        self._update_summary()
        if ref is None or self.case is None:
            self._show_agreed(False)
            return
        widgets = (
            self.name_edit,
            self.kind_combo,
            self.relationship_edit,
            self.years_spin,
            self.couple_check,
            self.status_combo,
            self.mode_combo,
            self.reason_edit,
            self.manager_edit,
            self.notes_edit,
        )
        blockers = [QSignalBlocker(w) for w in widgets]
        self.name_edit.setText(ref.referee_name)
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(ref.kind.value))
        self.relationship_edit.setText(ref.relationship)
        self.years_spin.setValue(ref.years_known or 0)
        self.couple_check.setChecked(ref.knows_as_couple)
        self.status_combo.setCurrentIndex(self.status_combo.findData(ref.contact_status.value))
        self.mode_combo.setCurrentIndex(self.mode_combo.findData(ref.interview_mode.value))
        self.reason_edit.setText(ref.not_contacted_reason)
        self.manager_edit.setText(ref.manager_decision_by)
        self.notes_edit.setPlainText(ref.notes)
        for blocker in blockers:
            blocker.unblock()
        self.written_edit.set_value(ref.written_received_on)
        self.interview_edit.set_value(ref.interview_date)
        applicants = [
            (a.id, a.full_name or f"Applicant {n}")
            for n, a in enumerate(self.case.applicants, start=1)
        ]
        fill_checklist(self.applicants_list, applicants, ref.applicant_ids)
        self._fill_people(ref)
        self._show_agreed(ref.contact_status is ContactStatus.NOT_CONTACTED_AGREED)
        self._show_guide(ref.kind)

    def _fill_people(self, ref: Reference) -> None:
        """The people on the case a reference of this kind can be (ex-partners, adult children)."""
        assert self.case is not None
        people = people_for(self.case, ref.kind)
        with QSignalBlocker(self.person_combo):
            self.person_combo.clear()
            self.person_combo.addItem("Not linked to a person on the case", "")
            for person_id, name in people:
                self.person_combo.addItem(name, person_id)
            self.person_combo.setCurrentIndex(max(0, self.person_combo.findData(ref.person_id)))
        shown = ref.kind in PERSON_KINDS
        self.person_combo.setVisible(shown)
        self.person_label.setVisible(shown)

    def _show_agreed(self, shown: bool) -> None:
        self.agreed_box.setVisible(shown)

    def _show_guide(self, kind: ReferenceKind) -> None:
        try:
            guide = self.ctx.forms.reference_guide(kind)
        except Exception:  # no guide for this kind: the notes still work
            self.guide.setPlainText("No interview guide for this kind of referee.")
            return
        self.guide.setPlainText(guide_text(guide))

    def _kind_changed(self, _index: int) -> None:
        if self.reference is None:
            return
        self._edit("kind", ReferenceKind(self.kind_combo.currentData()))
        self._fill_people(self.reference)
        self._show_guide(self.reference.kind)

    def _status_changed(self, _index: int) -> None:
        status = ContactStatus(self.status_combo.currentData())
        self._edit("contact_status", status)
        self._show_agreed(status is ContactStatus.NOT_CONTACTED_AGREED)

    # ------------------------------------------------------------------ RecordEditor's needs

    def _current_record(self) -> Reference | None:
        return self.reference

    @staticmethod
    def _save_key(ref: Reference) -> str:
        return f"reference:{ref.id}"

    @staticmethod
    def _store(vault: Any, case_id: str, ref: Reference) -> None:
        vault.cases.save_reference(case_id, ref)
