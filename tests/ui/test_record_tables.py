"""The Visits, References and Case details lists read well at 1280x800 and 1024x700:
short columns show their whole text, the main column takes the spare width, no
sideways scrolling, every cell's full text in its tooltip, and the form beside a list
keeps a usable width. Driven in the real app over the demo case."""

from __future__ import annotations

from conftest import WAIT_MS
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QSplitter, QTreeWidget

from ui.widgets.record_table import DETAILS_MIN_WIDTH, MAIN_MIN


def _open_tab(qtbot, window, case_id: str, key: str, size: tuple[int, int]):
    window.resize(*size)
    if window.workspace is None or window.workspace.case is None:
        window.open_case(case_id)
        qtbot.waitUntil(
            lambda: window.workspace is not None and window.workspace.case is not None,
            timeout=WAIT_MS,
        )
    window.workspace.show_location(key)
    return window.workspace.views[key]


def _cells(table: QTreeWidget) -> list[tuple[int, int, str, str]]:
    """(row, column, text, tooltip) of every cell."""
    return [
        (r, c, table.topLevelItem(r).text(c), table.topLevelItem(r).toolTip(c))
        for r in range(table.topLevelItemCount())
        for c in range(table.columnCount())
    ]


def _reads_well(table: QTreeWidget, stretch: int, whole: set[int] | None = None) -> None:
    """Asserted until the window has laid out (``waitUntil`` retries). The columns in
    ``whole`` (all but ``stretch`` if None) must show every cell's whole text."""
    header = table.header()
    assert table.topLevelItemCount() > 0
    assert not table.horizontalScrollBar().isVisible(), "no sideways scrolling"
    right = sum(header.sectionSize(c) for c in range(table.columnCount()))
    assert right <= table.viewport().width()
    metrics = header.fontMetrics()
    for c in range(table.columnCount()):
        title = table.headerItem().text(c)
        assert header.sectionSize(c) >= metrics.horizontalAdvance(title), title
        if c in (whole if whole is not None else set(range(table.columnCount())) - {stretch}):
            assert header.sectionSize(c) >= table.sizeHintForColumn(c), title
    # the main column keeps room for a useful part of its text
    assert header.sectionSize(stretch) >= min(MAIN_MIN, table.sizeHintForColumn(stretch))
    for row, col, text, tip in _cells(table):
        assert tip == text, (row, col)


def test_references_and_visits_read_well_at_1280x800(qtbot, make_app, demo_vault_dir, unlock):
    folder, case = demo_vault_dir
    window, _ctx = make_app(folder)
    unlock(window)

    refs = _open_tab(qtbot, window, case.id, "references", (1280, 800))
    qtbot.waitUntil(lambda: _reads_well(refs.table, 0), timeout=WAIT_MS)
    kinds = [refs.table.topLevelItem(r).text(1) for r in range(refs.table.topLevelItemCount())]
    assert "Employer (current or most recent)" in kinds  # shown whole, not "Employer (cur…"

    visits = _open_tab(qtbot, window, case.id, "visits", (1280, 800))
    qtbot.waitUntil(lambda: _reads_well(visits.table, 1), timeout=WAIT_MS)
    assert visits.table.textElideMode() == Qt.TextElideMode.ElideMiddle

    # an edit to the current row keeps its tooltip in step with its text
    visits.table.setCurrentItem(visits.table.topLevelItem(0))
    visits.title_edit.selectAll()
    QTest.keyClicks(
        visits.title_edit,
        "Joint visit: a much longer title than it had before, so that it cannot fit in the list",
    )
    item = visits.table.topLevelItem(0)
    assert item.toolTip(1) == item.text(1) == visits.title_edit.text()


def test_details_keep_their_width_at_1024x700(qtbot, make_app, demo_vault_dir, unlock):
    folder, case = demo_vault_dir
    window, _ctx = make_app(folder)
    unlock(window)

    details = _open_tab(qtbot, window, case.id, "case", (1024, 700))
    applicants = details.applicants
    splitter = applicants.table.parentWidget()
    assert isinstance(splitter, QSplitter)
    assert splitter.accessibleName()  # the splitter is named for screen readers
    assert not splitter.childrenCollapsible()
    pane = splitter.widget(1)
    assert pane.accessibleName() == "Details of the applicant"

    def laid_out() -> None:
        assert window.width() == 1024 and applicants.table.isVisible()
        assert pane.width() >= DETAILS_MIN_WIDTH
        _reads_well(applicants.table, 0, whole={1})  # Born

    qtbot.waitUntil(laid_out, timeout=WAIT_MS)

    for key in ("references", "visits"):  # the larger forms keep theirs too
        view = _open_tab(qtbot, window, case.id, key, (1024, 700))
        pane = view.table.parentWidget().widget(1)
        qtbot.waitUntil(
            lambda pane=pane, view=view: (
                pane.width() >= DETAILS_MIN_WIDTH
                and not view.table.horizontalScrollBar().isVisible()
            ),
            timeout=WAIT_MS,
        )

    # keyboard: the arrow keys still move through the list and the form follows
    refs = window.workspace.views["references"]
    window.workspace.show_location("references")
    refs.table.setFocus()
    refs.table.setCurrentItem(refs.table.topLevelItem(0))
    QTest.keyClick(refs.table, Qt.Key.Key_Down)
    assert refs.table.currentItem() is refs.table.topLevelItem(1)
    assert refs.name_edit.text() == refs.table.topLevelItem(1).text(0)
