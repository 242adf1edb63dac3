"""Local staff accounts: Argon2id passwords (argon2-cffi), a TOTP second factor (pyotp),
server-side sessions, CSRF tokens and sign-in throttling.

A session is a random token in a cookie (Secure, HttpOnly, SameSite=Strict); the
database keeps only its SHA-256, so a copy of the database cannot sign anyone in.
Each session has its own CSRF token, which every form carries and every POST checks.
Failed sign-ins are counted per account and per address; past the limit the form
refuses for a while, whatever the password. A TOTP code works once: each account keeps
the last time-step it signed in with, and a code for that step or an earlier one is
refused (RFC 6238 section 5.2), so a code seen over a shoulder cannot be used again.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from homestudy.agency.db import Cursor, Database
from homestudy.errors import AgencyError

SESSION_HOURS = 9  # a working day; sign in again the next morning
THROTTLE_WINDOW = timedelta(minutes=15)
THROTTLE_LIMIT = 5  # failures per account within the window
THROTTLE_LIMIT_ADDRESS = 20  # per address: an office behind one NAT shares it

_HASHER = PasswordHasher()  # argon2-cffi's default type is Argon2id (RFC 9106 profile)


class Role(StrEnum):
    ADMIN = "admin"
    TEAM_MANAGER = "team_manager"
    PANEL_ADVISER = "panel_adviser"

    @property
    def label(self) -> str:
        return {
            "admin": "Administrator",
            "team_manager": "Team manager",
            "panel_adviser": "Panel adviser (read only)",
        }[self.value]


# what each role may do beyond reading the caseload and cases
CAN = {
    "review": {Role.ADMIN, Role.TEAM_MANAGER},  # comment, countersign, return
    "download": {Role.ADMIN, Role.TEAM_MANAGER},  # PAR files, records, CSV, bulk
    "devices": {Role.ADMIN, Role.TEAM_MANAGER},  # enrolment files, revoke, restore
    "admin": {Role.ADMIN},  # audit log, staff, API tokens
}


@dataclass(frozen=True)
class Staff:
    username: str
    display_name: str
    role: Role

    def can(self, what: str) -> bool:
        return self.role in CAN[what]


@dataclass(frozen=True)
class Session:
    staff: Staff
    csrf_token: str


class SignInRefused(Exception):
    """A sign-in that did not work; the message is safe to show (it never says which part
    was wrong)."""


def now() -> datetime:
    return datetime.now(UTC)


def _sha(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


OIDC_ONLY = "!oidc"  # the password hash of an account that signs in only through OIDC


def add_staff(
    db: Database,
    username: str,
    display_name: str,
    role: Role | str,
    password: str,
    *,
    oidc: bool = False,
) -> str:
    """Make an account; returns its TOTP secret (shown once, for the authenticator app).

    With ``oidc`` the account has no password and no TOTP: it signs in only through
    the organisation's OpenID Connect provider (which does the second factor)."""
    if not oidc and len(password) < 12:
        raise AgencyError("A password needs at least 12 characters.")
    role = Role(role)
    secret = "" if oidc else pyotp.random_base32()
    with db.transaction(immediate=True) as cur:
        if cur.one("SELECT 1 FROM console_staff WHERE username = ?", (username,)):
            raise AgencyError(f"There is already an account called {username}.")
        cur.execute(
            "INSERT INTO console_staff (username, display_name, role, password_hash, "
            "totp_secret, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (
                username,
                display_name,
                role.value,
                OIDC_ONLY if oidc else _HASHER.hash(password),
                secret,
                now().isoformat(),
            ),
        )
    return secret


def totp_uri(secret: str, username: str, issuer: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=issuer)


def list_staff(db: Database) -> list[Staff]:
    with db.transaction() as cur:
        rows = cur.all(
            "SELECT username, display_name, role FROM console_staff "
            "WHERE disabled_at IS NULL ORDER BY display_name"
        )
    return [Staff(r[0], r[1], Role(r[2])) for r in rows]


def _throttled(cur: Cursor, keys: list[str]) -> bool:
    since = (now() - THROTTLE_WINDOW).isoformat()
    for key in keys:
        row = cur.one(
            "SELECT count(*) FROM console_login_failures WHERE throttle_key = ? AND at > ?",
            (key, since),
        )
        limit = THROTTLE_LIMIT_ADDRESS if key.startswith("ip:") else THROTTLE_LIMIT
        if row and int(row[0]) >= limit:
            return True
    return False


def _totp_step(secret: str, code: str) -> int | None:
    """The time-step ``code`` belongs to: now's, or the one before or after (a phone clock
    a little out); None if it is none of them."""
    totp = pyotp.TOTP(secret)
    code = code.strip().replace(" ", "")
    here = now()
    current = totp.timecode(here)
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _use_step(db: Database, username: str, step: int) -> bool:
    """Mark ``step`` used for ``username``; False if it, or a later one, already was (one
    statement, so two sign-ins racing with the same code cannot both win)."""
    with db.transaction() as cur:
        row = cur.one(
            "UPDATE console_staff SET totp_last_step = ? "
            "WHERE username = ? AND totp_last_step < ? RETURNING username",
            (step, username, step),
        )
    return row is not None


def sign_in(db: Database, username: str, password: str, code: str, ip: str) -> str:
    """Check password and TOTP code; returns a new session token or raises SignInRefused."""
    keys = [f"user:{username.lower()}", f"ip:{ip}"]
    with db.transaction() as cur:
        if _throttled(cur, keys):
            raise SignInRefused("Too many failed sign-ins. Wait 15 minutes and try again.")
        row = cur.one(
            "SELECT password_hash, totp_secret, disabled_at FROM console_staff WHERE username = ?",
            (username,),
        )
    ok = False
    if row is not None and row[2] is None:
        try:
            ok = _HASHER.verify(row[0], password)
        except (VerificationError, InvalidHashError):
            ok = False
        step = _totp_step(row[1], code) if ok else None
        ok = step is not None and _use_step(db, username, step)
    else:
        _HASHER.hash(password)  # same work as a real check: no timing hint of who exists
    if not ok:
        with db.transaction() as cur:
            for key in keys:
                cur.execute(
                    "INSERT INTO console_login_failures (throttle_key, at) VALUES (?, ?)",
                    (key, now().isoformat()),
                )
        raise SignInRefused("The username, password or code is not right.")
    with db.transaction() as cur:
        cur.execute(
            "DELETE FROM console_login_failures WHERE throttle_key = ? OR at < ?",
            (keys[0], (now() - THROTTLE_WINDOW).isoformat()),
        )
        cur.execute("DELETE FROM console_sessions WHERE expires_at < ?", (now().isoformat(),))
    return new_session(db, username)


def oidc_account(db: Database, claims: dict[str, object]) -> str | None:
    """The console account an OIDC sign-in is for (by e-mail, else ``sub``), if any."""
    names = [str(claims[k]) for k in ("email", "sub") if claims.get(k)]
    with db.transaction() as cur:
        for name in names:
            row = cur.one(
                "SELECT username FROM console_staff WHERE lower(username) = "
                "lower(?) AND password_hash = ? AND disabled_at IS NULL",
                (name, OIDC_ONLY),
            )
            if row is not None:
                return str(row[0])
    return None


def oidc_member(db: Database, claims: dict[str, object], role: str | None) -> str | None:
    """The OIDC-only account for a sign-in whose groups map to ``role``: made at the first
    sign-in, its role set to the claim's each time. None (and no session kept) when the
    role is None, the account is disabled, or a local password account has that name."""
    name = str(claims.get("email") or claims.get("sub") or "")
    shown = str(claims.get("name") or name)[:200]
    with db.transaction(immediate=True) as cur:
        row = cur.one(
            "SELECT username, password_hash, disabled_at FROM console_staff "
            "WHERE lower(username) = lower(?)",
            (name,),
        )
        if role is None:  # the organisation took the group away: end what they had
            if row is not None and row[1] == OIDC_ONLY:
                cur.execute("DELETE FROM console_sessions WHERE username = ?", (row[0],))
            return None
        if row is None:
            cur.execute(
                "INSERT INTO console_staff (username, display_name, role, password_hash, "
                "totp_secret, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (name, shown, Role(role).value, OIDC_ONLY, "", now().isoformat()),
            )
            return name
        if row[1] != OIDC_ONLY or row[2] is not None:
            return None
        cur.execute(
            "UPDATE console_staff SET role = ? WHERE username = ?", (Role(role).value, row[0])
        )
        return str(row[0])


def new_session(db: Database, username: str) -> str:
    """A session for an account whose sign-in has been checked; its token."""
    token = secrets.token_urlsafe(32)
    with db.transaction() as cur:
        cur.execute(
            "INSERT INTO console_sessions (token_sha256, username, csrf_token, "
            "created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
            (
                _sha(token),
                username,
                secrets.token_urlsafe(32),
                now().isoformat(),
                (now() + timedelta(hours=SESSION_HOURS)).isoformat(),
            ),
        )
    return token


def session_for(db: Database, token: str | None) -> Session | None:
    if not token:
        return None
    with db.transaction() as cur:
        row = cur.one(
            "SELECT s.username, st.display_name, st.role, s.csrf_token, s.expires_at "
            "FROM console_sessions s JOIN console_staff st ON st.username = s.username "
            "WHERE s.token_sha256 = ? AND st.disabled_at IS NULL",
            (_sha(token),),
        )
    if row is None or datetime.fromisoformat(row[4]) < now():
        return None
    return Session(Staff(row[0], row[1], Role(row[2])), row[3])


def sign_out(db: Database, token: str) -> None:
    with db.transaction() as cur:
        cur.execute("DELETE FROM console_sessions WHERE token_sha256 = ?", (_sha(token),))


def csrf_ok(session: Session, submitted: str) -> bool:
    return bool(submitted) and hmac.compare_digest(session.csrf_token, submitted)
