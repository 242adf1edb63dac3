"""Small text helpers shared by the core and the UI."""

from __future__ import annotations

from datetime import date, datetime

# English month names of our own: ``%b`` follows the process locale, which Qt sets from
# the machine's language, so a French laptop would print "22 nov. 2026" in a PAR.
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def format_date(value: date | datetime | None, empty: str = "") -> str:
    """Dates as social workers write them, whatever the machine's language: ``22 Nov 2026``."""
    if value is None:
        return empty
    if isinstance(value, datetime):
        value = value.date()
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"
