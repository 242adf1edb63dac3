"""The manager's review forms on the case page, over real HTTP to the real server: a
refused send keeps what was typed, countersigning with blockers open needs a confirm
and says so, a repeat countersignature is refused, and only PAR sections take comments."""

from __future__ import annotations

import html

from homestudy.agency.console import messaging, review
from tests import console_helpers
from tests.console_helpers import signed_in

# the module's running console, and its clients closed after each test (fixtures)
env = console_helpers.env
close_clients = console_helpers.close_clients


def reviews(agency, case_id: str) -> list[review.Review]:
    db = agency.home.database(pool_size=1)
    try:
        return [r for r in review.reviews_of(db, case_id) if r.sent_at]
    finally:
        db.close()


def queued(agency, case_id: str) -> int:
    db = agency.home.database(pool_size=1)
    try:
        return messaging.queued_reviews(db, case_id)
    finally:
        db.close()


def test_a_refused_return_keeps_the_choice_and_the_reasons(env):
    agency, _server = env
    manager = signed_in(env, "manager")
    case = agency.cases[1]
    manager.get(f"/cases/{case.id}")
    manager.post(f"/cases/{case.id}/comments", {"section_id": "cover", "text": "Expand this."})
    resp = manager.post(f"/cases/{case.id}/decision", {"decision": "return", "reasons": "  "})
    assert resp.status_code == 400
    assert 'id="decision-error">Say why the PAR is being returned' in resp.text
    assert 'id="d-return" name="decision" value="return" checked' in resp.text
    assert 'id="d-none" name="decision" value="" checked' not in resp.text
    # reasons with "comments only" would never reach the worker: refused, text kept
    resp = manager.post(f"/cases/{case.id}/decision", {"decision": "", "reasons": "Gaps."})
    assert resp.status_code == 400 and "Reasons go with a return" in html.unescape(resp.text)
    assert ">Gaps.</textarea>" in resp.text
    assert reviews(agency, case.id) == []
    resp = manager.post(f"/cases/{case.id}/decision", {"decision": "return", "reasons": "Gaps."})
    assert resp.status_code == 303
    (sent,) = reviews(agency, case.id)
    assert (sent.decision, sent.reasons) == ("return", "Gaps.")


def test_a_refused_comment_is_shown_beside_its_section_and_kept(env):
    agency, _server = env
    manager = signed_in(env, "manager")
    case = agency.cases[0]
    manager.get(f"/cases/{case.id}")
    resp = manager.post(f"/cases/{case.id}/comments", {"section_id": "cover", "text": "x" * 4001})
    assert resp.status_code == 400 and 'id="comment-error-cover"' in resp.text
    assert "x" * 4001 + "</textarea>" in resp.text


def test_general_comments_are_refused_as_the_laptop_cannot_show_them(env):
    agency, _server = env
    manager = signed_in(env, "manager")
    case = agency.cases[0]
    manager.get(f"/cases/{case.id}")
    resp = manager.post(f"/cases/{case.id}/comments", {"section_id": "general", "text": "Hi"})
    assert resp.status_code == 400 and "not in this case" in resp.text
    db = agency.home.database(pool_size=1)
    try:
        assert not [c for c in review.comments_of(db, case.id) if c.section_id == "general"]
    finally:
        db.close()


def test_countersigning_with_blockers_needs_a_confirm_and_is_not_repeated(env):
    agency, _server = env
    manager = signed_in(env, "manager")
    case = agency.cases[2]
    page = manager.get(f"/cases/{case.id}").text
    blockers = int(page.split('<h2 id="readiness">', 1)[1].split("<p>", 1)[1].split(" ", 1)[0])
    assert blockers > 0  # the demo case is not ready for panel
    resp = manager.post(f"/cases/{case.id}/decision", {"decision": "sign", "reasons": ""})
    assert resp.status_code == 200 and f"This PAR has {blockers} blockers open" in resp.text
    assert 'id="d-sign" name="decision" value="sign" checked' in resp.text
    assert reviews(agency, case.id) == [] and queued(agency, case.id) == 0
    confirm = {"decision": "sign", "reasons": "", "confirm_blockers": str(blockers)}
    assert manager.post(f"/cases/{case.id}/decision", confirm).status_code == 303
    (signed,) = reviews(agency, case.id)
    assert signed.decision == "sign"
    assert signed.reasons == f"Countersigned with {blockers} blockers open."
    manager.get(f"/cases/{case.id}")
    again = manager.post(f"/cases/{case.id}/decision", confirm)
    assert again.status_code == 400 and "countersigned already" in again.text
    assert len(reviews(agency, case.id)) == 1 and queued(agency, case.id) == 1
