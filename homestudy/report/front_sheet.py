"""The PAR's front sheet (page 1), drawn from the form's ``front_sheet:`` block.

An agency's own form brings its own items; each names where its words come from
(``forms.types.FRONT_SHEET_SOURCES``). The photograph is the applicants' own, so every
copy has it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from homestudy.model import Case
from homestudy.report.docmodel import Document, Image
from homestudy.report.extras import ReportExtras, chosen
from homestudy.report.markdown import parse_blocks
from homestudy.report.values import format_value
from homestudy.textutil import format_date

NOT_RECORDED = "Not recorded"
PHOTO_WIDTH_CM = 6.0


def answer(case: Case, definition: Any, field_path: str) -> str:
    """The formatted answer to the PAR field ``section/field``, "" when unanswered."""
    section_id, _, field_id = field_path.partition("/")
    try:
        question = next(q for q in definition.section(section_id).fields if q.id == field_id)
    except (KeyError, StopIteration):
        return ""
    for a in case.answers_for(getattr(definition, "id", "")):
        if a.question_id == field_id and not a.archived and a.value is not None:
            return format_value(question, a.value)
    return ""


def manager_signature(case: Case, definition: Any) -> tuple[str, date | None]:
    """The team manager's countersignature: (name, signed on) from the ``signatories``
    table of the Signatures section (the row with role ``manager``)."""
    for a in case.answers_for(getattr(definition, "id", "")):
        if a.question_id != "signatories" or a.archived or not isinstance(a.value, dict):
            continue
        if a.value.get("role") == "manager":
            signed = a.value.get("signed_on") or ""
            try:
                when = date.fromisoformat(signed) if signed else None
            except ValueError:
                when = None
            return str(a.value.get("name") or ""), when
    return "", None


def photograph(case: Case, extras: ReportExtras, width_cm: float = PHOTO_WIDTH_CM) -> Image | None:
    att = chosen(case, "photograph")
    data = extras.images.get(att.id) if att is not None else None
    if att is None or data is None:
        return None
    alt = att.description.strip() or f"Photograph of {case.applicant_names or 'the applicants'}"
    return Image(data, att.media_type.lower(), alt, width_cm)


def _visits(case: Case) -> str:
    done = sorted(v.done_date for v in case.visits if v.done_date is not None)
    if not done:
        return "None held yet"
    span = (
        format_date(done[0])
        if len(done) == 1
        else (f"{format_date(done[0])} to {format_date(done[-1])}")
    )
    return f"{len(done)} held, {span}"


def _panel(case: Case) -> str:
    if case.panel_date:
        return format_date(case.panel_date)
    if case.provisional_panel_date:
        return f"{format_date(case.provisional_panel_date)} (provisional)"
    return "Not set"


def add_front_sheet(
    doc: Document,
    case: Case,
    definition: Any,
    variant_label: str,
    extras: ReportExtras,
    today: date,
) -> None:
    """Page 1: the title, then each item of the form's front sheet."""
    sheet = getattr(definition, "front_sheet", None)
    doc.para(getattr(sheet, "title", "") or doc.title, "title")
    doc.para(variant_label, "subtitle")
    doc.para(
        f"{doc.marking}. This report holds personal information about the applicants and "
        "their family. Keep it securely and share it only with the people it is meant for.",
        "note",
    )
    manager, _signed = manager_signature(case, definition)
    facts = {
        "applicant_names": case.applicant_names,
        "social_worker": case.assessor_name,
        "agency": extras.agency_name or "Not linked to an agency",
        "team_manager": manager,
        "case_reference": case.reference,
        "stage2_started": format_date(case.stage2_notice_on, ""),
        "visits": _visits(case),
        "panel_date": _panel(case),
        "exported": format_date(today),
    }
    for item in getattr(sheet, "items", ()):
        label = item.label
        if item.source == "photograph":
            picture = photograph(case, extras)
            if picture is not None:
                doc.blocks.append(picture)
            continue
        if item.source == "section_text":
            draft = case.par_sections.get(item.section)
            blocks = parse_blocks(draft.text if draft else "")
            if label:
                doc.para(label, bold=True)
            if blocks:
                doc.extend(blocks)
            else:
                doc.note("Not yet written.")
            continue
        if item.source == "text":
            doc.para(item.text)
            continue
        value = (
            answer(case, definition, item.field)
            if item.source == "field"
            else (facts.get(item.source, ""))
        )
        doc.field(label or item.source, value or NOT_RECORDED)
