"""The panel clock: when the applicants must have the PAR, when their comments are
due, when the papers go to panel members, and panel dates that cannot work.

Counting (``homestudy.workdays``): the papers go out ``papers_to_panel_working_days``
working days before panel, the panel day itself not one of them (so panel members
have that many working days to read). The applicants' comment period is
``par_to_applicants_working_days`` working days counted from the day after they
receive the report, and must end before the papers go (regulation 30: the report and
the applicants' observations go to panel together, at the end of that period).

Re-exported by ``homestudy.timeline``; the rules object is ``TimelineRules``
(``homestudy.timeline_rules``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from homestudy.model import Case, Route, Stage
from homestudy.textutil import format_date
from homestudy.workdays import add_months, add_working_days, is_working_day

if TYPE_CHECKING:
    from homestudy.timeline_rules import TimelineRules

#: Stages at which a case may still be waiting for its panel.
BEFORE_OUTCOME = frozenset({Stage.STAGE_1, Stage.GAP, Stage.STAGE_2, Stage.PANEL})


def stage2_start(case: Case) -> date | None:
    """The day the Stage 2 clock starts: the applicants' notice. On the concurrent
    foster-carer route the stages run together, so Stage 1's start stands in."""
    if case.stage2_notice_on is not None:
        return case.stage2_notice_on
    if case.route is Route.FOSTER_CARER_CONCURRENT:
        return case.stage1_started_on
    return None


def stage2_end(case: Case, rules: TimelineRules) -> date | None:
    start = stage2_start(case)
    return None if start is None else add_months(start, rules.stage2_months)


def panel_date_for(case: Case) -> tuple[date | None, bool]:
    """The panel date and whether it is only provisional."""
    if case.panel_date is not None:
        return case.panel_date, False
    return case.provisional_panel_date, case.provisional_panel_date is not None


@dataclass(frozen=True)
class PanelClock:
    panel: date
    provisional: bool
    papers_out: date  # the papers go to panel members
    share_by: date  # the last day the applicants can be given the PAR
    comments_due: date  # the end of their comment period (from the day shared, or share_by)
    shared_on: date | None
    decision_due: date  # the agency decision, at the latest, after this panel

    @property
    def which(self) -> str:
        return "the provisional panel date" if self.provisional else "panel"

    @property
    def comments_in_time(self) -> bool:
        """The comment period ends before the papers go (True while not shared)."""
        return self.comments_due < self.papers_out


def papers_out_date(panel: date, rules: TimelineRules) -> date:
    """``papers_to_panel_working_days`` working days before panel (0: the panel day)."""
    return add_working_days(panel, -rules.papers_to_panel_working_days)


def applicants_shared_on(case: Case) -> date | None:
    """The day the applicants were given the PAR for comment, or None: the one place
    every clock and export asks (so where the date comes from can change here)."""
    return case.applicant_copy_shared_on


def comments_due_on(case: Case, rules: TimelineRules, today: date) -> date:
    """The date the applicants' comments are due back: the agency's comment period
    in working days from the day they were given the report, or from ``today``
    when that is not recorded yet (an applicants' copy is exported to be shared)."""
    shared = applicants_shared_on(case) or today
    return add_working_days(shared, rules.par_to_applicants_working_days)


def panel_clock(case: Case, rules: TimelineRules) -> PanelClock | None:
    panel, provisional = panel_date_for(case)
    if panel is None:
        return None
    n = rules.par_to_applicants_working_days
    papers = papers_out_date(panel, rules)
    # the comment period's last day must be the working day before the papers go
    share_by = add_working_days(papers, -(n + 1))
    shared = applicants_shared_on(case)
    comments_due = add_working_days(shared if shared is not None else share_by, n)
    minutes = add_working_days(panel, rules.panel_minutes_working_days)
    decision = add_working_days(minutes, rules.adm_decision_working_days)
    return PanelClock(panel, provisional, papers, share_by, comments_due, shared, decision)


@dataclass(frozen=True)
class PaperStep:
    """A milestone of the panel papers, for ``timeline.build_timeline``."""

    id: str
    title: str
    due: date
    reason: str
    done: date | None = None
    completed: bool = False


def paper_steps(
    case: Case, rules: TimelineRules, clock: PanelClock, today: date
) -> tuple[PaperStep, ...]:
    """The applicants' copy, the end of their comment period and the papers going out."""
    n, p = rules.par_to_applicants_working_days, rules.papers_to_panel_working_days
    which = " (provisional date)" if clock.provisional else ""
    # at the panel stage (or once a confirmed panel has sat) the papers have gone
    papers_gone = (
        case.stage not in BEFORE_OUTCOME
        or case.stage is Stage.PANEL
        or (not clock.provisional and clock.panel <= today)
    )
    commented = clock.shared_on is not None and today > clock.comments_due
    return (
        PaperStep(
            "par_to_applicants",
            "Applicants receive the PAR for their comments",
            clock.share_by,
            f"Applicants have {n} working days to comment on the report, and their "
            f"comments must be due before the papers go to panel members{which}.",
            done=case.applicant_copy_shared_on,
        ),
        PaperStep(
            "applicants_comments_due",
            "Applicants' comments on the PAR due",
            clock.comments_due,
            f"The applicants' {n} working days for comments end here, counted from "
            "the day after they receive the report.",
            completed=papers_gone or commented,
        ),
        PaperStep(
            "papers_to_panel",
            "Papers go to panel members",
            clock.papers_out,
            f"Panel members receive the papers {p} working days before panel, the "
            "panel day itself not counted.",
            completed=papers_gone,
        ),
    )


@dataclass(frozen=True)
class PanelProblem:
    """A panel date that cannot work, said as soon as it is entered."""

    code: str
    message: str
    blocks: bool  # readiness makes it a blocker (else a warning)


def panel_date_problems(case: Case, rules: TimelineRules, today: date) -> tuple[PanelProblem, ...]:
    """What is wrong with the panel date itself (nothing when there is none)."""
    clock = panel_clock(case, rules)
    if clock is None:
        return ()
    problems: list[PanelProblem] = []
    label = "The provisional panel date" if clock.provisional else "The panel date"
    when = format_date(clock.panel)
    start, end = stage2_start(case), stage2_end(case, rules)
    if start is not None and clock.panel < start:
        problems.append(
            PanelProblem(
                "panel_before_stage2",
                f"{label} ({when}) comes before Stage 2 started ({format_date(start)}).",
                True,
            )
        )
    elif end is not None and clock.decision_due > end:
        problems.append(
            PanelProblem(
                "panel_after_stage2",
                f"{label} ({when}) leaves the agency decision due by "
                f"{format_date(clock.decision_due)}, after Stage 2's {rules.stage2_months} months "
                f"end on {format_date(end)}. Choose an earlier panel, or record why the "
                "decision will be later.",
                False,
            )
        )
    if not is_working_day(clock.panel):
        problems.append(
            PanelProblem("panel_not_working_day", f"{label} ({when}) is not a working day.", False)
        )
    outcome_awaited = case.stage in BEFORE_OUTCOME
    if outcome_awaited and clock.panel < today:
        problems.append(
            PanelProblem(
                "panel_date_passed",
                f"{label} ({when}) has passed and no outcome is recorded. Record the panel's "
                "recommendation (move the case on to the decision stage) or a new panel date.",
                False,
            )
        )
    elif outcome_awaited and clock.shared_on is None and today > clock.share_by:
        problems.append(
            PanelProblem(
                "panel_too_soon",
                f"{label} ({when}) no longer leaves time for the applicants' "
                f"{rules.par_to_applicants_working_days} working days to comment before the "
                f"papers go out on {format_date(clock.papers_out)}: they needed the report by "
                f"{format_date(clock.share_by)}.",
                True,
            )
        )
    return tuple(problems)
