"""The agency's key and device commands each leave an audit line naming what was done,
read back from the audit log as the administrator sees it (``audit.entries``)."""

from __future__ import annotations

from pathlib import Path

from ops_helpers import agency_cli
from sync_helpers import make_agency

from homestudy.agency.console import audit
from homestudy.agency.home import AgencyHome


def _audited(home: AgencyHome, action: str) -> list[tuple[str, str]]:
    db = home.database(pool_size=1)
    try:
        return [(e.target, e.detail) for e in audit.entries(db, action=action)]
    finally:
        db.close()


def test_each_key_rotation_is_audited_under_its_own_command(tmp_path: Path) -> None:
    home = make_agency(tmp_path / "agency")
    for command in ("rotate-receipt-key", "rotate-keys"):
        done = agency_cli(home.path, command)
        assert done.returncode == 0, done.stderr
    lines = _audited(home, "key_operation")
    assert sorted(lines) == [("rotate-keys", "key list 3"), ("rotate-receipt-key", "key list 2")]
