"""The agency's review comments on one PAR section, beside the text: each comment with
its author, a reply box, Reply, and Resolved. Replies are kept in the vault and go to
the agency with the case's next bundle (``homestudy.sync.inbound``). A comment on no
section of this form (none, or one the form no longer has) shows under "Other
comments" on every section, so that none is hidden from the worker."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from homestudy.sync.inbound import ReviewComment
from ui.operations import run_db


class CommentBox(QFrame):
    """One comment: what the reviewer wrote, and the worker's answer."""

    def __init__(self, comment: ReviewComment, save: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.comment = comment
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setObjectName(f"reviewComment_{comment.comment_id}")
        who = QLabel(f"{comment.author or 'Reviewer'} · {day_text(comment.created_at)}")
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
        self.reply = QLineEdit(comment.reply)
        self.reply.setPlaceholderText("Your reply")
        self.reply.setAccessibleName("Your reply to this comment")
        self.reply_button = QPushButton("Reply")
        self.reply_button.setAccessibleName("Send this reply")
        self.resolved = QCheckBox("Resolved")
        self.resolved.setAccessibleName("This comment is resolved")
        self.resolved.setChecked(comment.resolved)
        self.reply_button.clicked.connect(lambda: save(self))
        self.resolved.toggled.connect(lambda _on: save(self))
        self.saved = QLabel("Sent at the next sync." if comment.reply or comment.resolved else "")
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
    """``show_section(case_id, section_id)``; ``saved`` after a reply is kept."""

    saved = Signal()
    shown = Signal(int)  # how many comments the section has

    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.case_id = ""
        self.section_id = ""
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

    def show_section(self, case_id: str, section_id: str) -> None:
        from homestudy.sync.inbound import review_comments

        self.case_id, self.section_id = case_id, section_id
        run_db(
            self.ctx,
            self,
            lambda vault: review_comments(vault, case_id),
            lambda found: self._show(case_id, section_id, found),
        )

    def _show(self, case_id: str, section_id: str, found: list[ReviewComment]) -> None:
        if (case_id, section_id) != (self.case_id, self.section_id):
            return  # another section was chosen meanwhile
        for box in self.boxes:
            self.list.removeWidget(box)  # out of the count now, gone later
            box.deleteLater()
        known = {s.id for s in self.ctx.forms.par.sections}
        own = [c for c in found if c.section_id == section_id]
        other = [c for c in found if c.section_id not in known]
        self.boxes = [CommentBox(c, self._save, self.holder) for c in own + other]
        for n, box in enumerate(self.boxes):  # the section's own above the heading
            self.list.insertWidget(n + (n >= len(own)) * 2, box)
        self.empty.setVisible(not own)
        self.others.setVisible(bool(other))
        self.shown.emit(len(self.boxes))

    def _save(self, box: CommentBox) -> None:
        from homestudy.sync.inbound import save_reply

        c, case_id = box.comment, self.case_id
        reply, resolved = box.reply.text().strip(), box.resolved.isChecked()

        def done(_none: None) -> None:
            box.saved.setText("Kept; sent to the agency at the next sync.")
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
    """``22 Nov 2026`` from an ISO time; the text itself if it is not one."""
    from datetime import datetime

    from homestudy.textutil import format_date

    try:
        return format_date(datetime.fromisoformat(stamp).date())
    except ValueError:
        return stamp[:10]
