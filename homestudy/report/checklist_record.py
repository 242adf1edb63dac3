"""The checklist record: every question of each checklist form, as the form groups
them (room by room for health and safety; per animal for pets), with its answer or
"Not answered", who completed it and when, and the actions with their owner, due
date and done date.

Read generically from the form definition and the answers, so a form an agency or a
later version changes (new questions, an owner for each action) is shown as it is.
A ``yes_no_na`` answer is ``{"answer", "comment", "action", "due", "done"}``; an
action's owner and done date are read from ``owner`` (or ``action_owner``) and
``done_on`` (or ``done_date``, or ``done`` holding a date) when the form records them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from homestudy.model import Case, ChecklistAnswer
from homestudy.report.docmodel import Document
from homestudy.report.values import YES_NO_NA, format_value, humanise, iso_date, label_of
from homestudy.report.values import table_rows as value_table_rows
from homestudy.textutil import format_date

NOT_ANSWERED = "Not answered"
_OWNER_KEYS = ("owner", "action_owner", "action_by")
_DONE_KEYS = ("done_on", "done_date", "completed_on")
_KNOWN_KEYS = frozenset(
    {"answer", "comment", "note", "action", "due", "done", *_OWNER_KEYS, *_DONE_KEYS}
)
#: text questions that say who completed a checklist, in the order they are trusted
_WHO_IDS = ("completed_by", "seen_by", "checked_by", "assessed_by")


def add_form(
    doc: Document,
    case: Case,
    form: Any,
    form_id: str,
    answers: list[ChecklistAnswer],
    subject_name: str = "",
    level: int = 1,
) -> None:
    """One form's record (one subject's, for a per-animal form)."""
    if subject_name:
        doc.heading(subject_name, level)
    live = [a for a in answers if not a.archived and a.value is not None]
    if form is None:  # a form this library does not know: its answers as they are
        _unknown_form(doc, live)
        return
    by_question: dict[str, list[ChecklistAnswer]] = {}
    for answer in live:
        by_question.setdefault(answer.question_id, []).append(answer)
    _summary(doc, case, form, by_question, live)
    actions: list[list[str]] = []
    for group in form.groups:
        condition = getattr(group, "show_when", None)
        if condition is not None:
            decider = by_question.get(condition.question_id)
            if decider and not condition.holds(decider[0].value):
                continue  # e.g. the dog assessment, for a cat (unanswered: shown, to do)
        doc.heading(group.title, level + 1)
        rows = [
            _row(question, by_question.get(question.id, []), actions)
            for question in group.questions
        ]
        doc.table(["Question", "Answer", "Comment"], rows, widths=(5, 2, 4))
    doc.heading("Actions", level + 1)
    if actions:
        doc.table(["Item", "Action", "Owner", "Due", "Done"], actions, widths=(3, 4, 2, 1.5, 1.5))
    else:
        doc.note("No actions were needed.")
    archived = [a for a in answers if a.archived and a.value is not None]
    if archived:
        doc.heading("Answers to questions no longer on the form", level + 1)
        doc.table(
            ["Question", "Answer"],
            [[form.removed_label(a.question_id), format_value(None, a.value)] for a in archived],
            widths=(2, 3),
        )


def _summary(
    doc: Document, case: Case, form: Any, by_question: dict[str, Any], live: list[ChecklistAnswer]
) -> None:
    questions = list(form.questions)
    answered = [q for q in questions if _answered(by_question.get(q.id, []))]
    missing = [q for q in questions if getattr(q, "required", False) and q not in answered]
    who = next(
        (
            str(by_question[q][0].value)
            for q in _WHO_IDS
            if by_question.get(q) and str(by_question[q][0].value).strip()
        ),
        "",
    )
    when = next(
        (
            iso_date(by_question[q.id][0].value)
            for q in questions
            if str(getattr(q, "type", "")) == "date" and by_question.get(q.id)
        ),
        "",
    )
    doc.field("Completed by", who or case.assessor_name or "Not recorded")
    doc.field("Date completed", when or "Not recorded")
    if live:
        last = max(a.updated_at for a in live)
        doc.field("Last changed", format_date(_day(last)))
    counts = f"{len(answered)} of {len(questions)} questions answered"
    if missing:
        counts += (
            f"; {len(missing)} required {'question' if len(missing) == 1 else 'questions'}"
            " not answered"
        )
    doc.field("Answers", counts)


def _day(moment: datetime | date) -> date:
    return moment.date() if isinstance(moment, datetime) else moment


def _answered(answers: list[ChecklistAnswer]) -> bool:
    for answer in answers:
        value = answer.value
        if isinstance(value, dict):
            if value.get("answer") not in (None, "") or any(
                v not in (None, "", False) for k, v in value.items() if k != "answer"
            ):
                return True
        elif value not in (None, "", []):
            return True
    return False


def _row(question: Any, answers: list[ChecklistAnswer], actions: list[list[str]]) -> list[str]:
    label = label_of(question)
    if not _answered(answers):
        required = " (required)" if getattr(question, "required", False) else ""
        return [label, NOT_ANSWERED + required, ""]
    kind = str(getattr(question, "type", ""))
    if kind == "table":
        rows = value_table_rows(question, answers)
        return [
            label,
            f"{len(rows)} {'row' if len(rows) == 1 else 'rows'}",
            "; ".join(" / ".join(c for c in row if c) for row in rows),
        ]
    value = answers[0].value
    if kind == "yes_no_na" and isinstance(value, dict):
        return _yes_no_na(question, label, value, actions)
    return [label, format_value(question, value) or NOT_ANSWERED, ""]


def _yes_no_na(
    question: Any, label: str, value: dict[str, Any], actions: list[list[str]]
) -> list[str]:
    answer = value.get("answer")
    shown = YES_NO_NA.get(answer, humanise(str(answer))) if answer else NOT_ANSWERED
    comment = [str(value.get(k)).strip() for k in ("comment", "note") if value.get(k)]
    extra = [
        f"{humanise(k)}: {v}"
        for k, v in value.items()
        if k not in _KNOWN_KEYS and v not in (None, "", False)
    ]
    needs_action = answer in tuple(getattr(question, "action_when", ("no",)))
    if value.get("action") or needs_action:
        actions.append(_action(label, value))
    return [label, shown, " ".join(comment + extra)]


def _action(label: str, value: dict[str, Any]) -> list[str]:
    owner = next((str(value[k]) for k in _OWNER_KEYS if value.get(k)), "Not recorded")
    due = iso_date(value["due"]) if value.get("due") else "Not set"
    done_on = next((value[k] for k in _DONE_KEYS if value.get(k)), None)
    done = value.get("done")
    if done_on:
        done_text = iso_date(done_on)
    elif isinstance(done, str) and done:
        done_text = iso_date(done)
    elif done:
        done_text = "Done (date not recorded)"
    else:
        done_text = "Not yet done"
    action = str(value.get("action") or "").strip() or "No action recorded"
    return [label, action, owner, due, done_text]


def _unknown_form(doc: Document, answers: list[ChecklistAnswer]) -> None:
    rows: dict[str, list[str]] = {}
    for answer in sorted(answers, key=lambda a: (a.question_id, a.row)):
        rows.setdefault(answer.question_id, []).append(format_value(None, answer.value))
    doc.table(
        ["Question", "Answer"],
        [
            [humanise(q), "; ".join(v for v in values if v) or NOT_ANSWERED]
            for q, values in rows.items()
        ],
        widths=(2, 3),
    )
