"""The three copies of a PAR and what each reader may see.

- panel: the whole report.
- applicant: every section the form definition marks confidential is replaced by
  a note; confidential data that other sections would otherwise pull in (statutory
  check notes, reference interview notes and referees, the medical adviser's
  summary) is never read; its "Applicants' comments" section (before the signatures)
  is room to write, with the date the comments are due back.
- supervisor: the whole report as a DRAFT, with each section's status, a version
  and date on every page, and an annex of readiness findings.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Variant(StrEnum):
    PANEL = "panel"
    APPLICANT = "applicant"
    SUPERVISOR = "supervisor"


REMOVED_NOTE = "This section is confidential and has been removed from the applicants' copy."


@dataclass(frozen=True)
class VariantRules:
    label: str
    include_confidential: bool  # confidential sections and confidential data
    draft: bool  # DRAFT watermark, version line, section status, readiness annex
    comments_at_end: bool  # "Applicants' comments" is blank room to write, with a due date


RULES: dict[Variant, VariantRules] = {
    Variant.PANEL: VariantRules("Panel copy", True, False, False),
    Variant.APPLICANT: VariantRules("Applicants' copy", False, False, True),
    Variant.SUPERVISOR: VariantRules("Supervisor draft", True, True, False),
}


def rules_for(variant: Variant | str) -> VariantRules:
    return RULES[Variant(variant)]
