"""How complete one form is for one subject: empty required questions, open actions.

Used by the readiness check and the workspace. Groups hidden by ``show_when``
(the dog assessment for a cat) do not count. ``flags`` are answers that match a
form list they must not (a banned breed): readiness treats them as blockers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from homestudy.forms.types import FormDefinition, Question, QuestionType
from homestudy.model import ChecklistAnswer


@dataclass(frozen=True)
class OpenAction:
    question_id: str
    label: str
    row: int = 0
    action: str = ""  # "" while nobody has written what must be done
    due: date | None = None
    subject_id: str = ""
    owner: str = ""  # who will do it ("" while nobody is named)

    def is_overdue(self, today: date) -> bool:
        return self.due is not None and self.due < today


@dataclass(frozen=True)
class ClosedAction:
    """An action marked done: who did it and when (``done_on`` None: no date given)."""

    question_id: str
    label: str
    row: int = 0
    owner: str = ""
    done_on: date | None = None
    subject_id: str = ""


@dataclass(frozen=True)
class Flag:
    question_id: str
    row: int
    message: str


@dataclass(frozen=True)
class Completeness:
    missing_required: tuple[str, ...]
    open_actions: tuple[OpenAction, ...]
    flags: tuple[Flag, ...] = ()
    closed_actions: tuple[ClosedAction, ...] = ()

    @property
    def is_complete(self) -> bool:
        return not self.missing_required and not self.open_actions


def is_empty(question: Question, value: Any) -> bool:
    if value is None:
        return True
    t = question.type
    if t is QuestionType.YES_NO_NA:
        answer = value.get("answer") if isinstance(value, dict) else value
        return answer not in ("yes", "no", "not_applicable")
    if t is QuestionType.MULTI_CHOICE:
        return not value
    if t is QuestionType.NUMBER:
        return not isinstance(value, int | float) or isinstance(value, bool)
    if t is QuestionType.TABLE:
        return not isinstance(value, dict) or all(
            is_empty(c, value.get(c.id)) for c in question.columns
        )
    return not str(value).strip()


def parse_due(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def answer_values(
    form: FormDefinition, answers: Iterable[ChecklistAnswer], subject_id: str
) -> dict[tuple[str, int], Any]:
    return {
        (a.question_id, a.row): a.value
        for a in answers
        if a.form_id == form.id and a.subject_id == subject_id and not a.archived
    }


def visible_groups(form: FormDefinition, values: dict[tuple[str, int], Any]) -> list[str]:
    return [
        g.id
        for g in form.groups
        if g.show_when is None or g.show_when.holds(values.get((g.show_when.question_id, 0)))
    ]


def completeness(
    form: FormDefinition, answers: Iterable[ChecklistAnswer], subject_id: str = ""
) -> Completeness:
    values = answer_values(form, answers, subject_id)
    shown = set(visible_groups(form, values))
    missing: list[str] = []
    actions: list[OpenAction] = []
    closed: list[ClosedAction] = []
    flags: list[Flag] = []
    for group in form.groups:
        if group.id not in shown:
            continue
        for q in group.questions:
            if q.type is QuestionType.TABLE:
                rows = [r for (qid, r), v in values.items() if qid == q.id and not is_empty(q, v)]
                if q.required and len(rows) < max(1, q.min_rows):
                    missing.append(q.id)
                for r in sorted(rows):
                    for col in q.columns:
                        flags.extend(_flags(form, col, values[(q.id, r)].get(col.id), r, q.id))
                continue
            value: Any = values.get((q.id, 0))  # an answer: its shape depends on q.type
            if q.required and is_empty(q, value):
                missing.append(q.id)
            flags.extend(_flags(form, q, value, 0, q.id))
            if _needs_action(q, value):
                actions.append(
                    OpenAction(
                        q.id,
                        q.label,
                        0,
                        str(value.get("action") or ""),
                        parse_due(value.get("due")),
                        subject_id,
                        str(value.get("owner") or ""),
                    )
                )
            elif _action_done(q, value):
                closed.append(
                    ClosedAction(
                        q.id,
                        q.label,
                        0,
                        str(value.get("owner") or ""),
                        parse_due(value.get("done_on")),
                        subject_id,
                    )
                )
    return Completeness(tuple(missing), tuple(actions), tuple(flags), tuple(closed))


def _needs_action(q: Question, value: Any) -> bool:
    return (
        q.type is QuestionType.YES_NO_NA
        and isinstance(value, dict)
        and value.get("answer") in q.action_when
        and not value.get("done")
    )


def _action_done(q: Question, value: Any) -> bool:
    return (
        q.type is QuestionType.YES_NO_NA
        and isinstance(value, dict)
        and value.get("answer") in q.action_when
        and bool(value.get("done"))
    )


def _compact(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.casefold())


def _words(text: str) -> frozenset[str]:
    return frozenset(re.findall(r"[0-9a-z]+", text.casefold()))


def list_match(value: str, names: Iterable[str]) -> str:
    """The first of ``names`` that ``value`` matches, or "": whatever the case, spacing,
    punctuation or word order ("Bully, XL" and "xl-bully" both match "XL Bully"): every
    word of the name is among the value's words, or the name run together is inside the
    value run together ("Pitbull cross" matches "Pit Bull")."""
    have, words = _compact(value), _words(value)
    if not have:
        return ""
    for name in names:
        want, name_words = _compact(name), _words(name)
        if want and (want in have or (name_words and name_words <= words)):
            return name
    return ""


def _flags(form: FormDefinition, q: Question, value: Any, row: int, qid: str) -> list[Flag]:
    if not q.not_in_list or not isinstance(value, str):
        return []
    hit = list_match(value, form.lists.get(q.not_in_list, ()))
    if not hit:
        return []
    message = q.list_message or f"'{hit}' is on the list '{q.not_in_list}'."
    return [Flag(qid, row, message)]
