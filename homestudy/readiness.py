"""Could this case go to panel? One function, ``assess_readiness``, answers with findings.

Each ``Finding`` has a severity (a *blocker* stops the case going to panel; a
*warning* needs attention; a *note* is for information), a stable ``code`` the UI
and tests can rely on, a plain-English message, and where it is fixed (``FixAt``:
an area of the case workspace and the id of the thing to open there).

Messages never carry case content: no names and no narrative, only counts,
form and section titles, kinds of referee and "Applicant 1/2". The rules
themselves live in ``homestudy.readiness_rules``; the numbers they use come from
``TimelineRules`` so agencies can change them.

The UI recomputes this after edits, so it must stay fast: it does no I/O and
walks the case once per rule (see tests/bench/bench_readiness.py).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING, Literal

from homestudy.model import Case
from homestudy.timeline import TimelineRules

if TYPE_CHECKING:
    from homestudy.forms import FormLibrary
    from homestudy.readiness_rules import Rule

__all__ = ["Finding", "FixArea", "FixAt", "Severity", "assess_readiness", "counts", "is_ready"]


class Severity(StrEnum):
    BLOCKER = "blocker"
    WARNING = "warning"
    NOTE = "note"


FixArea = Literal["visits", "references", "checklists", "par", "case"]


@dataclass(frozen=True)
class FixAt:
    """Where a finding is fixed: a tab of the case workspace and what to open in it.

    ``target`` by area: "visits" an applicant id (to plan a visit with them) or "";
    "references" a reference id, or the id of the person who needs one (ex-partner,
    adult child), or ""; "checklists" the form id or an animal id; "par" a PAR
    section id; "case" the name of the ``Case`` date field to fill in, or "".
    """

    area: FixArea
    target: str = ""


@dataclass(frozen=True)
class Finding:
    severity: Severity
    code: str
    message: str
    fix_at: FixAt

    def to_json(self) -> dict[str, str]:
        return {
            "severity": self.severity.value,
            "code": self.code,
            "message": self.message,
            "area": self.fix_at.area,
            "target": self.fix_at.target,
        }


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
    # Imported here: the rule modules import the Finding types from this one.
    from homestudy import readiness_checks as c
    from homestudy import readiness_rules as r

    return (
        r.visits_done,
        r.seen_alone,
        r.par_sections,
        r.lines_of_enquiry,
        r.personal_referees,
        r.employer_references,
        r.people_to_contact,
        r.children_references,
        c.health_and_safety,
        c.pets,
        c.applicant_copy,
        c.clock,
    )


def is_ready(findings: list[Finding]) -> bool:
    """Ready for panel when nothing blocks (warnings and notes may remain)."""
    return not any(f.severity is Severity.BLOCKER for f in findings)


def counts(findings: list[Finding]) -> dict[Severity, int]:
    """How many findings of each severity (every severity present, 0 if none)."""
    found = Counter(f.severity for f in findings)
    return {s: found.get(s, 0) for s in Severity}
