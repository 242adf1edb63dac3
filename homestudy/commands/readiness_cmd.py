"""``homestudy readiness REF [--json]``: could this case go to panel?

Prints the findings (blockers first), the statutory checks still outstanding for each
person, and the next deadlines. The rules and forms are those of the agency the case
belongs to (its ``rules.yaml`` and form overrides). Exit status: 0 when nothing
blocks, 1 when something does, 2 when the case, vault or agency rules could not be read.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from typing import Any

from homestudy.commands.common import add_vault_argument

HELP = "say whether a case could go to panel, and what is missing"


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "readiness",
        help=HELP,
        description=HELP.capitalize() + ". Exits 0 when nothing blocks, 1 otherwise.",
    )
    p.add_argument("reference", metavar="REF", help="the case reference, e.g. HS-2026-0142")
    p.add_argument("--json", action="store_true", help="print JSON for scripts")
    p.add_argument(
        "--today",
        type=date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="assess as on this date (default: today)",
    )
    add_vault_argument(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from homestudy.commands.common import fail, find_case, open_vault
    from homestudy.errors import HomeStudyError
    from homestudy.readiness import assess_readiness, is_ready
    from homestudy.readiness_people import person_checks
    from homestudy.readiness_settings import forms_for_case, rules_for_case
    from homestudy.settings import load_settings
    from homestudy.timeline import build_timeline

    today = args.today or date.today()
    try:
        vault = open_vault(args, read_only=True)
        try:
            case = find_case(vault, args.reference)
            rules = rules_for_case(vault, case, load_settings())
            library = forms_for_case(vault, case)
        finally:
            vault.close()
    except HomeStudyError as exc:
        return fail(exc, 2)  # 1 means "not ready"
    findings = assess_readiness(case, library, rules, today)
    timeline = build_timeline(case, rules, today)
    people = person_checks(case, rules, today)
    ready = is_ready(findings)
    if args.json:
        data = _as_json(case.reference, ready, findings, timeline)
        data["people"] = [_person_json(p) for p in people]
        print(json.dumps(data, indent=2))
    else:
        print(_as_text(case.reference, ready, findings, timeline, people))
    return 0 if ready else 1


def _person_json(person: Any) -> dict[str, Any]:
    """One person who needs checks: each check still outstanding, and those done."""

    def state(s: Any) -> dict[str, Any]:
        return {
            "kind": s.need.kind.value,
            "status": s.status.value,
            "why": s.need.why,
            "place_index": s.need.place_index or None,
            "check_id": s.check.id if s.check is not None else None,
        }

    return {
        "person_id": person.person_id,
        "label": person.label,
        "role": person.role,
        "outstanding": [state(s) for s in person.outstanding],
        "done": [state(s) for s in person.states if s not in person.outstanding],
    }


def _as_json(reference: str, ready: bool, findings: list[Any], timeline: Any) -> dict[str, Any]:
    from homestudy.readiness import counts

    day = timeline.stage2_day
    return {
        "reference": reference,
        "ready": ready,
        "today": timeline.today.isoformat(),
        "stage2_day": None if day is None else {"day": day[0], "of": day[1]},
        "counts": {s.value: n for s, n in counts(findings).items()},
        "findings": [f.to_json() for f in findings],
        "deadlines": [
            {
                "id": m.id,
                "title": m.title,
                "due": m.due.isoformat(),
                "done": m.done.isoformat() if m.done else None,
                "status": m.status.value,
                "reason": m.reason,
            }
            for m in timeline.milestones
        ],
    }


def _as_text(
    reference: str, ready: bool, findings: list[Any], timeline: Any, people: list[Any]
) -> str:
    from homestudy.readiness import Severity, counts
    from homestudy.readiness_people import CHECK_WORDS
    from homestudy.textutil import format_date

    n = counts(findings)
    lines = [reference]
    if timeline.stage2_day is not None:
        lines[0] += f": Stage 2 day {timeline.stage2_day[0]} of {timeline.stage2_day[1]}"
    verdict = "Ready for panel" if ready else "Not ready for panel"
    lines.append(
        f"{verdict}: {_plural(n[Severity.BLOCKER], 'blocker')}, "
        f"{_plural(n[Severity.WARNING], 'warning')}, {_plural(n[Severity.NOTE], 'note')}."
    )
    for severity, heading in (
        (Severity.BLOCKER, "Blockers"),
        (Severity.WARNING, "Warnings"),
        (Severity.NOTE, "Notes"),
    ):
        these = [f for f in findings if f.severity is severity]
        if these:
            lines += ["", heading]
            lines += [f"  - {f.message} [{f.fix_at.area}]" for f in these]
    waiting = [p for p in people if p.outstanding]
    if waiting:
        lines += ["", "Statutory checks outstanding"]
        for p in waiting:
            items = ", ".join(
                f"{CHECK_WORDS[s.need.kind]} ({s.status.value.replace('_', ' ')})"
                for s in p.outstanding
            )
            lines.append(f"  - {p.label}: {items}")
    upcoming = timeline.next_deadlines(3)
    if upcoming:
        lines += ["", "Next deadlines"]
        lines += [f"  {format_date(m.due):>11}  {m.title} ({m.status.value})" for m in upcoming]
    return "\n".join(lines)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"
