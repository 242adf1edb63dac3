"""Build the PAR's document model from a case, the PAR definition and a variant.

The section order, titles and confidentiality come from the form definition
(``forms/par_england.yaml``); facts the case already holds (household, visits,
checks, references) are added as tables to the section they belong to.
Confidential data is read only when the variant allows it (``variants.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from homestudy.model import Case, ParSectionDraft
from homestudy.report import facts
from homestudy.report.docmodel import Document, PageBreak, TableOfContents, WritingSpace
from homestudy.report.markdown import parse_blocks
from homestudy.report.values import column_labels, format_value, label_of, table_rows
from homestudy.report.variants import REMOVED_NOTE, Variant, VariantRules, rules_for
from homestudy.textutil import format_date

NOT_WRITTEN = "Not yet written."
COMMENTS_ID = "applicants_comments"
COMMENTS_TITLE = "Applicants' comments"
COMMENTS_PROMPT = (
    "Please write here anything you would like the panel to know about this report: "
    "where you agree, where you disagree, and anything you think is missing."
)


def build_par(
    case: Case,
    definition: Any,
    variant: Variant | str,
    *,
    today: date | None = None,
    findings: Sequence[Any] | None = None,
    agency_name: str | None = None,
) -> Document:
    """The PAR as a ``Document`` for ``variant`` (panel, applicant or supervisor).

    ``agency_name``: the agency the case belongs to ("" for none), on the front sheet.

    ``definition`` is the forms library's ``ParDefinition``; ``findings`` are the
    readiness findings for the supervisor's annex (ignored by other variants).
    """
    today = today or date.today()
    rules = rules_for(variant)
    doc = Document(reference=case.reference, title=_title(definition),
                   variant_label=rules.label, author=case.assessor_name)
    if rules.draft:
        doc.watermark = "DRAFT"
        doc.footer_note = f"Draft version {version_of(case)} · exported {format_date(today)}"
    _cover(doc, case, definition, rules, today, agency_name)
    doc.blocks.append(TableOfContents())
    doc.blocks.append(PageBreak())
    comments = None
    for section in definition.sections:
        if rules.comments_at_end and section.id == COMMENTS_ID:
            comments = section
            continue
        _section(doc, case, definition, section, rules, today)
    if rules.comments_at_end:
        title = getattr(comments, "title", "") or COMMENTS_TITLE
        doc.heading(title, 1, anchor=f"s_{COMMENTS_ID}")
        doc.para(COMMENTS_PROMPT, "meta")
        doc.blocks.append(WritingSpace(18))
    if rules.draft:
        _annex(doc, case, definition, findings or ())
    return doc


def version_of(case: Case) -> str:
    """A version label that changes whenever the case is saved."""
    return case.updated_at.strftime("%Y%m%d-%H%M")


def _title(definition: Any) -> str:
    return str(getattr(definition, "title", "") or "Prospective Adopter's Report")


def _cover(doc: Document, case: Case, definition: Any, rules: VariantRules, today: date,
           agency_name: str | None = None) -> None:
    doc.para(doc.title, "title")
    doc.para(rules.label, "subtitle")
    doc.field("Applicants", case.applicant_names or "Not recorded")
    doc.field("Case reference", case.reference)
    doc.field("Assessing social worker", case.assessor_name or "Not recorded")
    if agency_name is not None:
        doc.field("Agency", agency_name or "Not linked to an agency")
    doc.field("Stage 2 started", format_date(case.stage2_notice_on, "Not recorded"))
    panel = case.panel_date or case.provisional_panel_date
    doc.field("Panel date" if case.panel_date else "Provisional panel date",
              format_date(panel, "Not set"))
    doc.field("Exported", format_date(today))
    doc.field("Form", f"{getattr(definition, 'id', 'par')} version "
                      f"{getattr(definition, 'version', 1)}")
    if rules.draft:
        doc.field("Version", version_of(case))
    doc.para(
        f"{doc.marking}. This report holds personal information about the applicants and "
        "their family. Keep it securely and share it only with the people it is meant for.",
        "note",
    )
    doc.blocks.append(PageBreak())


def _section(doc: Document, case: Case, definition: Any, section: Any,
             rules: VariantRules, today: date) -> None:
    doc.heading(section.title, 1, anchor=f"s_{section.id}")
    if section.confidential and not rules.include_confidential:
        doc.note(REMOVED_NOTE)
        return
    draft = case.par_sections.get(section.id)
    if rules.draft:
        doc.para(_status_line(section, draft), "meta")
    if getattr(section, "written_by_applicants", False):
        doc.para("Written by the applicants.", "meta")
    blocks = parse_blocks(draft.text if draft else "")
    if blocks:
        doc.extend(blocks)
    else:
        doc.note(NOT_WRITTEN)
    answered = _fields(doc, case, definition, section)
    facts.add_for_section(doc, case, section.id, rules.include_confidential, today, answered)


def _status_line(section: Any, draft: ParSectionDraft | None) -> str:
    if draft is None:
        return "Status: not started · 0 words"
    parts = [f"Status: {draft.status.value.replace('_', ' ')}", f"{draft.word_count:,} words"]
    if draft.last_edited:
        parts.append(f"last edited {format_date(draft.last_edited)}")
    if getattr(section, "needs_analysis", False):
        parts.append("analysis: " + ("present" if has_analysis(draft.text) else "missing"))
    return " · ".join(parts)


def has_analysis(text: str) -> bool:
    return any(p.strip().startswith(("**Analysis:**", "**Analysis**"))
               for p in text.split("\n"))


def _fields(doc: Document, case: Case, definition: Any, section: Any) -> set[str]:
    """The section's structured fields (e.g. matching considerations) as tables.

    Returns the ids of the table questions that had rows (so a fact table the case
    also holds, like the household, is not shown twice)."""
    answered: set[str] = set()
    questions = tuple(getattr(section, "fields", ()) or ())
    if not questions:
        return answered
    form_id = getattr(definition, "id", "")
    answers = [a for a in case.answers_for(form_id) if not a.archived and a.value is not None]
    simple: list[list[str]] = []
    for question in questions:
        mine = [a for a in answers if a.question_id == question.id]
        if str(getattr(question, "type", "")) == "table":
            rows = table_rows(question, mine)
            if rows:
                answered.add(question.id)
                doc.table(column_labels(question), rows, caption=label_of(question))
            continue
        value = format_value(question, mine[0].value) if mine else ""
        simple.append([label_of(question), value or "Not recorded"])
    if simple and (section.id == "matching" or any(v != "Not recorded" for _, v in simple)):
        doc.table(["Consideration" if section.id == "matching" else "Question", "Answer"],
                  simple, widths=(2, 3))
    return answered


def _annex(doc: Document, case: Case, definition: Any, findings: Iterable[Any]) -> None:
    doc.blocks.append(PageBreak())
    doc.heading("Annex: readiness for panel", 1, anchor="annex_readiness")
    rows = [_finding_row(f, definition) for f in findings]
    if rows:
        doc.table(["Severity", "Finding", "Section"], rows, widths=(1, 4, 2))
    else:
        doc.note("No readiness findings: nothing stands in the way of panel.")
    facts.lines_of_enquiry(doc, case, definition)


def _finding_row(finding: Any, definition: Any) -> list[str]:
    severity = getattr(finding, "severity", "")
    severity = getattr(severity, "value", severity)
    message = getattr(finding, "message", None) or str(finding)
    fix_at = getattr(finding, "fix_at", None)
    section_id = getattr(fix_at, "target", "") if getattr(fix_at, "area", "") == "par" else ""
    title = section_id
    if section_id:
        try:
            title = definition.section(section_id).title
        except (KeyError, AttributeError):
            title = section_id
    return [str(severity).replace("_", " ").capitalize(), str(message), str(title)]
