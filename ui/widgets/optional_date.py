"""A date that may be left unset: now the app's one date input (``ui.widgets.date_input``).

Kept so that ``from ui.widgets.optional_date import OptionalDateEdit`` goes on working:
``OptionalDateEdit(label, parent=None, kind=...)`` with ``date_changed``, ``value()``,
``set_value(value, default=None)`` and ``.check`` / ``.edit`` (both the text field, for
a label's buddy and for focus).
"""

from __future__ import annotations

from ui.widgets.date_input import DateEdit, OptionalDateEdit

__all__ = ["DateEdit", "OptionalDateEdit"]
