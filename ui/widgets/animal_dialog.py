"""Add or edit an animal in the household: name, species, breed or type, age.

Opened with ``open()`` (window-modal, not blocking the event loop). This is the one
place the breed or type is kept (the pet assessment no longer asks it). A breed on
the agency's banned list is flagged at once, in words, whatever its word order,
spacing or case, with the reminder that the law goes by the dog's type.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from homestudy.forms import list_match
from homestudy.model import Animal

SPECIES = ("Dog", "Cat", "Rabbit", "Guinea pig", "Bird", "Fish", "Reptile", "Horse", "Other")


class AnimalDialog(QDialog):
    def __init__(
        self, animal: Animal | None, banned_breeds: Sequence[str], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Edit animal" if animal else "Add animal")
        self.setAccessibleName(self.windowTitle())
        self._original = animal
        self._banned = tuple(banned_breeds)

        self.name_edit = QLineEdit(animal.name if animal else "")
        self.name_edit.setAccessibleName("Animal's name")
        self.species_combo = QComboBox()
        self.species_combo.setEditable(True)
        self.species_combo.setAccessibleName("Species")
        self.species_combo.addItems(SPECIES)
        self.species_combo.setCurrentText(animal.species.capitalize() if animal else "Dog")
        self.breed_edit = QLineEdit(animal.breed if animal else "")
        self.breed_edit.setAccessibleName("Breed or type")
        self.age_spin = QDoubleSpinBox()
        self.age_spin.setRange(-0.5, 60)
        self.age_spin.setSingleStep(0.5)
        self.age_spin.setDecimals(1)
        self.age_spin.setSpecialValueText("Not known")
        self.age_spin.setSuffix(" years")
        self.age_spin.setAccessibleName("Age in years")
        age = animal.age_years if animal is not None else None
        self.age_spin.setValue(age if age is not None else -0.5)
        self.setMinimumWidth(460)
        self.warning = QLabel()
        self.warning.setWordWrap(True)
        self.warning.setAccessibleName("Breed warning")

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout(self)
        form.addRow("&Name:", self.name_edit)
        form.addRow("&Species:", self.species_combo)
        form.addRow("&Breed or type:", self.breed_edit)
        form.addRow("&Age:", self.age_spin)
        form.addRow(self.warning)
        form.addRow(self.buttons)
        for field in (self.name_edit, self.species_combo, self.breed_edit, self.age_spin):
            label = form.labelForField(field)
            if isinstance(label, QLabel):
                label.setBuddy(field)
        self.name_edit.textChanged.connect(self._check)
        self.breed_edit.textChanged.connect(self._check)
        self._check()

    def _check(self) -> None:
        match = list_match(self.breed_edit.text(), self._banned) if self._banned else ""
        self.warning.setText(
            f"“{match}” is on the agency's list of banned types: it blocks approval. The "
            "law goes by the dog's type and appearance, not the name given, so judge it in "
            "the dog assessment and talk to your manager."
            if match
            else ""
        )
        self.warning.setVisible(bool(match))
        self.adjustSize()  # room for the warning's lines, and no gap without it
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(self.name_edit.text().strip()))

    def animal(self) -> Animal:
        """The animal as entered (same id when editing)."""
        age = self.age_spin.value()
        values: dict[str, Any] = {
            "name": self.name_edit.text().strip(),
            "species": self.species_combo.currentText().strip().lower(),
            "breed": self.breed_edit.text().strip(),
            "age_years": None if age < 0 else age,
        }
        if self._original is not None:
            return dataclasses.replace(self._original, **values)
        return Animal(**values)
