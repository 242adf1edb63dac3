"""Who may do what in the console, over real HTTP to the real server (uvicorn on
127.0.0.1, SQLite): signed-out requests get nothing, the panel adviser only reads,
CSRF is refused, sign-in needs the TOTP code and is throttled, cookies are locked
down, API tokens reach only their scopes, and every action is in the audit log."""

from __future__ import annotations

import pyotp

from homestudy.agency.console import audit, messaging, review
from tests import console_helpers
from tests.console_helpers import (
    ConsoleServer,
    Staff,
    audit_entries,
    forget_totp_step,
    make_console_agency,
    send_with_replies,
    signed_in,
)

# the module's running console, and its clients closed after each test (fixtures)
env = console_helpers.env
close_clients = console_helpers.close_clients


def actions(agency) -> list[str]:
    return [e.action for e in audit_entries(agency.home, limit=10000)]


def api_tokens(agency) -> list[object]:
    from homestudy.agency.console import api

    db = agency.home.database(pool_size=1)
    try:
        return list(api.tokens(db))
    finally:
        db.close()


def test_signed_out_gets_nothing(env):
    agency, server = env
    case = agency.cases[0]
    anon = Staff(server.url)
    for path in (
        "/",
        f"/cases/{case.id}",
        "/caseload.csv",
        f"/cases/{case.id}/download/panel.pdf",
        "/team",
        "/audit",
        "/audit.csv",
        "/tokens",
    ):
        resp = anon.get(path)
        assert resp.status_code == 303 and resp.headers["location"] == "/login", path
        assert case.reference not in resp.text and "Hannah" not in resp.text
    resp = anon.post(f"/cases/{case.id}/comments", {"section_id": "cover", "text": "x"}, csrf=False)
    assert resp.status_code == 303
    assert anon.get("/api/v1/cases").status_code == 401
    db = agency.home.database(pool_size=1)
    try:
        assert review.comments_of(db, case.id) == []
    finally:
        db.close()


def test_sign_in_needs_the_code_and_cookies_are_locked_down(env):
    agency, server = env
    staff = Staff(server.url)
    staff.get("/login")
    resp = staff.post(
        "/login", {"username": "manager", "password": "correct horse battery", "code": "000000"}
    )
    assert resp.status_code == 401 and "not right" in resp.text
    assert "hs_session" not in staff.cookies
    resp = staff.post(
        "/login", {"username": "manager", "password": "wrong", "code": "000000"}, csrf=False
    )
    assert resp.status_code == 403  # the sign-in form has its own CSRF token
    resp = staff.sign_in("manager", agency.totp["manager"])
    cookie = next(h for h in resp.headers.get_list("set-cookie") if h.startswith("hs_session="))
    lowered = cookie.lower()
    assert "secure" in lowered and "httponly" in lowered and "samesite=strict" in lowered
    page = staff.get("/")
    assert page.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert "sign_in_failed" in actions(agency) and "sign_in" in actions(agency)


def test_a_refused_staff_request_is_audited(env):
    agency, _server = env
    adviser = signed_in(env, "adviser")
    case = agency.cases[0]
    adviser.get(f"/cases/{case.id}")
    for path in (f"/cases/{case.id}/comments", "/team/revoke"):
        assert (
            adviser.post(path, {"section_id": "general", "text": "x", "id": "x"}).status_code == 403
        )
    assert adviser.get(f"/cases/{case.id}/download/par.pdf").status_code == 403
    db = agency.home.database(pool_size=1)
    try:
        denied = [(e.actor, e.target, e.detail) for e in audit.entries(db, action="denied")]
    finally:
        db.close()
    assert ("adviser", f"/cases/{case.id}/comments", "403 review") in denied
    assert ("adviser", "/team/revoke", "403 devices") in denied
    assert ("adviser", f"/cases/{case.id}/download/par.pdf", "403 download") in denied


def test_the_audit_csv_has_every_entry_and_the_page_says_how_many(env):
    import csv
    import io
    import re

    agency, _server = env
    db = agency.home.database(pool_size=1)
    try:
        for i in range(1204):  # more than two pages, and more than one CSV batch
            audit.record(db, "bulk&test", "view_caseload", "", str(i))
        with db.transaction() as cur:  # one of them back in November
            cur.execute(
                "UPDATE console_audit SET at = ? WHERE detail = ? AND actor = ?",
                ("2026-11-02T09:00:00+00:00", "7", "bulk&test"),
            )
    finally:
        db.close()
    admin = signed_in(env, "admin")
    got = admin.get("/audit.csv?actor=bulk%26test")
    rows = list(csv.reader(io.StringIO(got.text)))
    assert rows[0][0] == "When (UTC)" and len(rows) == 1 + 1204
    assert sorted(int(r[4]) for r in rows[1:]) == list(range(1204))
    page = admin.get("/audit?actor=bulk%26test").text
    assert "Showing the newest 500 of 1204 entries" in page
    assert 'href="/audit.csv?actor=bulk%26test"' in page  # the filter kept, encoded
    older = re.search(r'href="(/audit\?actor=bulk%26test&amp;before=\d+)">Older entries', page)
    assert older is not None
    second = admin.get(older.group(1).replace("&amp;", "&")).text
    assert "Older entries: showing 500 of 1204" in second and "Newest entries" in second
    november = admin.get("/audit?actor=bulk%26test&from=2026-11-01&to=2026-11-30").text
    assert "Showing the newest 1 of 1 entries" in november
    assert admin.get("/audit?from=yesterday").status_code == 400


def test_a_totp_code_signs_in_once(env):
    agency, server = env
    forget_totp_step(agency.home, "manager")  # whatever earlier tests used
    code = pyotp.TOTP(agency.totp["manager"]).now()
    first, second = Staff(server.url), Staff(server.url)
    assert first.sign_in("manager", "", code=code).status_code == 303
    # the same code again (seen over a shoulder, say) in its 30 seconds: refused
    resp = second.sign_in("manager", "", code=code)
    assert resp.status_code == 401 and "not right" in resp.text
    assert "hs_session" not in second.cookies
    assert first.get("/").status_code == 200  # the first session is untouched


def test_sign_in_is_throttled(tmp_path):
    agency = make_console_agency(tmp_path / "agency")
    server = ConsoleServer(agency.home)
    try:
        staff = Staff(server.url)
        for _ in range(5):
            staff.get("/login")
            staff.post("/login", {"username": "adviser", "password": "guess", "code": "1"})
        resp = staff.sign_in("adviser", agency.totp["adviser"])  # right at last: too late
        assert resp.status_code == 401 and "Too many failed sign-ins" in resp.text
        assert staff.sign_in("manager", agency.totp["manager"]).status_code == 303
        for n in range(15):  # one address guessing many accounts is stopped as well
            staff.get("/login")
            staff.post("/login", {"username": f"guess{n}", "password": "x", "code": "1"})
        resp = staff.sign_in("admin", agency.totp["admin"])
        assert resp.status_code == 401 and "Too many failed sign-ins" in resp.text
    finally:
        server.stop()


def test_csrf_is_refused(env):
    agency, _server = env
    manager = signed_in(env, "manager")
    case = agency.cases[1]
    manager.get(f"/cases/{case.id}")
    for token in ("", "forged-token"):
        resp = manager.post(
            f"/cases/{case.id}/comments",
            {"csrf": token, "section_id": "cover", "text": "CSRF attempt"},
            csrf=False,
        )
        assert resp.status_code == 403 and "expired" in resp.text
    db = agency.home.database(pool_size=1)
    try:
        assert all(c.text != "CSRF attempt" for c in review.comments_of(db, case.id))
    finally:
        db.close()


def test_panel_adviser_reads_only(env):
    agency, _server = env
    adviser = signed_in(env, "adviser")
    case = agency.cases[2]
    assert case.reference in adviser.get("/").text
    page = adviser.get(f"/cases/{case.id}")
    assert page.status_code == 200 and "your role cannot comment" in page.text
    assert "/download/" not in page.text and 'action="/cases/' not in page.text
    resp = adviser.post(f"/cases/{case.id}/comments", {"section_id": "cover", "text": "no"})
    assert resp.status_code == 403
    resp = adviser.post(f"/cases/{case.id}/decision", {"decision": "sign", "reasons": ""})
    assert resp.status_code == 403
    for path in (
        f"/cases/{case.id}/download/panel.pdf",
        f"/cases/{case.id}/download/case.json",
        f"/cases/{case.id}/download/checklists.pdf",
        "/caseload.csv",
        "/export?from=2026-01-01&to=2027-01-01",
        "/team",
        "/audit",
        "/tokens",
    ):
        assert adviser.get(path).status_code == 403, path
    db = agency.home.database(pool_size=1)
    try:
        assert review.comments_of(db, case.id) == []
    finally:
        db.close()


def test_manager_downloads_are_real_files_and_audited(env, tmp_path):
    import io

    import docx
    import pypdf

    agency, _server = env
    manager = signed_in(env, "manager")
    case = agency.cases[0]
    resp = manager.get(f"/cases/{case.id}/download/panel.docx")
    assert resp.status_code == 200
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(resp.content)).paragraphs)
    assert "Hannah" in text
    resp = manager.get(f"/cases/{case.id}/download/panel.pdf")
    pdf = pypdf.PdfReader(io.BytesIO(resp.content))
    assert case.reference in pdf.pages[0].extract_text()
    done = next(v for v in case.visits if v.done_date)
    for path in ("checklists.pdf", f"visit-{done.id}.pdf"):
        resp = manager.get(f"/cases/{case.id}/download/{path}")
        assert resp.status_code == 200 and resp.content.startswith(b"%PDF"), path
    assert manager.get(f"/cases/{case.id}/download/visit-nope.pdf").status_code == 404
    bulk = manager.get("/export?from=2026-01-01&to=2099-01-01").json()
    assert {c["reference"] for c in bulk["cases"]} == {c.reference for c in agency.cases}
    assert manager.get("/export?from=soon").status_code == 400
    csv_text = manager.get("/caseload.csv?blocked=1").text
    assert csv_text.splitlines()[0].startswith("Reference,Applicants,Assessor")
    assert len(csv_text.splitlines()) == 4
    assert manager.get("/audit").status_code == 403  # the audit log is the admin's
    assert {"download", "export_csv"} <= set(actions(agency))


def test_decision_rules_diff_and_replies(env):
    agency, _server = env
    manager = signed_in(env, "manager")
    case, device = agency.cases[1], agency.devices[1]
    manager.get(f"/cases/{case.id}")
    resp = manager.post(f"/cases/{case.id}/decision", {"decision": "return", "reasons": " "})
    assert resp.status_code == 400 and "Say why the PAR is being returned" in resp.text
    section = (
        "support_network"
        if "support_network" in case.par_sections
        else next(iter(case.par_sections))
    )
    manager.post(
        f"/cases/{case.id}/comments",
        {"section_id": section, "text": "More on the wider family, please."},
    )
    assert (
        manager.post(f"/cases/{case.id}/decision", {"decision": "", "reasons": ""}).status_code
        == 303
    )
    db = agency.home.database(pool_size=1)
    try:
        comment = review.comments_of(db, case.id)[-1]
        assert messaging.queued_reviews(db, case.id) == 1  # a review message for the laptop
    finally:
        db.close()
    # the worker edits the section after the review, resolves the comment, and syncs
    case.par_sections[section].text += "\n\nHannah's sister visits every fortnight."
    send_with_replies(
        agency.home,
        device,
        case,
        [
            {
                "comment_id": comment.comment_id,
                "review_id": comment.review_id,
                "reply": "Added.",
                "resolved": True,
                "at": "2026-12-03T10:00:00+00:00",
            }
        ],
    )
    page = manager.get(f"/cases/{case.id}").text
    assert "Changed since the last review" in page
    assert "<ins>Hannah&#39;s sister visits every fortnight.</ins>" in page
    assert "Resolved</strong> by Sam Jones: Added." in page


def test_team_and_devices(env):
    agency, _server = env
    manager = signed_in(env, "manager")
    page = manager.get("/team")
    assert page.status_code == 200 and "Priya Raman" in page.text
    resp = manager.post("/team/issue", {"assessor_id": "new.worker", "assessor_name": "New Worker"})
    assert resp.status_code == 200 and b'"token"' in resp.content
    manager.get("/team")
    assert "New Worker" in manager.get("/team").text
    from homestudy.agency.console import team

    db = agency.home.database(pool_size=1)
    try:
        waiting = [e for e in team.enrolments(db) if e.assessor_id == "new.worker"]
        assert len(waiting) == 1
        manager.post("/team/cancel", {"id": waiting[0].token_id})
        assert not [e for e in team.enrolments(db) if e.assessor_id == "new.worker"]
        device_id = agency.devices[2].device_id
        refused = manager.post("/team/revoke", {"id": device_id})  # not confirmed
        assert refused.status_code == 400 and "Nothing was revoked" in refused.text
        assert {d.device_id: d.state for d in team.devices(db)}[device_id] == "active"
        done = manager.post("/team/revoke", {"id": device_id, "confirm": "1"})
        assert done.status_code == 303 and done.headers["location"] == "/team?done=revoked"
        assert "The laptop was revoked" in manager.get("/team?done=revoked").text
        assert {d.device_id: d.state for d in team.devices(db)}[device_id] == "revoked"
        manager.post("/team/restore", {"id": device_id})
        assert {d.device_id: d.state for d in team.devices(db)}[device_id] == "active"
        # what is already so is said, and not audited as done again
        before = actions(agency).count("device_restored"), actions(agency).count("device_revoked")
        again = manager.post("/team/restore", {"id": device_id})
        assert again.status_code == 400 and "That laptop was not revoked." in again.text
        manager.post("/team/revoke", {"id": device_id, "confirm": "1"})
        twice = manager.post("/team/revoke", {"id": device_id, "confirm": "1"})
        assert twice.status_code == 400 and "That laptop is already revoked." in twice.text
        manager.post("/team/restore", {"id": device_id})
        assert (
            actions(agency).count("device_restored"),
            actions(agency).count("device_revoked"),
        ) == (before[0] + 1, before[1] + 1)
        # an id is hex: a LIKE pattern names no file (it once cancelled the first waiting one)
        manager.post("/team/issue", {"assessor_id": "other.worker"})
        for pattern in ("%%%%%%%%%%%%", "________", "%", "0" * 7):
            refused = manager.post("/team/cancel", {"id": pattern})
            assert refused.status_code == 404 and "No waiting enrolment file" in refused.text
        assert [e.assessor_id for e in team.enrolments(db)].count("other.worker") == 1
        # an assessor id is one printable line, as the CLI's enrol asks
        for bad in ("new\r\nworker", "x" * 101):
            refused = manager.post("/team/issue", {"assessor_id": bad})
            assert refused.status_code == 400 and "id may" in refused.text
    finally:
        db.close()
    assert {"enrolment_issued", "enrolment_cancelled", "device_revoked", "device_restored"} <= set(
        actions(agency)
    )


def test_api_token_reaches_only_its_scope(env):
    agency, server = env
    admin = signed_in(env, "admin")
    admin.get("/tokens")
    made = admin.post("/tokens/create", {"name": "Mosaic", "scope_caseload:read": "1"})
    assert made.status_code == 303 and made.headers["location"] == "/tokens?done=created"
    page = admin.get("/tokens?done=created").text
    secret = page.split('id="new-token">', 1)[1].split("<", 1)[0]
    assert 'id="new-token"' not in admin.get("/tokens?done=created").text  # shown once
    import httpx

    case = agency.cases[0]
    with httpx.Client(base_url=server.url, headers={"authorization": f"Bearer {secret}"}) as api:
        listed = api.get("/api/v1/cases")
        assert listed.status_code == 200 and len(listed.json()["cases"]) == 3
        assert api.get(f"/api/v1/cases/{case.id}").status_code == 403
        assert api.get(f"/api/v1/cases/{case.id}/par.pdf").status_code == 403
        assert api.get("/api/v1/export?from=2026-01-01&to=2027-01-01").status_code == 403
        token_id = secret.split("_")[1]
        admin.get("/tokens")
        # only the form's own route makes a token; a name is one line of at most 100
        made_before = len(api_tokens(agency))
        stray = admin.post("/tokens/anything", {"name": "X", "scope_caseload:read": "1"})
        assert stray.status_code == 404
        long = admin.post("/tokens/create", {"name": "n" * 100_000, "scope_caseload:read": "1"})
        assert long.status_code == 400 and "at most 100 characters" in long.text
        assert len(api_tokens(agency)) == made_before
        admin.post("/tokens/revoke", {"id": token_id})  # not confirmed: still works
        assert api.get("/api/v1/cases").status_code == 200
        admin.post("/tokens/revoke", {"id": token_id, "confirm": "1"})
        assert api.get("/api/v1/cases").status_code == 401
    assert api.is_closed
    audit_csv = admin.get("/audit.csv").text
    assert "api_token_created" in audit_csv and "api_call" in audit_csv
    assert "api_token_revoked" in audit_csv


def test_every_action_is_in_the_audit_log(env):
    agency, _server = env
    admin = signed_in(env, "admin")
    page = admin.get("/audit?action=view_case")
    assert page.status_code == 200 and "view case" in page.text
    admin.get("/")
    admin.post("/logout", {})
    got = set(actions(agency))
    # a list of its own, not audit.ACTIONS: the actions this module's tests perform, each
    # of which must have reached the log (ACTIONS also names ones no test here does)
    for needed in (
        "sign_in",
        "sign_in_failed",
        "sign_out",
        "view_caseload",
        "view_case",
        "download",
        "decrypt",
        "comment",
        "decision",
        "export_csv",
        "view_audit",
        "enrolment_issued",
        "device_revoked",
        "api_call",
    ):
        assert needed in got, needed
