"""Findings take the worker to the exact item: the question row (scrolled to, focused,
highlighted), the referee, the visit, the animal, the person's check, the person, the
PAR section or one of its details; and the findings list shows whole messages, most
severe first."""

from __future__ import annotations

from conftest import WAIT_MS
from PySide6.QtWidgets import QApplication, QScrollArea


def _open(qtbot, window, case, location: str):
    window.open_case(case.id, location)
    qtbot.waitUntil(
        lambda: window.workspace is not None and window.workspace.case is not None, timeout=WAIT_MS
    )
    return window.workspace


def _focus():
    return QApplication.focusWidget()


def _visible_in_scroll(widget) -> bool:
    scroll = widget.parentWidget()
    while scroll is not None and not isinstance(scroll, QScrollArea):
        scroll = scroll.parentWidget()
    top_left = widget.mapTo(scroll.viewport(), widget.rect().topLeft())
    return 0 <= top_left.y() < scroll.viewport().height()


def test_a_finding_of_each_kind_focuses_its_item(qtbot, make_app, demo_vault_dir, unlock):
    folder, case = demo_vault_dir
    window, _ = make_app(folder)
    window.resize(1024, 700)
    unlock(window)
    workspace = _open(qtbot, window, case, "overview")
    dog = case.animals[0]

    # a health and safety question near the end of a long form
    workspace.show_location("checklists:health_safety/child_locks")
    checklists = workspace.views["checklists"]
    row = checklists.form_widget.rows["child_locks"]
    assert row.isAncestorOf(_focus()) and row.property("revealed")
    assert _visible_in_scroll(row)
    # a pet's question
    workspace.show_location(f"checklists:pet_assessment/{dog.id}/dog_conclusion")
    assert checklists.subject == dog.id
    row = checklists.form_widget.rows["dog_conclusion"]
    assert row.isAncestorOf(_focus()) and _visible_in_scroll(row)
    # an animal
    workspace.show_location(f"checklists:{dog.id}")
    assert checklists.subject == dog.id and _focus() is checklists.subjects
    # a referee (not the first)
    referee = case.references[2]
    workspace.show_location(f"references:{referee.id}")
    references = workspace.views["references"]
    assert references.reference.id == referee.id and _focus() is references.name_edit
    # a visit (not the first)
    visit = case.visits[4]
    workspace.show_location(f"visits:{visit.id}")
    visits = workspace.views["visits"]
    assert visits.visit.id == visit.id and _focus() is visits.title_edit
    # a statutory check, and a person
    check = case.stage1.checks[5]
    workspace.show_location(f"case:{check.id}")
    details = workspace.views["case"]
    assert details.current_page() == "stage1" and details.checks.record.id == check.id
    assert details.checks.details.isAncestorOf(_focus())
    # a check not yet recorded: the checks panel, at what that person still needs
    daniel = case.applicants[1]
    workspace.show_location(f"case:checks:{daniel.id}")
    assert details.current_page() == "stage1"
    assert _focus() is details.checks_panel.needs
    assert details.checks_panel.needs.currentItem().text(0) == daniel.full_name
    member = case.household[1]
    workspace.show_location(f"case:{member.id}")
    assert details.current_page() == "household" and details.household.record.id == member.id
    # a PAR section, and one of its details
    workspace.show_location("par:motivation")
    par = workspace.views["par"]
    assert par.section_id == "motivation" and _focus() is par.editor
    workspace.show_location("par:family_tree/family_tree_attached")
    assert par.section_id == "family_tree"
    assert par.fields_widget.rows["family_tree_attached"].isAncestorOf(_focus())


def test_findings_show_whole_messages_most_severe_first(qtbot, make_app, demo_vault_dir, unlock):
    folder, case = demo_vault_dir
    window, _ = make_app(folder)
    window.resize(1024, 700)
    unlock(window)
    workspace = _open(qtbot, window, case, "overview")
    overview = workspace.views["overview"]
    qtbot.waitUntil(lambda: overview.data is not None, timeout=WAIT_MS)
    severities = [e.columns[0] for e in overview.data.findings]
    rank = {"Blocks panel": 0, "To check": 1, "Note": 2}
    assert severities == sorted(severities, key=rank.__getitem__)
    findings = overview.findings
    assert findings.topLevelItemCount() == len(overview.data.findings) > 0
    longest = max(
        range(findings.topLevelItemCount()), key=lambda i: len(findings.topLevelItem(i).text(1))
    )
    item = findings.topLevelItem(longest)
    rect = findings.visualItemRect(item)
    width = findings.columnWidth(1)
    needed = (
        findings.fontMetrics().boundingRect(0, 0, width - 8, 10_000, 0x1000, item.text(1)).height()
    )
    assert needed > 1.5 * findings.fontMetrics().height()  # a message too long for a line
    assert rect.height() >= needed  # is wrapped onto as many lines as it takes
