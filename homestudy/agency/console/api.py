"""The JSON API for the council's case system (docs/agency-api.openapi.yaml).

Bearer tokens, made and revoked by an administrator, each with scopes:

    caseload:read    GET /api/v1/cases
    cases:read       GET /api/v1/cases/{case_id}, GET /api/v1/export?from=&to=
    documents:read   GET /api/v1/cases/{case_id}/par.{docx,pdf}

Only the token's SHA-256 is stored. Every call is in the audit log as ``api:<token id>``.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from homestudy.agency.db import Database
from homestudy.errors import NotFoundError, ValidationError

SCOPES = {
    "caseload:read": "Read the caseload",
    "cases:read": "Read cases and bulk exports",
    "documents:read": "Download PAR files",
}


@dataclass(frozen=True)
class ApiToken:
    token_id: str
    name: str
    scopes: tuple[str, ...]
    created_by: str
    created_at: str
    revoked_at: str | None


def _sha(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


TOKEN_NAME_MAX = 100


def create_token(
    db: Database, name: str, scopes: list[str], created_by: str
) -> tuple[ApiToken, str]:
    """A new token; the secret is returned once and never stored."""
    name = name.strip()
    if not name:
        raise ValidationError("Give the token a name (which system uses it).")
    if len(name) > TOKEN_NAME_MAX or not name.isprintable():
        raise ValidationError(
            f"A token's name may be at most {TOKEN_NAME_MAX} characters, on one line."
        )
    bad = [s for s in scopes if s not in SCOPES]
    if bad or not scopes:
        raise ValidationError("Choose at least one of the listed permissions.")
    token_id = secrets.token_hex(6)
    secret = f"hsat_{token_id}_{secrets.token_urlsafe(32)}"
    at = datetime.now(UTC).isoformat()
    with db.transaction() as cur:
        cur.execute(
            "INSERT INTO console_api_tokens (token_id, token_sha256, name, scopes, "
            "created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (token_id, _sha(secret), name, " ".join(sorted(set(scopes))), created_by, at),
        )
    return ApiToken(token_id, name, tuple(sorted(set(scopes))), created_by, at, None), secret


def tokens(db: Database) -> list[ApiToken]:
    with db.transaction() as cur:
        rows = cur.all(
            "SELECT token_id, name, scopes, created_by, created_at, revoked_at "
            "FROM console_api_tokens ORDER BY created_at"
        )
    return [ApiToken(r[0], r[1], tuple(r[2].split()), r[3], r[4], r[5]) for r in rows]


def revoke_token(db: Database, token_id: str) -> None:
    with db.transaction() as cur:
        if cur.one("SELECT 1 FROM console_api_tokens WHERE token_id = ?", (token_id,)) is None:
            raise NotFoundError("No API token has that id.")
        cur.execute(
            "UPDATE console_api_tokens SET revoked_at = ? WHERE token_id = ? AND "
            "revoked_at IS NULL",
            (datetime.now(UTC).isoformat(), token_id),
        )


def token_id_in(header: str) -> str:
    """The token id an ``Authorization: Bearer hsat_<id>_...`` header names ("" if none):
    what the audit log says a refused call came from (never the secret)."""
    secret = header.partition(" ")[2].strip()
    parts = secret.split("_")
    if len(parts) >= 3 and parts[0] == "hsat" and re.fullmatch(r"[0-9a-f]{12}", parts[1]):
        return parts[1]
    return ""


def check_token(db: Database, header: str) -> ApiToken | None:
    """The live token named by an ``Authorization: Bearer ...`` header, else None."""
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    with db.transaction() as cur:
        row = cur.one(
            "SELECT token_id, name, scopes, created_by, created_at, revoked_at "
            "FROM console_api_tokens WHERE token_sha256 = ?",
            (_sha(secret.strip()),),
        )
    if row is None or row[5] is not None:
        return None
    return ApiToken(row[0], row[1], tuple(row[2].split()), row[3], row[4], None)
