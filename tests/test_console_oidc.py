"""OpenID Connect sign-in against a real provider on 127.0.0.1: oidc-provider-mock
(PyPI; an Authlib-based OIDC server for tests) in a thread, the console under uvicorn,
the browser's part played over HTTP: the console sends us to the provider, we sign in
there as a subject, the provider sends us back with a code, the console checks the ID
token (signature from the JWKS, issuer, audience, nonce) and maps it to its account."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import httpx
import pytest

from homestudy.agency.console import auth
from tests.console_helpers import (
    Agency,
    ConsoleServer,
    Staff,
    audit_entries,
    close_all,
    make_console_agency,
)

with warnings.catch_warnings():  # the mock server imports Authlib's deprecated modules
    warnings.simplefilter("ignore")
    oidc_provider_mock = pytest.importorskip("oidc_provider_mock")

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore:.*authlib.*")


@pytest.fixture
def provider():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with oidc_provider_mock.run_server_in_thread() as server:
            yield f"http://localhost:{server.server_port}"


def signing_in_through(provider: str, folder: Path, **oidc: Any) -> Agency:
    """A console agency whose console.json sends staff to ``provider`` to sign in."""
    agency = make_console_agency(folder)
    settings = {
        "issuer": provider,
        "client_id": "homestudy-console",
        "client_secret": "s3cret",
        **oidc,
    }
    (agency.home.path / "console.json").write_text(json.dumps({"oidc": settings}))
    return agency


def test_sign_in_through_the_provider(tmp_path, provider):
    agency = signing_in_through(provider, tmp_path / "agency", label="the council account")
    db = agency.home.database(pool_size=1)
    try:
        auth.add_staff(
            db, "morgan@council.example", "Morgan (council)", "team_manager", "", oidc=True
        )
    finally:
        db.close()
    server = ConsoleServer(agency.home)
    try:
        assert "Sign in with the council account" in Staff(server.url).get("/login").text

        def via_provider(subject: str) -> tuple[Staff, httpx.Response]:
            staff = Staff(server.url)
            start = staff.get("/login/oidc")
            assert start.status_code == 303 and start.headers["location"].startswith(provider)
            with httpx.Client(timeout=30) as browser:
                back = browser.post(start.headers["location"], data={"sub": subject})
            assert back.status_code in (302, 303)
            callback = back.headers["location"]
            assert callback.startswith(server.url + "/login/oidc/callback?")
            return staff, staff.get(callback.removeprefix(server.url))

        staff, resp = via_provider("morgan@council.example")
        assert resp.status_code == 303 and "hs_session" in staff.cookies
        page = staff.get("/")
        assert page.status_code == 200 and "Morgan (council)" in page.text

        stranger, resp = via_provider("someone.else@council.example")
        assert resp.status_code == 403 and "no account on this console" in resp.text
        assert "hs_session" not in stranger.cookies

        replay = Staff(server.url).get(resp.request.url.raw_path.decode())  # state used up
        assert replay.status_code == 401 and "hs_session" not in replay.text

        # the local password form cannot be used for an OIDC-only account
        local = Staff(server.url)
        local.get("/login")
        refused = local.post(
            "/login", {"username": "morgan@council.example", "password": "", "code": "123456"}
        )
        assert refused.status_code == 401 and "hs_session" not in local.cookies
    finally:
        close_all()
        server.stop()
    entries = audit_entries(agency.home)
    assert any(e.action == "sign_in" and e.detail == "oidc" for e in entries)
    assert any(e.action == "sign_in_failed" and "no console account" in e.detail for e in entries)


def test_groups_in_the_id_token_give_the_console_role(tmp_path, provider):
    """``roles`` in console.json: the provider's group claim decides the role (account
    made at the first sign-in); no mapped group is a plain "no role" page."""
    roles = {"hs-admins": "admin", "hs-managers": "team_manager", "hs-panel": "panel_adviser"}
    agency = signing_in_through(provider, tmp_path / "agency", role_claim="groups", roles=roles)

    def member_of(subject: str, *groups: str) -> None:
        claims = {"email": subject, "name": f"{subject.split('@')[0].title()}", "groups": groups}
        assert httpx.put(f"{provider}/users/{subject}", json=claims).status_code == 204

    server = ConsoleServer(agency.home)
    try:

        def via_provider(subject: str) -> tuple[Staff, httpx.Response]:
            staff = Staff(server.url)
            start = staff.get("/login/oidc")
            with httpx.Client(timeout=30) as browser:
                back = browser.post(start.headers["location"], data={"sub": subject})
            return staff, staff.get(back.headers["location"].removeprefix(server.url))

        member_of("alex@council.example", "hs-panel", "hs-managers", "other-group")
        staff, resp = via_provider("alex@council.example")
        assert resp.status_code == 303 and "hs_session" in staff.cookies
        page = staff.get("/")
        assert page.status_code == 200 and "Alex (Team manager)" in page.text
        assert staff.get("/audit").status_code == 403  # a manager is not an admin

        member_of("alex@council.example", "hs-panel")  # moved to the panel group
        staff, _resp = via_provider("alex@council.example")
        assert "Panel adviser" in staff.get("/").text

        member_of("alex@council.example", "other-group")  # no group the console knows
        nobody, resp = via_provider("alex@council.example")
        assert resp.status_code == 403 and "hs_session" not in nobody.cookies
        assert "No role on this console" in resp.text and "Traceback" not in resp.text
        assert staff.get("/").status_code in (302, 303, 401)  # the earlier session ended

        member_of("sam@council.example")  # no groups claim at all
        _nobody, resp = via_provider("sam@council.example")
        assert resp.status_code == 403 and "has not given you a role" in resp.text
    finally:
        close_all()
        server.stop()
    entries = audit_entries(agency.home)
    assert any(e.detail == "oidc role team_manager" for e in entries)
    assert any(e.action == "sign_in_failed" and e.detail == "oidc: no role" for e in entries)


def test_a_role_mapping_naming_no_role_is_refused(tmp_path):
    from homestudy.agency.console.oidc import OidcSettings
    from homestudy.errors import AgencyError

    (tmp_path / "console.json").write_text(
        json.dumps(
            {
                "oidc": {
                    "issuer": "x",
                    "client_id": "c",
                    "client_secret": "s",
                    "roles": {"g": "boss"},
                }
            }
        )
    )
    with pytest.raises(AgencyError, match="not boss"):
        OidcSettings.from_home(tmp_path)
    settings = OidcSettings("x", "c", "s", roles={"a": "panel_adviser", "b": "admin"})
    assert settings.role_for({"groups": ["a", "b"]}) == "admin"
    assert settings.role_for({"groups": "a"}) == "panel_adviser"
    assert settings.role_for({"groups": [5, "z"]}) is None
