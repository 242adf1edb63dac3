"""The JSON API against its description, docs/agency-api.openapi.yaml: every documented
path is called on the running server (uvicorn, 127.0.0.1) with a token of every scope,
and each answer is checked against the documented schema (jsonschema, draft 2020-12),
including the documented errors."""

from __future__ import annotations

import io
from pathlib import Path

import httpx
import pytest
import yaml
from jsonschema import Draft202012Validator

from homestudy.agency.console import api
from tests.console_helpers import ConsoleServer, make_console_agency

DOC = Path(__file__).resolve().parent.parent / "docs" / "agency-api.openapi.yaml"
SHIPPED = Path(__file__).resolve().parent.parent / "homestudy/agency/console/openapi.yaml"
SPEC = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))


def test_the_shipped_description_is_the_documented_one() -> None:
    """The package carries the description it serves (a container has no docs/ folder);
    docs/ keeps the same file for readers."""
    assert SHIPPED.read_bytes() == DOC.read_bytes()
    # a client generated from it calls server URL + path: the prefix appears once
    assert [s["url"] for s in SPEC["servers"]] == ["https://console.agency.example"]
    assert all(path.startswith("/api/v1/") for path in SPEC["paths"])
    documented = {p["name"] for p in SPEC["paths"]["/api/v1/cases"]["get"]["parameters"]}
    assert {"assessor", "overdue", "blocked", "panel_month", "sort", "desc"} <= documented


def check(schema_or_ref: dict, value: object) -> None:
    Draft202012Validator({**schema_or_ref, "components": SPEC["components"]}).validate(value)


def response_schema(path: str, status: int) -> dict | None:
    resp = SPEC["paths"][path]["get"]["responses"][str(status)]
    if "$ref" in resp:
        resp = SPEC["components"]["responses"][resp["$ref"].rsplit("/", 1)[1]]
    content = resp.get("content", {})
    return content.get("application/json", {}).get("schema")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    agency = make_console_agency(tmp_path_factory.mktemp("api") / "agency")
    db = agency.home.database(pool_size=1)
    try:
        _tok, full = api.create_token(db, "Mosaic", list(api.SCOPES), "test")
        _tok, none = api.create_token(db, "Other", ["caseload:read"], "test")
    finally:
        db.close()
    server = ConsoleServer(agency.home)
    yield agency, server, full, none
    server.stop()


def test_every_documented_path_answers_with_its_documented_shape(served):
    agency, server, full, narrow = served
    case_id = agency.cases[0].id
    calls = {
        "/api/v1/cases": ["/api/v1/cases", "/api/v1/cases?blocked=1&sort=panel"],
        "/api/v1/cases/{case_id}": [f"/api/v1/cases/{case_id}"],
        "/api/v1/cases/{case_id}/par.{fmt}": [
            f"/api/v1/cases/{case_id}/par.pdf",
            f"/api/v1/cases/{case_id}/par.docx",
        ],
        "/api/v1/export": ["/api/v1/export?from=2026-01-01&to=2027-12-31"],
    }
    assert set(calls) == set(SPEC["paths"])  # every documented path is tried
    with httpx.Client(base_url=server.url, timeout=60) as http:
        for path, urls in calls.items():
            for url in urls:
                resp = http.get(url, headers={"authorization": f"Bearer {full}"})
                assert resp.status_code == 200, url
                schema = response_schema(path, 200)
                if schema is not None:
                    check(schema, resp.json())
                else:
                    assert (
                        resp.headers["content-type"]
                        in SPEC["paths"][path]["get"]["responses"]["200"]["content"]
                    )
                    if url.endswith(".pdf"):
                        assert resp.content.startswith(b"%PDF")
                    else:
                        import docx

                        docx.Document(io.BytesIO(resp.content))
            # the documented errors, with their documented shape
            bad = http.get(urls[0], headers={"authorization": "Bearer hsat_nope_nope"})
            assert bad.status_code == 401
            check(response_schema(path, 401), bad.json())
            if path != "/api/v1/cases":
                narrow_resp = http.get(urls[0], headers={"authorization": f"Bearer {narrow}"})
                assert narrow_resp.status_code == 403
                check(response_schema(path, 403), narrow_resp.json())
        missing = http.get(
            "/api/v1/cases/no-such-case", headers={"authorization": f"Bearer {full}"}
        )
        assert missing.status_code == 404
        check(response_schema("/api/v1/cases/{case_id}", 404), missing.json())
        invalid = http.get(
            "/api/v1/export?from=yesterday", headers={"authorization": f"Bearer {full}"}
        )
        assert invalid.status_code == 400
        check(response_schema("/api/v1/export", 400), invalid.json())
        exported = http.get(
            "/api/v1/export?from=2020-01-01&to=2020-12-31",
            headers={"authorization": f"Bearer {full}"},
        ).json()
        assert exported["cases"] == []  # nothing synced in that range
        served_spec = http.get("/api/v1/openapi.yaml")
        assert served_spec.content == SHIPPED.read_bytes()


def test_export_by_date_has_every_case_synced_then_and_every_call_is_audited(tmp_path):
    from homestudy.agency.console import audit
    from tests.console_helpers import Staff, send_with_replies

    agency = make_console_agency(tmp_path / "agency")
    home, case = agency.home, agency.cases[0]
    db = home.database(pool_size=1)
    try:
        _tok, full = api.create_token(db, "Mosaic", list(api.SCOPES), "test")
        _tok, narrow = api.create_token(db, "Other", ["caseload:read"], "test")
        with db.transaction() as cur:
            cur.execute(
                "UPDATE bundles SET received_at = ? WHERE case_id = ?",
                ("2026-11-01T10:00:00+00:00", case.id),
            )
    finally:
        db.close()
    latest = send_with_replies(home, agency.devices[0], case, [])  # synced again, later
    server = ConsoleServer(home)
    try:
        with httpx.Client(base_url=server.url, timeout=60) as http:
            bearer = {"authorization": f"Bearer {full}"}
            november = "from=2026-11-01&to=2026-11-30"
            exported = http.get(f"/api/v1/export?{november}", headers=bearer).json()["cases"]
            assert [(c["case_id"], c["bundle_id"]) for c in exported] == [(case.id, latest)]
            manager = Staff(server.url)
            manager.sign_in("manager", agency.totp["manager"])
            web = manager.get(f"/export?{november}").json()["cases"]
            assert [c["case_id"] for c in web] == [case.id]
            # refusals are calls too, in the Error schema, and audited
            error = {"$ref": "#/components/schemas/Error"}
            refused = [
                http.get("/api/v1/cases", headers={"authorization": "Bearer hsat_0123456789ab_x"}),
                http.get(f"/api/v1/cases/{case.id}", headers={"authorization": f"Bearer {narrow}"}),
                http.get("/api/v1/cases/no-such-case", headers=bearer),
                http.get("/api/v1/export?from=yesterday", headers=bearer),
                http.get("/api/v1/no-such-path", headers=bearer),
                http.post("/api/v1/cases", headers=bearer),
            ]
            assert [r.status_code for r in refused] == [401, 403, 404, 400, 404, 405]
            for answer in refused:
                assert answer.headers["content-type"] == "application/json"
                check(error, answer.json())
            assert refused[-1].headers["allow"] == "GET"
    finally:
        server.stop()
    db = home.database(pool_size=1)
    try:
        logged = audit.entries(db, limit=1000)
    finally:
        db.close()
    calls = [(e.actor[:4], e.target, e.detail) for e in logged if e.action == "api_call"]
    assert ("api:", "/api/v1/export", "cases:read 2026-11-01 to 2026-11-30: 1 cases") in calls
    assert sorted((e.target, e.detail) for e in logged if e.action == "api_refused") == sorted(
        [
            ("/api/v1/cases", "401 unauthorised"),
            (f"/api/v1/cases/{case.id}", "403 forbidden"),
            ("/api/v1/cases/no-such-case", "404 not_found"),
            ("/api/v1/export", "400 invalid"),
            ("/api/v1/no-such-path", "404 not_found"),
            ("/api/v1/cases", "405 method_not_allowed"),
        ]
    )
    assert "api:0123456789ab" in {e.actor for e in logged if e.action == "api_refused"}
