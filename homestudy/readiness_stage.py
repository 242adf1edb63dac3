"""Readiness rules for the stage the case is at and what Stage 1 must have given:
statutory checks per person, the medical adviser's summary, preparation training.

Who needs which check is worked out in ``readiness_people``; here each check still
missing, pending, undated or not yet considered by the manager becomes a blocker
that points at the check (or, when none is recorded, at the person).
"""

from __future__ import annotations

from collections.abc import Iterator

from homestudy.model import Route, Stage
from homestudy.readiness_findings import Finding, FixAt, Severity
from homestudy.readiness_people import (
    CHECK_WORDS,
    NeedStatus,
    application_began,
    check_date_problem,
    person_checks,
    unlinked_checks,
)
from homestudy.readiness_rules import CHILD_KINDS, Context, has_words

BLOCKER, WARNING = Severity.BLOCKER, Severity.WARNING

_NOT_YET = {
    Stage.STAGE_1: "is still at Stage 1",
    Stage.GAP: "has not yet started Stage 2",
    Stage.CLOSED: "is closed",
}
#: Routes where a case recorded at Stage 1 may still be ready (the stages run together,
#: or Stage 1 is skipped).
_STAGE1_ROUTES = {Route.FAST_TRACK, Route.FOSTER_CARER_CONCURRENT}


def stage(ctx: Context) -> Iterator[Finding]:
    """Only a Stage 2 case (or one on a fast-track or concurrent route) can be ready."""
    case = ctx.case
    if case.stage not in _NOT_YET:
        return
    if case.stage is Stage.STAGE_1 and case.route in _STAGE1_ROUTES:
        return
    yield Finding(
        BLOCKER,
        "not_in_stage2",
        f"The case {_NOT_YET[case.stage]}: only a case in Stage 2 (or on the fast-track "
        "route) can go to panel.",
        FixAt("case", "stage"),
    )


def _a(words: str) -> str:
    """ "An enhanced DBS check", "A local authority check" (to open a sentence)."""
    return ("An " if words[0] in "aeiou" else "A ") + words


# A finding that a person's check is missing opens the Stage 1 checks panel at that
# person (``checks:<person id>``), not their details page.
CHECKS_TARGET_PREFIX = "checks:"


def _children_without_birth_date(ctx: Context) -> Iterator[Finding]:
    """A child at home with no date of birth may be an adult who needs checks, and the
    PAR must give each child's details: ask for the date."""
    for member in ctx.household_at_home:
        if member.kind in CHILD_KINDS and member.date_of_birth is None:
            yield Finding(
                BLOCKER,
                "household_child_birth_date_missing",
                f"{ctx.person_label(member.id)} lives in the household and has no date of "
                "birth recorded, so HomeStudy cannot tell whether they are an adult who "
                "needs checks. Record their date of birth.",
                FixAt("case", member.id),
            )


def statutory_checks(ctx: Context) -> Iterator[Finding]:
    yield from _children_without_birth_date(ctx)
    people = person_checks(ctx.case, ctx.rules, ctx.today)
    began = application_began(ctx.case)
    for person in people:
        if not person.area_since_known:
            yield Finding(
                WARNING,
                "area_since_missing",
                f"{person.label}: how long they have lived in their present local authority "
                "area is not recorded, so HomeStudy cannot tell whether a previous local "
                "authority check is needed.",
                FixAt("case", person.person_id),
            )
        for state in person.outstanding:
            words = CHECK_WORDS[state.need.kind]
            place = (
                f" (place {state.need.place_index} of their places lived)"
                if state.need.place_index
                else ""
            )
            if state.status is NeedStatus.MISSING or state.check is None:
                yield Finding(
                    BLOCKER,
                    "statutory_check_missing",
                    f"{person.label} has no {words} recorded{place}: needed because they "
                    f"{state.need.why}.",
                    FixAt("case", CHECKS_TARGET_PREFIX + person.person_id),
                )
                continue
            target = FixAt("case", state.check.id)
            if state.status is NeedStatus.PENDING:
                yield Finding(
                    BLOCKER,
                    "statutory_check_pending",
                    f"{person.label}'s {words}{place} is still pending.",
                    target,
                )
            elif state.status is NeedStatus.UNDATED:
                problem = check_date_problem(state.check, began, ctx.today)
                detail = (
                    "has a result but no date (or a date still to come)"
                    if problem in ("missing", "still to come")
                    else f"has its result dated {problem}, so it cannot be a check for "
                    "this application: correct the date, or ask for the check again"
                )
                yield Finding(
                    BLOCKER,
                    "statutory_check_undated",
                    f"{person.label}'s {words}{place} {detail}.",
                    target,
                )
            else:
                yield Finding(
                    BLOCKER,
                    "statutory_check_not_considered",
                    f"{person.label}'s {words}{place} has not been considered by "
                    "the manager yet: record who considered it and when.",
                    target,
                )
    counted = {s.check.id for p in people for s in p.states if s.check is not None}
    for check in ctx.case.stage1.checks:
        if check.id in counted:
            continue
        if check.outcome.value == "pending":  # any check still out holds the case up
            yield Finding(
                BLOCKER,
                "statutory_check_pending",
                f"{_a(CHECK_WORDS[check.kind])} is still pending.",
                FixAt("case", check.id),
            )
    for check in unlinked_checks(ctx.case, people):
        yield Finding(
            WARNING,
            "statutory_check_unassigned",
            f"{_a(CHECK_WORDS[check.kind])} is not linked to anyone in "
            "the household: choose whose check it is.",
            FixAt("case", check.id),
        )


def medical_and_training(ctx: Context) -> Iterator[Finding]:
    stage1 = ctx.case.stage1
    if not has_words(stage1.medical_adviser_summary):
        yield Finding(
            BLOCKER,
            "medical_summary_missing",
            "The medical adviser's summary of the applicants' health is not recorded.",
            FixAt("case", "medical_adviser_summary"),
        )
    done = stage1.training_completed_on
    if done is None or done > ctx.today:
        severity = BLOCKER if ctx.rules.preparation_training == "blocker" else WARNING
        yield Finding(
            severity,
            "preparation_training_missing",
            "Preparation training is not recorded as completed (the date it was completed "
            "is missing, or still to come).",
            FixAt("case", "training_completed_on"),
        )
