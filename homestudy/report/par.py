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

from homestudy.forms.types import CONFIDENTIAL_PART
from homestudy.model import Case, ParSectionDraft
from homestudy.report import facts
from homestudy.report.docmodel import (
    Document,
    Image,
    PageBreak,
    SectionBreak,
    TableOfContents,
    WritingSpace,
)
from homestudy.report.extras import SLOT_LABELS, ReportExtras, chosen
from homestudy.report.front_sheet import add_front_sheet, manager_signature
from homestudy.report.markdown import parse_blocks
from homestudy.report.values import column_labels, format_value, label_of, table_rows
from homestudy.report.variants import (
    MEDICAL_SUMMARY,
    REMOVED_NOTE,
    Variant,
    VariantRules,
    rules_for,
    version_label,
    withheld,
)
from homestudy.textutil import format_date
from homestudy.timeline import TimelineRules, comments_due_on

NOT_WRITTEN = "Not yet written."
COMMENTS_ID = "applicants_comments"
COMMENTS_TITLE = "Applicants' comments"
COMMENTS_PROMPT = (
    "Please write here anything you would like the panel to know about this report: "
    "where you agree, where you disagree, and anything you think is missing."
)
MANAGER_ID = "manager_comments"
IMAGE_WIDTH_CM = 15.0


def build_par(
    case: Case,
    definition: Any,
    variant: Variant | str,
    *,
    today: date | None = None,
    findings: Sequence[Any] | None = None,
    extras: ReportExtras | None = None,
    rules: Any = None,
    medical_summary_shared: bool = True,
    version: str = "",
) -> Document:
    """The PAR as a ``Document`` for ``variant`` (panel, applicant or supervisor).


    ``definition`` is the forms library's ``ParDefinition``; ``findings`` are the
    readiness findings for the supervisor's annex (ignored by other variants);
    ``extras`` the chosen pictures and the agency's name (``extras.extras_for``);
    ``rules`` the case's ``TimelineRules`` (the applicants' comment period).
    ``medical_summary_shared`` (``TimelineRules.medical_summary_shared``): the
    applicants' copy shows the medical adviser's summary.
    ``version`` is printed on every page ("Version 143 · 3 Dec 2026", from the vault's
    revision of the case; without one, from when the case was last saved).
    """
    today = today or date.today()
    extras = extras or ReportExtras()
    vrules = rules_for(variant)
    doc = Document(
        reference=case.reference,
        title=_title(definition),
        variant_label=vrules.label,
        author=case.assessor_name,
    )
    doc.version_label = version or version_label(version_of(case), today)
    if vrules.draft:
        doc.watermark = "DRAFT"
    add_front_sheet(doc, case, definition, vrules.label, extras, today)
    doc.field("Version", doc.version_label.removeprefix("Version "))
    doc.blocks.append(PageBreak())
    doc.blocks.append(TableOfContents())
    doc.blocks.append(PageBreak())
    build = _Builder(doc, case, definition, vrules, today, extras, rules, medical_summary_shared)
    for part_id, sections in arrange(definition, vrules):
        build.part(part_id, sections)
    if vrules.draft:
        _annex(doc, case, definition, findings or ())
    return doc


def version_of(case: Case) -> str:
    """A version label that changes whenever the case is saved."""
    return case.updated_at.strftime("%Y%m%d-%H%M")


def _title(definition: Any) -> str:
    return str(getattr(definition, "title", "") or "Prospective Adopter's Report")


def is_confidential(section: Any) -> bool:
    """Whether ``section`` belongs in the confidential part (left out of the
    applicants' copy): one place, so a rule that changes it changes both."""
    return bool(getattr(section, "confidential", False))


def arrange(definition: Any, vrules: VariantRules) -> list[tuple[str, list[Any]]]:
    """The sections in printing order, grouped by part: form order, except that when
    the form titles a confidential part its sections are gathered after the part of
    the first of them. The front sheet's own sections are not printed again."""
    front = getattr(definition, "front_sheet", None)
    on_front = set(front.sections_shown) if front is not None else set()
    gather = _part_info(definition, CONFIDENTIAL_PART) is not None
    groups: dict[str, list[Any]] = {}
    order: list[str] = []
    for section in definition.sections:
        if section.id in on_front:
            continue
        key = CONFIDENTIAL_PART if gather and is_confidential(section) else section.part
        if key not in groups:
            groups[key] = []
            if key == CONFIDENTIAL_PART:  # right after the part it came from
                at = order.index(section.part) + 1 if section.part in order else len(order)
                order.insert(at, key)
            else:
                order.append(key)
        groups[key].append(section)
    return [(key, groups[key]) for key in order]


def _part_info(definition: Any, part_id: str) -> Any:
    finder = getattr(definition, "part", None)
    return finder(part_id) if callable(finder) else None


class _Builder:
    """Adds each part and its sections to the document, numbering as it goes."""

    def __init__(
        self,
        doc: Document,
        case: Case,
        definition: Any,
        vrules: VariantRules,
        today: date,
        extras: ReportExtras,
        rules: Any,
        medical_summary_shared: bool = True,
    ) -> None:
        self.doc, self.case, self.definition, self.vrules = doc, case, definition, vrules
        self.today, self.extras, self.rules = today, extras, rules
        self.medical_summary_shared = medical_summary_shared
        self.has_parts = bool(getattr(definition, "parts", ()))
        self.counters: dict[str, int] = {}
        self.marked = False  # inside a part with a running mark

    def part(self, part_id: str, sections: list[Any]) -> None:
        info = _part_info(self.definition, part_id)
        mark = getattr(info, "running_mark", "") if self.vrules.include_confidential else ""
        if mark or self.marked:  # a marked part starts, or the marked part is over
            self.doc.blocks.append(SectionBreak(mark))
            self.marked = bool(mark)
        if info is not None:
            self.doc.heading(info.title, 0, anchor=f"part_{part_id}")
        number = getattr(info, "number", "")
        for section in sections:
            self.section(section, self._next(number))

    def _next(self, number: str) -> str:
        if not number:
            return ""
        self.counters[number] = self.counters.get(number, 0) + 1
        return f"{number}.{self.counters[number]}"

    def section(self, section: Any, number: str) -> None:
        doc, case, vrules = self.doc, self.case, self.vrules
        doc.heading(section.title, 1, anchor=f"s_{section.id}", number=number)
        if not vrules.include_confidential and withheld(section, self.medical_summary_shared):
            doc.note(REMOVED_NOTE)
            return
        if section.id == COMMENTS_ID and vrules.comments_at_end:
            self._comments_space()
            return
        draft = case.par_sections.get(section.id)
        if vrules.draft:
            doc.para(_status_line(section, draft), "meta")
        if getattr(section, "written_by_applicants", False):
            doc.para("Written by the applicants.", "meta")
        blocks = parse_blocks(draft.text if draft else "")
        pictured = self._image(section)
        if blocks:
            doc.extend(blocks)
        elif section.id == MANAGER_ID:
            doc.note("The team manager has not yet added comments.")
        elif not pictured:  # a family tree drawn, not written, is not missing
            doc.note(NOT_WRITTEN)
        if pictured is not None:
            doc.blocks.append(pictured)
        if section.id == MANAGER_ID:
            self._countersignature()
        answered = _fields(doc, case, self.definition, section)
        # the medical adviser's summary is read for the applicants only when it is shared
        confidential = vrules.include_confidential or section.id == MEDICAL_SUMMARY
        facts.add_for_section(doc, case, section.id, confidential, self.today, answered)

    def _image(self, section: Any) -> Image | None:
        """The picture the worker chose for this section, if any."""
        slot = getattr(section, "image", "")
        att = chosen(self.case, slot) if slot else None
        data = self.extras.images.get(att.id) if att is not None else None
        if att is None or data is None:
            return None
        what = SLOT_LABELS.get(slot, "Picture")
        alt = att.description.strip() or f"{what} of the applicants' family"
        return Image(data, att.media_type.lower(), alt, IMAGE_WIDTH_CM, caption=what)

    def _countersignature(self) -> None:
        # one table row, so the name and the date never part across a page
        name, signed_on = manager_signature(self.case, self.definition)
        row = [name or "Not yet countersigned", format_date(signed_on, "Not yet signed")]
        self.doc.table(
            ["Countersigned by (team manager)", "Date"],
            [row],
            widths=(3, 1.5),
            caption="Countersignature",
        )

    def _comments_space(self) -> None:
        """The applicants' copy: room for their comments, and when they are due."""
        due = comments_due_on(self.case, self.rules or TimelineRules(), self.today)
        self.doc.para(f"Please return your comments by {format_date(due)}.", bold=True)
        self.doc.para(COMMENTS_PROMPT, "meta")
        self.doc.blocks.append(WritingSpace(18))


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
    return any(p.strip().startswith(("**Analysis:**", "**Analysis**")) for p in text.split("\n"))


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
        doc.table(
            ["Consideration" if section.id == "matching" else "Question", "Answer"],
            simple,
            widths=(2, 3),
        )
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
