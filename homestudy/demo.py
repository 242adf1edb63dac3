"""The demo case: one realistic, wholly fictional household in mid Stage 2.

``build_demo_case`` is pure (no vault, no clock unless ``today`` is omitted) and
deterministic: every id derives from a fixed seed, every date from ``today``, so
the case is always part-way through Stage 2. Newcomers, screenshots, benchmarks
and tests use it. The PAR prose is composed in ``homestudy.demo_prose``.

Everyone named here is invented; any likeness to a real family is chance.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta

from homestudy import demo_prose
from homestudy.model import (
    Animal,
    Applicant,
    Case,
    CheckKind,
    ChecklistAnswer,
    CheckOutcome,
    ContactStatus,
    HouseholdMember,
    HouseholdMemberKind,
    LineOfEnquiry,
    PlaceLived,
    Reference,
    ReferenceKind,
    SignificantOther,
    SignificantOtherKind,
    Stage,
    Stage1Summary,
    StatutoryCheck,
    Visit,
    VisitMode,
)
from homestudy.workdays import add_working_days, is_working_day

DEMO_SEED = "homestudy-demo-1"
_NAMESPACE = uuid.UUID("6d1f6a52-3c1e-4f0e-9b8e-2f4c2d7a9e11")


def demo_reference(today: date) -> str:
    return f"HS-{today.year}-0417"


class _Ids:
    """Stable ids: uuid5 of the seed and a name, so the same record keeps its id."""

    def __init__(self, seed: str) -> None:
        self.seed = seed

    def __call__(self, name: str) -> str:
        return str(uuid.uuid5(_NAMESPACE, f"{self.seed}:{name}"))


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=UTC)


# (template id, title, topics, who is seen: "both" | "a1" | "a2" | "household")
_VISITS = [
    (
        "v1_joint_plan",
        "Joint visit: the plan, chronology and family tree",
        ["plan_chronology", "genogram"],
        "both",
    ),
    (
        "v2_applicant1_alone",
        "Hannah alone: childhood, education and work, past relationships",
        ["childhood_parenting", "education_work", "past_relationships"],
        "a1",
    ),
    (
        "v3_applicant2_alone",
        "Daniel alone: childhood, education and work, past relationships",
        ["childhood_parenting", "education_work", "past_relationships"],
        "a2",
    ),
    (
        "v4_joint_relationship",
        "Joint visit: the relationship, loss and infertility, motivation",
        ["relationship", "loss_infertility", "motivation"],
        "both",
    ),
    (
        "v5_joint_network",
        "Joint visit: support network, lifestyle; meeting Isla",
        ["support_network", "lifestyle", "household_children"],
        "household",
    ),
    (
        "v6_joint_understanding",
        "Joint visit: understanding adoption; midway review",
        ["trauma_attachment", "contact", "life_story_identity", "midway_review"],
        "both",
    ),
    (
        "v7_joint_home",
        "Joint visit: the home, health and safety, pets, finances",
        ["home_safety", "pets", "finances"],
        "household",
    ),
    ("v8_joint_matching", "Joint visit: matching considerations", ["matching"], "both"),
]


def build_demo_case(
    today: date | None = None, *, seed: str = DEMO_SEED, reference: str | None = None
) -> Case:
    """The demo case as it stands on ``today`` (default: the real today).

    Another ``seed`` (with another ``reference``) gives the same household under
    different ids, for tests that need several cases in one vault."""
    today = today or date.today()
    ids = _Ids(seed)
    notice = today - timedelta(days=68)  # Stage 2 clock started about 10 weeks ago
    stage1_start = notice - timedelta(days=150)
    stage1_end = stage1_start + timedelta(days=61)

    hannah = Applicant(
        "Hannah",
        "Whitfield",
        id=ids("applicant:1"),
        date_of_birth=date(1987, 3, 14),
        ethnicity="White British",
        religion="Church of England (not practising)",
        languages=["English", "British Sign Language (level 2)"],
        occupation="Primary school teacher (Year 2), part time",
        area_since=date(2014, 8, 1),
    )
    daniel = Applicant(
        "Daniel",
        "Mensah",
        id=ids("applicant:2"),
        date_of_birth=date(1983, 9, 2),
        ethnicity="Black British (Ghanaian heritage)",
        religion="Methodist",
        languages=["English", "Twi (conversational)"],
        occupation="Paramedic, regional ambulance service",
        area_since=date(2016, 4, 1),
        places_lived=[
            PlaceLived(
                "Accra, Ghana",
                abroad=True,
                from_date=date(2009, 7, 1),
                to_date=date(2010, 9, 1),
                id=ids("place:accra"),
            ),
            PlaceLived(
                "Leeds", from_date=date(2010, 9, 1), to_date=date(2016, 4, 1), id=ids("place:leeds")
            ),
        ],
    )
    isla = HouseholdMember(
        "Isla Mensah-Whitfield",
        HouseholdMemberKind.BIRTH_CHILD,
        id=ids("member:isla"),
        date_of_birth=today - timedelta(days=7 * 365 + 140),
        relationship="Daughter of both",
        notes="Year 3 at the local primary school; seen at visits 5 and planned for visit 7.",
    )
    josh = HouseholdMember(
        "Joshua Mensah",
        HouseholdMemberKind.ADULT_CHILD_AWAY,
        id=ids("member:josh"),
        date_of_birth=today - timedelta(days=21 * 365 + 30),
        relationship="Daniel's son from his earlier relationship",
        lives_in_household=False,
        notes="Final-year student in Leeds; stays most holidays; spoken to by video call.",
    )
    claire = SignificantOther(
        "Claire Robson",
        SignificantOtherKind.EX_PARTNER,
        id=ids("other:claire"),
        applicant_id=daniel.id,
        had_children_together=True,
        lived_together=True,
        notes="Daniel's former partner and Joshua's mother; together 2002 to 2008.",
    )
    biscuit = Animal(
        "Biscuit", "dog", id=ids("animal:biscuit"), breed="Labrador Retriever", age_years=5.0
    )

    case = Case(
        reference=reference or demo_reference(today),
        id=ids("case"),
        stage=Stage.STAGE_2,
        assessor_name="Priya Raman",
        registration_of_interest_on=stage1_start - timedelta(days=12),
        stage1_started_on=stage1_start,
        stage1_ended_on=stage1_end,
        stage2_notice_on=notice,
        provisional_panel_date=_panel_day(notice + timedelta(days=98)),
        applicants=[hannah, daniel],
        household=[isla, josh],
        significant_others=[claire],
        animals=[biscuit],
        created_at=_at(notice),
        updated_at=_at(today - timedelta(days=1), 16),
    )
    case.stage1 = _stage1(ids, hannah, daniel, stage1_start, stage1_end)
    case.lines_of_enquiry = _lines_of_enquiry(ids)
    case.visits = _visits(ids, case, notice, today)
    case.references = _references(ids, case, notice, today)
    case.checklist_answers = _health_safety(today) + _pet_answers(biscuit, today)
    case.par_sections = demo_prose.par_sections(case, today)
    return case


def _panel_day(day: date) -> date:
    """Panels sit on working days."""
    return day if is_working_day(day) else add_working_days(day, 1)


def _stage1(ids: _Ids, a1: Applicant, a2: Applicant, start: date, end: date) -> Stage1Summary:
    def check(
        n: int,
        kind: CheckKind,
        who: Applicant,
        outcome: CheckOutcome,
        notes: str = "",
        place: str = "",
        considered: bool = True,
    ) -> StatutoryCheck:
        done = start + timedelta(days=20 + 3 * n)
        return StatutoryCheck(
            kind,
            who.full_name,
            id=ids(f"check:{n}"),
            outcome=outcome,
            completed_on=done,
            notes=notes,
            person_id=who.id,
            requested_on=start + timedelta(days=3),
            place=place,
            considered_by="Team manager (S. Okafor)" if considered else "",
            considered_on=done + timedelta(days=4) if considered else None,
        )

    clear = CheckOutcome.CLEAR
    checks = [
        check(1, CheckKind.DBS, a1, clear),
        check(
            2,
            CheckKind.DBS,
            a2,
            CheckOutcome.INFORMATION_DISCLOSED,
            "Enhanced DBS discloses a police caution from 2002 (criminal damage, aged 18). "
            "Daniel told us about it before the check came back.",
        ),
        check(3, CheckKind.LOCAL_AUTHORITY, a1, clear),
        check(
            4,
            CheckKind.LOCAL_AUTHORITY,
            a2,
            clear,
            "Previous authority (where Joshua was born) holds no record of concern.",
        ),
        check(5, CheckKind.HEALTH, a1, clear, "GP report received; see medical adviser."),
        check(6, CheckKind.HEALTH, a2, clear, "GP report received; asthma, well controlled."),
        check(7, CheckKind.PROBATION, a2, CheckOutcome.NOT_APPLICABLE, "No probation involvement."),
        check(
            8,
            CheckKind.OVERSEAS_POLICE,
            a2,
            clear,
            "Lived in Accra for 14 months (2009 to 2010); Ghana Police certificate clear.",
            place="Accra, Ghana",
            considered=False,
        ),
    ]
    return Stage1Summary(
        checks=checks,
        medical_adviser_summary=(
            "Hannah: two early miscarriages (2019, 2020) followed by a period of low mood, "
            "treated by her GP with counselling and a short course of sertraline, stopped in "
            "2021 with no recurrence. Daniel: asthma since childhood, well controlled on a "
            "preventer inhaler, no admissions for over ten years. BMI within normal range for "
            "both. The medical adviser sees no health bar to adoption and suggests the "
            "assessment explores Hannah's support plan should low mood return after placement."
        ),
        preparation_training=(
            "Attended all three days of preparation training. Facilitators noted that Daniel "
            "spoke thoughtfully about identity for children of dual heritage; Hannah was at "
            "first quieter, then led her group's discussion of contact. Both were open about "
            "wanting to understand how a placement would affect Isla."
        ),
        training_completed_on=end - timedelta(days=9),
        notes="Stage 1 plan agreed; applicants gave notice for Stage 2 promptly.",
    )


def _lines_of_enquiry(ids: _Ids) -> list[LineOfEnquiry]:
    return [
        LineOfEnquiry(
            "Explore the circumstances of Daniel's 2002 caution, his account of it and what he "
            "has learned since.",
            id=ids("loe:caution"),
            source="DBS check",
            par_section_ids=["relationships", "statutory_checks"],
        ),
        LineOfEnquiry(
            "Explore Hannah's low mood after the miscarriages: her insight, what helped, and "
            "the support plan if it returned after a placement.",
            id=ids("loe:mood"),
            source="medical adviser",
            par_section_ids=["health", "motivation"],
        ),
        LineOfEnquiry(
            "Consider how Isla will be prepared for, and supported through, a child joining "
            "the family by adoption, and how her needs will be held alongside theirs.",
            id=ids("loe:isla"),
            source="preparation training",
            par_section_ids=["children_household", "matching"],
        ),
    ]


def _visits(ids: _Ids, case: Case, notice: date, today: date) -> list[Visit]:
    a1, a2 = case.applicants
    everyone = [a1.id, a2.id, case.household[0].id]
    who = {"both": [a1.id, a2.id], "a1": [a1.id], "a2": [a2.id], "household": everyone}
    visits = []
    for n, (template, title, topics, seen) in enumerate(_VISITS, start=1):
        planned = (
            notice + timedelta(days=9 + 12 * (n - 1))
            if n <= 5
            else (today + timedelta(days=6 + 11 * (n - 6)))
        )
        done = n <= 5
        visits.append(
            Visit(
                n,
                title,
                id=ids(f"visit:{n}"),
                template_visit_id=template,
                planned_date=planned,
                done_date=planned if done else None,
                mode=VisitMode.VIRTUAL if n == 3 else VisitMode.IN_PERSON,
                who_seen=who[seen] if done else [],
                topics=list(topics),
                notes=demo_prose.visit_notes(n, case) if done else "",
            )
        )
    return visits


def _references(ids: _Ids, case: Case, notice: date, today: date) -> list[Reference]:
    a1, a2 = case.applicants
    both = [a1.id, a2.id]
    return [
        Reference(
            ReferenceKind.PERSONAL,
            "Marcus Adeyemi",
            id=ids("ref:personal"),
            applicant_ids=both,
            relationship="Friend of both; Daniel's former colleague",
            years_known=14,
            knows_as_couple=True,
            contact_status=ContactStatus.INTERVIEWED,
            written_received_on=notice - timedelta(days=20),
            interview_date=notice + timedelta(days=25),
            notes=demo_prose.reference_notes(0),
        ),
        Reference(
            ReferenceKind.FAMILY,
            "Rebecca Whitfield",
            id=ids("ref:family"),
            applicant_ids=[a1.id],
            relationship="Hannah's older sister",
            years_known=39,
            knows_as_couple=True,
            contact_status=ContactStatus.INTERVIEWED,
            written_received_on=notice - timedelta(days=18),
            interview_date=notice + timedelta(days=31),
            interview_mode=VisitMode.VIRTUAL,
            notes=demo_prose.reference_notes(1),
        ),
        Reference(
            ReferenceKind.EMPLOYER,
            "Station Manager, regional ambulance service",
            id=ids("ref:employer"),
            applicant_ids=[a2.id],
            relationship="Daniel's line manager for six years",
            years_known=6,
            contact_status=ContactStatus.INTERVIEWED,
            written_received_on=notice + timedelta(days=10),
            interview_date=today - timedelta(days=9),
            interview_mode=VisitMode.VIRTUAL,
            notes=demo_prose.reference_notes(2),
        ),
        Reference(
            ReferenceKind.EX_PARTNER,
            "Claire Robson",
            id=ids("ref:ex_partner"),
            applicant_ids=[a2.id],
            person_id=case.significant_others[0].id,
            relationship="Daniel's former partner; Joshua's mother",
            years_known=22,
            contact_status=ContactStatus.INTERVIEWED,
            interview_date=today - timedelta(days=16),
            interview_mode=VisitMode.VIRTUAL,
            notes=demo_prose.reference_notes(3),
        ),
    ]


HS_VERSION, PET_VERSION = 2, 2  # the form versions these answers are to

_HS_ANSWERS = [
    ("smoke_alarms", "yes", "Alarms on both floors, tested monthly; tested during visit."),
    ("co_detector", "yes", "Next to the boiler and in the living room (wood burner)."),
    ("fire_escape_plan", "yes", "Plan talked through with Isla; keys kept by doors."),
    ("home_insurance", "yes", "Buildings and contents cover seen."),
    ("gas_appliances_serviced", "yes", "Boiler serviced in the spring; record seen."),
    ("sockets_flexes", "yes", "No overloaded sockets; flexes tidied behind furniture."),
    ("low_glazing", "yes", "Patio doors are safety glass (kitemark seen)."),
    ("blind_cords", "no", "Loop cord on the spare bedroom blind."),
    ("furniture_secured", "yes", "Bookcases fixed to the wall."),
    ("hot_water", "yes", "Thermostatic mixer on the bath."),
    ("safe_sleeping", "not_applicable", "A cot will be bought if a younger child is placed."),
    ("water_hazards", "yes", "No pond or pool; water butt has a lid."),
    ("car_documents", "yes", "Licences, insurance and MOT seen."),
    ("window_restrictors", "no", "Restrictors needed on the two upstairs front windows."),
    ("stairs", "yes", "Banister sound; gate to be fitted if a younger child is placed."),
    ("heaters", "yes", "Wood burner has a fireguard; no portable heaters."),
    ("medicines_locked", "yes", "Lockable box in the kitchen cupboard, above reach."),
    ("chemicals_locked", "yes", "Cleaning products moved to a high cupboard."),
    ("alcohol_locked", "yes", "Little alcohol kept; moved to a high cupboard."),
    ("knives", "yes", "Knife block moved to the back of the worktop."),
    ("smoke_free_home", "yes", "Neither applicant smokes."),
    ("smoke_free_car", "yes", ""),
    ("bedroom_space", "yes", "Spare bedroom (3.1 m by 2.8 m) to be the child's room."),
    ("building_work", "not_applicable", "None planned."),
    ("garden_enclosed", "yes", "Enclosed garden; no pond; shed kept locked."),
    ("trip_hazards", "yes", "Hall rug has a non-slip underlay."),
    ("stair_lighting", "yes", "Two-way switch; landing night light."),
    ("balconies_loft", "yes", "No balcony; loft hatch bolted, ladder stored in the garage."),
    ("matches_lighters_candles", "yes", "Kept in a high kitchen cupboard."),
    ("button_batteries_magnets", "yes", "Spare batteries in a locked drawer."),
    ("bags_nappy_sacks", "yes", ""),
    ("e_liquids", "not_applicable", "Nobody vapes."),
    ("controlled_drugs", "yes", "Daniel's inhalers only; kept with the medicines."),
    ("laundry_capsules", "yes", "Top shelf of the utility room."),
    ("bunk_beds", "not_applicable", "No bunk beds."),
    ("water_butts", "yes", "Lid fitted and strapped."),
    ("trampoline", "not_applicable", "No trampoline."),
    ("garden_chemicals", "yes", "Locked in the shed."),
    ("nearby_dangers", "yes", "Quiet road; the canal is ten minutes away; rules agreed with Isla."),
    ("confidential_papers", "yes", "Lockable filing drawer in the study."),
    ("cameras_social_media", "yes", "Video doorbell faces the drive only; no photos online."),
    ("seat_belts", "yes", ""),
    ("airbags_rear_facing", "not_applicable", "Isla sits in the back; no rear-facing seat."),
    ("car_seats", "yes", "Isla's high-back booster; an age-appropriate seat will be bought."),
    ("firearms", "not_applicable", "No firearms in the home."),
    ("internet_safety", "yes", "Parental controls on the router and Isla's tablet."),
    ("first_aid_kit", "yes", "Kit in the kitchen and the car; Daniel is a paramedic."),
]


def _health_safety(today: date) -> list[ChecklistAnswer]:
    when = _at(today - timedelta(days=5), 11)
    answers = []
    for qid, answer, comment in _HS_ANSWERS:
        value = _yn(answer, comment)
        if answer == "no":
            value["action"] = "Applicants to fit before the home visit."
            value["owner"] = "Daniel"
            value["due"] = (today + timedelta(days=10)).isoformat()
        answers.append(ChecklistAnswer("health_safety", HS_VERSION, qid, value, updated_at=when))
    for qid, text in (
        ("tenure", "owner_occupier"),
        ("gas_service_date", (today - timedelta(days=200)).isoformat()),
        ("checked_on", (today - timedelta(days=5)).isoformat()),
        ("seen_by", "Priya Raman"),
    ):
        answers.append(ChecklistAnswer("health_safety", HS_VERSION, qid, text, updated_at=when))
    return answers


def _yn(answer: str, comment: str = "") -> dict[str, object]:
    return {"answer": answer, "comment": comment, "action": "", "due": "", "done": False}


_PET_ANSWERS: list[tuple[str, object]] = [
    ("species", "dog"),
    ("sex", "female"),
    ("neutered", _yn("yes")),
    ("microchipped", _yn("yes", "Chip details checked with the vet's record.")),
    ("origin", "A breeder recommended by friends, as a puppy."),
    ("owned_since", "Five years, since she was eight weeks old."),
    ("size", "large"),
    ("age_years", 5),
    (
        "temperament",
        "Calm and sociable; excitable for a minute when visitors arrive, then "
        "settles on her bed. Gentle with Isla and visiting children.",
    ),
    ("bite_history", _yn("no", "No incidents in five years; confirmed by the vet's notes.")),
    ("police_council_involvement", _yn("no")),
    ("vaccinations_up_to_date", _yn("yes", "Vaccination card seen.")),
    ("worming_flea_treatment", "Monthly; record card seen."),
    ("vet", "Registered with a practice in town; annual check-ups."),
    ("training", "Puppy and adolescent classes; reliable recall; walks well on a lead."),
    ("sleeps", "Crate in the utility room, door open."),
    ("eats", "Utility room; Isla does not feed her unsupervised."),
    ("kept", "Downstairs only; garden when someone is at home."),
    ("exercise", "Two walks daily, mostly by Daniel before and after shifts."),
    ("hygiene", "Garden cleared daily; dog not allowed upstairs; hands washed after play."),
    ("reaction_handling", "Lets Isla and the adults take her bowl and move her from her bed."),
    ("reaction_children", "Watches, then moves away from noisy play; no chasing or nipping."),
    ("reaction_visitors", "Barks once at the door, then greets calmly and settles."),
    ("prey_drive", _yn("no", "Ignores the neighbours' cat.")),
    ("owners_account", "Daniel and Hannah describe her as gentle and lazy indoors."),
    (
        "worker_observation",
        "Seen at two visits: relaxed, responsive to both applicants, "
        "moved away when Isla's friend ran past.",
    ),
    ("supervision_plan", "Never left alone with a child; stair gate to keep her downstairs."),
    ("separation_plan", "Crate and utility room when a young child is on the floor."),
    ("clash_plan", "Daniel's parents would take her while a new plan is worked out."),
    ("dog_type_judgement", _yn("no", "A typical Labrador in build and appearance.")),
    ("who_walks", "Daniel mostly; off the lead only in the fenced field."),
    ("dog_obeys_commands", _yn("yes", "Sit, down, stay and recall shown during the visit.")),
    ("dog_guards_food_toys", _yn("no", "Took a treat gently; left her bowl when asked.")),
    (
        "dog_reaction_to_children",
        "Relaxed with Isla and her friends; moves away when the play gets loud.",
    ),
    ("dog_left_alone", _yn("yes", "Left for up to three hours; settles in her crate.")),
    ("dog_insured", _yn("yes", "Third-party cover through the pet insurer.")),
    ("dog_exemption_certificate", _yn("not_applicable", "Not a prohibited type.")),
    (
        "dog_conclusion",
        "A settled, well-trained family dog. No concerns; the separation and "
        "supervision plan is realistic and the applicants follow it.",
    ),
    ("risk_rating", "low"),
]


def _pet_answers(dog: Animal, today: date) -> list[ChecklistAnswer]:
    when = _at(today - timedelta(days=5), 12)
    answers = [
        ChecklistAnswer(
            "pet_assessment", PET_VERSION, qid, value, subject_id=dog.id, updated_at=when
        )
        for qid, value in _PET_ANSWERS
    ]
    answers.append(
        ChecklistAnswer(
            "pet_assessment",
            PET_VERSION,
            "assessed_on",
            (today - timedelta(days=5)).isoformat(),
            subject_id=dog.id,
            updated_at=when,
        )
    )
    return answers
