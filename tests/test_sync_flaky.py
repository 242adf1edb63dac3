"""Sync over a bad line: a seeded proxy on 127.0.0.1 that cuts connections and loses
answers (receipts) at random, and an inbox killed in the middle of a chunked upload.
Nothing is lost or stored twice, no false alert, and a retry resends only what the
inbox did not acknowledge."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import TEST_KDF, TEST_PASSPHRASE
from flaky_proxy import CUT_ANSWER, CUT_BEFORE, FlakyProxy
from pg import free_port
from sync_helpers import (
    InboxServer,
    count_rows,
    enrolment_for,
    held_case,
    make_agency,
    sample_case,
)

from homestudy.agency import case_state
from homestudy.agency.home import AgencyHome
from homestudy.model import Visit
from homestudy.serial import to_jsonable
from homestudy.sync import outbox
from homestudy.sync.client import InboxClient
from homestudy.sync.engine import sync_round
from homestudy.sync.enrolment_flow import enrol
from homestudy.vault import Vault

EDITS = 200
CASES = 3


def edit(vault: Vault, case_id: str, n: int) -> None:
    case = vault.cases.load_case(case_id)
    if n % 7 == 0:
        vault.cases.save_visit(
            case_id,
            Visit(sequence=len(case.visits) + 1, title=f"Visit {n}", notes=f"Notes of visit {n}."),
        )
    elif n % 5 == 0 and case.visits:
        visit = case.visits[-1]
        visit.notes = f"{visit.notes} More after edit {n}."
        vault.cases.save_visit(case_id, visit)
    else:
        case.stage1.notes = f"{case.stage1.notes} word{n}"
        vault.cases.save_case(case)


def run_edits(
    tmp_path: Path, name: str, *, cut_before: float, cut_answer: float, seed: int
) -> dict[str, Any]:
    home = make_agency(tmp_path / f"agency-{name}")
    server = InboxServer(home.path)
    proxy = FlakyProxy(
        int(server.url.rsplit(":", 1)[1]), seed=seed, cut_before=cut_before, cut_answer=cut_answer
    )
    vault = Vault.create(tmp_path / f"vault-{name}", TEST_PASSPHRASE, kdf=TEST_KDF)
    transport = httpx.HTTPTransport()
    try:
        state = enrol(vault, enrolment_for(home, server.url))
        outbox.update_profile(vault, state.id, profile=_at(state, proxy.url))
        outbox.watch(vault)

        # a new connection per request, so the proxy's draw is per request
        transport.close()
        transport = httpx.HTTPTransport(limits=httpx.Limits(max_keepalive_connections=0))

        def client(s: outbox.ProfileState) -> InboxClient:
            return InboxClient(
                s.profile.inbox_url,
                retries=2,
                sleep=lambda _s: None,
                timeout=5,
                transport=transport,
            )

        ids = []
        for i in range(CASES):
            case = sample_case(f"HS-2026-07{i:02d}")
            case.agency_profile_id = state.id
            vault.cases.save_case(case)
            ids.append(case.id)
        rng = random.Random(seed)
        errors = set()
        for n in range(EDITS):
            edit(vault, ids[rng.randrange(CASES)], n)
            if n % 4 == 3:  # a sync round every fourth edit, as a worker might
                (report,) = sync_round(vault, client)
                errors.add(report.error)
        for _ in range(40):  # the line stays bad: keep going until all is through
            (report,) = sync_round(vault, client)
            if report.waiting == 0 and not outbox.dirty_cases(vault):
                break
        assert report.waiting == 0 and report.error == "", report

        db = home.database(pool_size=1)
        try:
            for case_id in ids:  # nothing lost: the agency's case is the laptop's
                got = case_state.latest_case_state(db, home, case_id)
                assert got is not None
                assert got.case == to_jsonable(vault.cases.load_case(case_id))
            with db.transaction() as cur:  # nothing stored twice
                changes = cur.all("SELECT case_id, base_sha256, state_sha256 FROM bundles")
        finally:
            db.close()
        assert len(changes) == len(set(changes))
        assert count_rows(home, "alerts") == 0  # no false "copied laptop" alert
        return {
            "bytes": proxy.bytes,
            "counts": dict(proxy.counts),
            "bundles": len(changes),
            "errors": errors - {""},
        }
    finally:
        transport.close()
        proxy.close()
        vault.close()
        server.stop()


def _at(state: outbox.ProfileState, url: str) -> Any:
    import dataclasses

    return dataclasses.replace(state.profile, inbox_url=url)


@pytest.mark.slow
def test_a_flaky_line_loses_nothing_and_costs_at_most_twice(tmp_path: Path) -> None:
    clean = run_edits(tmp_path, "clean", cut_before=0.0, cut_answer=0.0, seed=7)
    flaky = run_edits(tmp_path, "flaky", cut_before=0.12, cut_answer=0.12, seed=7)
    print(
        f"\nclean line: {clean['bytes'] / 1024:.0f} KB, {clean['bundles']} bundles; "
        f"flaky line: {flaky['bytes'] / 1024:.0f} KB, {flaky['bundles']} bundles, "
        f"connections {flaky['counts']}"
    )
    assert flaky["counts"][CUT_BEFORE] > 10 and flaky["counts"][CUT_ANSWER] > 10
    assert flaky["errors"]  # the line was bad enough for rounds to end offline
    assert flaky["bytes"] <= 2 * clean["bytes"]


# --------------------------------------------------------------------------- resume


class ChunkWatch(httpx.BaseTransport):
    """A real transport that notes each chunk's offset and can kill the inbox (SIGKILL)
    once a number of chunks were acknowledged."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.offsets: list[int] = []
        self.kill_after: int | None = None
        self.server: InboxServer | None = None

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if request.method == "PUT" and "/blobs/" in request.url.path:
            response.read()
            if response.status_code == 200:
                self.offsets.append(int(request.url.params["offset"]))
            if (
                self.kill_after is not None
                and len(self.offsets) >= self.kill_after
                and self.server is not None
            ):
                self.server.process.kill()  # a crash, not a clean stop
                self.server.process.wait()
                self.kill_after = None
        return response

    def close(self) -> None:
        self.inner.close()


def test_a_chunked_upload_resumes_after_the_inbox_restarts(tmp_path: Path, vault: Vault):
    home: AgencyHome = make_agency(tmp_path / "agency", max_bundle_size=2 * 1024 * 1024)
    port = free_port()
    server = InboxServer(home.path, port=port)
    watch = ChunkWatch()
    try:
        state = enrol(vault, enrolment_for(home, server.url))
        outbox.watch(vault)

        def client(s: outbox.ProfileState) -> InboxClient:
            made = InboxClient(
                s.profile.inbox_url, transport=watch, retries=1, sleep=lambda _s: None
            )
            made.chunk_size = 512 * 1024
            return made

        case = sample_case("HS-2026-0900")
        case.agency_profile_id = state.id
        vault.cases.save_case(case)
        data = random.Random(5).randbytes(6 * 1024 * 1024 + 123)
        att = vault.cases.add_attachment(case.id, "scan.pdf", "application/pdf", data)
        watch.server, watch.kill_after = server, 5
        (report,) = sync_round(vault, client)
        assert report.offline and report.waiting == 1 and report.sent == 0
        assert "cannot be reached" in report.error
        assert watch.offsets == [i * 512 * 1024 for i in range(5)]

        server.stop()
        server = InboxServer(home.path, port=port)  # the same address, after the crash
        watch.offsets.clear()
        (report,) = sync_round(vault, client)
        assert (report.sent, report.waiting, report.error) == (1, 0, "")
        chunks = -(-len(data) // (512 * 1024))
        assert watch.offsets == [i * 512 * 1024 for i in range(5, chunks)]  # only the rest
        with held_case(home, case.id) as got:
            assert got is not None and got.attachment(att.sha256) == data
        # sent once per agency ever: a later edit sends no attachment again
        watch.offsets.clear()
        vault.cases.save_visit(case.id, Visit(sequence=1, title="After the scan"))
        (report,) = sync_round(vault, client)
        assert report.sent == 1 and watch.offsets == []
    finally:
        watch.close()
        server.stop()
