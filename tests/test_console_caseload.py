"""The caseload's rows, filters, sorting, CSV and charts, from real demo cases sent as
real bundles (no server here: the functions the pages call), and the console CLI."""

from __future__ import annotations

import csv
import io
import json
import os
from datetime import date

import pytest

from homestudy.agency.cli import main
from homestudy.agency.console import audit
from homestudy.agency.console.caseload import Caseload, Filters, to_csv
from homestudy.agency.console.cases import CaseCache
from homestudy.agency.console.chart import quarter_chart, stage2_chart
from homestudy.agency.console.review import section_changes
from tests.console_helpers import TODAY, make_console_agency


@pytest.fixture(scope="module")
def agency(tmp_path_factory):
    return make_console_agency(tmp_path_factory.mktemp("caseload") / "agency")


@pytest.fixture
def load(agency):
    db = agency.home.database(pool_size=2)
    yield Caseload(CaseCache(agency.home, db))
    db.close()


def test_rows_use_the_products_clock_and_readiness(load):
    rows = {r.reference: r for r in load.rows(TODAY)}
    assert rows["HS-2026-0100"].stage2_day == 69 and rows["HS-2026-0100"].assessor == "Priya Raman"
    assert rows["HS-2026-2100"].over_timescale and not rows["HS-2026-0100"].over_timescale
    for r in rows.values():
        assert r.blockers == sum(1 for f in r.findings if f.severity == "blocker") > 0
        assert r.visits_planned == 8 and r.panel_date is not None


def test_filters_and_sorting(load):
    every = load.rows(TODAY)
    by_stage2 = [r.reference for r in load.rows(TODAY, Filters(sort="stage2"))]
    assert by_stage2 == ["HS-2026-2100", "HS-2026-1100", "HS-2026-0100"]
    assert [
        r.reference for r in load.rows(TODAY, Filters(sort="stage2", descending=True))
    ] == by_stage2[::-1]
    assert {r.reference for r in load.rows(TODAY, Filters(assessor="sam.jones"))} == {
        "HS-2026-1100"
    }
    overdue = {r.reference for r in load.rows(TODAY, Filters(overdue=True))}
    assert "HS-2026-2100" in overdue and "HS-2026-0100" not in overdue
    month = every[0].panel_date.isoformat()[:7]
    assert all(
        r.panel_date.isoformat()[:7] == month for r in load.rows(TODAY, Filters(panel_month=month))
    )
    q = Filters.from_query({"sort": "drop table", "panel_month": "x", "blocked": "1"})
    assert q.sort == "stage2" and q.panel_month == "" and q.blocked


def test_csv_is_safe_for_spreadsheets(load):
    rows = load.rows(TODAY)
    parsed = list(csv.reader(io.StringIO(to_csv(rows))))
    assert parsed[0][0] == "Reference" and len(parsed) == 4
    from homestudy.agency.console.audit import csv_cell

    assert csv_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)" and csv_cell("plain") == "plain"


def test_charts_are_accessible_svg(load):
    rows = load.rows(TODAY)
    svg = str(stage2_chart(rows))
    assert svg.startswith("<svg") and "<title" in svg and "4 months" in svg
    assert svg.count('class="bar late"') == sum(1 for r in rows if r.over_timescale)
    assert "Q" in str(quarter_chart(rows))


def test_section_diff(agency):
    import copy

    before = agency.cases[0]
    after = copy.deepcopy(before)
    sid = next(iter(after.par_sections))
    after.par_sections[sid].text += "\n\nA new paragraph."
    changes = section_changes(before, after)
    assert list(changes) == [sid]
    assert [(d.kind, d.text) for d in changes[sid] if d.kind != "same"] == [
        ("added", "A new paragraph.")
    ]
    after.par_sections[sid].text += "\n\n**Applicants:** *two*\n\n1. first\n2. second"
    added = [d.text for d in section_changes(before, after)[sid] if d.kind == "added"]
    assert added[-2:] == ["Applicants: two", "1. first\n2. second"]  # words, no Markdown


def test_cli_devices_enrolments_restore(agency, capsys, monkeypatch):
    home = str(agency.home.path)
    assert main(["--home", home, "devices", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {d["assessor_id"] for d in listed} == {"priya.raman", "sam.jones", "alex.khan"}
    device = listed[0]["device_id"]
    assert main(["--home", home, "revoke", device]) == 0
    assert main(["--home", home, "restore-device", device]) == 0
    capsys.readouterr()
    assert main(["--home", home, "devices", "--json"]) == 0
    assert all(d["state"] == "active" for d in json.loads(capsys.readouterr().out))
    out = agency.home.path.parent / "new.homestudy-enrol"
    assert main(["--home", home, "enrol", "--assessor", "kim", "--out", str(out)]) == 0
    capsys.readouterr()
    assert main(["--home", home, "enrolments", "--json"]) == 0
    waiting = json.loads(capsys.readouterr().out)
    assert [e["assessor_id"] for e in waiting] == ["kim"]
    assert main(["--home", home, "cancel-enrolment", waiting[0]["token_id"], "--json"]) == 0
    capsys.readouterr()
    assert main(["--home", home, "enrolments", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["--home", home, "cancel-enrolment", "000000000000"]) == 1
    assert "No waiting enrolment file" in capsys.readouterr().err
    monkeypatch.setitem(os.environ, "HOMESTUDY_STAFF_PASSWORD", "a long enough password")
    assert (
        main(
            [
                "--home",
                home,
                "staff-add",
                "kim.m",
                "--name",
                "Kim M",
                "--role",
                "team_manager",
                "--json",
            ]
        )
        == 0
    )
    made = json.loads(capsys.readouterr().out)
    assert made["totp_uri"].startswith("otpauth://totp/")
    db = agency.home.database(pool_size=1)
    try:
        got = {e.action for e in audit.entries(db)}
    finally:
        db.close()
    assert {"device_restored", "enrolment_cancelled", "staff_added"} <= got
    assert date.today()  # (the real today: enrolment expiry is real time)


def test_page_rows_stay_quick_while_a_case_syncs_again(tmp_path):
    from homestudy.agency.inbox import Inbox

    fresh = make_console_agency(tmp_path / "agency")
    db = fresh.home.database(pool_size=2)
    try:
        load = Caseload(CaseCache(fresh.home, db))
        before = {r.reference: r for r in load.rows(TODAY, allow_stale=True)}
        assert load.stale_ids == frozenset()
        case, device = fresh.cases[0], fresh.devices[0]
        case.visits[-1].done_date = TODAY  # the laptop records a visit and syncs
        bundle_id, data = device.bundle(case)
        Inbox(fresh.home, db).accept(bundle_id, data)
        page = {r.reference: r for r in load.rows(TODAY, allow_stale=True)}
        assert load.stale_ids == {case.id}  # shown as it was, while it is worked out
        assert page[case.reference] == before[case.reference]
        load._worker.submit(lambda: None).result()  # the one background worker is done
        page = {r.reference: r for r in load.rows(TODAY, allow_stale=True)}
        assert load.stale_ids == frozenset()
        assert page[case.reference].visits_done == before[case.reference].visits_done + 1
        # the API and the CSV never get a stale row
        fresh_rows = {r.reference: r for r in Caseload(CaseCache(fresh.home, db)).rows(TODAY)}
        assert fresh_rows[case.reference].visits_done == page[case.reference].visits_done
    finally:
        db.close()


def test_visits_planned_in_the_past_and_not_done_show_as_overdue(load):
    rows = {r.reference: r for r in load.rows(TODAY)}
    late = rows["HS-2026-1100"]  # its visits 6 to 8 were planned before TODAY
    assert late.visits_overdue == 3 and late.overdue_visit is not None
    assert late.overdue_visit < TODAY and late.visit_due == late.overdue_visit
    assert rows["HS-2026-0100"].visits_overdue == 0
    overdue = {r.reference for r in load.rows(TODAY, Filters(overdue=True))}
    assert "HS-2026-1100" in overdue
