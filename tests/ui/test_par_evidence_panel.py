"""The evidence beside the writing: the notes of the visits and interviews linked to a
PAR section, or whose topics feed it, readable in a side tab with a search inside them;
every side tab usable in a 1024 x 700 window."""

from __future__ import annotations

from conftest import WAIT_MS
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from homestudy.model import EvidenceLink


def _par(qtbot, window, case, section: str):
    window.open_case(case.id, f"par:{section}")
    qtbot.waitUntil(
        lambda: window.workspace is not None and window.workspace.case is not None, timeout=WAIT_MS
    )
    return window.workspace.views["par"]


def test_the_notes_behind_a_section_are_beside_it_with_a_search(
    qtbot, make_app, demo_vault_dir, unlock
):
    folder, case = demo_vault_dir
    window, ctx = make_app(folder)
    window.resize(1024, 700)
    unlock(window)
    section = ctx.forms.par.section("home_lifestyle")
    feeding = [v for v in case.visits if set(v.topics) & set(section.feeds_from_topics)]
    assert feeding, "the demo has a visit whose topics feed this section"
    par = _par(qtbot, window, case, "home_lifestyle")
    par.side.setCurrentWidget(par.notes)
    shown = par.notes.notes.toPlainText()
    for visit in feeding:
        assert f"Visit {visit.sequence}: {visit.title}" in shown
        first_words = " ".join(visit.notes.replace("*", "").split()[:3])
        if first_words:
            assert first_words in shown  # the notes themselves, readable
    assert "**" not in shown  # formatted, not Markdown
    # a linked interview comes first, and says which paragraph it backs
    ref = case.references[0]
    par.draft.evidence.append(EvidenceLink("reference", ref.id, 0))
    par.evidence.changed.emit()
    shown = par.notes.notes.toPlainText()
    assert shown.startswith(f"Reference: {ref.referee_name}")
    assert "Linked to paragraph 1." in shown
    # search inside the notes
    word = next(
        w.strip(".,;:") for v in feeding for w in v.notes.split() if len(w) > 6 and w.isalpha()
    )
    par.notes.find_bar.query.setFocus()
    QTest.keyClicks(par.notes.find_bar.query, word)
    assert par.notes.find_bar.matches
    assert par.notes.notes.textCursor().selectedText().lower() == word.lower()
    assert par.notes.find_bar.count.text().endswith(f"of {len(par.notes.find_bar.matches)}")
    QTest.keyClick(par.notes.find_bar.query, Qt.Key.Key_Escape)  # clears the search
    assert par.notes.find_bar.query.text() == "" and not par.notes.find_bar.matches


def test_every_side_tab_can_be_reached_at_1024_by_700(qtbot, make_app, demo_vault_dir, unlock):
    folder, case = demo_vault_dir
    window, _ = make_app(folder)
    window.resize(1024, 700)
    unlock(window)
    par = _par(qtbot, window, case, "motivation")
    qtbot.waitUntil(lambda: par.side.width() > 0, timeout=WAIT_MS)
    bar = par.side.tabBar()
    assert bar.count() == 5
    # all five are in view at once, the agency's Review tab with its count too
    par.side.setTabText(4, "Revie&w (12)")
    for index in range(5):
        rect = bar.tabRect(index)
        assert rect.left() >= 0 and rect.right() <= bar.width(), bar.tabText(index)
    names = [bar.tabText(i).replace("&", "").split(" (")[0] for i in range(5)]
    assert names == ["Guidance", "Notes", "Evidence", "Enquiries", "Review"]
    assert not bar.usesScrollButtons()
    assert bar.width() <= par.side.width()
    assert par.side.width() <= 1024 // 3  # narrow padding: the section list keeps its room
    # and each opens by its mnemonic, as a keyboard user would
    par.editor.setFocus()
    QTest.keyClick(par, Qt.Key.Key_Q, Qt.KeyboardModifier.AltModifier)
    assert par.side.currentWidget() is par.enquiries
    QTest.keyClick(par, Qt.Key.Key_W, Qt.KeyboardModifier.AltModifier)  # Alt+V: Visits
    assert par.side.currentWidget() is par.review
    rect = bar.tabRect(4)
    assert rect.left() >= 0 and rect.right() <= bar.width()
