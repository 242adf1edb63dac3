"""Cases of the agency, agency -> laptop messages and recovery, end to end over 127.0.0.1:
a real inbox process (``homestudy-agency serve``), real vaults, real HTTP."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import TEST_KDF, TEST_PASSPHRASE
from sync_helpers import InboxServer, count_rows, enrolment_for, make_agency, sample_case

from homestudy.agency.assign import assign_case
from homestudy.agency.home import AgencyHome
from homestudy.agency.inbox import Inbox
from homestudy.agency.messages import queue_message, replies_for
from homestudy.agency.recovery import reissue, transfer_case
from homestudy.model import Visit
from homestudy.sync import inbound, outbox
from homestudy.sync.client import InboxClient
from homestudy.sync.engine import describe, sync_round
from homestudy.sync.enrolment_flow import enrol
from homestudy.sync.linking import link_case
from homestudy.sync.outbox import ProfileState
from homestudy.vault import Vault


@pytest.fixture
def agency(tmp_path: Path) -> Iterator[tuple[AgencyHome, InboxServer]]:
    home = make_agency(tmp_path / "agency")
    server = InboxServer(home.path)
    try:
        yield home, server
    finally:
        server.stop()


def to(server: InboxServer | None = None) -> Callable[[ProfileState], InboxClient]:
    """Clients for each profile's inbox, or for ``server`` (a restarted inbox has a new
    port)."""
    return lambda state: InboxClient(server.url if server else state.profile.inbox_url,
                                     retries=0, sleep=lambda _s: None)


def new_vault(folder: Path) -> Vault:
    return Vault.create(folder, TEST_PASSPHRASE, kdf=TEST_KDF)


def enrolled(vault: Vault, home: AgencyHome, server: InboxServer,
             assessor: str = "assessor-1") -> ProfileState:
    state = enrol(vault, enrolment_for(home, server.url, assessor))
    outbox.watch(vault)
    (report,) = [r for r in sync_round(vault, to()) if r.profile_id == state.id]
    assert not report.error, report.error
    return outbox.profile(vault, state.id)


def linked_case(vault: Vault, state: ProfileState, reference: str, files: int = 0):
    case = sample_case(reference)
    vault.cases.save_case(case)
    for n in range(files):
        vault.cases.add_attachment(case.id, f"scan-{n}.pdf", "application/pdf",
                                   f"{reference} scan {n} ".encode() * 500)
    link_case(vault, case.id, state.id)
    return vault.cases.load_case(case.id)


def received(home: AgencyHome) -> dict[str, int]:
    """case reference -> bundles the inbox holds for it."""
    db = home.database(pool_size=1)
    try:
        with db.transaction() as cur:
            rows = cur.all("SELECT case_reference, count(*) FROM bundles GROUP BY 1")
    finally:
        db.close()
    return {r[0]: int(r[1]) for r in rows}


def test_revoke_then_re_enrol_keeps_every_case_syncing(tmp_path, vault, agency) -> None:
    home, server = agency
    state = enrolled(vault, home, server)
    cases = [linked_case(vault, state, f"HS-2026-03{n:02d}") for n in range(3)]
    (report,) = sync_round(vault, to())
    assert report.sent == 3
    db = home.database(pool_size=1)
    Inbox(home, db).revoke(state.profile.device_id)
    db.close()
    vault.cases.save_visit(cases[0].id, Visit(sequence=1, title="Visit 1"))
    (report,) = sync_round(vault, to())
    assert report.revoked and "homestudy enrol FILE" in describe(report)
    again = enrol(vault, enrolment_for(home, server.url))
    assert again.id == state.id and again.profile.device_id != state.profile.device_id
    (report,) = sync_round(vault, to())
    assert not report.error and not report.revoked and report.waiting == 0
    assert report.sent == 3  # every case of the agency, from the new device
    assert received(home) == {c.reference: 2 for c in cases}
    assert {s.agency_profile_id for s in vault.cases.list_cases()} == {state.id}


def test_a_device_revoked_by_mistake_is_restored(vault, agency) -> None:
    home, server = agency
    state = enrolled(vault, home, server)
    case = linked_case(vault, state, "HS-2026-0310")
    sync_round(vault, to())
    db = home.database(pool_size=1)
    Inbox(home, db).revoke(state.profile.device_id)
    vault.cases.save_visit(case.id, Visit(sequence=1, title="Visit 1"))
    (report,) = sync_round(vault, to())
    assert report.revoked and report.waiting == 1
    assert "homestudy-agency restore-device" in report.error  # a command that exists
    Inbox(home, db).restore_device(state.profile.device_id)
    db.close()
    (report,) = sync_round(vault, to())
    assert not report.revoked and report.sent == 1 and report.waiting == 0


def test_same_reference_from_two_agencies_both_arrive(tmp_path, vault) -> None:
    homes = [make_agency(tmp_path / f"a{n}", agency_id=f"AG-{n}") for n in (1, 2)]
    servers = [InboxServer(h.path) for h in homes]
    try:
        states = [enrolled(vault, h, s) for h, s in zip(homes, servers, strict=True)]
        for home, state in zip(homes, states, strict=True):
            db = home.database(pool_size=1)
            assign_case(home, db, sample_case("HS-2026-0001"), state.profile.device_id)
            db.close()
        reports = sync_round(vault, to())
        assert [r.received_cases for r in reports] == [1, 1]
        assert all(not r.error for r in reports), [describe(r) for r in reports]
        twins = vault.cases.list_cases()
        assert [t.reference for t in twins] == ["HS-2026-0001", "HS-2026-0001"]
        assert {t.agency_profile_id for t in twins} == {s.id for s in states}
        vault.cases.save_visit(twins[0].id, Visit(sequence=1, title="Visit 1"))
        reports = sync_round(vault, to())  # each goes back to its own agency only
        assert sorted(r.sent for r in reports) == [0, 1]
    finally:
        for server in servers:
            server.stop()
