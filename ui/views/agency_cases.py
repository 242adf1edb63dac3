"""Cases and their agency, in the app: link a case to an agency (File > Link case to an
agency…) and the messages an agency sent that could not be applied yet (File > Messages
from the agency…), each with its reason, Try again and Set aside."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.operations import run_db
from ui.views.vault_care.common import case_in_hand, file_menu
from ui.widgets.review_panel import day_text


class LinkCaseDialog(QDialog):
    """Choose one of the agencies this laptop is enrolled with; ``linked(name)``."""

    linked = Signal(str)

    def __init__(
        self, ctx: Any, case_id: str, reference: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx, self.case_id = ctx, case_id
        self.setWindowTitle("Link case to an agency")
        self.setObjectName("linkCaseDialog")
        intro = QLabel(
            f"Choose the agency case {reference} belongs to. It is sent to that "
            "agency at each sync from now on."
        )
        intro.setWordWrap(True)
        self.agency = QComboBox()
        self.agency.setAccessibleName("Agency")
        label = QLabel("&Agency:")
        label.setBuddy(self.agency)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.link_button = self.buttons.addButton("&Link", QDialogButtonBox.ButtonRole.AcceptRole)
        self.link_button.setEnabled(False)
        self.buttons.accepted.connect(self._link)
        self.buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(label)
        row.addWidget(self.agency, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(row)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        run_db(ctx, self, _agencies, self._fill)

    def _fill(self, agencies: list[tuple[str, str]]) -> None:
        for profile_id, name in agencies:
            self.agency.addItem(name, profile_id)
        if not agencies:
            self.message.setText(
                "This laptop is not enrolled with an agency yet. Enrol first "
                "(the Agencies and sync panel under the case list)."
            )
        self.link_button.setEnabled(bool(agencies))

    def _link(self) -> None:
        from homestudy.sync.linking import link_case

        profile_id, name, case_id = (
            self.agency.currentData(),
            self.agency.currentText(),
            self.case_id,
        )
        self.link_button.setEnabled(False)

        def failed(exc: BaseException) -> None:
            self.message.setText(getattr(exc, "message", "The case could not be linked."))
            self.link_button.setEnabled(True)

        def done(_case: Any) -> None:
            self.linked.emit(name)
            self.accept()

        run_db(
            self.ctx,
            self,
            lambda vault: link_case(vault, case_id, profile_id),
            done,
            on_error=failed,
        )


def _agencies(vault: Any) -> list[tuple[str, str]]:
    from homestudy.sync import outbox

    return [(s.id, s.profile.name) for s in outbox.profiles(vault)]


class MessagesDialog(QDialog):
    """What the agencies sent that could not be applied yet, with the reason."""

    changed = Signal()

    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Messages from the agency")
        self.setObjectName("agencyMessagesDialog")
        intro = QLabel(
            "These came from an agency but could not be applied to your cases "
            "yet. They are kept until you deal with them; each sync tries again."
        )
        intro.setWordWrap(True)
        self.list = QListWidget()
        self.list.setAccessibleName("Messages not yet applied")
        self.list.setWordWrap(True)
        self.retry_button = QPushButton("&Try again")
        self.aside_button = QPushButton("&Set aside")
        self.aside_button.setToolTip("You have dealt with it: it is kept, no longer listed")
        self.retry_button.setEnabled(False)  # until the list is in
        self.aside_button.setEnabled(False)
        self.retry_button.clicked.connect(self._retry)
        self.aside_button.clicked.connect(self._set_aside)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.retry_button)
        buttons.addWidget(self.aside_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        self.resize(640, 360)
        self.refresh()

    def refresh(self) -> None:
        from homestudy.sync import inbound

        run_db(
            self.ctx,
            self,
            lambda vault: inbound.messages(vault, status=inbound.UNAPPLIED),
            self._show,
        )

    def _show(self, found: list[Any]) -> None:
        self.list.clear()
        for m in found:
            item = QListWidgetItem(f"{m.summary}, received {day_text(m.received_at)}\n{m.reason}")
            item.setData(Qt.ItemDataRole.UserRole, m.message_id)
            self.list.addItem(item)
        if not found:
            self.list.addItem("Nothing is waiting.")
        self.aside_button.setEnabled(bool(found))
        self.retry_button.setEnabled(bool(found))
        if found:
            self.list.setCurrentRow(0)

    def _retry(self) -> None:
        from homestudy.sync import inbound

        self.retry_button.setEnabled(False)
        self.aside_button.setEnabled(False)
        run_db(self.ctx, self, inbound.retry, lambda _r: self._after())

    def _set_aside(self) -> None:
        from homestudy.sync import inbound

        item = self.list.currentItem()
        message_id = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if message_id:
            run_db(
                self.ctx,
                self,
                lambda vault: inbound.resolve(vault, message_id),
                lambda _r: self._after(),
            )

    def _after(self) -> None:
        self.changed.emit()
        self.refresh()


class AgencyCases(QObject):
    """The File menu entries of one main window."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window, self.ctx = window, window.ctx
        menu = file_menu(window)
        before = window.actions.get("settings")
        self.link_action = QAction("&Link case to an agency…", window)
        self.link_action.setObjectName("action_link_case")
        self.link_action.setStatusTip("Send this case to one of your agencies at each sync")
        self.link_action.triggered.connect(lambda _checked=False: self.link_case())
        self.messages_action = QAction("Messages from the a&gency…", window)
        self.messages_action.setObjectName("action_agency_messages")
        self.messages_action.triggered.connect(lambda _checked=False: self.show_messages())
        for action in (self.link_action, self.messages_action):
            menu.insertAction(before, action)
        menu.insertSeparator(before)
        menu.aboutToShow.connect(self._update)
        self._enable(False)
        self.ctx.events.unlocked.connect(lambda: self._enable(True))
        self.ctx.events.locked.connect(lambda: self._enable(False))

    def _enable(self, on: bool) -> None:
        self.link_action.setEnabled(on)
        self.messages_action.setEnabled(on)

    def _update(self) -> None:
        unlocked = not self.window.is_locked
        self.link_action.setEnabled(unlocked and case_in_hand(self.window) is not None)

    def link_case(self) -> LinkCaseDialog | None:
        case = case_in_hand(self.window)
        if case is None or self.window.is_locked:
            return None
        dialog = LinkCaseDialog(self.ctx, case.case_id, case.reference, self.window)
        dialog.linked.connect(lambda name: self._linked(case.reference, name))
        dialog.open()
        return dialog

    def _linked(self, reference: str, name: str) -> None:
        self.window.case_list.refresh()
        self.ctx.events.cases_changed.emit()
        self.window.statusBar().showMessage(
            f"{reference} is linked to {name}; it is sent at the next sync.", 15_000
        )

    def show_messages(self) -> MessagesDialog:
        dialog = MessagesDialog(self.ctx, self.window)
        dialog.changed.connect(self.window.case_list.refresh)
        dialog.open()
        return dialog


def install_agency_cases(window: Any) -> AgencyCases:
    return AgencyCases(window)
