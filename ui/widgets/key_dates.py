"""The key dates and route of a case, with what they mean for the clock.

Each date may be left empty (``OptionalDateEdit``). Below them, a plain summary of
what the dates give (Stage 2 day N of M, when the applicants must have the PAR, when
the papers go to panel) and any order that looks wrong or panel date that cannot
work; nothing is refused, as the assessor records what is.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QWidget

from homestudy.model import Case, Route, Stage
from homestudy.textutil import format_date
from homestudy.timeline import TimelineRules, build_timeline
from ui.widgets.colours import warning_style
from ui.widgets.optional_date import OptionalDateEdit

#: (Case field, label with mnemonic, accessible name), in the order of the process
DATE_FIELDS = (
    (
        "registration_of_interest_on",
        "Registration of &interest accepted:",
        "Registration of interest accepted on",
    ),
    ("stage1_started_on", "Stage 1 &started:", "Stage 1 started on"),
    ("stage1_ended_on", "Stage 1 &ended:", "Stage 1 ended on"),
    (
        "stage2_notice_on",
        "Stage 2 &notice from the applicants:",
        "Applicants' Stage 2 notice given on",
    ),
    ("provisional_panel_date", "Provisiona&l panel date:", "Provisional panel date"),
    ("panel_date", "Panel date (confir&med):", "Panel date (confirmed)"),
)
#: set only by recording it in the Export dialog (an audited record), never typed here
SHARED_FIELD = "applicant_copy_shared_on"
NOT_SHARED = (
    "Not recorded yet. Export the applicants' copy, then choose “I have shared "
    "this copy with the applicants”."
)
ROUTE_LABELS = {
    Route.STANDARD: "Standard: Stage 1, then Stage 2",
    Route.FAST_TRACK: "Fast track: approved foster carer or previous adopter, starts at Stage 2",
    Route.FOSTER_CARER_CONCURRENT: "Foster carer adopting a child in their care: "
    "Stages 1 and 2 together",
}
STAGE_LABELS = {
    Stage.STAGE_1: "Stage 1",
    Stage.GAP: "Between Stage 1 and Stage 2",
    Stage.STAGE_2: "Stage 2",
    Stage.PANEL: "Waiting for panel",
    Stage.DECISION: "Waiting for the agency decision",
    Stage.APPROVED: "Approved",
    Stage.NOT_APPROVED: "Not approved",
    Stage.CLOSED: "Closed",
}


def _combo(name: str, labels: dict[Any, str]) -> QComboBox:
    combo = QComboBox()
    combo.setAccessibleName(name)
    for value, label in labels.items():
        combo.addItem(label, value.value)
    return combo


def date_problems(case: Case) -> list[str]:
    """Dates in an order that cannot be right (shown, never refused)."""
    pairs = (
        (case.stage1_started_on, case.stage1_ended_on, "Stage 1 ends before it starts."),
        (
            case.stage2_notice_on,
            case.provisional_panel_date,
            "The provisional panel date comes before the Stage 2 notice.",
        ),
        (case.stage2_notice_on, case.panel_date, "The panel date comes before the Stage 2 notice."),
        (
            case.registration_of_interest_on,
            case.stage1_started_on,
            "Stage 1 starts before the registration of interest was accepted.",
        ),
    )
    return [message for first, second, message in pairs if first and second and second < first]


class KeyDatesPanel(QWidget):
    #: (Case field name, new value) after the user changed one
    edited = Signal(str, object)

    def __init__(self, rules: TimelineRules, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rules = rules
        self.case: Case | None = None
        self.today: date | None = None  # tests pin the day
        self.dates: dict[str, OptionalDateEdit] = {}
        form = QFormLayout(self)
        for field, label, name in DATE_FIELDS:
            edit = OptionalDateEdit(name)
            edit.date_changed.connect(lambda d, f=field: self._edit(f, d))
            self.dates[field] = edit
            form.addRow(label, edit)
            buddy = form.labelForField(edit)
            if isinstance(buddy, QLabel):
                buddy.setBuddy(edit.check)
        self.shared = QLineEdit()
        self.shared.setReadOnly(True)
        self.shared.setAccessibleName("Applicants' copy of the PAR shared on")
        self.shared.setToolTip(
            "Recorded from the Export dialog when you share the "
            "applicants' copy; it cannot be typed in."
        )
        shared_label = QLabel("Applicants' cop&y of the PAR shared:")
        shared_label.setBuddy(self.shared)
        form.addRow(shared_label, self.shared)
        self.route = _combo("Route", ROUTE_LABELS)
        self.route.activated.connect(
            lambda _i: self._edit("route", Route(self.route.currentData()))
        )
        self.stage = _combo("Stage the case is at", STAGE_LABELS)
        self.stage.activated.connect(
            lambda _i: self._edit("stage", Stage(self.stage.currentData()))
        )
        self.assessor = QLineEdit()
        self.assessor.setAccessibleName("Assessing social worker")
        self.assessor.textEdited.connect(lambda t: self._edit("assessor_name", t))
        for label, widget in (
            ("Ro&ute:", self.route),
            ("S&tage now:", self.stage),
            ("Assessing social &worker:", self.assessor),
        ):
            text = QLabel(label)
            text.setBuddy(widget)
            form.addRow(text, widget)
        self.meaning = QLabel("")
        self.meaning.setObjectName("keyDatesMeaning")
        self.meaning.setAccessibleName("What these dates mean")
        self.meaning.setWordWrap(True)
        self.problems = QLabel("")
        self.problems.setObjectName("keyDatesProblems")
        self.problems.setAccessibleName("Dates to check")
        self.problems.setWordWrap(True)
        self.problems.setStyleSheet(warning_style(self.problems))  # the text itself says it, too
        form.addRow(self.meaning)
        form.addRow(self.problems)

    def widget_for(self, field: str) -> QWidget | None:
        """The input to focus for a ``Case`` field (a readiness finding's target)."""
        edit = self.dates.get(field)
        if edit is not None:
            return edit.line
        return {
            "route": self.route,
            "stage": self.stage,
            SHARED_FIELD: self.shared,
            "assessor_name": self.assessor,
        }.get(field)

    def set_case(self, case: Case) -> None:
        self.case = case
        for field, edit in self.dates.items():
            edit.set_value(getattr(case, field), default=self._default_for(field))
        for combo, value in ((self.route, case.route), (self.stage, case.stage)):
            with QSignalBlocker(combo):
                combo.setCurrentIndex(max(0, combo.findData(value.value)))
        self.assessor.setText(case.assessor_name)
        shared = case.applicant_copy_shared_on
        self.shared.setText(
            f"{format_date(shared)} (recorded when the copy was shared)" if shared else NOT_SHARED
        )
        self.shared.setCursorPosition(0)
        self.update_meaning()

    def _default_for(self, field: str) -> date | None:
        """The day first offered when a date is ticked: the one before it, if known."""
        if self.case is None:
            return None
        order = [f for f, _l, _n in DATE_FIELDS]
        earlier = [getattr(self.case, f) for f in order[: order.index(field)]]
        known = [d for d in earlier if d is not None]
        return max(known) if known else None

    def _edit(self, field: str, value: Any) -> None:
        if self.case is None or getattr(self.case, field) == value:
            return
        setattr(self.case, field, value)
        self.update_meaning()
        self.edited.emit(field, value)

    def update_meaning(self) -> None:
        case = self.case
        if case is None:
            return
        timeline = build_timeline(case, self.rules, self.today or date.today())
        bits: list[str] = []
        if timeline.stage2_day is not None:
            day, total = timeline.stage2_day
            bits.append(f"Stage 2 day {day} of {total}.")
        for milestone_id, words in (
            ("stage2_end", "Stage 2 should end by"),
            ("par_to_applicants", "The applicants must have the PAR by"),
            ("papers_to_panel", "The papers go to panel members on"),
        ):
            milestone = timeline.get(milestone_id)
            if milestone is not None:
                bits.append(f"{words} {format_date(milestone.due)}.")
        bits.extend(gap.message for gap in timeline.gaps)
        self.meaning.setText(" ".join(bits))
        # a panel date that cannot work is said as soon as it is entered
        problems = date_problems(case) + [
            p.message for p in timeline.problems if p.code != "panel_before_stage2"
        ]
        self.problems.setText("\n".join(problems))
        self.problems.setVisible(bool(problems))
