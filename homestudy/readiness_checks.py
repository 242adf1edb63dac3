"""Readiness rules for the checklists, the animals and the clock.

Completeness and open actions come from the forms engine (``completeness``), so
what counts as answered or as an open action is defined once, with the forms.
The banned-breed list is the pet form's own configurable list.
"""

from __future__ import annotations

from collections.abc import Iterator

from homestudy.forms import banned_breeds, completeness, list_match
from homestudy.model import Animal
from homestudy.readiness import Finding, FixAt, Severity
from homestudy.readiness_rules import Context
from homestudy.timeline import (
    add_working_days,
    panel_date_for,
    stage2_progress,
    working_days_between,
)

BLOCKER, WARNING, NOTE = Severity.BLOCKER, Severity.WARNING, Severity.NOTE

HEALTH_SAFETY = "health_safety"
PET_ASSESSMENT = "pet_assessment"


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one}" if n == 1 else f"{n} {many}"


# --------------------------------------------------------------------------- health and safety


def health_and_safety(ctx: Context) -> Iterator[Finding]:
    form = ctx.library.get(HEALTH_SAFETY)
    answers = ctx.case.answers_for(HEALTH_SAFETY)
    where = FixAt("checklists", HEALTH_SAFETY)
    if not answers:
        yield Finding(
            BLOCKER,
            "health_safety_not_started",
            "The health and safety checklist has not been started.",
            where,
        )
        return
    result = completeness(form, answers)
    if result.missing_required:
        n = len(result.missing_required)
        yield Finding(
            BLOCKER,
            "health_safety_incomplete",
            f"The health and safety checklist has "
            f"{_count(n, 'required question', 'required questions')} unanswered.",
            where,
        )
    for action in result.open_actions:
        yield Finding(
            BLOCKER,
            "health_safety_action_open",
            f"A health and safety action is still open: \u201c{action.label}\u201d.",
            where,
        )


# --------------------------------------------------------------------------- pets


def _animal_label(ctx: Context, index: int, animal: Animal) -> str:
    total = len(ctx.case.animals)
    kind = f" (a {animal.species.strip().lower()})" if animal.species.strip() else ""
    return f"Animal {index} of {total}{kind}"


def pets(ctx: Context) -> Iterator[Finding]:
    if not ctx.case.animals:
        return
    form = ctx.library.get(PET_ASSESSMENT)
    banned = banned_breeds(ctx.library)
    for n, animal in enumerate(ctx.case.animals, start=1):
        label = _animal_label(ctx, n, animal)
        in_text = f"{label[0].lower()}{label[1:]}"
        where = FixAt("checklists", animal.id)
        answers = ctx.case.answers_for(PET_ASSESSMENT, animal.id)
        result = completeness(form, answers, animal.id) if answers else None
        # The breed on the animal's record, or a form answer flagged against the list.
        match = list_match(animal.breed, banned)
        if not match and result is not None:
            flagged = {f.question_id for f in result.flags}
            match = next(
                (
                    list_match(a.value, banned)
                    for a in answers
                    if a.question_id in flagged and isinstance(a.value, str)
                ),
                "",
            ) or ("a listed breed" if flagged else "")
        if match:
            yield Finding(
                BLOCKER,
                "banned_breed",
                f"{label} is recorded as a banned breed (\u201c{match}\u201d). A banned breed "
                "in the home blocks approval.",
                where,
            )
        if result is None:
            yield Finding(
                BLOCKER, "pet_assessment_missing", f"{label} has no pet assessment yet.", where
            )
            continue
        if result.missing_required:
            n_missing = len(result.missing_required)
            yield Finding(
                BLOCKER,
                "pet_assessment_incomplete",
                f"The pet assessment for {in_text} has "
                f"{_count(n_missing, 'required question', 'required questions')} unanswered.",
                where,
            )
        for action in result.open_actions:
            yield Finding(
                WARNING,
                "pet_action_open",
                f"An action from the pet assessment for {in_text} is still open: "
                f"\u201c{action.label}\u201d.",
                where,
            )


# --------------------------------------------------------------------------- clock


def applicant_copy(ctx: Context) -> Iterator[Finding]:
    """The applicants must have the PAR at least N working days before panel."""
    panel, provisional = panel_date_for(ctx.case)
    if panel is None:
        return  # the clock rule reports the missing date
    n = ctx.rules.par_to_applicants_working_days
    latest = add_working_days(panel, -n)
    which = "the provisional panel date" if provisional else "panel"
    shared = ctx.case.applicant_copy_shared_on
    where = FixAt("case", "applicant_copy_shared_on")
    if shared is not None:
        if shared > latest:
            got = max(working_days_between(shared, panel), 0)
            yield Finding(
                BLOCKER,
                "applicant_copy_late",
                f"The applicants' copy was shared only "
                f"{_count(got, 'working day', 'working days')} before {which}; they must have "
                f"it at least {n}. Move the panel date or agree the time with the panel.",
                where,
            )
        return
    if ctx.today <= latest:
        left = working_days_between(ctx.today, latest)
        yield Finding(
            WARNING,
            "applicant_copy_not_shared",
            f"The applicants' copy of the PAR has not been shared yet. Share it within "
            f"{_count(left, 'working day', 'working days')} to give them the {n} working "
            f"days before {which} they are owed.",
            where,
        )
    else:
        yield Finding(
            BLOCKER,
            "applicant_copy_too_late",
            f"The applicants' copy of the PAR has not been shared, and there are no longer "
            f"{n} working days before {which}. Move the panel date.",
            where,
        )


_GAP_FIELDS = {
    "no_stage1_start": "stage1_started_on",
    "no_stage2_start": "stage2_notice_on",
    "no_panel_date": "provisional_panel_date",
}


def clock(ctx: Context) -> Iterator[Finding]:
    """Missing dates, and Stage 2 running past its four months."""
    from homestudy.timeline import build_timeline

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
            f"by {_count(day - total, 'day', 'days')}.",
            FixAt("case"),
        )
