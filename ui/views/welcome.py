"""First run: a short welcome that creates the vault and offers a first step.

It builds on the shell's ``CreateVaultView`` (``ui/views/unlock.py``), which owns
the passphrase fields, their rules, the keyring check and creating the vault on the
DB worker, so the KDF never runs on the GUI thread. On top of that it says what
HomeStudy is, states the rules in plain words (with the idle lock), says where the
data lives and what is never written elsewhere, and asks what to do once the vault
exists: start with no cases, open the demo case, or enrol with an agency.

``vault_created(keyring_protected)`` is emitted as in ``CreateVaultView`` (the main
window then shows the case list); for the demo the case is saved first and then
opened through ``ctx.events.open_requested``.
"""

from __future__ import annotations

import importlib.util
from itertools import pairwise

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QButtonGroup, QLabel, QRadioButton, QVBoxLayout, QWidget

from ui.context import AppContext
from ui.errors import error_message
from ui.operations import run_db
from ui.views.unlock import MIN_PASSPHRASE_LENGTH, PASSPHRASE_RULES, CreateVaultView

INTRO = (
    "HomeStudy helps you plan and record a Stage 2 adoption home study and write the "
    "Prospective Adopter's Report. It works without an internet connection and keeps "
    "your cases in an encrypted vault on this computer. Choose a passphrase to protect it."
)

START_EMPTY, OPEN_DEMO, ENROL = "empty", "demo", "enrol"
CARD_WIDTH = 520


def passphrase_rules(idle_minutes: int) -> str:
    return (
        f"• At least {MIN_PASSPHRASE_LENGTH} characters. Three or four ordinary words you "
        "will remember, such as “kettle orchard blue ferry”, make a strong passphrase.\n"
        "• Nobody can recover your cases if it is forgotten: not HomeStudy, not your IT "
        "team, not the agency.\n"
        f"• HomeStudy locks itself after {idle_minutes} minutes without use; type the "
        "passphrase to carry on where you were."
    )


def where_data_lives(folder: object) -> str:
    return (
        f"Your cases will be kept in {folder}, encrypted. Nothing about them is written "
        "anywhere else on this computer, except the reports you choose to export."
    )


def _enrolment_available() -> bool:
    return importlib.util.find_spec("ui.views.agency_dialog") is not None


def _wrapped(text: str, parent: QWidget, name: str) -> QLabel:
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setObjectName(name)
    return label


class WelcomeView(CreateVaultView):
    #: the demo case was saved and its opening asked for (case id)
    demo_opened = Signal(str)
    #: the "Add agency" dialog was opened over the main window (the dialog)
    enrol_opened = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("welcomeView")
        self.button.setText("&Create my vault")
        column = self._card_widget().layout()
        assert isinstance(column, QVBoxLayout)  # CreateVaultView's card column

        # The base screen's intro, rules and folder lines, said more fully.
        self.intro = self._base_label("Your cases are kept", "welcomeIntro")
        self.intro.setText(INTRO)
        self.rules = self._base_label(PASSPHRASE_RULES, "rules")
        self.rules.setText(passphrase_rules(ctx.settings.idle_lock_minutes))
        self.where = self._base_label("Vault folder:", "whereNote")
        self.where.setText(where_data_lives(ctx.vault_dir))

        self.choice = QButtonGroup(self)
        self.choices: dict[str, QRadioButton] = {}
        ask = _wrapped("Once the vault is made:", self, "choiceLabel")
        at = column.indexOf(self.button)
        column.insertWidget(at, ask)
        options = [
            (START_EMPTY, "Start with no cases", "Go straight to your (empty) case list."),
            (
                OPEN_DEMO,
                "Open the demo case to explore",
                "A fictional family part-way through Stage 2. Delete it whenever you like.",
            ),
        ]
        if _enrolment_available():
            options.append(
                (
                    ENROL,
                    "Enrol with an agency",
                    "Use the enrolment file your agency sent you, so cases can be "
                    "received and reports sent.",
                )
            )
        for n, (key, text, tip) in enumerate(options, start=1):
            radio = QRadioButton(text, self)
            radio.setObjectName(f"choice_{key}")
            radio.setToolTip(tip)
            radio.setAccessibleDescription(tip)
            self.choice.addButton(radio)
            self.choices[key] = radio
            column.insertWidget(at + n, radio)
        self.choices[START_EMPTY].setChecked(True)
        self._card = self._card_widget()
        self._card.setFixedWidth(CARD_WIDTH)
        self._fit_card()
        # Keyboard: passphrase, repeat, the choice (arrow keys), then the button.
        chain = [self.confirm, *self.choices.values(), self.button]
        for before, after in pairwise(chain):
            self.setTabOrder(before, after)

    def _base_label(self, starts: str, name: str) -> QLabel:
        """CreateVaultView's label whose text starts with ``starts`` (added if missing)."""
        for label in self.findChildren(QLabel):
            if label.text().startswith(starts):
                label.setObjectName(name)
                return label
        label = _wrapped("", self, name)
        column = self._card_widget().layout()
        assert column is not None
        column.addWidget(label)
        return label

    def _card_widget(self) -> QWidget:
        card = self.button.parentWidget()
        assert card is not None  # the button sits in CreateVaultView's card
        return card

    def _fit_card(self) -> None:
        # The card sits centred in the screen, so its layout gets only its size hint,
        # which ignores how tall the word-wrapped paragraphs become: give it that height.
        layout = self._card.layout()
        assert layout is not None
        layout.activate()
        self._card.setMinimumHeight(layout.totalHeightForWidth(CARD_WIDTH))

    def _show_keyring(self, available: object) -> None:
        super()._show_keyring(available)
        self._fit_card()

    def chosen(self) -> str:
        return next(key for key, radio in self.choices.items() if radio.isChecked())

    def _done(self, keyring_protected: object) -> None:
        choice = self.chosen()
        if choice == OPEN_DEMO:
            self._add_demo(bool(keyring_protected))
            return
        window = self.window()
        super()._done(keyring_protected)  # the main window swaps to the case list
        if choice == ENROL:
            from ui.views.agency_dialog import AgencyDialog

            dialog = AgencyDialog(self.ctx, window)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
            dialog.open()
            self.enrol_opened.emit(dialog)

    def _add_demo(self, keyring_protected: bool) -> None:
        from homestudy.demo import build_demo_case

        self.message.setText("Your vault is ready. Adding the demo case…")
        case = build_demo_case()

        def save(vault: object) -> str:
            vault.cases.save_case(case)  # type: ignore[attr-defined]
            return case.id

        def saved(case_id: str) -> None:
            events = self.ctx.events
            super(WelcomeView, self)._done(keyring_protected)
            events.open_requested.emit(case_id, "")
            self.demo_opened.emit(case_id)

        def failed(exc: BaseException) -> None:
            # The vault exists; carry on to the (empty) case list and say what happened.
            window = self.window()
            super(WelcomeView, self)._done(keyring_protected)
            status = getattr(window, "statusBar", None)
            if status is not None:
                status().showMessage(
                    f"The demo case could not be added. {error_message(exc)}", 15_000
                )

        run_db(self.ctx, self, save, saved, on_error=failed)
