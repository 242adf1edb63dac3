"""Agency overrides add questions, groups, sections, visits and lists without code;
a contractor's agencies each get their own folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from homestudy.errors import FormDefinitionError
from homestudy.forms import agency_overrides_dir, banned_breeds, is_banned_breed, load_library
from homestudy.model import AgencyProfile

ROOT = Path(__file__).resolve().parents[1]
OVERRIDES = ROOT / "tests" / "data" / "forms" / "overrides"


def test_acme_adds_questions_groups_sections_visits_and_a_form() -> None:
    lib = load_library(OVERRIDES / "acme")
    hs = lib.get("health_safety")
    kitchen = [q.id for q in hs.group("kitchen").questions]
    assert kitchen[kitchen.index("knives") + 1] == "acme_magnets"
    groups = [g.id for g in hs.groups]
    assert groups[groups.index("kitchen") + 1] == "acme_utility"
    assert hs.version == load_library().get("health_safety").version

    sections = list(lib.par.section_ids)
    assert sections[sections.index("support_network") + 1] == "acme_faith_community"
    assert lib.par.section("acme_faith_community").feeds_from_topics == ("support_network",)
    assert "acme_sibling_group" in [f.id for f in lib.par.section("matching").fields]
    assert lib.get("par_england").has_question("acme_sibling_group")

    visits = [v.id for v in lib.visit_plan.visits]
    assert visits[visits.index("v4_joint_relationship") + 1] == "v4b_midway_review"
    assert lib.get("acme_foster_household").question("current_placements").max_value == 6


def test_overrides_do_not_leak_into_the_standard_forms_or_other_agencies() -> None:
    standard = load_library()
    acme = load_library(OVERRIDES / "acme")
    bravo = load_library(OVERRIDES / "bravo")
    assert not standard.get("health_safety").has_question("acme_magnets")
    assert not bravo.get("health_safety").has_question("acme_magnets")
    assert "acme_foster_household" not in standard.forms
    assert is_banned_breed("Presa Canario", banned_breeds(bravo))
    assert not is_banned_breed("Presa Canario", banned_breeds(acme))
    assert not is_banned_breed("Presa Canario", banned_breeds(standard))


def test_agency_profile_names_its_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOMESTUDY_FORM_OVERRIDES", str(tmp_path))
    profile = AgencyProfile(name="Acme Adoption", agency_id="ACME", form_overrides="acme")
    assert agency_overrides_dir(profile.form_overrides) == tmp_path / "acme"
    assert agency_overrides_dir("") is None
    assert agency_overrides_dir(str(OVERRIDES / "bravo")) == OVERRIDES / "bravo"


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        (
            "id: x\nkind: override\nversion: 1\ntitle: X\nextends: nothing_here\n",
            "extends 'nothing_here', which is not a form",
            5,
        ),
        (
            "id: x\nkind: override\nversion: 1\ntitle: X\nextends: health_safety\nadd_questions:\n"
            "  - group: cellar\n    questions:\n      - {id: a, type: text, label: A}\n",
            "names the group 'cellar'",
            7,
        ),
        (
            "id: x\nkind: override\nversion: 1\ntitle: X\nextends: health_safety\nadd_questions:\n"
            "  - group: kitchen\n    questions:\n      - {id: knives, type: text, label: Again}\n",
            "duplicate question id 'knives'",
            9,
        ),
        (
            "id: x\nkind: override\nversion: 1\ntitle: X\nextends: par_england\nadd_sections:\n"
            "  - {id: extra, title: Extra, part: part1, feeds_from: {topics: [astrology]}}\n",
            "names the visit topic 'astrology'",
            7,
        ),
        (
            "id: x\nkind: override\nversion: 1\ntitle: X\nextends: visit_plan\nadd_groups: []\n",
            "'add_groups' cannot be used on the form 'visit_plan'",
            6,
        ),
        (
            "id: health_safety\nkind: form\nversion: 1\ntitle: X\ngroups:\n"
            "  - id: g\n    title: G\n"
            "    questions:\n      - {id: a, type: text, label: A}\n",
            "may add new forms, not replace 'health_safety'",
            1,
        ),
    ],
)
def test_bad_override_is_a_clear_error(tmp_path: Path, text: str, message: str, line: int) -> None:
    (tmp_path / "agency.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(FormDefinitionError) as caught:
        load_library(tmp_path)
    assert message in caught.value.message
    assert (caught.value.file, caught.value.line) == ("agency.yaml", line)
