"""Readiness rules for the home health and safety check.

Completeness and open actions come from the forms engine (``completeness``), so
what counts as answered or as an open action is defined once, with the forms. A
check older than the agency's period at the panel date is out of date; each
action done needs the day it was done.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from homestudy.forms import completeness
from homestudy.forms.completeness import parse_due
from homestudy.readiness_findings import Finding, FixAt, Severity
from homestudy.readiness_rules import Context, count
from homestudy.textutil import format_date
from homestudy.timeline import add_months

BLOCKER, WARNING, NOTE = Severity.BLOCKER, Severity.WARNING, Severity.NOTE

HEALTH_SAFETY = "health_safety"
CHECKED_ON = "checked_on"


def answer_date(ctx: Context, form_id: str, question_id: str, subject_id: str = "") -> date | None:
    for a in ctx.answers_for(form_id, subject_id):
        if a.question_id == question_id and not a.archived:
            return parse_due(a.value)
    return None


def out_of_date(ctx: Context, done: date | None, months: int) -> date | None:
    """The day a check done on ``done`` runs out, when that is before the panel date."""
    if done is None:
        return None
    expires = add_months(done, months)
    return expires if expires < ctx.assess_on else None


def health_and_safety(ctx: Context) -> Iterator[Finding]:
    form = ctx.library.get(HEALTH_SAFETY)
    answers = ctx.answers_for(HEALTH_SAFETY)
    if not answers:
        yield Finding(
            BLOCKER,
            "health_safety_not_started",
            "The health and safety checklist has not been started.",
            FixAt("checklists", HEALTH_SAFETY),
        )
        return
    result = completeness(form, answers)
    if result.missing_required:
        n = len(result.missing_required)
        yield Finding(
            BLOCKER,
            "health_safety_incomplete",
            f"The health and safety checklist has "
            f"{count(n, 'required question', 'required questions')} unanswered.",
            FixAt("checklists", f"{HEALTH_SAFETY}/{result.missing_required[0]}"),
        )
    for action in result.open_actions:
        owner = "" if action.owner.strip() else " Nobody is named to do it yet."
        yield Finding(
            BLOCKER,
            "health_safety_action_open",
            f"A health and safety action is still open: \u201c{action.label}\u201d.{owner}",
            FixAt("checklists", f"{HEALTH_SAFETY}/{action.question_id}"),
        )
    for closed in result.closed_actions:
        if closed.done_on is None or closed.done_on > ctx.today:
            yield Finding(
                WARNING,
                "health_safety_action_undated",
                f"A health and safety action is marked done with no date it was done "
                f"(or a date still to come): \u201c{closed.label}\u201d.",
                FixAt("checklists", f"{HEALTH_SAFETY}/{closed.question_id}"),
            )
    checked = answer_date(ctx, HEALTH_SAFETY, CHECKED_ON)
    if checked is not None and checked > ctx.today:
        yield Finding(
            BLOCKER,
            "health_safety_date_future",
            f"The health and safety check is dated {format_date(checked)}, a date still to "
            "come: a check not yet done does not count. Record the date it was done.",
            FixAt("checklists", f"{HEALTH_SAFETY}/{CHECKED_ON}"),
        )
    months = ctx.rules.health_safety_valid_months
    expires = out_of_date(ctx, checked, months)
    if checked is not None and expires is not None:
        yield Finding(
            BLOCKER,
            "health_safety_out_of_date",
            f"The health and safety check was done on {format_date(checked)} and runs out "
            f"on {format_date(expires)}, before {panel_words(ctx)}: the agency asks for "
            f"one done within {months} months. Repeat the check.",
            FixAt("checklists", f"{HEALTH_SAFETY}/{CHECKED_ON}"),
        )


def panel_words(ctx: Context) -> str:
    clock = ctx.clock
    if clock is None or clock.panel <= ctx.today:
        return "today"
    return f"{clock.which} ({format_date(clock.panel)})"


__all__ = ["answer_date", "health_and_safety", "out_of_date", "panel_words"]
