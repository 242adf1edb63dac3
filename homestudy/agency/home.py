"""The agency's home folder: its settings and its private keys (protected: keystore.py).

    agency.json        agency id and name, the inbox's public URL, the database URL
    agency.key         age X25519 identities, the current one first, then any the agency
                       rotated away from (stock ``age -d -i agency.key`` decrypts bundles)
    agency-sign.key    Ed25519 signing key, minisign format (key lists, assignments, messages)
    agency-sign.pub    its public half (stock ``minisign -V -p agency-sign.pub``)
    agency-receipt.key Ed25519 receipt key, minisign format: signs receipts and nothing
                       else; named in the key list, so laptops trust it for receipts only.
                       The one private key an internet-facing inbox holds.
    agency-receipt.pub its public half (``minisign -V -p agency-receipt.pub`` on a receipt)

Keys are written 0600 and atomically. The folder is the agency's to protect. An older
folder without a receipt key gets one from ``rotate-receipt-key`` (or the first ``serve``
in the console or one-process role); until then receipts are signed by the signing key.
``rotate-keys`` replaces them (``homestudy.agency.rotation``); a running inbox picks
the new files up by itself (``AgencyHome.refresh``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from homestudy.agency import keystore
from homestudy.agency.db import Database, default_url
from homestudy.atomic import write_atomic
from homestudy.errors import AgencyError
from homestudy.sync import keys
from homestudy.sync.signed import KeyList, SignedDocument, make_key_list

CONFIG = "agency.json"
SIGN_KEY, RECEIPT_KEY = "agency-sign.key", "agency-receipt.key"
KEY_FILES = ("agency.key", SIGN_KEY, RECEIPT_KEY)
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


ROLES = ("all", "inbox", "console")


class AgencyHome:
    """The agency's folder. Keys are read when first used, and only those the role needs.

    ``role``: ``inbox`` (internet-facing) never reads ``agency.key`` or
    ``agency-sign.key`` — it verifies and stores ciphertext and signs receipts with the
    receipt key, so neither file need be on its host; ``console`` (internal) holds the
    decryption and signing keys and refuses unprotected key files
    (``require_protected``); ``all`` (one process doing both, and the admin commands)
    takes either. A protected key is unlocked with the
    passphrase from ``keystore.find_passphrase`` (explicit, systemd credential, file,
    environment, or a prompt when ``prompt``), kept in memory to re-read rotated keys.
    """

    def __init__(
        self,
        path: Path | str,
        *,
        role: str = "all",
        passphrase: str | None = None,
        prompt: bool = False,
    ) -> None:
        self.path = Path(path)
        if role not in ROLES:
            raise AgencyError(f"Unknown role {role!r}: choose one of {', '.join(ROLES)}.")
        self.role = role
        try:
            data = json.loads((self.path / CONFIG).read_text(encoding="utf-8"))
            self.config = AgencyConfig(**data)
        except FileNotFoundError as exc:
            raise AgencyError(
                f"No agency is set up in {self.path}. Run 'homestudy-agency init' first."
            ) from exc
        except (ValueError, TypeError) as exc:
            raise AgencyError(f"The agency settings in {self.path} are not readable.") from exc
        self._passphrase = passphrase
        self._prompt = prompt
        self._identities: tuple[str, ...] | None = None
        self._signing: str | None = None
        self._receipt: str | None = None
        self._stamps = {name: _stamp(self.path / name) for name in KEY_FILES}

    # ----------------------------------------------------------------- keys, lazily

    def _unlock_with(self) -> str:
        if self._passphrase is None:
            self._passphrase = keystore.find_passphrase(prompt=self._prompt)
        if self._passphrase is None:
            raise AgencyError(
                "The agency's keys are protected by a passphrase and none was given: use the "
                f"systemd credential {keystore.CREDENTIAL}, ${keystore.PASSPHRASE_FILE_ENV}, "
                f"${keystore.PASSPHRASE_ENV}, or run it in a terminal to be asked."
            )
        return self._passphrase

    @property
    def age_identities(self) -> tuple[str, ...]:
        """Every age identity, the current first; empty in the inbox role."""
        if self.role == "inbox":
            return ()
        if self._identities is None:
            path = self.path / "agency.key"
            try:
                raw = path.read_bytes()
            except OSError as exc:
                raise AgencyError(f"The agency key file {path.name} could not be read.") from exc
            if keystore.is_protected_identity_file(raw):
                raw = keystore.unprotect_identity_file(raw, self._unlock_with())
            self._identities = tuple(_key_lines(raw, path.name))
        return self._identities

    @property
    def age_identity(self) -> str:
        found = self.age_identities
        if not found:
            raise AgencyError("The inbox role holds no decryption key; use the console.")
        return found[0]

    @property
    def age_recipient(self) -> str:
        return keys.age_recipient(self.age_identity)

    @property
    def signing_secret(self) -> str:
        """The key laptops trust for assignments, messages and key lists: never in the
        inbox role, even when the file is there."""
        if self.role == "inbox":
            raise AgencyError(
                "The inbox role holds no signing key; key lists, assignments and "
                "messages are signed by the console."
            )
        if self._signing is None:
            self._signing = self._read_minisign(SIGN_KEY)
        return self._signing

    @property
    def signing_public(self) -> str:
        if self.role == "inbox":  # the public half only, from agency-sign.pub
            return _read_key(self.path / "agency-sign.pub")
        return keys.signing_public_key(self.signing_secret)

    @property
    def has_receipt_key(self) -> bool:
        return (self.path / RECEIPT_KEY).exists()

    @property
    def receipt_secret(self) -> str:
        """What signs receipts: agency-receipt.key; in a folder made before receipt keys,
        the signing key (the key list names no receipt key then), never in the inbox role."""
        if self._receipt is None:
            if self.has_receipt_key:
                self._receipt = self._read_minisign(RECEIPT_KEY)
            elif self.role == "inbox":
                raise AgencyError(
                    f"There is no receipt key ({RECEIPT_KEY}) in {self.path}. Run "
                    "'homestudy-agency rotate-receipt-key' where the signing key is kept "
                    f"and copy {RECEIPT_KEY} here."
                )
            else:
                return self.signing_secret
        return self._receipt

    @property
    def receipt_public(self) -> str:
        return keys.signing_public_key(self.receipt_secret)

    def _read_minisign(self, name: str) -> str:
        secret = _read_key(self.path / name)
        if keystore.is_protected_signing_key(secret):
            secret = keystore.unprotect_signing_key(secret, self._unlock_with())
        return secret

    @property
    def holds_decryption_key(self) -> bool:
        return self.role != "inbox" and (self.path / "agency.key").exists()

    def protected(self) -> dict[str, bool]:
        """Which key files are passphrase-protected (missing files count as not)."""
        ident = self.path / "agency.key"
        found = {
            "agency.key": ident.exists() and keystore.is_protected_identity_file(ident.read_bytes())
        }
        for name in (SIGN_KEY, RECEIPT_KEY):
            path = self.path / name
            found[name] = path.exists() and keystore.is_protected_signing_key(_read_key(path))
        return found

    def require_protected(self) -> None:
        """The console's start-up check: refuse unprotected (or missing) private keys."""
        state = self.protected()
        if not (self.path / "agency.key").exists():
            raise AgencyError(
                "The console needs the agency's decryption key (agency.key), "
                f"and there is none in {self.path}."
            )
        plain = [
            name
            for name, ok in state.items()
            if not ok and (name != RECEIPT_KEY or self.has_receipt_key)  # none: not plain
        ]
        if plain:
            names = ", ".join(plain[:-1]) + " and " + plain[-1] if plain[1:] else plain[0]
            raise AgencyError(
                f"{names} in {self.path} {'is' if len(plain) == 1 else 'are'} not "
                "protected by a passphrase. Run 'homestudy-agency protect-key' first."
            )

    def unlock(self) -> None:
        """Read (and decrypt) every key this role needs now, so a bad passphrase shows at start."""
        if self.role == "inbox":  # the receipt key, and nothing else
            _ = self.receipt_secret
            return
        _ = self.signing_secret
        _ = self.age_identities
        if self.has_receipt_key:
            _ = self.receipt_secret

    def write_identities(self, identities: list[str]) -> None:
        """Replace agency.key, protected with the same passphrase if it was protected."""
        data = _identities_text(identities)
        if self.protected()["agency.key"] or (self._passphrase and self.role == "console"):
            data = keystore.protect_identity_file(data, self._unlock_with())
        write_atomic(self.path / "agency.key", data)
        if self.role != "inbox":  # what was just written needs no unlocking again
            self._identities = tuple(identities)
            self._stamps["agency.key"] = _stamp(self.path / "agency.key")

    def signing_key_file(self, secret: str, name: str = SIGN_KEY) -> bytes:
        """``name``'s bytes for ``secret`` (agency-sign.key or agency-receipt.key),
        protected if the current file is (a new receipt key: if the signing key is)."""
        state = self.protected()
        if state[name] or (not (self.path / name).exists() and state[SIGN_KEY]):
            secret = keystore.protect_signing_key(secret, self._unlock_with())
        return keys.secret_key_file(secret)

    def refresh(self) -> bool:
        """Forget a key whose file was replaced (a key rotation); True if any was.

        Each file on its own: unlocking a protected agency.key takes seconds (scrypt).
        """
        changed = False
        for name in KEY_FILES:
            stamp = _stamp(self.path / name)
            if stamp and stamp != self._stamps.get(name):
                if name == "agency.key":
                    self._identities = None
                elif name == SIGN_KEY:
                    self._signing = None
                else:
                    self._receipt = None
                self._stamps[name] = stamp
                changed = True
        return changed

    @property
    def agency_id(self) -> str:
        return self.config.agency_id

    def database(self, pool_size: int = 16, timeout: float = 5.0) -> Database:
        """A pool on the database; ``timeout``: seconds to wait for it when it is down."""
        return Database(self.config.database_url, pool_size=pool_size, timeout=timeout)

    def publish_key_list(
        self,
        db: Database,
        *,
        version: int | None = None,
        expires_at: datetime | None = None,
        new_keys: keys.DeviceKeys | None = None,
        receipt_public: str | None = None,
    ) -> SignedDocument:
        """Sign and store the current keys as a new key list (version one past the last).

        With ``new_keys`` (a rotation) the list names those instead; it is signed by the
        current key, which devices trust, and by the new one. ``receipt_public``: the
        receipt key to name (default: agency-receipt.key's, if there is one).
        """
        if receipt_public is None:
            receipt_public = self.receipt_public if self.has_receipt_key else ""
        with db.transaction(immediate=True) as cur:
            row = cur.one("SELECT MAX(version) FROM key_lists")
            number = version if version is not None else int(row[0] or 0) + 1 if row else 1
            now = datetime.now(UTC)
            expires = expires_at or now + timedelta(days=self.config.key_list_days)
            doc = make_key_list(
                self.signing_secret,
                KeyList(
                    agency_id=self.agency_id,
                    version=number,
                    issued_at=now.isoformat(),
                    expires_at=expires.isoformat(),
                    age_recipient=new_keys.age_recipient if new_keys else self.age_recipient,
                    signing_public_key=(
                        new_keys.signing_public if new_keys else self.signing_public
                    ),
                    receipt_public_key=receipt_public,
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
    passphrase: str | None = None,
) -> AgencyHome:
    """Make the keys and settings, create the database schema, publish key list 1.

    With ``passphrase`` the three private keys are written protected (what the command line
    always does). On any failure nothing is left behind: the files made here are
    removed, and the folder too if this call made it.
    """
    folder = Path(path)
    if (folder / CONFIG).exists():
        raise AgencyError(f"An agency is already set up in {folder}.")
    _check_url(inbox_url)
    made_folder = not folder.exists()
    before = set(folder.iterdir()) if not made_folder else set()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        os.chmod(folder, 0o700)
        config = AgencyConfig(
            agency_id=agency_id,
            name=name,
            inbox_url=inbox_url.rstrip("/"),
            database_url=database_url or default_url(folder.resolve()),
            max_bundle_size=max_bundle_size,
        )
        secrets = keys.generate_keys()
        identity = keys.age_identity_file(secrets.age_identity)
        signing, receipt_secret = secrets.signing_secret, keys.generate_signing_key()
        receipt = receipt_secret
        if passphrase is not None:
            keystore.check_new_passphrase(passphrase)
            identity = keystore.protect_identity_file(identity, passphrase)
            signing = keystore.protect_signing_key(signing, passphrase)
            receipt = keystore.protect_signing_key(receipt, passphrase)
        write_atomic(folder / "agency.key", identity)
        write_atomic(folder / SIGN_KEY, keys.secret_key_file(signing))
        write_atomic(
            folder / "agency-sign.pub", keys.public_key_file(secrets.signing_public), 0o644
        )
        write_atomic(folder / RECEIPT_KEY, keys.secret_key_file(receipt))
        write_atomic(
            folder / "agency-receipt.pub",
            keys.public_key_file(keys.signing_public_key(receipt_secret)),
            0o644,
        )
        write_atomic(folder / CONFIG, json.dumps(asdict(config), indent=2).encode("utf-8"))
        home = AgencyHome(folder, passphrase=passphrase)
        home._signing, home._identities = secrets.signing_secret, (secrets.age_identity,)
        home._receipt = receipt_secret
        db = home.database(pool_size=2)
        try:
            db.migrate()
            home.publish_key_list(db)
        finally:
            db.close()
    except BaseException:
        _remove_new(folder, before, made_folder)
        raise
    return home


def _check_url(url: str) -> None:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AgencyError(f"The inbox URL {url!r} is not a web address (https://host/...).")


def _remove_new(folder: Path, before: set[Path], made_folder: bool) -> None:
    """Undo a failed init: what it added to ``folder`` (and ``folder`` if it made it)."""
    import shutil

    if not folder.exists():
        return
    if made_folder:
        shutil.rmtree(folder, ignore_errors=True)
        return
    for child in set(folder.iterdir()) - before:
        if child.is_dir():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)


def _read_key(path: Path) -> str:
    """The key line of a key file (comment lines start with '#' or 'untrusted comment:')."""
    return _read_keys(path)[0]


def _read_keys(path: Path) -> list[str]:
    """Every key line of a key file, in order (the current key first)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise AgencyError(f"The agency key file {path.name} could not be read.") from exc
    return _key_lines(raw, path.name)


def _key_lines(raw: bytes, name: str) -> list[str]:
    try:
        lines = raw.decode("ascii").splitlines()
    except UnicodeDecodeError as exc:
        raise AgencyError(f"The agency key file {name} could not be read.") from exc
    found = [
        line.strip()
        for line in lines
        if line.strip() and not line.startswith(("#", "untrusted comment:"))
    ]
    if not found:
        raise AgencyError(f"The agency key file {name} holds no key.")
    return found


def _identities_text(identities: list[str]) -> bytes:
    """An age identity file with several keys (stock ``age -d -i`` tries each)."""
    lines = ["# HomeStudy agency age identities: the current one first, then older ones"]
    for position, identity in enumerate(identities):
        label = "current" if position == 0 else "retired"
        lines += [f"# {label}, public key: {keys.age_recipient(identity)}", identity]
    return ("\n".join(lines) + "\n").encode("ascii")


def _stamp(*paths: Path) -> tuple[tuple[int, int, int], ...]:
    """What changes when a key file is replaced (atomic writes make a new inode)."""
    found = []
    for path in paths:  # the inbox role's folder may have no agency.key at all
        try:
            st = path.stat()
        except OSError:
            continue
        found.append((st.st_ino, st.st_mtime_ns, st.st_size))
    return tuple(found)


@contextmanager
def home_and_database(path: Path | str) -> Iterator[tuple[AgencyHome, Database]]:
    """The agency in ``path`` and a one-connection handle on its database (closed after),
    as a command needs them; keys are unlocked only if the command uses them."""
    home = AgencyHome(path, prompt=True)
    db = home.database(pool_size=1, timeout=3.0)
    try:
        yield home, db
    finally:
        db.close()
