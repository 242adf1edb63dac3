"""Make the stored vault of schema version N: tests/data/vaults/v<N>/.

Run it once, when version N is current (before the step N+1 is added):

    .venv/bin/python tests/data/vaults/make_fixture.py [N]

N defaults to the latest version; an older N runs only the first N migration steps
(right as long as those steps and the repository code they serve are unchanged).
It never overwrites an existing folder: a stored file must stay as that version made it.
"""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path

os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"

from homestudy.demo import build_demo_case
from homestudy.model import ParSectionDraft
from homestudy.vault import KdfParams, Vault, migrations

PASSPHRASE = "homestudy-test-vault"  # documented in README.md; test data only
FIXTURE_DAY = date(2026, 11, 1)


def main() -> int:
    version = int(sys.argv[1]) if len(sys.argv) > 1 else migrations.LATEST
    migrations.STEPS = migrations.STEPS[:version]
    migrations.LATEST = version
    folder = Path(__file__).parent / f"v{version}"
    if folder.exists():
        print(f"{folder} exists; stored vaults are never remade", file=sys.stderr)
        return 1
    vault = Vault.create(folder, PASSPHRASE, kdf=KdfParams(1, 64, 1))
    case = build_demo_case(FIXTURE_DAY)
    vault.cases.save_case(case)
    vault.cases.add_attachment(case.id, "note.txt", "text/plain", b"fixture attachment")
    vault.cases.save_par_section(case.id, ParSectionDraft("matching", "Fixture matching text."))
    vault.set_setting("fixture", {"version": migrations.LATEST})
    vault.close()
    print(folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
