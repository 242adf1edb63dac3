"""Migration step 3 on a real vault: checks linked to people by their names, and the
pet form's breed moved to the animal's record without losing either."""

from __future__ import annotations

import json

from homestudy.model import (
    Animal,
    Applicant,
    Case,
    CheckKind,
    ChecklistAnswer,
    HouseholdMember,
    HouseholdMemberKind,
    Stage1Summary,
    StatutoryCheck,
)
from homestudy.vault import Vault
from homestudy.vault.migrations import m0003_checks_per_person as m0003


def _old_case() -> Case:
    hannah, daniel = Applicant("Hannah", "Whitfield"), Applicant("Daniel", "Mensah")
    lodger = HouseholdMember("Sam Lee", HouseholdMemberKind.LODGER)
    twin = HouseholdMember("Daniel Mensah Junior", HouseholdMemberKind.OTHER_ADULT)
    subjects = [
        "Hannah Whitfield",
        "  hannah   WHITFIELD ",
        "Mr D. Mensah",
        "Mensah",
        "Sam",
        "Sam Lee (lodger)",
        "Nobody Known",
        "Hannah",
    ]
    case = Case(reference="HS-OLD-1", applicants=[hannah, daniel], household=[lodger, twin])
    case.stage1 = Stage1Summary(checks=[StatutoryCheck(CheckKind.DBS, s) for s in subjects])
    case.animals = [
        Animal("Rex", "dog", breed=""),
        Animal("Bo", "dog", breed="Labrador"),
        Animal("Mo", "dog", breed="Collie"),
    ]
    for animal, breed in zip(case.animals, ("Staffy", "labrador", "XL Bully"), strict=True):
        case.checklist_answers.append(
            ChecklistAnswer("pet_assessment", 1, "breed", breed, subject_id=animal.id)
        )
    return case


def _as_before_step_3(vault: Vault, case: Case) -> None:
    """Store the case, then take the person ids out as an older version stored it."""
    vault.cases.save_case(case)
    with vault.transaction() as conn:
        (raw,) = conn.execute("SELECT data FROM cases WHERE id = ?", (case.id,)).fetchone()
        data = json.loads(raw)
        for check in data["stage1"]["checks"]:
            del check["person_id"]
        conn.execute("UPDATE cases SET data = ? WHERE id = ?", (json.dumps(data), case.id))


def test_checks_are_linked_to_the_people_they_name(vault: Vault) -> None:
    case = _old_case()
    _as_before_step_3(vault, case)
    with vault.transaction() as conn:
        m0003.migrate(conn)
    stored = vault.cases.load_case(case.id)
    hannah, _daniel = stored.applicants
    lodger, _twin = stored.household
    linked = [c.person_id for c in stored.stage1.checks]
    assert linked == [
        hannah.id,  # exact
        hannah.id,  # case and spacing do not matter
        "",  # "D." is not a word of either Daniel's name: left for the assessor
        "",  # "Mensah" fits Daniel and Daniel Mensah Junior: ambiguous, left unlinked
        lodger.id,  # the only Sam
        "",  # "(lodger)" is not part of the name
        "",  # nobody of that name
        hannah.id,  # a first name alone, when only one person has it
    ]
    assert stored.stage1.checks[0].subject == "Hannah Whitfield"  # kept


def test_the_breed_moves_to_the_record_and_nothing_is_lost(vault: Vault) -> None:
    case = _old_case()
    _as_before_step_3(vault, case)
    with vault.transaction() as conn:
        m0003.migrate(conn)
        m0003.migrate(conn)  # running it again changes nothing more
    stored = vault.cases.load_case(case.id)
    assert [a.breed for a in stored.animals] == ["Staffy", "Labrador", "Collie / XL Bully"]
    # the form answers are still stored, as they were
    breeds = sorted(a.value for a in stored.checklist_answers if a.question_id == "breed")
    assert breeds == ["Staffy", "XL Bully", "labrador"]


def test_link_subject_needs_a_single_person() -> None:
    people = [("a", "Ann Lee"), ("b", "Ann Lee")]
    assert m0003.link_subject("Ann Lee", people) == ""
    assert m0003.link_subject("", people) == ""
    assert m0003.link_subject("Dr Ann Lee", [("a", "Ann Lee")]) == "a"
