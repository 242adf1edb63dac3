"""Every file in forms/ loads, and every reference between them resolves."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from homestudy.forms import (
    FormDefinition,
    QuestionType,
    banned_breeds,
    build_library,
    forms_dir,
    is_banned_breed,
    load_library,
)
from homestudy.forms.library import _yaml_files
from homestudy.model import ReferenceKind

ROOT = Path(__file__).resolve().parents[1]
DESIGN = (ROOT / "docs" / "DESIGN.md").read_text(encoding="utf-8")


def _design_ids(after: str, until: str) -> list[str]:
    block = DESIGN[DESIGN.index(after) :]
    block = block[: block.index(until)]
    return re.findall(r"`([a-z0-9_]+)`", block)


def test_forms_dir_is_the_package_data_folder() -> None:
    assert forms_dir() == ROOT / "homestudy" / "data" / "forms"


def test_every_file_in_forms_loads_and_every_reference_resolves() -> None:
    files = _yaml_files(ROOT / "homestudy" / "data" / "forms")
    assert {p.stem for p in files} >= {
        "par_england",
        "visit_plan",
        "reference_interview",
        "health_safety",
        "pet_assessment",
    }
    lib = build_library(files)
    par, plan = lib.par, lib.visit_plan
    section_ids = set(par.section_ids)
    topic_ids = {t.id for t in plan.topics}
    for topic in plan.topics:
        assert set(topic.par_section_ids) <= section_ids, topic.id
    for visit in plan.visits:
        assert set(visit.topics) <= topic_ids, visit.id
    assert plan.topic("home_safety").form_ids == ("health_safety",)
    for topic in plan.topics:
        for form_id in topic.form_ids:
            assert form_id in lib.forms, (topic.id, form_id)
    kinds = {k.value for k in ReferenceKind}
    for section in par.sections:
        assert set(section.feeds_from_topics) <= topic_ids, section.id
        assert set(section.feeds_from_reference_kinds) <= kinds, section.id
    # the two directions agree: a topic feeds a section iff the section says so
    for topic in plan.topics:
        for sid in topic.par_section_ids:
            assert topic.id in par.section(sid).feeds_from_topics, (topic.id, sid)
    for section in par.sections:
        for tid in section.feeds_from_topics:
            assert section.id in plan.topic(tid).par_section_ids, (section.id, tid)
    assert {g.variant for g in lib.reference_guides.guides} == kinds
    for form in (*lib.forms.values(), *lib.reference_guides.guides):
        _check_form(form)


def _check_form(form: FormDefinition) -> None:
    ids = [q.id for q in form.questions]
    assert len(ids) == len(set(ids)), form.id
    for group in form.groups:
        if group.show_when:
            assert form.has_question(group.show_when.question_id)
        for q in group.questions:
            if q.type in (QuestionType.CHOICE, QuestionType.MULTI_CHOICE):
                assert q.choices
            if q.type is QuestionType.TABLE:
                assert q.columns
            if q.not_in_list:
                assert form.lists[q.not_in_list]


def test_par_sections_match_design_md_in_order_with_their_flags() -> None:
    par = load_library().par
    rows = re.findall(r"^\| `([a-z0-9_]+)` \| [^|]+ \| ([^|]*) \|$", DESIGN, re.MULTILINE)
    assert [sid for sid, _ in rows] == list(par.section_ids)
    for sid, flags in rows:
        s = par.section(sid)
        assert s.required == ("R" in flags.split(", ")), sid
        assert s.confidential == ("C" in flags.split(", ")), sid
        assert s.needs_analysis == ("A" in flags.split(", ")), sid
        assert s.written_by_applicants == ("by applicants" in flags), sid
        assert s.guidance, sid
    parts = [s.part for s in par.sections]
    assert parts == sorted(parts, key=["cover", "part1", "part2", "after"].index)
    assert par.section("statutory_checks").part == "part2"
    assert par.section("signatures").part == "after"


def test_topic_and_visit_ids_match_design_md() -> None:
    plan = load_library().visit_plan
    topics = _design_ids("Visit topic ids", "Default visits")
    visits = _design_ids("Default visits", "Reference interview guide ids")
    assert [t.id for t in plan.topics] == topics
    assert [v.id for v in plan.visits] == visits
    assert len(plan.visits) >= 6
    attendance = {v.attendance for v in plan.visits}
    assert {"joint", "applicant1", "applicant2"} <= attendance


def test_form_ids_match_design_md() -> None:
    lib = load_library()
    assert set(lib.form_ids) == set(_design_ids("Form ids", "PAR section ids"))


def test_matching_section_has_the_structured_considerations() -> None:
    fields = {f.id: f for f in load_library().par.section("matching").fields}
    assert fields["number_of_children"].type is QuestionType.NUMBER
    assert fields["age_from"].required and fields["age_to"].required
    assert fields["gender"].type is QuestionType.CHOICE
    assert fields["needs_could_consider"].type is QuestionType.TABLE
    assert fields["needs_could_not_consider"].type is QuestionType.TABLE
    household = load_library().par.section("children_household").fields[0]
    assert household.id == "household_members" and household.type is QuestionType.TABLE


def test_health_safety_covers_rooms_outside_and_car() -> None:
    form = load_library().get("health_safety")
    groups = [g.id for g in form.groups]
    assert {"kitchen", "bathroom", "bedrooms", "outside", "car"} <= set(groups)
    items = [q for q in form.questions if q.type is QuestionType.YES_NO_NA]
    assert len(items) >= 45
    assert all(q.required for q in items)
    # a 'no' opens an action, except smoking: a matching consideration, not a blocker
    smoking = {"smoke_free_home", "smoke_free_car"}
    assert all(q.action_when == ("no",) for q in items if q.id not in smoking)
    assert all(form.question(q).action_when == () for q in smoking)
    for qid in (
        "trip_hazards",
        "stair_lighting",
        "balconies_loft",
        "bunk_beds",
        "matches_lighters_candles",
        "button_batteries_magnets",
        "bags_nappy_sacks",
        "e_liquids",
        "laundry_capsules",
        "controlled_drugs",
        "garden_chemicals",
        "water_butts",
        "trampoline",
        "nearby_dangers",
        "home_insurance",
        "confidential_papers",
        "cameras_social_media",
        "seat_belts",
        "airbags_rear_facing",
        "gas_safety_certificate",
        "gas_appliances_serviced",
    ):
        assert form.has_question(qid), qid
    assert form.group_of("gas_safety_certificate").show_when.values == ("tenant",)
    assert form.question("gone_through_on").required


def test_pet_assessment_is_per_animal_with_a_dog_section_and_banned_breeds() -> None:
    lib = load_library()
    form = lib.get("pet_assessment")
    assert form.per_subject
    dog = form.group("dog_assessment")
    assert dog.show_when is not None and dog.show_when.values == ("dog",)
    names = banned_breeds(lib)
    for breed in (
        "Pit Bull Terrier",
        "Japanese Tosa",
        "Dogo Argentino",
        "Fila Brasileiro",
        "XL Bully",
    ):
        assert breed in names
    assert is_banned_breed("American pit-bull terrier cross", names)
    assert is_banned_breed("xl bully", names) and is_banned_breed("Bully, XL", names)
    assert is_banned_breed("Argentino (Dogo)", names)
    assert not is_banned_breed("Staffordshire Bull Terrier", names)
    assert not is_banned_breed("Labrador Retriever", names)


def test_reference_guide_per_kind() -> None:
    lib = load_library()
    for kind in ReferenceKind:
        guide = lib.reference_guide(kind)
        assert guide.id == "reference_interview" and guide.variant == kind.value
        assert guide.per_subject and guide.questions
    with pytest.raises(KeyError):
        lib.get("visit_plan")


def test_library_is_cached_and_frozen() -> None:
    lib = load_library()
    assert load_library() is lib
    with pytest.raises(AttributeError):
        lib.par.title = "x"  # type: ignore[misc]
