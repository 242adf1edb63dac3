"""The Export dialog: the PAR (panel, applicants' or supervisor copy), the checklists or
one visit record, to .docx or .pdf, with a progress bar and "Open folder".

The case is loaded fresh on the DB worker when Export is pressed (so the file holds
what is saved) with its agency's rules, forms and .docx template
(``homestudy.exports.gather``), then built and written on the pool (``run_job``), then
recorded in the audit trail on the DB worker: the GUI thread never renders or writes.
A panel or applicants' copy of a case with readiness blockers is marked INCOMPLETE;
the dialog says so before the export, with the blockers one click away. An existing
file is never replaced without asking (Replace / Keep both). After an applicants'
copy, "I have shared this copy with the applicants" records the day it was shared.
``finished_export(path)`` / ``failed(message)`` / ``shared(date iso)`` report the outcome.
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
    QMessageBox,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from homestudy import exports
from homestudy.errors import ExportExistsError
from ui.context import AppContext
from ui.errors import error_message
from ui.operations import run_db, run_job
from ui.views.export_parts import ReadinessNote, ShareRow, ask_replace

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
    shared = Signal(str)  # the day (ISO) the applicants' copy was recorded as shared

    def __init__(self, ctx: AppContext, case_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.case_id = ctx, case_id
        self.reference = ""
        self.last_path: Path | None = None
        self.last_export: exports.ExportRecord | None = None
        self.replace_box: QMessageBox | None = None  # open while asking about a file
        self.setWindowTitle("Export")
        self.setAccessibleName("Export")
        self._build()
        self._set_busy(True, "Loading the case…")
        run_db(ctx, self, self._gather, self._loaded, on_error=self._failed)

    def _gather(self, vault: Any) -> exports.ExportInputs:
        """On the DB worker: the saved case with its agency's rules, forms and template."""
        return exports.gather(vault, self.case_id, self.ctx.settings, self.ctx.forms)

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
        self.open_folder = buttons.addButton("&Open folder", QDialogButtonBox.ButtonRole.ActionRole)
        self.open_folder.setEnabled(False)
        self.open_folder.setAutoDefault(False)
        # the confidentiality guard: shown when the applicants' copy is refused
        self.open_passage = buttons.addButton(
            "Review the &first passage", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.open_passage.setAutoDefault(False)
        self.open_passage.setVisible(False)
        self.open_passage.clicked.connect(self.review_first_passage)
        self._passage_target = ""
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.export_button.clicked.connect(self.start_export)
        self.open_folder.clicked.connect(self.open_containing_folder)
        close.setAutoDefault(False)
        close.clicked.connect(self.reject)
        self.destination.returnPressed.connect(self.export_button.click)

        self.readiness = ReadinessNote(self)
        self.share = ShareRow(self)
        self.share.record_button.clicked.connect(self.record_shared)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.readiness)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.share)
        layout.addWidget(buttons)
        self.setMinimumWidth(560)

    # ------------------------------------------------------------------ state
    def _set_busy(self, busy: bool, message: str = "") -> None:
        self.progress.setVisible(busy)
        self.export_button.setEnabled(not busy and bool(self.reference))
        for widget in (self.what, self.variant, self.docx, self.pdf, self.destination, self.browse):
            widget.setEnabled(not busy)
        if busy:
            self.open_folder.setEnabled(False)
        self.variant.setEnabled(not busy and self.what.currentData() == PAR)
        self.status.setText(message)

    def _loaded(self, inputs: exports.ExportInputs) -> None:
        case = inputs.case
        self.reference = case.reference
        for visit in sorted(case.visits, key=lambda v: v.sequence):
            self.what.addItem(f"Visit record: visit {visit.sequence}", f"visit:{visit.id}")
        self._set_busy(False)
        self.destination.setText(str(self._default_path()))
        today = date.today()
        run_job(
            self.ctx,
            self,
            lambda: {v: exports.blockers_for(inputs, v, today) for v in ("panel", "applicant")},
            self._blockers_found,
            on_error=lambda _exc: None,
        )  # no note; export marks

    def _blockers_found(self, blockers: dict[str, list[Any]]) -> None:
        self.readiness.set_blockers(blockers)
        self._show_readiness()

    def _show_readiness(self) -> None:
        self.readiness.show_for(
            self.variant.currentData() if self.what.currentData() == PAR else None
        )
        self._grow()

    def _grow(self) -> None:
        """Make room for a note or row just shown (never shrink what the user sized)."""
        layout = self.layout()
        if layout is not None:
            layout.activate()
        hint = self.sizeHint()
        if hint.height() > self.height() or hint.width() > self.width():
            self.resize(max(self.width(), hint.width()), max(self.height(), hint.height()))

    def _choice_changed(self, *_: Any) -> None:
        self.variant.setEnabled(self.what.currentData() == PAR and not self.progress.isVisible())
        self._show_readiness()
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
            QStandardPaths.StandardLocation.DocumentsLocation
        )
        return Path(documents or Path.home())

    def _default_path(self) -> Path:
        what = self.what.currentData()
        kind = (
            f"PAR-{self.variant.currentData()}"
            if what == PAR
            else ("checklists" if what == CHECKLISTS else f"visit-{self.what.currentIndex() - 1}")
        )
        # the reference only: a file name must never carry a person's name
        return self._folder() / f"{self.reference}-{kind}-{date.today().isoformat()}.{self.fmt}"

    def _choose(self) -> None:
        pattern = "Word document (*.docx)" if self.fmt == "docx" else "PDF (*.pdf)"
        path, _ = QFileDialog.getSaveFileName(self, "Export to", self.destination.text(), pattern)
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
        what = self.what.currentData()
        self._export(
            f"par:{self.variant.currentData()}" if what == PAR else f"record:{what}",
            self.fmt,
            out,
            "refuse",
        )

    def _export(self, what: str, fmt: str, out: Path, existing: str) -> None:
        """``existing``: "refuse" (ask the user), "replace" or "keep_both"."""
        self.share.hide()
        self._set_busy(True, "Exporting…")
        ctx = self.ctx

        def write(inputs: exports.ExportInputs) -> exports.ExportDone:  # on the pool
            target = exports.free_name(out) if existing == "keep_both" else out
            return exports.export_copy(inputs, what, fmt, target, overwrite=existing == "replace")

        def refused(exc: BaseException) -> None:
            if not isinstance(exc, ExportExistsError) or existing != "refuse":
                self._failed(exc)
                return
            self._set_busy(False, f"{out.name} is already there.")

            def chosen(choice: str | None) -> None:
                if choice is None:
                    self.status.setText(f"Not exported: {out.name} was left as it is.")
                else:
                    self._export(what, fmt, out, choice)

            self.replace_box = ask_replace(self, out, chosen)

        def record(done: exports.ExportDone) -> None:
            self.status.setText("Recording the export…")

            def not_recorded(exc: BaseException) -> None:  # the file is there: say both
                self.last_path = done.file.path
                self._set_busy(
                    False,
                    f"Saved {done.file.path.name}, but it could not be "
                    f"recorded in the case's history: {error_message(exc)}",
                )
                self.open_folder.setEnabled(True)
                self.failed.emit(self.status.text())

            run_db(
                ctx,
                self,
                lambda vault: exports.record_export(vault, done),
                lambda rec: self._done(done, rec),
                on_error=not_recorded,
            )

        run_db(
            ctx,
            self,
            self._gather,
            lambda inputs: run_job(ctx, self, lambda: write(inputs), record, on_error=refused),
            on_error=self._failed,
        )

    def _done(self, done: exports.ExportDone, record: exports.ExportRecord) -> None:
        path = done.file.path
        self.open_passage.setVisible(False)
        self.last_path, self.last_export = Path(path), record
        message = f"Saved {path.name} in {path.parent}. {done.version}."
        if done.incomplete:
            message += (
                f" Marked “{exports.INCOMPLETE_MARK}” on every page: the case has "
                f"{done.blockers} blocker{'s' if done.blockers != 1 else ''}."
            )
        self._set_busy(False, message)
        self.open_folder.setEnabled(True)
        if record.variant == "applicant":
            self.share.offer(record)
            self._grow()
        self.finished_export.emit(str(path))

    def record_shared(self) -> None:
        """The worker says they have shared the copy just exported: record it (audit)."""
        record, on = self.last_export, self.share.day()
        if record is None:
            return
        self.share.record_button.setEnabled(False)
        run_db(
            self.ctx,
            self,
            lambda vault: exports.record_share(vault, self.case_id, record.id, on),
            self._shared,
            on_error=self._share_failed,
        )

    def _shared(self, record: exports.ExportRecord) -> None:
        self.share.recorded(record)
        self.shared.emit(record.shared_on.isoformat() if record.shared_on else "")

    def _share_failed(self, exc: BaseException) -> None:
        self.share.record_button.setEnabled(True)
        self.status.setText(error_message(exc))

    def _failed(self, exc: BaseException) -> None:
        message = error_message(exc)
        self._set_busy(False, message)
        self._show_unreviewed_passages(exc)
        self.failed.emit(message)

    # ------------------------------------------------------------------ the guard
    def _show_unreviewed_passages(self, exc: BaseException) -> None:
        """The applicants' copy was refused for passages still to review: offer to open
        the first one in the PAR editor (``UnreviewedPassagesError.first_target``)."""
        from homestudy.errors import UnreviewedPassagesError

        refused = isinstance(exc, UnreviewedPassagesError)
        self._passage_target = exc.first_target if isinstance(exc, UnreviewedPassagesError) else ""
        self.open_passage.setVisible(refused)
        if refused:
            self.open_passage.setFocus()
            self.adjustSize()  # room for the longer message

    def review_first_passage(self) -> None:
        if self._passage_target:
            self.ctx.events.open_requested.emit(self.case_id, self._passage_target)
            self.accept()

    def open_containing_folder(self) -> None:
        if self.last_path is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.last_path.parent)))
