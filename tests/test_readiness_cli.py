"""``homestudy readiness REF [--json]`` against a real vault."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import TEST_PASSPHRASE
from readiness_helpers import TODAY, ready_case

from homestudy.cli import main
from homestudy.forms import load_library
from homestudy.vault import Vault


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("HOMESTUDY_PASSPHRASE", TEST_PASSPHRASE)
    monkeypatch.setenv("HOMESTUDY_SETTINGS", str(tmp_path / "settings.json"))
    monkeypatch.setenv("HOMESTUDY_CENTRAL_SETTINGS", str(tmp_path / "central.json"))
    return tmp_path / "vault"


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
    assert data["counts"]["blocker"] == sum(
        1 for f in data["findings"] if f["severity"] == "blocker"
    ) > 0
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
        [sys.executable, "-m", "homestudy.cli", "--vault", str(cli_env), "readiness", ref,
         "--json"],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=60,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert json.loads(result.stdout)["ready"] is False
