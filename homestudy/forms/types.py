"""Frozen dataclasses that a form definition loads into.

Nothing here reads files; ``schema.py`` builds these from YAML and ``library.py``
checks the references between them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import cached_property
from types import MappingProxyType
from typing import Any


class QuestionType(StrEnum):
    TEXT = "text"  # one line
    NARRATIVE = "narrative"  # paragraphs
    YES_NO_NA = "yes_no_na"  # with comment, and an action + due date where needed
    CHOICE = "choice"
    MULTI_CHOICE = "multi_choice"
    DATE = "date"
    NUMBER = "number"
    TABLE = "table"  # repeatable rows of the question's columns


#: Types a table column may have (no tables inside tables).
COLUMN_TYPES = frozenset(QuestionType) - {QuestionType.TABLE}

YES, NO, NOT_APPLICABLE = "yes", "no", "not_applicable"
YES_NO_NA_VALUES = (YES, NO, NOT_APPLICABLE)

PARTS = ("cover", "part1", "part2", "after")
#: A PAR definition's ``parts:`` may also title the confidential part: the sections
#: marked ``confidential`` gathered at the end of their part, on pages of their own.
CONFIDENTIAL_PART = "confidential"
#: Pictures a section may show (the case names the attachment for each).
IMAGE_SLOTS = ("photograph", "family_tree", "ecomap")
#: What a front-sheet item may show: facts of the case, or (``field``) a PAR field's
#: answer, (``section_text``) a PAR section's text, (``text``) fixed words.
FRONT_SHEET_SOURCES = (
    "applicant_names",
    "photograph",
    "social_worker",
    "agency",
    "team_manager",
    "case_reference",
    "stage2_started",
    "visits",
    "panel_date",
    "exported",
    "field",
    "section_text",
    "text",
)
ATTENDANCE = ("joint", "applicant1", "applicant2", "household")


@dataclass(frozen=True)
class Choice:
    id: str
    label: str


@dataclass(frozen=True)
class Condition:
    """Show a group only when ``question_id``'s answer is one of ``values``."""

    question_id: str
    values: tuple[str, ...]

    def holds(self, value: Any) -> bool:
        if isinstance(value, list):
            return any(str(v) in self.values for v in value)
        return value is not None and str(value) in self.values


@dataclass(frozen=True)
class Question:
    id: str
    type: QuestionType
    label: str
    help: str = ""
    required: bool = False
    choices: tuple[Choice, ...] = ()
    columns: tuple[Question, ...] = ()  # for a table
    action_when: tuple[str, ...] = (NO,)  # yes_no_na answers that need an action
    min_value: float | None = None
    max_value: float | None = None
    min_rows: int = 0  # a required table needs at least max(1, min_rows) rows
    not_in_list: str = ""  # name of a form list the answer must not match (banned breeds)
    list_message: str = ""  # what to say when it does

    def choice_label(self, choice_id: str) -> str:
        for c in self.choices:
            if c.id == choice_id:
                return c.label
        return choice_id


@dataclass(frozen=True)
class Group:
    id: str
    title: str
    questions: tuple[Question, ...]
    help: str = ""
    show_when: Condition | None = None


@dataclass(frozen=True)
class VersionChange:
    """What version ``version`` of a form did to the version before it."""

    version: int
    renamed: tuple[tuple[str, str], ...] = ()  # (old id, new id)
    removed: tuple[tuple[str, str], ...] = ()  # (id, label to show the archived answer under)


@dataclass(frozen=True)
class FormDefinition:
    id: str
    version: int
    title: str
    groups: tuple[Group, ...]
    description: str = ""
    per_subject: bool = False  # answers per animal / per reference (subject_id)
    variant: str = ""  # a reference guide's ReferenceKind value
    lists: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    history: tuple[VersionChange, ...] = ()
    source: str = ""  # file it came from, for messages

    @cached_property
    def _by_id(self) -> dict[str, Question]:
        return {q.id: q for g in self.groups for q in g.questions}

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for g in self.groups for q in g.questions)

    def question(self, question_id: str) -> Question:
        return self._by_id[question_id]

    def has_question(self, question_id: str) -> bool:
        return question_id in self._by_id

    def group(self, group_id: str) -> Group:
        for g in self.groups:
            if g.id == group_id:
                return g
        raise KeyError(group_id)

    def group_of(self, question_id: str) -> Group:
        for g in self.groups:
            if any(q.id == question_id for q in g.questions):
                return g
        raise KeyError(question_id)

    def removed_label(self, question_id: str) -> str:
        """The label a removed question had, for showing its archived answer."""
        for change in self.history:
            for qid, label in change.removed:
                if qid == question_id:
                    return label
        return question_id.replace("_", " ").capitalize()


@dataclass(frozen=True)
class ParSection:
    id: str
    title: str
    part: str
    guidance: tuple[str, ...] = ()
    feeds_from_topics: tuple[str, ...] = ()
    feeds_from_reference_kinds: tuple[str, ...] = ()
    confidential: bool = False
    required: bool = False
    needs_analysis: bool = False
    written_by_applicants: bool = False
    fields: tuple[Question, ...] = ()
    image: str = ""  # one of IMAGE_SLOTS, shown in this section; "" none


@dataclass(frozen=True)
class FrontSheetItem:
    """One line of the PAR's front sheet (see ``FRONT_SHEET_SOURCES``)."""

    source: str
    label: str = ""
    field: str = ""  # "<section id>/<field id>" for source ``field``
    section: str = ""  # a section id for source ``section_text``
    text: str = ""  # for source ``text``


@dataclass(frozen=True)
class FrontSheet:
    title: str
    items: tuple[FrontSheetItem, ...]

    @property
    def sections_shown(self) -> tuple[str, ...]:
        """Sections whose text the front sheet prints (not printed again as sections)."""
        return tuple(i.section for i in self.items if i.source == "section_text")


@dataclass(frozen=True)
class PartInfo:
    """How a part of the report is headed: ``id`` is a section ``part`` key or
    ``CONFIDENTIAL_PART``; sections in it are numbered "<number>.<n>"."""

    id: str
    title: str
    number: str = ""
    running_mark: str = ""  # printed at the top and foot of each of its pages


@dataclass(frozen=True)
class ParDefinition:
    id: str
    version: int
    title: str
    sections: tuple[ParSection, ...]
    history: tuple[VersionChange, ...] = ()
    source: str = ""
    front_sheet: FrontSheet | None = None
    parts: tuple[PartInfo, ...] = ()

    def part(self, part_id: str) -> PartInfo | None:
        return next((p for p in self.parts if p.id == part_id), None)

    def section(self, section_id: str) -> ParSection:
        for s in self.sections:
            if s.id == section_id:
                return s
        raise KeyError(section_id)

    @property
    def section_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.sections)

    @cached_property
    def form(self) -> FormDefinition:
        """The PAR's structured fields as a form: one group per section, in order."""
        groups = tuple(
            Group(id=s.id, title=s.title, questions=s.fields, help="\n".join(s.guidance))
            for s in self.sections
        )
        return FormDefinition(
            id=self.id,
            version=self.version,
            title=self.title,
            groups=groups,
            history=self.history,
            source=self.source,
        )


@dataclass(frozen=True)
class Topic:
    id: str
    title: str
    par_section_ids: tuple[str, ...] = ()
    prompts: tuple[str, ...] = ()
    form_ids: tuple[str, ...] = ()  # forms filled in for this topic (health_safety ...)


@dataclass(frozen=True)
class VisitTemplate:
    id: str
    title: str
    attendance: str  # one of ATTENDANCE
    topics: tuple[str, ...] = ()


@dataclass(frozen=True)
class VisitPlan:
    id: str
    version: int
    title: str
    visits: tuple[VisitTemplate, ...]
    topics: tuple[Topic, ...]
    source: str = ""

    def visit(self, visit_id: str) -> VisitTemplate:
        for v in self.visits:
            if v.id == visit_id:
                return v
        raise KeyError(visit_id)

    def topic(self, topic_id: str) -> Topic:
        for t in self.topics:
            if t.id == topic_id:
                return t
        raise KeyError(topic_id)


@dataclass(frozen=True)
class GuideSet:
    """Interview guides, one per kind of referee; each guide is a form of its own."""

    id: str
    version: int
    title: str
    guides: tuple[FormDefinition, ...]
    history: tuple[VersionChange, ...] = ()
    source: str = ""

    def guide(self, variant: str) -> FormDefinition:
        for g in self.guides:
            if g.variant == variant:
                return g
        raise KeyError(variant)


def with_groups(form: FormDefinition, groups: tuple[Group, ...]) -> FormDefinition:
    return replace(form, groups=groups)
