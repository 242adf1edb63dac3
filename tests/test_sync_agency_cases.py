"""Cases of the agency, agency -> laptop messages and recovery, end to end over 127.0.0.1:
a real inbox process (``homestudy-agency serve``), real vaults, real HTTP."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import TEST_KDF, TEST_PASSPHRASE
from sync_helpers import (
    InboxServer,
    count_rows,
    enrolment_for,
    make_agency,
    queue_review,
    running_inbox,
    sample_case,
)

from homestudy.agency.assign import assign_case
from homestudy.agency.home import AgencyHome
from homestudy.agency.inbox import Inbox
from homestudy.agency.messages import queue_message, replies_for
from homestudy.agency.recovery import reissue, transfer_case
from homestudy.model import Case, Visit
from homestudy.sync import inbound, outbox
from homestudy.sync.client import InboxClient
from homestudy.sync.engine import describe, prepare, sync_round
from homestudy.sync.enrolment_flow import enrol
from homestudy.sync.linking import link_case
from homestudy.sync.outbox import ProfileState
from homestudy.vault import Vault


@pytest.fixture
def agency(tmp_path: Path) -> Iterator[tuple[AgencyHome, InboxServer]]:
    with running_inbox(tmp_path / "agency") as both:
        yield both


def to(server: InboxServer | None = None) -> Callable[[ProfileState], InboxClient]:
    """Clients for each profile's inbox, or for ``server`` (a restarted inbox has a new
    port)."""
    return lambda state: InboxClient(
        server.url if server else state.profile.inbox_url, retries=0, sleep=lambda _s: None
    )


def new_vault(folder: Path) -> Vault:
    return Vault.create(folder, TEST_PASSPHRASE, kdf=TEST_KDF)


def enrolled(
    vault: Vault, home: AgencyHome, server: InboxServer, assessor: str = "assessor-1"
) -> ProfileState:
    state = enrol(vault, enrolment_for(home, server.url, assessor))
    outbox.watch(vault)
    (report,) = [r for r in sync_round(vault, to()) if r.profile_id == state.id]
    assert not report.error, report.error
    return outbox.profile(vault, state.id)


def linked_case(vault: Vault, state: ProfileState, reference: str, files: int = 0) -> Case:
    case = sample_case(reference)
    vault.cases.save_case(case)
    for n in range(files):
        vault.cases.add_attachment(
            case.id, f"scan-{n}.pdf", "application/pdf", f"{reference} scan {n} ".encode() * 500
        )
    link_case(vault, case.id, state.id)
    return vault.cases.load_case(case.id)


def sent_case(
    vault: Vault,
    home: AgencyHome,
    server: InboxServer,
    reference: str,
    *,
    assessor: str = "assessor-1",
    files: int = 0,
) -> tuple[ProfileState, Case]:
    """``vault`` enrolled, and a case of its own linked to the agency and sent."""
    state = enrolled(vault, home, server, assessor)
    case = linked_case(vault, state, reference, files)
    sync_round(vault, to())
    return state, case


def _about_a_case_not_there(
    db: Any,
    home: AgencyHome,
    state: ProfileState,
    case_id: str,
    reference: str,
    kind: str,
    body: dict[str, Any],
) -> None:
    """A message about a case the laptop does not hold: it names the device and the
    case's reference."""
    queue_message(
        db,
        home,
        case_id=case_id,
        kind=kind,
        body=body,
        device_id=state.profile.device_id,
        case_reference=reference,
    )


def _transferred(
    other: Vault, home: AgencyHome, server: InboxServer, db: Any, case_id: str
) -> Case:
    """The case transferred to the worker of ``other`` (alex), as that laptop then has it."""
    theirs = enrolled(other, home, server, assessor="alex")
    transfer_case(home, db, case_id, theirs.profile.device_id)
    (report,) = sync_round(other, to())
    assert report.received_cases == 1
    return other.cases.load_case(case_id)


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
    state, case = sent_case(vault, home, server, "HS-2026-0310")
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


def _copy_db(home: AgencyHome, out: Path) -> None:
    """A consistent copy of the SQLite inbox (what an agency's nightly backup makes)."""
    src = sqlite3.connect(home.path / "inbox.sqlite3")
    dst = sqlite3.connect(out)
    with dst:
        src.backup(dst)
    src.close()
    dst.close()


def test_inbox_restored_from_a_backup_still_delivers_the_next_assignment(tmp_path, vault):
    home = make_agency(tmp_path / "agency")
    server = InboxServer(home.path)
    try:
        state = enrolled(vault, home, server)
        db = home.database(pool_size=1)
        assign_case(home, db, sample_case("HS-2026-0401"), state.profile.device_id)
        (report,) = sync_round(vault, to(server))
        assert report.received_cases == 1
        _copy_db(home, tmp_path / "backup.sqlite3")
        assign_case(home, db, sample_case("HS-2026-0402"), state.profile.device_id)
        (report,) = sync_round(vault, to(server))
        assert report.received_cases == 1  # the laptop has now seen sequence 2
        db.close()
    finally:
        server.stop()
    for suffix in ("", "-wal", "-shm"):  # the inbox's database, back as it was last night
        (home.path / f"inbox.sqlite3{suffix}").unlink(missing_ok=True)
    shutil.copy(tmp_path / "backup.sqlite3", home.path / "inbox.sqlite3")
    server = InboxServer(home.path)
    try:
        db = home.database(pool_size=1)
        made = assign_case(home, db, sample_case("HS-2026-0403"), state.profile.device_id)
        assert made.sequence == 2  # the restored inbox gives a number the laptop has seen
        (report,) = sync_round(vault, to(server))
        assert report.received_cases == 1 and not report.error, describe(report)
        (report,) = sync_round(vault, to(server))
        assert report.received_cases == 0  # the re-numbered twin of 0401 is skipped
        assert count_rows(home, "alerts") == 0
        made = assign_case(home, db, sample_case("HS-2026-0404"), state.profile.device_id)
        (report,) = sync_round(vault, to(server))
        assert report.received_cases == 1
        db.close()
    finally:
        server.stop()
    refs = sorted(c.reference for c in vault.cases.list_cases())
    assert refs == ["HS-2026-0401", "HS-2026-0402", "HS-2026-0403", "HS-2026-0404"]


def test_lost_laptop_new_laptop_gets_every_case_with_attachments(tmp_path, vault, agency):
    home, server = agency
    state = enrolled(vault, home, server, assessor="sam")
    db = home.database(pool_size=1)
    assigned = sample_case("HS-2026-0501")
    assign_case(home, db, assigned, state.profile.device_id)
    sync_round(vault, to())
    mine = [linked_case(vault, state, f"HS-2026-05{n}", files=2) for n in (10, 11)]
    vault.cases.save_visit(assigned.id, Visit(sequence=1, title="First visit"))
    (report,) = sync_round(vault, to())
    assert report.sent == 3
    Inbox(home, db).revoke(state.profile.device_id)  # the laptop was stolen
    laptop = new_vault(tmp_path / "new-laptop")
    try:
        new = enrolled(laptop, home, server, assessor="sam")
        made = reissue(home, db, "sam", new.profile.device_id)
        assert len(made) == 3
        (report,) = sync_round(laptop, to())
        assert report.received_cases == 3 and not report.error, describe(report)
        for case in [vault.cases.load_case(assigned.id), *mine]:
            got = laptop.cases.load_case(case.id)
            assert got.agency_profile_id == new.id
            assert [v.title for v in got.visits] == [v.title for v in case.visits]
            assert sorted(a.sha256 for a in got.attachments) == sorted(
                a.sha256 for a in case.attachments
            )
            for a in case.attachments:
                assert laptop.cases.read_attachment(case.id, a.id) == vault.cases.read_attachment(
                    case.id, a.id
                )
            history = next(m for m in inbound.messages(laptop, case_id=case.id)).body["history"]
            assert any(h["kind"] == "bundle" for h in history)
        laptop.cases.save_visit(mine[0].id, Visit(sequence=2, title="Second visit"))
        (report,) = sync_round(laptop, to())  # work continues from the new laptop
        assert report.sent == 1 and not report.error
    finally:
        laptop.close()
        db.close()


def test_transfer_moves_a_case_with_attachments_and_the_old_laptop_archives_it(
    tmp_path, vault, agency
) -> None:
    home, server = agency
    _state, case = sent_case(vault, home, server, "HS-2026-0601", assessor="sam", files=1)
    other = new_vault(tmp_path / "other")
    db = home.database(pool_size=1)
    try:
        got = _transferred(other, home, server, db, case.id)
        (att,) = got.attachments
        assert other.cases.read_attachment(case.id, att.id) == vault.cases.read_attachment(
            case.id, att.id
        )
        (report,) = sync_round(vault, to())
        assert "archived" in describe(report)
        assert vault.cases.list_cases() == []
        assert vault.cases.load_case(case.id).archive_reason.startswith("The agency transferred")
    finally:
        other.close()
        db.close()


def test_withdrawal_archives_the_case_and_says_so(vault, agency) -> None:
    home, server = agency
    _state, case = sent_case(vault, home, server, "HS-2026-0701")
    db = home.database(pool_size=1)
    queue_message(
        db, home, case_id=case.id, kind="withdraw", body={"reason": "The applicants withdrew."}
    )
    db.close()
    (report,) = sync_round(vault, to())
    assert "withdrew case HS-2026-0701" in describe(report) and "archived" in describe(report)
    assert vault.cases.list_cases() == []
    (archived,) = vault.cases.list_cases(archived=True)
    assert archived.archive_reason == "The applicants withdrew."


def test_an_unappliable_message_stays_listed_until_it_applies(vault, agency) -> None:
    home, server = agency
    state, clash = sent_case(vault, home, server, "HS-2026-0801")
    db = home.database(pool_size=1)
    incoming = sample_case("HS-2026-0801")  # the agency's own, different case
    assign_case(home, db, incoming, state.profile.device_id)
    _about_a_case_not_there(
        db, home, state, "no-such-case", "HS-2026-0899", "close", {"reason": "Closed."}
    )
    db.close()
    (report,) = sync_round(vault, to())
    assert "2 message(s) from the agency could not be applied" in describe(report)
    waiting = {m.case_reference: m for m in inbound.messages(vault, status=inbound.UNAPPLIED)}
    assert "already has a different case HS-2026-0801" in waiting["HS-2026-0801"].reason
    assert "not on this laptop" in waiting["HS-2026-0899"].reason
    sync_round(vault, to())  # still there on the next round
    assert len(inbound.messages(vault, status=inbound.UNAPPLIED)) == 2
    clash.reference = "HS-2026-0801-OLD"  # the worker clears the cause
    vault.cases.save_case(clash)
    sync_round(vault, to())
    assert vault.cases.load_case(incoming.id).reference == "HS-2026-0801"
    inbound.resolve(vault, waiting["HS-2026-0899"].message_id)  # dealt with by the worker
    assert inbound.messages(vault, status=inbound.UNAPPLIED) == []
    assert len(inbound.messages(vault)) == 2  # kept, never dropped


def test_a_laptop_restored_from_its_own_backup_carries_on_without_an_alert(
    tmp_path, vault, agency
) -> None:
    home, server = agency
    _state, case = sent_case(vault, home, server, "HS-2026-0901")
    backup = tmp_path / "laptop.backup"
    vault.cases.save_visit(case.id, Visit(sequence=1, title="Visit 1"))
    prepare(vault)  # the backup is taken with one bundle frozen, not yet sent
    vault.backup(backup)
    (report,) = sync_round(vault, to())
    vault.cases.save_visit(case.id, Visit(sequence=2, title="Visit 2"))
    (report,) = sync_round(vault, to())
    assert report.sent == 1
    vault.close()
    restored = Vault.restore(backup, tmp_path / "restored", TEST_PASSPHRASE)
    try:
        outbox.watch(restored)
        restored.cases.save_visit(case.id, Visit(sequence=3, title="Visit 3 after restore"))
        (report,) = sync_round(restored, to())  # one round: renumbered, then sent
        assert report.sent == 1 and report.waiting == 0 and not report.error, describe(report)
        assert count_rows(home, "alerts") == 0
    finally:
        restored.close()


def test_out_of_order_delivery_is_not_a_copied_laptop_alert(agency) -> None:
    import httpx
    from sync_helpers import TestDevice

    home, server = agency
    device = TestDevice(home)
    with httpx.Client(base_url=server.url, timeout=10) as client:
        assert device.register(client, enrolment_for(home, server.url).token).status_code == 200
        first = device.bundle(sample_case("HS-2026-1001"))
        second = device.bundle(sample_case("HS-2026-1002"))
        third = device.bundle(sample_case("HS-2026-1003"))
        for bundle_id, data in (first, third, second):  # the second one arrives late
            response = client.put(f"/bundles/{bundle_id}", content=data)
            assert response.status_code == 200, response.text
        clone_id, clone = device.bundle(sample_case("HS-2026-1004"), sequence=2, advance=False)
        response = client.put(f"/bundles/{clone_id}", content=clone)  # a real re-use still is
        assert response.json()["error"] == "sequence_reused"
    assert count_rows(home, "alerts") == 1
    assert sorted(received(home)) == ["HS-2026-1001", "HS-2026-1002", "HS-2026-1003"]


def test_review_comments_arrive_and_replies_go_back(vault, agency) -> None:
    home, server = agency
    _state, case = sent_case(vault, home, server, "HS-2026-1101")
    db = home.database(pool_size=1)
    comments = [
        {
            "id": f"c{n}",
            "section_id": "support_network",
            "text": f"Point {n}",
            "author": "Team manager",
            "created_at": "2026-12-01T10:00:00+00:00",
        }
        for n in (1, 2)
    ]
    queue_review(db, home, case.id, comments)
    sync_round(vault, to())
    found = inbound.review_comments(vault, case.id, "support_network")
    assert [c.text for c in found] == ["Point 1", "Point 2"] and not any(c.resolved for c in found)
    inbound.save_reply(vault, case.id, "r1", "c2", reply="Added the wider family.", resolved=True)
    (report,) = sync_round(vault, to())
    assert report.sent == 1
    (reply,) = replies_for(db, case.id)
    db.close()
    assert reply["comment_id"] == "c2" and reply["resolved"] is True
    assert reply["reply"] == "Added the wider family."


def _replies_carried(home: AgencyHome, case_id: str) -> list[list[str]]:
    """The comment ids of the replies each stored bundle of the case carried, in order."""
    import json

    from homestudy.sync.bundle import read_stored_payload

    db = home.database(pool_size=1)
    try:
        with db.transaction() as cur:
            rows = cur.all(
                "SELECT data FROM bundles WHERE case_id = ? ORDER BY received_at", (case_id,)
            )
    finally:
        db.close()
    carried = []
    for (data,) in rows:
        found = read_stored_payload(bytes(data), home.age_identities, len(data))
        assert found is not None
        raw = found[1].get(inbound.REVIEW_REPLIES)
        carried.append(sorted(r["comment_id"] for r in json.loads(raw)) if raw else [])
    return carried


def test_each_reply_travels_once_and_all_go_again_with_a_whole_case(vault, agency) -> None:
    """A case with review replies sends only the new ones: later edits carry none, so
    the bytes per edit do not grow with the review. A whole case sends them all."""
    home, server = agency
    state = enrolled(vault, home, server)
    case = linked_case(vault, state, "HS-2026-1102")
    sync_round(vault, to())
    for comment in ("c1", "c2"):
        inbound.save_reply(vault, case.id, "r1", comment, reply=f"Done {comment}", resolved=False)
    sync_round(vault, to())
    vault.cases.save_visit(case.id, Visit(sequence=1, title="Visit 1"))  # an edit, no reply
    sync_round(vault, to())
    inbound.save_reply(vault, case.id, "r1", "c1", reply="Done, and more", resolved=True)
    sync_round(vault, to())
    outbox.forget_base(vault, state.id, case.id)  # the agency lost our history: all again
    sync_round(vault, to())
    assert _replies_carried(home, case.id) == [[], ["c1", "c2"], [], ["c1"], ["c1", "c2"]]
    db = home.database(pool_size=1)
    try:
        newest = {r["comment_id"]: (r["reply"], r["resolved"]) for r in replies_for(db, case.id)}
    finally:
        db.close()
    assert newest == {"c1": ("Done, and more", True), "c2": ("Done c2", False)}


def test_a_reply_saved_while_the_clock_is_behind_still_goes(vault, agency) -> None:
    """Replies go when newer than the agency's; a clock set back must not hide one."""
    from unittest import mock

    from homestudy.sync import inbound as inbound_module

    home, server = agency
    state = enrolled(vault, home, server)
    case = linked_case(vault, state, "HS-2026-1103")
    inbound.save_reply(vault, case.id, "r1", "c1", reply="First", resolved=False)
    sync_round(vault, to())
    earlier = inbound_module.utc_now() - timedelta(days=2)
    with mock.patch.object(inbound_module, "utc_now", return_value=earlier):  # clock stepped back
        inbound.save_reply(vault, case.id, "r1", "c1", reply="Second", resolved=True)
    sync_round(vault, to())
    assert _replies_carried(home, case.id) == [["c1"], ["c1"]]
    db = home.database(pool_size=1)
    try:
        (reply,) = replies_for(db, case.id)
    finally:
        db.close()
    assert (reply["reply"], reply["resolved"]) == ("Second", True)


def test_odd_message_bodies_are_kept_with_a_reason_and_do_not_stop_syncing(vault, agency):
    from homestudy.serial import to_jsonable

    home, server = agency
    state, case = sent_case(vault, home, server, "HS-2026-1301")
    db = home.database(pool_size=1)
    _about_a_case_not_there(db, home, state, "x1", "HS-2026-1399", "case_update", {"case": "abc"})
    queue_message(
        db, home, case_id=case.id, kind="case_update", body={"case": to_jsonable(case), "fields": 5}
    )
    db.close()
    (report,) = sync_round(vault, to())
    assert not report.error and "2 message(s)" in describe(report)
    reasons = sorted(m.reason for m in inbound.messages(vault, status=inbound.UNAPPLIED))
    assert "could not be read" in reasons[0] and "could not be applied" in reasons[1]
    vault.cases.save_visit(case.id, Visit(sequence=1, title="Visit 1"))
    (report,) = sync_round(vault, to())
    assert report.sent == 1 and not report.error


def test_transfer_sends_the_case_rebuilt_from_its_change_sets(tmp_path, vault, agency) -> None:
    """The laptop sent the case whole, then only a change: the transfer carries both."""
    home, server = agency
    _state, case = sent_case(vault, home, server, "HS-2026-0611", assessor="sam", files=1)
    vault.cases.save_visit(case.id, Visit(sequence=1, title="Home visit"))
    (report,) = sync_round(vault, to())
    assert report.sent == 1
    db = home.database(pool_size=1)
    with db.transaction() as cur:
        bases = [
            r[0]
            for r in cur.all(
                "SELECT base_sha256 FROM bundles WHERE case_id = ? ORDER BY sequence", (case.id,)
            )
        ]
    assert bases[0] == "" and bases[1] != ""  # whole, then a change against it
    other = new_vault(tmp_path / "other")
    try:
        got = _transferred(other, home, server, db, case.id)
        assert [v.title for v in got.visits] == ["Home visit"]
        (att,) = got.attachments
        assert other.cases.read_attachment(case.id, att.id) == vault.cases.read_attachment(
            case.id, att.id
        )
    finally:
        other.close()
        db.close()
