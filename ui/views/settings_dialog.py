"""Settings: idle lock, data folder, the agency's working-day rules and the sync proxy.

Values come from ``homestudy.settings``. Keys that IT sets centrally are shown but
disabled, with "Set by your organisation" beside them. Saving writes the user's
settings file on the context's pool (never on the GUI thread), then updates
``ctx.settings`` and emits ``saved``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from homestudy.settings import AppSettings, replace, save_settings
from ui.context import AppContext
from ui.errors import error_message
from ui.operations import run_job

LOCKED_TEXT = "Set by your organisation"


def proxy_problem(url: str) -> str:
    """'' if ``url`` is a usable proxy address (or empty), else what is wrong, in words."""
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "The proxy should look like http://proxy.example.org:3128"
    try:
        _ = parts.port
    except ValueError:
        return "The proxy's port number is not valid."
    return ""


def _spin(low: int, high: int, value: int, suffix: str) -> QSpinBox:
    box = QSpinBox()
    box.setRange(low, high)
    box.setValue(value)
    box.setSuffix(suffix)
    return box


class SettingsDialog(QDialog):
    #: the new AppSettings, after they were written to disk
    saved = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setObjectName("settingsDialog")
        self._ctx = ctx
        current: AppSettings = ctx.settings
        self._settings = current

        self.idle_lock = _spin(1, 240, current.idle_lock_minutes, " minutes")
        self.idle_lock.setAccessibleName("Lock after this many idle minutes")
        self.vault_dir = QLineEdit(current.vault_dir)
        self.vault_dir.setPlaceholderText(str(AppSettings().default_vault_dir()))
        self.vault_dir.setAccessibleName("Data folder")
        self.browse = QPushButton("Choose…")
        self.browse.setAccessibleName("Choose the data folder")
        self.browse.clicked.connect(self._choose_folder)
        self.par_days = _spin(1, 30, current.par_to_applicants_working_days, " working days")
        self.par_days.setAccessibleName("Share the PAR with the applicants this long before panel")
        self.review_months = _spin(1, 36, current.review_of_approval_months, " months")
        self.review_months.setAccessibleName("Review approval within")
        self.proxy = QLineEdit(current.proxy_url)
        self.proxy.setPlaceholderText("Use the system's proxy settings")
        self.proxy.setAccessibleName("Proxy for sending to the agency")
        self.spell_check = QCheckBox("Check spelling (UK English) as I type")
        self.spell_check.setChecked(current.spell_check)

        folder_row = QHBoxLayout()
        folder_row.addWidget(self.vault_dir, 1)
        folder_row.addWidget(self.browse)
        folder_box = QWidget()
        folder_box.setLayout(folder_row)
        folder_row.setContentsMargins(0, 0, 0, 0)

        form = QFormLayout()
        self._rows: dict[str, tuple[QWidget, ...]] = {
            "idle_lock_minutes": (self.idle_lock,),
            "vault_dir": (self.vault_dir, self.browse),
            "par_to_applicants_working_days": (self.par_days,),
            "review_of_approval_months": (self.review_months,),
            "proxy_url": (self.proxy,),
            "spell_check": (self.spell_check,),
        }
        self.lock_labels: dict[str, QLabel] = {}
        for key, label, field in (
            ("idle_lock_minutes", "Lock after idle for", self.idle_lock),
            ("vault_dir", "Data folder", folder_box),
            ("par_to_applicants_working_days", "PAR to applicants before panel", self.par_days),
            ("review_of_approval_months", "Review approval within", self.review_months),
            ("proxy_url", "Proxy for sync", self.proxy),
            ("spell_check", "", self.spell_check),
        ):
            form.addRow(label, self._with_lock_note(key, field))

        note = QLabel(
            "A new data folder is used the next time HomeStudy starts; the vault is not "
            "moved for you. Working days leave out weekends and England's bank holidays."
        )
        note.setWordWrap(True)
        self.problems = QLabel("\n".join(current.problems))
        self.problems.setWordWrap(True)
        self.problems.setVisible(bool(current.problems))
        self.error = QLabel()
        self.error.setObjectName("settingsError")
        self.error.setWordWrap(True)
        self.error.hide()

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.problems)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def _with_lock_note(self, key: str, field: QWidget) -> QWidget:
        if key not in self._settings.locked_keys:
            return field
        for widget in self._rows[key]:
            widget.setEnabled(False)
            widget.setToolTip(LOCKED_TEXT)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(field, 1)
        note = QLabel(LOCKED_TEXT)
        note.setObjectName(f"locked_{key}")
        self.lock_labels[key] = note
        row.addWidget(note)
        box = QWidget()
        box.setLayout(row)
        return box

    def _choose_folder(self) -> None:
        start = self.vault_dir.text() or str(self._settings.default_vault_dir().parent)
        chosen = QFileDialog.getExistingDirectory(self, "Choose the data folder", start)
        if chosen:
            self.vault_dir.setText(chosen)

    def edited(self) -> AppSettings:
        """The settings as the dialog now shows them (locked keys keep IT's values)."""
        values = {
            "idle_lock_minutes": self.idle_lock.value(),
            "vault_dir": self.vault_dir.text().strip(),
            "par_to_applicants_working_days": self.par_days.value(),
            "review_of_approval_months": self.review_months.value(),
            "proxy_url": self.proxy.text().strip(),
            "spell_check": self.spell_check.isChecked(),
        }
        changes = {k: v for k, v in values.items() if k not in self._settings.locked_keys}
        return replace(self._settings, **changes, problems=())

    def save(self) -> None:
        new = self.edited()
        problem = proxy_problem(new.proxy_url)
        if problem:
            self.error.setText(problem)
            self.error.show()
            self.proxy.setFocus()
            return
        self.error.hide()
        self.buttons.setEnabled(False)

        def done(_path: object) -> None:
            self._ctx.settings = new
            self.saved.emit(new)
            self.accept()

        def failed(exc: BaseException) -> None:
            self.buttons.setEnabled(True)
            self.error.setText(f"The settings could not be saved. {error_message(exc)}")
            self.error.show()

        run_job(self._ctx, self, lambda: save_settings(new), done, on_error=failed)


def open_settings_dialog(ctx: AppContext, parent: QWidget | None = None) -> SettingsDialog:
    """Open the dialog window-modally (``open``, not ``exec``: the event loop keeps going).

    A new idle lock time applies at once to a parent that has an ``idle`` watcher
    (the main window's ``IdleWatcher``); the other settings are read where they are used.
    """
    dialog = SettingsDialog(ctx, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    idle = getattr(parent, "idle", None)
    if idle is not None and hasattr(idle, "set_interval"):
        dialog.saved.connect(lambda s: idle.set_interval(s.idle_lock_minutes * 60_000))
    dialog.open()
    return dialog
