"""The agency rebuilds each case from the chain of change sets: the latest whole case at
any time, refusals that keep the chain sound, retention that compacts superseded
states, and older whole-case bundles still read."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sync_helpers import (
    TestDevice,
    change_chain,
    count_rows,
    enrolled_device,
    make_agency,
    migrated_inbox,
    sample_case,
)

from homestudy.agency import case_state
from homestudy.agency.home import AgencyHome
from homestudy.agency.inbox import Inbox, Refusal
from homestudy.serial import to_jsonable


@pytest.fixture
def inbox(tmp_path: Path) -> Iterator[Inbox]:
    with migrated_inbox(make_agency(tmp_path / "agency")) as made:
        yield made


def test_the_latest_case_is_rebuilt_from_the_chain(inbox: Inbox) -> None:
    device = enrolled_device(inbox)
    chain = change_chain(device, "HS-2026-0300", 41)
    for bundle_id, data in chain[:40]:
        inbox.accept(bundle_id, data)
    # a second process, without the recent states in memory, rebuilds the base from the
    # last whole state kept and the change sets after it
    Inbox(inbox.home, inbox.db).accept(*chain[40])
    case_id = device.case_json["id"]
    got = case_state.latest_case_state(inbox.db, inbox.home, case_id)
    assert got is not None and got.case == device.case_json
    assert got.revision == 41 and got.bundle_id == chain[-1][0]
    assert got.case["stage1"]["notes"].endswith(" w40")
    assert case_state.case_ids(inbox.db) == [case_id]
    # whole states are kept only now and then: the inbox grows by change sets
    assert count_rows(inbox.home, "case_states") <= case_state.KEEP_STATES


def test_a_change_against_an_unknown_or_wrong_base_is_refused(inbox: Inbox) -> None:
    device = enrolled_device(inbox)
    chain = change_chain(device, "HS-2026-0301", 3)
    inbox.accept(*chain[0])  # the whole case; the change after it goes missing
    with pytest.raises(Refusal) as caught:
        inbox.accept(*chain[2])
    assert (caught.value.status, caught.value.code) == (409, "base_unknown")
    assert count_rows(inbox.home, "bundles") == 1 and count_rows(inbox.home, "alerts") == 0

    other = enrolled_device(inbox)

    def wrong(case: dict, n: int) -> None:
        case["stage1"]["notes"] += " changed"

    bad = change_chain(other, "HS-2026-0302", 2, edit=wrong)
    inbox.accept(*bad[0])
    # a change whose result differs from what it claims: tamper inside before signing
    from homestudy.sync import changes
    from homestudy.sync.bundle import build_change_bundle, open_bundle
    from homestudy.sync.wire import encode

    opened = open_bundle(
        bad[1][1],
        signer_public_key=other.secrets.signing_public,
        identity=inbox.home.age_identities,
    )
    assert opened.change is not None
    import msgspec

    lying = msgspec.structs.replace(opened.change, state_sha256=changes.state_sha256({}))
    data = build_change_bundle(
        opened.manifest,
        change=encode(lying),
        signing_secret=other.secrets.signing_secret,
        recipient=inbox.home.age_recipient,
        whole=False,
    )
    with pytest.raises(Refusal) as caught:
        inbox.accept(opened.manifest.bundle_id, data)
    assert (caught.value.status, caught.value.code) == (422, "change_invalid")


def test_a_case_naming_an_attachment_not_yet_sent_is_refused(inbox: Inbox) -> None:
    device = enrolled_device(inbox)

    def attach(case: dict, n: int) -> None:
        case["attachments"].append(
            {
                "id": "a1",
                "name": "scan.pdf",
                "media_type": "x",
                "size": 3,
                "sha256": "ab" * 32,
                "description": "",
                "confidential": True,
                "added_at": "2026-11-01T00:00:00",
            }
        )

    chain = change_chain(device, "HS-2026-0303", 2, edit=attach)
    inbox.accept(*chain[0])
    with pytest.raises(Refusal) as caught:
        inbox.accept(*chain[1])
    assert (caught.value.status, caught.value.code) == (409, "attachment_missing")


def test_retention_compacts_superseded_change_sets_and_keeps_the_latest(inbox: Inbox) -> None:
    device = enrolled_device(inbox)
    for bundle_id, data in change_chain(device, "HS-2026-0304", 20):
        inbox.accept(bundle_id, data)
    case_id = device.case_json["id"]
    assert inbox.compact() == {"bundles": 0, "blobs": 0}  # no retention set: keep all
    inbox.home.config = _with_retention(inbox.home, 30)
    assert inbox.compact()["bundles"] == 0  # nothing is old enough yet
    later = datetime.now(UTC) + timedelta(days=31)
    assert inbox.compact(now=later)["bundles"] == 19
    assert count_rows(inbox.home, "bundles") == 1
    got = case_state.latest_case_state(inbox.db, inbox.home, case_id)
    assert got is not None and got.case == device.case_json


def _with_retention(home: AgencyHome, days: int):
    import dataclasses

    return dataclasses.replace(home.config, retention_days=days)


def test_an_older_whole_case_bundle_is_still_read_with_its_attachments(inbox: Inbox) -> None:
    device = enrolled_device(inbox)
    case = sample_case("HS-2026-0305")
    import hashlib

    from homestudy.model import Attachment

    content = b"%PDF-1.4 the scan"
    att = Attachment(
        name="scan.pdf",
        media_type="application/pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )
    case.attachments.append(att)
    bundle_id, data = device.bundle(case, attachments={att.id: content})
    inbox.accept(bundle_id, data)
    got = case_state.latest_case_state(inbox.db, inbox.home, case.id)
    assert got is not None and got.case == to_jsonable(case)
    assert got.attachment(att.sha256) == content


def test_an_inbox_that_lost_the_history_gets_the_whole_case_again(tmp_path: Path, vault) -> None:
    from sync_helpers import InboxServer, enrolled_with_case, held_case

    from homestudy.model import Visit
    from homestudy.sync import outbox
    from homestudy.sync.client import InboxClient
    from homestudy.sync.engine import sync_round

    home = make_agency(tmp_path / "agency2")
    server = InboxServer(home.path)
    try:
        case = sample_case("HS-2026-0306")
        state = enrolled_with_case(vault, home, server.url, case)

        def client(s: outbox.ProfileState) -> InboxClient:
            return InboxClient(s.profile.inbox_url, retries=0)

        assert sync_round(vault, client)[0].sent == 1
        # the inbox is put back from a backup made before this case arrived
        server.stop()
        db = home.database(pool_size=1)
        with db.transaction() as cur:
            cur.execute("DELETE FROM bundles")
            cur.execute("DELETE FROM case_states")
        db.close()
        server = InboxServer(home.path)
        outbox.update_profile(vault, state.id, profile=_moved(state, server.url))
        vault.cases.save_visit(case.id, Visit(sequence=1, title="After the restore"))
        (report,) = sync_round(vault, client)
        assert report.sent == 0 and report.waiting == 1  # base unknown: the whole case waits
        (report,) = sync_round(vault, client)  # the whole case, once
        assert (report.sent, report.waiting, report.error) == (1, 0, "")
        with held_case(home, case.id) as got:
            assert got is not None and got.case == to_jsonable(vault.cases.load_case(case.id))
    finally:
        server.stop()


def _moved(state, url: str):
    import dataclasses

    return dataclasses.replace(state.profile, inbox_url=url)


def test_the_inbox_role_keeps_change_sets_it_cannot_read_and_the_console_rebuilds(
    inbox: Inbox,
) -> None:
    """The internet-facing inbox holds no decryption key: it stores each change set as
    it came; the console (which has the key) works out the chain when it reads the case."""
    from homestudy.agency.console.cases import CaseCache

    device = enrolled_device(inbox)
    chain = change_chain(device, "HS-2026-0310", 12)
    front = Inbox(AgencyHome(inbox.home.path, role="inbox"), inbox.db)
    for bundle_id, data in chain:
        front.accept(bundle_id, data)
    assert count_rows(inbox.home, "case_states") == 0  # nothing decrypted at the front
    case_id = device.case_json["id"]
    console = AgencyHome(inbox.home.path, role="console")
    got = case_state.latest_case_state(inbox.db, console, case_id)
    assert got is not None and got.case == device.case_json
    assert got.bundle_id == chain[-1][0] and got.case["stage1"]["notes"].endswith(" w11")
    shown = CaseCache(console, inbox.db).latest(case_id)
    assert shown.case.stage1.notes == got.as_case().stage1.notes
    assert shown.bundle_id == chain[-1][0]


def _opened(inbox: Inbox, device: TestDevice, data: bytes) -> Any:
    """The device's bundle, verified and decrypted with the agency's keys."""
    from homestudy.sync.bundle import open_bundle

    return open_bundle(
        data, signer_public_key=device.secrets.signing_public, identity=inbox.home.age_identities
    )


def _with_replies(inbox: Inbox, device: TestDevice, opened: Any, replies: bytes) -> bytes:
    """The same change set signed again, the worker's review replies beside it."""
    from homestudy.agency.messages import REVIEW_REPLIES
    from homestudy.sync.bundle import build_change_bundle
    from homestudy.sync.wire import encode

    return build_change_bundle(
        opened.manifest,
        change=encode(opened.change),
        signing_secret=device.secrets.signing_secret,
        recipient=inbox.home.age_recipient,
        extras={REVIEW_REPLIES: replies},
    )


def test_a_change_set_bundle_carries_review_replies_beside_the_change(inbox: Inbox) -> None:
    from homestudy.agency.messages import REVIEW_REPLIES

    device = enrolled_device(inbox)
    bundle_id, data = change_chain(device, "HS-2026-0320", 1)[0]
    opened = _opened(inbox, device, data)
    assert opened.change is not None and opened.extras == {}
    replies = json.dumps(
        [
            {
                "comment_id": "c1",
                "review_id": "r1",
                "reply": "Done.",
                "resolved": True,
                "at": "2026-12-01T10:00:00+00:00",
            }
        ]
    ).encode()
    again = _with_replies(inbox, device, opened, replies)
    reopened = _opened(inbox, device, again)
    assert reopened.extras == {REVIEW_REPLIES: replies}
    assert reopened.change == opened.change
    inbox.accept(bundle_id, again)
    with inbox.db.transaction() as cur:
        assert cur.all("SELECT comment_id, reply, resolved FROM review_replies") == [
            ("c1", "Done.", 1)
        ]


def test_replies_the_inbox_role_could_not_read_are_kept_when_the_console_reads(
    inbox: Inbox,
) -> None:
    device = enrolled_device(inbox)
    bundle_id, data = change_chain(device, "HS-2026-0330", 1)[0]
    opened = _opened(inbox, device, data)
    replies = json.dumps(
        [
            {
                "comment_id": "c9",
                "review_id": "r9",
                "reply": "Added.",
                "resolved": False,
                "at": "2026-12-02T10:00:00+00:00",
            }
        ]
    ).encode()
    assert opened.change is not None
    with_replies = _with_replies(inbox, device, opened, replies)
    Inbox(AgencyHome(inbox.home.path, role="inbox"), inbox.db).accept(bundle_id, with_replies)
    assert count_rows(inbox.home, "review_replies") == 0  # the front cannot read them
    console = AgencyHome(inbox.home.path, role="console")
    assert case_state.latest_case_state(inbox.db, console, device.case_json["id"]) is not None
    with inbox.db.transaction() as cur:
        assert cur.all("SELECT comment_id, reply FROM review_replies") == [("c9", "Added.")]


def _with_replies_at(
    inbox: Inbox, device: TestDevice, chain: list[tuple[str, bytes]], index: int, replies: bytes
) -> list[tuple[str, bytes]]:
    """The chain with ``replies`` beside the change of bundle ``index``, each bundle after
    it signed again to follow its new predecessor (as the laptop would have made them)."""
    import dataclasses

    from homestudy.sync.bundle import sha256_hex

    out = list(chain[:index])
    for n, (bundle_id, data) in enumerate(chain[index:]):
        opened = _opened(inbox, device, data)
        if out:
            manifest = dataclasses.replace(
                opened.manifest,
                previous_bundle_id=out[-1][0],
                previous_sha256=sha256_hex(out[-1][1]),
            )
            opened = dataclasses.replace(opened, manifest=manifest)
        out.append((bundle_id, _with_replies(inbox, device, opened, replies if n == 0 else b"[]")))
    return out


def test_retention_never_breaks_a_chain_or_loses_replies_it_has_not_read(inbox: Inbox) -> None:
    """The inbox role cannot read change sets, so its compaction keeps them all (the
    latest may be only a change on them); the console's first reads the replies a
    superseded change set carried (each reply travels once), then lets it go."""

    device = enrolled_device(inbox)
    reply = {"comment_id": "c1", "review_id": "r1", "reply": "Added.", "resolved": True}
    replies = json.dumps([{**reply, "at": "2026-12-02T10:00:00+00:00"}]).encode()
    chain = _with_replies_at(inbox, device, change_chain(device, "HS-2026-0340", 6), 2, replies)
    front_home = AgencyHome(inbox.home.path, role="inbox")
    front = Inbox(front_home, inbox.db)
    for bundle_id, data in chain:
        front.accept(bundle_id, data)
    later = datetime.now(UTC) + timedelta(days=31)
    front_home.config = _with_retention(front_home, 30)
    assert front.compact(now=later)["bundles"] == 0  # it could rebuild nothing: all stay
    console_home = AgencyHome(inbox.home.path, role="console")
    console_home.config = _with_retention(console_home, 30)
    assert Inbox(console_home, inbox.db).compact(now=later)["bundles"] == 5
    got = case_state.latest_case_state(inbox.db, console_home, device.case_json["id"])
    assert got is not None and got.case == device.case_json
    with inbox.db.transaction() as cur:
        assert cur.all("SELECT comment_id, reply, resolved FROM review_replies") == [
            ("c1", "Added.", 1)
        ]
