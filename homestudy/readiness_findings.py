"""What readiness says of a case: findings, their severity and where each is fixed.

The data types every readiness rule yields (``homestudy.readiness_*``) and the
overview shows; ``homestudy.readiness`` runs the rules and hands these names on.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

__all__ = ["Finding", "FixArea", "FixAt", "Severity"]


class Severity(StrEnum):
    BLOCKER = "blocker"
    WARNING = "warning"
    NOTE = "note"


FixArea = Literal["visits", "references", "checklists", "par", "case"]


@dataclass(frozen=True)
class FixAt:
    """Where a finding is fixed: a tab of the case workspace and what to open in it.

    ``target``, the most specific thing there is, by area: "visits" a visit id, or the
    id of a person to see (an applicant, a child of the household), or ""; "references"
    a reference id, or the id of the person who needs one, or ""; "checklists"
    ``health_safety``, ``health_safety/<question id>``, an animal id or
    ``pet_assessment/<animal id>/<question id>``; "par" a section id or
    ``<section id>/<field id>``; "case" a ``Case`` or Stage 1 field name
    (``stage``, ``panel_date``, ``medical_adviser_summary`` ...), a statutory check's
    id, or (no check recorded yet) the person's id.
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
