"""Numbered schema migrations, tracked with ``PRAGMA user_version``.

Each step is a module ``mNNNN_name.py`` with ``VERSION = NNNN`` and
``migrate(conn)``, run inside one transaction by ``homestudy.vault.store.migrate``.
``STEPS[i].VERSION == i + 1``.

Adding a step (e.g. issue 6's ``m0002_sync.py``) is a one-line change here: import
the module and append it to ``STEPS``. Then keep a database made by the version
*before* it under ``tests/data/vaults/`` (``python -m tests.make_vault_fixture``
style: see ``tests/data/vaults/README.md``) and add its upgrade check to
``tests/test_vault_migrations.py`` (``UPGRADE_CHECKS``).
"""

from __future__ import annotations

from homestudy.vault.migrations import m0001_core, m0002_sync

STEPS = [m0001_core, m0002_sync]
LATEST = len(STEPS)
