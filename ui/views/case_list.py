"""The case list: every case in the vault with its clock, visits and readiness.

The rows are computed on the DB worker (``load_rows``): each case is loaded and
assessed there, so the GUI thread only draws ready-made figures.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QRegularExpression,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from homestudy.sync.linking import NOT_LINKED, agency_label, agency_names
from homestudy.textutil import format_date
from ui.context import AppContext
from ui.operations import run_db


@dataclass(frozen=True)
class CaseRow:
    case_id: str
    reference: str
    applicants: str
    stage2_day: tuple[int, int] | None
    visits_done: int
    visits_planned: int
    blockers: int
    warnings: int
    archived_on: date | None = None  # shown instead of the clock in the archived list
    agency: str = NOT_LINKED  # the agency's name, or "Not linked to an agency"

    @property
    def clock_text(self) -> str:
        if self.archived_on is not None:
            return f"Archived {format_date(self.archived_on)}"
        if self.stage2_day is None:
            return "Not in Stage 2"
        day, total = self.stage2_day
        if day > total:
            return f"Stage 2 day {day} of {total} (over time)"
        return f"Stage 2 day {day} of {total}"

    @property
    def visits_text(self) -> str:
        return f"{self.visits_done} of {self.visits_planned} done"

    @property
    def readiness_text(self) -> str:
        if self.blockers < 0:
            return "Checking…"
        if self.blockers == 0:
            return "Ready for panel" if self.warnings == 0 else f"Ready ({self.warnings} to check)"
        return f"{self.blockers} blocking" if self.blockers > 1 else "1 blocking"


def _clock(summary: Any, today: date, rules: Any) -> tuple[int, int] | None:
    from homestudy.model import Case
    from homestudy.timeline import stage2_progress

    # the clock needs only these fields: no need to load the whole case for it
    light = Case(
        reference=summary.reference,
        id=summary.id,
        stage=summary.stage,
        route=summary.route,
        stage1_started_on=summary.stage1_started_on,
        stage2_notice_on=summary.stage2_notice_on,
    )
    return stage2_progress(light, today, rules)


def summary_rows(
    vault: Any,
    rules: Any,
    today: date,
    archived: bool = False,
) -> list[CaseRow]:
    """Run on the DB worker: the rows from the cases' summaries alone (fast, whatever
    the number of cases); readiness is -1 ("Checking…") until ``assessed_rows``."""
    names = agency_names(vault)
    return [
        CaseRow(
            case_id=s.id,
            reference=s.reference,
            applicants=s.applicant_names,
            stage2_day=_clock(s, today, rules),
            visits_done=s.visits_done,
            visits_planned=s.visits_planned,
            blockers=-1,
            warnings=-1,
            archived_on=s.archived_at.astimezone().date() if s.archived_at else None,
            agency=agency_label(names, s.agency_profile_id),
        )
        for s in vault.cases.list_cases(archived=archived)
    ]


def assessed_rows(
    vault: Any, rows: list[CaseRow], rules: Any, forms: Any, today: date, settings: Any = None
) -> list[CaseRow]:
    """Run on the DB worker: ``rows`` with their readiness figures (each case loaded).
    With ``settings``, each case is judged by its own agency's rules and forms."""
    from dataclasses import replace

    from homestudy.errors import NotFoundError
    from homestudy.readiness import Severity, assess_readiness
    from homestudy.readiness_settings import forms_for_case, rules_for_case
    from homestudy.timeline import stage2_progress

    out = []
    for row in rows:
        try:
            case = vault.cases.load_case(row.case_id)
        except NotFoundError:  # deleted meanwhile (by sync, say): the next refresh drops it
            continue
        case_rules, case_forms = rules, forms
        if settings is not None and case.agency_profile_id:
            case_rules = rules_for_case(vault, case, settings)
            case_forms = forms_for_case(vault, case)
        findings = assess_readiness(case, case_forms, case_rules, today)
        out.append(
            replace(
                row,
                stage2_day=stage2_progress(case, today, case_rules),
                blockers=sum(f.severity is Severity.BLOCKER for f in findings),
                warnings=sum(f.severity is Severity.WARNING for f in findings),
            )
        )
    return out


def load_rows(
    vault: Any,
    rules: Any,
    forms: Any,
    today: date,
    assess: bool = True,
    archived: bool = False,
    settings: Any = None,
) -> list[CaseRow]:
    """Run on the DB worker: one row per case; readiness assessed unless ``assess`` is
    False (then blockers and warnings are -1: the list shows first, readiness after).
    ``archived`` lists the archived cases instead of the current ones."""
    rows = summary_rows(vault, rules, today, archived)
    return assessed_rows(vault, rows, rules, forms, today, settings) if assess else rows


#: cases assessed per DB job: small, so a case opened meanwhile waits for one job only
ASSESS_CHUNK = 4


COLUMNS = ("Reference", "Applicants", "Agency", "Stage 2 clock", "Visits", "Readiness")
AGENCY_COLUMN = 2
ALL_AGENCIES = "All agencies"


class CaseListModel(QAbstractTableModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[CaseRow] = []

    def set_rows(self, rows: list[CaseRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def clear(self) -> None:
        self.set_rows([])

    def update_some(self, rows: list[CaseRow]) -> None:
        """New figures for some of the cases shown (by case id); the rest stay."""
        by_id = {r.case_id: r for r in rows}
        for n, old in enumerate(self.rows):
            new = by_id.get(old.case_id)
            if new is not None:
                self.rows[n] = new
                self.dataChanged.emit(self.index(n, 0), self.index(n, len(COLUMNS) - 1))

    def update_rows(self, rows: list[CaseRow]) -> None:
        """New figures for the same cases keep the selection; otherwise a reset."""
        if [r.case_id for r in rows] != [r.case_id for r in self.rows]:
            self.set_rows(rows)
            return
        self.rows = list(rows)
        if rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(rows) - 1, len(COLUMNS) - 1))

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return (
                row.reference,
                row.applicants,
                row.agency,
                row.clock_text,
                row.visits_text,
                row.readiness_text,
            )[col]
        if role == Qt.ItemDataRole.UserRole:  # sort keys
            day = row.stage2_day[0] if row.stage2_day else -1
            return (row.reference, row.applicants, row.agency, day, row.visits_done, row.blockers)[
                col
            ]
        if role == Qt.ItemDataRole.ToolTipRole and col == len(COLUMNS) - 1:
            return f"{row.blockers} blocking, {row.warnings} to check"
        return None

    def case_id(self, row: int) -> str:
        return self.rows[row].case_id


class CaseListView(QWidget):
    """Emits ``open_case(case_id)``; ``new_case_requested`` and ``assignment_requested``."""

    open_case = Signal(str)
    new_case_requested = Signal()
    assignment_requested = Signal()
    loaded = Signal()  # the rows are shown (readiness may still say "Checking…")
    assessed = Signal()  # readiness figures are in

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("caseListView")
        self.model = CaseListModel(self)
        self._generation = 0
        self._assess_round = 0
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(Qt.ItemDataRole.UserRole)
        self.proxy.setFilterKeyColumn(AGENCY_COLUMN)
        self.proxy.setFilterRole(Qt.ItemDataRole.DisplayRole)
        self.table = QTableView(self)
        self.table.setObjectName("caseTable")
        self.table.setAccessibleName("Cases")
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setAlternatingRowColors(True)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table for the buttons
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.activated.connect(self._activated)

        title = QLabel("Cases", self)
        self.title = title
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        title.setFont(font)
        self.status = QLabel("", self)
        self.status.setObjectName("caseListStatus")
        self.open_button = QPushButton("&Open", self)
        self.open_button.setAccessibleName("Open the selected case")
        self.new_button = QPushButton("&New case…", self)
        self.new_button.setAccessibleName("New case")
        self.assignment_button = QPushButton("From agenc&y assignment…", self)
        self.assignment_button.setAccessibleName("New case from an agency assignment")
        self.assignment_button.setVisible(_agency_dialog_available())
        self.open_button.clicked.connect(self._open_selected)
        self.new_button.clicked.connect(self.new_case_requested)
        self.assignment_button.clicked.connect(self.assignment_requested)

        self.show_archived = QCheckBox("Show a&rchived cases", self)
        self.show_archived.setObjectName("showArchived")
        self.show_archived.setToolTip(
            "Archived cases are kept, searchable and exportable, "
            "but not in the list of current cases."
        )
        self.show_archived.toggled.connect(self._archived_toggled)
        self.agency_filter = QComboBox(self)
        self.agency_filter.setObjectName("agencyFilter")
        self.agency_filter.setAccessibleName("Show the cases of")
        self.agency_filter.addItem(ALL_AGENCIES)
        self.agency_filter.currentTextChanged.connect(self._filter_agency)
        agency_label_widget = QLabel("&Agency:", self)
        agency_label_widget.setBuddy(self.agency_filter)

        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.show_archived)
        buttons.addWidget(agency_label_widget)
        buttons.addWidget(self.agency_filter)
        buttons.addStretch(1)
        buttons.addWidget(self.assignment_button)
        buttons.addWidget(self.new_button)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self._layout = layout
        self.setTabOrder(self.table, self.open_button)
        self.setTabOrder(self.open_button, self.show_archived)
        self.setTabOrder(self.show_archived, self.agency_filter)
        self.setTabOrder(self.agency_filter, self.assignment_button)
        self.setTabOrder(self.assignment_button, self.new_button)

    def add_panel(self, title: str, widget: QWidget) -> None:
        """A box under the list (the agencies and sync panel)."""
        box = QGroupBox(title, self)
        QVBoxLayout(box).addWidget(widget)
        self._layout.addWidget(box)

    def refresh(self, today: date | None = None) -> None:
        """Reload the rows on the DB worker; ``loaded`` fires when they are shown."""
        ctx, day = self.ctx, today or date.today()
        archived = self.show_archived.isChecked()
        self.status.setText("Loading cases…")

        def rows(vault: Any) -> list[CaseRow]:
            from homestudy.timeline import TimelineRules

            return summary_rows(vault, TimelineRules.from_settings(ctx.settings), day, archived)

        self._assess_round += 1  # a chain of assessments still running stops
        generation = self._generation
        # the list first (from the summaries), then readiness a few cases at a time
        run_db(ctx, self, rows, lambda result: self._show(result, generation, day))

    def _assess(self, pending: list[CaseRow], generation: int, day: date) -> None:
        """Readiness for the next few rows, then the next few: one short DB job at a
        time, so opening a case meanwhile is not stuck behind all of them."""
        if generation != self._generation:
            return
        if not pending:
            self.assessed.emit()
            return
        ctx, chunk, rest = self.ctx, pending[:ASSESS_CHUNK], pending[ASSESS_CHUNK:]
        round_ = self._assess_round

        def figures(vault: Any) -> list[CaseRow]:
            from homestudy.timeline import TimelineRules

            rules = TimelineRules.from_settings(ctx.settings)
            return assessed_rows(vault, chunk, rules, ctx.forms, day, ctx.settings)

        def done(rows: list[CaseRow]) -> None:
            if generation == self._generation and round_ == self._assess_round:
                self.model.update_some(rows)
                self._assess(rest, generation, day)

        run_db(ctx, self, figures, done)

    def _show(self, rows: list[CaseRow], generation: int, day: date | None = None) -> None:
        if generation != self._generation:
            return  # asked for before a lock: never refill a locked screen
        self.model.set_rows(rows)
        self._fill_agency_filter(rows)
        count = len(rows)
        if self.show_archived.isChecked():
            self.status.setText(
                "No archived cases."
                if count == 0
                else f"{count} archived case" + ("" if count == 1 else "s")
            )
        else:
            self.status.setText(
                "No cases yet. Make a new case to begin."
                if count == 0
                else f"{count} case" + ("" if count == 1 else "s")
            )
        if count and not self.table.currentIndex().isValid():
            self.table.selectRow(0)
        self.loaded.emit()
        self._assess(list(rows), generation, day or date.today())

    def clear(self) -> None:
        """Drop every row (on lock); results of loads already under way are ignored."""
        self._generation += 1
        self.model.clear()
        self.status.clear()

    def focus_table(self) -> None:
        self.table.setFocus()

    def selected_row(self) -> CaseRow | None:
        """The case the user has selected in the list, if any."""
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        return self.model.rows[self.proxy.mapToSource(index).row()]

    def _fill_agency_filter(self, rows: list[CaseRow]) -> None:
        """The agencies of the cases listed (and "Not linked"), keeping the choice."""
        chosen = self.agency_filter.currentText()
        names = sorted({r.agency for r in rows} - {NOT_LINKED})
        if any(r.agency == NOT_LINKED for r in rows):
            names.append(NOT_LINKED)
        self.agency_filter.blockSignals(True)
        self.agency_filter.clear()
        self.agency_filter.addItems([ALL_AGENCIES, *names])
        self.agency_filter.setCurrentIndex(max(0, self.agency_filter.findText(chosen)))
        self.agency_filter.blockSignals(False)
        self._filter_agency(self.agency_filter.currentText())

    def _filter_agency(self, name: str) -> None:
        if name == ALL_AGENCIES or not name:
            self.proxy.setFilterRegularExpression("")
        else:
            self.proxy.setFilterRegularExpression(
                QRegularExpression(f"^{QRegularExpression.escape(name)}$")
            )

    def _archived_toggled(self, on: bool) -> None:
        self.title.setText("Archived cases" if on else "Cases")
        self._generation += 1  # rows of the other list, still loading, are not shown
        self.model.clear()
        self.refresh()

    def _activated(self, index: QModelIndex) -> None:
        source = self.proxy.mapToSource(index)
        self.open_case.emit(self.model.case_id(source.row()))

    def _open_selected(self) -> None:
        index = self.table.currentIndex()
        if index.isValid():
            self._activated(index)


def _agency_dialog_available() -> bool:
    return importlib.util.find_spec("ui.views.agency_dialog") is not None
