"""Case details: the applicants, the household, significant others, Stage 1 and the
key dates and route.

A case made on the laptop starts with little more than names; this tab is where
the rest is recorded or corrected. Readiness and the clock read these fields, and
readiness findings in the area ``case`` name the ``Case`` field to fill, which
``reveal`` focuses. Each part edits the shared ``Case`` in place; every change
schedules one debounced save of these parts through ``AutoSaver``, applied on the
DB worker to the case as stored (``save_case`` is the whole aggregate, so the other
tabs' records are taken from the vault, never from this tab's copy).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtGui import QHideEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from homestudy.errors import ValidationError
from homestudy.model import (
    Applicant,
    Case,
    HouseholdMember,
    HouseholdMemberKind,
    LineOfEnquiry,
    SignificantOther,
    SignificantOtherKind,
)
from homestudy.readiness_stage import CHECKS_TARGET_PREFIX
from homestudy.report.extras import SLOT_FIELDS, add_picture
from homestudy.textutil import format_date
from homestudy.timeline import TimelineRules
from homestudy.validation import DateKind
from ui.case_rules import read_case_rules
from ui.errors import error_message
from ui.operations import AutoSaver, run_db
from ui.spellcheck import spelling_service
from ui.views.case_facts import FACT_FIELDS, FactsPanel, PicturesPanel
from ui.views.statutory_checks import StatutoryChecksPanel
from ui.widgets.key_dates import DATE_FIELDS, KeyDatesPanel
from ui.widgets.markdown_editor import MarkdownEditor
from ui.widgets.optional_date import OptionalDateEdit
from ui.widgets.record_list import Field, RecordList

SAVE_DELAY_MS = 400
FACT_ATTRS = frozenset(f.attr for f in FACT_FIELDS)
CONFIDENTIAL = "Confidential: left out of the applicants' copy."
#: the medical adviser's summary is the applicants' own health information
MEDICAL_SHARED = (
    "Shared with the applicants (their own health information), unless your "
    "agency keeps it confidential. Keep anyone else's health out of it."
)

#: The parts of the case this tab saves (the rest belongs to the other tabs).
DETAIL_FIELDS = (
    "applicants",
    "household",
    "significant_others",
    "stage1",
    "lines_of_enquiry",
    "assessor_name",
    "route",
    "stage",
    *(f for f, _l, _n in DATE_FIELDS),
    "accommodation",
    "finances",
    *SLOT_FIELDS.values(),
)
STAGE1_FIELDS = (
    "medical_adviser_summary",
    "preparation_training",
    "training_completed_on",
    "notes",
)

MEMBER_KINDS = {
    HouseholdMemberKind.BIRTH_CHILD: "Birth child",
    HouseholdMemberKind.ADOPTED_CHILD: "Adopted child",
    HouseholdMemberKind.ADULT_CHILD_AWAY: "Adult child living away",
    HouseholdMemberKind.LODGER: "Lodger",
    HouseholdMemberKind.OTHER_ADULT: "Other adult",
    HouseholdMemberKind.OTHER_CHILD: "Other child",
}
OTHER_KINDS = {
    SignificantOtherKind.EX_PARTNER: "Ex-partner",
    SignificantOtherKind.OTHER: "Other significant person",
}
SOURCES = (
    "DBS check",
    "Local authority check",
    "Medical adviser",
    "Preparation training",
    "Stage 1 references",
    "Stage 1 visit",
)
PAGES = (
    ("applicants", "Applicants"),
    ("household", "Household"),
    ("significant_others", "Ex-partners and significant others"),
    ("stage1", "Stage 1: checks, health, training"),
    ("lines_of_enquiry", "Stage 1 lines of enquiry"),
    ("dates", "Key dates and route"),
    ("facts", "Facts for Part 2 (Schedule 4)"),
    ("pictures", "Pictures for the report"),
)


def _labels(labels: dict[Any, str]) -> Any:
    return lambda: [(k.value, v) for k, v in labels.items()]


def _yes(flag: bool) -> str:
    return "Yes" if flag else "No"


def _short(text: str, n: int = 70) -> str:
    line = " ".join(text.split())
    return line if len(line) <= n else line[: n - 1] + "…"


def _confidential_note(text: str = CONFIDENTIAL) -> QLabel:
    note = QLabel(text)
    note.setWordWrap(True)
    note.setAccessibleName(text)
    font = note.font()
    font.setItalic(True)
    note.setFont(font)
    return note


def save_details(vault: Any, case_id: str, parts: dict[str, Any]) -> None:
    """On the DB worker: put this tab's parts into the case as stored, and save it."""
    stored = vault.cases.load_case(case_id)
    for name, value in parts.items():
        setattr(stored, name, value)
    vault.cases.save_case(stored)


class CaseDetailsView(QWidget):
    """Shared view interface: ``CaseDetailsView(ctx, parent=None)``, ``set_case``,
    ``reveal`` (a page key, a ``Case`` or Stage 1 field name, or a record id), ``flush``."""

    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.case: Case | None = None
        self.saver = AutoSaver(ctx, self, delay_ms=SAVE_DELAY_MS)
        self.setAccessibleName("Case details")
        spelling = spelling_service(ctx)

        self.applicants = RecordList(
            "applicant",
            [
                ("Applicant", lambda a: a.full_name or "New applicant"),
                ("Born", lambda a: format_date(a.date_of_birth)),
                ("Occupation", lambda a: a.occupation),
            ],
            [
                Field("first_name", "First na&me:", "First name"),
                Field("last_name", "&Last name:", "Last name"),
                Field("date_of_birth", "Date of &birth:", "Date of birth", "date"),
                Field("ethnicity", "&Ethnicity:", "Ethnicity"),
                Field("religion", "Rel&igion:", "Religion"),
                Field(
                    "languages",
                    "Lang&uages:",
                    "Languages spoken",
                    "words",
                    placeholder="separated by commas, e.g. English, Twi",
                ),
                Field("occupation", "Occupa&tion:", "Occupation"),
            ],
            lambda: Applicant("", ""),
            spelling,
            add_text="&Add applicant",
            remove_text="Remove applica&nt",
            always_confirm=True,
            can_remove=lambda _a: self.case is not None and len(self.case.applicants) > 1,
        )
        self.household = RecordList(
            "household member",
            [
                ("Name", lambda m: m.name or "New person"),
                ("Who", lambda m: MEMBER_KINDS[m.kind]),
                ("Born", lambda m: format_date(m.date_of_birth)),
                ("Lives at home", lambda m: _yes(m.lives_in_household)),
            ],
            [
                Field("name", "&Name:", "Name"),
                Field(
                    "kind",
                    "&Type:",
                    "Type of household member",
                    "choice",
                    _labels(MEMBER_KINDS),
                    HouseholdMemberKind,
                ),
                Field("date_of_birth", "Date of &birth:", "Date of birth", "date"),
                Field(
                    "relationship",
                    "Re&lationship:",
                    "Relationship to the applicants",
                    placeholder="in your words, e.g. Hannah's son",
                ),
                Field(
                    "lives_in_household",
                    "Lives &in the household",
                    "Lives in the household",
                    "bool",
                ),
                Field("notes", "Not&es:", "Notes about this person", "notes"),
            ],
            lambda: HouseholdMember("", HouseholdMemberKind.BIRTH_CHILD),
            spelling,
            add_text="&Add person",
            remove_text="Re&move person",
        )
        self.add_adult_child = QPushButton("Add adult child living a&way")
        self.add_adult_child.setAccessibleName("Add adult child living away")
        self.add_adult_child.clicked.connect(
            lambda: self.household.append(
                HouseholdMember("", HouseholdMemberKind.ADULT_CHILD_AWAY, lives_in_household=False)
            )
        )
        self.household.add_extra_button(self.add_adult_child)
        self.household.edited.connect(self._member_edited)
        self.others = RecordList(
            "significant other",
            [
                ("Name", lambda o: o.name or "New person"),
                ("Who", lambda o: OTHER_KINDS[o.kind]),
                ("Whose", self._applicant_name),
                ("Children together", lambda o: _yes(o.had_children_together)),
                ("Lived together", lambda o: _yes(o.lived_together)),
            ],
            [
                Field("name", "&Name:", "Name"),
                Field(
                    "kind",
                    "&Type:",
                    "Type of significant other",
                    "choice",
                    _labels(OTHER_KINDS),
                    SignificantOtherKind,
                ),
                Field(
                    "applicant_id", "&Whose:", "Whose ex-partner", "choice", self._applicant_options
                ),
                Field(
                    "had_children_together",
                    "Had chi&ldren together",
                    "Had children together",
                    "bool",
                ),
                Field("lived_together", "L&ived together", "Lived together", "bool"),
                Field("notes", "Not&es:", "Notes about this person", "notes"),
            ],
            lambda: SignificantOther("", applicant_id=self._first_applicant()),
            spelling,
            add_text="&Add ex-partner or other",
            remove_text="Re&move person",
        )
        # Stage 1 checks per person: their own panel (ui/views/statutory_checks.py)
        self.checks_panel = StatutoryChecksPanel(
            TimelineRules.from_settings(ctx.settings), spelling
        )
        self.checks = self.checks_panel.records
        self.lines = RecordList(
            "line of enquiry",
            [
                ("Line of enquiry", lambda x: _short(x.text) or "New line"),
                ("Source", lambda x: x.source),
                ("Sections", self._section_titles),
            ],
            [
                Field("text", "Wha&t to explore:", "Line of enquiry", "notes"),
                Field(
                    "source",
                    "&Source:",
                    "Where it came from",
                    "editable",
                    lambda: [(s, s) for s in SOURCES],
                ),
                Field(
                    "par_section_ids",
                    "PAR sections e&xpected to answer it:",
                    "PAR sections expected to answer it",
                    "multi",
                    self._section_options,
                ),
            ],
            lambda: LineOfEnquiry(""),
            spelling,
            add_text="&Add line of enquiry",
            remove_text="Re&move line of enquiry",
        )

        self.medical = MarkdownEditor(spelling, "Medical adviser's summary")
        self.training = MarkdownEditor(spelling, "Preparation training observations")
        self.training_done = OptionalDateEdit(
            "Preparation training completed on", kind=DateKind.DONE
        )
        self.stage1_notes = MarkdownEditor(spelling, "Other Stage 1 notes")
        self.stage1_inputs: dict[str, MarkdownEditor | OptionalDateEdit] = {
            "medical_adviser_summary": self.medical,
            "preparation_training": self.training,
            "training_completed_on": self.training_done,
            "notes": self.stage1_notes,
        }
        for attr, editor in self.stage1_inputs.items():
            if isinstance(editor, MarkdownEditor):
                editor.textChanged.connect(
                    lambda a=attr, e=editor: self._stage1_edit(a, e.toPlainText())
                )
        self.training_done.date_changed.connect(
            lambda d: self._stage1_edit("training_completed_on", d)
        )
        self.facts = FactsPanel(spelling)
        self.facts.changed.connect(self._changed)
        self.pictures = PicturesPanel(self._add_picture)
        self.pictures.changed.connect(self._changed)
        self.key_dates = KeyDatesPanel(TimelineRules.from_settings(ctx.settings))
        self.key_dates.edited.connect(lambda _f, _v: self._changed())
        for records in (self.applicants, self.household, self.others, self.checks, self.lines):
            records.changed.connect(self._changed)
        self.applicants.changed.connect(self._applicants_changed)
        self.applicants.changed.connect(self.facts.refresh)
        for records in (self.applicants, self.household):  # who needs checks may change
            records.changed.connect(self.checks_panel.refresh_needs)
        self._build_layout()

    # ------------------------------------------------------------------ layout

    def _build_layout(self) -> None:
        self.nav = QListWidget()
        self.nav.setAccessibleName("Parts of the case details")
        self.nav.setMaximumWidth(210)
        self.stack = QStackedWidget()
        self.page_index: dict[str, int] = {}
        stage1 = QWidget()
        s1 = QVBoxLayout(stage1)
        checks_box = QGroupBox("Statutory checks")
        checks_layout = QVBoxLayout(checks_box)
        checks_layout.addWidget(_confidential_note())
        checks_layout.addWidget(self.checks_panel)
        summary = QWidget()
        form = QFormLayout(summary)
        medical_label = QLabel("Medical adviser's summar&y:")
        medical_label.setBuddy(self.medical)
        form.addRow(medical_label, _confidential_note(MEDICAL_SHARED))
        form.addRow(self.medical)
        for text, widget in (
            ("Preparat&ion training observations:", self.training),
            ("Training comp&leted on:", self.training_done),
            ("Other Stage 1 notes:", self.stage1_notes),
        ):
            label = QLabel(text)
            label.setBuddy(self.training_done.check if widget is self.training_done else widget)
            form.addRow(label, widget)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(checks_box)
        # the notes scroll rather than hold the window taller than a 1024x700 screen
        summary_scroll = QScrollArea()
        summary_scroll.setWidgetResizable(True)
        summary_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        summary_scroll.setWidget(summary)
        summary_scroll.setAccessibleName("Medical, training and other Stage 1 notes")
        split.addWidget(summary_scroll)
        split.setSizes([560, 260])  # the checks per person, their table and notes need the room
        s1.addWidget(split)
        pages = {
            "applicants": self.applicants,
            "household": self.household,
            "significant_others": self.others,
            "stage1": stage1,
            "lines_of_enquiry": self.lines,
            "dates": self.key_dates,
            "facts": self.facts,
            "pictures": self.pictures,
        }
        for key, title in PAGES:
            self.page_index[key] = self.stack.addWidget(pages[key])
            self.nav.addItem(title)
        self.nav.currentRowChanged.connect(self.stack.setCurrentIndex)
        self.nav.setCurrentRow(0)
        layout = QHBoxLayout(self)
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)

    # ------------------------------------------------------------------ the interface

    def set_case(self, case: Case) -> None:
        self.flush()
        self.case = case
        self.applicants.set_records(case.applicants)
        self.household.set_records(case.household)
        self.others.set_records(case.significant_others)
        self.checks_panel.set_case(case)
        self._load_agency_rules(case)
        self.lines.set_records(case.lines_of_enquiry)
        for attr, widget in self.stage1_inputs.items():
            value = getattr(case.stage1, attr)
            if isinstance(widget, OptionalDateEdit):
                widget.set_value(value)
            else:
                with QSignalBlocker(widget):
                    widget.setPlainText(value)
        self.key_dates.set_case(case)
        self.facts.set_case(case)
        self.pictures.set_case(case)
        self._applicants_changed()

    def _load_agency_rules(self, case: Case) -> None:
        """An agency's case needs the checks its own rules.yaml asks for; until they
        arrive the rules of the case shown before stand."""

        def apply(rules: TimelineRules) -> None:
            if self.case is not None and self.case.id == case.id:
                self.checks_panel.set_rules(rules)

        read_case_rules(self.ctx, self, case, apply)

    def reveal(self, target_id: str) -> None:
        """Show and focus what ``target_id`` names; unknown ids are ignored."""
        if self.case is None or not target_id:
            return
        if target_id in self.page_index:
            self.show_page(target_id)
            page = self.stack.currentWidget()
            if page is not None:
                page.setFocus()
            return
        date_input = self.key_dates.widget_for(target_id)
        if date_input is not None:
            self.show_page("dates")
            date_input.setFocus()
            return
        if target_id.startswith(CHECKS_TARGET_PREFIX):
            self.show_page("stage1")
            if not self.checks_panel.reveal_person(target_id[len(CHECKS_TARGET_PREFIX) :]):
                self.checks_panel.needs.setFocus()
            return
        if target_id in FACT_ATTRS:
            self.show_page("facts")
            self.facts.records.focus_field(target_id)
            return
        if target_id in self.facts.household_inputs:
            self.show_page("facts")
            self.facts.household_inputs[target_id].setFocus()
            return
        if target_id in SLOT_FIELDS.values():
            self.show_page("pictures")
            slot = next(s for s, f in SLOT_FIELDS.items() if f == target_id)
            self.pictures.combos[slot].setFocus()
            return
        if target_id in self.stage1_inputs:
            self.show_page("stage1")
            self.stage1_inputs[target_id].setFocus()
            return
        for key, records in (
            ("applicants", self.applicants),
            ("household", self.household),
            ("significant_others", self.others),
            ("stage1", self.checks),
            ("lines_of_enquiry", self.lines),
        ):
            if any(r.id == target_id for r in records.records):
                self.show_page(key)
                records.select(target_id)
                records.focus_field(records.fields[0].attr)
                return

    def save_place(self) -> dict[str, Any]:
        page = self.current_page()
        lists = {
            "applicants": self.applicants,
            "household": self.household,
            "significant_others": self.others,
            "stage1": self.checks,
            "lines_of_enquiry": self.lines,
        }
        record = getattr(lists.get(page), "record", None)
        return {"page": page, "record": getattr(record, "id", "")}

    def restore_place(self, place: dict[str, Any]) -> None:
        if self.case is None or not place:
            return
        if place.get("record"):
            self.reveal(str(place["record"]))
        if place.get("page") in self.page_index:
            self.show_page(str(place["page"]))

    def show_page(self, key: str) -> None:
        self.nav.setCurrentRow(self.page_index[key])

    def current_page(self) -> str:
        return next(k for k, i in self.page_index.items() if i == self.stack.currentIndex())

    def flush(self) -> None:
        self.saver.flush()

    def hideEvent(self, event: QHideEvent) -> None:
        self.flush()
        super().hideEvent(event)

    # ------------------------------------------------------------------ edits

    def _changed(self) -> None:
        if self.case is None:
            return
        case_id = self.case.id
        parts = {name: copy.deepcopy(getattr(self.case, name)) for name in DETAIL_FIELDS}
        self.saver.schedule(
            case_id, f"case_details:{case_id}", lambda vault: save_details(vault, case_id, parts)
        )

    def _add_picture(self, slot: str, path: Path) -> None:
        """Read the chosen file and keep it in the vault (DB worker), then choose it."""
        if self.case is None:
            return
        case_id = self.case.id

        def add(vault: Any) -> Any:
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise ValidationError(
                    "HomeStudy could not read that file. Check it is still "
                    "there and choose it again."
                ) from exc
            return add_picture(vault, case_id, path.name, data)

        run_db(
            self.ctx,
            self,
            add,
            lambda att: self._picture_added(case_id, slot, att),
            on_error=lambda exc: self.pictures.show_problem(error_message(exc)),
        )

    def _picture_added(self, case_id: str, slot: str, attachment: Any) -> None:
        if self.case is not None and self.case.id == case_id:
            self.pictures.picture_added(slot, attachment)

    def _stage1_edit(self, attr: str, value: Any) -> None:
        if self.case is None or getattr(self.case.stage1, attr) == value:
            return
        setattr(self.case.stage1, attr, value)
        self._changed()

    def _member_edited(self, member: HouseholdMember, attr: str) -> None:
        """An adult child living away does not live at home; the other kinds usually do."""
        if attr != "kind":
            return
        away = member.kind is HouseholdMemberKind.ADULT_CHILD_AWAY
        if member.lives_in_household == away:
            member.lives_in_household = not away
            self.household.redraw()

    def _applicants_changed(self) -> None:
        count = len(self.case.applicants) if self.case else 0
        self.applicants.add_button.setEnabled(count < 2)  # one person or a couple
        self.key_dates.update_meaning()

    # ------------------------------------------------------------------ choices

    def _first_applicant(self) -> str:
        return self.case.applicants[0].id if self.case and self.case.applicants else ""

    def _applicant_options(self) -> list[tuple[str, str]]:
        applicants = self.case.applicants if self.case else []
        return [("", "Not recorded")] + [
            (a.id, a.full_name or f"Applicant {n}") for n, a in enumerate(applicants, start=1)
        ]

    def _applicant_name(self, other: SignificantOther) -> str:
        return dict(self._applicant_options()).get(other.applicant_id, "")

    def _section_options(self) -> list[tuple[str, str]]:
        return [(s.id, s.title) for s in self.ctx.forms.par.sections]

    def _section_titles(self, line: LineOfEnquiry) -> str:
        titles = dict(self._section_options())
        return "; ".join(titles.get(s, s) for s in line.par_section_ids)
