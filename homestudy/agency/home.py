"""The agency's home folder: its settings and its private keys, each a plain file.

    agency.json        agency id and name, the inbox's public URL, the database URL
    agency.key         age X25519 identities, the current one first, then any the agency
                       rotated away from (stock ``age -d -i agency.key`` decrypts bundles)
    agency-sign.key    Ed25519 signing key, minisign format (receipts, key lists, assignments)
    agency-sign.pub    its public half (stock ``minisign -V -p agency-sign.pub``)

Keys are written 0600 and atomically. The folder is the agency's to protect.
``rotate-keys`` replaces them (``homestudy.agency.rotation``); a running inbox picks
the new files up by itself (``AgencyHome.refresh``).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from homestudy.agency.db import Database, default_url
from homestudy.atomic import write_atomic
from homestudy.errors import AgencyError
from homestudy.sync import keys
from homestudy.sync.signed import KeyList, SignedDocument, make_key_list

CONFIG = "agency.json"
MAX_BUNDLE_SIZE = 32 * 1024 * 1024


@dataclass(frozen=True)
class AgencyConfig:
    agency_id: str
    name: str
    inbox_url: str
    database_url: str
    max_bundle_size: int = MAX_BUNDLE_SIZE
    key_list_days: int = 365
    max_blob_size: int = 4 * 1024 * 1024 * 1024  # one attachment, sent in chunks
    retention_days: int = 0  # change sets older than this (bar each case's latest) go; 0 keeps all


class AgencyHome:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        try:
            data = json.loads((self.path / CONFIG).read_text(encoding="utf-8"))
            self.config = AgencyConfig(**data)
        except FileNotFoundError as exc:
            raise AgencyError(
                f"No agency is set up in {self.path}. Run 'homestudy-agency init' first."
            ) from exc
        except (ValueError, TypeError) as exc:
            raise AgencyError(f"The agency settings in {self.path} are not readable.") from exc
        self._stamp: tuple[tuple[int, int, int], ...] = ()
        self._load_keys()

    def _load_keys(self) -> None:
        stamp = _stamp(self.path / "agency.key", self.path / "agency-sign.key")
        identities = _read_keys(self.path / "agency.key")
        signing_secret = _read_key(self.path / "agency-sign.key")
        # identities first: they only grow, so a reader mid-swap can still decrypt
        self.age_identities: tuple[str, ...] = tuple(identities)
        self.age_identity = identities[0]
        self.signing_secret = signing_secret
        self.signing_public = keys.signing_public_key(signing_secret)
        self.age_recipient = keys.age_recipient(identities[0])
        self._stamp = stamp

    def refresh(self) -> bool:
        """Re-read the key files if they were replaced (a key rotation); True if so."""
        stamp = _stamp(self.path / "agency.key", self.path / "agency-sign.key")
        if not stamp or stamp == self._stamp:
            return False
        self._load_keys()
        return True

    @property
    def agency_id(self) -> str:
        return self.config.agency_id

    def database(self, pool_size: int = 16) -> Database:
        return Database(self.config.database_url, pool_size=pool_size)

    def publish_key_list(
        self, db: Database, *, version: int | None = None, expires_at: datetime | None = None,
        new_keys: keys.DeviceKeys | None = None,
    ) -> SignedDocument:
        """Sign and store the current keys as a new key list (version one past the last).

        With ``new_keys`` (a rotation) the list names those instead; it is signed by the
        current key, which devices trust, and by the new one.
        """
        with db.transaction(immediate=True) as cur:
            row = cur.one("SELECT MAX(version) FROM key_lists")
            number = version if version is not None else int(row[0] or 0) + 1 if row else 1
            now = datetime.now(UTC)
            expires = expires_at or now + timedelta(days=self.config.key_list_days)
            doc = make_key_list(
                self.signing_secret,
                KeyList(
                    agency_id=self.agency_id, version=number,
                    issued_at=now.isoformat(), expires_at=expires.isoformat(),
                    age_recipient=new_keys.age_recipient if new_keys else self.age_recipient,
                    signing_public_key=(new_keys.signing_public if new_keys
                                        else self.signing_public),
                ),
                also_signed_by=new_keys.signing_secret if new_keys else "",
            )
            extra = json.dumps([s.decode("ascii") for s in doc.extra_signatures])
            cur.execute(
                "INSERT INTO key_lists (version, body, signature, created_at, extra_signatures) "
                "VALUES (?, ?, ?, ?, ?)",
                (number, doc.body, doc.signature, now.isoformat(), extra),
            )
        return doc


def init_home(
    path: Path | str,
    *,
    agency_id: str,
    name: str,
    inbox_url: str,
    database_url: str = "",
    max_bundle_size: int = MAX_BUNDLE_SIZE,
) -> AgencyHome:
    """Make the keys and settings, create the database schema, publish key list 1."""
    folder = Path(path)
    if (folder / CONFIG).exists():
        raise AgencyError(f"An agency is already set up in {folder}.")
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    config = AgencyConfig(
        agency_id=agency_id, name=name, inbox_url=inbox_url.rstrip("/"),
        database_url=database_url or default_url(folder.resolve()),
        max_bundle_size=max_bundle_size,
    )
    secrets = keys.generate_keys()
    write_atomic(folder / "agency.key", keys.age_identity_file(secrets.age_identity))
    write_atomic(folder / "agency-sign.key", keys.secret_key_file(secrets.signing_secret))
    write_atomic(folder / "agency-sign.pub", keys.public_key_file(secrets.signing_public), 0o644)
    write_atomic(folder / CONFIG, json.dumps(asdict(config), indent=2).encode("utf-8"))
    home = AgencyHome(folder)
    db = home.database(pool_size=2)
    try:
        db.migrate()
        home.publish_key_list(db)
    finally:
        db.close()
    return home


def _read_key(path: Path) -> str:
    """The key line of a key file (comment lines start with '#' or 'untrusted comment:')."""
    return _read_keys(path)[0]


def _read_keys(path: Path) -> list[str]:
    """Every key line of a key file, in order (the current key first)."""
    try:
        lines = path.read_text(encoding="ascii").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise AgencyError(f"The agency key file {path.name} could not be read.") from exc
    found = [line.strip() for line in lines
             if line.strip() and not line.startswith(("#", "untrusted comment:"))]
    if not found:
        raise AgencyError(f"The agency key file {path.name} holds no key.")
    return found


def _stamp(*paths: Path) -> tuple[tuple[int, int, int], ...]:
    """What changes when a key file is replaced (atomic writes make a new inode)."""
    try:
        return tuple((s.st_ino, s.st_mtime_ns, s.st_size) for s in (p.stat() for p in paths))
    except OSError:
        return ()
