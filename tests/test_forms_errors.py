"""Each kind of malformed definition gives its own clear error: file, line and key.

Table-driven over the small broken files in tests/data/forms/broken/. Each is
loaded together with the real forms/ (so cross-file references are checked too);
a file whose id is one of the standard forms replaces that form.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from homestudy.errors import FormDefinitionError
from homestudy.forms import build_library
from homestudy.forms.library import _yaml_files

ROOT = Path(__file__).resolve().parents[1]
BROKEN = ROOT / "tests" / "data" / "forms" / "broken"

# fixture file, replaces (a forms/ file or None), message fragment, line, key
CASES = [
    ("not_yaml.yaml", None, "not valid YAML", 7, None),
    ("empty.yaml", None, "the file is empty", 1, None),
    ("unknown_key.yaml", None, "unknown key 'lable'", 11, "groups[0].questions[0].lable"),
    ("duplicate_key.yaml", None, "duplicate key 'title'", 5, "title"),
    ("duplicate_question.yaml", None, "duplicate question id 'knives'", 15, "groups"),
    ("duplicate_group.yaml", None, "duplicate group id 'kitchen'", 10, "groups"),
    (
        "bad_bool.yaml",
        None,
        "'required' must be true or false",
        12,
        "groups[0].questions[0].required",
    ),
    ("bad_version.yaml", None, "'version' must be a whole number", 3, "version"),
    (
        "unknown_question_type.yaml",
        None,
        "unknown question type 'essay'",
        10,
        "groups[0].questions[0].type",
    ),
    ("missing_label.yaml", None, "missing required key 'label'", 9, "groups[0].questions[0].label"),
    (
        "choice_without_choices.yaml",
        None,
        "missing required key 'choices'",
        9,
        "groups[0].questions[0].choices",
    ),
    (
        "choices_not_a_list.yaml",
        None,
        "'choices' must be a list",
        12,
        "groups[0].questions[0].choices",
    ),
    (
        "table_in_table.yaml",
        None,
        "a table column cannot itself be a table",
        15,
        "groups[0].questions[0].columns[1].type",
    ),
    (
        "show_when_dangling.yaml",
        None,
        "depends on question 'specie'",
        12,
        "groups.dog.show_when.question",
    ),
    (
        "list_dangling.yaml",
        None,
        "names the list 'banned_breed'",
        11,
        "groups.animal.breed.not_in_list",
    ),
    (
        "renamed_to_nothing.yaml",
        None,
        "renamed to 'smoke_alarms_tested', which is not in the form",
        6,
        "history[0].renamed.smoke_alarm",
    ),
    (
        "removed_still_there.yaml",
        None,
        "'smoke_alarms' was removed but the form still has it",
        6,
        "history[0].removed.smoke_alarms",
    ),
    (
        "bad_action_when.yaml",
        None,
        "'maybe' is not one of yes, no, not_applicable",
        12,
        "groups[0].questions[0].action_when",
    ),
    ("unknown_kind.yaml", None, "unknown kind 'questionnaire'", 2, "kind"),
    ("bad_id.yaml", None, "'Smoke Alarms' is not a valid id", 9, "groups[0].questions[0].id"),
    ("second_health_safety.yaml", None, "form id 'health_safety' is already defined", 1, "id"),
    (
        "visit_plan_dangling_topic.yaml",
        "visit_plan.yaml",
        "names topic 'gardening'",
        10,
        "visits[0].topics",
    ),
    (
        "guides_unknown_kind.yaml",
        "reference_interview.yaml",
        "names the kind of referee 'neighbour', which does not exist",
        6,
        "guides[0].id",
    ),
    (
        "guides_missing_kinds.yaml",
        "reference_interview.yaml",
        "no interview guide for the kind(s) of referee: adult_child",
        None,
        "guides",
    ),
]

# edits to a copy of a real file: file, old text, new text, message, key
PATCHES = [
    (
        "visit_plan.yaml",
        "par_sections: [motivation, pen_picture]",
        "par_sections: [motivation, pen_picture, hobbies]",
        "names the PAR section 'hobbies', which does not exist",
        "topics[9].par_sections[2]",
    ),
    (
        "visit_plan.yaml",
        "forms: [pet_assessment]",
        "forms: [pet_assesment]",
        "names the form 'pet_assesment', which does not exist",
        "topics[19].forms[0]",
    ),
    (
        "par_england.yaml",
        "topics: [loss_infertility, motivation]",
        "topics: [loss_infertility, motivation, astrology]",
        "names the visit topic 'astrology', which does not exist",
        "sections[11].feeds_from.topics[2]",
    ),
    (
        "par_england.yaml",
        "reference_kinds: [ex_partner, personal]",
        "reference_kinds: [ex_partner, personal, neighbour]",
        "names the kind of referee 'neighbour', which does not exist",
        "sections[6].feeds_from.reference_kinds[2]",
    ),
    # the front sheet, parts and pictures (issue 11)
    (
        "par_england.yaml",
        "field: recommendation/recommended_outcome,",
        "field: recommendation/outcome,",
        "field 'recommendation/outcome' is not a field of a PAR section",
        "front_sheet.items[2].field",
    ),
    (
        "par_england.yaml",
        "{source: agency, label: Agency}",
        "{source: agency_logo, label: Agency}",
        "source 'agency_logo' is not one of",
        "front_sheet.items[6].source",
    ),
    (
        "par_england.yaml",
        '{id: part2, number: "2"',
        '{id: part3, number: "2"',
        "id 'part3' is not one of",
        "parts[1].id",
    ),
    (
        "par_england.yaml",
        "image: ecomap",
        "image: genogram",
        "image 'genogram' is not one of photograph, family_tree, ecomap",
        "sections[8].image",
    ),
]


def _library_with(tmp_path: Path, name: str, text: str, replaces: str | None) -> None:
    folder = tmp_path / "forms"
    shutil.copytree(ROOT / "homestudy" / "data" / "forms", folder)
    if replaces:
        (folder / replaces).unlink()
    (folder / name).write_text(text, encoding="utf-8")
    build_library(_yaml_files(folder))


@pytest.mark.parametrize(
    ("name", "replaces", "message", "line", "key"), CASES, ids=[c[0] for c in CASES]
)
def test_broken_definition_gives_a_clear_error(
    tmp_path: Path, name: str, replaces: str | None, message: str, line: int | None, key: str | None
) -> None:
    text = (BROKEN / name).read_text(encoding="utf-8")
    with pytest.raises(FormDefinitionError) as caught:
        _library_with(tmp_path, name, text, replaces)
    err = caught.value
    assert message in err.message
    assert err.file == name
    assert err.line == line
    assert err.key == key
    # the text shown to a person names all three
    assert str(err).startswith(f"{name}:{line}: " if line else f"{name}: ")


def test_every_broken_fixture_is_in_the_table() -> None:
    assert {p.name for p in BROKEN.glob("*.yaml")} == {c[0] for c in CASES}


@pytest.mark.parametrize(
    ("file", "old", "new", "message", "key"), PATCHES, ids=[p[3].split("'")[1] for p in PATCHES]
)
def test_dangling_cross_reference_names_file_line_and_key(
    tmp_path: Path, file: str, old: str, new: str, message: str, key: str
) -> None:
    original = (ROOT / "homestudy" / "data" / "forms" / file).read_text(encoding="utf-8")
    assert original.count(old) == 1
    text = original.replace(old, new)
    with pytest.raises(FormDefinitionError) as caught:
        _library_with(tmp_path, file, text, file)
    err = caught.value
    assert message in err.message
    assert (err.file, err.key) == (file, key)
    expected_line = original[: original.index(old)].count("\n") + 1
    assert err.line == expected_line


def test_a_missing_standard_form_is_named(tmp_path: Path) -> None:
    folder = tmp_path / "forms"
    shutil.copytree(ROOT / "homestudy" / "data" / "forms", folder)
    (folder / "visit_plan.yaml").unlink()
    with pytest.raises(FormDefinitionError, match="no file defines the form 'visit_plan'"):
        build_library(_yaml_files(folder))
