"""The inbox over real HTTP (uvicorn subprocess, SQLite): receipts, idempotency, and
every refusal, each proven to have stored nothing."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sync_helpers import (
    REPO,
    TestDevice,
    count_rows,
    enrolment_for,
    running_inbox,
)

from homestudy.agency.home import AgencyHome
from homestudy.errors import SyncError
from homestudy.sync.bundle import sha256_hex
from homestudy.sync.client import compact_signed_headers, signed_headers
from homestudy.sync.signed import SignedDocument, verify_receipt


@pytest.fixture(scope="module")
def agency(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[AgencyHome, str]]:
    with running_inbox(tmp_path_factory.mktemp("agency") / "home") as (home, server):
        yield home, server.url


@pytest.fixture
def client(agency: tuple[AgencyHome, str]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=agency[1], timeout=30) as http:
        yield http


@pytest.fixture
def device(agency: tuple[AgencyHome, str], client: httpx.Client) -> TestDevice:
    home, url = agency
    made = TestDevice(home)
    response = made.register(client, enrolment_for(home, url).token)
    assert response.status_code == 200, response.text
    return made


def upload(client: httpx.Client, bundle_id: str, data: bytes) -> httpx.Response:
    return client.put(f"/bundles/{bundle_id}", content=data)


def stored_ids(home: AgencyHome) -> set[str]:
    db = home.database(pool_size=1)
    try:
        with db.transaction() as cur:
            return {r[0] for r in cur.all("SELECT bundle_id FROM bundles")}
    finally:
        db.close()


def refused(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == code
    assert body["message"]  # plain words for the person reading the log
    return dict(body)


def test_upload_returns_a_receipt_signed_by_the_agency(agency, client, device) -> None:
    home, _ = agency
    bundle_id, data = device.bundle()
    response = upload(client, bundle_id, data)
    assert response.status_code == 200, response.text
    doc = SignedDocument.from_wire(response.json()["receipt"])
    receipt = verify_receipt(
        doc, agency_public_key=home.receipt_public, bundle_id=bundle_id, sha256=sha256_hex(data)
    )
    assert receipt.sequence == 1 and receipt.device_id == device.device_id
    with pytest.raises(SyncError):  # a receipt for other bytes is not a receipt for these
        verify_receipt(
            doc, agency_public_key=home.receipt_public, bundle_id=bundle_id, sha256="0" * 64
        )
    with pytest.raises(SyncError):  # signed by the receipt key, which is not the signing key
        verify_receipt(
            doc, agency_public_key=home.signing_public, bundle_id=bundle_id, sha256=sha256_hex(data)
        )


def test_same_bytes_again_get_the_same_receipt_and_are_stored_once(agency, client, device):
    home, _ = agency
    bundle_id, data = device.bundle()
    first = upload(client, bundle_id, data)
    before = count_rows(home, "bundles")
    second = client.post(f"/bundles/{bundle_id}", content=data)  # POST is the same as PUT
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert count_rows(home, "bundles") == before


def test_bad_signature_is_refused_and_nothing_stored(agency, client, device) -> None:
    home, _ = agency
    impostor = TestDevice(home)  # right device id, wrong key
    bundle_id, data = device.bundle(signing_secret=impostor.secrets.signing_secret)
    before = count_rows(home, "bundles")
    refused(upload(client, bundle_id, data), 401, "bad_signature")
    assert count_rows(home, "bundles") == before and bundle_id not in stored_ids(home)


def test_unknown_device_is_refused_and_nothing_stored(agency, client) -> None:
    home, _ = agency
    stranger = TestDevice(home)
    bundle_id, data = stranger.bundle()
    before = count_rows(home, "bundles")
    refused(upload(client, bundle_id, data), 403, "unknown_device")
    assert count_rows(home, "bundles") == before and bundle_id not in stored_ids(home)


def test_revoked_device_is_refused_and_nothing_stored(agency, client, device) -> None:
    home, _ = agency
    env = dict(os.environ, PYTHONPATH=str(REPO))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "homestudy.agency.cli",
            "--home",
            str(home.path),
            "revoke",
            device.device_id,
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    bundle_id, data = device.bundle()
    before = count_rows(home, "bundles")
    refused(upload(client, bundle_id, data), 410, "device_revoked")
    assert count_rows(home, "bundles") == before and bundle_id not in stored_ids(home)
    target = f"/devices/{device.device_id}/assignments?after=0"
    headers = signed_headers(device.device_id, device.secrets.signing_secret, "GET", target)
    refused(client.get(target, headers=headers), 410, "device_revoked")


def test_different_body_under_a_known_id_is_refused(agency, client, device) -> None:
    home, _ = agency
    bundle_id, data = device.bundle()
    assert upload(client, bundle_id, data).status_code == 200
    _, other = device.bundle(bundle_id=bundle_id, advance=False)
    assert other != data
    before = count_rows(home, "bundles")
    refused(upload(client, bundle_id, other), 409, "bundle_conflict")
    assert count_rows(home, "bundles") == before
    db = home.database(pool_size=1)
    with db.transaction() as cur:
        assert cur.one("SELECT sha256 FROM bundles WHERE bundle_id = ?", (bundle_id,)) == (
            sha256_hex(data),
        )
    db.close()


def test_reused_sequence_is_refused_and_raises_an_alert(agency, client, device) -> None:
    home, _ = agency
    first_id, first = device.bundle()
    assert upload(client, first_id, first).status_code == 200
    # a copy of the laptop, restored from before that bundle, sends sequence 1 again
    device.last_id = device.last_sha = ""
    clone_id, clone = device.bundle(sequence=1)
    bundles, alerts = count_rows(home, "bundles"), count_rows(home, "alerts")
    refused(upload(client, clone_id, clone), 422, "sequence_reused")
    assert count_rows(home, "bundles") == bundles and clone_id not in stored_ids(home)
    assert count_rows(home, "alerts") == alerts + 1
    done = subprocess.run(
        [sys.executable, "-m", "homestudy.agency.cli", "--home", str(home.path), "inbox"],
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(REPO)),
        check=True,
    )
    assert "sequence_reused" in done.stdout and clone_id in done.stdout


def test_broken_hash_chain_is_refused(agency, client, device) -> None:
    home, _ = agency
    first_id, first = device.bundle()
    assert upload(client, first_id, first).status_code == 200
    device.last_id, device.last_sha = "not-the-previous", "0" * 64
    bundle_id, data = device.bundle()
    before = count_rows(home, "bundles")
    refused(upload(client, bundle_id, data), 422, "chain_broken")
    assert count_rows(home, "bundles") == before


def test_bundle_for_another_agency_is_refused(agency, client, device) -> None:
    home, _ = agency
    bundle_id, data = device.bundle(agency_id="AG-ELSEWHERE")
    before = count_rows(home, "bundles")
    refused(upload(client, bundle_id, data), 421, "wrong_agency")
    assert count_rows(home, "bundles") == before and bundle_id not in stored_ids(home)


def test_payload_too_large_is_refused(agency, client, device) -> None:
    home, _ = agency
    big = os.urandom(home.config.max_bundle_size + 1)
    bundle_id, data = device.bundle(attachments={"scan": big})
    before = count_rows(home, "bundles")
    refused(upload(client, bundle_id, data), 413, "too_large")

    def chunks() -> Iterator[bytes]:  # no Content-Length: the stream itself is capped
        for start in range(0, len(data), 1 << 20):
            yield data[start : start + (1 << 20)]

    refused(client.put(f"/bundles/{bundle_id}", content=chunks()), 413, "too_large")
    assert count_rows(home, "bundles") == before and bundle_id not in stored_ids(home)


def test_damaged_bundle_and_wrong_address_are_refused(agency, client, device) -> None:
    home, _ = agency
    bundle_id, data = device.bundle()
    before = count_rows(home, "bundles")
    refused(upload(client, bundle_id, data[: len(data) // 2]), 400, "malformed")
    refused(upload(client, "another-id", data), 400, "id_mismatch")
    assert count_rows(home, "bundles") == before


def test_enrolment_token_works_once(agency, client) -> None:
    home, url = agency
    token = enrolment_for(home, url).token
    first = TestDevice(home)
    assert first.register(client, token).status_code == 200
    assert first.register(client, token).status_code == 200  # a retry by the same device
    devices = count_rows(home, "devices")
    refused(TestDevice(home).register(client, token), 409, "enrolment_used")
    refused(TestDevice(home).register(client, "made-up"), 403, "enrolment_invalid")
    assert count_rows(home, "devices") == devices


def test_signed_requests_need_the_device_key(agency, client, device) -> None:
    target = f"/devices/{device.device_id}/assignments?after=0"
    good = signed_headers(device.device_id, device.secrets.signing_secret, "GET", target)
    assert client.get(target, headers=good).json() == {"assignments": []}
    status = f"/devices/{device.device_id}/status"
    answer = client.get(
        status,
        headers=signed_headers(device.device_id, device.secrets.signing_secret, "GET", status),
    )
    assert answer.json() == {
        "device_id": device.device_id,
        "revoked": False,
        "last_sequence": 0,
        "last_bundle_id": "",
        "last_sha256": "",
    }
    refused(client.get(status, headers=good), 401, "bad_signature")  # signed for another path
    other = TestDevice(device.home)
    forged = signed_headers(device.device_id, other.secrets.signing_secret, "GET", target)
    refused(client.get(target, headers=forged), 401, "bad_signature")
    replay = dict(good, **{"X-HomeStudy-Signature": base64.b64encode(b"junk").decode()})
    refused(client.get(target, headers=replay), 401, "bad_signature")


def test_the_poll_answers_keys_state_and_assignments_to_a_compact_signature(
    agency, client, device
) -> None:
    home, _ = agency
    secret = device.secrets.signing_secret
    target = f"/devices/{device.device_id}/poll?after=0"
    good = compact_signed_headers(secret, "GET", target)
    assert set(good) == {"X-HomeStudy-Time", "X-HomeStudy-Signature"}
    answer = client.get(target, headers=good).json()
    assert answer["keys"] == client.get("/keys").json()  # what GET /keys says
    assert answer["device"] == {"last_sequence": 0, "last_bundle_id": "", "last_sha256": ""}
    assert answer["assignments"] == []
    bundle_id, data = device.bundle()
    assert upload(client, bundle_id, data).status_code == 200
    version = SignedDocument.from_wire(answer["keys"]).body
    have = json.loads(version)["version"]
    again = f"/devices/{device.device_id}/poll?after=0&have={have}"
    answer = client.get(again, headers=compact_signed_headers(secret, "GET", again)).json()
    assert answer["keys"] == {"unchanged": have}  # the list itself only when it changed
    assert (answer["device"]["last_sequence"], answer["device"]["last_bundle_id"]) == (
        1,
        bundle_id,
    )
    # the compact signature binds path, query and time like the minisign one
    refused(client.get(again, headers=good), 401, "bad_signature")
    other = TestDevice(home)
    forged = compact_signed_headers(other.secrets.signing_secret, "GET", target)
    refused(client.get(target, headers=forged), 401, "bad_signature")
    stale = dict(good, **{"X-HomeStudy-Device": other.device_id})
    refused(client.get(target, headers=stale), 401, "bad_signature")  # another device named
    old = dict(good, **{"X-HomeStudy-Time": str(int(good["X-HomeStudy-Time"]) - 3600)})
    refused(client.get(target, headers=old), 401, "bad_signature")  # the time is signed
    # and the older endpoints take the compact form too (one verifier for both)
    status = f"/devices/{device.device_id}/status"
    assert client.get(status, headers=compact_signed_headers(secret, "GET", status)).is_success


def test_key_list_is_published_and_signed(agency, client) -> None:
    from homestudy.sync.signed import verify_key_list

    home, _ = agency
    doc = SignedDocument.from_wire(client.get("/keys").json())
    key_list, warning = verify_key_list(
        doc, trusted_public_key=home.signing_public, agency_id=home.agency_id, last_version=0
    )
    assert key_list.version == 1 and warning is None
    assert key_list.age_recipient == home.age_recipient
