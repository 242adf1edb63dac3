"""Every PAR section on the console's case page has its comment box: the cover (printed
on the front sheet, with no heading of its own) and sections not started yet too. Over
real HTTP to the real console (uvicorn on 127.0.0.1, SQLite)."""

from __future__ import annotations

import re
from datetime import date

import pytest

from homestudy.agency.console import review
from homestudy.agency.console.par_html import parts
from homestudy.demo import build_demo_case
from homestudy.forms import load_library
from homestudy.report import Variant, build_par_document
from tests.console_helpers import ConsoleServer, Staff, close_all, make_console_agency


@pytest.fixture(autouse=True)
def _close_clients():
    yield
    close_all()


def test_the_front_sheet_is_the_cover_section() -> None:
    forms = load_library()
    case = build_demo_case(date(2026, 11, 1))
    document = build_par_document(case, Variant.SUPERVISOR, forms=forms, today=date(2026, 11, 1))
    every = {s.id for s in forms.par.sections}
    cut = parts(document, every, forms.par.front_sheet.sections_shown)
    assert cut[0].section_id == "cover" and "Prospective Adopter" in cut[0].html
    shown = {p.section_id for p in cut} - {""}
    assert shown == every  # each section of the form once, with a box beside it
    assert parts(document, every)[0].section_id == ""  # without front: as before


def test_every_section_on_the_case_page_has_a_comment_box(tmp_path) -> None:
    agency = make_console_agency(tmp_path / "agency")
    server = ConsoleServer(agency.home)
    try:
        manager = Staff(server.url)
        assert manager.sign_in("manager", agency.totp["manager"]).status_code == 303
        case = agency.cases[0]
        page = manager.get(f"/cases/{case.id}").text
        boxes = set(re.findall(r'<textarea id="comment-([a-z_0-9]+)"', page))
        assert boxes == {s.id for s in load_library().par.sections}
        assert 'id="r_cover"' in page
        resp = manager.post(
            f"/cases/{case.id}/comments",
            {"section_id": "cover", "text": "Name the referees on the cover."},
        )
        assert resp.status_code == 303 and resp.headers["location"].endswith("#r_cover")
        resp = manager.post(f"/cases/{case.id}/comments", {"section_id": "nope", "text": "x"})
        assert resp.status_code == 400 and "not in this case" in resp.text
    finally:
        server.stop()
    db = agency.home.database(pool_size=1)
    try:
        (comment,) = review.comments_of(db, case.id)
    finally:
        db.close()
    assert (comment.section_id, comment.text) == ("cover", "Name the referees on the cover.")
