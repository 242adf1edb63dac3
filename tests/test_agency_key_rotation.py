"""Agency key rotation end to end over 127.0.0.1 with the real inbox process: enrol,
sync, ``homestudy-agency rotate-keys`` while the inbox runs, sync again. New bundles go
to the new age recipient (stock ``age`` with only the new key opens them), receipts
and assignments verify with the new signing key, bundles sent before still open.
A key list signed by a key the laptop does not trust and a stale list are refused;
a laptop that missed two rotations follows the chain."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import TEST_KDF, TEST_PASSPHRASE
from ops_helpers import agency_cli
from sync_helpers import (
    InboxServer,
    enrolled_device,
    enrolment_for,
    kept_receipt,
    make_agency,
    running_inbox,
    sample_case,
)

from homestudy.agency import rotation
from homestudy.agency.home import AgencyHome
from homestudy.agency.inbox import Inbox
from homestudy.agency.rotation import PENDING, finish_rotation, rotate_keys
from homestudy.errors import SyncError
from homestudy.model import Case, Visit
from homestudy.serial import to_jsonable
from homestudy.sync import engine, keys, outbox
from homestudy.sync.bundle import PAYLOAD, sha256_hex
from homestudy.sync.client import InboxClient
from homestudy.sync.enrolment_flow import enrol
from homestudy.sync.outbox import ProfileState
from homestudy.sync.signed import (
    KeyList,
    SignedDocument,
    follow_key_lists,
    make_key_list,
    verify_receipt,
)
from homestudy.vault import Vault

needs_age = pytest.mark.skipif(
    shutil.which("age") is None, reason="stock age is not installed (tests/setup_system.sh)"
)


@pytest.fixture
def running(tmp_path: Path) -> Iterator[tuple[AgencyHome, InboxServer]]:
    with running_inbox(tmp_path / "agency") as both:
        yield both


def new_vault(folder: Path) -> Vault:
    return Vault.create(folder, TEST_PASSPHRASE, kdf=TEST_KDF)


def enrolled(vault: Vault, home: AgencyHome, url: str) -> ProfileState:
    state = enrol(vault, enrolment_for(home, url))
    outbox.watch(vault)
    return state


def edit(vault: Vault, case: Case, note: str) -> None:
    visits = vault.cases.load_case(case.id).visits
    vault.cases.save_visit(case.id, Visit(sequence=len(visits) + 1, title="Visit", notes=note))


def stored_bundle(home: AgencyHome, bundle_id: str) -> bytes:
    db = home.database(pool_size=1)
    try:
        with db.transaction() as cur:
            row = cur.one("SELECT data FROM bundles WHERE bundle_id = ?", (bundle_id,))
    finally:
        db.close()
    assert row is not None, "the inbox did not store the bundle"
    return bytes(row[0])


def stock_age_opens(tmp_path: Path, bundle: bytes, identity: str) -> bool:
    """Does stock ``age`` decrypt the bundle's payload with only this identity?"""
    with zipfile.ZipFile(io.BytesIO(bundle)) as zf:
        (tmp_path / "payload.age").write_bytes(zf.read(PAYLOAD))
    (tmp_path / "only.key").write_bytes(keys.age_identity_file(identity))
    done = subprocess.run(
        ["age", "-d", "-i", str(tmp_path / "only.key"), str(tmp_path / "payload.age")],
        capture_output=True,
        check=False,
    )
    # the payload is a zip, gzip-compressed in format 2 (docs/sync-payload.md)
    return done.returncode == 0 and done.stdout[:2] in (b"PK", b"\x1f\x8b")


def forged_list(home: AgencyHome, secret: str, version: int) -> SignedDocument:
    """A key list naming an attacker's keys, signed by a key the laptops never trusted."""
    stranger = keys.generate_keys()
    return make_key_list(
        secret,
        KeyList(
            agency_id=home.agency_id,
            version=version,
            issued_at="2026-11-01T00:00:00+00:00",
            expires_at="2099-01-01T00:00:00+00:00",
            age_recipient=stranger.age_recipient,
            signing_public_key=stranger.signing_public,
        ),
    )


def serve_list(home: AgencyHome, doc: SignedDocument, version: int) -> None:
    """Put a list in the inbox's database, as a tampered or restored inbox would serve it."""
    db = home.database(pool_size=1)
    try:
        with db.transaction(immediate=True) as cur:
            cur.execute(
                "INSERT INTO key_lists (version, body, signature, created_at) VALUES (?, ?, ?, ?)",
                (version, doc.body, doc.signature, "now"),
            )
    finally:
        db.close()


def drop_list(home: AgencyHome, version: int) -> None:
    db = home.database(pool_size=1)
    try:
        with db.transaction(immediate=True) as cur:
            cur.execute("DELETE FROM key_lists WHERE version = ?", (version,))
    finally:
        db.close()


@needs_age
@pytest.mark.slow
def test_rotation_end_to_end(tmp_path: Path, running, vault: Vault) -> None:
    home, server = running
    old_sign, old_age, old_receipt = home.signing_public, home.age_identity, home.receipt_public
    state = enrolled(vault, home, server.url)
    case = sample_case("HS-2026-0701")
    case.agency_profile_id = state.id
    vault.cases.save_case(case)

    # 1. before the rotation: a bundle to the old recipient, receipt by the old key
    (report,) = engine.sync_round(vault)
    assert report.sent == 1 and not report.error, report
    ((first_id, *_),) = outbox.receipts(vault, case.id)
    assert stock_age_opens(tmp_path, stored_bundle(home, first_id), old_age)

    # work frozen into a bundle before the laptop hears of the rotation, and a case the
    # agency assigned (signed with the old key) that the laptop has not fetched yet
    edit(vault, case, "Frozen before the rotation.")
    engine.prepare(vault)
    (frozen,) = outbox.all_items(vault)
    (tmp_path / "assigned.json").write_text(json.dumps(to_jsonable(sample_case("HS-2026-0702"))))
    done = agency_cli(
        home.path, "assign", "--assessor", "assessor-1", str(tmp_path / "assigned.json")
    )
    assert done.returncode == 0, done.stderr

    # 2. rotate while the inbox keeps running
    done = agency_cli(home.path, "rotate-keys")
    assert done.returncode == 0, done.stderr
    assert "Key list version 2" in done.stdout
    home = AgencyHome(home.path)
    assert home.signing_public != old_sign and home.age_identity != old_age
    assert home.age_identities == (home.age_identity, old_age)  # the old one kept
    assert (home.path / "agency-sign.pub").read_bytes() == keys.public_key_file(home.signing_public)
    assert (
        home.path / "retired-keys" / "agency-sign-until-v2.pub"
    ).read_bytes() == keys.public_key_file(old_sign)
    assert home.receipt_public != old_receipt  # the receipt key is replaced with the rest
    assert (
        home.path / "retired-keys" / "agency-receipt-until-v2.pub"
    ).read_bytes() == keys.public_key_file(old_receipt)
    assert not (home.path / PENDING).exists()
    assert (home.path / "agency.key").stat().st_mode & 0o777 == 0o600

    # 3. the laptop accepts the list (signed by the key it trusts), sends the frozen
    #    bundle (old recipient: the inbox still opens it) and imports the old-key case
    (report,) = engine.sync_round(vault)
    assert (report.sent, report.received_cases, report.error, report.warning) == (1, 1, "", "")
    state = outbox.profile(vault, state.id)
    assert state.key_list_version == 2
    assert state.agency_signing_public_key == home.signing_public
    assert state.agency_age_recipient == home.age_recipient
    assert state.agency_receipt_public_key == home.receipt_public
    doc, sha = kept_receipt(vault, frozen.bundle_id)
    verify_receipt(
        doc, agency_public_key=home.receipt_public, bundle_id=frozen.bundle_id, sha256=sha
    )  # the running inbox signs with the new receipt key already
    assert vault.cases.find_by_reference("HS-2026-0702").agency_profile_id == state.id

    # 4. new work goes to the new recipient; its receipt is by the new key only
    edit(vault, case, "After the rotation.")
    (report,) = engine.sync_round(vault)
    assert report.sent == 1 and not report.error, report
    newest = next(
        r[0] for r in outbox.receipts(vault, case.id) if r[0] not in (first_id, frozen.bundle_id)
    )
    data = stored_bundle(home, newest)
    assert stock_age_opens(tmp_path, data, home.age_identity)
    assert not stock_age_opens(tmp_path, data, old_age)
    doc, sha = kept_receipt(vault, newest)
    verify_receipt(doc, agency_public_key=home.receipt_public, bundle_id=newest, sha256=sha)
    for other in (old_receipt, home.signing_public):
        with pytest.raises(SyncError):
            verify_receipt(doc, agency_public_key=other, bundle_id=newest, sha256=sha)

    # 5. bundles received before the rotation still open for a supervisor
    for bundle_id, note in ((first_id, None), (frozen.bundle_id, "Frozen before the rotation.")):
        done = agency_cli(home.path, "open", bundle_id, "--out", str(tmp_path / bundle_id))
        assert done.returncode == 0, done.stderr
        document = json.loads((tmp_path / bundle_id / "HS-2026-0701.case.json").read_text())
        assert document["case"]["reference"] == "HS-2026-0701"
        if note:
            assert document["case"]["visits"][-1]["notes"] == note

    # 6. a case assigned after the rotation is signed by the new key and arrives
    (tmp_path / "later.json").write_text(json.dumps(to_jsonable(sample_case("HS-2026-0703"))))
    assert (
        agency_cli(
            home.path, "assign", "--assessor", "assessor-1", str(tmp_path / "later.json")
        ).returncode
        == 0
    )
    (report,) = engine.sync_round(vault)
    assert report.received_cases == 1 and not report.error, report


def test_unknown_signer_and_stale_lists_are_refused(tmp_path: Path, running, vault: Vault) -> None:
    home, server = running
    state = enrolled(vault, home, server.url)
    engine.sync_round(vault)
    db = home.database(pool_size=1)
    try:
        rotate_keys(home, db)  # version 2: the laptop follows it
    finally:
        db.close()
    (report,) = engine.sync_round(vault)
    assert not report.warning and outbox.profile(vault, state.id).key_list_version == 2
    trusted = outbox.profile(vault, state.id)

    # a list signed by a key the laptop never trusted: refused, keys unchanged
    stranger = keys.generate_keys()
    serve_list(home, forged_list(home, stranger.signing_secret, 3), 3)
    (report,) = engine.sync_round(vault)
    assert "not signed by the agency's key" in report.warning
    after = outbox.profile(vault, state.id)
    assert (
        after.key_list_version,
        after.agency_signing_public_key,
        after.agency_age_recipient,
    ) == (2, trusted.agency_signing_public_key, trusted.agency_age_recipient)
    drop_list(home, 3)

    # the agency renews (version 3); then an inbox restored from an old backup serves
    # version 2 again: refused as older than the one seen, keys unchanged
    assert agency_cli(home.path, "publish-keys", "--days", "30").returncode == 0
    engine.sync_round(vault)
    assert outbox.profile(vault, state.id).key_list_version == 3
    drop_list(home, 3)
    (report,) = engine.sync_round(vault)
    assert "older key list (version 2, already seen 3)" in report.warning
    after = outbox.profile(vault, state.id)
    assert (after.key_list_version, after.agency_signing_public_key) == (
        3,
        trusted.agency_signing_public_key,
    )


def test_a_laptop_that_missed_two_rotations_follows_the_chain(tmp_path: Path, running) -> None:
    home, server = running
    asleep = new_vault(tmp_path / "asleep")
    try:
        state = enrolled(asleep, home, server.url)
        engine.sync_round(asleep)
        db = home.database(pool_size=1)
        try:
            first = rotate_keys(home, db)
            second = rotate_keys(home, db, days=0)  # expires at once: laptops warn
        finally:
            db.close()
        assert keys.age_recipient(home.age_identities[0]) == second.age_recipient
        assert len(home.age_identities) == 3  # every identity the agency ever had
        assert first.signing_public != second.signing_public
        (report,) = engine.sync_round(asleep)
        assert "expired" in report.warning and not report.error
        state = outbox.profile(asleep, state.id)
        assert (
            state.key_list_version,
            state.agency_signing_public_key,
            state.agency_age_recipient,
        ) == (3, second.signing_public, second.age_recipient)
    finally:
        asleep.close()
    # a laptop enrolled now trusts only the newest key, and accepts the same lists
    fresh = new_vault(tmp_path / "fresh")
    try:
        state = enrolled(fresh, home, server.url)
        assert state.agency_signing_public_key == second.signing_public
        (report,) = engine.sync_round(fresh)
        assert not report.error and outbox.profile(fresh, state.id).key_list_version == 3
    finally:
        fresh.close()


def test_trust_moves_only_through_lists_signed_by_a_trusted_key() -> None:
    agency_id = "AG-TEST"
    a, b, c, mallory = (keys.generate_keys() for _ in range(4))

    def listed(
        signer: keys.DeviceKeys,
        names: keys.DeviceKeys,
        version: int,
        also: keys.DeviceKeys | None = None,
    ) -> SignedDocument:
        return make_key_list(
            signer.signing_secret,
            KeyList(
                agency_id=agency_id,
                version=version,
                issued_at="2026-11-01T00:00:00+00:00",
                expires_at="2099-01-01T00:00:00+00:00",
                age_recipient=names.age_recipient,
                signing_public_key=names.signing_public,
            ),
            also_signed_by=also.signing_secret if also else "",
        )

    chain = [listed(a, b, 2, also=b), listed(b, c, 5, also=c), listed(c, c, 6)]
    for trusted, seen in ((a, 1), (b, 2), (c, 5)):  # wherever a laptop stands, it arrives
        found, warning = follow_key_lists(
            chain, trusted_public_key=trusted.signing_public, agency_id=agency_id, last_version=seen
        )
        assert (found.version, found.signing_public_key, warning) == (6, c.signing_public, None)
    # the rotation list verifies with either of its signatures, and over the wire
    wire = SignedDocument.from_wire(json.loads(json.dumps(chain[0].to_wire())))
    for key in (a, b):
        assert (
            follow_key_lists(
                [wire], trusted_public_key=key.signing_public, agency_id=agency_id, last_version=0
            )[0].version
            == 2
        )
    # a link forged by a stranger moves no trust, so its keys are never reached
    forged = [listed(mallory, mallory, 3), listed(mallory, mallory, 4)]
    with pytest.raises(SyncError, match="not signed by the agency's key"):
        follow_key_lists(
            forged, trusted_public_key=a.signing_public, agency_id=agency_id, last_version=1
        )
    with pytest.raises(SyncError, match="not signed by the agency's key"):
        follow_key_lists(
            [chain[0], listed(mallory, mallory, 3)],
            trusted_public_key=a.signing_public,
            agency_id=agency_id,
            last_version=1,
        )


def test_an_interrupted_rotation_is_finished(tmp_path: Path, monkeypatch) -> None:
    home = make_agency(tmp_path / "agency")
    old_sign = home.signing_public
    real_write = rotation.write_atomic

    def crash_on_signing_key(path: Path, data: bytes, mode: int = 0o600) -> Path:
        """A power cut just before the new signing key is written."""
        if Path(path).name == "agency-sign.key":
            raise OSError("power cut")
        return real_write(path, data, mode)

    db = home.database(pool_size=1)
    try:
        monkeypatch.setattr(rotation, "write_atomic", crash_on_signing_key)
        with pytest.raises(OSError):
            rotate_keys(home, db)
        monkeypatch.undo()
        # published, but the old signing key is still in place: finish it
        home = AgencyHome(home.path)
        assert home.signing_public == old_sign and (home.path / PENDING).exists()
        done = finish_rotation(home, db)
        assert done is not None and done.version == 2
        assert finish_rotation(home, db) is None
        with db.transaction() as cur:
            assert cur.one("SELECT MAX(version) FROM key_lists") == (2,)  # published once
    finally:
        db.close()
    home = AgencyHome(home.path)
    assert home.signing_public == done.signing_public != old_sign
    assert home.age_recipient == done.age_recipient and len(home.age_identities) == 2


def test_stock_tools_check_a_rotation_list_and_the_new_keys(tmp_path: Path) -> None:
    if shutil.which("minisign") is None or shutil.which("age") is None:
        pytest.skip("stock minisign/age not installed (tests/setup_system.sh installs them)")
    home = make_agency(tmp_path / "agency")
    old_pub = home.signing_public
    assert agency_cli(home.path, "rotate-keys", "--days", "90").returncode == 0
    home = AgencyHome(home.path)
    db = home.database(pool_size=1)
    try:
        wire = Inbox(home, db).key_lists_wire()
    finally:
        db.close()
    doc = SignedDocument.from_wire(wire)
    (tmp_path / "keylist.json").write_bytes(doc.body)
    (tmp_path / "old.minisig").write_bytes(doc.signature)
    (tmp_path / "new.minisig").write_bytes(doc.extra_signatures[0])
    for sig, pub in (
        ("old.minisig", home.path / "retired-keys" / "agency-sign-until-v2.pub"),
        ("new.minisig", home.path / "agency-sign.pub"),
    ):
        done = subprocess.run(
            ["minisign", "-V", "-m", "keylist.json", "-x", sig, "-p", str(pub)],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
    assert json.loads(doc.body)["signing_public_key"] == home.signing_public != old_pub
    # stock age with the agency.key file (several identities) opens old and new bundles
    for recipient in (keys.age_recipient(i) for i in home.age_identities):
        sealed = subprocess.run(
            ["age", "-r", recipient], input=b"hello", capture_output=True, check=True
        ).stdout
        opened = subprocess.run(
            ["age", "-d", "-i", str(home.path / "agency.key")],
            input=sealed,
            capture_output=True,
            check=False,
        )
        assert opened.stdout == b"hello", opened.stderr


@pytest.mark.parametrize("inbox", ["current", "older"])
def test_a_round_cut_off_before_the_assignments_keeps_the_old_key(
    tmp_path: Path, running, vault: Vault, inbox: str
) -> None:
    """Cases the agency signed with the old key may still be waiting: the laptop moves to
    the new key only in a round that has collected them. A current inbox sends the key
    list and the assignments in one answer (the poll, here cut off); an older one is
    asked apart, and the line drops after the key list."""
    home, server = running
    state = enrolled(vault, home, server.url)
    engine.sync_round(vault)
    (tmp_path / "case.json").write_text(json.dumps(to_jsonable(sample_case("HS-2026-0801"))))
    assert (
        agency_cli(
            home.path, "assign", "--assessor", "assessor-1", str(tmp_path / "case.json")
        ).returncode
        == 0
    )
    db = home.database(pool_size=1)
    try:
        rotate_keys(home, db)
    finally:
        db.close()

    real = httpx.HTTPTransport()

    def cut_off(request: httpx.Request) -> httpx.Response:  # the network drops mid-round
        if request.url.path.endswith("/poll") and inbox == "older":
            return httpx.Response(404, content=b"Not Found")
        if request.url.path.endswith(("/assignments", "/poll")):
            raise httpx.ConnectError("connection lost", request=request)
        return real.handle_request(request)

    try:
        (report,) = engine.sync_round(
            vault,
            lambda s: InboxClient(
                s.profile.inbox_url, transport=httpx.MockTransport(cut_off), retries=0
            ),
        )
    finally:
        real.close()
    assert report.offline
    kept = outbox.profile(vault, state.id)
    assert (kept.key_list_version, kept.agency_signing_public_key) == (
        1,
        state.agency_signing_public_key,
    )
    (report,) = engine.sync_round(vault)
    assert report.received_cases == 1 and not report.error, report
    moved = outbox.profile(vault, state.id)
    assert (moved.key_list_version, moved.agency_signing_public_key) == (2, home.signing_public)


def test_a_retried_upload_gets_its_receipt_signed_by_the_new_key(tmp_path: Path) -> None:
    """A laptop that lost the answer before a rotation retries after it: the same receipt
    body, now signed by the key it trusts."""
    home = make_agency(tmp_path / "agency")
    db = home.database(pool_size=2)
    try:
        inbox = Inbox(home, db)
        device = enrolled_device(inbox, inbox.new_token("assessor-1", "Sam Assessor"))
        bundle_id, data = device.bundle()
        before = inbox.accept(bundle_id, data)
        old_receipt = home.receipt_public
        rotate_keys(home, db)
        after = inbox.accept(bundle_id, data)
    finally:
        db.close()
    sha = sha256_hex(data)
    assert after.body == before.body
    verify_receipt(after, agency_public_key=home.receipt_public, bundle_id=bundle_id, sha256=sha)
    verify_receipt(before, agency_public_key=old_receipt, bundle_id=bundle_id, sha256=sha)
    with pytest.raises(SyncError):
        verify_receipt(
            before, agency_public_key=home.receipt_public, bundle_id=bundle_id, sha256=sha
        )
