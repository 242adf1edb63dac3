"""The Export dialog: the PAR (panel, applicants' or supervisor copy), the checklists or
one visit record, to .docx or .pdf, with a progress bar and "Open folder".

The case is loaded fresh on the DB worker when Export is pressed (so the file holds
what is saved), then built and written on the pool (``run_job``): the GUI thread
never renders or writes. ``finished(path)`` / ``failed(message)`` report the outcome.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QStandardPaths, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from homestudy.model import Case
from ui.context import AppContext
from ui.errors import error_message
from ui.operations import run_db, run_job

VARIANTS = (
    ("panel", "Panel copy: the whole report"),
    ("applicant", "Applicants' copy: confidential sections removed"),
    ("supervisor", "Supervisor draft: marked DRAFT, with section status and readiness"),
)
PAR = "par"
CHECKLISTS = "checklists"


def open_export_dialog(ctx: AppContext, parent: QWidget | None, case_id: str) -> ExportDialog:
    dialog = ExportDialog(ctx, case_id, parent)
    dialog.show()
    return dialog


class ExportDialog(QDialog):
    finished_export = Signal(str)  # the path written
    failed = Signal(str)  # a plain message

    def __init__(self, ctx: AppContext, case_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.case_id = ctx, case_id
        self.reference = ""
        self.last_path: Path | None = None
        self.setWindowTitle("Export")
        self.setAccessibleName("Export")
        self._build()
        self._set_busy(True, "Loading the case…")
        run_db(ctx, self, lambda vault: vault.cases.load_case(case_id), self._loaded,
               on_error=self._failed)

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        form = QFormLayout()
        self.what = QComboBox()
        self.what.setAccessibleName("What to export")
        self.what.addItem("Prospective Adopter's Report (PAR)", PAR)
        self.what.addItem("Completed checklists", CHECKLISTS)
        self.what.currentIndexChanged.connect(self._choice_changed)
        form.addRow("&Export:", self.what)

        self.variant = QComboBox()
        self.variant.setAccessibleName("Which copy")
        for key, label in VARIANTS:
            self.variant.addItem(label, key)
        self.variant.currentIndexChanged.connect(self._choice_changed)
        form.addRow("&Copy:", self.variant)

        formats = QHBoxLayout()
        self.docx = QRadioButton("&Word (.docx)")
        self.pdf = QRadioButton("&PDF (.pdf)")
        self.pdf.setChecked(True)
        self._formats = QButtonGroup(self)
        for button in (self.docx, self.pdf):
            self._formats.addButton(button)
            formats.addWidget(button)
            button.toggled.connect(self._choice_changed)
        formats.addStretch(1)
        form.addRow("Format:", formats)

        where = QHBoxLayout()
        self.destination = QLineEdit()
        self.destination.setAccessibleName("Save to")
        self.browse = QPushButton("C&hoose…")
        self.browse.setAutoDefault(False)  # Return in the field means Export, not Choose
        self.browse.clicked.connect(self._choose)
        where.addWidget(self.destination, 1)
        where.addWidget(self.browse)
        save_to = QLabel("&Save to:")  # a label of its own: a row of a layout gets no buddy
        save_to.setBuddy(self.destination)
        form.addRow(save_to, where)

        self.progress = QProgressBar()
        self.progress.setAccessibleName("Export progress")
        self.progress.setRange(0, 0)  # busy: the writers give no steps
        self.progress.setTextVisible(False)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Export status")

        buttons = QDialogButtonBox()
        self.export_button = buttons.addButton("E&xport", QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_button.setDefault(True)
        self.open_folder = buttons.addButton("&Open folder",
                                             QDialogButtonBox.ButtonRole.ActionRole)
        self.open_folder.setEnabled(False)
        self.open_folder.setAutoDefault(False)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.export_button.clicked.connect(self.start_export)
        self.open_folder.clicked.connect(self.open_containing_folder)
        close.setAutoDefault(False)
        close.clicked.connect(self.reject)
        self.destination.returnPressed.connect(self.export_button.click)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self.setMinimumWidth(560)

    # ------------------------------------------------------------------ state
    def _set_busy(self, busy: bool, message: str = "") -> None:
        self.progress.setVisible(busy)
        self.export_button.setEnabled(not busy and bool(self.reference))
        for widget in (self.what, self.variant, self.docx, self.pdf, self.destination,
                       self.browse):
            widget.setEnabled(not busy)
        if busy:
            self.open_folder.setEnabled(False)
        self.variant.setEnabled(not busy and self.what.currentData() == PAR)
        self.status.setText(message)

    def _loaded(self, case: Case) -> None:
        self.reference = case.reference
        for visit in sorted(case.visits, key=lambda v: v.sequence):
            self.what.addItem(f"Visit record: visit {visit.sequence}", f"visit:{visit.id}")
        self._set_busy(False)
        self.destination.setText(str(self._default_path()))

    def _choice_changed(self, *_: Any) -> None:
        self.variant.setEnabled(self.what.currentData() == PAR and not self.progress.isVisible())
        current = self.destination.text().strip()
        if self.reference and (not current or Path(current).parent == self._folder()):
            self.destination.setText(str(self._default_path()))
        elif current:  # keep the user's folder and name; follow the format
            self.destination.setText(str(Path(current).with_suffix("." + self.fmt)))

    @property
    def fmt(self) -> str:
        return "docx" if self.docx.isChecked() else "pdf"

    def _folder(self) -> Path:
        if self.last_path is not None:
            return self.last_path.parent
        documents = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation)
        return Path(documents or Path.home())

    def _default_path(self) -> Path:
        what = self.what.currentData()
        kind = f"PAR-{self.variant.currentData()}" if what == PAR else (
            "checklists" if what == CHECKLISTS else f"visit-{self.what.currentIndex() - 1}")
        # the reference only: a file name must never carry a person's name
        return self._folder() / f"{self.reference}-{kind}-{date.today().isoformat()}.{self.fmt}"

    def _choose(self) -> None:
        pattern = "Word document (*.docx)" if self.fmt == "docx" else "PDF (*.pdf)"
        path, _ = QFileDialog.getSaveFileName(self, "Export to", self.destination.text(),
                                              pattern)
        if path:
            self.destination.setText(str(Path(path).with_suffix("." + self.fmt)))

    # ------------------------------------------------------------------ work
    def start_export(self) -> None:
        text = self.destination.text().strip()
        if not text:
            self.status.setText("Choose where to save the file.")
            return
        out = Path(text).expanduser()
        if out.suffix.lower() != "." + self.fmt:
            out = out.with_suffix("." + self.fmt)
        what, variant, fmt = self.what.currentData(), self.variant.currentData(), self.fmt
        self._set_busy(True, "Exporting…")
        ctx = self.ctx

        def export(loaded: tuple[Case, str]) -> None:
            case, agency = loaded
            run_job(ctx, self, lambda: _export(ctx, case, what, variant, fmt, out, agency),
                    self._done, on_error=self._failed)

        def load(vault: Any) -> tuple[Case, str]:
            from homestudy.sync.linking import agency_names

            case = vault.cases.load_case(self.case_id)
            return case, agency_names(vault).get(case.agency_profile_id, "")

        run_db(ctx, self, load, export, on_error=self._failed)

    def _done(self, path: Path) -> None:
        self.last_path = Path(path)
        self._set_busy(False, f"Saved {self.last_path.name} in {self.last_path.parent}.")
        self.open_folder.setEnabled(True)
        self.finished_export.emit(str(path))

    def _failed(self, exc: BaseException) -> None:
        message = error_message(exc)
        self._set_busy(False, message)
        self.failed.emit(message)

    def open_containing_folder(self) -> None:
        if self.last_path is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.last_path.parent)))


def _export(ctx: AppContext, case: Case, what: str, variant: str, fmt: str, out: Path,
            agency: str = "") -> Path:
    """Runs on the pool: build, render and write atomically."""
    from homestudy.report import export_par, export_record, supervisor_findings
    from homestudy.timeline import TimelineRules

    forms = ctx.forms
    if what == PAR:
        findings = None
        if variant == "supervisor":
            rules = TimelineRules.from_settings(ctx.settings)
            findings = supervisor_findings(case, forms, date.today(), rules)
        return export_par(case, fmt, variant, out, forms=forms, findings=findings,
                          agency_name=agency)
    return export_record(case, what, fmt, out, forms=forms)
