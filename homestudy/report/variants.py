"""The three copies of a PAR and what each reader may see.

- panel: the whole report.
- applicant: every section the form definition marks confidential is replaced by
  a note; confidential data that other sections would otherwise pull in (statutory
  check notes, reference interview notes and referees) is never read; its "Applicants'
  comments" section (before the signatures) is room to write, with the date the comments
  are due back. The medical adviser's summary is the
  applicants' own health information: shown, unless the agency's
  ``TimelineRules.medical_summary_shared`` is false (``withheld``). Passages of the
  shared sections that name or quote third parties are the guard's
  (``report.confidentiality``; ``export_par`` refuses the copy until each is reviewed).
- supervisor: the whole report as a DRAFT, with each section's status, a version
  and date on every page, and an annex of readiness findings.

Every copy carries its version (case revision and date) on every page; a panel or
applicants' copy of a case that is not ready carries ``INCOMPLETE_MARK`` too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

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
    comments_at_end: bool  # "Applicants' comments" is blank room to write, with a due date


RULES: dict[Variant, VariantRules] = {
    Variant.PANEL: VariantRules("Panel copy", True, False, False),
    Variant.APPLICANT: VariantRules("Applicants' copy", False, False, True),
    Variant.SUPERVISOR: VariantRules("Supervisor draft", True, True, False),
}


def rules_for(variant: Variant | str) -> VariantRules:
    return RULES[Variant(variant)]


#: the section whose shared/confidential choice is an agency setting
#: (``TimelineRules.medical_summary_shared``): the applicants' own health information
MEDICAL_SUMMARY = "medical_summary"
#: sections the applicants write or fill in after reading: not the worker's narrative
NOT_NARRATIVE = frozenset({"applicants_comments", "signatures"})


def withheld(section: Any, medical_summary_shared: bool = True) -> bool:
    """True when the applicants' copy leaves ``section`` out: the form marks it
    confidential, or it is the medical adviser's summary and the agency keeps that back."""
    if section.id == MEDICAL_SUMMARY and not medical_summary_shared:
        return True
    return bool(getattr(section, "confidential", False))


def shared_section_ids(definition: Any, medical_summary_shared: bool = True) -> list[str]:
    """The ids of the sections whose text the applicants' copy shows, in form order."""
    return [
        s.id
        for s in getattr(definition, "sections", ())
        if not withheld(s, medical_summary_shared) and s.id not in NOT_NARRATIVE
    ]


def marks_incomplete(variant: Variant | str) -> bool:
    """The copies that must say so when the case is not ready (the draft says DRAFT)."""
    return Variant(variant) in (Variant.PANEL, Variant.APPLICANT)


def version_label(revision: int | str, on: date) -> str:
    """ "Version 143 · 3 Dec 2026": the case's saved revision and the day of the export."""
    return f"Version {revision} · {format_date(on)}"
