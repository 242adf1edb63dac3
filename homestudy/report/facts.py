"""Facts the case already holds, as tables under the PAR section they belong to.

Confidential facts (statutory check notes, referees and their interview notes, and the
medical adviser's summary where the agency keeps it back) are only read when
``confidential`` is true, so the applicants' copy cannot pick them up by accident.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from homestudy.labels import label
from homestudy.model import (
    Applicant,
    Case,
    HouseholdMember,
    MaritalStatus,
    PlaceLived,
    SignificantOtherKind,
)
from homestudy.report.docmodel import Document
from homestudy.report.markdown import cell_text, parse_blocks
from homestudy.report.values import humanise
from homestudy.textutil import format_date

NOT_RECORDED = "Not recorded"


def add_for_section(
    doc: Document,
    case: Case,
    section_id: str,
    confidential: bool,
    today: date,
    answered: set[str] | frozenset[str] = frozenset(),
) -> None:
    """Add the facts for ``section_id``; ``answered`` names the section's table fields
    the assessor filled in, which take the place of the same facts from the record."""
    if section_id == "factual_information":
        schedule4(doc, case, today, confidential)
    elif section_id == "assessment_process":
        visits(doc, case)
        chronology(doc, case, confidential)
    elif section_id == "children_household":
        if "household_members" not in answered:
            household(doc, case, today)
        if confidential:
            significant_others(doc, case)
    elif section_id == "home_lifestyle":
        animals(doc, case)
    elif section_id == "preparation_learning":
        training(doc, case)
    elif section_id == "signatures" and "signatories" not in answered:
        signatures(doc, case)
    elif confidential and section_id == "statutory_checks":
        checks(doc, case)
    elif confidential and section_id == "medical_summary":
        medical(doc, case)
    elif confidential and section_id == "references_summary":
        references(doc, case)


def _age(born: date | None, today: date) -> str:
    if born is None:
        return "Not recorded"
    years = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    return f"{max(0, years)} (born {format_date(born)})"


def _born(born: date | None, today: date) -> str:
    """A date of birth, the date first: "2 Sep 1983 (age 43)"."""
    if born is None:
        return NOT_RECORDED
    years = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    return f"{format_date(born)} (age {max(0, years)})"


def _where_since(place: str, when: date | None, missing: str) -> str:
    """ "Leeds, since 1 Aug 2014"; a date with no place says the place is missing rather
    than showing the date alone."""
    if place.strip() or not when:
        return _joined(place, _since(when))
    return f"{missing} (since {format_date(when)})"


def _ex_partners(case: Case, applicant: Applicant, *, named: bool) -> str:
    """The applicant's ex-partners on the case's record (the table of significant
    others), as Schedule 4's previous relationships; ``named=False`` (the applicants'
    copy) leaves their names out."""
    alone = len(case.applicants) == 1
    parts = []
    for other in case.significant_others:
        mine = other.applicant_id == applicant.id or (alone and not other.applicant_id)
        if other.kind is not SignificantOtherKind.EX_PARTNER or not mine:
            continue
        facts = (("lived together", other.lived_together),
                 ("children together", other.had_children_together))  # fmt: skip
        what = [words for words, yes in facts if yes]
        who = (
            f"{other.name.strip()}, ex-partner" if named and other.name.strip() else "An ex-partner"
        )
        parts.append(who + (f" ({', '.join(what)})" if what else ""))
    return "; ".join(parts)


def _since(when: date | None) -> str:
    return f"since {format_date(when)}" if when else ""


def _joined(*parts: str) -> str:
    return ", ".join(p for p in parts if p) or NOT_RECORDED


def _yes_no(value: bool | None) -> str:
    return NOT_RECORDED if value is None else ("Yes" if value else "No")


def _places(places: list[PlaceLived]) -> str:
    rows = []
    for p in places:
        span = " to ".join(
            x for x in (format_date(p.from_date, ""), format_date(p.to_date, "")) if x
        )
        rows.append(_joined(p.place + (" (abroad)" if p.abroad else ""), span))
    return "; ".join(rows)


def schedule4_rows(
    applicant: Applicant, alone: bool, today: date, ex_partners: str = ""
) -> list[list[str]]:
    """The facts Schedule 4 Part 1 asks for one applicant, as (fact, detail) rows;
    ``ex_partners`` (``_ex_partners``) stands in when no previous relationships are
    written on the applicant's record."""
    a = applicant
    status = label(a.marital_status) if a.marital_status.value else NOT_RECORDED
    rows = [
        ["Name", a.full_name or NOT_RECORDED],
        ["Previous names", ", ".join(a.previous_names) or "None recorded"],
        ["Date of birth", _born(a.date_of_birth, today)],
        ["Place of birth", a.place_of_birth or NOT_RECORDED],
        ["Sex", a.sex or NOT_RECORDED],
        ["Nationality", a.nationality or NOT_RECORDED],
        ["Ethnicity", a.ethnicity or NOT_RECORDED],
        ["Religion", a.religion or NOT_RECORDED],
        ["Languages", ", ".join(a.languages) or NOT_RECORDED],
        ["Occupation", a.occupation or NOT_RECORDED],
        ["Address", _where_since(a.address, a.address_since, "Address not recorded")],
        [
            "Local authority area",
            _where_since(a.local_authority_area, a.area_since, "Area not recorded"),
        ],
        ["Previous areas and time abroad", _places(a.places_lived) or "None recorded"],
        ["Domiciled in the British Islands", _yes_no(a.domiciled_in_british_islands)],
        [
            "Habitually resident in the British Islands",
            _since(a.habitually_resident_since) or NOT_RECORDED,
        ],
        ["Marital or partnership status", status],
    ]
    if a.marital_status in (MaritalStatus.MARRIED, MaritalStatus.CIVIL_PARTNERSHIP) or (
        a.marriage_date or a.marriage_place
    ):
        rows.append(
            [
                "Date and place of marriage or civil partnership",
                _joined(format_date(a.marriage_date, ""), a.marriage_place),
            ]
        )
    rows.append(
        [
            "Previous marriages, civil partnerships and relationships",
            a.previous_relationships.strip() or ex_partners or "None recorded",
        ]
    )
    if alone and (
        a.applying_alone_reason
        or a.marital_status in (MaritalStatus.MARRIED, MaritalStatus.CIVIL_PARTNERSHIP)
    ):
        rows.append(["Reasons for applying alone", a.applying_alone_reason or NOT_RECORDED])
    rows += [
        ["Previous family court proceedings", a.family_court_proceedings or "None recorded"],
        ["GP", _joined(a.gp_name, a.gp_address)],
    ]
    return rows


def schedule4(doc: Document, case: Case, today: date, confidential: bool = True) -> None:
    """Part 2: a facts table per applicant, then the household's accommodation and
    finances (the applicants' own facts: every copy has them; the applicants' copy,
    ``confidential=False``, names no ex-partner)."""
    alone = len(case.applicants) == 1
    for n, applicant in enumerate(case.applicants, start=1):
        caption = (
            f"Applicant {n}: {applicant.full_name}" if applicant.full_name else (f"Applicant {n}")
        )
        doc.table(
            ["Fact", "Detail"],
            schedule4_rows(
                applicant, alone, today, _ex_partners(case, applicant, named=confidential)
            ),
            widths=(2, 3),
            caption=caption,
        )
    doc.heading("Accommodation", 2)
    if case.accommodation.strip():
        doc.extend(parse_blocks(case.accommodation))
    else:
        doc.note(NOT_RECORDED + ".")
    doc.heading("Income and finances", 2)
    if case.finances.strip():
        doc.extend(parse_blocks(case.finances))
    else:
        doc.note(NOT_RECORDED + ".")


def applicants(doc: Document, case: Case) -> None:
    if not case.applicants:
        return
    rows = [
        [
            a.full_name,
            format_date(a.date_of_birth, "Not recorded"),
            a.ethnicity,
            a.religion,
            ", ".join(a.languages),
            a.occupation,
        ]
        for a in case.applicants
    ]
    doc.table(
        ["Applicant", "Date of birth", "Ethnicity", "Religion", "Languages", "Occupation"],
        rows,
        widths=(3, 2, 2, 2, 2, 3),
        caption="The applicants",
    )


def household(doc: Document, case: Case, today: date) -> None:
    members: list[HouseholdMember] = case.household
    if not members:
        doc.note("No other household members are recorded.")
        return
    rows = [
        [
            m.name,
            m.relationship or humanise(m.kind.value),
            _age(m.date_of_birth, today),
            "Yes" if m.lives_in_household else "No",
            cell_text(m.notes),
        ]
        for m in members
    ]
    doc.table(
        ["Name", "Relationship", "Age", "Lives at home", "Notes"],
        rows,
        widths=(3, 3, 2, 1.4, 4),
        caption="Household members and children",
    )


def significant_others(doc: Document, case: Case) -> None:
    if not case.significant_others:
        return
    rows = [
        [
            p.name,
            humanise(p.kind.value),
            "Yes" if p.had_children_together else "No",
            "Yes" if p.lived_together else "No",
            cell_text(p.notes),
        ]
        for p in case.significant_others
    ]
    doc.table(
        ["Name", "Kind", "Children together", "Lived together", "Notes"],
        rows,
        widths=(3, 2, 1.5, 1.5, 4),
        caption="Significant others",
    )


def visits(doc: Document, case: Case) -> None:
    if not case.visits:
        return
    names = _people(case)
    rows = []
    for v in sorted(case.visits, key=lambda v: v.sequence):
        when = (
            format_date(v.done_date)
            if v.done_date
            else (f"Planned {format_date(v.planned_date)}" if v.planned_date else "Not yet planned")
        )
        seen = ", ".join(names.get(pid, "") for pid in v.who_seen if names.get(pid))
        rows.append([str(v.sequence), when, v.title, humanise(v.mode.value), seen or "—"])
    doc.table(
        ["No.", "Date", "Visit", "Mode", "Who was seen"],
        rows,
        widths=(0.6, 2, 5, 1.5, 3),
        caption="Visits",
    )


def _people(case: Case) -> dict[str, str]:
    names = {a.id: a.first_name or a.full_name for a in case.applicants}
    names.update({m.id: m.name.split(" ")[0] if m.name else "" for m in case.household})
    return names


def chronology(doc: Document, case: Case, confidential: bool) -> None:
    events: list[tuple[date, str]] = []

    def add(when: date | None, what: str) -> None:
        if when is not None:
            events.append((when, what))

    add(case.registration_of_interest_on, "Registration of interest accepted")
    add(case.stage1_started_on, "Stage 1 started")
    add(case.stage1.training_completed_on, "Preparation training completed")
    add(case.stage1_ended_on, "Stage 1 ended")
    add(case.stage2_notice_on, "Applicants gave notice: Stage 2 started")
    for v in case.visits:
        add(v.done_date, f"Visit {v.sequence} held")
    if confidential:
        for c in case.stage1.checks:
            add(c.completed_on, f"{humanise(c.kind.value)} check completed")
        for r in case.references:
            add(r.interview_date, f"Referee interviewed ({humanise(r.kind.value).lower()})")
    add(case.applicant_copy_shared_on, "Report shared with the applicants")
    add(
        case.panel_date or case.provisional_panel_date,
        "Panel" if case.panel_date else "Provisional panel date",
    )
    if not events:
        return
    events.sort(key=lambda e: e[0])
    doc.table(
        ["Date", "Event"],
        [[format_date(d), w] for d, w in events],
        widths=(1, 4),
        caption="Chronology of the assessment",
    )


def animals(doc: Document, case: Case) -> None:
    if not case.animals:
        return
    rows = [
        [a.name, a.species, a.breed, "" if a.age_years is None else f"{a.age_years:g}"]
        for a in case.animals
    ]
    doc.table(["Name", "Species", "Breed or type", "Age (years)"], rows, caption="Pets")


def training(doc: Document, case: Case) -> None:
    s1 = case.stage1
    if s1.training_completed_on:
        doc.field("Preparation training completed", format_date(s1.training_completed_on))
    if s1.preparation_training.strip():
        doc.para("Observations from preparation training", "meta")
        doc.extend(parse_blocks(s1.preparation_training))


def signatures(doc: Document, case: Case) -> None:
    rows = [["Assessing social worker", case.assessor_name, "", ""], ["Team manager", "", "", ""]]
    rows += [[f"Applicant {n}", a.full_name, "", ""] for n, a in enumerate(case.applicants, 1)]
    doc.table(["Role", "Name", "Signature", "Date"], rows, widths=(2, 3, 3, 1.5))


def checks(doc: Document, case: Case) -> None:
    if not case.stage1.checks:
        doc.note("No statutory checks are recorded.")
        return
    rows = [
        [
            humanise(c.kind.value),
            c.subject,
            humanise(c.outcome.value),
            format_date(c.completed_on, "—"),
            cell_text(c.notes),
        ]
        for c in case.stage1.checks
    ]
    doc.table(
        ["Check", "Person", "Outcome", "Completed", "Notes"],
        rows,
        widths=(2, 2.5, 2, 1.6, 5),
        caption="Statutory checks",
    )


def medical(doc: Document, case: Case) -> None:
    if case.stage1.medical_adviser_summary.strip():
        doc.para("The medical adviser's summary", "meta")
        doc.extend(parse_blocks(case.stage1.medical_adviser_summary))


def references(doc: Document, case: Case) -> None:
    if not case.references:
        doc.note("No referees are recorded.")
        return
    rows = [
        [
            r.referee_name,
            humanise(r.kind.value),
            r.relationship,
            "" if r.years_known is None else str(r.years_known),
            humanise(r.contact_status.value),
            format_date(r.interview_date, "—"),
        ]
        for r in case.references
    ]
    doc.table(
        ["Referee", "Kind", "Relationship", "Years known", "Status", "Interviewed"],
        rows,
        widths=(3, 2, 3, 1.2, 2, 1.8),
        caption="Referees",
    )
    for r in case.references:
        if r.notes.strip() or r.not_contacted_reason.strip():
            doc.heading(f"Interview: {r.referee_name}", 2)
            doc.extend(parse_blocks(r.notes))
            if r.not_contacted_reason.strip():
                doc.field("Not contacted because", r.not_contacted_reason)
                doc.field("Agreed by", r.manager_decision_by)


def lines_of_enquiry(doc: Document, case: Case, definition: Any) -> None:
    if not case.lines_of_enquiry:
        return
    titles = {s.id: s.title for s in getattr(definition, "sections", ())}
    addressed: dict[str, list[str]] = {}
    for sid, draft in case.par_sections.items():
        for loe in draft.lines_of_enquiry_addressed:
            addressed.setdefault(loe, []).append(titles.get(sid, sid))
    rows = [
        [
            cell_text(e.text),
            e.source,
            ", ".join(titles.get(s, s) for s in e.par_section_ids),
            ", ".join(addressed.get(e.id, [])) or "Not yet addressed",
        ]
        for e in case.lines_of_enquiry
    ]
    doc.heading("Lines of enquiry from Stage 1", 2, anchor="annex_loe")
    doc.table(
        ["Line of enquiry", "From", "Expected in", "Addressed in"], rows, widths=(5, 1.6, 2.5, 2.5)
    )
