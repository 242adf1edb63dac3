"""OpenID Connect sign-in (Entra ID, Google Workspace, Keycloak ...), the option councils use.

The authorisation code flow with PKCE and a nonce: Authlib makes the state, nonce and
S256 challenge; the ID token's signature is checked against the provider's JWKS and
its claims (issuer, audience, expiry, nonce) with joserfc (Authlib's JOSE library).
The provider proves who the person is. What their role is comes, either:

- from the console's own account (made with ``staff-add --oidc``, username = the e-mail
  or ``sub`` claim); an ID token for someone without an account signs no one in; or
- when ``roles`` is set, from a group or role claim of the ID token (``role_claim``,
  ``groups`` by default; Entra ID sends ``groups`` or app ``roles``), mapped to a console
  role: the account is made at the first sign-in and its role follows the claim at each
  sign-in (several groups: the most able role). Someone signed in with no mapped group
  gets a plain "no role" page and any session they had ends.

Settings: ``console.json`` in the agency folder, ``{"oidc": {"issuer", "client_id",
"client_secret", "label", "role_claim", "roles": {"<group>": "admin" | "team_manager" |
"panel_adviser"}}}``.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
from authlib.common.security import generate_token
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from homestudy.errors import AgencyError

FLOW_SECONDS = 600  # a sign-in must come back from the provider within 10 minutes
ROLE_ORDER = ("admin", "team_manager", "panel_adviser")  # most able first


@dataclass(frozen=True)
class OidcSettings:
    issuer: str
    client_id: str
    client_secret: str
    label: str = "your organisation's account"
    role_claim: str = "groups"
    roles: dict[str, str] = field(default_factory=dict)  # claim value -> console role

    @classmethod
    def from_home(cls, folder: Path) -> OidcSettings | None:
        path = folder / "console.json"
        if not path.exists():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8")).get("oidc")
            settings = cls(**data) if data else None
        except (ValueError, TypeError) as exc:
            raise AgencyError(
                f"The console settings in {path} are not readable: "
                "'oidc' needs issuer, client_id and client_secret."
            ) from exc
        if settings is not None:
            wrong = [str(v) for v in settings.roles.values() if v not in ROLE_ORDER] + (
                [] if isinstance(settings.role_claim, str) else ["role_claim"]
            )
            if not isinstance(settings.roles, dict) or wrong:
                raise AgencyError(
                    f"The console settings in {path}: each of 'oidc.roles' must map a "
                    f"group to one of {', '.join(ROLE_ORDER)} (not {', '.join(wrong)})."
                )
        return settings

    def role_for(self, claims: dict[str, Any]) -> str | None:
        """The console role the ID token's groups map to (the most able), or None."""
        found = claims.get(self.role_claim)
        values = [found] if isinstance(found, str) else found if isinstance(found, list) else []
        mapped = {self.roles[v] for v in values if isinstance(v, str) and v in self.roles}
        return next((r for r in ROLE_ORDER if r in mapped), None)


class OidcRefused(Exception):
    """The provider's answer did not check out (the message is safe to show)."""


@dataclass(frozen=True)
class _Flow:
    nonce: str
    verifier: str
    redirect_uri: str
    started: float


class OidcClient:
    def __init__(self, settings: OidcSettings) -> None:
        self.settings = settings
        self._meta: dict[str, Any] | None = None
        self._flows: dict[str, _Flow] = {}
        self._lock = threading.Lock()

    def metadata(self) -> dict[str, Any]:
        if self._meta is None:
            url = self.settings.issuer.rstrip("/") + "/.well-known/openid-configuration"
            try:
                meta = httpx.get(url, timeout=10).raise_for_status().json()
            except (httpx.HTTPError, ValueError) as exc:
                raise OidcRefused(
                    "The sign-in provider cannot be reached. Try again, or "
                    "sign in with your console password."
                ) from exc
            self._meta = meta
        return self._meta

    def start(self, redirect_uri: str) -> str:
        """The provider's URL to send the browser to."""
        state, nonce, verifier = generate_token(32), generate_token(32), generate_token(48)
        with self._lock:
            now = time.monotonic()
            self._flows = {k: f for k, f in self._flows.items() if now - f.started < FLOW_SECONDS}
            self._flows[state] = _Flow(nonce, verifier, redirect_uri, now)
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self.settings.client_id,
                "redirect_uri": redirect_uri,
                "scope": "openid email profile",
                "state": state,
                "nonce": nonce,
                "code_challenge": create_s256_code_challenge(verifier),
                "code_challenge_method": "S256",
            }
        )
        return f"{self.metadata()['authorization_endpoint']}?{query}"

    def finish(self, state: str, code: str) -> dict[str, Any]:
        """Exchange the code and check the ID token; its claims."""
        with self._lock:
            flow = self._flows.pop(state, None)
        if flow is None or time.monotonic() - flow.started > FLOW_SECONDS:
            raise OidcRefused("This sign-in has expired. Start again.")
        meta = self.metadata()
        try:
            resp = httpx.post(
                meta["token_endpoint"],
                timeout=10,
                data={
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": flow.redirect_uri,
                    "client_id": self.settings.client_id,
                    "client_secret": self.settings.client_secret,
                    "code_verifier": flow.verifier,
                },
            )
            resp.raise_for_status()
            id_token = resp.json()["id_token"]
            keys = KeySet.import_key_set(
                httpx.get(meta["jwks_uri"], timeout=10).raise_for_status().json()
            )
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            raise OidcRefused("The sign-in provider did not confirm the sign-in.") from exc
        try:
            token = jwt.decode(id_token, keys)
            jwt.JWTClaimsRegistry(
                iss={"essential": True, "value": meta.get("issuer", self.settings.issuer)},
                aud={"essential": True, "value": self.settings.client_id},
                nonce={"essential": True, "value": flow.nonce},
                exp={"essential": True},
                sub={"essential": True},
            ).validate(token.claims)
        except (JoseError, ValueError) as exc:
            raise OidcRefused("The sign-in provider's answer did not check out.") from exc
        return dict(token.claims)
