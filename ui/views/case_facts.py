"""Two pages of the Case details tab: the Schedule 4 facts for Part 2 of the PAR, and
the pictures the report shows (photograph, family tree, eco-map).

Both edit the shared ``Case`` in place and emit ``changed``; the Case details view
saves (``save_details``). The facts are the applicants' own (every copy prints them).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from homestudy.labels import label
from homestudy.model import Case, MaritalStatus
from homestudy.report.extras import SLOT_FIELDS, SLOT_LABELS, picture_attachments
from homestudy.textutil import format_date
from ui.widgets.markdown_editor import MarkdownEditor
from ui.widgets.record_list import Field, RecordList

NONE = "No picture"
PICTURE_FILTER = "Pictures (*.png *.jpg *.jpeg *.PNG *.JPG *.JPEG)"
SHARED_NOTE = (
    "These are the applicants' own facts: every copy of the PAR prints them in "
    "Part 2, the applicants' copy too."
)
PICTURES_NOTE = (
    "The photograph goes on the front sheet, the family tree in its section and "
    "the eco-map under Social and support networks. The applicants' copy has "
    "them too: they are the family's own."
)


def _marital_options() -> list[tuple[str, str]]:
    return [("", "Not recorded")] + [(m.value, label(m)) for m in MaritalStatus if m.value]


def _yes_no_unknown() -> list[tuple[str, str]]:
    return [("", "Not recorded"), ("yes", "Yes"), ("no", "No")]


def _to_bool(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def _from_bool(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


FACT_FIELDS = [
    Field(
        "previous_names",
        "Pre&vious names:",
        "Previous names",
        "words",
        placeholder="separated by commas",
    ),
    Field("place_of_birth", "Place of &birth:", "Place of birth"),
    Field("sex", "Se&x:", "Sex"),
    Field("nationality", "Nationalit&y:", "Nationality"),
    Field("address", "&Address:", "Address"),
    Field("address_since", "At this address si&nce:", "Living at this address since", "date"),
    Field("local_authority_area", "Local aut&hority area:", "Local authority area"),
    Field("area_since", "In the area sinc&e:", "Living in this local authority area since", "date"),
    Field(
        "domiciled_in_british_islands",
        "&Domiciled in the British Islands:",
        "Domiciled in the British Islands",
        "choice",
        _yes_no_unknown,
        _to_bool,
        to_option=_from_bool,
    ),
    Field(
        "habitually_resident_since",
        "Habitually &resident in the British Islands since:",
        "Habitually resident in the British Islands since",
        "date",
    ),
    Field(
        "marital_status",
        "&Marital or partnership status:",
        "Marital or partnership status",
        "choice",
        _marital_options,
        MaritalStatus,
    ),
    Field(
        "marriage_date",
        "Date of marria&ge or civil partnership:",
        "Date of marriage or civil partnership",
        "date",
    ),
    Field(
        "marriage_place",
        "&Place of marriage or civil partnership:",
        "Place of marriage or civil partnership",
    ),
    Field(
        "previous_relationships",
        "Previous marriages and relationship&s:",
        "Previous marriages, civil partnerships and relationships",
        "notes",
    ),
    Field(
        "applying_alone_reason",
        "Married and applying a&lone, the reasons:",
        "Reasons a married person or civil partner is applying alone",
        "notes",
        placeholder="only if married or in a civil partnership",
    ),
    Field(
        "family_court_proceedings",
        "Previous &family court proceedings:",
        "Previous family court proceedings",
        "notes",
        placeholder="say “None” if none",
    ),
    Field("gp_name", "GP's na&me:", "GP's name"),
    Field("gp_address", "GP's address:", "GP's address"),
]


class FactsPanel(QWidget):
    """Schedule 4 facts: per applicant, then the household's accommodation and finances."""

    changed = Signal()

    def __init__(self, spelling: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.case: Case | None = None
        self.records = RecordList(
            "applicant",
            [
                ("Applicant", lambda a: a.full_name or "New applicant"),
                ("Place of birth", lambda a: a.place_of_birth),
                ("Local authority area", lambda a: a.local_authority_area),
            ],
            FACT_FIELDS,
            lambda: None,
            spelling,
        )
        self.records.setAccessibleName("Schedule 4 facts of each applicant")
        self.records.add_button.hide()  # applicants are added on the Applicants page
        self.records.remove_button.hide()
        self.accommodation = MarkdownEditor(spelling, "Accommodation")
        self.finances = MarkdownEditor(spelling, "Income and finances")
        self.household_inputs = {"accommodation": self.accommodation, "finances": self.finances}
        for attr, editor in self.household_inputs.items():
            editor.textChanged.connect(lambda a=attr, e=editor: self._edit(a, e.toPlainText()))
        self.records.changed.connect(self.changed)

        note = QLabel(SHARED_NOTE)
        note.setWordWrap(True)
        household = QGroupBox("The household")
        form = QFormLayout(household)
        for text, editor in (
            ("Acco&mmodation:", self.accommodation),
            ("Income and fi&nances:", self.finances),
        ):
            caption = QLabel(text)
            caption.setBuddy(editor)
            form.addRow(caption, editor)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.records)
        split.addWidget(household)
        split.setSizes([620, 200])
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(split, 1)

    def set_case(self, case: Case) -> None:
        self.case = case
        self.records.set_records(case.applicants)
        for attr, editor in self.household_inputs.items():
            with QSignalBlocker(editor):
                editor.setPlainText(getattr(case, attr))

    def refresh(self) -> None:
        """Show the applicants again (one was added, removed or renamed elsewhere)."""
        if self.case is not None:
            selected = getattr(self.records.record, "id", "")
            self.records.set_records(self.case.applicants, selected)

    def _edit(self, attr: str, value: str) -> None:
        if self.case is None or getattr(self.case, attr) == value:
            return
        setattr(self.case, attr, value)
        self.changed.emit()


class PicturesPanel(QWidget):
    """A choice of the case's pictures for each place in the report, and a way to add
    one from a file. ``add_picture(slot, path)`` is asked of the view (it owns the
    vault work); it calls ``picture_added`` when the attachment is stored."""

    changed = Signal()

    def __init__(
        self, add_picture: Callable[[str, Path], None], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.case: Case | None = None
        self._add_picture = add_picture
        self.combos: dict[str, QComboBox] = {}
        self.add_buttons: dict[str, QPushButton] = {}
        note = QLabel(PICTURES_NOTE)
        note.setWordWrap(True)
        form = QFormLayout()
        mnemonics = {
            "photograph": "&Photograph of the applicants:",
            "family_tree": "Famil&y tree:",
            "ecomap": "&Eco-map:",
        }
        for slot in SLOT_FIELDS:
            combo = QComboBox()
            combo.setAccessibleName(SLOT_LABELS[slot])
            combo.activated.connect(lambda _i, s=slot: self._chosen(s))
            add = QPushButton("Add from a file…")
            add.setAccessibleName(f"Add {SLOT_LABELS[slot].lower()} from a file")
            add.clicked.connect(lambda _c=False, s=slot: self._ask_for_file(s))
            row = QHBoxLayout()
            row.addWidget(combo, 1)
            row.addWidget(add)
            caption = QLabel(mnemonics[slot])
            caption.setBuddy(combo)
            form.addRow(caption, row)
            self.combos[slot], self.add_buttons[slot] = combo, add
        self.status = QLabel("")
        self.status.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addStretch(1)

    def set_case(self, case: Case) -> None:
        self.case = case
        self.status.setText("")
        self.redraw()

    def redraw(self) -> None:
        if self.case is None:
            return
        pictures = picture_attachments(self.case)
        for slot, combo in self.combos.items():
            chosen = getattr(self.case, SLOT_FIELDS[slot])
            with QSignalBlocker(combo):
                combo.clear()
                combo.addItem(NONE, "")
                for att in pictures:
                    combo.addItem(f"{att.name} (added {format_date(att.added_at.date())})", att.id)
                combo.setCurrentIndex(max(0, combo.findData(chosen)))

    def choose(self, slot: str, attachment_id: str) -> None:
        """Put attachment ``attachment_id`` ("" none) in ``slot``, as the worker would."""
        combo = self.combos[slot]
        combo.setCurrentIndex(max(0, combo.findData(attachment_id)))
        self._chosen(slot)

    def picture_added(self, slot: str, attachment: Any) -> None:
        if self.case is None:
            return
        self.case.attachments.append(attachment)
        self.redraw()
        self.choose(slot, attachment.id)
        self.status.setText(f"Added {attachment.name}.")

    def show_problem(self, message: str) -> None:
        self.status.setText(message)

    def _chosen(self, slot: str) -> None:
        if self.case is None:
            return
        value = str(self.combos[slot].currentData() or "")
        if getattr(self.case, SLOT_FIELDS[slot]) != value:
            setattr(self.case, SLOT_FIELDS[slot], value)
            self.changed.emit()

    def _ask_for_file(self, slot: str) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, f"Add {SLOT_LABELS[slot].lower()}", "", PICTURE_FILTER
        )
        if path:
            self._add_picture(slot, Path(path))
