"""The encrypted local store: one SQLCipher 4 database per vault folder.

``Vault`` (``vault.py``) is the entry point; ``keys`` holds the key hierarchy,
``store`` the connection and PRAGMAs, ``repo`` the case repository, ``audit`` the
hash-chained trail, ``search`` FTS5, ``backup`` encrypted backups and
``migrations`` the numbered schema steps. API: docs/DESIGN.md.
"""

from __future__ import annotations

from homestudy.vault.audit import AuditEntry, AuditTrail
from homestudy.vault.keys import KdfParams
from homestudy.vault.repo import CaseRepository
from homestudy.vault.search import SearchHit
from homestudy.vault.vault import Vault

__all__ = ["AuditEntry", "AuditTrail", "CaseRepository", "KdfParams", "SearchHit", "Vault"]
