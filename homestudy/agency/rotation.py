"""Rotate the agency's keys: a new age identity, Ed25519 signing key and receipt key;
or the receipt key alone (``rotate_receipt_key``).

Devices trust the agency's signing key from their enrolment file, so the new keys
reach them as key list version N+1, signed by the OLD signing key (which they trust)
and by the new one (for devices enrolled from now on). A device that accepts it
encrypts new bundles to the new recipient and checks receipts and assignments with
the new key; ``GET /keys`` also sends the earlier rotation lists, so a laptop that
missed a rotation follows the chain from the key it has.

The steps are each safe to repeat, and a crash part-way is finished the next time
``rotate-keys``, ``publish-keys`` or ``serve`` runs (``finish_rotation``):

1. ``rotation.pending`` (0600): the new keys, written before anything else changes;
2. ``agency.key``: the new identity first, every older one kept after it, so bundles
   encrypted to an old recipient still open (the inbox and stock ``age`` try each);
3. the key list naming the new keys, published in the database;
4. ``agency-sign.key``/``.pub`` and ``agency-receipt.key``/``.pub`` replaced by the new
   keys; the old public keys kept as ``retired-keys/agency-sign-until-vN.pub`` and
   ``retired-keys/agency-receipt-until-vN.pub`` to check old receipts with stock minisign
   (the old secret keys are not kept: they sign nothing from now on);
5. ``rotation.pending`` removed.

The receipt key alone (the inbox host is suspected, or an older folder gets its first
one: ``ensure_receipt_key``) is replaced the same way by a key list signed by the
current signing key, so it is done where that key is (console or admin host); the new
``agency-receipt.key`` is then copied to the inbox host. Until it is there the inbox's
receipts are refused by laptops that took the new list, and they keep their bundles and
send them again: nothing is lost.

A running inbox notices the replaced key files and signs with the new key (``AgencyHome.
refresh``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from homestudy.agency import keystore
from homestudy.agency.db import Database
from homestudy.agency.home import RECEIPT_KEY, AgencyHome
from homestudy.atomic import write_atomic
from homestudy.errors import AgencyError
from homestudy.sync import keys

PENDING = "rotation.pending"
PENDING_FORMAT = "homestudy-agency-rotation"
RETIRED = "retired-keys"
RECEIPT_ONLY = "receipt"  # a pending file's "kind" when only the receipt key changes


@dataclass(frozen=True)
class Rotation:
    version: int  # the key list that names the new keys
    signing_public: str
    age_recipient: str
    old_signing_public: str
    kept_identities: int  # age identities in agency.key, the new one included
    receipt_public: str = ""
    old_receipt_public: str = ""  # "" when receipts were signed by the signing key


def rotate_keys(home: AgencyHome, db: Database, *, days: int | None = None) -> Rotation:
    """Make new agency keys and publish them; ``home`` holds the new keys afterwards."""
    db.migrate()
    if finish_rotation(home, db) is not None:
        home.refresh()
    new = keys.generate_keys()
    pending = {
        "format": PENDING_FORMAT,
        "format_version": 1,
        "new_signing_secret": new.signing_secret,
        "new_age_identity": new.age_identity,
        "new_receipt_secret": keys.generate_signing_key(),
        "old_signing_public": home.signing_public,
        "days": days if days is not None else home.config.key_list_days,
    }
    _write_pending(home, pending, protect=home.protected()["agency.key"])
    return _complete(home, db, pending)


def rotate_receipt_key(home: AgencyHome, db: Database, *, days: int | None = None) -> Rotation:
    """A new receipt key (the first, in an older folder), named by a new key list signed
    by the current signing key; the signing and decryption keys stay as they are."""
    db.migrate()
    if finish_rotation(home, db) is not None:
        home.refresh()
    pending = {
        "format": PENDING_FORMAT,
        "format_version": 1,
        "kind": RECEIPT_ONLY,
        "new_receipt_secret": keys.generate_signing_key(),
        "old_receipt_public": home.receipt_public if home.has_receipt_key else "",
        "days": days if days is not None else home.config.key_list_days,
    }
    _write_pending(home, pending, protect=home.protected()["agency-sign.key"])
    return _complete_receipt(home, db, pending)


def ensure_receipt_key(home: AgencyHome, db: Database) -> Rotation | None:
    """Give an agency folder made before receipt keys its first one; None if it has one."""
    if home.has_receipt_key and not (home.path / PENDING).exists():
        return None
    done = finish_rotation(home, db)
    if done is not None or home.has_receipt_key:
        return done
    return rotate_receipt_key(home, db)


def _write_pending(home: AgencyHome, pending: dict[str, object], *, protect: bool) -> None:
    data = json.dumps(pending).encode("utf-8")
    if protect:  # the new secrets are kept as safe as the old
        data = keystore.protect_identity_file(data, home._unlock_with())
    write_atomic(home.path / PENDING, data)


def finish_rotation(home: AgencyHome, db: Database) -> Rotation | None:
    """Finish a rotation that a crash interrupted; None when there is none."""
    path = home.path / PENDING
    if not path.exists():
        return None
    try:
        raw = path.read_bytes()
        if keystore.is_protected_identity_file(raw):
            raw = keystore.unprotect_identity_file(raw, home._unlock_with())
        pending = json.loads(raw.decode("utf-8"))
        if pending.get("format") != PENDING_FORMAT:
            raise ValueError("not a rotation file")
    except (OSError, ValueError) as exc:
        raise AgencyError(f"The unfinished key rotation in {path} could not be read.") from exc
    if pending.get("kind") == RECEIPT_ONLY:
        return _complete_receipt(home, db, pending)
    return _complete(home, db, pending)


def _complete(home: AgencyHome, db: Database, pending: dict[str, object]) -> Rotation:
    new = keys.DeviceKeys(
        signing_secret=str(pending["new_signing_secret"]),
        age_identity=str(pending["new_age_identity"]),
    )
    old_public = str(pending["old_signing_public"])
    # a pending file from before receipt keys rotates none: the current one (if any) stays
    receipt = str(pending.get("new_receipt_secret") or "")
    old_receipt = home.receipt_public if home.has_receipt_key else ""
    receipt_public = keys.signing_public_key(receipt) if receipt else old_receipt
    # 2. the new identity first; every older one kept
    identities = [new.age_identity, *(i for i in home.age_identities if i != new.age_identity)]
    if list(home.age_identities) != identities:
        home.write_identities(identities)  # protected again if it was
    home.refresh()
    # 3. the key list, signed by the old key (still agency-sign.key until step 4)
    version = _published_version(db, new.signing_public)
    if version is None:
        if home.signing_public != old_public:
            raise AgencyError(
                "The agency's signing key changed during a key rotation; "
                "the rotation cannot be finished safely."
            )
        expires = datetime.now(UTC) + timedelta(days=int(str(pending["days"])))
        doc = home.publish_key_list(
            db, expires_at=expires, new_keys=new, receipt_public=receipt_public
        )
        version = int(json.loads(doc.body)["version"])
    # 4. the new signing key in place; the old public half kept for old receipts
    write_atomic(
        home.path / RETIRED / f"agency-sign-until-v{version}.pub",
        keys.public_key_file(old_public),
        0o644,
    )
    if receipt and old_receipt != receipt_public:
        _replace_receipt_key(home, receipt, old_receipt, version)
    write_atomic(home.path / "agency-sign.key", home.signing_key_file(new.signing_secret))
    write_atomic(home.path / "agency-sign.pub", keys.public_key_file(new.signing_public), 0o644)
    # 5. done
    (home.path / PENDING).unlink(missing_ok=True)
    home.refresh()
    return Rotation(
        version=version,
        signing_public=new.signing_public,
        age_recipient=new.age_recipient,
        old_signing_public=old_public,
        kept_identities=len(identities),
        receipt_public=receipt_public,
        old_receipt_public=old_receipt,
    )


def _complete_receipt(home: AgencyHome, db: Database, pending: dict[str, object]) -> Rotation:
    secret = str(pending["new_receipt_secret"])
    public = keys.signing_public_key(secret)
    old = str(pending.get("old_receipt_public") or "")
    version = _published_version(db, public, field="receipt_public_key")
    if version is None:  # signed by the signing key laptops already trust
        expires = datetime.now(UTC) + timedelta(days=int(str(pending["days"])))
        doc = home.publish_key_list(db, expires_at=expires, receipt_public=public)
        version = int(json.loads(doc.body)["version"])
    current = home.receipt_public if home.has_receipt_key else ""
    if current != public:
        _replace_receipt_key(home, secret, old, version)
    (home.path / PENDING).unlink(missing_ok=True)
    home.refresh()
    return Rotation(
        version=version,
        signing_public=home.signing_public,
        age_recipient=home.age_recipient,
        old_signing_public=home.signing_public,
        kept_identities=len(home.age_identities),
        receipt_public=public,
        old_receipt_public=old,
    )


def _replace_receipt_key(home: AgencyHome, secret: str, old_public: str, version: int) -> None:
    if old_public:
        write_atomic(
            home.path / RETIRED / f"agency-receipt-until-v{version}.pub",
            keys.public_key_file(old_public),
            0o644,
        )
    write_atomic(home.path / RECEIPT_KEY, home.signing_key_file(secret, RECEIPT_KEY))
    write_atomic(
        home.path / "agency-receipt.pub",
        keys.public_key_file(keys.signing_public_key(secret)),
        0o644,
    )


def _published_version(
    db: Database, public: str, *, field: str = "signing_public_key"
) -> int | None:
    """The version of the newest key list if it already names this key (in ``field``)."""
    with db.transaction() as cur:
        row = cur.one("SELECT version, body FROM key_lists ORDER BY version DESC LIMIT 1")
    if row is None:
        return None
    named = json.loads(row[1]).get(field)
    return int(row[0]) if named == public else None
