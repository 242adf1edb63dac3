"""Help inside the app: PAR guidance per section, keyboard shortcuts, About (versions,
the third-party licences, "Copy diagnostic report").

The guidance is the forms library's own (``forms/par_england.yaml``), so an agency
that changes its PAR form changes its help too. The shortcuts come from the shell's
``SHORTCUTS`` table, so the list cannot drift from the real key bindings. The forms
and the SQLCipher version are fetched on the context's pool, not the GUI thread.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from typing import Any

import PySide6
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QFontDatabase, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from homestudy.about import core_versions
from ui.context import AppContext
from ui.operations import run_job

_PARTS = {
    "cover": "Cover",
    "part1": "Part 1: assessment report",
    "part2": "Part 2: factual information",
    "after": "After sharing and at sign-off",
}


def versions() -> dict[str, str]:
    """Every version About shows: HomeStudy, Python, SQLCipher, Qt and PySide6."""
    found = core_versions()
    found["Qt"] = qVersion()
    found["PySide6"] = PySide6.__version__
    return found


def licence_text() -> str:
    """The third-party licence list shipped with the app (``packaging/licences.py``)."""
    from homestudy.resources import resource_path

    path = resource_path("licences", "third-party.txt")
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return f"The licence list is missing from this installation ({path})."


def section_html(section: Any) -> str:
    """One PAR section's guidance as rich text."""
    notes = []
    if section.written_by_applicants:
        notes.append("Written by the applicants, with your guidance.")
    if section.confidential:
        notes.append("Confidential: left out of the applicants' copy.")
    if section.needs_analysis:
        notes.append(
            "Panels look for analysis here: add a paragraph starting <b>Analysis:</b> "
            "that says what the evidence shows about parenting capacity."
        )
    if not section.required:
        notes.append("Optional: complete it where it applies.")
    parts = [f"<h2>{html.escape(section.title)}</h2>"]
    parts.append(f"<p><i>{html.escape(_PARTS.get(section.part, section.part))}</i></p>")
    if section.guidance:
        items = "".join(f"<li>{html.escape(line)}</li>" for line in section.guidance)
        parts.append(f"<ul>{items}</ul>")
    else:
        parts.append("<p>No guidance is given for this section.</p>")
    parts.extend(f"<p>{note}</p>" for note in notes)
    return "".join(parts)


def _default_shortcuts() -> Sequence[Any]:
    from ui.shortcuts import SHORTCUTS

    return SHORTCUTS


def _key_text(keys: Any) -> str:
    """Keys as this platform writes them (Ctrl on Windows/Linux, ⌘ on macOS)."""
    if isinstance(keys, tuple | list):
        return ", ".join(_key_text(k) for k in keys)
    if isinstance(keys, str):
        keys = QKeySequence(keys, QKeySequence.SequenceFormat.PortableText)
    elif not isinstance(keys, QKeySequence):
        keys = QKeySequence(keys)
    return keys.toString(QKeySequence.SequenceFormat.NativeText)


def shortcut_rows(shortcuts: Iterable[Any]) -> list[tuple[str, str, str]]:
    """(keys, what they do, where) for each entry of the shell's ``SHORTCUTS`` table.

    An entry has ``keys`` (portable text such as ``"Ctrl+L"``, a tuple of them, or a
    QKeySequence), ``description`` and optionally ``where``.
    """
    return [
        (_key_text(entry.keys), str(entry.description), str(getattr(entry, "where", "")))
        for entry in shortcuts
    ]


class HelpDialog(QDialog):
    """Tabs: "PAR guidance", "Keyboard shortcuts", "About"."""

    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget | None = None,
        *,
        shortcuts: Sequence[Any] | None = None,
        section_id: str = "",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("HomeStudy help")
        self.setObjectName("helpDialog")
        self.resize(820, 560)
        self._ctx = ctx
        self._wanted_section = section_id
        self._sections: list[Any] = []

        self.tabs = QTabWidget()
        self.tabs.addTab(self._guidance_tab(), "PAR guidance")
        self.tabs.addTab(self._shortcuts_tab(shortcuts), "Keyboard shortcuts")
        self.about_tab = self._about_tab()
        self.tabs.addTab(self.about_tab, "About")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(buttons)
        run_job(
            ctx, self, lambda: (ctx.forms, versions()), self._loaded, on_error=self._load_failed
        )

    # ------------------------------------------------------------------ tabs

    def _guidance_tab(self) -> QWidget:
        self.section_list = QListWidget()
        self.section_list.setAccessibleName("PAR sections")
        self.section_list.setMaximumWidth(320)
        self.section_list.setWordWrap(True)  # long section titles wrap instead of scrolling
        self.section_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.guidance = QTextBrowser()
        self.guidance.setAccessibleName("Guidance for the chosen section")
        self.guidance.setHtml("<p>Loading the PAR guidance…</p>")
        self.section_list.currentRowChanged.connect(self._show_section)
        tab = QWidget()
        row = QHBoxLayout(tab)
        row.addWidget(self.section_list)
        row.addWidget(self.guidance, 1)
        return tab

    def _shortcuts_tab(self, shortcuts: Sequence[Any] | None) -> QWidget:
        rows = shortcut_rows(shortcuts if shortcuts is not None else _default_shortcuts())
        self.shortcut_table = QTableWidget(len(rows), 3)
        self.shortcut_table.setAccessibleName("Keyboard shortcuts")
        self.shortcut_table.setHorizontalHeaderLabels(["Keys", "What it does", "Where"])
        self.shortcut_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.shortcut_table.verticalHeader().hide()
        header = self.shortcut_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        for n, row in enumerate(rows):
            for column, text in enumerate(row):
                self.shortcut_table.setItem(n, column, QTableWidgetItem(text))
        return self.shortcut_table

    def _about_tab(self) -> QWidget:
        self.about = QLabel("Loading…")
        self.about.setWordWrap(True)
        self.about.setAccessibleName("About HomeStudy")
        self.about.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.copy_report = QPushButton("&Copy diagnostic report")
        self.copy_report.setObjectName("copyDiagnosticReport")
        self.copy_report.setToolTip(
            "Copies versions, settings and the end of the error log "
            "(no case details) for your IT team"
        )
        self.copy_report.clicked.connect(self._copy_report)
        self.report_status = QLabel("")
        self.report_status.setAccessibleName("Diagnostic report status")
        self.licences = QPlainTextEdit()
        self.licences.setReadOnly(True)
        self.licences.setAccessibleName("Third-party licences")
        self.licences.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        # the list is in columns
        self.licences.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.licences.setPlainText(licence_text())
        row = QHBoxLayout()
        row.addWidget(self.copy_report)
        row.addWidget(self.report_status, 1)
        tab = QWidget()
        column = QVBoxLayout(tab)
        column.addWidget(self.about)
        column.addLayout(row)
        column.addWidget(QLabel("Software HomeStudy is built with, and its licences:"))
        column.addWidget(self.licences, 1)
        return tab

    def _copy_report(self) -> None:
        from homestudy.diagnostics import diagnostic_report

        self.copy_report.setEnabled(False)
        self.report_status.setText("Preparing the report…")
        settings = self._ctx.settings
        run_job(
            self._ctx,
            self,
            lambda: diagnostic_report(settings, versions()),
            self._report_ready,
            on_error=self._report_failed,
        )

    def _report_ready(self, report: str) -> None:
        QGuiApplication.clipboard().setText(report)
        self.copy_report.setEnabled(True)
        self.report_status.setText("Copied. Paste it into an email to your IT team.")

    def _report_failed(self, exc: BaseException) -> None:
        from ui.errors import error_message

        self.copy_report.setEnabled(True)
        self.report_status.setText(f"The report could not be made. {error_message(exc)}")

    # ------------------------------------------------------------------ loading

    def _loaded(self, result: tuple[Any, dict[str, str]]) -> None:
        library, found = result
        self._sections = list(library.par.sections)
        self.section_list.clear()
        for section in self._sections:
            item = QListWidgetItem(section.title)
            item.setToolTip(section.title)
            self.section_list.addItem(item)
        ids = [s.id for s in self._sections]
        start = ids.index(self._wanted_section) if self._wanted_section in ids else 0
        self.section_list.setCurrentRow(start)
        self.about.setText(self.about_html(found, library.par))

    def _load_failed(self, exc: BaseException) -> None:
        from ui.errors import error_message

        self.guidance.setHtml(
            f"<p>The PAR guidance could not be loaded. {html.escape(error_message(exc))}</p>"
        )
        self.about.setText(self.about_html(versions(), None))

    def _show_section(self, row: int) -> None:
        if 0 <= row < len(self._sections):
            self.guidance.setHtml(section_html(self._sections[row]))

    def show_about(self) -> None:
        """Open the About tab (Help > About HomeStudy)."""
        self.tabs.setCurrentWidget(self.about_tab)

    def show_section(self, section_id: str) -> None:
        """Open the guidance tab at ``section_id`` (used by the PAR editor's help key)."""
        self.tabs.setCurrentIndex(0)
        self._wanted_section = section_id
        for n, section in enumerate(self._sections):
            if section.id == section_id:
                self.section_list.setCurrentRow(n)

    @staticmethod
    def about_html(found: dict[str, str], par: Any) -> str:
        rows = "".join(
            f"<tr><td>{html.escape(name)}&nbsp;&nbsp;</td><td>{html.escape(value)}</td></tr>"
            for name, value in found.items()
        )
        form = ""
        if par is not None:
            form = f"<p>PAR form: {html.escape(par.title)}, version {par.version}.</p>"
        return (
            "<h2>HomeStudy</h2>"
            "<p>Stage 2 adoption assessments and Prospective Adopter's Reports, written "
            "offline and kept encrypted on this computer.</p>"
            f"<table>{rows}</table>{form}"
        )


def open_help(
    ctx: AppContext,
    parent: QWidget | None = None,
    shortcuts: Sequence[Any] | None = None,
    section_id: str = "",
) -> HelpDialog:
    """Show help without blocking (non-modal: the user can read it while writing).

    Pressing F1 again brings the open help window forward rather than adding another.
    """
    if parent is not None:
        for existing in parent.findChildren(HelpDialog):
            if existing.isVisible():
                if section_id:
                    existing.show_section(section_id)
                if QGuiApplication.platformName() != "offscreen":  # it cannot, and says so
                    existing.raise_()
                existing.activateWindow()
                return existing
    dialog = HelpDialog(ctx, parent, shortcuts=shortcuts, section_id=section_id)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    dialog.show()
    return dialog
