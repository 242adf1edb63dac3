"""Small text helpers shared by the core and the UI."""

from __future__ import annotations

from datetime import date, datetime


def format_date(value: date | datetime | None, empty: str = "") -> str:
    """Dates as social workers write them: ``22 Nov 2026``."""
    if value is None:
        return empty
    if isinstance(value, datetime):
        value = value.date()
    return f"{value.day} {value:%b %Y}"
