"""The agency's key and device commands each leave an audit line naming what was done,
read back from the audit log as the administrator sees it (``audit.entries``)."""

from __future__ import annotations

from pathlib import Path

from ops_helpers import agency_cli, agency_env
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


def _actors(home: AgencyHome, action: str) -> list[str]:
    db = home.database(pool_size=1)
    try:
        return [e.actor for e in audit.entries(db, action=action)]
    finally:
        db.close()


def _refused(done: object, message: str) -> None:
    """A plain one-line refusal, prefixed as every other command's is."""
    assert done.returncode == 1, done.stdout  # type: ignore[attr-defined]
    assert done.stderr.strip().splitlines() == [f"homestudy-agency: {message}"]  # type: ignore[attr-defined]


def test_enrolment_and_account_commands_are_audited_by_os_user_and_refuse_plainly(
    tmp_path: Path,
) -> None:
    import getpass
    import re

    home = make_agency(tmp_path / "agency")
    me = f"cli:{getpass.getuser()}"
    out = tmp_path / "a.enrol"
    assert agency_cli(home.path, "enrol", "--assessor", "sam", "--out", str(out)).returncode == 0
    assert _audited(home, "enrolment_issued") == [("sam", "")]
    listed = agency_cli(home.path, "enrolments").stdout
    file_id = re.match(r"([0-9a-f]{12}) ", listed).group(1)  # type: ignore[union-attr]
    # a pattern is not an id (it once cancelled the first waiting file)
    _refused(
        agency_cli(home.path, "cancel-enrolment", "%%%%%%%%%%%%"),
        "No waiting enrolment file has that id.",
    )
    done = agency_cli(home.path, "cancel-enrolment", file_id[:8])
    assert done.returncode == 0 and file_id in done.stdout, done.stderr
    assert _audited(home, "enrolment_cancelled") == [(file_id, "")]
    done = agency_cli(
        home.path,
        "staff-add",
        "bob",
        "--name",
        "Bob",
        "--role",
        "admin",
        env=agency_env(HOMESTUDY_STAFF_PASSWORD="correct horse battery"),
    )
    assert done.returncode == 0, done.stderr
    for action in ("enrolment_issued", "enrolment_cancelled", "staff_added"):
        assert _actors(home, action) == [me], action
    # no terminal and no $HOMESTUDY_STAFF_PASSWORD: a sentence, not an EOFError
    _refused(
        agency_cli(home.path, "staff-add", "carol", "--name", "Carol", "--role", "admin"),
        "No password given: set HOMESTUDY_STAFF_PASSWORD, or run this in a terminal to type one.",
    )
    for bad, why in (("", "Give the assessor's id."), ("a\nb", "may not hold a line break")):
        done = agency_cli(home.path, "enrol", "--assessor", bad, "--out", str(tmp_path / "b"))
        assert done.returncode == 1 and why in done.stderr and "Traceback" not in done.stderr
        assert not (tmp_path / "b").exists()
    for command in ("revoke", "restore-device"):
        _refused(agency_cli(home.path, command, "nope"), "No device with that id is enrolled.")


def test_a_cancel_names_one_waiting_file_by_hex(tmp_path: Path) -> None:
    import pytest

    from homestudy.agency.console import team
    from homestudy.errors import NotFoundError, ValidationError

    home = make_agency(tmp_path / "agency")
    db = home.database(pool_size=1)
    try:
        db.migrate()
        with db.transaction() as cur:
            for sha in ("abcdef01" + "1" * 56, "abcdef01" + "2" * 56):
                cur.execute(
                    "INSERT INTO enrolment_tokens (token_sha256, assessor_id, created_at, "
                    "expires_at) VALUES (?, 'sam', '2026-01-01', '2999-01-01')",
                    (sha,),
                )
        with pytest.raises(ValidationError, match="More than one waiting enrolment file"):
            team.cancel_enrolment(db, "abcdef01")
        for pattern in ("abcdef0%", "abcdef0_1", "ABCDEF01"[:7], "abcdef01'--"):
            with pytest.raises(NotFoundError):
                team.cancel_enrolment(db, pattern)
        assert team.cancel_enrolment(db, "ABCDEF011") == "abcdef011111"  # any case, unambiguous
        assert [e.token_id for e in team.enrolments(db)] == ["abcdef012222"]
    finally:
        db.close()
