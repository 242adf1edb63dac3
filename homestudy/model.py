"""The domain of a Stage 2 adoption assessment, as plain dataclasses.

Depends on nothing else in HomeStudy. Ids are random UUID4 strings made here so
that a record has its identity before it is first saved (offline, and across
devices). Dates are ``datetime.date``; instants are timezone-aware UTC
``datetime.datetime``. Free text is stored as typed; cleaning for export is the
report layer's job, so nothing the assessor wrote is lost.

``homestudy.serial.to_jsonable`` / ``from_jsonable`` turn any of these into JSON
and back (used by the vault for small records and by sync bundles).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

#: Version of the JSON shape of a Case (sync payloads, backups of records).
CASE_FORMAT_VERSION = 1


def new_id() -> str:
    return str(uuid.uuid4())


def utc_now() -> datetime:
    return datetime.now(UTC)


# --------------------------------------------------------------------------- enums


class Stage(StrEnum):
    STAGE_1 = "stage_1"
    GAP = "gap"  # between stages: applicants have up to 6 months to give notice
    STAGE_2 = "stage_2"
    PANEL = "panel"  # PAR finished, waiting for / at panel
    DECISION = "decision"  # waiting for the Agency Decision Maker
    APPROVED = "approved"
    NOT_APPROVED = "not_approved"
    CLOSED = "closed"


class Route(StrEnum):
    STANDARD = "standard"
    FAST_TRACK = "fast_track"  # approved foster carers / previous adopters: start at Stage 2
    FOSTER_CARER_CONCURRENT = "foster_carer_concurrent"  # Stages 1 and 2 together


class HouseholdMemberKind(StrEnum):
    BIRTH_CHILD = "birth_child"
    ADOPTED_CHILD = "adopted_child"
    ADULT_CHILD_AWAY = "adult_child_away"  # adult child living away from home
    LODGER = "lodger"
    OTHER_ADULT = "other_adult"
    OTHER_CHILD = "other_child"


class SignificantOtherKind(StrEnum):
    EX_PARTNER = "ex_partner"
    OTHER = "other"


class ContactStatus(StrEnum):
    NOT_CONTACTED = "not_contacted"
    REQUESTED = "requested"
    WRITTEN_RECEIVED = "written_received"
    INTERVIEWED = "interviewed"
    NOT_CONTACTED_AGREED = "not_contacted_agreed"  # manager's decision with a recorded reason
    DECLINED = "declined"  # the referee would not take part


class ReferenceKind(StrEnum):
    PERSONAL = "personal"
    FAMILY = "family"  # a personal referee who is a relative
    EMPLOYER = "employer"
    PREVIOUS_EMPLOYER_CARING = "previous_employer_caring"
    EX_PARTNER = "ex_partner"
    ADULT_CHILD = "adult_child"
    SCHOOL_NURSERY = "school_nursery"
    HEALTH_VISITOR = "health_visitor"
    VOLUNTARY_ROLE = "voluntary_role"


class VisitMode(StrEnum):
    IN_PERSON = "in_person"
    VIRTUAL = "virtual"


class CheckKind(StrEnum):
    DBS = "dbs"  # enhanced DBS with the children's (and adults') barred list
    LOCAL_AUTHORITY = "local_authority"
    PREVIOUS_LOCAL_AUTHORITY = "previous_local_authority"
    PROBATION = "probation"
    HEALTH = "health"
    OVERSEAS_POLICE = "overseas_police"
    OTHER = "other"


class CheckOutcome(StrEnum):
    PENDING = "pending"
    CLEAR = "clear"
    INFORMATION_DISCLOSED = "information_disclosed"  # something to explore at Stage 2
    NOT_APPLICABLE = "not_applicable"


class MaritalStatus(StrEnum):
    """Schedule 4: marital or partnership status of an applicant."""

    NOT_RECORDED = ""
    SINGLE = "single"
    MARRIED = "married"
    CIVIL_PARTNERSHIP = "civil_partnership"
    COHABITING = "cohabiting"  # living together, not married or in a civil partnership
    SEPARATED = "separated"
    DIVORCED = "divorced"  # or civil partnership dissolved
    WIDOWED = "widowed"  # or surviving civil partner


class SectionStatus(StrEnum):
    NOT_STARTED = "not_started"
    DRAFTING = "drafting"
    READY_FOR_REVIEW = "ready_for_review"
    COMPLETE = "complete"


# --------------------------------------------------------------------------- people


@dataclass
class PlaceLived:
    """A place a person lived before: a previous local authority area, or a time abroad.

    Statutory checks follow from these (a previous local authority check where the
    person has lived in the present area for less than the agency's period; overseas
    checks for time abroad), and Part 2 of the PAR lists them.
    """

    place: str  # the local authority area, or the country (and town) abroad
    abroad: bool = False
    from_date: date | None = None
    to_date: date | None = None
    id: str = field(default_factory=new_id)


@dataclass
class AgencyProfile:
    """An agency the assessor works for. A commissioned assessor holds several."""

    name: str
    agency_id: str  # the agency's own identifier, from the enrolment file
    id: str = field(default_factory=new_id)
    inbox_url: str = ""
    assessor_id: str = ""
    device_id: str = ""
    form_overrides: str = ""  # folder name of this agency's form overrides, "" for none
    enrolled_at: datetime | None = None


@dataclass
class Applicant:
    first_name: str
    last_name: str
    id: str = field(default_factory=new_id)
    date_of_birth: date | None = None
    ethnicity: str = ""
    religion: str = ""
    languages: list[str] = field(default_factory=list)
    occupation: str = ""
    # Schedule 4 Part 1 facts (Adoption Agencies Regulations 2005, as amended 2013)
    previous_names: list[str] = field(default_factory=list)
    place_of_birth: str = ""
    sex: str = ""  # as the applicant gives it
    nationality: str = ""
    address: str = ""
    local_authority_area: str = ""
    address_since: date | None = None  # living at this address since
    area_since: date | None = None  # living in this local authority area since
    places_lived: list[PlaceLived] = field(default_factory=list)
    domiciled_in_british_islands: bool | None = None  # None: not yet recorded
    habitually_resident_since: date | None = None  # habitually resident in the British Islands
    marital_status: MaritalStatus = MaritalStatus.NOT_RECORDED
    marriage_date: date | None = None  # date of the marriage or civil partnership
    marriage_place: str = ""
    previous_relationships: str = ""  # previous marriages, civil partnerships, relationships
    applying_alone_reason: str = ""  # a married person or civil partner applying alone
    family_court_proceedings: str = ""  # previous family court proceedings, "" = none recorded
    gp_name: str = ""
    gp_address: str = ""

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass
class HouseholdMember:
    name: str
    kind: HouseholdMemberKind
    id: str = field(default_factory=new_id)
    date_of_birth: date | None = None
    relationship: str = ""  # to the applicants, in the assessor's words
    lives_in_household: bool = True
    notes: str = ""
    # for adults of the household: where they have lived decides their statutory checks
    area_since: date | None = None
    places_lived: list[PlaceLived] = field(default_factory=list)


@dataclass
class SignificantOther:
    """An ex-partner or other person whose view the assessment may need."""

    name: str
    kind: SignificantOtherKind = SignificantOtherKind.EX_PARTNER
    id: str = field(default_factory=new_id)
    applicant_id: str = ""  # whose ex-partner
    had_children_together: bool = False
    lived_together: bool = False
    notes: str = ""


# --------------------------------------------------------------------------- Stage 1


@dataclass
class StatutoryCheck:
    kind: CheckKind
    subject: str  # whose check, by name, as written (kept for display and old records)
    id: str = field(default_factory=new_id)
    outcome: CheckOutcome = CheckOutcome.PENDING
    completed_on: date | None = None
    notes: str = ""  # confidential: never in the applicant's copy
    person_id: str = ""  # the Applicant or HouseholdMember id the check is of
    requested_on: date | None = None
    place: str = ""  # the previous local authority, or the country of an overseas check
    considered_by: str = ""  # the manager who considered the result
    considered_on: date | None = None


@dataclass
class LineOfEnquiry:
    """Something Stage 1 found that Stage 2 must explore and the PAR must answer."""

    text: str
    id: str = field(default_factory=new_id)
    source: str = ""  # e.g. "DBS check", "medical adviser", "preparation training"
    par_section_ids: list[str] = field(default_factory=list)  # sections expected to answer it


@dataclass
class Stage1Summary:
    checks: list[StatutoryCheck] = field(default_factory=list)
    medical_adviser_summary: str = ""  # confidential
    preparation_training: str = ""  # observations fed back from preparation training
    training_completed_on: date | None = None
    notes: str = ""


# --------------------------------------------------------------------------- Stage 2


@dataclass
class Visit:
    sequence: int  # 1-based position in the plan
    title: str
    id: str = field(default_factory=new_id)
    template_visit_id: str = ""  # id in forms/visit_plan.yaml it came from, "" if added
    planned_date: date | None = None
    done_date: date | None = None
    mode: VisitMode = VisitMode.IN_PERSON
    who_seen: list[str] = field(default_factory=list)  # applicant/household member ids
    topics: list[str] = field(default_factory=list)  # topic ids from visit_plan.yaml
    notes: str = ""

    @property
    def is_done(self) -> bool:
        return self.done_date is not None


@dataclass
class Reference:
    kind: ReferenceKind
    referee_name: str
    id: str = field(default_factory=new_id)
    applicant_ids: list[str] = field(default_factory=list)  # who the referee speaks for
    person_id: str = ""  # the SignificantOther / HouseholdMember this is (ex-partner, adult child)
    relationship: str = ""  # how they know the applicant(s)
    years_known: int | None = None
    knows_as_couple: bool = False
    contact_status: ContactStatus = ContactStatus.NOT_CONTACTED
    written_received_on: date | None = None
    interview_date: date | None = None
    interview_mode: VisitMode = VisitMode.IN_PERSON
    notes: str = ""  # interview notes; confidential
    not_contacted_reason: str = ""  # required with NOT_CONTACTED_AGREED
    manager_decision_by: str = ""  # the manager who agreed not to contact


@dataclass
class Animal:
    name: str
    species: str  # "dog", "cat", ...
    id: str = field(default_factory=new_id)
    breed: str = ""
    age_years: float | None = None


@dataclass
class ChecklistAnswer:
    """One answer to one question of a form, for one subject.

    ``subject_id`` is "" for household-wide forms (health and safety) and the
    animal's id for per-animal forms (pet assessment); ``row`` numbers rows of a
    repeatable table (0 otherwise). ``value`` is JSON-able: str, bool, number,
    ISO date string, list of str, or a dict for a table row. ``archived`` marks
    an answer whose question a newer form version removed: kept, shown read-only.
    """

    form_id: str
    form_version: int
    question_id: str
    value: Any
    subject_id: str = ""
    row: int = 0
    archived: bool = False
    updated_at: datetime = field(default_factory=utc_now)


@dataclass
class EvidenceLink:
    """A paragraph of a PAR section resting on a visit or a reference."""

    kind: str  # "visit" | "reference" | "check" | "attachment"
    target_id: str
    paragraph: int = 0  # 0-based paragraph index in the section text


@dataclass
class SharedTextReview:
    """The worker's review of a flagged passage of a shared PAR section (one that names
    a referee, former partner or household member, or quotes an interview): it may be
    shared with the applicants. ``key`` is the passage's key
    (``homestudy.report.confidentiality.passage_key``); rewording the passage ends it."""

    key: str
    section_id: str
    decision: str = "may_share"
    note: str = ""
    by: str = ""
    at: datetime = field(default_factory=utc_now)


@dataclass
class ParSectionDraft:
    """The assessor's text for one PAR section (Markdown subset: paragraphs, **bold**,
    *italic*, "- " bulleted and "1. " numbered lists)."""

    section_id: str  # id in forms/par_england.yaml
    text: str = ""
    status: SectionStatus = SectionStatus.NOT_STARTED
    evidence: list[EvidenceLink] = field(default_factory=list)
    lines_of_enquiry_addressed: list[str] = field(default_factory=list)  # LineOfEnquiry ids
    last_edited: datetime | None = None
    # flagged passages the worker has said may be shared (the confidentiality guard)
    shared_text_reviews: list[SharedTextReview] = field(default_factory=list)

    @property
    def word_count(self) -> int:
        return len(self.text.split())

    def status_after_edit(self) -> SectionStatus:
        """The status once the text has just been edited: the first words start the
        drafting, and an edit after "Ready for review" goes back to "Drafting" (what the
        supervisor was asked to review is no longer what the section says)."""
        if self.status is SectionStatus.NOT_STARTED and self.text.strip():
            return SectionStatus.DRAFTING
        if self.status is SectionStatus.READY_FOR_REVIEW:
            return SectionStatus.DRAFTING
        return self.status


@dataclass
class Attachment:
    """Metadata of a file kept encrypted inside the vault (the bytes live apart)."""

    name: str
    media_type: str
    size: int
    sha256: str
    id: str = field(default_factory=new_id)
    description: str = ""
    confidential: bool = True
    added_at: datetime = field(default_factory=utc_now)


# --------------------------------------------------------------------------- the case


@dataclass
class Case:
    reference: str  # the household reference the agency uses, e.g. "HS-2026-0142"
    id: str = field(default_factory=new_id)
    agency_profile_id: str = ""  # "" for a case made on the laptop with no agency yet
    stage: Stage = Stage.STAGE_2
    route: Route = Route.STANDARD
    assessor_name: str = ""
    registration_of_interest_on: date | None = None
    stage1_started_on: date | None = None
    stage1_ended_on: date | None = None
    stage2_notice_on: date | None = None  # applicants' notice: Stage 2 clock starts
    provisional_panel_date: date | None = None
    panel_date: date | None = None
    applicant_copy_shared_on: date | None = None  # PAR given to applicants for comment
    applicants: list[Applicant] = field(default_factory=list)
    household: list[HouseholdMember] = field(default_factory=list)
    significant_others: list[SignificantOther] = field(default_factory=list)
    stage1: Stage1Summary = field(default_factory=Stage1Summary)
    lines_of_enquiry: list[LineOfEnquiry] = field(default_factory=list)
    visits: list[Visit] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    animals: list[Animal] = field(default_factory=list)
    checklist_answers: list[ChecklistAnswer] = field(default_factory=list)
    par_sections: dict[str, ParSectionDraft] = field(default_factory=dict)
    attachments: list[Attachment] = field(default_factory=list)
    # Schedule 4, for the household: accommodation, and income and finances
    accommodation: str = ""
    finances: str = ""
    # pictures the worker chose for the PAR, from the case's attachments ("" none)
    photo_attachment_id: str = ""
    family_tree_attachment_id: str = ""
    ecomap_attachment_id: str = ""
    # archived: finished (or closed by the agency), out of the case list, still searchable
    archived_at: datetime | None = None
    archive_reason: str = ""
    created_at: datetime = field(default_factory=utc_now)
    updated_at: datetime = field(default_factory=utc_now)

    @property
    def applicant_names(self) -> str:
        return " and ".join(a.full_name for a in self.applicants)

    @property
    def visits_done(self) -> int:
        return sum(1 for v in self.visits if v.is_done)

    def section(self, section_id: str) -> ParSectionDraft:
        """The draft for a section, created empty on first use."""
        draft = self.par_sections.get(section_id)
        if draft is None:
            draft = ParSectionDraft(section_id=section_id)
            self.par_sections[section_id] = draft
        return draft

    def answers_for(self, form_id: str, subject_id: str = "") -> list[ChecklistAnswer]:
        return [
            a for a in self.checklist_answers if a.form_id == form_id and a.subject_id == subject_id
        ]


@dataclass(frozen=True)
class CaseSummary:
    """One row of the case list: enough to draw it without loading the whole case."""

    id: str
    reference: str
    applicant_names: str
    stage: Stage
    stage2_notice_on: date | None
    provisional_panel_date: date | None
    visits_done: int
    visits_planned: int
    updated_at: datetime
    archived_at: datetime | None = None
    archive_reason: str = ""
    route: Route = Route.STANDARD  # with the two dates, enough for the Stage 2 clock
    stage1_started_on: date | None = None
    agency_profile_id: str = ""
