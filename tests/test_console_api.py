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

SPEC = yaml.safe_load(
    (Path(__file__).resolve().parent.parent / "docs" / "agency-api.openapi.yaml").read_text(
        encoding="utf-8"
    )
)


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
        assert http.get("/api/v1/openapi.yaml").text.startswith("openapi: 3.1.0")
