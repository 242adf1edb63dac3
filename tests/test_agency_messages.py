"""The agency's messages on SQLite and on a throwaway PostgreSQL: numbered per device
with the assignments, readable with the device's key only after the agency's
signature, re-numbered when an acknowledgement shows the inbox forgot what it sent,
and the worker's replies (the newest per comment wins)."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from sync_helpers import (
    TestDevice,
    enrolled_device,
    enrolment_for,
    make_agency,
    queue_review,
    sample_case,
)

from homestudy.agency.assign import assign_case
from homestudy.agency.home import AgencyHome
from homestudy.agency.inbox import Inbox
from homestudy.agency.messages import acknowledge, queue_message, record_replies, replies_for
from homestudy.errors import AgencyError, BundleError
from homestudy.sync import keys
from homestudy.sync.message_format import open_message


@pytest.fixture
def home(agency_database_url: str, tmp_path: Path) -> AgencyHome:
    return make_agency(tmp_path / "agency", database_url=agency_database_url)


def _device(home: AgencyHome, inbox: Inbox) -> TestDevice:
    return enrolled_device(inbox, enrolment_for(home, "http://x").token)


def _waiting(inbox: Inbox, device: TestDevice, after: int, last: str = "") -> list[dict]:
    return [
        dict(e, data=base64.b64decode(e["data"]))
        for e in inbox.assignments(device.device_id, after, last)
    ]


def test_messages_are_numbered_signed_and_renumbered_after_a_restore(home) -> None:
    db = home.database(pool_size=2)
    inbox = Inbox(home, db)
    try:
        device = _device(home, inbox)
        case = sample_case("HS-2026-2001")
        first = assign_case(home, db, case, device.device_id)
        second = queue_review(db, home, case.id, [], review_id="r")
        assert (first.sequence, second) == (1, 2)
        entries = _waiting(inbox, device, 0)
        opened = open_message(
            entries[1]["data"],
            signer_public_key=home.signing_public,
            identity=device.secrets.age_identity,
            expected_device_id=device.device_id,
        )
        assert opened.manifest.kind == "review" and opened.body["review_id"] == "r"
        with pytest.raises(BundleError) as refused:  # another key did not sign it
            open_message(
                entries[1]["data"],
                signer_public_key=keys.generate_keys().signing_public,
                identity=device.secrets.age_identity,
            )
        assert refused.value.check == "signature"
        # the device says it stored 4 ("m4"), which this inbox never sent: it forgot
        acknowledge(db, home, device.device_id, 4, "m4")
        again = _waiting(inbox, device, 4, "m4")
        assert [e["sequence"] for e in again] == [5, 6]  # both re-signed after 4
        twins = [
            open_message(
                e["data"],
                signer_public_key=home.signing_public,
                identity=device.secrets.age_identity,
            )
            for e in again
        ]
        assert [t.manifest.message_id for t in twins] == [
            first.bundle_id,
            opened.manifest.message_id,
        ]
        assert queue_message(db, home, case_id=case.id, kind="close", body={"reason": "x"}) == 7
        with pytest.raises(AgencyError):
            queue_message(db, home, case_id=case.id, kind="nonsense", body={})
    finally:
        db.close()


def test_replies_keep_the_newest_per_comment(home) -> None:
    db = home.database(pool_size=1)
    try:
        rows = [
            {
                "comment_id": "c1",
                "review_id": "r1",
                "reply": "first",
                "resolved": False,
                "at": "2026-12-01T10:00:00+00:00",
            },
            {
                "comment_id": "c1",
                "review_id": "r1",
                "reply": "later",
                "resolved": True,
                "at": "2026-12-02T10:00:00+00:00",
            },
            {"comment_id": "c2", "review_id": "r1", "reply": 5, "resolved": "yes", "at": "x"},
        ]  # malformed: skipped
        with db.transaction() as cur:
            stored = record_replies(
                cur, device_id="d", bundle_id="b", case_id="case-1", raw=json.dumps(rows).encode()
            )
            record_replies(
                cur,
                device_id="d",
                bundle_id="b0",
                case_id="case-1",
                raw=json.dumps(rows[:1]).encode(),
            )  # an older bundle, late
            assert (
                record_replies(
                    cur, device_id="d", bundle_id="b1", case_id="case-1", raw=b"not json"
                )
                == 0
            )
        assert stored == 2
        (reply,) = replies_for(db, "case-1")
        assert (reply["reply"], reply["resolved"]) == ("later", True)
    finally:
        db.close()
