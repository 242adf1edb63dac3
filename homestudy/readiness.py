"""Could this case go to panel? One function, ``assess_readiness``, answers with findings.

Each ``Finding`` has a severity (a *blocker* stops the case going to panel; a
*warning* needs attention; a *note* is for information), a stable ``code`` the UI
and tests can rely on, a plain-English message, and where it is fixed (``FixAt``:
an area of the case workspace and the id of the thing to open there).

Messages never carry case content: no names and no narrative, only counts,
form and section titles, kinds of referee and "Applicant 1/2". The rules
themselves live in the ``homestudy.readiness_*`` modules (``readiness_rules`` has
their shared ``Context``); every number they use comes from ``TimelineRules``, which
agencies change (``readiness_settings``).

The UI recomputes this after edits, so it must stay fast: it does no I/O and
walks the case once per rule (see tests/bench/bench_readiness.py).
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from functools import cache
from typing import TYPE_CHECKING

from homestudy.model import Case
from homestudy.readiness_findings import Finding, FixArea, FixAt, Severity
from homestudy.timeline import TimelineRules

if TYPE_CHECKING:
    from homestudy.forms import FormLibrary
    from homestudy.readiness_rules import Rule

__all__ = ["Finding", "FixArea", "FixAt", "Severity", "assess_readiness", "counts", "is_ready"]


_ORDER = {Severity.BLOCKER: 0, Severity.WARNING: 1, Severity.NOTE: 2}


def assess_readiness(
    case: Case, library: FormLibrary, rules: TimelineRules, today: date
) -> list[Finding]:
    """Every reason the case could not go to panel yet, blockers first."""
    from homestudy.readiness_rules import Context

    ctx = Context(case, library, rules, today)
    findings: list[Finding] = []
    for rule in all_rules():
        findings.extend(rule(ctx))
    # A stable sort keeps each rule's own order within a severity.
    findings.sort(key=lambda f: _ORDER[f.severity])
    return findings


@cache
def all_rules() -> tuple[Rule, ...]:
    """Every rule, in the order the overview lists their findings."""
    # Another part's rule is one more import and one more entry below.
    from homestudy import readiness_animals as animals
    from homestudy import readiness_checks as checks
    from homestudy import readiness_clock as clock
    from homestudy import readiness_par as par
    from homestudy import readiness_references as refs
    from homestudy import readiness_rules as text
    from homestudy import readiness_stage as stage
    from homestudy import readiness_visits as visits

    return (
        stage.stage,
        stage.statutory_checks,
        stage.medical_and_training,
        visits.future_done_dates,
        visits.visits_done,
        visits.seen_alone,
        visits.home_visit,
        visits.household_seen,
        visits.midway_review,
        text.par_sections,
        par.required_fields,
        par.signatures,
        par.shared_passages,
        text.lines_of_enquiry,
        refs.personal_referees,
        refs.employer_references,
        refs.people_to_contact,
        refs.children_references,
        checks.health_and_safety,
        animals.pets,
        clock.applicant_copy,
        clock.clock,
    )


def is_ready(findings: list[Finding]) -> bool:
    """Ready for panel when nothing blocks (warnings and notes may remain)."""
    return not any(f.severity is Severity.BLOCKER for f in findings)


def counts(findings: list[Finding]) -> dict[Severity, int]:
    """How many findings of each severity (every severity present, 0 if none)."""
    found = Counter(f.severity for f in findings)
    return {s: found.get(s, 0) for s in Severity}
