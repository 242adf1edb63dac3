"""The lock screen and the simple create-vault screen.

Both hand the passphrase to the DB worker (``ctx.db``), so the key derivation never
runs on the GUI thread; while it runs the form is disabled and says so.

``UnlockView`` opens the vault the first time in a session and unlocks it after a
lock; it emits ``unlocked``. ``CreateVaultView`` is the first-run screen (chosen by
``ui.app.first_run_screen``); it emits ``vault_created(keyring_protected)``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from homestudy.errors import (
    KeyringEntryMissingError,
    NotAVaultError,
    UnknownFormatError,
    VaultLockedError,
    WrongPassphraseError,
)
from homestudy.vault.keys import MIN_PASSPHRASE_LENGTH  # one rule for the app and the CLI
from homestudy.vault.storage import DAMAGE_ERRORS
from ui.context import AppContext
from ui.errors import error_message

PASSPHRASE_RULES = (
    f"Use at least {MIN_PASSPHRASE_LENGTH} characters. Three or four ordinary words you will "
    "remember make a strong passphrase. There is no way to recover your work without it, "
    "so keep it somewhere safe."
)
KEYRING_YES = (
    "This computer has a keyring. HomeStudy will combine your passphrase with a secret kept "
    "there, so a copy of the disk cannot be opened on another computer."
)
KEYRING_NO = (
    "This computer has no keyring that HomeStudy can use, so the vault will be protected by "
    "your passphrase alone. Choose a long one."
)


CARD_WIDTH = 460


def _card(parent: QWidget) -> tuple[QVBoxLayout, QWidget]:
    """A centred column of fixed width: the lock screens are short forms.

    Centred by stretches, not by an alignment: a widget placed with an alignment is
    measured at the full window width, so its word-wrapped text came out too short and
    was clipped; between stretches the card's height is asked at its own width."""
    outer = QVBoxLayout(parent)
    outer.addStretch(1)
    card = QWidget(parent)
    card.setFixedWidth(CARD_WIDTH)
    inner = QVBoxLayout(card)
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(card)
    row.addStretch(1)
    outer.addLayout(row)
    outer.addStretch(2)
    return inner, card


def _title(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.5)
    font.setBold(True)
    label.setFont(font)
    return label


#: Errors at unlock that a backup can put right (the vault itself cannot be opened).
RESTORABLE = (*DAMAGE_ERRORS, KeyringEntryMissingError, NotAVaultError, UnknownFormatError)


def _restore_button(parent: QWidget) -> QPushButton:
    button = QPushButton("&Restore from a backup…", parent)
    button.setObjectName("restoreButton")
    button.setAccessibleName("Restore from a backup")
    return button


class UnlockView(QWidget):
    unlocked = Signal()
    #: the user asked to restore the vault from a backup (it could not be opened)
    restore_requested = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("unlockView")
        layout, _ = _card(self)
        self.title = _title("HomeStudy is locked", self)
        self.intro = QLabel("Enter your passphrase to open your cases.", self)
        self.intro.setWordWrap(True)
        self.passphrase = QLineEdit(self)
        self.passphrase.setObjectName("passphrase")
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setAccessibleName("Passphrase")
        self.passphrase.setPlaceholderText("Passphrase")
        self.button = QPushButton("&Unlock", self)
        self.button.setObjectName("unlockButton")
        self.button.setAccessibleName("Unlock")
        self.button.setDefault(True)
        self.message = QLabel("", self)
        self.message.setObjectName("unlockMessage")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Unlock message")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.restore_button = _restore_button(self)
        self.restore_button.hide()  # offered when the vault cannot be opened
        self.restore_button.clicked.connect(self.restore_requested)
        for widget in (
            self.title,
            self.intro,
            self.passphrase,
            self.button,
            self.message,
            self.restore_button,
        ):
            layout.addWidget(widget)
        self.passphrase.returnPressed.connect(self.submit)
        self.button.clicked.connect(self.submit)
        self.setTabOrder(self.passphrase, self.button)

    def set_first_open(self, first: bool) -> None:
        """First open in a session says "open"; after a lock it says "locked"."""
        self.title.setText("Open HomeStudy" if first else "HomeStudy is locked")

    def reset(self) -> None:
        self.passphrase.clear()
        self.message.clear()
        self.restore_button.hide()
        self._busy(False)
        self.passphrase.setFocus()

    def _busy(self, busy: bool) -> None:
        self.passphrase.setEnabled(not busy)
        self.button.setEnabled(not busy)
        if busy:
            self.message.setText("Checking your passphrase…")

    def submit(self) -> None:
        secret = self.passphrase.text()
        if not secret:
            self.message.setText("Type your passphrase first.")
            return
        self._busy(True)
        if self.ctx.db.has_vault:
            self.ctx.db.unlock(secret, self._done, self._failed)
        else:
            self.ctx.db.open_vault(self.ctx.vault_dir, secret, self._done, self._failed)

    def _done(self, _: object) -> None:
        self._busy(False)
        self.passphrase.clear()
        self.message.clear()
        self.unlocked.emit()

    def _failed(self, exc: BaseException) -> None:
        self._busy(False)
        self.message.setText(error_message(exc))
        restorable = isinstance(exc, RESTORABLE) and not isinstance(exc, VaultLockedError)
        self.restore_button.setVisible(restorable)
        if isinstance(exc, WrongPassphraseError):
            self.passphrase.selectAll()
        self.passphrase.setFocus()


class CreateVaultView(QWidget):
    vault_created = Signal(bool)  # keyring_protected
    #: the user would rather restore a backup (a new laptop) than start a new vault
    restore_requested = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("createVaultView")
        layout, _ = _card(self)
        layout.addWidget(_title("Welcome to HomeStudy", self))
        intro = QLabel(
            "Your cases are kept in an encrypted vault on this computer. "
            "Choose a passphrase to protect it.",
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        rules = QLabel(PASSPHRASE_RULES, self)
        rules.setWordWrap(True)
        layout.addWidget(rules)
        self.keyring_note = QLabel("Checking this computer's keyring…", self)
        self.keyring_note.setObjectName("keyringNote")
        self.keyring_note.setWordWrap(True)
        layout.addWidget(self.keyring_note)
        form = QFormLayout()
        self.passphrase = QLineEdit(self)
        self.passphrase.setObjectName("newPassphrase")
        self.confirm = QLineEdit(self)
        self.confirm.setObjectName("confirmPassphrase")
        for field, name in ((self.passphrase, "New passphrase"), (self.confirm, "Repeat it")):
            field.setEchoMode(QLineEdit.EchoMode.Password)
            field.setAccessibleName(name)
            form.addRow(f"{name}:", field)
        layout.addLayout(form)
        self.button = QPushButton("&Create vault", self)
        self.button.setObjectName("createButton")
        self.button.setAccessibleName("Create vault")
        self.button.setDefault(True)
        layout.addWidget(self.button)
        self.message = QLabel("", self)
        self.message.setObjectName("createMessage")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Create vault message")
        layout.addWidget(self.message)
        folder = QLabel(f"Vault folder: {ctx.vault_dir}", self)
        folder.setWordWrap(True)
        folder.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(folder)
        self.restore_button = _restore_button(self)
        self.restore_button.setToolTip(
            "Moving to a new computer? Restore the backup you "
            "made on the old one, with its passphrase."
        )
        self.restore_button.clicked.connect(self.restore_requested)
        layout.addWidget(self.restore_button)
        self.passphrase.returnPressed.connect(self.confirm.setFocus)
        self.confirm.returnPressed.connect(self.submit)
        self.button.clicked.connect(self.submit)
        self.setTabOrder(self.passphrase, self.confirm)
        self.setTabOrder(self.confirm, self.button)
        ctx.db.submit_raw(
            _keyring_available, self._show_keyring, lambda _: self._show_keyring(False)
        )

    def _show_keyring(self, available: object) -> None:
        self.keyring_note.setText(KEYRING_YES if available else KEYRING_NO)

    def reset(self) -> None:
        self.passphrase.setFocus()

    def problem(self) -> str:
        """What is wrong with the two fields, in plain words ("" when fine)."""
        first, second = self.passphrase.text(), self.confirm.text()
        if len(first) < MIN_PASSPHRASE_LENGTH:
            return f"The passphrase needs at least {MIN_PASSPHRASE_LENGTH} characters."
        if first.strip() != first:
            return "The passphrase cannot start or end with a space."
        if first != second:
            return "The two passphrases are not the same. Type them again."
        return ""

    def submit(self) -> None:
        problem = self.problem()
        if problem:
            self.message.setText(problem)
            return
        for widget in (self.passphrase, self.confirm, self.button):
            widget.setEnabled(False)
        self.message.setText("Creating your vault…")
        self.ctx.db.create_vault(
            self.ctx.vault_dir, self.passphrase.text(), self._done, self._failed
        )

    def _done(self, keyring_protected: object) -> None:
        self.passphrase.clear()
        self.confirm.clear()
        self.message.clear()
        self.vault_created.emit(bool(keyring_protected))

    def _failed(self, exc: BaseException) -> None:
        for widget in (self.passphrase, self.confirm, self.button):
            widget.setEnabled(True)
        self.message.setText(error_message(exc))


def _keyring_available() -> bool:
    from homestudy.vault.keys import keyring_available

    return keyring_available()
