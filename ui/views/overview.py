"""The case overview: the clock, next deadlines, the work so far and what blocks panel.

The figures are computed off the GUI thread (``build_overview``, pure); every list
entry carries a location (docs/DESIGN.md "UI API") and activating it (Enter or a
double click) emits ``location_activated`` so the workspace can open the right tab.
"""

from __future__ import annotations

import copy
import html
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QLabel,
    QProgressBar,
    QScrollArea,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from homestudy.model import Case, ContactStatus, SectionStatus
from homestudy.textutil import format_date
from homestudy.timeline import MilestoneStatus, TimelineRules, build_timeline
from ui.context import AppContext
from ui.operations import run_db, run_job

LOCATION_ROLE = Qt.ItemDataRole.UserRole

_STATUS_WORDS = {
    SectionStatus.NOT_STARTED: "Not started",
    SectionStatus.DRAFTING: "Drafting",
    SectionStatus.READY_FOR_REVIEW: "Ready for review",
    SectionStatus.COMPLETE: "Complete",
}
_CONTACT_WORDS = {
    ContactStatus.NOT_CONTACTED: "not contacted",
    ContactStatus.REQUESTED: "requested",
    ContactStatus.WRITTEN_RECEIVED: "written reference in",
    ContactStatus.INTERVIEWED: "interviewed",
    ContactStatus.NOT_CONTACTED_AGREED: "not contacted (agreed)",
    ContactStatus.DECLINED: "declined",
}


@dataclass
class Entry:
    """One line of a list on the overview, and where activating it goes."""

    columns: tuple[str, ...]
    location: str = ""
    tip: str = ""


@dataclass
class OverviewData:
    clock_text: str = "The Stage 2 clock has not started."
    clock_value: tuple[int, int] | None = None
    deadlines: list[Entry] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)
    findings: list[Entry] = field(default_factory=list)
    readiness_text: str = ""
    visits_text: str = ""
    visits: list[Entry] = field(default_factory=list)
    references_text: str = ""
    checklists: list[Entry] = field(default_factory=list)
    par_text: str = ""
    par_sections: list[Entry] = field(default_factory=list)


def review_summary(vault: Any, case_id: str) -> str:
    """ "N review comments from the agency are not resolved yet ..." for the PAR box, or
    '' when there are none open: the comments themselves sit beside their sections."""
    from homestudy.sync.inbound import review_comments

    open_ones = [c for c in review_comments(vault, case_id) if not c.resolved]
    if not open_ones:
        return ""
    n = len(open_ones)
    what = (
        "One review comment from the agency is"
        if n == 1
        else (f"{n} review comments from the agency are")
    )
    return f" {what} not resolved yet: see the Review tab beside each section of the PAR."


def build_overview(case: Case, forms: Any, rules: TimelineRules, today: date) -> OverviewData:
    """Everything the overview shows, worked out from the case (no I/O, no Qt)."""
    from homestudy.readiness import Severity, assess_readiness

    data = OverviewData()
    timeline = build_timeline(case, rules, today)
    if timeline.stage2_day is not None:
        day, total = timeline.stage2_day
        data.clock_value = (min(day, total), total)
        over = " (over time)" if day > total else ""
        data.clock_text = f"Stage 2 day {day} of {total}{over}"
    for m in timeline.next_deadlines(4):
        due = format_date(m.due)
        if m.status is not MilestoneStatus.UPCOMING:
            due += f" ({m.status.value})"
        data.deadlines.append(Entry((due, m.title, m.reason), "", m.reason))
    data.gaps = [g.message for g in timeline.gaps]

    order = {Severity.BLOCKER: 0, Severity.WARNING: 1, Severity.NOTE: 2}
    findings = sorted(
        assess_readiness(case, forms, rules, today), key=lambda f: order[f.severity]
    )  # most severe first (stable)
    words = {Severity.BLOCKER: "Blocks panel", Severity.WARNING: "To check", Severity.NOTE: "Note"}
    for f in findings:
        area = f.fix_at.area
        location = f"{area}:{f.fix_at.target}" if f.fix_at.target else area
        data.findings.append(Entry((words[f.severity], f.message), location, f.message))
    blockers = sum(f.severity is Severity.BLOCKER for f in findings)
    data.readiness_text = (
        "Nothing blocks this case going to panel."
        if blockers == 0
        else f"{blockers} thing{'s' if blockers > 1 else ''} must be done before panel."
    )

    done = case.visits_done
    data.visits_text = f"{done} of {len(case.visits)} visits done (at least {rules.min_visits})."
    for v in sorted(case.visits, key=lambda v: v.sequence):
        when = (
            f"done {format_date(v.done_date)}"
            if v.is_done
            else (f"planned {format_date(v.planned_date)}" if v.planned_date else "not yet dated")
        )
        data.visits.append(Entry((f"{v.sequence}. {v.title}", when), f"visits:{v.id}"))

    by_status = Counter(r.contact_status for r in case.references)
    parts = [f"{n} {_CONTACT_WORDS[s]}" for s, n in by_status.items()]
    data.references_text = (
        f"{len(case.references)} referees: " + ", ".join(parts) + "."
        if case.references
        else "No referees recorded yet."
    )

    data.checklists = _checklists(case, forms)

    sections = forms.par.sections
    total_words = 0
    status_counts: Counter[SectionStatus] = Counter()
    for s in sections:
        draft = case.par_sections.get(s.id)
        status = draft.status if draft else SectionStatus.NOT_STARTED
        count = draft.word_count if draft else 0
        total_words += count
        status_counts[status] += 1
        flag = "" if s.required else " (optional)"
        data.par_sections.append(
            Entry((s.title + flag, _STATUS_WORDS[status], f"{count:,}"), f"par:{s.id}")
        )
    summary = ", ".join(f"{status_counts[s]} {_STATUS_WORDS[s].lower()}" for s in SectionStatus)
    data.par_text = f"{total_words:,} words in {len(sections)} sections: {summary}."
    return data


def _checklists(case: Case, forms: Any) -> list[Entry]:
    from homestudy.forms import completeness

    entries: list[Entry] = []
    form = forms.get("health_safety")
    entries.append(
        _form_entry(
            form.title, completeness(form, case.answers_for(form.id)), f"checklists:{form.id}"
        )
    )
    pets = forms.get("pet_assessment")
    for animal in case.animals:
        result = completeness(pets, case.answers_for(pets.id, animal.id), animal.id)
        entries.append(
            _form_entry(f"{pets.title}: {animal.name}", result, f"checklists:{animal.id}")
        )
    return entries


def _form_entry(title: str, result: Any, location: str) -> Entry:
    missing, actions = len(result.missing_required), len(result.open_actions)
    if result.is_complete and not actions:
        state = "Complete"
    else:
        bits = []
        if missing:
            bits.append(f"{missing} question{'s' if missing > 1 else ''} to answer")
        if actions:
            bits.append(f"{actions} open action{'s' if actions > 1 else ''}")
        state = ", ".join(bits) or "Incomplete"
    return Entry((title, state), location)


def _deadlines_html(entries: list[Entry]) -> str:
    if not entries:
        return "No deadlines ahead."
    rows = []
    for due, title, reason in (e.columns for e in entries):
        rows.append(
            f"<p><b>{html.escape(due)}</b> — {html.escape(title)}<br>"
            f"<small>{html.escape(reason)}</small></p>"
        )
    return "".join(rows)


class _WrapDelegate(QStyledItemDelegate):
    """Rows tall enough for the whole text of the last column, wrapped to its width (a
    tree asks a delegate for a row's height without telling it the column's width)."""

    def __init__(self, tree: QTreeWidget) -> None:
        super().__init__(tree)
        self._tree = tree

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        hint = super().sizeHint(option, index)
        if index.column() != self._tree.columnCount() - 1:
            return hint
        width = self._tree.columnWidth(index.column()) - 8
        text = str(index.data() or "")
        if width > 0 and text:
            bounds = option.fontMetrics.boundingRect(
                QRect(0, 0, width, 10_000), int(Qt.TextFlag.TextWordWrap), text
            )
            hint.setHeight(max(hint.height(), bounds.height() + 6))
        return hint


class _LinkList(QTreeWidget):
    """A keyboard-friendly list whose rows are links (Enter or double click). With
    ``wrap``, the last column's text is never cut: it wraps, and rows grow to fit."""

    def __init__(
        self, name: str, headers: tuple[str, ...], parent: QWidget, wrap: bool = False
    ) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setAccessibleName(name)
        self.setHeaderLabels(list(headers))
        self.setRootIsDecorated(False)
        self.setUniformRowHeights(not wrap)
        self.setAlternatingRowColors(True)
        self.setHeaderHidden(len(headers) < 2)
        if wrap:
            self.setWordWrap(True)
            self.setTextElideMode(Qt.TextElideMode.ElideNone)
            self.setItemDelegate(_WrapDelegate(self))
            self.header().setStretchLastSection(True)
            self.header().sectionResized.connect(lambda *_: self.scheduleDelayedItemsLayout())

    def set_entries(self, entries: list[Entry]) -> None:
        self.clear()
        for entry in entries:
            item = QTreeWidgetItem(list(entry.columns))
            item.setData(0, LOCATION_ROLE, entry.location)
            if entry.tip:
                for col in range(len(entry.columns)):
                    item.setToolTip(col, entry.tip)
            self.addTopLevelItem(item)
        for col in range(self.columnCount() - 1):
            self.resizeColumnToContents(col)


class OverviewView(QWidget):
    location_activated = Signal(str)
    refreshed = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.case: Case | None = None
        self.data: OverviewData | None = None
        self.today: date | None = None  # tests and screenshots pin the day
        self.setObjectName("overviewView")
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        body = QWidget(scroll)
        scroll.setWidget(body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        grid = QGridLayout(body)

        self.clock_label = QLabel("", body)
        self.clock_label.setObjectName("clockLabel")
        font = self.clock_label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.clock_label.setFont(font)
        self.clock_bar = QProgressBar(body)
        self.clock_bar.setAccessibleName("Stage 2 clock")
        self.clock_bar.setTextVisible(False)
        self.gaps_label = QLabel("", body)
        self.gaps_label.setWordWrap(True)
        self.deadlines = QLabel("", body)
        self.deadlines.setObjectName("deadlines")
        self.deadlines.setAccessibleName("Next deadlines")
        self.deadlines.setWordWrap(True)
        self.deadlines.setTextFormat(Qt.TextFormat.RichText)
        self.deadlines.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.readiness_label = QLabel("", body)
        self.readiness_label.setObjectName("readinessLabel")
        self.readiness_label.setWordWrap(True)
        self.findings = _LinkList(
            "Readiness findings", ("Severity", "What is missing"), body, wrap=True
        )
        self.findings.setMinimumHeight(self.fontMetrics().height() * 14)
        self.visits_label = QLabel("", body)
        self.visits = _LinkList("Visit plan", ("Visit", "When"), body)
        self.references_label = QLabel("", body)
        self.references_label.setObjectName("referencesLabel")
        self.references_label.setWordWrap(True)
        self.checklists = _LinkList("Checklists", ("Checklist", "State"), body)
        self.par_label = QLabel("", body)
        self.par_label.setObjectName("parLabel")
        self.par_label.setWordWrap(True)
        self.par_sections = _LinkList("PAR sections", ("Section", "Status", "Words"), body)
        self.par_sections.setMinimumHeight(self.fontMetrics().height() * 16)

        grid.addWidget(
            self._box(
                "Stage 2 clock and next deadlines",
                body,
                self.clock_label,
                self.clock_bar,
                self.gaps_label,
                self.deadlines,
            ),
            0,
            0,
        )
        grid.addWidget(
            self._box("Ready for panel?", body, self.readiness_label, self.findings), 1, 0
        )
        grid.addWidget(self._box("Visits", body, self.visits_label, self.visits), 0, 1)
        grid.addWidget(
            self._box("References and checklists", body, self.references_label, self.checklists),
            1,
            1,
        )
        grid.addWidget(self._box("PAR", body, self.par_label, self.par_sections), 2, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        for lst in (self.findings, self.visits, self.checklists, self.par_sections):
            lst.itemActivated.connect(self._activated)
        self.setTabOrder(self.findings, self.visits)
        self.setTabOrder(self.visits, self.checklists)
        self.setTabOrder(self.checklists, self.par_sections)

    def _box(self, title: str, parent: QWidget, *widgets: QWidget) -> QGroupBox:
        box = QGroupBox(title, parent)
        layout = QVBoxLayout(box)
        for widget in widgets:
            layout.addWidget(widget)
        if isinstance(widgets[-1], QLabel):
            layout.addStretch(1)  # text at the top, not spread over the box
        return box

    # ---------------------------------------------------------------- the view interface

    def set_case(self, case: Case) -> None:
        self.case = case
        self.data = None  # until the new figures are drawn
        snapshot = copy.deepcopy(case)  # the pool reads it while editors may change theirs
        ctx, today = self.ctx, self.today or date.today()
        if not snapshot.agency_profile_id:
            rules = TimelineRules.from_settings(ctx.settings)
            run_job(
                ctx, self, lambda: build_overview(snapshot, ctx.forms, rules, today), self._show
            )
            return
        from homestudy.readiness_settings import forms_for_case, rules_for_case

        # an agency's case follows its own rules.yaml and forms (read where the vault is)
        def build(vault: Any) -> OverviewData:
            data = build_overview(
                snapshot,
                forms_for_case(vault, snapshot),
                rules_for_case(vault, snapshot, ctx.settings),
                today,
            )
            data.par_text += review_summary(vault, snapshot.id)
            return data

        run_db(ctx, self, build, self._show)

    def reveal(self, target_id: str) -> None:
        self.focus_first()

    def focus_first(self) -> None:
        """The most severe finding first: Enter on it goes to the thing to fix."""
        self.findings.setFocus()
        first = self.findings.topLevelItem(0)
        if self.findings.currentItem() is None and first is not None:
            self.findings.setCurrentItem(first)

    # ---------------------------------------------------------------- drawing

    def _show(self, data: OverviewData) -> None:
        self.data = data
        self.clock_label.setText(data.clock_text)
        if data.clock_value:
            self.clock_bar.setRange(0, data.clock_value[1])
            self.clock_bar.setValue(data.clock_value[0])
            self.clock_bar.setAccessibleDescription(data.clock_text)
        self.clock_bar.setVisible(data.clock_value is not None)
        self.gaps_label.setText("\n".join(data.gaps))
        self.gaps_label.setVisible(bool(data.gaps))
        self.deadlines.setText(_deadlines_html(data.deadlines))
        self.readiness_label.setText(data.readiness_text)
        self.findings.set_entries(data.findings)
        self.visits_label.setText(data.visits_text)
        self.visits.set_entries(data.visits)
        self.references_label.setText(data.references_text)
        self.checklists.set_entries(data.checklists)
        self.par_label.setText(data.par_text)
        self.par_sections.set_entries(data.par_sections)
        self.refreshed.emit()

    def _activated(self, item: QTreeWidgetItem, _column: int) -> None:
        location = item.data(0, LOCATION_ROLE)
        if location:
            self.location_activated.emit(str(location))
