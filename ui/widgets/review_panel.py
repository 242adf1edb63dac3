"""The agency's review comments on one PAR section, beside the text: each comment with
its author, a reply box, Reply, and Resolved. Replies are kept in the vault and go to
the agency with the case's next bundle (``homestudy.sync.inbound``). A comment on no
section of this form (none, or one the form no longer has) shows under "Other
comments" on every section, so that none is hidden from the worker."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from homestudy.sync.inbound import ReviewComment
from ui.operations import run_db

NOT_LINKED = "Kept on this laptop. This case is not linked to an agency."
KEPT = "Kept; sent to the agency at the next sync."
SENT = "Sent to the agency."
GOES_NEXT = "Goes to the agency at the next sync."
REPLY_LINES = 3  # the reply box's height; it scrolls for a longer answer


class ReplyBox(QPlainTextEdit):
    """The worker's answer: Enter starts a new line, Ctrl+Enter sends (``send``)."""

    send = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        ctrl = event.modifiers() & Qt.KeyboardModifier.ControlModifier
        if ctrl and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.send.emit()
            return
        super().keyPressEvent(event)


class CommentBox(QFrame):
    """One comment: what the reviewer wrote, and the worker's answer."""

    def __init__(
        self, comment: ReviewComment, save: Any, state: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.comment = comment
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setObjectName(f"reviewComment_{comment.comment_id}")
        when = day_text(comment.created_at)  # none when the agency's time is not a date
        who = QLabel(" · ".join(p for p in (comment.author or "Reviewer", when) if p))
        who.setAccessibleName("Comment by")
        text = QLabel(comment.text)
        for label in (who, text):  # the reviewer's exact words, never read as markup
            label.setTextFormat(Qt.TextFormat.PlainText)
        text.setWordWrap(True)
        text.setAccessibleName("Review comment")
        text.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByKeyboard
            | Qt.TextInteractionFlag.TextSelectableByMouse
        )
        # several lines: Enter starts a new one, Ctrl+Enter sends, Tab moves on
        self.reply = ReplyBox(comment.reply)
        self.reply.setTabChangesFocus(True)
        self.reply.setPlaceholderText("Your reply (Ctrl+Enter sends it)")
        self.reply.setAccessibleName("Your reply to this comment")
        lines = self.reply.fontMetrics().lineSpacing() * REPLY_LINES
        self.reply.setFixedHeight(lines + 2 * self.reply.frameWidth() + 8)
        self.reply_button = QPushButton("Reply")
        self.reply_button.setAccessibleName("Send this reply")
        self.reply_button.setToolTip("Send this reply (Ctrl+Enter)")
        self.reply.send.connect(self.reply_button.click)
        self.resolved = QCheckBox("Resolved")
        self.resolved.setAccessibleName("This comment is resolved")
        self.resolved.setChecked(comment.resolved)
        self.reply_button.clicked.connect(lambda: save(self))
        self.resolved.toggled.connect(lambda _on: save(self))
        self.saved = QLabel(state)
        self.saved.setWordWrap(True)  # a narrow pane never scrolls sideways for it
        row = QHBoxLayout()
        row.addWidget(self.reply, 1)
        row.addWidget(self.reply_button)
        layout = QVBoxLayout(self)
        layout.addWidget(who)
        layout.addWidget(text)
        layout.addLayout(row)
        layout.addWidget(self.resolved)
        layout.addWidget(self.saved)


class ReviewPanel(QWidget):
    """``show_section(case_id, section_id, profile_id)`` (the agency the case is linked
    to, '' for none); ``saved`` after a reply is kept."""

    saved = Signal()
    shown = Signal(int)  # how many comments the section has

    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.case_id = ""
        self.section_id = ""
        self.profile_id = ""
        self.boxes: list[CommentBox] = []
        self.setAccessibleName("Review comments")
        self.empty = QLabel("No review comments on this section.")
        self.empty.setWordWrap(True)
        self.others = QLabel("<b>Other comments</b> (not on one section of the report)")
        self.others.setWordWrap(True)
        self.others.setAccessibleName("Other comments, not on one section of the report")
        self.others.hide()
        self.holder = QWidget()
        self.list = QVBoxLayout(self.holder)
        self.list.addWidget(self.empty)
        self.list.addWidget(self.others)
        self.list.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.holder)
        scroll.setAccessibleName("Review comments")
        QVBoxLayout(self).addWidget(scroll)

    def show_section(self, case_id: str, section_id: str, profile_id: str = "") -> None:
        from homestudy.sync.inbound import review_comments
        from homestudy.sync.outbox import replies_sent_up_to

        self.case_id, self.section_id, self.profile_id = case_id, section_id, profile_id

        def read(vault: Any) -> tuple[list[ReviewComment], str]:
            sent = replies_sent_up_to(vault, profile_id, case_id) if profile_id else ""
            return review_comments(vault, case_id), sent

        run_db(self.ctx, self, read, lambda got: self._show(case_id, section_id, *got))

    def _state(self, comment: ReviewComment, sent_up_to: str) -> str:
        """What is true of the worker's answer: kept here only, signed for by the
        agency, or waiting for the next sync."""
        if not (comment.reply or comment.resolved):
            return ""
        if not self.profile_id:
            return NOT_LINKED
        return SENT if sent_up_to and comment.replied_at <= sent_up_to else GOES_NEXT

    def _show(
        self, case_id: str, section_id: str, found: list[ReviewComment], sent_up_to: str
    ) -> None:
        if (case_id, section_id) != (self.case_id, self.section_id):
            return  # another section was chosen meanwhile
        for box in self.boxes:
            self.list.removeWidget(box)  # out of the count now, gone later
            box.deleteLater()
        known = {s.id for s in self.ctx.forms.par.sections}
        own = [c for c in found if c.section_id == section_id]
        other = [c for c in found if c.section_id not in known]
        self.boxes = [
            CommentBox(c, self._save, self._state(c, sent_up_to), self.holder) for c in own + other
        ]
        for n, box in enumerate(self.boxes):  # the section's own above the heading
            self.list.insertWidget(n + (n >= len(own)) * 2, box)
        self.empty.setVisible(not own)
        self.others.setVisible(bool(other))
        self.shown.emit(len(self.boxes))

    def _save(self, box: CommentBox) -> None:
        from homestudy.sync.inbound import save_reply

        c, case_id = box.comment, self.case_id
        reply, resolved = box.reply.toPlainText().strip(), box.resolved.isChecked()
        linked = bool(self.profile_id)

        def done(_none: None) -> None:
            box.saved.setText(KEPT if linked else NOT_LINKED)
            self.saved.emit()

        run_db(
            self.ctx,
            self,
            lambda vault: save_reply(
                vault, case_id, c.review_id, c.comment_id, reply=reply, resolved=resolved
            ),
            done,
        )


def day_text(stamp: str) -> str:
    """``22 Nov 2026`` from an ISO time; '' if it is not one (never the raw text)."""
    from datetime import datetime

    from homestudy.textutil import format_date

    try:
        return format_date(datetime.fromisoformat(stamp).date())
    except ValueError:
        return ""
