"""Agency rules: every threshold is a setting. Each is tried with two agency profiles
whose rules.yaml differ, on the same case; the file is read strictly, and a case
follows the rules of the agency it belongs to."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import date, timedelta
from pathlib import Path

import pytest
from readiness_helpers import (
    TODAY,
    add_agency_profile,
    codes,
    ready_case,
    set_answer,
    set_signatories,
    signatory,
)

from homestudy.errors import FormDefinitionError
from homestudy.forms import load_library
from homestudy.model import (
    AgencyProfile,
    Case,
    CheckOutcome,
    HouseholdMember,
    HouseholdMemberKind,
    PlaceLived,
    ReferenceKind,
    VisitMode,
)
from homestudy.readiness import Severity, assess_readiness
from homestudy.readiness_settings import agency_rules, forms_for_case, parse_rules, rules_for_case
from homestudy.settings import AppSettings
from homestudy.timeline import TimelineRules
from homestudy.vault import Vault

Change = Callable[[Case], object]


def _agency(root: Path, name: str, text: str) -> Path:
    folder = root / name
    folder.mkdir()
    (folder / "rules.yaml").write_text("version: 1\n" + text, encoding="utf-8")
    return folder


def _yn(answer: str) -> dict[str, object]:
    return {"answer": answer, "comment": "", "action": "", "due": "", "done": False}


def _lodger(case: Case) -> None:
    lodger = HouseholdMember("L", HouseholdMemberKind.LODGER, area_since=date(2015, 1, 1))
    case.household.append(lodger)
    case.visits[0].who_seen.append(lodger.id)


def _child(born: date) -> Change:
    def change(case: Case) -> None:
        child = HouseholdMember(
            "C", HouseholdMemberKind.BIRTH_CHILD, date_of_birth=born, area_since=date(2015, 1, 1)
        )
        case.household.append(child)
        case.visits[4].who_seen.append(child.id)

    return change


@dataclass(frozen=True)
class Threshold:
    key: str
    strict: str  # YAML value that finds fault with the changed case
    lenient: str  # YAML value that does not
    change: Change
    code: str


THRESHOLDS = [
    Threshold("min_visits", "7", "6", lambda c: None, "visits_too_few"),
    Threshold("min_in_person_visits", "7", "6", lambda c: None, "in_person_visits_too_few"),
    Threshold(
        "home_visit_in_person",
        "true",
        "false",
        lambda c: setattr(c.visits[4], "mode", VisitMode.VIRTUAL),
        "home_visit_not_in_person",
    ),
    Threshold(
        "home_visit_topics",
        "[finances]",
        "[home_safety]",
        lambda c: None,
        "home_visit_not_in_person",
    ),
    Threshold(
        "seen_alone_in_person",
        "true",
        "false",
        lambda c: setattr(c.visits[1], "mode", VisitMode.VIRTUAL),
        "applicant_not_seen_alone_in_person",
    ),
    Threshold(
        "midway_review_required",
        "true",
        "false",
        lambda c: setattr(c.visits[3], "topics", []),
        "midway_review_missing",
    ),
    Threshold(
        "midway_review_topic",
        "review_meeting",
        "midway_review",
        lambda c: None,
        "midway_review_missing",
    ),
    Threshold(
        "household_seen",
        "true",
        "false",
        lambda c: _child(date(2018, 1, 1))(c) or c.visits[4].who_seen.pop(),
        "household_child_not_seen",
    ),
    Threshold("min_personal_referees", "4", "3", lambda c: None, "personal_referees_too_few"),
    Threshold(
        "max_relative_referees",
        "1",
        "2",
        lambda c: setattr(c.references[1], "kind", ReferenceKind.FAMILY),
        "family_referees_too_many",
    ),
    Threshold(
        "family_referee",
        "blocker",
        "off",
        lambda c: setattr(c.references[2], "kind", ReferenceKind.PERSONAL),
        "family_referee_missing",
    ),
    Threshold("long_acquaintance_years", "31", "30", lambda c: None, "long_acquaintance_missing"),
    Threshold("min_couple_referees", "3", "2", lambda c: None, "couple_referees_too_few"),
    Threshold(
        "nursery_from_age",
        "1",
        "2",
        _child(TODAY - timedelta(days=500)),
        "school_reference_missing",
    ),
    Threshold(
        "health_visitor_under_age",
        "6",
        "5",
        _child(TODAY - timedelta(days=5 * 366)),
        "health_visitor_reference_missing",
    ),
    Threshold(
        "adult_age", "16", "18", _child(TODAY - timedelta(days=17 * 366)), "statutory_check_missing"
    ),
    Threshold(
        "applicant_checks",
        "[dbs, local_authority, health]",
        "[dbs, local_authority]",
        lambda c: None,
        "statutory_check_missing",
    ),
    Threshold("household_adult_checks", "[dbs]", "[]", _lodger, "statutory_check_missing"),
    Threshold(
        "previous_area_months",
        "60",
        "12",
        lambda c: setattr(c.applicants[0], "area_since", TODAY - timedelta(days=800)),
        "statutory_check_missing",
    ),
    Threshold(
        "overseas_min_months",
        "3",
        "6",
        lambda c: setattr(
            c.applicants[1],
            "places_lived",
            [
                PlaceLived(
                    "Abroad", abroad=True, from_date=date(2020, 1, 1), to_date=date(2020, 5, 1)
                )
            ],
        ),
        "statutory_check_missing",
    ),
    Threshold(
        "manager_considers",
        "all",
        "disclosed",
        lambda c: setattr(c.stage1.checks[0], "considered_by", ""),
        "statutory_check_not_considered",
    ),
    Threshold(
        "preparation_training",
        "blocker",
        "warning",
        lambda c: setattr(c.stage1, "training_completed_on", None),
        "preparation_training_missing",
    ),
    Threshold(
        "health_safety_valid_months",
        "12",
        "36",
        lambda c: set_answer(c, "health_safety", "checked_on", "2025-06-01"),
        "health_safety_out_of_date",
    ),
    Threshold(
        "pet_assessment_valid_months",
        "12",
        "36",
        lambda c: set_answer(c, "pet_assessment", "assessed_on", "2025-06-01", c.animals[0].id),
        "pet_assessment_out_of_date",
    ),
    Threshold(
        "medical_summary_shared",
        "true",
        "false",
        lambda c: setattr(
            c.section("medical_summary"), "text", f"{c.references[0].referee_name} has asthma."
        ),
        "shared_passage_unreviewed",
    ),
    Threshold(
        "required_signatures",
        "[assessor, manager, applicant]",
        "[assessor, manager]",
        lambda c: None,
        "par_signature_missing",
    ),
    Threshold("par_to_applicants_working_days", "10", "5", lambda c: None, "applicant_copy_late"),
    Threshold("papers_to_panel_working_days", "7", "5", lambda c: None, "applicant_copy_late"),
    Threshold("stage2_months", "3", "4", lambda c: None, "panel_after_stage2"),
]

#: The rules that are numbers for the clock only (no readiness finding of their own).
CLOCK_ONLY = {
    "panel_minutes_working_days",
    "adm_decision_working_days",
    "tell_verbally_working_days",
    "tell_in_writing_working_days",
    "irm_working_days",
    "review_of_approval_months",
    "stage1_months",
    "stage1_max_months",
    "gap_to_stage2_months",
    "due_soon_working_days",
}


def test_every_readiness_threshold_is_tried() -> None:
    tried = {t.key for t in THRESHOLDS}
    assert tried | CLOCK_ONLY == {f.name for f in fields(TimelineRules)}


@pytest.mark.parametrize("t", THRESHOLDS, ids=[t.key for t in THRESHOLDS])
def test_two_agencies_that_differ(t: Threshold, tmp_path: Path) -> None:
    lib = load_library()
    strict = agency_rules(AppSettings(), _agency(tmp_path, "strict", f"{t.key}: {t.strict}\n"))
    lenient = agency_rules(AppSettings(), _agency(tmp_path, "lenient", f"{t.key}: {t.lenient}\n"))
    assert strict != lenient
    case = ready_case(lib)
    t.change(case)
    assert _weight(assess_readiness(case, lib, strict, TODAY), t.code) > _weight(
        assess_readiness(case, lib, lenient, TODAY), t.code
    )


def _weight(findings: list, code: str) -> int:
    """2 when ``code`` blocks, 1 as a warning or note, 0 when it is not found."""
    found = [f.severity for f in findings if f.code == code]
    return 2 if Severity.BLOCKER in found else 1 if found else 0


def test_the_agency_decides_if_training_blocks(tmp_path: Path) -> None:
    lib = load_library()
    case = ready_case(lib)
    case.stage1.training_completed_on = None
    warn = agency_rules(AppSettings(), _agency(tmp_path, "a", "preparation_training: warning\n"))
    (finding,) = assess_readiness(case, lib, warn, TODAY)
    assert finding.severity is Severity.WARNING
    (finding,) = assess_readiness(case, lib, TimelineRules(), TODAY)
    assert finding.severity is Severity.BLOCKER


def test_disclosed_only_still_asks_the_manager_about_a_disclosure(tmp_path: Path) -> None:
    lib = load_library()
    case = ready_case(lib)
    check = case.stage1.checks[0]
    check.outcome, check.considered_by = CheckOutcome.INFORMATION_DISCLOSED, ""
    rules = agency_rules(AppSettings(), _agency(tmp_path, "a", "manager_considers: disclosed\n"))
    assert codes(assess_readiness(case, lib, rules, TODAY)) == ["statutory_check_not_considered"]


def test_settings_then_the_agency_file(tmp_path: Path) -> None:
    settings = AppSettings(par_to_applicants_working_days=10, review_of_approval_months=6)
    assert agency_rules(settings) == TimelineRules(
        par_to_applicants_working_days=10, review_of_approval_months=6
    )
    folder = _agency(tmp_path, "a", "par_to_applicants_working_days: 7\nmin_visits: 8\n")
    rules = agency_rules(settings, folder)
    assert (
        rules.par_to_applicants_working_days,
        rules.review_of_approval_months,
        rules.min_visits,
    ) == (7, 6, 8)
    # a folder without rules.yaml (or no folder) leaves the settings as they are
    empty = tmp_path / "empty"
    empty.mkdir()
    assert agency_rules(settings, empty) == agency_rules(settings, None)


def test_a_changed_file_is_read_again(tmp_path: Path) -> None:
    folder = _agency(tmp_path, "a", "min_visits: 8\n")
    assert agency_rules(AppSettings(), folder).min_visits == 8
    (folder / "rules.yaml").write_text("version: 1\nmin_visits: 9  # more now\n", encoding="utf-8")
    assert agency_rules(AppSettings(), folder).min_visits == 9


@pytest.mark.parametrize(
    ("text", "line", "key", "words"),
    [
        ("min_vists: 3\n", 2, "min_vists", "unknown key 'min_vists'"),
        ("min_visits: six\n", 2, "min_visits", "must be a whole number"),
        ("min_visits: -1\n", 2, "min_visits", "must be at least 0"),
        ("stage2_months: 0\n", 2, "stage2_months", "must be at least 1"),
        ("home_visit_in_person: maybe\n", 2, "home_visit_in_person", "must be true or false"),
        ("family_referee: sometimes\n", 2, "family_referee", "is not one of blocker, warning, off"),
        ("applicant_checks: [dbs, horoscope]\n", 2, "applicant_checks", "not a kind of check"),
        ("required_signatures: [Team Manager]\n", 2, "required_signatures[0]", "not a valid id"),
        ("min_visits: 6\nmin_visits: 7\n", 3, "min_visits", "duplicate key"),
        ("min_visits: [6\n", 3, None, "not valid YAML"),
    ],
)
def test_rules_file_is_read_strictly(
    tmp_path: Path, text: str, line: int, key: str | None, words: str
) -> None:
    folder = _agency(tmp_path, "acme", text)
    with pytest.raises(FormDefinitionError) as caught:
        agency_rules(AppSettings(), folder)
    err = caught.value
    assert err.file == str(folder / "rules.yaml") and err.line == line and err.key == key
    assert words in err.message and str(folder / "rules.yaml") in err.message


def test_rules_file_needs_a_known_version(tmp_path: Path) -> None:
    (tmp_path / "rules.yaml").write_text("min_visits: 7\n", encoding="utf-8")
    with pytest.raises(FormDefinitionError, match="missing required key 'version'"):
        parse_rules(tmp_path / "rules.yaml")
    (tmp_path / "rules.yaml").write_text("version: 2\n", encoding="utf-8")
    with pytest.raises(FormDefinitionError, match="newer than this HomeStudy knows"):
        parse_rules(tmp_path / "rules.yaml")


def test_the_forms_loader_leaves_rules_yaml_alone(tmp_path: Path) -> None:
    folder = _agency(tmp_path, "acme", "min_visits: 8\n")
    (folder / "extra.yaml").write_text(
        "id: acme_extra\nkind: override\nversion: 1\ntitle: X\nextends: health_safety\n"
        "add_questions:\n  - group: kitchen\n    questions:\n"
        "      - {id: acme_hob_guard, type: yes_no_na, label: Hob guard fitted, required: true}\n",
        encoding="utf-8",
    )
    assert load_library(folder).get("health_safety").has_question("acme_hob_guard")


def _profile(vault: Vault, name: str, overrides: str) -> AgencyProfile:
    profile = AgencyProfile(name=name, agency_id=name.upper(), form_overrides=overrides)
    add_agency_profile(vault, profile)
    return profile


def test_each_case_follows_its_own_agency(
    vault: Vault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A commissioned assessor's two agencies on one laptop: the same case is ready for
    one and not for the other, and the second agency's own required field counts."""
    monkeypatch.setenv("HOMESTUDY_FORM_OVERRIDES", str(tmp_path))
    _agency(tmp_path, "acme", "min_visits: 6\n")
    bravo_dir = _agency(tmp_path, "bravo", "min_visits: 8\nfamily_referee: blocker\n")
    (bravo_dir / "par.yaml").write_text(
        "id: bravo_par\nkind: override\nversion: 1\ntitle: Bravo PAR\nextends: par_england\n"
        "add_fields:\n  - section: matching\n    questions:\n"
        "      - {id: bravo_sibling_view, type: narrative, label: Siblings, required: true}\n",
        encoding="utf-8",
    )
    acme, bravo = _profile(vault, "acme", "acme"), _profile(vault, "bravo", "bravo")
    lib = load_library()
    case = ready_case(lib)
    settings = AppSettings()

    case.agency_profile_id = acme.id
    rules, forms = rules_for_case(vault, case, settings), forms_for_case(vault, case)
    assert assess_readiness(case, forms, rules, TODAY) == []

    case.agency_profile_id = bravo.id
    rules, forms = rules_for_case(vault, case, settings), forms_for_case(vault, case)
    assert rules.min_visits == 8 and rules.family_referee == "blocker"
    found = assess_readiness(case, forms, rules, TODAY)
    assert sorted(codes(found)) == ["par_field_missing", "visits_too_few"]
    assert (
        next(f for f in found if f.code == "par_field_missing").fix_at.target
        == "matching/bravo_sibling_view"
    )

    case.agency_profile_id = "no-such-profile"  # not set up here: the app's own rules
    assert rules_for_case(vault, case, settings) == TimelineRules()


def test_an_applicant_signature_can_be_required(tmp_path: Path) -> None:
    lib = load_library()
    case = ready_case(lib)
    rules = agency_rules(
        AppSettings(),
        _agency(tmp_path, "a", "required_signatures: [assessor, manager, applicant]\n"),
    )
    (finding,) = assess_readiness(case, lib, rules, TODAY)
    assert "signed by the applicant" in finding.message
    set_signatories(
        case, lib, [signatory("assessor"), signatory("manager"), signatory("applicant")]
    )
    assert assess_readiness(case, lib, rules, TODAY) == []


def test_every_rule_is_in_the_readme_table() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    table = readme.split("## For agency admins", 1)[1].split("\n## ", 1)[0]
    for f in fields(TimelineRules):
        assert f"`{f.name}`" in table, f.name
