"""The three copies of a PAR and what each reader may see.

- panel: the whole report.
- applicant: every section the form definition marks confidential is replaced by
  a note; confidential data that other sections would otherwise pull in (statutory
  check notes, reference interview notes and referees, the medical adviser's
  summary) is never read; a blank "Applicants' comments" section closes it.
- supervisor: the whole report as a DRAFT, with each section's status and an
  annex of readiness findings.

Every copy carries its version (case revision and date) on every page; a panel or
applicants' copy of a case that is not ready carries ``INCOMPLETE_MARK`` too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from homestudy.textutil import format_date


class Variant(StrEnum):
    PANEL = "panel"
    APPLICANT = "applicant"
    SUPERVISOR = "supervisor"


#: on every page of a panel or applicants' copy exported while readiness has blockers
INCOMPLETE_MARK = "INCOMPLETE – NOT FOR PANEL"
REMOVED_NOTE = "This section is confidential and has been removed from the applicants' copy."


@dataclass(frozen=True)
class VariantRules:
    label: str
    include_confidential: bool  # confidential sections and confidential data
    draft: bool  # DRAFT watermark, version line, section status, readiness annex
    comments_at_end: bool  # a blank "Applicants' comments" section closes the report


RULES: dict[Variant, VariantRules] = {
    Variant.PANEL: VariantRules("Panel copy", True, False, False),
    Variant.APPLICANT: VariantRules("Applicants' copy", False, False, True),
    Variant.SUPERVISOR: VariantRules("Supervisor draft", True, True, False),
}


def rules_for(variant: Variant | str) -> VariantRules:
    return RULES[Variant(variant)]


def marks_incomplete(variant: Variant | str) -> bool:
    """The copies that must say so when the case is not ready (the draft says DRAFT)."""
    return Variant(variant) in (Variant.PANEL, Variant.APPLICANT)


def version_label(revision: int | str, on: date) -> str:
    """"Version 143 · 3 Dec 2026": the case's saved revision and the day of the export."""
    return f"Version {revision} · {format_date(on)}"
