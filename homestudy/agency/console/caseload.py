"""The caseload: one row per case, worked out with the product's own clock and
readiness functions on the rebuilt case; filters and sorting from the query string;
CSV; and a server-rendered SVG chart of Stage 2 days against the 4-month timescale.

A row is cached by (bundle id, today): a bundle never changes, so the only work on
a warm page is the query for the latest bundles and the filtering.
"""

from __future__ import annotations

import csv
import io
import threading
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date

from homestudy.agency.console.audit import csv_cell
from homestudy.agency.console.cases import CaseCache, CaseRow, case_rows
from homestudy.agency.db import Database
from homestudy.forms import load_library
from homestudy.readiness import Severity, assess_readiness
from homestudy.textutil import format_date
from homestudy.timeline import (
    MilestoneStatus,
    TimelineRules,
    build_timeline,
    panel_clock,
    stage2_progress,
)


@dataclass(frozen=True)
class Finding:
    severity: str
    message: str


@dataclass(frozen=True)
class CaseloadRow:
    bundle_id: str  # the bundle the row was worked out from (rows are cached by it)
    case_id: str
    reference: str
    applicants: str
    assessor: str
    assessor_id: str
    stage: str
    stage2_day: int | None
    stage2_total: int | None
    stage2_start: date | None
    visits_done: int
    visits_planned: int
    next_visit: date | None  # the next planned on or after today
    blockers: int
    findings: tuple[Finding, ...]
    panel_date: date | None
    panel_provisional: bool
    comments_due: date | None
    last_sync: str
    overdue: tuple[str, ...]  # titles of overdue milestones
    visits_overdue: int = 0  # planned before today and not done
    overdue_visit: date | None = None  # the oldest of those

    @property
    def blocked(self) -> bool:
        return self.blockers > 0

    @property
    def visit_due(self) -> date | None:
        """The visit to show as next: the oldest overdue one, else the next planned."""
        return self.overdue_visit or self.next_visit

    @property
    def over_timescale(self) -> bool:
        return bool(self.stage2_day and self.stage2_total and self.stage2_day > self.stage2_total)


SORTS = {
    "reference": lambda r: r.reference,
    "assessor": lambda r: (r.assessor.lower(), r.reference),
    "stage2": lambda r: (r.stage2_day is None, -(r.stage2_day or 0)),
    "next_visit": lambda r: (r.visit_due is None, r.visit_due or date.max),
    "blockers": lambda r: (-r.blockers, r.reference),
    "panel": lambda r: (r.panel_date is None, r.panel_date or date.max),
    "last_sync": lambda r: r.last_sync,
}
SORT_LABELS = {
    "reference": "Reference",
    "assessor": "Assessor",
    "stage2": "Stage 2 day",
    "next_visit": "Next visit",
    "blockers": "Blockers",
    "panel": "Panel date",
    "last_sync": "Last sync",
}

# Sorts whose plain (not reversed) order puts the largest first, the most pressing on top
LARGEST_FIRST = frozenset({"stage2", "blockers"})
_ORDER_WORDS = {  # (the order values run smallest first, the other way)
    "reference": ("A to Z", "Z to A"),
    "assessor": ("A to Z", "Z to A"),
    "stage2": ("smallest first", "largest first"),
    "next_visit": ("earliest first", "latest first"),
    "blockers": ("fewest first", "most first"),
    "panel": ("earliest first", "latest first"),
    "last_sync": ("oldest first", "newest first"),
}


@dataclass(frozen=True)
class Filters:
    assessor: str = ""
    overdue: bool = False
    panel_month: str = ""  # "YYYY-MM"
    blocked: bool = False
    sort: str = "stage2"
    descending: bool = False

    @classmethod
    def from_query(cls, q: Mapping[str, str]) -> Filters:
        sort = q.get("sort", "stage2")
        month = q.get("panel_month", "")
        if len(month) != 7 or month[4] != "-" or not (month[:4] + month[5:]).isdigit():
            month = ""
        return cls(
            assessor=q.get("assessor", ""),
            overdue=q.get("overdue") == "1",
            panel_month=month,
            blocked=q.get("blocked") == "1",
            sort=sort if sort in SORTS else "stage2",
            descending=q.get("desc") == "1",
        )

    @property
    def smallest_first(self) -> bool:
        """Whether the rows, as sorted, run from the smallest value up."""
        return (self.sort in LARGEST_FIRST) == self.descending

    @property
    def order(self) -> str:
        """The sorted order in words, as the page says it ("largest first")."""
        return _ORDER_WORDS[self.sort][0 if self.smallest_first else 1]

    def keep(self, row: CaseloadRow) -> bool:
        if self.assessor and row.assessor_id != self.assessor:
            return False
        if self.overdue and not (row.overdue or row.over_timescale or row.visits_overdue):
            return False
        if self.blocked and not row.blocked:
            return False
        return not (
            self.panel_month
            and (row.panel_date is None or row.panel_date.isoformat()[:7] != self.panel_month)
        )


class Caseload:
    def __init__(self, cache: CaseCache, rules: TimelineRules | None = None) -> None:
        self.cache = cache
        self.rules = rules or TimelineRules()
        self._rows: dict[tuple[str, date], CaseloadRow] = {}
        self._building: dict[tuple[str, date], threading.Lock] = {}
        self._by_case: dict[str, CaseloadRow] = {}  # the newest row built per case
        self._queued: set[tuple[str, date]] = set()
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="caseload")
        self._lock = threading.Lock()
        self.stale_ids: frozenset[str] = frozenset()

    def _refresh_later(self, latest: CaseRow, names: Mapping[str, str], today: date) -> None:
        key = (latest.bundle_id, today)
        with self._lock:
            if key in self._queued:
                return
            self._queued.add(key)

        def work() -> None:
            try:
                self._row(latest, names, today)
            finally:
                with self._lock:
                    self._queued.discard(key)

        self._worker.submit(work)

    def rows(
        self, today: date, filters: Filters | None = None, *, allow_stale: bool = False
    ) -> list[CaseloadRow]:
        """Every case's row. With ``allow_stale`` (the page, not the API or CSV), a case
        whose newer bundle is not worked out yet shows its previous row while one
        background worker works it out: under heavy syncing the page stays quick and is
        at most one refresh behind (``stale_ids`` names those cases)."""
        names = assessor_names(self.cache.db)
        latest_rows = case_rows(self.cache.db)
        out = []
        stale: set[str] = set()
        for latest in latest_rows:
            previous = self._by_case.get(latest.case_id)
            key = (latest.bundle_id, today)
            if (
                allow_stale
                and key not in self._rows
                and previous is not None
                and previous.last_sync <= latest.received_at
            ):
                self._refresh_later(latest, names, today)
                stale.add(latest.case_id)
                out.append(previous)
            else:
                out.append(self._row(latest, names, today))
        self.stale_ids = frozenset(stale)
        if len(self._rows) > 2 * len(latest_rows) + 100:  # rows of superseded bundles
            keep = {(r.bundle_id, today) for r in latest_rows}
            with self._lock:
                self._rows = {k: v for k, v in self._rows.items() if k in keep}
        filters = filters or Filters()
        out = [r for r in out if filters.keep(r)]
        out.sort(key=SORTS[filters.sort], reverse=filters.descending)
        return out

    def _row(self, latest: CaseRow, names: Mapping[str, str], today: date) -> CaseloadRow:
        """The cached row, or built once even when several managers ask at once."""
        key = (latest.bundle_id, today)
        row = self._rows.get(key)
        if row is not None:
            return row
        with self._lock:
            building = self._building.setdefault(key, threading.Lock())
        with building:
            row = self._rows.get(key)
            if row is None:
                row = self._build(latest, names, today)
                with self._lock:
                    self._rows[key] = row
                    old = self._by_case.get(row.case_id)
                    if old is None or old.last_sync <= row.last_sync:
                        self._by_case[row.case_id] = row
        with self._lock:
            self._building.pop(key, None)
        return row

    def _build(self, latest: CaseRow, names: Mapping[str, str], today: date) -> CaseloadRow:
        case = self.cache.case(latest)
        return build_row(
            case,
            latest,
            names.get(latest.device_id) or case.assessor_name or latest.assessor_id,
            today,
            self.rules,
        )


def build_row(
    case: object, latest: CaseRow, assessor: str, today: date, rules: TimelineRules
) -> CaseloadRow:
    from homestudy.model import Case

    assert isinstance(case, Case)
    progress = stage2_progress(case, today, rules)
    findings = assess_readiness(case, load_library(), rules, today)
    timeline = build_timeline(case, rules, today)
    clock = panel_clock(case, rules)
    undone = [v.planned_date for v in case.visits if not v.is_done and v.planned_date]
    planned = [d for d in undone if d >= today]
    missed = [d for d in undone if d < today]
    return CaseloadRow(
        bundle_id=latest.bundle_id,
        case_id=case.id,
        reference=case.reference,
        applicants=case.applicant_names,
        assessor=assessor,
        assessor_id=latest.assessor_id,
        stage=case.stage.value,
        stage2_day=progress[0] if progress else None,
        stage2_total=progress[1] if progress else None,
        stage2_start=case.stage2_notice_on,
        visits_done=sum(1 for v in case.visits if v.done_date and v.done_date <= today),
        visits_planned=len(case.visits),
        next_visit=min(planned) if planned else None,
        blockers=sum(1 for f in findings if f.severity is Severity.BLOCKER),
        findings=tuple(Finding(f.severity.value, f.message) for f in findings),
        panel_date=clock.panel if clock else None,
        panel_provisional=bool(clock and clock.provisional),
        comments_due=clock.comments_due if clock else None,
        last_sync=latest.received_at,
        overdue=tuple(m.title for m in timeline.milestones if m.status is MilestoneStatus.OVERDUE),
        visits_overdue=len(missed),
        overdue_visit=min(missed) if missed else None,
    )


def assessor_names(db: Database) -> dict[str, str]:
    """Device id -> the assessor's name given on their enrolment file."""
    with db.transaction() as cur:
        rows = cur.all(
            "SELECT device_id, assessor_name FROM enrolment_tokens WHERE device_id IS NOT NULL"
        )
    return {r[0]: r[1] for r in rows if r[1]}


def assessors(rows: list[CaseloadRow]) -> list[tuple[str, str]]:
    """(assessor id, name) for the filter, by name."""
    return sorted({(r.assessor_id, r.assessor) for r in rows}, key=lambda p: p[1].lower())


def _d(value: date | None) -> str:
    return format_date(value) if value else ""


def to_csv(rows: list[CaseloadRow]) -> str:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(
        [
            "Reference",
            "Applicants",
            "Assessor",
            "Stage",
            "Stage 2 day",
            "Stage 2 of",
            "Visits done",
            "Visits planned",
            "Next visit",
            "Blockers",
            "Panel date",
            "Panel date provisional",
            "Applicants' comments due",
            "Last sync (UTC)",
            "Overdue",
        ]
    )
    for r in rows:
        w.writerow(
            [
                csv_cell(v)
                for v in (
                    r.reference,
                    r.applicants,
                    r.assessor,
                    r.stage.replace("_", " ").capitalize(),  # "Stage 2", as the page says
                    r.stage2_day or "",
                    r.stage2_total or "",
                    r.visits_done,
                    r.visits_planned,
                    _d(r.next_visit),
                    r.blockers,
                    _d(r.panel_date),
                    "yes" if r.panel_provisional else "",
                    _d(r.comments_due),
                    r.last_sync[:16].replace("T", " "),
                    "; ".join(r.overdue),
                )
            ]
        )
    return out.getvalue()


def quarter(day: date) -> str:
    return f"{day.year} Q{(day.month - 1) // 3 + 1}"


def quarterly_averages(rows: list[CaseloadRow]) -> list[tuple[str, float, int]]:
    """(quarter Stage 2 began, average Stage 2 days, cases) — the annual report's measure."""
    groups: dict[str, list[int]] = {}
    for r in rows:
        if r.stage2_day and r.stage2_start:
            groups.setdefault(quarter(r.stage2_start), []).append(r.stage2_day)
    return [(q, sum(v) / len(v), len(v)) for q, v in sorted(groups.items())]
