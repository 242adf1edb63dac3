"""Versions of HomeStudy and the libraries it relies on, for About and the self-test."""

from __future__ import annotations

import platform
from functools import cache

from homestudy import __version__


@cache
def sqlcipher_version() -> str:
    """SQLCipher's own version (``PRAGMA cipher_version``), e.g. ``4.6.1 community``.

    Asked of a throwaway in-memory connection, so no vault is needed.
    """
    import sqlcipher3

    conn = sqlcipher3.connect(":memory:")
    try:
        row = conn.execute("PRAGMA cipher_version").fetchone()
        sqlite = conn.execute("SELECT sqlite_version()").fetchone()
    finally:
        conn.close()
    if not row or not row[0]:
        return "unavailable (SQLite without SQLCipher)"
    return f"{row[0]} (SQLite {sqlite[0]})"


def core_versions() -> dict[str, str]:
    """Name -> version of HomeStudy, Python and SQLCipher (no Qt: the core never loads it)."""
    return {
        "HomeStudy": __version__,
        "Python": platform.python_version(),
        "SQLCipher": sqlcipher_version(),
    }
