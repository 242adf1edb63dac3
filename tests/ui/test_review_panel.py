"""Review comments from the agency beside their PAR section: shown in the PAR editor,
answered and resolved there, and the reply reaches the agency (``replies_for``). A real
inbox on 127.0.0.1 and a real vault on the app's DB worker."""

from __future__ import annotations

from pathlib import Path

import editors_support
from editors_support import load, on_worker
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from sync_helpers import InboxServer, enrolment_for, make_agency, queue_review, sample_case

from homestudy.agency.messages import replies_for
from homestudy.sync import outbox
from homestudy.sync.client import InboxClient
from homestudy.sync.engine import sync_round
from homestudy.sync.enrolment_flow import enrol
from homestudy.sync.linking import link_case
from ui.views.par_editor import ParEditorView

editor_ctx = editors_support.editor_ctx  # fixture


def _clients(state):
    return InboxClient(state.profile.inbox_url, retries=0, sleep=lambda _s: None)


def test_review_comments_beside_the_section_and_a_resolved_reply_reaches_the_agency(
    qtbot, editor_ctx, tmp_path: Path
) -> None:
    home = make_agency(tmp_path / "agency")
    server = InboxServer(home.path)
    db = home.database(pool_size=1)
    try:
        case = sample_case("HS-2026-1201")

        def set_up(vault):
            state = enrol(vault, enrolment_for(home, server.url))
            outbox.watch(vault)
            vault.cases.save_case(case)
            link_case(vault, case.id, state.id)
            return sync_round(vault, _clients)

        (report,) = on_worker(editor_ctx, qtbot, set_up)
        assert report.sent == 1 and not report.error
        comments = [
            {
                "id": "c1",
                "section_id": "support_network",
                "text": "Who would help day to day?",
                "author": "Team manager",
                "created_at": "2026-12-01T10:00:00+00:00",
            },
            {
                "id": "c2",
                "section_id": "support_network",
                "text": "Name the grandparents.",
                "author": "Team manager",
                "created_at": "2026-12-01T10:05:00+00:00",
            },
            {
                "id": "c3",
                "section_id": "health",
                "text": "Elsewhere.",
                "author": "Panel adviser",
                "created_at": "2026-12-01T10:06:00+00:00",
            },
        ]
        queue_review(db, home, case.id, comments)
        on_worker(editor_ctx, qtbot, lambda vault: sync_round(vault, _clients))

        view = ParEditorView(editor_ctx)
        qtbot.addWidget(view)
        view.set_case(load(editor_ctx, qtbot, case.id))
        view.resize(1400, 900)
        view.show()
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
        Path("/tmp/shots").mkdir(parents=True, exist_ok=True)
        assert view.grab().save("/tmp/shots/par_editor_review.png")
        (report,) = on_worker(editor_ctx, qtbot, lambda vault: sync_round(vault, _clients))
        assert report.sent == 1 and not report.error
        (reply,) = replies_for(db, case.id)
        assert reply["comment_id"] == "c2" and reply["resolved"] is True
        assert reply["reply"] == "Added both grandparents."

        view.reveal("health")  # the other section has its own comment only
        qtbot.waitUntil(
            lambda: [b.comment.comment_id for b in panel.boxes] == ["c3"], timeout=10_000
        )
    finally:
        db.close()
        server.stop()
