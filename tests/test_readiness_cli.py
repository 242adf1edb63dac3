"""``homestudy readiness REF [--json]`` against a real vault."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from conftest import TEST_PASSPHRASE
from readiness_helpers import TODAY, add_agency_profile, ready_case

from homestudy.cli import main
from homestudy.forms import load_library
from homestudy.model import CheckOutcome, HouseholdMember, HouseholdMemberKind
from homestudy.vault import Vault


def test_demo_case_is_not_ready(
    demo_vault: Vault, cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ref = demo_vault.cases.list_cases()[0].reference
    demo_vault.close()
    assert main(["readiness", ref, "--vault", str(cli_env)]) == 1
    out = capsys.readouterr().out
    assert "Not ready for panel" in out
    assert "Blockers" in out and "Visits done: 5 of the at least 6 needed." in out
    assert "Next deadlines" in out


def test_json_is_parseable(
    demo_vault: Vault, cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ref = demo_vault.cases.list_cases()[0].reference
    demo_vault.close()
    assert main(["--vault", str(cli_env), "readiness", ref, "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["reference"] == ref and data["ready"] is False
    assert (
        data["counts"]["blocker"]
        == sum(1 for f in data["findings"] if f["severity"] == "blocker")
        > 0
    )
    assert {"severity", "code", "message", "area", "target"} <= set(data["findings"][0])
    assert data["stage2_day"]["day"] >= 1 and data["stage2_day"]["of"] >= 120
    assert any(d["id"] == "par_to_applicants" for d in data["deadlines"])


def test_ready_case_exits_zero(
    vault: Vault, cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = ready_case(load_library())
    vault.cases.save_case(case)
    vault.close()
    args = ["--vault", str(cli_env), "readiness", case.reference, "--today", TODAY.isoformat()]
    assert main([*args, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["ready"] is True and data["findings"] == []
    assert main(args) == 0
    assert "Ready for panel: 0 blockers, 0 warnings, 0 notes." in capsys.readouterr().out
    # Past the date the applicants' copy should have gone out, unshared: blocked.
    reopened = Vault.open(cli_env, TEST_PASSPHRASE)
    try:
        case.applicant_copy_shared_on = None
        reopened.cases.save_case(case)
    finally:
        reopened.close()
    assert main([*args[:-1], "2026-12-07", "--json"]) == 1
    codes = [f["code"] for f in json.loads(capsys.readouterr().out)["findings"]]
    assert codes == ["applicant_copy_too_late"]


def test_unknown_reference(
    demo_vault: Vault, cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    demo_vault.close()
    assert main(["--vault", str(cli_env), "readiness", "HS-NO-SUCH"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.strip()


def test_the_installed_command(demo_vault: Vault, cli_env: Path) -> None:
    """The real entry point, in its own process: exit status and JSON on stdout."""
    ref = demo_vault.cases.list_cases()[0].reference
    demo_vault.close()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "homestudy.cli",
            "--vault",
            str(cli_env),
            "readiness",
            ref,
            "--json",
        ],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=60,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert json.loads(result.stdout)["ready"] is False


def test_json_lists_per_person_the_checks_missing_or_pending(
    vault: Vault, cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = ready_case(load_library())
    a1, a2 = case.applicants
    dbs = next(c for c in case.stage1.checks if c.person_id == a2.id and c.kind.value == "dbs")
    dbs.outcome = CheckOutcome.PENDING
    case.stage1.checks = [
        c
        for c in case.stage1.checks
        if not (c.person_id == a1.id and c.kind.value == "local_authority")
    ]
    lodger = HouseholdMember("Lodger Name", HouseholdMemberKind.LODGER, area_since=date(2020, 1, 1))
    case.household.append(lodger)
    vault.cases.save_case(case)
    vault.close()
    args = ["--vault", str(cli_env), "readiness", case.reference, "--today", TODAY.isoformat()]
    assert main([*args, "--json"]) == 1
    people = {p["person_id"]: p for p in json.loads(capsys.readouterr().out)["people"]}
    assert set(people) == {a1.id, a2.id, lodger.id}
    assert people[a1.id]["label"] == "Applicant 1" and people[a1.id]["role"] == "applicant"
    assert [(c["kind"], c["status"]) for c in people[a1.id]["outstanding"]] == [
        ("local_authority", "missing")
    ]
    assert [c["kind"] for c in people[a1.id]["done"]] == ["dbs"]
    assert people[a2.id]["outstanding"] == [
        {
            "kind": "dbs",
            "status": "pending",
            "why": "are an applicant",
            "place_index": None,
            "check_id": dbs.id,
        }
    ]
    assert people[lodger.id]["role"] == "household_adult"
    assert people[lodger.id]["label"] == "Household member 2 (a lodger)"
    assert {c["kind"] for c in people[lodger.id]["outstanding"]} == {"dbs", "local_authority"}
    assert "Lodger Name" not in json.dumps(list(people.values()))  # labels, never names
    assert main(args) == 1
    text = capsys.readouterr().out
    assert "Statutory checks outstanding" in text
    assert "  - Applicant 2: enhanced DBS check (pending)" in text


def test_the_case_follows_its_agency_rules_file(
    vault: Vault,
    cli_env: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from homestudy.model import AgencyProfile

    root = cli_env.parent / "overrides"
    (root / "strict").mkdir(parents=True)
    rules = root / "strict" / "rules.yaml"
    rules.write_text("version: 1\nmin_visits: 7\n", encoding="utf-8")
    monkeypatch.setenv("HOMESTUDY_FORM_OVERRIDES", str(root))
    profile = AgencyProfile(name="Strict", agency_id="STRICT", form_overrides="strict")
    add_agency_profile(vault, profile)
    case = ready_case(load_library())
    case.agency_profile_id = profile.id
    vault.cases.save_case(case)
    vault.close()
    args = [
        "--vault",
        str(cli_env),
        "readiness",
        case.reference,
        "--today",
        TODAY.isoformat(),
        "--json",
    ]
    assert main(args) == 1
    found = json.loads(capsys.readouterr().out)["findings"]
    assert [f["code"] for f in found] == ["visits_too_few"]
    assert "of the at least 7 needed" in found[0]["message"]
    # A broken rules file is a clear message naming the line, and exit status 2.
    rules.write_text("version: 1\nmin_visits: lots\n", encoding="utf-8")
    assert main(args) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"{rules}:2: [min_visits] 'min_visits' must be a whole number" in captured.err
    assert "Traceback" not in captured.err
