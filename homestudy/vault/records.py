"""Rows <-> model records, and which text of each record is searchable.

Small helpers shared by the repository: a record table row holds the record's JSON
(``homestudy.serial``); ``save_json_record`` upserts it, returns the changed field
names (for the audit trail) and keeps rowids stable so load order is save order.
"""

from __future__ import annotations

import json
from typing import Any

from homestudy.model import (
    Attachment,
    Case,
    ChecklistAnswer,
    ParSectionDraft,
    Reference,
    Visit,
)
from homestudy.serial import to_jsonable
from homestudy.vault import search

#: Case fields kept in their own tables rather than in ``cases.data``.
CHILD_FIELDS = (
    "visits",
    "references",
    "animals",
    "checklist_answers",
    "par_sections",
    "attachments",
)


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def changed_fields(old: dict[str, Any] | None, new: dict[str, Any]) -> list[str]:
    if old is None:
        return sorted(new)
    return sorted(k for k in new.keys() | old.keys() if old.get(k) != new.get(k))


def case_core(case: Case) -> dict[str, Any]:
    data = to_jsonable(case)
    for name in CHILD_FIELDS:
        data.pop(name)
    return dict(data)


def save_json_record(
    conn: Any,
    table: str,
    case_id: str,
    rec_id: str,
    data: dict[str, Any],
    extra: dict[str, Any] | None = None,
) -> tuple[str, list[str]] | None:
    """Upsert; returns (action, changed fields), or None when nothing changed."""
    row = conn.execute(f"SELECT case_id, data FROM {table} WHERE id = ?", (rec_id,)).fetchone()
    extra = extra or {}
    cols = ["id", "case_id", "data", *extra]
    values = [rec_id, case_id, dumps(data), *extra.values()]
    if row is None:
        conn.execute(
            f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", values
        )
        return "create", sorted(data)
    old = json.loads(row[1])
    if row[0] == case_id and old == data:
        return None
    sets = ", ".join(f"{c} = ?" for c in cols[1:])
    conn.execute(f"UPDATE {table} SET {sets} WHERE id = ?", [*values[1:], rec_id])
    return "update", changed_fields(old, data)


def visit_extra(visit: Visit) -> dict[str, Any]:
    return {"sequence": visit.sequence, "done": int(visit.is_done)}


def answer_key(a: ChecklistAnswer) -> str:
    return f"{a.form_id}/{a.subject_id}/{a.question_id}/{a.row}"


def save_answer(conn: Any, case_id: str, a: ChecklistAnswer) -> list[str] | None:
    """Upsert by (form, subject, question, row); returns changed fields or None."""
    key = (case_id, a.form_id, a.subject_id, a.question_id, a.row)
    row = conn.execute(
        "SELECT form_version, archived, value FROM checklist_answers WHERE case_id = ? AND"
        " form_id = ? AND subject_id = ? AND question_id = ? AND row = ?",
        key,
    ).fetchone()
    new = (a.form_version, int(a.archived), dumps(to_jsonable(a.value)))
    if row is not None and tuple(row) == new:
        return None
    conn.execute(
        "INSERT INTO checklist_answers (case_id, form_id, subject_id, question_id, row,"
        " form_version, archived, updated_at, value) VALUES (?,?,?,?,?,?,?,?,?)"
        " ON CONFLICT (case_id, form_id, subject_id, question_id, row) DO UPDATE SET"
        " form_version = excluded.form_version, archived = excluded.archived,"
        " updated_at = excluded.updated_at, value = excluded.value",
        (*key, *new[:2], a.updated_at.isoformat(), new[2]),
    )
    if row is None:
        return ["value"]
    names = ("form_version", "archived", "value")
    return [n for n, old, cur in zip(names, row, new, strict=True) if old != cur]


def save_section(conn: Any, case_id: str, draft: ParSectionDraft) -> list[str] | None:
    data = to_jsonable(draft)
    row = conn.execute(
        "SELECT data FROM par_sections WHERE case_id = ? AND section_id = ?",
        (case_id, draft.section_id),
    ).fetchone()
    old = json.loads(row[0]) if row else None
    if old == data:
        return None
    conn.execute(
        "INSERT INTO par_sections (case_id, section_id, data) VALUES (?,?,?) ON CONFLICT"
        " (case_id, section_id) DO UPDATE SET data = excluded.data",
        (case_id, draft.section_id, dumps(data)),
    )
    return changed_fields(old, data)


# ------------------------------------------------------------------ search text


def index_case_core(conn: Any, case: Case) -> None:
    s1 = case.stage1
    search.index(
        conn,
        case.id,
        "stage1",
        case.id,
        {
            "medical_adviser_summary": s1.medical_adviser_summary,
            "preparation_training": s1.preparation_training,
            "notes": s1.notes,
        },
    )
    lists: tuple[tuple[str, list[Any], str], ...] = (  # (search kind, records, text field)
        ("check", s1.checks, "notes"),
        ("line_of_enquiry", case.lines_of_enquiry, "text"),
        ("household_member", case.household, "notes"),
        ("significant_other", case.significant_others, "notes"),
    )
    for kind, records, field in (*lists, ("applicant", case.applicants, "")):
        search.unindex(conn, case.id, kind)
        for record in records:
            fields = {field: getattr(record, field)} if field else {}
            search.index(
                conn, case.id, kind, record.id, {**fields, **search.people_fields(kind, record)}
            )


def index_visit(conn: Any, case_id: str, v: Visit) -> None:
    search.index(conn, case_id, "visit", v.id, {"notes": v.notes})


def index_reference(conn: Any, case_id: str, r: Reference) -> None:
    search.index(
        conn,
        case_id,
        "reference",
        r.id,
        {
            "notes": r.notes,
            "not_contacted_reason": r.not_contacted_reason,
            **search.people_fields("reference", r),
        },
    )


def index_answer(conn: Any, case_id: str, a: ChecklistAnswer) -> None:
    search.index(conn, case_id, "answer", answer_key(a), {"value": search.answer_text(a.value)})


def index_section(conn: Any, case_id: str, d: ParSectionDraft) -> None:
    search.index(conn, case_id, "par_section", d.section_id, {"text": d.text})


def index_attachment(conn: Any, case_id: str, a: Attachment) -> None:
    search.index(conn, case_id, "attachment", a.id, {"description": a.description})
