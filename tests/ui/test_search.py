"""Search across the vault finds text and opens the case where the text is."""

from __future__ import annotations

from conftest import WAIT_MS
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from ui.views.search import HIT_ROLE, SearchDialog, hit_location


def _search(qtbot, window, text: str) -> SearchDialog:
    QTest.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    dialog = window.findChild(SearchDialog)
    assert dialog is not None and dialog.isVisible()
    with qtbot.waitSignal(dialog.results_shown, timeout=WAIT_MS):
        qtbot.keyClicks(dialog.query, text)  # typing searches after a short pause
    return dialog


def test_search_finds_text_and_opens_the_case_at_the_hit(qtbot, make_app, demo_vault_dir, unlock):
    folder, case = demo_vault_dir
    window, _ = make_app(folder)
    unlock(window)
    # a word that is only in the Health section of the demo PAR
    health = case.par_sections["health"].text
    word = next(w.strip(".,;:*") for w in health.split() if len(w) > 9 and w.isalpha())
    dialog = _search(qtbot, window, word)
    assert dialog.results.count() >= 1
    locations = [dialog.results.item(i).data(HIT_ROLE) for i in range(dialog.results.count())]
    assert (case.id, "par:health") in locations
    row = locations.index((case.id, "par:health"))
    assert case.reference in dialog.results.item(row).text()
    snippet = dialog.results.item(row).text().split("\n", 1)[1].strip("…")
    assert snippet and snippet in health  # an excerpt of the section around the match
    dialog.results.setCurrentRow(row)
    dialog.results.setFocus()
    revealed: list[str] = []
    QTest.keyClick(dialog.results.viewport(), Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: window.workspace is not None and window.workspace.case is not None, timeout=WAIT_MS
    )
    assert not dialog.isVisible()
    assert window.workspace.case.id == case.id
    assert window.workspace.current_tab() == "par"
    # a second hit in the same open case only moves within it
    for view in window.workspace.views.values():
        view.reveal = revealed.append
    visit = next(v for v in case.visits if "Biscuit" in v.notes)
    dialog = _search(qtbot, window, "Biscuit")
    locations = [dialog.results.item(i).data(HIT_ROLE) for i in range(dialog.results.count())]
    row = locations.index((case.id, f"visits:{visit.id}"))
    dialog.results.setCurrentRow(row)
    workspace = window.workspace
    QTest.keyClick(dialog.results.viewport(), Qt.Key.Key_Return)
    assert window.workspace is workspace
    assert workspace.current_tab() == "visits"
    assert revealed == [visit.id]


def test_nothing_found_says_so(qtbot, make_app, demo_vault_dir, unlock):
    folder, _ = demo_vault_dir
    window, _ = make_app(folder)
    unlock(window)
    dialog = _search(qtbot, window, "xylophonist")
    assert dialog.results.count() == 0
    assert dialog.status.text() == "Nothing found."


def test_hit_locations() -> None:
    assert hit_location("par_section", "health") == "par:health"
    assert hit_location("visit", "v1") == "visits:v1"
    assert hit_location("reference", "r1") == "references:r1"
    assert hit_location("answer", "health_safety//smoke_alarms/0") == (
        "checklists:health_safety/smoke_alarms"
    )
    assert hit_location("answer", "pet_assessment/dog1/temperament/0") == (
        "checklists:pet_assessment/dog1/temperament"
    )
    assert hit_location("applicant", "a1") == "case:a1"
    assert hit_location("household_member", "m1") == "case:m1"
    assert hit_location("answer", "reference_interview/r9/motivation/0") == "references:r9"
    assert hit_location("stage1", "c1") == "case:stage1"
    assert hit_location("check", "k1") == "case:k1"
    assert hit_location("line_of_enquiry", "l1") == "case:l1"
    assert hit_location("attachment", "a1") == "overview"


def test_a_referees_name_finds_them_and_arrow_keys_reach_the_hit(
    qtbot, make_app, demo_vault_dir, unlock
):
    folder, case = demo_vault_dir
    window, _ = make_app(folder)
    unlock(window)
    referee = (
        next(r for r in case.references if not r.notes.strip())
        if any(not r.notes.strip() for r in case.references)
        else case.references[-1]
    )
    surname = referee.referee_name.split()[-1]
    QTest.keyClick(
        window,
        Qt.Key.Key_F,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )  # the other way to search all cases
    dialog = window.findChild(SearchDialog)
    assert dialog is not None and dialog.isVisible()
    with qtbot.waitSignal(dialog.results_shown, timeout=WAIT_MS):
        qtbot.keyClicks(dialog.query, surname)
    locations = [dialog.results.item(i).data(HIT_ROLE) for i in range(dialog.results.count())]
    assert (case.id, f"references:{referee.id}") in locations
    row = locations.index((case.id, f"references:{referee.id}"))
    assert "Referee" in dialog.results.item(row).text()
    QTest.keyClick(dialog.query, Qt.Key.Key_Down)  # from the box into the results
    assert dialog.results.hasFocus() or dialog.focusWidget() is dialog.results
    assert dialog.results.currentRow() == 0
    for _ in range(row):
        QTest.keyClick(dialog.results, Qt.Key.Key_Down)
    QTest.keyClick(dialog.results, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: window.workspace is not None and window.workspace.case is not None, timeout=WAIT_MS
    )
    assert window.workspace.current_tab() == "references"
    references = window.workspace.views["references"]
    assert references.reference is not None and references.reference.id == referee.id


def test_household_and_applicant_names_are_found(qtbot, make_app, demo_vault_dir, unlock):
    folder, case = demo_vault_dir
    window, _ = make_app(folder)
    unlock(window)
    member = case.household[0]
    dialog = _search(qtbot, window, member.name)
    locations = [dialog.results.item(i).data(HIT_ROLE) for i in range(dialog.results.count())]
    assert (case.id, f"case:{member.id}") in locations
    applicant = case.applicants[0]
    dialog.query.clear()
    with qtbot.waitSignal(dialog.results_shown, timeout=WAIT_MS):
        qtbot.keyClicks(dialog.query, applicant.full_name)
    locations = [dialog.results.item(i).data(HIT_ROLE) for i in range(dialog.results.count())]
    assert (case.id, f"case:{applicant.id}") in locations
