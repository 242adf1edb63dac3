"""Record exports: one visit, and the checklists (health and safety, pets).

These are working records for the assessor's file, marked like the PAR; they are
built into the same document model and written by the same two writers. They say
what is missing as plainly as what is there: a checklist shows every question
(``checklist_record``), a visit what was planned, who was and was not seen.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from homestudy.errors import NotFoundError
from homestudy.labels import label
from homestudy.model import Case, Visit
from homestudy.report.checklist_record import add_form
from homestudy.report.docmodel import Document
from homestudy.report.markdown import parse_blocks
from homestudy.report.values import humanise
from homestudy.textutil import format_date

CHECKLIST_FORMS = ("health_safety", "pet_assessment")
ATTENDANCE = {
    "joint": "Both applicants together",
    "applicant1": "The first applicant alone",
    "applicant2": "The second applicant alone",
    "household": "The whole household",
}


def build_visit_record(
    case: Case, visit_id: str, forms: Any = None, today: date | None = None
) -> Document:
    visit = next((v for v in case.visits if v.id == visit_id), None)
    if visit is None:
        raise NotFoundError("That visit could not be found in this case.")
    today = today or date.today()
    doc = Document(
        reference=case.reference,
        title="Visit record",
        variant_label="Visit record",
        author=case.assessor_name,
    )
    doc.para(f"Visit {visit.sequence}: {visit.title}", "title")
    doc.field("Case reference", case.reference)
    doc.field("Planned for", format_date(visit.planned_date, "Not planned"))
    doc.field("Held", _held(visit, today))
    doc.field("Mode", label(visit.mode))
    planned = _planned_attendance(forms, visit)
    if planned:
        doc.field("The plan", planned)
    seen, not_seen = _who(case, visit)
    doc.field("Who was seen", seen or ("Not recorded" if visit.is_done else "Not yet held"))
    if visit.is_done and not_seen:
        doc.field("Not seen at this visit", not_seen)
    doc.field("Topics", ", ".join(_topic_title(forms, t) for t in visit.topics) or "None")
    doc.field("Exported", format_date(today))
    doc.heading("Notes", 1, anchor="notes")
    blocks = parse_blocks(visit.notes)
    if blocks:
        doc.extend(blocks)
    else:
        doc.note("No notes recorded.")
    return doc


def _held(visit: Visit, today: date) -> str:
    if visit.done_date is None:
        return "Not yet held"
    if visit.done_date > today:  # kept as recorded, but never passed off as held
        return f"Recorded as {format_date(visit.done_date)}, a date still to come"
    return format_date(visit.done_date)


def _planned_attendance(forms: Any, visit: Visit) -> str:
    try:
        template = forms.visit_plan.visit(visit.template_visit_id)
    except (AttributeError, KeyError):
        return ""
    return ATTENDANCE.get(template.attendance, humanise(template.attendance))


def _who(case: Case, visit: Visit) -> tuple[str, str]:
    people = [(a.id, a.full_name) for a in case.applicants]
    people += [(m.id, m.name) for m in case.household if m.lives_in_household]
    seen = [name for pid, name in people if pid in visit.who_seen]
    others = [m.name for m in case.household if not m.lives_in_household and m.id in visit.who_seen]
    missing = [name for pid, name in people if pid not in visit.who_seen]
    return ", ".join(seen + others), ", ".join(missing)


def _topic_title(forms: Any, topic_id: str) -> str:
    try:
        return str(forms.visit_plan.topic(topic_id).title)
    except (AttributeError, KeyError):
        return humanise(topic_id)


def build_checklists(case: Case, forms: Any = None, today: date | None = None) -> Document:
    doc = Document(
        reference=case.reference,
        title="Checklist record",
        variant_label="Checklist record",
        author=case.assessor_name,
    )
    doc.para("Checklist record", "title")
    doc.field("Case reference", case.reference)
    doc.field("Exported", format_date(today or date.today()))
    doc.note(
        "Every question of each checklist is listed. Questions not yet answered say “Not answered”."
    )
    par_id = getattr(getattr(forms, "par", None), "id", "par_england")
    form_ids = list(CHECKLIST_FORMS) + sorted(
        {a.form_id for a in case.checklist_answers}
        - set(CHECKLIST_FORMS)
        - {par_id, "reference_interview"}
    )
    for form_id in form_ids:
        form = _form(forms, form_id)
        answers = [a for a in case.checklist_answers if a.form_id == form_id]
        doc.heading(str(getattr(form, "title", "") or humanise(form_id)), 1, anchor=form_id)
        if getattr(form, "per_subject", False) or form_id == "pet_assessment":
            _per_subject(doc, case, form, form_id, answers)
        elif not answers and form is None:
            doc.note("Not yet started.")
        else:
            if not [a for a in answers if a.value is not None]:
                doc.note("Not yet started: every question is still to be answered.")
            add_form(doc, case, form, form_id, answers)
    return doc


def _per_subject(doc: Document, case: Case, form: Any, form_id: str, answers: list[Any]) -> None:
    # the breed lives on the animal's record (the pet form no longer asks it)
    animals = {
        a.id: f"{a.name} ({', '.join(p for p in (a.species, a.breed) if p)})"
        if a.species or a.breed
        else a.name
        for a in case.animals
    }
    subjects = list(animals) + sorted({a.subject_id for a in answers} - set(animals))
    if not subjects:
        doc.note("No animals are recorded in this household.")
        return
    for subject in subjects:
        mine = [a for a in answers if a.subject_id == subject]
        name = animals.get(subject, "Another subject")
        if not [a for a in mine if a.value is not None]:
            doc.heading(name, 2)
            doc.note("Not yet started: every question is still to be answered.")
            add_form(doc, case, form, form_id, mine, level=2)
        else:
            add_form(doc, case, form, form_id, mine, name, level=2)


def _form(forms: Any, form_id: str) -> Any:
    try:
        return forms.get(form_id)
    except (AttributeError, KeyError):  # no library, or a form it does not know
        return None
