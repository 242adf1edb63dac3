"""Statutory checks, per person, on the Case details tab's Stage 1 page.

Above, what each applicant and adult of the household still needs (worked out by
``homestudy.readiness_people`` from the agency's rules: who is an adult, where they
have lived, which checks the agency asks for) and how far each check has got.
Below, the checks themselves: whose check it is (a person, not a name typed in), its
kind, outcome, dates, the place it was for, and the manager's consideration.
"Add the checks still needed" records a pending check for each one missing, so the
assessor fills in results rather than remembering what to ask for.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from homestudy.model import Case, CheckKind, CheckOutcome, StatutoryCheck
from homestudy.readiness_people import CHECK_WORDS, NeedStatus, PersonChecks, person_checks
from homestudy.textutil import format_date
from homestudy.timeline import TimelineRules
from ui.widgets.record_list import Field, RecordList

CHECK_KINDS = {
    CheckKind.DBS: "DBS (enhanced, with barred lists)",
    CheckKind.LOCAL_AUTHORITY: "Local authority",
    CheckKind.PREVIOUS_LOCAL_AUTHORITY: "Previous local authority",
    CheckKind.OVERSEAS_POLICE: "Overseas police",
    CheckKind.PROBATION: "Probation",
    CheckKind.HEALTH: "Health",
    CheckKind.OTHER: "Other",
}
OUTCOMES = {
    CheckOutcome.PENDING: "Pending",
    CheckOutcome.CLEAR: "Clear",
    CheckOutcome.INFORMATION_DISCLOSED: "Information disclosed",
    CheckOutcome.NOT_APPLICABLE: "Not applicable",
}
STATUS_WORDS = {
    NeedStatus.MISSING: "Not recorded",
    NeedStatus.PENDING: "Pending",
    NeedStatus.UNDATED: "Result not dated",
    NeedStatus.NOT_CONSIDERED: "Not yet considered by the manager",
    NeedStatus.DONE: "Done",
}
_ID = Qt.ItemDataRole.UserRole


def _sentence(words: str) -> str:
    """ "Enhanced DBS check" (capitalize() would lower the DBS)."""
    return words[0].upper() + words[1:]


def _labels(labels: dict[Any, str]) -> Callable[[], list[tuple[str, str]]]:
    return lambda: [(k.value, v) for k, v in labels.items()]


class StatutoryChecksPanel(QWidget):
    #: a check was added, removed or edited (the view saves)
    changed = Signal()

    def __init__(
        self, rules: TimelineRules, spelling: Any = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.rules = rules
        self.case: Case | None = None
        self.today: date | None = None  # tests pin the day
        self.people: list[PersonChecks] = []
        self.setAccessibleName("Statutory checks")

        self.needs = QTreeWidget()
        self.needs.setAccessibleName("Checks each person needs")
        self.needs.setHeaderLabels(["Person", "Check", "Where it stands"])
        self.needs.setRootIsDecorated(False)
        self.needs.setColumnWidth(0, 230)
        self.needs.setColumnWidth(1, 300)
        self.needs.itemActivated.connect(self._need_activated)
        self.needs.setMinimumHeight(60)  # the page scrolls in the splitter on small screens
        self.summary = QLabel()
        self.summary.setObjectName("checksSummary")
        self.summary.setAccessibleName("Statutory checks still outstanding")
        self.summary.setWordWrap(True)
        self.add_needed = QPushButton("Add the checks still &needed")
        self.add_needed.setAccessibleName("Add the checks still needed")
        self.add_needed.clicked.connect(self.add_missing)

        self.records = RecordList(
            "statutory check",
            [
                ("Whose", self._person_name),
                ("Check", lambda c: CHECK_KINDS[c.kind]),
                ("Outcome", lambda c: OUTCOMES[c.outcome]),
                ("Result on", lambda c: format_date(c.completed_on)),
                ("Considered", lambda c: format_date(c.considered_on)),
            ],
            [
                Field("person_id", "&Whose check:", "Whose check", "choice", self._people_options),
                Field(
                    "kind",
                    "&Type of check:",
                    "Type of check",
                    "choice",
                    _labels(CHECK_KINDS),
                    CheckKind,
                ),
                Field(
                    "place",
                    "&For (area or country):",
                    "Previous area or country it is for",
                    placeholder="a previous local authority, or the country lived in",
                ),
                Field(
                    "outcome",
                    "O&utcome:",
                    "Outcome of the check",
                    "choice",
                    _labels(OUTCOMES),
                    CheckOutcome,
                ),
                Field("requested_on", "Re&quested on:", "Check requested on", "date"),
                Field("completed_on", "Result rece&ived on:", "Result received on", "date"),
                Field(
                    "considered_by",
                    "Considered &by (manager):",
                    "Manager who considered the result",
                ),
                Field("considered_on", "Conside&red on:", "Result considered on", "date"),
                Field(
                    "notes", "Not&es (confidential):", "Notes on the check (confidential)", "notes"
                ),
            ],
            self._new_check,
            spelling,
            add_text="&Add check",
            remove_text="Re&move check",
        )
        self.records.edited.connect(self._edited)
        self.records.changed.connect(self._records_changed)

        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.add_needed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        split = QSplitter(Qt.Orientation.Vertical)
        split.setChildrenCollapsible(False)
        split.addWidget(self.needs)
        split.addWidget(self.records)
        split.setSizes([160, 340])
        layout.addWidget(split, 1)

    # ------------------------------------------------------------------ the case

    def set_case(self, case: Case) -> None:
        self.case = case
        self.records.set_records(case.stage1.checks)
        self.refresh_needs()

    def set_rules(self, rules: TimelineRules) -> None:
        """The rules that say who needs which check (the case's agency's, once known)."""
        if rules != self.rules:
            self.rules = rules
            self.refresh_needs()

    def refresh_needs(self) -> None:
        """Work out again what each person needs (after any edit on this tab)."""
        if self.case is None:
            return
        self.people = person_checks(self.case, self.rules, self.today or date.today())
        self.needs.clear()
        names = dict(self._people_options())
        outstanding = 0
        # what is still outstanding first, then what is done, each in person order
        ordered = sorted(
            ((p, st) for p in self.people for st in p.states),
            key=lambda ps: ps[1].status is NeedStatus.DONE,
        )
        for person, state in ordered:
            item = QTreeWidgetItem(
                self.needs,
                [
                    names.get(person.person_id, person.label),
                    _sentence(CHECK_WORDS[state.need.kind]) + self._place(state.need.place),
                    STATUS_WORDS[state.status],
                ],
            )
            item.setData(
                0,
                _ID,
                (
                    person.person_id,
                    state.need.kind.value,
                    state.need.place,
                    state.check.id if state.check else "",
                ),
            )
            item.setToolTip(1, f"Needed because they {state.need.why}.")
            outstanding += state.status is not NeedStatus.DONE
        missing = sum(1 for p in self.people for s in p.states if s.status is NeedStatus.MISSING)
        self.add_needed.setEnabled(missing > 0)
        not_recorded = f", {missing} of them not yet recorded" if missing else ""
        self.summary.setText(
            "Every check needed is done."
            if not outstanding
            else f"Checks still outstanding: {outstanding}{not_recorded}."
        )

    @staticmethod
    def _place(place: str) -> str:
        return f" ({place})" if place else ""

    def add_missing(self) -> None:
        """Record a pending check for each check needed that is not recorded yet."""
        if self.case is None:
            return
        names = dict(self._people_options())
        added = [
            StatutoryCheck(
                state.need.kind,
                names.get(p.person_id, ""),
                person_id=p.person_id,
                place=state.need.place,
            )
            for p in self.people
            for state in p.states
            if state.status is NeedStatus.MISSING
        ]
        if not added:
            return
        self.case.stage1.checks.extend(added[:-1])
        self.records.append(added[-1])  # selects it and emits changed (one save)

    def reveal_person(self, person_id: str) -> bool:
        """Select the first outstanding need of ``person_id`` (a finding's target)."""
        for i in range(self.needs.topLevelItemCount()):
            item = self.needs.topLevelItem(i)
            if item is None:
                continue
            if item.data(0, _ID)[0] == person_id and item.text(2) != STATUS_WORDS[NeedStatus.DONE]:
                self.needs.setCurrentItem(item)
                self.needs.setFocus()
                return True
        return False

    # ------------------------------------------------------------------ edits

    def _need_activated(self, item: QTreeWidgetItem, _column: int) -> None:
        """Enter or double-click on a need: open its check, or record it."""
        person_id, kind, place, check_id = item.data(0, _ID)
        if check_id:
            self.records.select(check_id)
            self.records.focus_field("outcome")
            return
        names = dict(self._people_options())
        self.records.append(
            StatutoryCheck(
                CheckKind(kind), names.get(person_id, ""), person_id=person_id, place=place
            )
        )

    def _edited(self, check: StatutoryCheck, attr: str) -> None:
        if attr == "person_id":  # keep the name beside the id, for display and exports
            check.subject = dict(self._people_options()).get(check.person_id, check.subject)
            self.records.redraw()

    def _records_changed(self) -> None:
        self.refresh_needs()
        self.changed.emit()

    def _new_check(self) -> StatutoryCheck:
        first = self.people[0].person_id if self.people else ""
        return StatutoryCheck(
            CheckKind.DBS, dict(self._people_options()).get(first, ""), person_id=first
        )

    def _people_options(self) -> list[tuple[str, str]]:
        """Whose check: the applicants and everyone living in the household."""
        if self.case is None:
            return []
        options = [("", "Not linked to anyone yet")]
        for n, a in enumerate(self.case.applicants, start=1):
            options.append((a.id, a.full_name or f"Applicant {n}"))
        for n, m in enumerate(self.case.household, start=1):
            if m.lives_in_household:
                options.append((m.id, m.name or f"Household member {n}"))
        return options

    def _person_name(self, check: StatutoryCheck) -> str:
        return dict(self._people_options()).get(check.person_id) or (
            f"{check.subject} (not linked)" if check.subject else "Not linked"
        )
