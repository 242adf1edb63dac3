"""The overview: the clock, the figures, and findings that open where they are fixed."""

from __future__ import annotations

from datetime import date

from conftest import WAIT_MS
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from homestudy.forms import load_library
from homestudy.readiness import assess_readiness
from homestudy.timeline import TimelineRules, stage2_progress
from ui.views.overview import LOCATION_ROLE


def _open_overview(qtbot, window, ctx, case):
    window.open_case(case.id)
    qtbot.waitUntil(
        lambda: window.workspace is not None and window.workspace.case is not None, timeout=WAIT_MS
    )
    overview = window.workspace.views["overview"]
    qtbot.waitUntil(lambda: overview.data is not None, timeout=WAIT_MS)
    return overview


def test_the_clock_and_figures_of_the_demo_case(qtbot, make_app, demo_vault_dir, unlock):
    folder, case = demo_vault_dir
    window, ctx = make_app(folder)
    unlock(window)
    overview = _open_overview(qtbot, window, ctx, case)
    assert window.workspace.current_tab() == "overview"
    day, total = stage2_progress(case, date.today())
    assert overview.clock_label.text() == f"Stage 2 day {day} of {total}"
    assert (overview.clock_bar.value(), overview.clock_bar.maximum()) == (day, total)
    assert overview.data.deadlines
    first = overview.data.deadlines[0].columns
    assert first[1] in overview.deadlines.text() and first[2]  # each deadline with its reason
    findings = assess_readiness(case, load_library(), TimelineRules(), date.today())
    assert overview.findings.topLevelItemCount() == len(findings)
    assert overview.findings.topLevelItem(0).text(1) == findings[0].message
    assert overview.visits.topLevelItemCount() == len(case.visits)
    assert overview.visits_label.text().startswith(
        f"{case.visits_done} of {len(case.visits)} visits done"
    )
    words = sum(d.word_count for d in case.par_sections.values())
    assert overview.par_label.text().startswith(f"{words:,} words in 26 sections")
    assert overview.par_sections.topLevelItemCount() == 26
    assert f"{len(case.references)} referees" in overview.references_label.text()
    # health and safety plus one pet assessment for the dog
    assert overview.checklists.topLevelItemCount() == 1 + len(case.animals)


def _activate(qtbot, tree, location: str) -> None:
    for i in range(tree.topLevelItemCount()):
        item = tree.topLevelItem(i)
        if item.data(0, LOCATION_ROLE) == location:
            tree.setFocus()
            tree.setCurrentItem(item)
            QTest.keyClick(tree.viewport(), Qt.Key.Key_Return)
            return
    raise AssertionError(f"no entry for {location}")


def test_finding_links_switch_tab_and_reveal(qtbot, make_app, demo_vault_dir, unlock):
    folder, case = demo_vault_dir
    window, ctx = make_app(folder)
    unlock(window)
    overview = _open_overview(qtbot, window, ctx, case)
    workspace = window.workspace
    revealed: list[tuple[str, str]] = []
    for key, view in workspace.views.items():
        view.reveal = lambda target, key=key: revealed.append((key, target))
    locations = {
        overview.findings.topLevelItem(i).data(0, LOCATION_ROLE)
        for i in range(overview.findings.topLevelItemCount())
    }
    # a PAR section finding, a checklist finding and a visits finding, each by keyboard
    wanted = [
        loc
        for loc in (
            "par:family_tree",
            "checklists:health_safety/blind_cords",
            "visits",
            "case:applicant_copy_shared_on",
        )
        if loc in locations
    ]
    assert len(wanted) == 4, locations
    for location in wanted:
        tab, _, target = location.partition(":")
        workspace.tabs.setCurrentWidget(overview)
        _activate(qtbot, overview.findings, location)
        assert workspace.current_tab() == tab
        if target:
            assert revealed[-1] == (tab, target)
    # the visit plan and PAR lists are links too
    workspace.tabs.setCurrentWidget(overview)
    visit = sorted(case.visits, key=lambda v: v.sequence)[0]
    _activate(qtbot, overview.visits, f"visits:{visit.id}")
    assert revealed[-1] == ("visits", visit.id)
    assert workspace.current_tab() == "visits"


def test_ctrl_number_switches_tabs(qtbot, make_app, demo_vault_dir, unlock):
    folder, case = demo_vault_dir
    window, ctx = make_app(folder)
    unlock(window)
    _open_overview(qtbot, window, ctx, case)
    workspace = window.workspace
    order = ["overview", "case", "visits", "references", "checklists", "par"]
    for i, key in reversed(list(enumerate(order))):
        QTest.keyClick(window, getattr(Qt.Key, f"Key_{i + 1}"), Qt.KeyboardModifier.ControlModifier)
        assert workspace.current_tab() == key
