"""Answers to version 1 of a form survive version 2, which renames one question and
removes another: the renamed answer moves, the removed one is archived, none is lost.

The stored fixtures are the v1 definition, the v2 definition and answers saved
under v1 (tests/data/forms/migration/).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from homestudy.forms import build_library, completeness, migrate_answers
from homestudy.forms.library import _yaml_files
from homestudy.model import Case, ChecklistAnswer
from homestudy.serial import from_jsonable
from homestudy.vault import Vault

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "forms" / "migration"


def _answers() -> list[ChecklistAnswer]:
    raw = json.loads((DATA / "answers_v1.json").read_text(encoding="utf-8"))
    return [from_jsonable(ChecklistAnswer, a) for a in raw]


def _library(version: int):  # type: ignore[no-untyped-def]
    shipped = _yaml_files(ROOT / "homestudy" / "data" / "forms")
    return build_library([*shipped, DATA / f"home_check_v{version}.yaml"])


def _by_question(answers: list[ChecklistAnswer]) -> dict[tuple[str, int], ChecklistAnswer]:
    return {(a.question_id, a.row): a for a in answers}


def test_v1_answers_fit_v1_unchanged() -> None:
    answers = _answers()
    assert migrate_answers(answers, _library(1)) == answers


def test_v1_answers_survive_v2_rename_and_removal() -> None:
    lib = _library(2)
    old = _answers()
    new = migrate_answers(old, lib)
    assert len(new) == len(old)
    got = _by_question(new)
    before = _by_question(old)

    moved = got[("smoke_alarms_tested", 0)]
    assert moved.form_version == 2 and not moved.archived
    assert moved.value == before[("smoke_alarm", 0)].value
    assert moved.updated_at == before[("smoke_alarm", 0)].updated_at

    archived = got[("pond", 0)]
    assert archived.archived and archived.form_version == 1
    assert archived.value == before[("pond", 0)].value
    assert lib.get("home_check").removed_label("pond") == "Pond covered"

    for key in (("stair_gate", 0), ("notes", 0), ("rooms", 0), ("rooms", 1)):
        assert got[key].form_version == 2 and got[key].value == before[key].value
    # the input was not changed in place, and migrating again changes nothing
    assert old == _answers()
    assert migrate_answers(new, lib) == new


def test_archived_answers_do_not_count_towards_completeness() -> None:
    lib = _library(2)
    form = lib.get("home_check")
    result = completeness(form, migrate_answers(_answers(), lib))
    assert result.missing_required == ("co_detector",)
    # the renamed question's open action carried over; the removed one's did not
    assert [a.question_id for a in result.open_actions] == ["smoke_alarms_tested"]
    assert result.open_actions[0].action == "Replace battery"
    assert str(result.open_actions[0].due) == "2026-10-15"


def test_a_rename_onto_a_newer_answer_archives_the_old_one() -> None:
    lib = _library(2)
    newer = ChecklistAnswer("home_check", 2, "smoke_alarms_tested", {"answer": "yes"})
    migrated = migrate_answers([*_answers(), newer], lib)
    assert len(migrated) == 7
    live = [a for a in migrated if a.question_id == "smoke_alarms_tested"]
    assert live == [newer]
    old = next(a for a in migrated if a.question_id == "smoke_alarm")
    assert old.archived and old.form_version == 1


def test_unknown_and_newer_answers_are_kept_as_they_are() -> None:
    lib = _library(2)
    stranger = ChecklistAnswer("some_other_form", 3, "q", "x")
    future = ChecklistAnswer("home_check", 9, "laser_grid", "on")
    undeclared = ChecklistAnswer("home_check", 2, "vanished", "text")
    out = migrate_answers([stranger, future, undeclared], lib)
    assert out[:2] == [stranger, future]
    assert out[2].archived and out[2].value == "text"


@pytest.mark.parametrize("version", [2])
def test_migrated_answers_round_trip_through_a_real_vault(vault: Vault, version: int) -> None:
    lib = _library(version)
    case = Case(reference="HS-TEST-MIGRATE")
    case.checklist_answers = _answers()
    vault.cases.save_case(case)
    stored = vault.cases.load_case(case.id).checklist_answers
    migrated = migrate_answers(stored, lib)
    vault.cases.save_answers(case.id, migrated)
    back = vault.cases.load_case(case.id).checklist_answers
    # the store keeps the old v1 row beside the migrated one (upsert, no delete), so
    # readers migrate on load; the old row is then recognised as a copy and dropped
    assert len(back) == len(stored) + 1  # the old smoke_alarm row
    again = migrate_answers(back, lib)
    assert len(again) == len(stored)
    assert [a.question_id for a in again if a.archived] == ["pond"]
    got = _by_question(again)
    assert got[("smoke_alarms_tested", 0)].value["action"] == "Replace battery"
    assert got[("pond", 0)].archived
    assert got[("pond", 0)].value["comment"] == "Pond in back garden, uncovered"
    assert got[("rooms", 1)].value == {"room": "Loft", "safe": "no"}


@given(
    st.lists(
        st.tuples(
            st.sampled_from(
                [
                    "smoke_alarm",
                    "smoke_alarms_tested",
                    "stair_gate",
                    "pond",
                    "notes",
                    "co_detector",
                    "gone",
                ]
            ),
            st.sampled_from([1, 2, 3]),
            st.integers(0, 2),
            st.text(max_size=5),
            st.booleans(),
        ),
        max_size=12,
        unique_by=lambda t: (t[0], t[2]),
    )
)  # the store holds one per slot
@settings(max_examples=150, deadline=None)
def test_migration_never_loses_an_answer(rows: list[tuple[str, int, int, str, bool]]) -> None:
    lib = _LIB_V2
    answers = [
        ChecklistAnswer("home_check", v, q, value, row=r, archived=arch)
        for q, v, r, value, arch in rows
    ]
    out = migrate_answers(answers, lib)
    slots = [(a.question_id, a.row) for a in out]
    assert len(slots) == len(set(slots))  # never two answers for one slot of the store
    for a in answers:
        # each answer is in the output, or an identical value sits in its new slot
        assert any(b.value == a.value for b in out), a
    assert migrate_answers(out, lib) == out


_LIB_V2 = _library(2)
