"""The Stage 1 / Stage 2 clocks of a case: milestones, deadlines and why each exists.

``build_timeline(case, rules, today)`` turns the dates recorded on a case into a
``Timeline``: each milestone has a due date, the date it was done (if recorded),
a status and the rule it comes from, in plain words. Dates the case does not
have yet give a ``gap`` (a plain-words note) instead of a milestone; nothing
here raises on a half-filled case.

The numbers live in ``TimelineRules`` (built from ``AppSettings``) because
agencies differ on some of them (DOMAIN.md, "configurable"). Working days skip
weekends and England and Wales bank holidays (``homestudy.workdays``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from homestudy.model import Case, Route, Stage
from homestudy.timeline_panel import (
    PanelClock,
    PanelProblem,
    applicants_shared_on,
    comments_due_on,
    panel_clock,
    panel_date_for,
    panel_date_problems,
    paper_steps,
    stage2_end,
    stage2_start,
)
from homestudy.timeline_rules import TimelineRules
from homestudy.workdays import (
    add_months,
    add_working_days,
    is_working_day,
    working_days_between,
    working_days_strictly_between,
)

__all__ = [
    "Milestone",
    "MilestoneStatus",
    "PanelClock",
    "PanelProblem",
    "Timeline",
    "TimelineGap",
    "TimelineRules",
    "add_months",
    "add_working_days",
    "applicants_shared_on",
    "build_timeline",
    "comments_due_on",
    "is_working_day",
    "panel_clock",
    "panel_date_for",
    "panel_date_problems",
    "stage2_end",
    "stage2_progress",
    "stage2_start",
    "working_days_between",
    "working_days_strictly_between",
]


class MilestoneStatus(StrEnum):
    DONE = "done"
    OVERDUE = "overdue"
    DUE_SOON = "due soon"
    UPCOMING = "upcoming"


@dataclass(frozen=True)
class Milestone:
    id: str
    title: str
    due: date
    done: date | None
    status: MilestoneStatus
    reason: str  # the rule it comes from, in plain words

    @property
    def late(self) -> bool:
        """Done, but after it was due."""
        return self.done is not None and self.done > self.due


@dataclass(frozen=True)
class TimelineGap:
    """A date the clock needs and the case does not have."""

    code: str
    message: str


@dataclass(frozen=True)
class Timeline:
    today: date
    milestones: tuple[Milestone, ...]
    gaps: tuple[TimelineGap, ...] = ()
    stage2_day: tuple[int, int] | None = None  # (day N, of M days)
    problems: tuple[PanelProblem, ...] = ()  # a panel date that cannot work

    def get(self, milestone_id: str) -> Milestone | None:
        return next((m for m in self.milestones if m.id == milestone_id), None)

    def next_deadlines(self, count: int = 3) -> list[Milestone]:
        """The first ``count`` milestones not yet done, soonest (or most overdue) first."""
        open_ = [m for m in self.milestones if m.status is not MilestoneStatus.DONE]
        return sorted(open_, key=lambda m: m.due)[:count]


_STAGE_ORDER = list(Stage)
_AFTER_PANEL = {Stage.DECISION, Stage.APPROVED, Stage.NOT_APPROVED, Stage.CLOSED}
_DECIDED = {Stage.APPROVED, Stage.NOT_APPROVED}


def stage2_progress(
    case: Case, today: date, rules: TimelineRules | None = None
) -> tuple[int, int] | None:
    """Stage 2 "day N of M" for the case list; None when the clock is not running
    (no start date, Stage 2 not begun, or the case decided or closed)."""
    rules = rules or TimelineRules()
    start = stage2_start(case)
    if start is None or case.stage in _DECIDED | {Stage.CLOSED, Stage.GAP}:
        return None
    if case.stage is Stage.STAGE_1 and case.route is not Route.FOSTER_CARER_CONCURRENT:
        return None
    # Inclusive: day M is the day the four months end (the "stage2_end" due date).
    total = (add_months(start, rules.stage2_months) - start).days + 1
    return max((today - start).days + 1, 1), total


def _status(
    due: date, done: date | None, completed: bool, today: date, soon: int
) -> MilestoneStatus:
    if done is not None or completed:
        return MilestoneStatus.DONE
    if today > due:
        return MilestoneStatus.OVERDUE
    if working_days_between(today, due) <= soon:
        return MilestoneStatus.DUE_SOON
    return MilestoneStatus.UPCOMING


class _Builder:
    def __init__(self, case: Case, rules: TimelineRules, today: date) -> None:
        self.case, self.rules, self.today = case, rules, today
        self.milestones: list[Milestone] = []
        self.gaps: list[TimelineGap] = []

    def add(
        self,
        id_: str,
        title: str,
        due: date,
        reason: str,
        done: date | None = None,
        completed: bool = False,
    ) -> Milestone:
        status = _status(due, done, completed, self.today, self.rules.due_soon_working_days)
        milestone = Milestone(id_, title, due, done, status, reason)
        self.milestones.append(milestone)
        return milestone

    def gap(self, code: str, message: str) -> None:
        self.gaps.append(TimelineGap(code, message))

    def reached(self, stage: Stage) -> bool:
        """The case is at ``stage`` or later (closed counts as past everything)."""
        return _STAGE_ORDER.index(self.case.stage) >= _STAGE_ORDER.index(stage)


def _stage1(b: _Builder) -> None:
    case, rules = b.case, b.rules
    if case.route is Route.FAST_TRACK:
        return  # approved foster carers and previous adopters start at Stage 2
    start = case.stage1_started_on or case.registration_of_interest_on
    if start is None:
        if case.stage is Stage.STAGE_1:
            b.gap("no_stage1_start", "No Stage 1 start date is recorded, so its clock cannot run.")
        return
    ended = case.stage1_ended_on
    past_stage1 = b.reached(Stage.GAP)
    b.add(
        "stage1_end",
        "Stage 1 ends",
        add_months(start, rules.stage1_months),
        f"Stage 1 should take {rules.stage1_months} months from its start.",
        done=ended,
        completed=past_stage1,
    )
    if ended is None and not past_stage1:
        b.add(
            "stage1_limit",
            "Stage 1 longest allowed",
            add_months(start, rules.stage1_max_months),
            f"Stage 1 can be extended or paused, but to no more than "
            f"{rules.stage1_max_months} months in all.",
        )
    if case.route is Route.STANDARD and ended is not None:
        b.add(
            "stage2_notice",
            "Applicants give notice to start Stage 2",
            add_months(ended, rules.gap_to_stage2_months),
            f"Applicants must give notice within {rules.gap_to_stage2_months} months of "
            "Stage 1 ending, or start again.",
            done=case.stage2_notice_on,
            completed=b.reached(Stage.STAGE_2),
        )


def _stage2(b: _Builder) -> date | None:
    case, rules = b.case, b.rules
    start = stage2_start(case)
    if start is None:
        if b.reached(Stage.STAGE_2) and case.stage is not Stage.CLOSED:
            b.gap(
                "no_stage2_start",
                "No Stage 2 start date (the applicants' notice) is recorded, "
                "so the Stage 2 clock cannot run.",
            )
        return None
    b.add(
        "stage2_end",
        "Stage 2 ends with the decision",
        add_months(start, rules.stage2_months),
        f"Stage 2, including panel and the decision, should take {rules.stage2_months} "
        "months from the applicants' notice.",
        completed=case.stage in _DECIDED | {Stage.CLOSED},
    )
    return start


def _panel(b: _Builder, stage2_started: date | None) -> None:
    case, rules = b.case, b.rules
    panel, provisional = panel_date_for(case)
    if panel is None:
        if stage2_started is not None and case.stage in {Stage.STAGE_2, Stage.PANEL}:
            b.gap("no_panel_date", "No panel date, not even a provisional one, is recorded.")
        return
    clock = panel_clock(case, rules)
    assert clock is not None
    _papers(b, clock)
    b.add(
        "panel",
        "Panel (provisional date)" if provisional else "Panel",
        panel,
        "The panel date agreed in the Stage 2 plan."
        if provisional
        else "The panel that will make its recommendation.",
        done=case.panel_date if case.panel_date and case.panel_date <= b.today else None,
        completed=case.stage in _AFTER_PANEL,
    )
    if provisional:
        return  # the deadlines after panel run from a confirmed date
    minutes = add_working_days(panel, rules.panel_minutes_working_days)
    b.add(
        "panel_minutes",
        "Panel minutes",
        minutes,
        f"Panel minutes are usually ready within {rules.panel_minutes_working_days} "
        "working days of panel.",
        completed=case.stage in _AFTER_PANEL,
    )
    decision = add_working_days(minutes, rules.adm_decision_working_days)
    b.add(
        "adm_decision",
        "Agency decision maker's decision",
        decision,
        f"The agency decision maker decides within {rules.adm_decision_working_days} "
        "working days of the panel's recommendation and final minutes.",
        completed=case.stage in _DECIDED,
    )
    _after_decision(b, decision)


def _papers(b: _Builder, clock: PanelClock) -> None:
    """The applicants' copy, their comments and the papers going to panel members."""
    for step in paper_steps(b.case, b.rules, clock, b.today):
        b.add(step.id, step.title, step.due, step.reason, done=step.done, completed=step.completed)


def _after_decision(b: _Builder, decision: date) -> None:
    case, rules = b.case, b.rules
    # The model keeps no decision date, so these run from the latest date it is due.
    if case.stage in {Stage.PANEL, Stage.DECISION, Stage.STAGE_2}:
        b.add(
            "tell_verbally",
            "Applicants told of the decision, verbally",
            add_working_days(decision, rules.tell_verbally_working_days),
            f"Applicants are told the decision verbally within "
            f"{rules.tell_verbally_working_days} working days of it (counted here from "
            "the date the decision is due).",
        )
        b.add(
            "tell_in_writing",
            "Applicants told of the decision, in writing",
            add_working_days(decision, rules.tell_in_writing_working_days),
            f"Applicants are told the decision in writing within "
            f"{rules.tell_in_writing_working_days} working days of it (counted here from "
            "the date the decision is due).",
        )
    elif case.stage is Stage.NOT_APPROVED:
        b.add(
            "irm_window",
            "Independent Review Mechanism window closes",
            add_working_days(decision, rules.irm_working_days),
            f"After a decision not to approve, applicants have {rules.irm_working_days} "
            "working days to ask the Independent Review Mechanism or the agency to "
            "look again (counted here from the date the decision was due).",
        )
    elif case.stage is Stage.APPROVED:
        b.add(
            "review_of_approval",
            "Review of approval",
            add_months(decision, rules.review_of_approval_months),
            f"If no child has been placed, the approval is reviewed within "
            f"{rules.review_of_approval_months} months (counted here from the date the "
            "decision was due).",
        )


def build_timeline(case: Case, rules: TimelineRules, today: date) -> Timeline:
    b = _Builder(case, rules, today)
    _stage1(b)
    started = _stage2(b)
    _panel(b, started)
    ordered = tuple(sorted(b.milestones, key=lambda m: m.due))
    return Timeline(
        today=today,
        milestones=ordered,
        gaps=tuple(b.gaps),
        stage2_day=stage2_progress(case, today, rules),
        problems=panel_date_problems(case, rules, today),
    )
