"""The console's pages over real HTTP to the real server: error pages, forms that
redirect after posting, the case page's labels, and the times and months it shows."""

from __future__ import annotations

from tests import console_helpers
from tests.console_helpers import Staff, signed_in

# the module's running console, and its clients closed after each test (fixtures)
env = console_helpers.env
close_clients = console_helpers.close_clients


def test_error_pages_are_the_consoles_own(env):
    _agency, server = env
    manager = signed_in(env, "manager")
    for path in ("/no-such-page", "/cases/nope"):
        resp = manager.get(path)
        assert resp.status_code == 404, path
        assert "<h1>Page not found</h1>" in resp.text and "Sign out" in resp.text, path
        assert 'href="/login"' not in resp.text, path
        assert resp.headers["x-frame-options"] == "DENY", path
    resp = manager.http.post(
        "/logout",
        content=b"xx",
        headers={**manager._cookie_header(), "content-type": "multipart/form-data"},
    )
    assert resp.status_code == 400 and "could not read what was sent" in resp.text
    assert "text/html" in resp.headers["content-type"] and "Sign out" in resp.text
    anon = Staff(server.url).get("/no-such-page")
    assert anon.status_code == 404 and 'href="/login"' in anon.text
    api = Staff(server.url).get("/api/v1/nothing")
    assert api.status_code == 404 and api.json()["error"] == "not_found"


def test_sorting_says_the_order_the_rows_are_in(env):
    manager = signed_in(env, "manager")
    for key in ("stage2", "blockers"):
        plain = manager.get(f"/?sort={key}").text
        flipped = manager.get(f"/?sort={key}&desc=1").text
        assert ", largest first</caption>" in plain or ", most first</caption>" in plain, key
        assert 'aria-label="sorted, smallest first">▲' in flipped or (
            'aria-label="sorted, fewest first">▲' in flipped
        ), key
        assert '<input type="hidden" name="desc" value="1">' in flipped, key
    page = manager.get("/?sort=stage2").text
    order = [ref for ref in ("HS-2026-2100", "HS-2026-1100", "HS-2026-0100") if ref in page]
    assert sorted(order, key=page.index) == order  # most Stage 2 days first, as it says


def test_case_page_labels_say_what_they_are(env):
    from homestudy.forms import load_library

    agency, _server = env
    manager = signed_in(env, "manager")
    case = agency.cases[1]
    page = manager.get(f"/cases/{case.id}").text
    assert "(version 1 received from the laptop)" in page and "revision" not in page
    fid = case.checklist_answers[0].form_id
    assert f"<li>{load_library().get(fid).title}: " in page
    planned = next(v for v in case.visits if not v.done_date)
    assert f"visit-{planned.id}.pdf" not in page
    resp = manager.get(f"/cases/{case.id}/download/visit-{planned.id}.pdf")
    assert resp.status_code == 404 and "not been held yet" in resp.text


def test_times_are_uk_time_and_months_are_named(env):
    import csv
    import io
    import re

    from homestudy.agency.console.web import _uk_time

    assert _uk_time("2026-07-01T12:05:00+00:00") == "1 Jul 2026 13:05 BST"
    assert _uk_time("2026-12-03T08:46:00+00:00") == "3 Dec 2026 08:46 GMT"
    manager = signed_in(env, "manager")
    page = manager.get("/").text
    assert re.search(r"\d\d:\d\d (GMT|BST)</td>", page)  # last sync
    assert re.search(r'<option value="\d{4}-\d\d" *>[A-Z][a-z]+ \d{4}</option>', page)
    assert not re.search(r">\d{4}-\d\d</option>", page)
    rows = list(csv.DictReader(io.StringIO(manager.get("/caseload.csv").text)))
    assert {r["Stage"] for r in rows} == {"Stage 2"}
