"""Answers to form questions as words a reader understands (shared by the PAR and
the checklist exports). Tolerant: an answer of an unexpected shape is shown as text
rather than crashing an export."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from homestudy.labels import value_label
from homestudy.model import ChecklistAnswer
from homestudy.report.markdown import cell_text
from homestudy.report.sanitize import clean_line, clean_text
from homestudy.textutil import format_date

YES_NO_NA = {
    "yes": "Yes",
    "no": "No",
    "na": "Not applicable",
    "not_applicable": "Not applicable",
    True: "Yes",
    False: "No",
}


def humanise(identifier: str) -> str:
    """An identifier as words: an enum value by its label (``homestudy.labels``: "DBS",
    "Ex-partner"), anything else with its underscores as spaces."""
    text = clean_line(identifier)
    known = value_label(text)
    if known is not None:
        return known
    return text.replace("_", " ").capitalize()


def iso_date(value: Any) -> str:
    if isinstance(value, date):
        return format_date(value)
    try:
        return format_date(date.fromisoformat(str(value)))
    except ValueError:
        return clean_line(value)


def _label(question: Any) -> str:
    return clean_line(getattr(question, "label", "")) or humanise(getattr(question, "id", ""))


def _type(question: Any) -> str:
    return str(getattr(question, "type", "text") or "text")


def format_value(question: Any, value: Any) -> str:
    """One answer as text (a table's rows are handled by ``table_rows``)."""
    if value is None:
        return ""
    kind = _type(question)
    if isinstance(value, dict):
        return _format_dict(value)
    if isinstance(value, bool) or kind == "yes_no_na":
        return YES_NO_NA.get(value, clean_line(value)) if isinstance(value, bool | str) else ""
    if kind == "choice" and hasattr(question, "choice_label"):
        return clean_line(question.choice_label(str(value)))
    if isinstance(value, list):
        labels = [
            question.choice_label(str(v)) if hasattr(question, "choice_label") else v for v in value
        ]
        return ", ".join(clean_line(v) for v in labels)
    if kind == "date":
        return iso_date(value)
    if kind == "narrative":  # written in the rich editor: Markdown, shown without marks
        return cell_text(str(value))
    return clean_text(value)


def _format_dict(value: dict[str, Any]) -> str:
    parts: list[str] = []
    answer = value.get("answer")
    if answer is not None:
        parts.append(
            YES_NO_NA.get(answer, clean_line(answer))
            if isinstance(answer, str | bool)
            else clean_line(answer)
        )
    for key in ("note", "comment"):
        if value.get(key):
            parts.append(clean_line(value[key]))
    if value.get("action"):
        due = value.get("due") or ""
        owner = value.get("owner") or value.get("action_owner") or ""
        done_on = value.get("done_on") or value.get("done_date") or ""
        done = (
            f" (done {iso_date(done_on)})" if done_on else (" (done)" if value.get("done") else "")
        )
        parts.append(
            f"Action: {clean_line(value['action'])}"
            + (f" ({clean_line(owner)})" if owner else "")
            + (f", by {iso_date(due)}" if due else "")
            + done
        )
    if not parts:  # some other dict (a table row shown flat)
        parts = [f"{humanise(str(k))}: {clean_line(v)}" for k, v in value.items()]
    return " — ".join(p for p in parts if p)


def table_rows(question: Any, answers: Iterable[ChecklistAnswer]) -> list[list[str]]:
    """Rows of a table question's answers (in row order, cleared rows left out)."""
    columns = tuple(getattr(question, "columns", ()) or ())
    rows = []
    for answer in sorted(answers, key=lambda a: a.row):
        if not isinstance(answer.value, dict):
            continue
        if columns:
            rows.append([format_value(c, answer.value.get(getattr(c, "id", ""))) for c in columns])
        else:
            rows.append([_format_dict(answer.value)])
    return rows


def column_labels(question: Any) -> list[str]:
    columns = tuple(getattr(question, "columns", ()) or ())
    return [_label(c) for c in columns] or ["Answer"]


def label_of(question: Any) -> str:
    return _label(question)
