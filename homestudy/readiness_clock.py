"""Readiness rules for the clock: the applicants' copy and their comment period, the
papers going to panel, missing dates, Stage 2 overrunning, and panel dates that
cannot work (``timeline_panel.panel_date_problems``).
"""

from __future__ import annotations

from collections.abc import Iterator

from homestudy.readiness_findings import Finding, FixAt, Severity
from homestudy.readiness_rules import Context, count
from homestudy.textutil import format_date
from homestudy.timeline import (
    add_working_days,
    build_timeline,
    panel_date_problems,
    stage2_progress,
    working_days_strictly_between,
)

BLOCKER, WARNING, NOTE = Severity.BLOCKER, Severity.WARNING, Severity.NOTE

_GAP_FIELDS = {
    "no_stage1_start": "stage1_started_on",
    "no_stage2_start": "stage2_notice_on",
    "no_panel_date": "provisional_panel_date",
}


def applicant_copy(ctx: Context) -> Iterator[Finding]:
    """The applicants' comment period must end before the papers go to panel."""
    clock = ctx.clock
    if clock is None:
        yield from _applicant_copy_without_panel(ctx)
        return
    n = ctx.rules.par_to_applicants_working_days
    papers = format_date(clock.papers_out)
    where = FixAt("case", "applicant_copy_shared_on")
    if clock.shared_on is not None:
        if not clock.comments_in_time:
            got = max(working_days_strictly_between(clock.shared_on, clock.papers_out), 0)
            yield Finding(
                BLOCKER,
                "applicant_copy_late",
                f"The applicants' copy was shared only "
                f"{count(got, 'working day', 'working days')} before the papers go to panel "
                f"on {papers}; they must have {n} working days to comment first. Move "
                f"{clock.which} or agree the time with the panel.",
                where,
            )
        return
    if ctx.today <= clock.share_by:
        yield Finding(
            WARNING,
            "applicant_copy_not_shared",
            f"The applicants' copy of the PAR has not been shared yet. Share it by "
            f"{format_date(clock.share_by)} to give them the {n} working days to comment "
            f"before the papers go to panel on {papers}.",
            where,
        )
    else:
        yield Finding(
            BLOCKER,
            "applicant_copy_too_late",
            f"The applicants' copy of the PAR has not been shared, and there are no longer "
            f"{n} working days for their comments before the papers go to panel on {papers}. "
            f"Move {clock.which}.",
            where,
        )


def _applicant_copy_without_panel(ctx: Context) -> Iterator[Finding]:
    """With no panel date the case is judged today: the applicants must already have the
    report, and their comment period must be over (the clock rule reports the date)."""
    n = ctx.rules.par_to_applicants_working_days
    where = FixAt("case", "applicant_copy_shared_on")
    shared = ctx.case.applicant_copy_shared_on
    if shared is None:
        yield Finding(
            BLOCKER,
            "applicant_copy_not_given",
            f"The applicants' copy of the PAR has not been shared with them. They must have "
            f"it, and {n} working days to comment, before the papers go to panel.",
            where,
        )
        return
    comments_due = add_working_days(shared, n)
    if comments_due >= ctx.today:
        yield Finding(
            BLOCKER,
            "applicant_copy_comments_open",
            f"The applicants were given their copy of the PAR on {format_date(shared)}; "
            f"their {n} working days to comment run until {format_date(comments_due)}, so "
            "the papers cannot go to panel before then.",
            where,
        )


def clock(ctx: Context) -> Iterator[Finding]:
    """Missing dates, Stage 2 running past its four months, and the panel date itself."""
    timeline = build_timeline(ctx.case, ctx.rules, ctx.today)
    for gap in timeline.gaps:
        severity = NOTE if gap.code == "no_stage1_start" else WARNING
        yield Finding(severity, gap.code, gap.message, FixAt("case", _GAP_FIELDS.get(gap.code, "")))
    progress = stage2_progress(ctx.case, ctx.today, ctx.rules)
    if progress is not None and progress[0] > progress[1]:
        day, total = progress
        yield Finding(
            WARNING,
            "stage2_overrun",
            f"Stage 2 is on day {day} of {total}: over its {ctx.rules.stage2_months} months "
            f"by {count(day - total, 'day', 'days')}.",
            FixAt("case", "stage2_notice_on"),
        )
    field = "panel_date" if ctx.case.panel_date is not None else "provisional_panel_date"
    for problem in panel_date_problems(ctx.case, ctx.rules, ctx.today):
        if problem.code == "panel_too_soon":
            continue  # said by applicant_copy_too_late, with what to do
        yield Finding(
            BLOCKER if problem.blocks else WARNING,
            problem.code,
            problem.message,
            FixAt("case", field),
        )
