"""The forms engine: definitions in ``forms/*.yaml`` loaded into frozen dataclasses.

    lib = load_library()                       # cached; forms_dir() by default
    lib.par.section("health").guidance
    form = lib.get("health_safety")
    completeness(form, case.answers_for("health_safety")).open_actions

Answers are ``homestudy.model.ChecklistAnswer`` keyed by form id + version +
question id (+ ``subject_id`` for per-animal / per-reference forms, + ``row`` for
table rows). The ``value`` of each question type:

    text, narrative   str
    choice            str, a choice id
    multi_choice      list[str] of choice ids
    date              ISO date str, "2026-11-22"
    number            int | float
    yes_no_na         {"answer": "yes" | "no" | "not_applicable", "comment": str,
                       "action": str, "due": "YYYY-MM-DD" | "", "done": bool,
                       "owner": str, "done_on": "YYYY-MM-DD" | ""}  (owner, done_on
                       optional: who will do the action, the day it was done)
                      an action is open when "answer" is in the question's
                      ``action_when`` (default ["no"]) and "done" is not true
    table             one answer per row (row 0, 1, ...), value {column_id: value};
                      a yes_no_na column holds just "yes" | "no" | "not_applicable"
    any               None: cleared (a removed table row)

Errors are ``homestudy.errors.FormDefinitionError`` with ``file``, ``line``, ``key``.
"""

from __future__ import annotations

from collections.abc import Iterable

from homestudy.forms.completeness import (
    ClosedAction,
    Completeness,
    Flag,
    OpenAction,
    completeness,
    list_match,
)
from homestudy.forms.library import (
    FormLibrary,
    agency_overrides_dir,
    build_library,
    forms_dir,
    load_library,
)
from homestudy.forms.migrate import migrate_answers
from homestudy.forms.types import (
    Choice,
    Condition,
    FormDefinition,
    Group,
    GuideSet,
    ParDefinition,
    ParSection,
    Question,
    QuestionType,
    Topic,
    VersionChange,
    VisitPlan,
    VisitTemplate,
)

BANNED_BREEDS_LIST = "banned_breeds"


def banned_breeds(lib: FormLibrary) -> tuple[str, ...]:
    """The breeds that block approval (configurable in pet_assessment.yaml or overrides)."""
    return tuple(lib.get("pet_assessment").lists.get(BANNED_BREEDS_LIST, ()))


def is_banned_breed(breed: str, names: Iterable[str]) -> bool:
    return bool(list_match(breed, names))


__all__ = [
    "BANNED_BREEDS_LIST",
    "Choice",
    "ClosedAction",
    "Completeness",
    "Condition",
    "Flag",
    "FormDefinition",
    "FormLibrary",
    "Group",
    "GuideSet",
    "OpenAction",
    "ParDefinition",
    "ParSection",
    "Question",
    "QuestionType",
    "Topic",
    "VersionChange",
    "VisitPlan",
    "VisitTemplate",
    "agency_overrides_dir",
    "banned_breeds",
    "build_library",
    "completeness",
    "forms_dir",
    "is_banned_breed",
    "list_match",
    "load_library",
    "migrate_answers",
]
