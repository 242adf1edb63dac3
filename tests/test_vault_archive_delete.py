"""Archiving a finished case, and deleting a case for good (issue 12)."""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from homestudy.cli import main
from homestudy.demo import build_demo_case
from homestudy.errors import NotFoundError
from homestudy.model import Case, ParSectionDraft
from homestudy.report import export_par
from homestudy.vault import CaseRepository, Vault, migrations, store
from tests.conftest import TEST_PASSPHRASE
from tests.test_vault_migrations import STORED, STORED_PASSPHRASE

CHILD_TABLES = (
    "visits",
    "case_references",
    "animals",
    "checklist_answers",
    "par_sections",
    "attachments",
    "search_docs",
)


def _second_case() -> Case:
    return build_demo_case(seed="second", reference="HS-2026-0999")


# ------------------------------------------------------------------ archive


def test_archive_takes_a_case_out_of_the_list_but_keeps_it(
    demo_vault: Vault, demo_case: Case, tmp_path: Path
) -> None:
    other = _second_case()
    demo_vault.cases.save_case(other)
    archived = demo_vault.cases.archive_case(demo_case.id, "  Approved\tat\x00 panel\x1b[0m\n")
    assert archived.archived_at is not None and archived.archive_reason == "Approved at panel [0m"
    assert [s.reference for s in demo_vault.cases.list_cases()] == [other.reference]
    (summary,) = demo_vault.cases.list_cases(archived=True)
    assert summary.id == demo_case.id and summary.archive_reason == "Approved at panel [0m"
    assert summary.archived_at == archived.archived_at
    assert len(demo_vault.cases.list_cases(archived=None)) == 2
    # still searchable, findable and exportable
    assert {h.case_id for h in demo_vault.cases.search("sertraline")} >= {demo_case.id}
    assert demo_vault.cases.find_by_reference(demo_case.reference).archived_at is not None
    out = export_par(
        demo_vault.cases.load_case(demo_case.id), "docx", "panel", tmp_path / "par.docx"
    )
    assert out.stat().st_size > 10_000
    entry = demo_vault.audit.entries(demo_case.id)[-1]
    assert entry.action == "update" and set(entry.fields) == {"archive_reason", "archived_at"}


def test_unarchive_brings_it_back(demo_vault: Vault, demo_case: Case) -> None:
    demo_vault.cases.archive_case(demo_case.id)
    demo_vault.cases.unarchive_case(demo_case.id)
    (summary,) = demo_vault.cases.list_cases()
    assert summary.archived_at is None and summary.archive_reason == ""
    assert demo_vault.cases.list_cases(archived=True) == []


def test_archive_survives_reopening(demo_vault: Vault, demo_case: Case) -> None:
    demo_vault.cases.archive_case(demo_case.id, "Withdrawn")
    folder = demo_vault.folder
    demo_vault.close()
    vault = Vault.open(folder, TEST_PASSPHRASE)
    try:
        assert vault.cases.list_cases() == []
        assert vault.cases.list_cases(archived=True)[0].archive_reason == "Withdrawn"
    finally:
        vault.close()


def test_a_case_archived_by_setting_the_field_and_saving_leaves_the_list(
    demo_vault: Vault, demo_case: Case
) -> None:
    """How the agency-closure code archives: set the model fields, save_case."""
    from homestudy.model import utc_now

    case = demo_vault.cases.load_case(demo_case.id)
    case.archived_at, case.archive_reason = utc_now(), "Closed by the agency"
    demo_vault.cases.save_case(case)
    assert demo_vault.cases.list_cases() == []


def test_upgrade_carries_over_a_case_archived_in_its_json_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "v2"
    shutil.copytree(STORED / "v2", folder)
    with monkeypatch.context() as m:  # as a version-2 HomeStudy that knew the field
        m.setattr(migrations, "STEPS", migrations.STEPS[:2])
        m.setattr(migrations, "LATEST", 2)
        vault = Vault.open(folder, STORED_PASSPHRASE, check_integrity=False)
        with vault.transaction() as conn:
            conn.execute(
                "UPDATE cases SET data = json_set(data, '$.archived_at',"
                " '2026-11-20T10:00:00+00:00', '$.archive_reason', 'Approved')"
            )
        vault.close()
    vault = Vault.open(folder, STORED_PASSPHRASE)
    try:
        assert vault.cases.list_cases() == []
        (summary,) = vault.cases.list_cases(archived=True)
        assert summary.archive_reason == "Approved"
        assert summary.archived_at is not None and summary.archived_at.day == 20
    finally:
        vault.close()


# ------------------------------------------------------------------ delete


def _rows_for(vault: Vault, case_id: str) -> dict[str, int]:
    with vault.reading() as conn:
        counts = {
            t: conn.execute(f"SELECT count(*) FROM {t} WHERE case_id = ?", (case_id,)).fetchone()[0]
            for t in CHILD_TABLES
        }
        counts["cases"] = conn.execute(
            "SELECT count(*) FROM cases WHERE id = ?", (case_id,)
        ).fetchone()[0]
    return counts


def test_delete_removes_everything_and_is_audited(
    demo_vault: Vault, demo_case: Case, tmp_path: Path
) -> None:
    other = _second_case()
    demo_vault.cases.save_case(other)
    demo_vault.cases.add_attachment(demo_case.id, "a.txt", "text/plain", b"attached")
    demo_vault.cases.save_par_section(demo_case.id, ParSectionDraft("matching", "Zephyrine"))
    before = demo_vault.backup(tmp_path / "before.hsbackup")
    assert all(n > 0 for n in _rows_for(demo_vault, demo_case.id).values())

    assert demo_vault.cases.delete_case(demo_case.id) is True
    assert set(_rows_for(demo_vault, demo_case.id).values()) == {0}
    assert demo_vault.cases.search("Zephyrine") == []
    assert {h.case_id for h in demo_vault.cases.search("sertraline")} == {other.id}
    with pytest.raises(NotFoundError):
        demo_vault.cases.load_case(demo_case.id)
    entry = demo_vault.audit.entries(demo_case.id)[-1]
    assert (entry.action, entry.record_kind, entry.record_id) == ("delete", "case", demo_case.id)
    demo_vault.audit.verify()
    assert demo_vault.check_integrity() == []

    after = demo_vault.backup(tmp_path / "after.hsbackup")
    restored = Vault.restore(after, tmp_path / "from-after", TEST_PASSPHRASE)
    try:
        assert [s.id for s in restored.cases.list_cases(archived=None)] == [other.id]
        assert restored.cases.search("Zephyrine") == []
    finally:
        restored.close()
    old = Vault.restore(before, tmp_path / "from-before", TEST_PASSPHRASE)
    try:  # a backup made before the deletion still holds it, as the dialog says
        assert old.cases.load_case(demo_case.id).reference == demo_case.reference
    finally:
        old.close()


def test_delete_shrinks_the_file_and_empties_the_wal(demo_vault: Vault, demo_case: Case) -> None:
    for i in range(5):
        case = build_demo_case(seed=f"s{i}", reference=f"HS-2026-10{i}")
        demo_vault.cases.save_case(case)
        demo_vault.cases.add_attachment(
            case.id, "scan.bin", "application/octet-stream", bytes(range(256)) * 400
        )
    db = demo_vault.folder / "vault.db"
    with demo_vault.reading() as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = db.stat().st_size
    for summary in demo_vault.cases.list_cases():
        if summary.reference.startswith("HS-2026-10"):
            demo_vault.cases.delete_case(summary.id)
    assert db.stat().st_size < size * 0.6
    wal = Path(f"{db}-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    with demo_vault.reading() as conn:
        assert conn.execute("PRAGMA freelist_count").fetchone()[0] == 0


def test_delete_drops_the_copy_kept_before_an_upgrade(tmp_path: Path) -> None:
    folder = tmp_path / "v1"
    shutil.copytree(STORED / "v1", folder)
    vault = Vault.open(folder, STORED_PASSPHRASE)
    try:
        copies = list(folder.glob("vault.db.before-v*"))
        assert copies  # made by the upgrade, and it holds the case
        (summary,) = vault.cases.list_cases()
        vault.cases.delete_case(summary.id)
        assert list(folder.glob("vault.db.before-v*")) == []
    finally:
        vault.close()


class _PlainVault:
    """The repository over plain sqlite3 with the vault's schema and PRAGMAs, so the raw
    file can be searched for what a deletion leaves (SQLCipher's pages are the same
    pages, encrypted)."""

    actor = "test"

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        for name, value, _ in store._SAFETY:
            self.conn.execute(f"PRAGMA {name} = {value}")
        store.migrate(self.conn)
        self.folder = path.parent

    @contextlib.contextmanager
    def reading(self) -> Iterator[Any]:
        yield self.conn

    @contextlib.contextmanager
    def writing(self, case_id: str | None) -> Iterator[Any]:
        with store.transaction(self.conn) as conn:
            yield conn

    def reclaim(self) -> bool:
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.conn.execute("VACUUM")
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return True


def _remnants(folder: Path, words: list[str]) -> list[str]:
    raw = b"".join(p.read_bytes() for p in folder.iterdir() if p.is_file())
    return [w for w in words if w.encode() in raw or w.lower().encode() in raw]


@pytest.mark.parametrize("reclaim", [True, False])
def test_no_page_of_a_deleted_case_lingers(tmp_path: Path, reclaim: bool) -> None:
    words = [f"Quokkanote{i}" for i in range(6)]
    repo_store = _PlainVault(tmp_path / "plain.db")
    cases = CaseRepository(repo_store)
    keep, gone = _second_case(), build_demo_case()
    gone.visits[0].notes = f"{words[0]} at the first visit."
    gone.references[0].notes = f"The referee said {words[1]}."
    gone.par_sections["health"].text = f"Health: {words[2]}.\n\nMore: {words[3]}."
    gone.stage1.medical_adviser_summary = words[4]
    cases.save_case(keep)
    cases.save_case(gone)
    cases.add_attachment(gone.id, "x.txt", "text/plain", words[5].encode() * 10)
    for n in range(20):  # autosave's versions of a section
        cases.save_par_section(gone.id, ParSectionDraft("matching", f"{words[2]} draft {n}"))
    repo_store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert _remnants(tmp_path, words) == words  # they are there to be found
    if not reclaim:  # the control: a bare delete leaves the index's words behind
        monkey = pytest.MonkeyPatch()
        monkey.setattr("homestudy.vault.search.merge", lambda conn: None)
        monkey.setattr(repo_store, "reclaim", lambda: True)
        try:
            cases.delete_case(gone.id)
        finally:
            monkey.undo()
        repo_store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        assert _remnants(tmp_path, words)
    else:
        cases.delete_case(gone.id)
        assert _remnants(tmp_path, words) == []
        assert cases.load_case(keep.id).reference == keep.reference
    repo_store.conn.close()


# ------------------------------------------------------------------ CLI


@pytest.fixture
def cli_vault(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HOMESTUDY_PASSPHRASE", TEST_PASSPHRASE)
    monkeypatch.setenv("HOMESTUDY_SETTINGS", str(tmp_path / "settings.json"))
    from tests.conftest import TEST_KDF

    vault = Vault.create(tmp_path / "vault", TEST_PASSPHRASE, kdf=TEST_KDF)
    vault.cases.save_case(build_demo_case())
    vault.cases.save_case(_second_case())
    vault.close()
    return tmp_path / "vault"


def test_cli_archive_unarchive(cli_vault: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ref = build_demo_case().reference
    assert main(["--vault", str(cli_vault), "archive", ref, "--reason", "Approved"]) == 0
    assert "Archived" in capsys.readouterr().out
    main(["--vault", str(cli_vault), "cases"])
    assert ref not in capsys.readouterr().out
    main(["--vault", str(cli_vault), "cases", "--archived"])
    assert ref in capsys.readouterr().out
    main(["--vault", str(cli_vault), "cases", "--all", "--json"])
    assert '"archive_reason": "Approved"' in capsys.readouterr().out
    assert main(["--vault", str(cli_vault), "unarchive", ref]) == 0
    capsys.readouterr()
    main(["--vault", str(cli_vault), "cases"])
    assert ref in capsys.readouterr().out


def test_cli_delete_needs_the_reference_typed(
    cli_vault: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ref = build_demo_case().reference
    assert main(["--vault", str(cli_vault), "delete", ref, "--confirm", "HS-2026-0000"]) == 1
    assert "does not match" in capsys.readouterr().err
    monkeypatch.setattr("builtins.input", lambda prompt="": (_ for _ in ()).throw(EOFError))
    assert main(["--vault", str(cli_vault), "delete", ref]) == 1
    assert "--confirm" in capsys.readouterr().err
    monkeypatch.setattr("builtins.input", lambda prompt="": ref)
    assert main(["--vault", str(cli_vault), "delete", ref]) == 0
    assert f"Deleted {ref}" in capsys.readouterr().out
    main(["--vault", str(cli_vault), "cases", "--all"])
    assert ref not in capsys.readouterr().out
    assert main(["--vault", str(cli_vault), "delete", ref, "--confirm", ref]) == 1
    assert "no case with the reference" in capsys.readouterr().err
