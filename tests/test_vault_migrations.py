"""Schema migrations, tested against a stored vault made by each earlier version.

To extend for a new step N+1: add ``N+1: check_fn`` to ``UPGRADE_CHECKS`` (``check_fn``
gets the upgraded, open Vault and asserts what the step added). The stored vault
``tests/data/vaults/vN/`` must exist (see its README).
"""

from __future__ import annotations

import shutil
import types
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from homestudy.demo import build_demo_case
from homestudy.errors import ReadOnlyVaultError, VaultError
from homestudy.vault import Vault, migrations

STORED = Path(__file__).parent / "data" / "vaults"
STORED_PASSPHRASE = "homestudy-test-vault"


def _check_sync_tables(vault: Vault) -> None:
    with vault.reading() as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert {"sync_profiles", "sync_outbox"} <= names


def _check_checks_per_person(vault: Vault) -> None:
    """m0003: each stored check names its person by id; the demo's are all linked."""
    (summary,) = vault.cases.list_cases()
    case = vault.cases.load_case(summary.id)
    ids = {a.full_name: a.id for a in case.applicants}
    assert case.stage1.checks
    for check in case.stage1.checks:
        assert check.person_id == ids[check.subject], check.kind
    (dog,) = case.animals
    assert dog.breed == "Labrador Retriever"  # the record and the old form agreed


def _check_people_found_by_name(vault: Vault) -> None:
    (summary,) = vault.cases.list_cases()
    case = vault.cases.load_case(summary.id)
    referee = case.references[0]
    hits = vault.cases.search(referee.referee_name)
    assert any(h.kind == "reference" and h.record_id == referee.id for h in hits)
    applicant = case.applicants[0]
    hits = vault.cases.search(applicant.full_name)
    assert any(h.kind == "applicant" and h.record_id == applicant.id for h in hits)
    member = case.household[0]
    assert any(h.record_id == member.id for h in vault.cases.search(member.name))


def _check_archive_column(vault: Vault) -> None:
    with vault.reading() as conn:
        columns = {r[1] for r in conn.execute("PRAGMA table_info(cases)")}
        assert "archived_at" in columns
        assert (
            conn.execute("SELECT count(*) FROM cases WHERE archived_at IS NOT NULL").fetchone()[0]
            == 0
        )
    assert vault.cases.list_cases(archived=True) == []
    (summary,) = vault.cases.list_cases()
    assert summary.archived_at is None


def _check_agency_cases(vault: Vault) -> None:
    """The rebuilt cases table keeps every case and its children; references are unique
    per agency; the message tables are there."""
    (summary,) = vault.cases.list_cases()
    case = vault.cases.load_case(summary.id)
    assert case.visits and case.references  # children survived the rebuild
    with vault.reading() as conn:
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        columns = {r[1] for r in conn.execute("PRAGMA table_info(cases)")}
        assert {"agency_profile_id", "archived_at"} <= columns
        for table in ("agency_messages", "agency_message_files", "review_replies"):
            conn.execute(f"SELECT count(*) FROM {table}").fetchone()
    twin = vault.cases.load_case(summary.id)
    twin.id, twin.agency_profile_id = "other-agency-case", "some-agency"
    for item in (*twin.visits, *twin.references, *twin.animals):
        item.id = item.id + "-twin"
    twin.par_sections = {}
    twin.checklist_answers = []
    twin.attachments = []
    vault.cases.save_case(twin)  # same reference, another agency: allowed
    assert len(vault.cases.list_cases()) == 2


def _check_change_set_tables(vault: Vault) -> None:
    """m0007: the base each agency holds, attachments sent, outbox states."""
    with vault.reading() as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        columns = {r[1] for r in conn.execute("PRAGMA table_info(sync_outbox)")}
    assert {"sync_case_base", "sync_blobs_sent"} <= names
    assert {"result_state", "result_sha256", "blobs"} <= columns


def _check_receipt_key_column(vault: Vault) -> None:
    """m0008: each agency profile can keep a receipt key; '' (the signing key) at first."""
    with vault.reading() as conn:
        columns = {r[1] for r in conn.execute("PRAGMA table_info(sync_profiles)")}
        assert "agency_receipt_public_key" in columns
        keys = {r[0] for r in conn.execute("SELECT agency_receipt_public_key FROM sync_profiles")}
    assert keys <= {""}


def _check_replies_sent_columns(vault: Vault) -> None:
    """m0009: outbox rows and agency bases keep the newest reply they carried ('' none)."""
    with vault.reading() as conn:
        for table in ("sync_case_base", "sync_outbox"):
            columns = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
            assert "replies_at" in columns, table
            kept = {r[0] for r in conn.execute(f"SELECT replies_at FROM {table}")}
            assert kept <= {""}, table


#: target version -> what that step must have left behind in an upgraded vault
UPGRADE_CHECKS: dict[int, Callable[[Vault], None]] = {
    2: _check_sync_tables,
    3: _check_checks_per_person,
    4: _check_people_found_by_name,
    5: _check_archive_column,
    6: _check_agency_cases,
    7: _check_change_set_tables,
    8: _check_receipt_key_column,
    9: _check_replies_sent_columns,
}


def _stored_versions() -> list[int]:
    return sorted(int(p.name[1:]) for p in STORED.glob("v[0-9]*") if p.is_dir())


def _copy(version: int, tmp_path: Path) -> Path:
    target = tmp_path / f"v{version}"
    shutil.copytree(STORED / f"v{version}", target)
    return target


def test_steps_are_numbered_in_order() -> None:
    assert [s.VERSION for s in migrations.STEPS] == list(range(1, len(migrations.STEPS) + 1))
    assert migrations.LATEST == migrations.STEPS[-1].VERSION


def test_every_step_has_a_stored_vault_from_before_it() -> None:
    stored = set(_stored_versions())
    assert 1 in stored
    for step in migrations.STEPS[1:]:
        assert step.VERSION - 1 in stored, f"keep tests/data/vaults/v{step.VERSION - 1}/"
        assert step.VERSION in UPGRADE_CHECKS, f"add UPGRADE_CHECKS[{step.VERSION}]"


@pytest.mark.parametrize("version", _stored_versions())
def test_stored_vault_upgrades_to_latest(version: int, tmp_path: Path) -> None:
    folder = _copy(version, tmp_path)
    vault = Vault.open(folder, STORED_PASSPHRASE)
    try:
        assert vault.integrity_future.result(timeout=60) == []
        with vault.reading() as conn:
            assert conn.execute("PRAGMA user_version").fetchone()[0] == migrations.LATEST
        (summary,) = vault.cases.list_cases()
        expected = build_demo_case(date(2026, 11, 1))
        case = vault.cases.load_case(summary.id)
        assert case.reference == expected.reference
        assert case.applicant_names == expected.applicant_names
        assert len(case.visits) == 8 and case.visits_done == 5
        assert case.par_sections["matching"].text == "Fixture matching text."
        (att,) = case.attachments
        assert vault.cases.read_attachment(case.id, att.id) == b"fixture attachment"
        assert vault.get_setting("fixture") == {"version": version}
        assert vault.cases.search("sertraline")
        vault.audit.verify()
        for target in range(version + 1, migrations.LATEST + 1):
            UPGRADE_CHECKS[target](vault)
        vault.cases.save_case(case)  # and it still takes writes
        if version < migrations.LATEST:  # the database as it was is kept, still encrypted
            copy = folder / f"vault.db.before-v{migrations.LATEST}"
            assert copy.read_bytes() == (STORED / f"v{version}" / "vault.db").read_bytes()
    finally:
        vault.close()


def test_stored_vault_read_only_cannot_be_upgraded(tmp_path: Path) -> None:
    folder = _copy(1, tmp_path)
    with pytest.raises(VaultError, match="upgrade"):
        Vault.open(folder, STORED_PASSPHRASE, read_only=True)


def _with_extra_step(monkeypatch: pytest.MonkeyPatch, migrate: Callable) -> None:
    step = types.SimpleNamespace(VERSION=migrations.LATEST + 1, migrate=migrate)
    monkeypatch.setattr(migrations, "STEPS", [*migrations.STEPS, step])
    monkeypatch.setattr(migrations, "LATEST", migrations.LATEST + 1)


def test_new_step_runs_once_in_its_own_transaction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []

    def migrate(conn) -> None:
        calls.append(1)
        conn.execute("CREATE TABLE extra (x)")

    folder = _copy(1, tmp_path)
    _with_extra_step(monkeypatch, migrate)
    Vault.open(folder, STORED_PASSPHRASE, check_integrity=False).close()
    vault = Vault.open(folder, STORED_PASSPHRASE, check_integrity=False)
    try:
        assert calls == [1]
        with vault.reading() as conn:
            assert conn.execute("PRAGMA user_version").fetchone()[0] == migrations.LATEST
            conn.execute("SELECT * FROM extra")
    finally:
        vault.close()


def test_failed_step_rolls_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def migrate(conn) -> None:
        conn.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("step failed")

    folder = _copy(1, tmp_path)
    before = migrations.LATEST
    _with_extra_step(monkeypatch, migrate)
    with pytest.raises(RuntimeError):
        Vault.open(folder, STORED_PASSPHRASE, check_integrity=False)
    monkeypatch.undo()
    vault = Vault.open(folder, STORED_PASSPHRASE, check_integrity=False)
    try:
        with vault.reading() as conn:
            assert conn.execute("PRAGMA user_version").fetchone()[0] == before
            names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert "half_done" not in names
        assert vault.cases.list_cases()
    finally:
        vault.close()


def test_read_only_open_of_current_vault_does_not_write(tmp_path: Path) -> None:
    folder = _copy(1, tmp_path)
    Vault.open(folder, STORED_PASSPHRASE, check_integrity=False).close()  # upgrade first
    vault = Vault.open(folder, STORED_PASSPHRASE, read_only=True)
    try:
        with pytest.raises(ReadOnlyVaultError):
            vault.set_setting("x", 1)
    finally:
        vault.close()
