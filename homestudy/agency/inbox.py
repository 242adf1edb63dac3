"""What the inbox does, apart from HTTP: accept bundles, enrol and revoke devices.

Every refusal is a ``Refusal`` with its own HTTP status and code, and is decided
before anything is written: a refused bundle leaves no row behind (only a
re-used sequence number writes an alert, which is the point of checking it).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from homestudy.agency.db import Cursor, Database
from homestudy.agency.home import AgencyHome
from homestudy.errors import BundleError
from homestudy.sync import keys
from homestudy.sync.bundle import KIND_CASE, open_bundle, read_manifest, sha256_hex
from homestudy.sync.signed import Receipt, SignedDocument, make_receipt, request_text

REQUEST_WINDOW = timedelta(minutes=10)  # signed GETs must be this fresh (clock skew)


class Refusal(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


@dataclass(frozen=True)
class Device:
    device_id: str
    assessor_id: str
    signing_public_key: str
    age_recipient: str
    revoked: bool


class Inbox:
    def __init__(self, home: AgencyHome, db: Database) -> None:
        self.home, self.db = home, db

    # ----------------------------------------------------------------- devices

    def device(self, device_id: str) -> Device | None:
        with self.db.transaction() as cur:
            row = cur.one(
                "SELECT device_id, assessor_id, signing_public_key, age_recipient, revoked_at "
                "FROM devices WHERE device_id = ?", (device_id,))
        return None if row is None else Device(*row[:4], revoked=row[4] is not None)

    def active_device(self, device_id: str) -> Device:
        device = self.device(device_id)
        if device is None:
            raise Refusal(403, "unknown_device", "This device is not enrolled with the agency.")
        if device.revoked:
            raise Refusal(410, "device_revoked", "The agency has revoked this device.")
        return device

    def revoke(self, device_id: str) -> bool:
        with self.db.transaction(immediate=True) as cur:
            if cur.lock_device(device_id, "device_id") is None:
                return False
            cur.execute("UPDATE devices SET revoked_at = ? WHERE device_id = ? "
                        "AND revoked_at IS NULL", (now_iso(), device_id))
        return True

    def restore_device(self, device_id: str) -> bool:
        """Un-revoke a device revoked by mistake; False if no such device."""
        with self.db.transaction(immediate=True) as cur:
            if cur.lock_device(device_id, "device_id") is None:
                return False
            cur.execute("UPDATE devices SET revoked_at = NULL WHERE device_id = ?", (device_id,))
        return True

    def sequence_state(self, device_id: str) -> dict[str, Any]:
        """The last bundle the inbox holds from a device (a laptop restored from its own
        backup continues after it instead of re-using numbers)."""
        with self.db.transaction() as cur:
            row = cur.one("SELECT last_sequence, last_bundle_id, last_sha256 FROM devices "
                          "WHERE device_id = ?", (device_id,))
        if row is None:
            return {}
        return {"last_sequence": int(row[0]), "last_bundle_id": row[1], "last_sha256": row[2]}

    def check_signed_request(self, device_id: str, method: str, target: str,
                             stamp: str, signature: bytes) -> Device:
        device = self.active_device(device_id)
        try:
            when = datetime.fromtimestamp(int(stamp), UTC)
            keys.verify(device.signing_public_key, request_text(method, target, stamp), signature)
        except Exception as exc:
            raise Refusal(401, "bad_signature", "The request's signature does not verify.") \
                from exc
        if abs(datetime.now(UTC) - when) > REQUEST_WINDOW:
            raise Refusal(401, "stale_request", "The request is too old; check the clock.")
        return device

    # ----------------------------------------------------------------- enrolment

    def new_token(self, assessor_id: str, assessor_name: str, days: int = 14) -> str:
        import secrets

        token = secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        with self.db.transaction(immediate=True) as cur:
            cur.execute(
                "INSERT INTO enrolment_tokens (token_sha256, assessor_id, assessor_name, "
                "created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                (_token_hash(token), assessor_id, assessor_name, now.isoformat(),
                 (now + timedelta(days=days)).isoformat()),
            )
        return token

    def enrol(self, wire: Any) -> dict[str, Any]:
        """Register a device's public keys against a one-time token."""
        try:
            doc = SignedDocument.from_wire(wire)
            reg = json.loads(doc.body)
            fields = ("token", "device_id", "assessor_id", "signing_public_key",
                      "age_recipient", "agency_id", "device_name")
            if not all(isinstance(reg.get(k), str) for k in fields):
                raise ValueError("missing field")
        except ValueError as exc:
            raise Refusal(400, "malformed", "The enrolment request is not readable.") from exc
        if reg["agency_id"] != self.home.agency_id:
            raise Refusal(421, "wrong_agency", "This enrolment is for another agency.")
        try:  # proof that the device holds the private half of the key it registers
            keys.verify(reg["signing_public_key"], doc.body, doc.signature)
            if not keys.valid_recipient(reg["age_recipient"]):
                raise ValueError("bad recipient")
        except Exception as exc:
            raise Refusal(401, "bad_signature", "The enrolment request is not signed.") from exc
        with self.db.transaction(immediate=True) as cur:
            token = cur.one("SELECT assessor_id, expires_at, used_at, device_id FROM "
                            "enrolment_tokens WHERE token_sha256 = ?", (_token_hash(reg["token"]),))
            if token is None or token[0] != reg["assessor_id"]:
                raise Refusal(403, "enrolment_invalid", "The enrolment token is not valid.")
            existing = cur.lock_device(reg["device_id"], "signing_public_key, age_recipient")
            if token[2] is not None:  # used: fine only as a retry by the same device and keys
                same = existing == (reg["signing_public_key"], reg["age_recipient"])
                if token[3] != reg["device_id"] or not same:
                    raise Refusal(409, "enrolment_used", "The enrolment token was already used.")
            else:
                if datetime.fromisoformat(token[1]) < datetime.now(UTC):
                    raise Refusal(403, "enrolment_expired", "The enrolment token has expired.")
                if existing is not None:
                    raise Refusal(409, "device_exists", "This device id is already enrolled.")
                cur.execute(
                    "INSERT INTO devices (device_id, assessor_id, device_name, "
                    "signing_public_key, age_recipient, enrolled_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (reg["device_id"], reg["assessor_id"], reg["device_name"][:200],
                     reg["signing_public_key"], reg["age_recipient"], now_iso()))
                cur.execute("UPDATE enrolment_tokens SET used_at = ?, device_id = ? "
                            "WHERE token_sha256 = ?",
                            (now_iso(), reg["device_id"], _token_hash(reg["token"])))
        return {"agency_id": self.home.agency_id, "device_id": reg["device_id"]}

    # ----------------------------------------------------------------- bundles

    def accept(self, bundle_id: str, data: bytes) -> SignedDocument:
        """Verify and store a bundle; its receipt. Raises ``Refusal`` storing nothing."""
        self.home.refresh()  # keys rotated while the inbox runs: sign with the new ones
        limit = self.home.config.max_bundle_size
        if len(data) > limit:
            raise Refusal(413, "too_large", "The bundle is larger than the inbox accepts.")
        try:
            claimed = read_manifest(data, max_size=limit)
        except BundleError as exc:
            raise Refusal(400, "malformed", exc.message) from exc
        if claimed.bundle_id != bundle_id:
            raise Refusal(400, "id_mismatch", "The address does not match the bundle's id.")
        if claimed.agency_id != self.home.agency_id:
            raise Refusal(421, "wrong_agency", "This bundle is addressed to another agency.")
        if claimed.kind != KIND_CASE:
            raise Refusal(400, "invalid", "Only case bundles can be sent to the inbox.")
        digest = sha256_hex(data)
        stored = self._stored(bundle_id)
        if stored is not None and stored[0] == digest:
            return self._current_receipt(stored[1], stored[2])  # a retry: the same receipt
        device = self.active_device(claimed.device_id)
        try:
            opened = open_bundle(
                data, signer_public_key=device.signing_public_key,
                identity=self.home.age_identities, expected_agency_id=self.home.agency_id,
                expected_device_id=device.device_id, expected_kind=KIND_CASE, max_size=limit)
        except BundleError as exc:
            status, code = (401, "bad_signature") if exc.check == "signature" else (400, "invalid")
            raise Refusal(status, code, exc.message) from exc
        for _attempt in range(3):  # a concurrent twin may win the insert; then re-decide
            try:
                return self._store(opened.manifest, data, digest, opened.extras)
            except self.db.IntegrityError:
                continue
        raise Refusal(503, "busy", "The inbox is busy; try again.")

    def _stored(self, bundle_id: str) -> tuple[str, bytes, bytes] | None:
        with self.db.transaction() as cur:
            row = cur.one("SELECT sha256, receipt_body, receipt_signature FROM bundles "
                          "WHERE bundle_id = ?", (bundle_id,))
        return None if row is None else (row[0], row[1], row[2])

    def _store(self, m: Any, data: bytes, digest: str,
               extras: dict[str, bytes] | None = None) -> SignedDocument:
        from homestudy.agency.messages import REVIEW_REPLIES, record_replies

        alert: tuple[str, str] | None = None
        try:
            with self.db.transaction(immediate=True) as cur:
                dev = cur.lock_device(m.device_id, "revoked_at, last_sequence, last_bundle_id, "
                                                   "last_sha256")
                if dev is None or dev[0] is not None:
                    raise Refusal(410, "device_revoked", "The agency has revoked this device.")
                row = cur.one("SELECT sha256, receipt_body, receipt_signature FROM bundles "
                              "WHERE bundle_id = ?", (m.bundle_id,))
                if row is not None:
                    if row[0] == digest:
                        return self._current_receipt(row[1], row[2])
                    raise Refusal(409, "bundle_conflict",
                                  "A different bundle was already received under this id.")
                last_seq, last_id, last_sha = int(dev[1]), dev[2], dev[3]
                if _sequence_used(cur, m.device_id, m.sequence):
                    alert = ("sequence_reused",
                             f"sequence {m.sequence} arrived after {last_seq}: the laptop may "
                             "have been copied or restored from a backup")
                    raise Refusal(422, "sequence_reused",
                                  "This device already sent a bundle with that sequence number.")
                if m.sequence == last_seq + 1 and (m.previous_bundle_id, m.previous_sha256) != (
                        last_id, last_sha):
                    alert = ("chain_broken", f"sequence {m.sequence} does not follow {last_id}")
                    raise Refusal(422, "chain_broken",
                                  "This bundle does not follow the device's previous bundle.")
                receipt = make_receipt(self.home.signing_secret, Receipt(
                    bundle_id=m.bundle_id, sha256=digest, size=len(data), received_at=now_iso(),
                    agency_id=self.home.agency_id, device_id=m.device_id, sequence=m.sequence))
                cur.execute(
                    "INSERT INTO bundles (bundle_id, device_id, sequence, case_id, "
                    "case_reference, sha256, size, data, received_at, receipt_body, "
                    "receipt_signature) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (m.bundle_id, m.device_id, m.sequence, m.case_id, m.case_reference, digest,
                     len(data), data, now_iso(), receipt.body, receipt.signature))
                if m.sequence > last_seq:  # an earlier one arriving late fills its gap
                    cur.execute("UPDATE devices SET last_sequence = ?, last_bundle_id = ?, "
                                "last_sha256 = ? WHERE device_id = ?",
                                (m.sequence, m.bundle_id, digest, m.device_id))
                if extras and REVIEW_REPLIES in extras:
                    record_replies(cur, device_id=m.device_id, bundle_id=m.bundle_id,
                                   case_id=m.case_id, raw=extras[REVIEW_REPLIES])
                return receipt
        except Refusal:
            if alert is not None:
                self._alert(alert[0], m.device_id, m.bundle_id, m.sequence, alert[1])
            raise

    def _alert(self, kind: str, device_id: str, bundle_id: str, seq: int, detail: str) -> None:
        with self.db.transaction(immediate=True) as cur:
            cur.execute("INSERT INTO alerts (created_at, kind, device_id, bundle_id, sequence, "
                        "detail) VALUES (?, ?, ?, ?, ?, ?)",
                        (now_iso(), kind, device_id, bundle_id, seq, detail))

    def _current_receipt(self, body: bytes, signature: bytes) -> SignedDocument:
        """A stored receipt, its signature renewed if the agency has since rotated its
        signing key (the device trusts only the new key once it has the new list)."""
        try:
            keys.verify(self.home.signing_public, body, signature)
            return SignedDocument(body, signature)
        except ValueError:
            comment = f"homestudy receipt {json.loads(body)['bundle_id']}"
            return SignedDocument(body, keys.sign(self.home.signing_secret, body, comment))

    def current_key_list(self) -> SignedDocument:
        return self.published_key_lists()[-1]

    def published_key_lists(self) -> list[SignedDocument]:
        """The lists that rotated the signing key, oldest first, then the current list
        (what ``GET /keys`` sends, so a device that missed a rotation can follow)."""
        with self.db.transaction() as cur:
            rows = cur.all("SELECT body, signature, extra_signatures FROM key_lists "
                           "ORDER BY version")
        if not rows:
            raise Refusal(503, "no_key_list", "The agency has not published its keys.")
        docs = [SignedDocument(r[0], r[1], tuple(s.encode("ascii") for s in
                                                 json.loads(r[2] or "[]"))) for r in rows]
        chain, previous = [], None
        for doc in docs[:-1]:
            signer = json.loads(doc.body).get("signing_public_key")
            if previous is not None and signer != previous:
                chain.append(doc)
            previous = signer
        return [*chain, docs[-1]]

    def key_lists_wire(self) -> dict[str, Any]:
        *chain, current = self.published_key_lists()
        wire = current.to_wire()
        if chain:
            wire["chain"] = [doc.to_wire() for doc in chain]
        return wire

    def assignments(self, device_id: str, after: int, last: str = "") -> list[dict[str, Any]]:
        """What waits for a device after ``after``; asking acknowledges ``after``/``last``
        (``homestudy.agency.messages.acknowledge``)."""
        import base64

        from homestudy.agency.messages import acknowledge

        acknowledge(self.db, self.home, device_id, after, last)
        with self.db.transaction() as cur:
            rows = cur.all("SELECT bundle_id, sequence, data, kind FROM assignments WHERE "
                           "device_id = ? AND sequence > ? ORDER BY sequence", (device_id, after))
        return [{"bundle_id": r[0], "sequence": int(r[1]), "kind": r[3],
                 "data": base64.b64encode(r[2]).decode("ascii")} for r in rows]


def _sequence_used(cur: Cursor, device_id: str, sequence: int) -> bool:
    return cur.one("SELECT 1 FROM bundles WHERE device_id = ? AND sequence = ?",
                   (device_id, sequence)) is not None


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()

