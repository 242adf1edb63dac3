"""Editing one record of the case at a time, beside the table that lists them: the
Visits and References tabs share it as a mixin (``class VisitsView(RecordEditor, QWidget)``).

Every edit goes into the record, redraws its row and schedules a save on the tab's
``AutoSaver`` under the record's key, with a copy of the record as it is now. The tab
provides ``case``, ``table``, ``saver`` and ``notes_edit`` and these methods:
``_current_record()``, ``_fill_row(item, record)``, ``_update_summary()``,
``_save_key(record)`` and ``_store(vault, case_id, record)``.
"""

from __future__ import annotations

import copy
from typing import Any

from PySide6.QtGui import QHideEvent

from ui.widgets.record_table import redraw_current_row


class RecordEditor:
    case: Any
    table: Any
    saver: Any
    notes_edit: Any

    def flush(self) -> None:
        """Start every pending save now (before the view goes or the case changes)."""
        self.saver.flush()

    def hideEvent(self, event: QHideEvent) -> None:
        self.flush()
        super().hideEvent(event)  # type: ignore[misc]

    def _notes_changed(self) -> None:
        record = self._current_record()
        if record is not None and record.notes != self.notes_edit.toPlainText():
            self._edit("notes", self.notes_edit.toPlainText())

    def _edit(self, field: str, value: Any) -> None:
        record = self._current_record()
        if record is None:
            return
        setattr(record, field, value)
        redraw_current_row(self.table, record, self._fill_row)
        self._update_summary()
        self._save(record)

    def _save(self, record: Any) -> None:
        if self.case is None:
            return
        case_id, snapshot = self.case.id, copy.deepcopy(record)
        self.saver.schedule(
            case_id, self._save_key(record), lambda vault: self._store(vault, case_id, snapshot)
        )

    # ------------------------------------------------------------------ the tab's part

    def _current_record(self) -> Any:
        raise NotImplementedError

    def _fill_row(self, item: Any, record: Any) -> None:
        raise NotImplementedError

    def _update_summary(self) -> None:
        raise NotImplementedError

    def _save_key(self, record: Any) -> str:
        """The saver's key: a later save or a delete of the same record replaces it."""
        raise NotImplementedError

    def _store(self, vault: Any, case_id: str, record: Any) -> None:
        """Write ``record`` (on the DB worker)."""
        raise NotImplementedError
