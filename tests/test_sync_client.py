"""The client and its outbox against the real inbox process: revocation, offline and
restart, retries with capped back-off, receipts that do not verify, lost answers,
key lists, and a contractor with two agencies. Faults the real server cannot make
are injected through the transport seam (httpx.MockTransport)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from conftest import TEST_PASSPHRASE
from sync_helpers import (
    InboxServer,
    TestDevice,
    assignment_for,
    count_rows,
    enrolment_for,
    make_agency,
    running_inbox,
    sample_case,
)

from homestudy.agency.home import AgencyHome
from homestudy.agency.inbox import Inbox
from homestudy.errors import EnrolmentError
from homestudy.model import Case, Visit
from homestudy.sync import inbound, keys, outbox
from homestudy.sync.client import InboxClient
from homestudy.sync.engine import describe, sync_round
from homestudy.sync.enrolment_flow import enrol
from homestudy.sync.outbox import ProfileState
from homestudy.sync.signed import Receipt, make_receipt
from homestudy.vault import Vault


class Agency:
    def __init__(self, home: AgencyHome, server: InboxServer) -> None:
        self.home, self.server = home, server

    @property
    def url(self) -> str:
        return self.server.url


@pytest.fixture(scope="module")
def agency(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Agency]:
    with running_inbox(tmp_path_factory.mktemp("agency") / "home") as (home, server):
        yield Agency(home, server)


@pytest.fixture
def real() -> Iterator[httpx.HTTPTransport]:
    """A real transport for fault wrappers to pass requests on to."""
    transport = httpx.HTTPTransport()
    try:
        yield transport
    finally:
        transport.close()


def factory(
    transport: httpx.BaseTransport | None = None,
    sleeps: list[float] | None = None,
    retries: int = 2,
) -> Callable[[ProfileState], InboxClient]:
    waits = sleeps if sleeps is not None else []
    return lambda state: InboxClient(
        state.profile.inbox_url, transport=transport, sleep=waits.append, retries=retries
    )


def enrolled(vault: Vault, agency: Agency, url: str | None = None) -> ProfileState:
    state = enrol(vault, enrolment_for(agency.home, url or agency.url))
    outbox.watch(vault)
    return state


def agency_case(vault: Vault, state: ProfileState, reference: str = "HS-2026-0500") -> Case:
    case = sample_case(reference)
    case.agency_profile_id = state.id
    vault.cases.save_case(case)
    return case


def test_revoked_device_is_told_plainly_and_keeps_its_work(vault: Vault, agency: Agency):
    state = enrolled(vault, agency)
    case = agency_case(vault, state)
    (report,) = sync_round(vault, factory())
    assert report.sent == 1 and not report.error
    Inbox(agency.home, db := agency.home.database(pool_size=1)).revoke(state.profile.device_id)
    db.close()
    vault.cases.save_visit(case.id, Visit(sequence=1, title="Visit 1"))
    (report,) = sync_round(vault, factory())
    assert report.revoked and report.waiting == 1
    assert "withdrawn this laptop's access" in describe(report)
    assert "unsent work is kept" in report.error
    (status,) = outbox.statuses(vault)
    assert status.revoked and status.waiting == 1


def test_offline_then_restart_resends_the_same_bytes(tmp_path, vault: Vault, agency: Agency):
    dead = f"http://127.0.0.1:{_closed_port()}"
    state = enrolled(vault, agency, url=dead)
    agency_case(vault, state, "HS-2026-0501")
    sleeps: list[float] = []
    (report,) = sync_round(vault, factory(sleeps=sleeps))
    assert report.offline and report.waiting == 1 and sleeps == [0.5, 1.0]
    (item,) = outbox.all_items(vault)
    assert item.attempts == 1 and outbox.pending(vault, state.id) == []  # backing off
    folder = vault.folder
    vault.close()
    # days later, after a restart, the agency is reachable again
    reopened = Vault.open(folder, TEST_PASSPHRASE, check_integrity=False)
    try:
        outbox.update_profile(reopened, state.id, profile=_with_url(state, agency.url))
        (report,) = sync_round(reopened, factory())
        assert report.sent == 1 and report.waiting == 0 and not report.offline
        ((bundle_id, _case_id, sequence, _at),) = outbox.receipts(reopened)
        assert (bundle_id, sequence) == (item.bundle_id, 1)
        with reopened.reading() as conn:
            (kept_sha,) = conn.execute("SELECT sha256 FROM sync_receipts").fetchone()
        assert kept_sha == item.sha256  # the very bytes frozen before the restart
    finally:
        reopened.close()


def test_retries_back_off_with_a_cap_then_succeed(vault: Vault, agency: Agency, real):
    state = enrolled(vault, agency)
    agency_case(vault, state, "HS-2026-0502")
    failures = {"left": 5}

    def flaky(request: httpx.Request) -> httpx.Response:
        if request.method == "PUT" and failures["left"] > 0:
            failures["left"] -= 1
            return httpx.Response(503, json={"error": "busy", "message": "busy"})
        return real.handle_request(request)

    sleeps: list[float] = []
    client_factory = factory(httpx.MockTransport(flaky), sleeps, retries=6)
    (report,) = sync_round(vault, client_factory)
    assert report.sent == 1 and report.waiting == 0
    assert sleeps == [0.5, 1.0, 2.0, 4.0, 8.0]
    capped = InboxClient(
        "http://127.0.0.1:1",
        sleep=sleeps.append,
        retries=8,
        transport=httpx.MockTransport(lambda r: httpx.Response(503)),
    )
    sleeps.clear()
    with pytest.raises(Exception, match="server error"):
        capped.key_list()
    assert max(sleeps) == 8.0 and len(sleeps) == 8


def test_a_receipt_that_does_not_verify_keeps_the_bundle(vault: Vault, agency: Agency, real):
    state = enrolled(vault, agency)
    agency_case(vault, state, "HS-2026-0503")
    forger = keys.generate_keys()

    def forged(request: httpx.Request) -> httpx.Response:
        if request.method != "PUT":
            return real.handle_request(request)
        bundle_id = request.url.path.rsplit("/", 1)[1]
        doc = make_receipt(
            forger.signing_secret,
            Receipt(
                bundle_id=bundle_id,
                sha256="0" * 64,
                size=1,
                received_at="2026-11-29T00:00:00Z",
                agency_id=agency.home.agency_id,
                device_id="x",
                sequence=1,
            ),
        )
        return httpx.Response(200, json={"receipt": doc.to_wire()})

    (report,) = sync_round(vault, factory(httpx.MockTransport(forged)))
    assert report.sent == 0 and report.waiting == 1
    assert "receipt could not be verified" in report.error
    assert outbox.receipts(vault) == []
    (report,) = sync_round(vault, factory())  # the real inbox answers next time
    assert report.sent == 1 and report.waiting == 0


def test_a_lost_answer_is_retried_with_identical_bytes(vault: Vault, agency: Agency, real):
    state = enrolled(vault, agency)
    agency_case(vault, state, "HS-2026-0504")
    seen: list[bytes] = []

    def drop_answer(request: httpx.Request) -> httpx.Response:
        response = real.handle_request(request)
        if request.method == "PUT":
            seen.append(request.read())
            response.read()
            raise httpx.ReadError("connection reset", request=request)
        return response

    before = count_rows(agency.home, "bundles")
    (report,) = sync_round(vault, factory(httpx.MockTransport(drop_answer), retries=0))
    assert report.offline and report.waiting == 1
    assert count_rows(agency.home, "bundles") == before + 1  # it did arrive
    (report,) = sync_round(vault, factory())
    assert report.sent == 1 and report.waiting == 0
    assert count_rows(agency.home, "bundles") == before + 1  # and only once
    (item_sha,) = [r[0] for r in _receipt_shas(vault)]
    import hashlib

    assert hashlib.sha256(seen[0]).hexdigest() == item_sha


def test_each_change_takes_the_next_sequence_in_a_hash_chain(vault: Vault, agency: Agency):
    state = enrolled(vault, agency)
    case = agency_case(vault, state, "HS-2026-0505")
    from homestudy.sync.engine import prepare

    prepare(vault)
    (first,) = outbox.all_items(vault)
    vault.cases.save_visit(case.id, Visit(sequence=1, title="Visit 1"))
    prepare(vault)
    # one bundle waits per case: the later edit replaced the first, later in the chain
    (second,) = outbox.all_items(vault)
    assert (first.sequence, second.sequence) == (1, 2)
    from homestudy.sync.bundle import read_manifest

    assert read_manifest(second.data).previous_bundle_id == first.bundle_id
    assert read_manifest(second.data).previous_sha256 == first.sha256
    (report,) = sync_round(vault, factory())
    assert report.sent == 1
    vault.cases.save_visit(case.id, Visit(sequence=2, title="Visit 2"))
    prepare(vault)
    (third,) = outbox.all_items(vault)
    assert (third.sequence, read_manifest(third.data).previous_bundle_id) == (3, second.bundle_id)
    (report,) = sync_round(vault, factory())
    assert report.sent == 1


def test_key_lists_rotate_forward_and_older_ones_are_refused(vault: Vault, agency: Agency):
    state = enrolled(vault, agency)
    (report,) = sync_round(vault, factory())
    assert outbox.profile(vault, state.id).key_list_version >= 1
    db = agency.home.database(pool_size=1)
    newest = agency.home.publish_key_list(db, expires_at=datetime.now(UTC) - timedelta(days=1))
    db.close()
    (report,) = sync_round(vault, factory())
    version = outbox.profile(vault, state.id).key_list_version
    assert version == _version_of(newest.body)
    assert "expired" in report.warning
    outbox.update_profile(vault, state.id, key_list_version=version + 10)
    (report,) = sync_round(vault, factory())
    assert "older key list" in report.warning
    assert outbox.profile(vault, state.id).key_list_version == version + 10


def test_a_contractor_has_separate_keys_and_inboxes(tmp_path, vault: Vault, agency: Agency):
    second_home = make_agency(tmp_path / "second", agency_id="AG-SECOND")
    second = InboxServer(second_home.path)
    try:
        first_state = enrolled(vault, agency)
        second_state = enrol(vault, enrolment_for(second_home, second.url))
        assert first_state.device_signing_secret != second_state.device_signing_secret
        assert first_state.profile.device_id != second_state.profile.device_id
        agency_case(vault, second_state, "HS-2026-0600")
        reports = {r.agency_name + r.profile_id: r for r in sync_round(vault, factory())}
        sent = {r.profile_id: r.sent for r in reports.values()}
        assert sent == {first_state.id: 0, second_state.id: 1}
        assert count_rows(second_home, "bundles") == 1
        with pytest.raises(EnrolmentError, match="already enrolled"):
            enrol(vault, enrolment_for(second_home, second.url))
    finally:
        second.stop()


# --------------------------------------------------------------------------- helpers


def _closed_port() -> int:
    import pg

    return pg.free_port()


def _with_url(state: ProfileState, url: str) -> Any:
    import dataclasses

    return dataclasses.replace(state.profile, inbox_url=url)


def _receipt_shas(vault: Vault) -> list[tuple[str]]:
    with vault.reading() as conn:
        return [tuple(r) for r in conn.execute("SELECT sha256 FROM sync_receipts")]


def _version_of(body: bytes) -> int:
    import json

    return int(json.loads(body)["version"])


class _ForwardProxy:
    """A tiny HTTP forward proxy on 127.0.0.1 that records what went through it."""

    def __init__(self) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        seen = self.seen = []

        class Handler(BaseHTTPRequestHandler):
            def _forward(self) -> None:
                seen.append(f"{self.command} {self.path}")
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {
                    k: v
                    for k, v in self.headers.items()
                    if k.lower() not in ("host", "proxy-connection", "connection")
                }
                with httpx.Client(timeout=30) as upstream:
                    answer = upstream.request(
                        self.command, self.path, content=body, headers=headers
                    )
                self.send_response(answer.status_code)
                self.send_header("Content-Type", answer.headers.get("content-type", ""))
                self.send_header("Content-Length", str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)

            do_GET = do_PUT = do_POST = _forward

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


def test_the_proxy_setting_is_honoured(vault: Vault, agency: Agency) -> None:
    from homestudy.sync.engine import default_client

    proxy = _ForwardProxy()
    try:
        state = enrolled(vault, agency)
        agency_case(vault, state, "HS-2026-0700")
        (report,) = sync_round(vault, default_client(proxy.url))
        assert report.sent == 1 and not report.error
    finally:
        proxy.stop()
    assert f"POST {agency.url}/enrol" in proxy.seen
    assert any(line.startswith(f"PUT {agency.url}/bundles/") for line in proxy.seen)


def test_assignments_arrive_once_and_forged_or_clashing_ones_are_not_imported(
    vault: Vault, agency: Agency, real
) -> None:
    import base64
    import json as jsonlib

    from homestudy.agency.assign import assign_case

    state = enrolled(vault, agency)
    sync_round(vault, factory())  # registers the device
    db = agency.home.database(pool_size=1)
    try:
        assign_case(agency.home, db, sample_case("HS-2026-0800"), state.profile.device_id)
        (report,) = sync_round(vault, factory())
        assert report.received_cases == 1
        (report,) = sync_round(vault, factory())  # nothing new the second time
        assert report.received_cases == 0
        assert outbox.all_items(vault) == []  # an imported case is not sent straight back
        local = sample_case("HS-2026-0801")
        vault.cases.save_case(local)  # made on the laptop, not linked: no clash (per agency)
        assign_case(agency.home, db, sample_case("HS-2026-0801"), state.profile.device_id)
        (report,) = sync_round(vault, factory())
        assert report.received_cases == 1
        linked = sample_case("HS-2026-0803")
        linked.agency_profile_id = state.id  # this agency's reference, another case: a clash
        vault.cases.save_case(linked)
        sync_round(vault, factory())
        assign_case(agency.home, db, sample_case("HS-2026-0803"), state.profile.device_id)
        (report,) = sync_round(vault, factory())
        assert report.received_cases == 0 and "could not be applied" in describe(report)
        (kept,) = inbound.messages(vault, status=inbound.UNAPPLIED)
        assert kept.case_reference == "HS-2026-0803" and "already has" in kept.reason
    finally:
        db.close()

    forger = keys.generate_keys()
    fake_case = sample_case("HS-2026-0802")
    forged = assignment_for(
        state,
        fake_case,
        agency_id=agency.home.agency_id,
        signing_secret=forger.signing_secret,
        bundle_id="forged",
        sequence=99,
        created_at="2026-11-29T00:00:00+00:00",
    )

    def inject(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/poll"):  # the round's one question: its assignments
            answer = real.handle_request(request)
            answer.read()
            body = jsonlib.loads(answer.content)
            body["assignments"] = [
                {"bundle_id": "forged", "sequence": 99, "data": base64.b64encode(forged).decode()}
            ]
            return httpx.Response(200, content=jsonlib.dumps(body).encode())
        return real.handle_request(request)

    (report,) = sync_round(vault, factory(httpx.MockTransport(inject)))
    assert report.received_cases == 0 and "(signature)" in report.error
    assert sorted(c.reference for c in vault.cases.list_cases()) == [
        "HS-2026-0800",
        "HS-2026-0801",
        "HS-2026-0801",
        "HS-2026-0803",
    ]


def test_a_new_enrolment_file_replaces_one_that_never_got_through(
    tmp_path, vault: Vault, agency: Agency
):
    """An enrolment file already used on another laptop is refused at the first sync; the
    agency sends a new one, and enrolling with it is not a false "already enrolled"."""
    spent = enrolment_for(agency.home, agency.url, assessor="assessor-spent")
    with httpx.Client(base_url=agency.url) as other_laptop:
        assert (
            TestDevice(agency.home)
            .register(other_laptop, spent.token, "assessor-spent")
            .status_code
            == 200
        )
    state = enrol(vault, spent)  # the laptop cannot know yet
    case = agency_case(vault, state, "HS-2026-0700")
    (report,) = sync_round(vault, factory())
    assert "already been used" in report.error and "new one" in report.error
    fresh = enrolment_for(agency.home, agency.url, assessor="assessor-spent")
    again = enrol(vault, fresh)
    assert again.id == state.id  # the same profile: its cases still point at it
    (report,) = sync_round(vault, factory())
    assert not report.error and report.sent == 1
    assert vault.cases.load_case(case.id).agency_profile_id == state.id
    with pytest.raises(EnrolmentError, match="already enrolled"):  # registered now: a real one
        enrol(vault, enrolment_for(agency.home, agency.url, assessor="assessor-spent"))


def test_an_inbox_older_than_the_poll_is_asked_the_three_apart(
    vault: Vault, agency: Agency, real
) -> None:
    """An inbox without ``/poll`` (404, as an older version answers) still gets the
    work, and its assignments and key list still arrive, over the old requests."""
    from homestudy.agency.assign import assign_case

    asked: list[str] = []

    def older(request: httpx.Request) -> httpx.Response:
        asked.append(f"{request.method} {request.url.path.rsplit('/', 1)[-1]}")
        if request.url.path.endswith("/poll"):
            return httpx.Response(404, content=b"Not Found")
        return real.handle_request(request)

    state = enrolled(vault, agency)
    case = agency_case(vault, state, "HS-2026-0901")
    (report,) = sync_round(vault, factory(httpx.MockTransport(older)))
    assert (report.sent, report.waiting, report.error) == (1, 0, "")
    db = agency.home.database(pool_size=1)
    try:
        assign_case(agency.home, db, sample_case("HS-2026-0902"), state.profile.device_id)
    finally:
        db.close()
    vault.cases.save_visit(case.id, Visit(sequence=1, title="Visit 1"))
    asked.clear()
    (report,) = sync_round(vault, factory(httpx.MockTransport(older)))
    assert (report.sent, report.received_cases, report.error) == (1, 1, "")
    assert asked[:3] == ["GET poll", "GET keys", "GET status"]  # then the old three
    assert asked[3].startswith("PUT ") and asked[4:] == ["GET assignments"]
    # and the same laptop against a current inbox: one question and the upload
    vault.cases.save_visit(case.id, Visit(sequence=2, title="Visit 2"))

    def counted(request: httpx.Request) -> httpx.Response:
        asked.append(request.url.path.rsplit("/", 1)[-1])
        return real.handle_request(request)

    asked.clear()
    (report,) = sync_round(vault, factory(httpx.MockTransport(counted)))
    assert (report.sent, report.error) == (1, "") and asked[0] == "poll" and len(asked) == 2
