"""What every readiness rule shares (``Context``), and the rules on the PAR's text.

A rule takes the ``Context`` and yields ``Finding``s; ``readiness.all_rules()`` lists
them in the order the overview shows them. The other rules live beside this module:
``readiness_stage`` (stage, Stage 1 checks per person, medical summary, training),
``readiness_visits``, ``readiness_references``, ``readiness_par`` (required fields,
signatures), ``readiness_checks`` (health and safety), ``readiness_animals`` and
``readiness_clock``. Every message is plain UK English with no case content: no
names, no narrative, only counts, dates, titles and "Applicant 1/2".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING

from homestudy.forms import migrate_answers
from homestudy.model import (
    Case,
    ChecklistAnswer,
    ContactStatus,
    HouseholdMember,
    HouseholdMemberKind,
    Reference,
    ReferenceKind,
    Visit,
)
from homestudy.readiness_findings import Finding, FixAt, Severity
from homestudy.timeline import PanelClock, TimelineRules, panel_clock, stage2_start

if TYPE_CHECKING:
    from homestudy.forms import FormLibrary

BLOCKER, WARNING, NOTE = Severity.BLOCKER, Severity.WARNING, Severity.NOTE

#: What the analysis finding tells the assessor is accepted (kept beside the pattern).
ANALYSIS_ACCEPTED = (
    "a paragraph that starts \u201cAnalysis:\u201d followed by what the evidence shows "
    "(the Analysis button in the editor, Ctrl+Shift+A, starts one)"
)
_MARKER = re.compile(r"(?:(\*\*|__)analysis(?::\1|\1:?)|analysis:)", re.IGNORECASE)
_PARAGRAPHS = re.compile(r"\n[ \t]*\n")
_WORD = re.compile(r"\w")

_PERSONAL_KINDS = {ReferenceKind.PERSONAL, ReferenceKind.FAMILY}
#: A referee has replied: only then does the reference count.
REPLIED = frozenset({ContactStatus.WRITTEN_RECEIVED, ContactStatus.INTERVIEWED})
CHILD_KINDS = frozenset(
    {
        HouseholdMemberKind.BIRTH_CHILD,
        HouseholdMemberKind.ADOPTED_CHILD,
        HouseholdMemberKind.OTHER_CHILD,
    }
)
ADULT_KINDS = frozenset({HouseholdMemberKind.LODGER, HouseholdMemberKind.OTHER_ADULT})
MEMBER_WORDS = {
    HouseholdMemberKind.BIRTH_CHILD: "a birth child",
    HouseholdMemberKind.ADOPTED_CHILD: "an adopted child",
    HouseholdMemberKind.ADULT_CHILD_AWAY: "an adult child",
    HouseholdMemberKind.LODGER: "a lodger",
    HouseholdMemberKind.OTHER_ADULT: "another adult",
    HouseholdMemberKind.OTHER_CHILD: "another child",
}


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


@dataclass(frozen=True)
class Context:
    case: Case
    library: FormLibrary
    rules: TimelineRules
    today: date

    @cached_property
    def clock(self) -> PanelClock | None:
        return panel_clock(self.case, self.rules)

    @cached_property
    def assess_on(self) -> date:
        """The day the case is judged at: the panel date when it is still to come."""
        clock = self.clock
        return clock.panel if clock is not None and clock.panel > self.today else self.today

    @cached_property
    def stage2_began(self) -> date | None:
        return stage2_start(self.case)

    @cached_property
    def done_visits(self) -> list[Visit]:
        """Stage 2 visits done by today: a done date still to come is never counted, nor
        a visit from before Stage 2 began."""
        began = self.stage2_began
        return [
            v
            for v in self.case.visits
            if v.done_date is not None
            and v.done_date <= self.today
            and (began is None or v.done_date >= began)
        ]

    @cached_property
    def answers(self) -> list[ChecklistAnswer]:
        """The case's answers moved to the current form versions (renamed questions
        followed, removed ones archived), so an old answer still counts."""
        return migrate_answers(self.case.checklist_answers, self.library)

    def answers_for(self, form_id: str, subject_id: str = "") -> list[ChecklistAnswer]:
        return [a for a in self.answers if a.form_id == form_id and a.subject_id == subject_id]

    @cached_property
    def personal_entries(self) -> list[Reference]:
        """Personal referees recorded as interviewed, every entry (even a repeat)."""
        return [
            r
            for r in self.case.references
            if r.kind in _PERSONAL_KINDS and r.contact_status is ContactStatus.INTERVIEWED
        ]

    @cached_property
    def interviewed_personal(self) -> list[Reference]:
        """The personal referees who count: interviewed by today (an interview dated
        still to come has not happened), each person once however often entered."""
        seen: set[str] = set()
        out = []
        for r in self.personal_entries:
            if r.interview_date is not None and r.interview_date > self.today:
                continue
            key = referee_key(r)
            if key in seen:
                continue
            seen.add(key)
            out.append(r)
        return out

    @cached_property
    def household_at_home(self) -> list[HouseholdMember]:
        return [m for m in self.case.household if m.lives_in_household]

    def is_adult(self, member: HouseholdMember) -> bool:
        """An adult of the household by the panel date: by date of birth when known,
        else by kind (a lodger or other adult; an adult child living at home)."""
        if member.date_of_birth is not None:
            return age_on(member.date_of_birth, self.assess_on) >= self.rules.adult_age
        return member.kind in ADULT_KINDS or member.kind is HouseholdMemberKind.ADULT_CHILD_AWAY

    def applicant_label(self, applicant_id: str) -> str:
        for n, a in enumerate(self.case.applicants, start=1):
            if a.id == applicant_id:
                return f"Applicant {n}" if len(self.case.applicants) > 1 else "The applicant"
        return "An applicant"

    def person_label(self, person_id: str) -> str:
        """ "Applicant 1", or "Household member 2 (a lodger)": never a name."""
        if any(a.id == person_id for a in self.case.applicants):
            return self.applicant_label(person_id)
        for n, m in enumerate(self.case.household, start=1):
            if m.id == person_id:
                return f"Household member {n} ({MEMBER_WORDS[m.kind]})"
        return "Someone in the household"


Rule = Callable[[Context], Iterable[Finding]]


def referee_key(ref: Reference) -> str:
    """Who the referee is, so one person entered twice is one referee: their name,
    ignoring case, spaces and punctuation (an entry with no name is its own)."""
    name = re.sub(r"\W", "", ref.referee_name.casefold())
    return name or ref.id


def has_analysis(text: str) -> bool:
    """True when a paragraph starts with the analysis marker (``Analysis:``, plain or
    bold) and has words after it. A marker on its own is not analysis."""
    for paragraph in _PARAGRAPHS.split(text):
        body = paragraph.lstrip()
        match = _MARKER.match(body)
        if match and _WORD.search(body, match.end()):
            return True
    return False


def has_words(text: str) -> bool:
    """True when the text says something: a dash or dots alone do not."""
    return bool(_WORD.search(text))


def count(n: int, one: str, many: str) -> str:
    return f"{n} {one}" if n == 1 else f"{n} {many}"


def agreed_not_to_contact(ref: Reference) -> bool:
    """A manager's recorded decision not to contact, with its reason."""
    return (
        ref.contact_status is ContactStatus.NOT_CONTACTED_AGREED
        and bool(ref.not_contacted_reason.strip())
        and bool(ref.manager_decision_by.strip())
    )


# --------------------------------------------------------------------------- PAR text


def par_sections(ctx: Context) -> Iterator[Finding]:
    drafts = ctx.case.par_sections
    for section in ctx.library.par.sections:
        draft = drafts.get(section.id)
        text = draft.text if draft is not None else ""
        if section.required and not text.strip():
            yield Finding(
                BLOCKER,
                "par_section_empty",
                f"The PAR section \u201c{section.title}\u201d is empty.",
                FixAt("par", section.id),
            )
        elif section.needs_analysis and text.strip() and not has_analysis(text):
            yield Finding(
                BLOCKER,
                "par_analysis_missing",
                f"The PAR section \u201c{section.title}\u201d has no analysis yet: add "
                f"{ANALYSIS_ACCEPTED}.",
                FixAt("par", section.id),
            )


def lines_of_enquiry(ctx: Context) -> Iterator[Finding]:
    addressed: set[str] = set()
    for draft in ctx.case.par_sections.values():
        addressed.update(draft.lines_of_enquiry_addressed)
    total = len(ctx.case.lines_of_enquiry)
    known = set(ctx.library.par.section_ids)
    for n, line in enumerate(ctx.case.lines_of_enquiry, start=1):
        if line.id in addressed:
            continue
        expected = [s for s in line.par_section_ids if s in known]
        where = ""
        if expected:
            titles = ", ".join(f"\u201c{ctx.library.par.section(s).title}\u201d" for s in expected)
            where = f" It was expected in {titles}."
        yield Finding(
            BLOCKER,
            "line_of_enquiry_not_addressed",
            f"Stage 1 line of enquiry {n} of {total} is not yet addressed in any PAR "
            f"section.{where}",
            FixAt("par", expected[0] if expected else ""),
        )
