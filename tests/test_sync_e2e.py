"""End to end over 127.0.0.1 with the real inbox process: enrol, assign a case, record
work, sync, verified receipt, and the supervisor's PAR from the bundle. Once on SQLite
and once on a throwaway PostgreSQL 15 cluster."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from conftest import TEST_KDF, TEST_PASSPHRASE
from ops_helpers import agency_cli
from sync_helpers import InboxServer, enrolment_for, make_agency, sample_case

from homestudy.cli import main as homestudy_main
from homestudy.model import Visit
from homestudy.serial import to_jsonable
from homestudy.sync import outbox
from homestudy.sync.signed import SignedDocument, verify_receipt
from homestudy.vault import Vault


def run_end_to_end(
    tmp_path: Path,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    home = make_agency(tmp_path / "agency", database_url=database_url)
    server = InboxServer(home.path)
    try:
        vault_dir = tmp_path / "vault"
        Vault.create(vault_dir, TEST_PASSPHRASE, kdf=TEST_KDF).close()
        monkeypatch.setenv("HOMESTUDY_PASSPHRASE", TEST_PASSPHRASE)
        monkeypatch.setenv("HOMESTUDY_SETTINGS", str(tmp_path / "settings.json"))
        enrolment = tmp_path / "enrol.json"
        enrolment.write_bytes(enrolment_for(home, server.url).to_json())

        # 1. enrol: keys made, kept in the vault, registered with the inbox
        assert homestudy_main(["enrol", str(enrolment), "--vault", str(vault_dir)]) == 0, (
            capsys.readouterr()
        )
        vault = Vault.open(vault_dir, TEST_PASSPHRASE, check_integrity=False)
        (state,) = outbox.profiles(vault)
        assert state.registered and state.key_list_version == 1
        vault.close()

        # 2. the agency assigns a case (Stage 1 summary, lines of enquiry)
        case = sample_case("HS-2026-0142")
        (tmp_path / "case.json").write_text(json.dumps(to_jsonable(case)))
        done = agency_cli(
            home.path, "assign", "--assessor", "assessor-1", str(tmp_path / "case.json")
        )
        assert done.returncode == 0, done.stderr

        # 3. sync brings it in as a new case
        assert homestudy_main(["sync", "--vault", str(vault_dir)]) == 0, capsys.readouterr()
        vault = Vault.open(vault_dir, TEST_PASSPHRASE, check_integrity=False)
        arrived = vault.cases.find_by_reference("HS-2026-0142")
        assert arrived.lines_of_enquiry[0].text == case.lines_of_enquiry[0].text
        assert arrived.agency_profile_id == state.id

        # 4. record work: the edit marks the case for sync
        outbox.watch(vault)
        vault.cases.save_visit(
            arrived.id,
            Visit(
                sequence=1,
                title="Joint visit: the plan",
                done_date=date(2026, 11, 20),
                notes="First visit went well.",
            ),
        )
        assert [c for c, _ in outbox.dirty_cases(vault)] == [arrived.id]
        vault.close()

        # 5. sync: the bundle goes, the receipt verifies, the outbox is empty
        assert homestudy_main(["sync", "--vault", str(vault_dir)]) == 0, capsys.readouterr()
        assert "sent 1" in capsys.readouterr().out
        vault = Vault.open(vault_dir, TEST_PASSPHRASE, check_integrity=False)
        assert outbox.all_items(vault) == []
        (kept,) = outbox.receipts(vault, arrived.id)
        with vault.reading() as conn:
            body, signature, sha = conn.execute(
                "SELECT body, signature, sha256 FROM sync_receipts"
            ).fetchone()
        vault.close()
        verify_receipt(
            SignedDocument(bytes(body), bytes(signature)),
            agency_public_key=home.receipt_public,
            bundle_id=kept[0],
            sha256=sha,
        )

        # 6. the agency has it, and a supervisor can open it
        listing = json.loads(agency_cli(home.path, "inbox", "--json").stdout)
        (received,) = listing["bundles"]
        assert received["bundle_id"] == kept[0] and received["case_reference"] == "HS-2026-0142"
        out = tmp_path / "review"
        done = agency_cli(home.path, "open", kept[0], "--out", str(out))
        assert done.returncode == 0, done.stderr
        document = json.loads((out / "HS-2026-0142.case.json").read_text())
        assert document["case"]["visits"][0]["notes"] == "First visit went well."
        from docx import Document as DocxDocument
        from pypdf import PdfReader

        docx_text = "\n".join(
            p.text
            for p in DocxDocument(str(out / "HS-2026-0142.PAR-supervisor-draft.docx")).paragraphs
        )
        assert "Case reference: HS-2026-0142" in docx_text
        assert "Supervisor draft" in docx_text
        pdf = PdfReader(str(out / "HS-2026-0142.PAR-supervisor-draft.pdf"))
        assert "HS-2026-0142" in "".join(page.extract_text() for page in pdf.pages[:2])
    finally:
        server.stop()


@pytest.mark.slow
def test_end_to_end_on_sqlite(tmp_path, monkeypatch, capsys) -> None:
    run_end_to_end(tmp_path, "", monkeypatch, capsys)


@pytest.mark.slow
@pytest.mark.postgres
def test_end_to_end_on_postgresql(tmp_path, monkeypatch, capsys, pg_cluster) -> None:
    run_end_to_end(tmp_path, pg_cluster.new_database(), monkeypatch, capsys)
