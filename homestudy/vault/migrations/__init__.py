"""Numbered schema migrations, tracked with ``PRAGMA user_version``.

Each step is a module ``mNNNN_name.py`` with ``VERSION = NNNN`` and
``migrate(conn)``, run inside one transaction by ``homestudy.vault.store.migrate``.
``STEPS[i].VERSION == i + 1``.

Adding a step (e.g. issue 6's ``m0002_sync.py``) is a one-line change here: import
the module and append it to ``STEPS``. Before that, keep a vault made by the version
before it under ``tests/data/vaults/vN/`` (``tests/data/vaults/make_fixture.py N``;
see ``tests/data/vaults/README.md``), and add a check of what the step adds to
``UPGRADE_CHECKS`` in ``tests/test_vault_migrations.py``.
"""

from __future__ import annotations

from homestudy.vault.migrations import (
    m0001_core,
    m0002_sync,
    m0003_checks_per_person,
    m0004_people_search,
    m0005_archive,
    m0006_agency_cases,
    m0007_change_sets,
    m0008_receipt_key,
    m0009_replies_sent,
)

STEPS = [
    m0001_core,
    m0002_sync,
    m0003_checks_per_person,
    m0004_people_search,
    m0005_archive,
    m0006_agency_cases,
    m0007_change_sets,
    m0008_receipt_key,
    m0009_replies_sent,
]
LATEST = len(STEPS)
