"""Review comments from the agency beside their PAR section: shown in the PAR editor,
answered and resolved there, and the reply reaches the agency (``replies_for``). A real
inbox on 127.0.0.1 and a real vault on the app's DB worker."""

from __future__ import annotations

from pathlib import Path

import editors_support
from editors_support import load, on_worker
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QScrollArea
from sync_helpers import InboxServer, enrolment_for, make_agency, queue_review, sample_case

from homestudy.agency.messages import replies_for
from homestudy.sync import outbox
from homestudy.sync.client import InboxClient
from homestudy.sync.engine import sync_round
from homestudy.sync.enrolment_flow import enrol
from homestudy.sync.linking import link_case
from ui.views.par_editor import ParEditorView
from ui.widgets import review_panel

editor_ctx = editors_support.editor_ctx  # fixture


def _clients(state):
    return InboxClient(state.profile.inbox_url, retries=0, sleep=lambda _s: None)


def _comment(cid: str, section_id: str, text: str, **more: str) -> dict[str, str]:
    return {
        "id": cid,
        "section_id": section_id,
        "text": text,
        "author": more.get("author", "Team manager"),
        "created_at": more.get("created_at", "2026-12-01T10:00:00+00:00"),
    }


def _reviewed_view(qtbot, ctx, tmp_path: Path, comments: list[dict[str, str]]):
    """A PAR editor on a case linked to a real agency on 127.0.0.1, whose review
    ``comments`` have come down in a real sync; the agency; and the stop for the server
    (whose address ``_clients`` reaches through the vault's profile)."""
    home = make_agency(tmp_path / "agency")
    server = InboxServer(home.path)
    db = home.database(pool_size=1)
    case = sample_case("HS-2026-1202")

    def set_up(vault):
        state = enrol(vault, enrolment_for(home, server.url))
        outbox.watch(vault)
        vault.cases.save_case(case)
        link_case(vault, case.id, state.id)
        return sync_round(vault, _clients)

    try:
        (report,) = on_worker(ctx, qtbot, set_up)
        assert report.sent == 1 and not report.error
        queue_review(db, home, case.id, comments)
        on_worker(ctx, qtbot, lambda vault: sync_round(vault, _clients))
    finally:
        db.close()
    view = ParEditorView(ctx)
    qtbot.addWidget(view)
    view.set_case(load(ctx, qtbot, case.id))
    view.resize(1400, 900)
    view.show()
    return view, home, server.stop


def _shown(label: QLabel) -> str:
    """The words a label puts on screen, as Qt tells a screen reader when the label has
    no name of its own: text that looks like HTML is read as HTML unless marked plain."""
    label.setAccessibleName("")
    return QAccessible.queryAccessibleInterface(label).text(QAccessible.Text.Name)


def test_a_comment_and_its_author_show_exactly_as_the_reviewer_wrote_them(
    qtbot, editor_ctx, tmp_path: Path
) -> None:
    words = "Check <b>ages</b> of children <5 & whether the <i>nursery</i> place is confirmed."
    comments = [_comment("c1", "health", words, author="Panel <adviser>")]
    view, _home, stop = _reviewed_view(qtbot, editor_ctx, tmp_path, comments)
    try:
        view.reveal("health")
        panel = view.review
        qtbot.waitUntil(lambda: len(panel.boxes) == 1, timeout=10_000)
        shown = [_shown(label) for label in panel.boxes[0].findChildren(QLabel)]
        assert words in shown
        assert any(text.startswith("Panel <adviser> · ") for text in shown)
    finally:
        stop()


def test_review_comments_beside_the_section_and_a_resolved_reply_reaches_the_agency(
    qtbot, editor_ctx, tmp_path: Path
) -> None:
    comments = [
        _comment("c1", "support_network", "Who would help day to day?"),
        _comment(
            "c2",
            "support_network",
            "Name the grandparents.",
            created_at="2026-12-01T10:05:00+00:00",
        ),
        _comment(
            "c3",
            "health",
            "Elsewhere.",
            author="Panel adviser",
            created_at="2026-12-01T10:06:00+00:00",
        ),
    ]
    view, home, stop = _reviewed_view(qtbot, editor_ctx, tmp_path, comments)
    try:
        view.reveal("support_network")
        panel = view.review
        qtbot.waitUntil(lambda: len(panel.boxes) == 2, timeout=10_000)
        assert [b.comment.text for b in panel.boxes] == [
            "Who would help day to day?",
            "Name the grandparents.",
        ]
        assert view.side.tabText(view.side.indexOf(panel)) == "Revie&w (2)"
        assert panel.empty.isHidden()

        second = panel.boxes[1]
        second.reply.setFocus()
        QTest.keyClicks(second.reply, "Added both grandparents.")
        with qtbot.waitSignal(panel.saved, timeout=10_000):
            QTest.mouseClick(second.reply_button, Qt.MouseButton.LeftButton)
        with qtbot.waitSignal(panel.saved, timeout=10_000):
            second.resolved.click()

        view.side.setCurrentWidget(panel)
        assert view.grab().save(str(tmp_path / "par_editor_review.png"))
        (report,) = on_worker(editor_ctx, qtbot, lambda vault: sync_round(vault, _clients))
        assert report.sent == 1 and not report.error
        db = home.database(pool_size=1)
        try:
            (reply,) = replies_for(db, view.case.id)
        finally:
            db.close()
        assert reply["comment_id"] == "c2" and reply["resolved"] is True
        assert reply["reply"] == "Added both grandparents."

        view.reveal("health")  # the other section has its own comment only
        qtbot.waitUntil(
            lambda: [b.comment.comment_id for b in panel.boxes] == ["c3"], timeout=10_000
        )
    finally:
        stop()


def test_a_comment_on_no_section_of_the_form_shows_on_every_section(
    qtbot, editor_ctx, tmp_path: Path
) -> None:
    comments = [
        _comment("c1", "health", "Health: fine."),
        _comment("c4", "old_section_removed", "On a section the form no longer has."),
        _comment("c5", "", "On the whole report."),
    ]
    view, _home, stop = _reviewed_view(qtbot, editor_ctx, tmp_path, comments)
    try:
        panel = view.review
        for section_id, expected in (
            ("health", ["c1", "c4", "c5"]),
            ("support_network", ["c4", "c5"]),
        ):
            view.reveal(section_id)
            qtbot.waitUntil(
                lambda e=expected: [b.comment.comment_id for b in panel.boxes] == e,
                timeout=10_000,
            )
            assert panel.others.isVisibleTo(panel)
            assert view.side.tabText(view.side.indexOf(panel)) == f"Revie&w ({len(expected)})"
            heading = panel.list.indexOf(panel.others)  # the section's own above it
            assert [panel.list.indexOf(b) < heading for b in panel.boxes] == [
                b.comment.section_id == section_id for b in panel.boxes
            ]
        assert panel.empty.isVisibleTo(panel)  # nothing on the last section itself
    finally:
        stop()


def _reopen(qtbot, view, section_id: str) -> None:
    """Away to another section and back: the panel reads the vault afresh."""
    panel = view.review
    view.reveal("health" if section_id != "health" else "support_network")
    qtbot.waitUntil(lambda: not panel.boxes or panel.section_id != section_id, timeout=10_000)
    old = list(panel.boxes)
    view.reveal(section_id)
    qtbot.waitUntil(lambda: panel.boxes and panel.boxes[0] not in old, timeout=10_000)


def test_ctrl_enter_sends_a_reply_and_the_panel_says_whether_it_has_gone(
    qtbot, editor_ctx, tmp_path: Path
) -> None:
    comments = [_comment("c1", "health", "Name the GP.", author="", created_at="not a date")]
    view, _home, stop = _reviewed_view(qtbot, editor_ctx, tmp_path, comments)
    try:
        view.reveal("health")
        panel = view.review
        qtbot.waitUntil(lambda: len(panel.boxes) == 1, timeout=10_000)
        box = panel.boxes[0]
        labels = [label.text() for label in box.findChildren(QLabel)]
        assert "Reviewer" in labels  # no raw "not a date"
        assert not any("not a date" in text for text in labels)
        assert "Ctrl+Enter" in box.reply_button.toolTip()

        box.reply.setFocus()
        QTest.keyClicks(box.reply, "Dr Okafor,")
        QTest.keyClick(box.reply, Qt.Key.Key_Return)  # a new line, not sent
        QTest.keyClicks(box.reply, "Park Surgery.")
        assert box.saved.text() == ""
        with qtbot.waitSignal(panel.saved, timeout=10_000):
            QTest.keyClick(box.reply, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        assert box.saved.text() == review_panel.KEPT

        _reopen(qtbot, view, "health")
        assert panel.boxes[0].reply.toPlainText() == "Dr Okafor,\nPark Surgery."
        assert panel.boxes[0].saved.text() == review_panel.GOES_NEXT

        (report,) = on_worker(editor_ctx, qtbot, lambda vault: sync_round(vault, _clients))
        assert report.sent == 1 and not report.error
        _reopen(qtbot, view, "health")
        assert panel.boxes[0].saved.text() == review_panel.SENT
    finally:
        stop()


def test_a_reply_on_a_case_not_linked_to_an_agency_says_it_stays_here(
    qtbot, editor_ctx, tmp_path: Path
) -> None:
    comments = [_comment("c1", "health", "Name the GP.")]
    view, _home, stop = _reviewed_view(qtbot, editor_ctx, tmp_path, comments)
    try:
        case = view.case
        case.agency_profile_id = ""  # unlinked since the review came
        on_worker(editor_ctx, qtbot, lambda vault: vault.cases.save_case(case))
        view.set_case(load(editor_ctx, qtbot, case.id))
        view.reveal("health")
        panel = view.review
        qtbot.waitUntil(lambda: len(panel.boxes) == 1, timeout=10_000)
        box = panel.boxes[0]
        QTest.keyClicks(box.reply, "Dr Okafor.")
        with qtbot.waitSignal(panel.saved, timeout=10_000):
            box.reply_button.click()
        assert box.saved.text() == review_panel.NOT_LINKED
        view.side.setCurrentWidget(panel)
        scroll = panel.findChild(QScrollArea)
        qtbot.waitUntil(lambda: box.saved.isVisible(), timeout=10_000)
        QApplication.processEvents()
        assert not scroll.horizontalScrollBar().isVisible()  # the sentence wraps
        _reopen(qtbot, view, "health")
        assert panel.boxes[0].saved.text() == review_panel.NOT_LINKED
    finally:
        stop()


def test_the_overview_says_how_many_review_comments_are_open(
    qtbot, editor_ctx, tmp_path: Path
) -> None:
    """The worker sees on the case's first page that the agency has asked for changes,
    and the count falls as they resolve them."""
    from homestudy.sync import inbound
    from ui.views.overview import OverviewView

    comments = [_comment("c1", "health", "Say more."), _comment("c2", "matching", "Add ages.")]
    editor, _home, stop = _reviewed_view(qtbot, editor_ctx, tmp_path, comments)
    try:
        case = editor.case
        overview = OverviewView(editor_ctx)
        qtbot.addWidget(overview)
        with qtbot.waitSignal(overview.refreshed, timeout=10_000):
            overview.set_case(case)
        assert "2 review comments from the agency are not resolved yet" in (
            overview.par_label.text()
        )
        on_worker(
            editor_ctx,
            qtbot,
            lambda vault: inbound.save_reply(
                vault, case.id, "r1", "c1", reply="Done.", resolved=True
            ),
        )
        with qtbot.waitSignal(overview.refreshed, timeout=10_000):
            overview.set_case(case)
        assert "One review comment from the agency is not resolved yet" in (
            overview.par_label.text()
        )
    finally:
        stop()
