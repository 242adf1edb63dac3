"""Sync state per agency (offline / N waiting / last synced), failures in plain words,
"Sync now" and "Add agency…".

A round runs in the three phases of ``homestudy.sync.engine``: freezing bundles and
recording results on the DB worker, the network on the pool, so the GUI never waits.
It also tries by itself when the network comes up and every few minutes (honouring
each bundle's back-off); "Sync now" tries everything at once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from homestudy.sync import engine, outbox
from homestudy.sync.outbox import AgencyStatus
from homestudy.textutil import format_date
from ui.context import AppContext
from ui.errors import error_message
from ui.operations import run_db
from ui.sync_round import run_round

AUTO_SYNC_MS = 5 * 60 * 1000


def status_text(status: AgencyStatus) -> str:
    """The one-line state of an agency, as the assessor reads it."""
    waiting = f"{status.waiting} waiting to be sent" if status.waiting else "nothing waiting"
    if status.revoked:
        return f"Access withdrawn by the agency · {waiting}"
    if status.offline:
        return f"Offline · {waiting}"
    if not status.last_synced_at:
        return f"Not synced yet · {waiting}"
    when = datetime.fromisoformat(status.last_synced_at).astimezone()
    return f"{waiting.capitalize()} · last synced {format_date(when)} at {when:%H:%M}"


class SyncStatusWidget(QWidget):
    #: a round finished: the list of ``engine.RoundReport``
    synced = Signal(object)
    #: the statuses were (re)drawn: the list of ``AgencyStatus``
    refreshed = Signal(object)

    def __init__(
        self, ctx: AppContext, parent: QWidget | None = None, *, auto: bool = True
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._busy = False
        self._notices: list[str] = []
        self.setAccessibleName("Sync with agencies")
        layout = QVBoxLayout(self)
        self._rows = QVBoxLayout()
        layout.addLayout(self._rows)
        self.message = QLabel("", self)
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Sync messages")
        layout.addWidget(self.message)
        buttons = QHBoxLayout()
        self.sync_button = QPushButton("&Sync now", self)
        self.sync_button.setAccessibleName("Sync now")
        self.sync_button.clicked.connect(lambda: self.sync_now(force=True))
        self.add_button = QPushButton("&Add agency…", self)
        self.add_button.setAccessibleName("Add agency")
        self.add_button.clicked.connect(self.add_agency)
        buttons.addWidget(self.sync_button)
        buttons.addWidget(self.add_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.labels: dict[str, QLabel] = {}
        ctx.events.unlocked.connect(self.refresh)
        ctx.events.case_saved.connect(lambda _case_id: self.refresh())
        ctx.events.cases_changed.connect(self.refresh)  # e.g. an agency added elsewhere
        if auto:
            self._timer = QTimer(self)
            self._timer.setInterval(AUTO_SYNC_MS)
            self._timer.timeout.connect(lambda: self.sync_now(force=False))
            self._timer.start()
            self._watch_network()

    # ----------------------------------------------------------------- state

    def refresh(self) -> None:
        def read(vault: Any) -> list[AgencyStatus]:
            outbox.watch(vault)  # every case edit from now on is marked for sync
            return outbox.statuses(vault)

        run_db(self._ctx, self, read, self._show, on_error=self._failed)

    def _show(self, statuses: list[AgencyStatus]) -> None:
        while self._rows.count():
            item = self._rows.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.labels = {}
        if not statuses:
            empty = QLabel("Not enrolled with any agency yet. Use “Add agency…”.", self)
            self._rows.addWidget(empty)
        problems = []
        for status in statuses:
            label = QLabel(f"<b>{_escape(status.agency_name)}</b>: {status_text(status)}", self)
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setAccessibleName(f"{status.agency_name}: {status_text(status)}")
            self._rows.addWidget(label)
            self.labels[status.profile_id] = label
            if status.refused:
                updates = (
                    "1 update was" if status.refused == 1 else f"{status.refused} updates were"
                )
                problems.append(
                    f"{status.agency_name}: {updates} refused by the agency and "
                    "kept on this laptop. Contact the agency."
                )
            for text in (status.last_error, status.last_warning):
                if text and not status.offline:
                    problems.append(f"{status.agency_name}: {text}")
        problems += self._notices  # what the agency did at the last round (archived cases)
        self.message.setText("\n".join(problems))
        # nothing to sync with until the laptop is enrolled with an agency
        self.sync_button.setEnabled(bool(statuses) and not self._busy)
        self.refreshed.emit(statuses)

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        self.sync_button.setEnabled(bool(self.labels))
        self.message.setText(error_message(exc))

    # ----------------------------------------------------------------- a round

    def sync_now(self, force: bool = True) -> None:
        if self._busy:
            return
        self._busy = True
        self.sync_button.setEnabled(False)
        self.message.setText("Syncing…")
        run_round(self._ctx, self, self._done, self._failed, force=force)

    def _done(self, reports: list[engine.RoundReport]) -> None:
        self._notices = [f"{r.agency_name}: {n}" for r in reports for n in r.notices]
        self._busy = False
        self.sync_button.setEnabled(bool(self.labels))
        self.synced.emit(reports)
        self.refresh()

    # ----------------------------------------------------------------- agencies

    def add_agency(self) -> None:
        from ui.views.agency_dialog import AgencyDialog

        dialog = AgencyDialog(self._ctx, self)  # it registers the laptop itself
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.open()

    def _watch_network(self) -> None:
        # Offscreen (tests, CI) has no network events to watch; elsewhere the platform's
        # reachability backend says when the laptop comes online.
        if QGuiApplication.platformName() == "offscreen":
            return
        try:
            from PySide6.QtNetwork import QNetworkInformation

            if not QNetworkInformation.loadDefaultBackend():
                return
            info = QNetworkInformation.instance()
        except (ImportError, RuntimeError):
            return
        online = QNetworkInformation.Reachability.Online

        def changed(reachability: Any) -> None:
            if reachability == online:
                self.sync_now(force=False)

        info.reachabilityChanged.connect(changed)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
