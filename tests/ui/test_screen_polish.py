"""What a user sees: the case heading follows edits, wrapped text is never clipped, and
long PAR section titles wrap instead of being cut off."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

import editors_support
from conftest import WAIT_MS
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel
from test_case_details import page, type_date
from test_case_details_app import _open, bare_case_dir  # noqa: F401 (fixture)

from homestudy.model import Case
from homestudy.timeline import stage2_progress
from ui.views.unlock import CreateVaultView
from ui.widgets.section_tree import SectionTree

editor_ctx = editors_support.editor_ctx  # fixture


def test_heading_follows_case_details_without_reopening(
    qtbot,
    make_app,
    bare_case_dir,  # noqa: F811
    unlock,
):
    folder, case = bare_case_dir
    window, _ctx = make_app(folder)
    unlock(window)
    workspace, _overview = _open(qtbot, window, case.id)
    assert workspace.subheading.text() == "Hannah Mensah and Daniel Mensah  ·  Not in Stage 2"

    view = workspace.views["case"]
    workspace.select_tab("case")
    first_name = view.applicants.inputs["first_name"]
    first_name.setFocus()
    first_name.selectAll()
    QTest.keyClicks(first_name, "Hana")
    notice = date.today() - timedelta(days=30)
    page(view, "dates")
    type_date(view.key_dates.dates["stage2_notice_on"], notice)
    day, days = stage2_progress(Case("x", stage2_notice_on=notice), date.today())

    # still on the Case details tab: the heading above it changes once the save lands
    expected = f"Hana Mensah and Daniel Mensah  ·  Stage 2 day {day} of {days}"
    qtbot.waitUntil(lambda: workspace.subheading.text() == expected, timeout=WAIT_MS)
    assert workspace.current_tab() == "case"
    assert workspace.heading.text() == case.reference
    # a tab first shown now gets the case as saved, not as it was opened
    assert workspace.case.applicants[0].first_name == "Hana"


def test_create_vault_text_is_not_clipped(qtbot, editor_ctx):
    view = CreateVaultView(editor_ctx)
    qtbot.addWidget(view)
    view.resize(1280, 820)
    view.show()
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: not view.keyring_note.text().startswith("Checking"), timeout=WAIT_MS)
    wrapped = [label for label in view.findChildren(QLabel) if label.wordWrap() and label.text()]
    assert len(wrapped) >= 4
    for label in wrapped:
        # each paragraph gets the height its words need at the width it was given
        qtbot.waitUntil(
            lambda label=label: label.height() >= label.heightForWidth(label.width()),
            timeout=WAIT_MS,
        )
    tops = sorted(
        (w.geometry().top(), w.geometry().bottom())
        for w in [*wrapped, view.passphrase, view.confirm, view.button]
    )
    for (_, bottom), (top, _) in pairwise(tops):
        assert top > bottom, "widgets overlap"


def test_long_section_titles_wrap_with_the_full_title_as_tooltip(qtbot, editor_ctx):
    tree = SectionTree()
    qtbot.addWidget(tree)
    tree.set_sections(editor_ctx.forms.par.sections)
    tree.resize(360, 700)
    tree.show()
    qtbot.waitExposed(tree)
    long_id = max(tree.section_ids(), key=lambda sid: len(tree.item_for(sid).text(0)))
    item = tree.item_for(long_id)
    assert len(item.text(0)) > 40 and item.toolTip(0) == item.text(0)
    short = tree.item_for("health")
    tall, low = tree.visualItemRect(item).height(), tree.visualItemRect(short).height()
    assert tall >= 2 * low - 4, (tall, low)  # two lines at least, so nothing is cut off
    assert tree.textElideMode() == Qt.TextElideMode.ElideNone


def test_par_editor_tab_order_follows_the_screen(qtbot, editor_ctx):
    from ui.views.par_editor import ParEditorView

    view = ParEditorView(editor_ctx)
    qtbot.addWidget(view)
    wanted = [
        view.tree,
        view.status_combo,
        view.bold_button,
        view.italic_button,
        view.bullets_button,
        view.numbers_button,
        view.analysis_button,
        view.undo_button,
        view.redo_button,
        view.editor,
    ]
    seen, widget = [], view.tree
    for _ in range(200):  # walk the focus chain as Tab does
        if widget in wanted and widget not in seen:
            seen.append(widget)
        widget = widget.nextInFocusChain()
    assert seen == wanted
    for button in wanted[2:7]:
        assert button.focusPolicy() & Qt.FocusPolicy.TabFocus


def test_warning_text_reads_on_a_dark_palette(qtbot):
    from PySide6.QtGui import QColor, QPalette

    from ui.widgets.colours import warning_style

    label = QLabel("Dates to check")
    qtbot.addWidget(label)
    light = warning_style(label)
    palette = label.palette()
    palette.setColor(QPalette.ColorRole.Window, QColor("#2b2b2b"))
    label.setPalette(palette)
    dark = warning_style(label)
    assert light != dark
    colour = QColor(dark.removeprefix("color: ").removesuffix(";"))
    assert colour.isValid() and colour.lightness() > 160  # light text on the dark grey
