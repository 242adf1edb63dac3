"""Record exports: one visit, and the completed checklists (health and safety, pets).

These are working records for the assessor's file, marked like the PAR; they are
built into the same document model and written by the same two writers.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from homestudy.errors import NotFoundError
from homestudy.model import Case, ChecklistAnswer, Visit
from homestudy.report.docmodel import Document
from homestudy.report.markdown import parse_blocks
from homestudy.report.values import format_value, humanise, label_of, table_rows
from homestudy.textutil import format_date

CHECKLIST_FORMS = ("health_safety", "pet_assessment")


def build_visit_record(case: Case, visit_id: str, forms: Any = None,
                       today: date | None = None) -> Document:
    visit = next((v for v in case.visits if v.id == visit_id), None)
    if visit is None:
        raise NotFoundError("That visit could not be found in this case.")
    doc = Document(reference=case.reference, title="Visit record",
                   variant_label="Visit record", author=case.assessor_name)
    doc.para(f"Visit {visit.sequence}: {visit.title}", "title")
    doc.field("Case reference", case.reference)
    doc.field("Date", _visit_date(visit))
    doc.field("Mode", humanise(visit.mode.value))
    doc.field("Who was seen", _who(case, visit) or "Not recorded")
    doc.field("Topics", ", ".join(_topic_title(forms, t) for t in visit.topics) or "None")
    doc.field("Exported", format_date(today or date.today()))
    doc.heading("Notes", 1, anchor="notes")
    blocks = parse_blocks(visit.notes)
    if blocks:
        doc.extend(blocks)
    else:
        doc.note("No notes recorded.")
    return doc


def _visit_date(visit: Visit) -> str:
    if visit.done_date:
        return format_date(visit.done_date)
    if visit.planned_date:
        return f"Planned for {format_date(visit.planned_date)} (not yet held)"
    return "Not yet planned"


def _who(case: Case, visit: Visit) -> str:
    names = {a.id: a.full_name for a in case.applicants}
    names.update({m.id: m.name for m in case.household})
    return ", ".join(names[p] for p in visit.who_seen if p in names)


def _topic_title(forms: Any, topic_id: str) -> str:
    try:
        return str(forms.visit_plan.topic(topic_id).title)
    except (AttributeError, KeyError):
        return humanise(topic_id)


def build_checklists(case: Case, forms: Any = None, today: date | None = None) -> Document:
    doc = Document(reference=case.reference, title="Checklists",
                   variant_label="Checklist record", author=case.assessor_name)
    doc.para("Completed checklists", "title")
    doc.field("Case reference", case.reference)
    doc.field("Exported", format_date(today or date.today()))
    form_ids = list(CHECKLIST_FORMS) + sorted(
        {a.form_id for a in case.checklist_answers} - set(CHECKLIST_FORMS)
        - {getattr(getattr(forms, "par", None), "id", "par_england"), "reference_interview"})
    for form_id in form_ids:
        answers = [a for a in case.checklist_answers
                   if a.form_id == form_id and not a.archived and a.value is not None]
        form = _form(forms, form_id)
        doc.heading(str(getattr(form, "title", "") or humanise(form_id)), 1, anchor=form_id)
        if not answers:
            doc.note("Not yet completed.")
            continue
        subjects = sorted({a.subject_id for a in answers})
        for subject in subjects:
            if subject:
                doc.heading(_subject_name(case, subject), 2)
            _answers_table(doc, form, [a for a in answers if a.subject_id == subject])
    return doc


def _form(forms: Any, form_id: str) -> Any:
    try:
        return forms.get(form_id)
    except (AttributeError, KeyError):  # no library, or a form it does not know
        return None


def _subject_name(case: Case, subject_id: str) -> str:
    for animal in case.animals:
        if animal.id == subject_id:
            # the breed lives on the animal's record (the pet form no longer asks it)
            kind = ", ".join(p for p in (animal.species, animal.breed) if p)
            return f"{animal.name} ({kind})" if kind else animal.name
    return "Other"


class _Plain:
    """A stand-in question for an answer whose form or question is unknown."""

    def __init__(self, question_id: str) -> None:
        self.id, self.label, self.type = question_id, humanise(question_id), "text"


def _answers_table(doc: Document, form: Any, answers: list[ChecklistAnswer]) -> None:
    by_question: dict[str, list[ChecklistAnswer]] = {}
    for answer in answers:
        by_question.setdefault(answer.question_id, []).append(answer)
    order = [q.id for q in getattr(form, "questions", ())] if form is not None else []
    order += sorted(set(by_question) - set(order))
    rows: list[list[str]] = []
    for qid in order:
        if qid not in by_question:
            continue
        question = _question(form, qid)
        if str(getattr(question, "type", "")) == "table":
            text = "; ".join(" / ".join(c for c in row if c)
                             for row in table_rows(question, by_question[qid]))
        else:
            text = format_value(question, by_question[qid][0].value)
        rows.append([label_of(question), text or "—"])
    doc.table(["Question", "Answer"], rows, widths=(2, 3))


def _question(form: Any, question_id: str) -> Any:
    try:
        return form.question(question_id)
    except (AttributeError, KeyError):
        return _Plain(question_id)
