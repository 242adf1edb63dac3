"""``homestudy readiness REF [--json]``: could this case go to panel?

Prints the findings (blockers first) and the next deadlines. Exit status: 0 when
nothing blocks, 1 when something does, 2 when the case or vault could not be read.
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
    from homestudy.commands.common import fail, read_case
    from homestudy.errors import HomeStudyError
    from homestudy.forms import load_library
    from homestudy.readiness import assess_readiness, is_ready
    from homestudy.settings import load_settings
    from homestudy.timeline import TimelineRules, build_timeline

    today = args.today or date.today()
    rules = TimelineRules.from_settings(load_settings())
    try:
        library = load_library()
        case = read_case(args)
    except HomeStudyError as exc:
        return fail(exc, 2)  # 1 means "not ready"
    findings = assess_readiness(case, library, rules, today)
    timeline = build_timeline(case, rules, today)
    ready = is_ready(findings)
    if args.json:
        print(json.dumps(_as_json(case.reference, ready, findings, timeline), indent=2))
    else:
        print(_as_text(case.reference, ready, findings, timeline))
    return 0 if ready else 1


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


def _as_text(reference: str, ready: bool, findings: list[Any], timeline: Any) -> str:
    from homestudy.readiness import Severity, counts
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
    upcoming = timeline.next_deadlines(3)
    if upcoming:
        lines += ["", "Next deadlines"]
        lines += [f"  {format_date(m.due):>11}  {m.title} ({m.status.value})" for m in upcoming]
    return "\n".join(lines)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"
