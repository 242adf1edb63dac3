"""Readiness rules for the Stage 2 visits.

Only Stage 2 visits done by today count: a done date still to come, or one before
Stage 2 began, is reported, never counted (entering a date still to come is refused by
the core's date validation; older records and imports may still hold one), and visits
on the same day count as one. The agency sets how many visits, which must be in
person, whether a midway review is needed, and whether the whole household must be
seen (``TimelineRules``).
"""

from __future__ import annotations

from collections.abc import Iterator

from homestudy.model import Visit, VisitMode
from homestudy.readiness_findings import Finding, FixAt, Severity
from homestudy.readiness_rules import Context
from homestudy.textutil import format_date

BLOCKER, WARNING = Severity.BLOCKER, Severity.WARNING


def _in_person(visit: Visit) -> bool:
    return visit.mode is VisitMode.IN_PERSON


def future_done_dates(ctx: Context) -> Iterator[Finding]:
    began = ctx.stage2_began
    for v in ctx.case.visits:
        if v.done_date is not None and v.done_date > ctx.today:
            yield Finding(
                WARNING,
                "visit_done_in_future",
                f"Visit {v.sequence} is recorded as done on {format_date(v.done_date)}, a date "
                "still to come, so it is not counted. Correct the date it was done.",
                FixAt("visits", v.id),
            )
        elif v.done_date is not None and began is not None and v.done_date < began:
            yield Finding(
                WARNING,
                "visit_before_stage2",
                f"Visit {v.sequence} is recorded as done on {format_date(v.done_date)}, before "
                f"Stage 2 began on {format_date(began)}, so it does not count as a Stage 2 "
                "visit. Correct the date if it is wrong.",
                FixAt("visits", v.id),
            )


def _days(visits: list[Visit]) -> int:
    """How many visits, counting those done on the same day as one."""
    return len({v.done_date for v in visits})


def visits_done(ctx: Context) -> Iterator[Finding]:
    done, needed = _days(ctx.done_visits), ctx.rules.min_visits
    if done < needed:
        same_day = " (visits on the same day count as one)" if done < len(ctx.done_visits) else ""
        yield Finding(
            BLOCKER,
            "visits_too_few",
            f"Visits done: {done} of the at least {needed} needed{same_day}.",
            FixAt("visits"),
        )
    wanted = ctx.rules.min_in_person_visits
    in_person = _days([v for v in ctx.done_visits if _in_person(v)])
    if in_person < wanted:
        yield Finding(
            BLOCKER,
            "in_person_visits_too_few",
            f"Visits done in person: {in_person} of the at least {wanted} the agency asks for.",
            FixAt("visits"),
        )


def seen_alone(ctx: Context) -> Iterator[Finding]:
    alone: dict[str, list[Visit]] = {}
    for v in ctx.done_visits:
        if len(set(v.who_seen)) == 1:
            alone.setdefault(v.who_seen[0], []).append(v)
    for a in ctx.case.applicants:
        visits = alone.get(a.id, [])
        who = ctx.applicant_label(a.id)
        if not visits:
            yield Finding(
                BLOCKER,
                "applicant_not_seen_alone",
                f"{who} has not yet been seen alone at a visit.",
                FixAt("visits", a.id),
            )
        elif ctx.rules.seen_alone_in_person and not any(_in_person(v) for v in visits):
            yield Finding(
                BLOCKER,
                "applicant_not_seen_alone_in_person",
                f"{who} has been seen alone only by video or phone; the agency asks for "
                "a visit alone in person.",
                FixAt("visits", visits[0].id),
            )


def home_visit(ctx: Context) -> Iterator[Finding]:
    rules = ctx.rules
    if not rules.home_visit_in_person or not rules.home_visit_topics:
        return
    topics = set(rules.home_visit_topics)
    covering = [v for v in ctx.case.visits if topics & set(v.topics)]
    done = [v for v in covering if v in ctx.done_visits]
    if any(_in_person(v) for v in done):
        return
    if done:
        message = (
            "The visit that covers the home was held by video or phone; the home "
            "must be seen in person."
        )
    else:
        message = "The home has not yet been seen in person at a visit."
    target = (done or covering)[0].id if (done or covering) else ""
    yield Finding(BLOCKER, "home_visit_not_in_person", message, FixAt("visits", target))


def household_seen(ctx: Context) -> Iterator[Finding]:
    if not ctx.rules.household_seen:
        return
    seen = {person for v in ctx.done_visits for person in v.who_seen}
    members = ctx.household_at_home
    for member in members:
        if member.id in seen:
            continue
        label = ctx.person_label(member.id)
        if ctx.is_adult(member):
            yield Finding(
                WARNING,
                "household_adult_not_seen",
                f"{label} lives in the household and has not been seen at any visit.",
                FixAt("visits", member.id),
            )
        else:
            yield Finding(
                BLOCKER,
                "household_child_not_seen",
                f"{label} lives in the household and has not been seen at any visit; every "
                "child of the household must be seen.",
                FixAt("visits", member.id),
            )


def midway_review(ctx: Context) -> Iterator[Finding]:
    rules = ctx.rules
    if not rules.midway_review_required:
        return
    topic = rules.midway_review_topic
    if any(topic in v.topics for v in ctx.done_visits):
        return
    planned = [v for v in ctx.case.visits if topic in v.topics]
    detail = (
        f" One is planned as visit {planned[0].sequence}; record it once it is held."
        if planned
        else " Plan one with the applicants."
    )
    yield Finding(
        BLOCKER,
        "midway_review_missing",
        f"The midway review of the assessment is not recorded as done.{detail}",
        FixAt("visits", planned[0].id if planned else ""),
    )
