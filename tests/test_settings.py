"""Application settings: the user's file, the central (IT) file, locks and bad values."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from homestudy import settings as s


@pytest.fixture
def paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    user = tmp_path / "user" / "settings.json"
    central = tmp_path / "site" / "central.json"
    monkeypatch.setenv("HOMESTUDY_SETTINGS", str(user))
    monkeypatch.setenv("HOMESTUDY_CENTRAL_SETTINGS", str(central))
    return user, central


def write(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")


def test_no_files_gives_defaults_and_no_locks(paths: tuple[Path, Path]) -> None:
    loaded = s.load_settings()
    assert loaded.idle_lock_minutes == 10
    assert loaded.par_to_applicants_working_days == 5
    assert loaded.review_of_approval_months == 12
    assert loaded.vault_dir == "" and loaded.proxy_url == ""
    assert loaded.locked_keys == frozenset()
    assert loaded.problems == ()


def test_user_file_is_read(paths: tuple[Path, Path]) -> None:
    user, _ = paths
    write(
        user,
        {"idle_lock_minutes": 3, "proxy_url": "http://proxy.example:3128", "vault_dir": "~/cases"},
    )
    loaded = s.load_settings()
    assert loaded.idle_lock_minutes == 3
    assert loaded.proxy_url == "http://proxy.example:3128"
    assert loaded.default_vault_dir() == Path("~/cases").expanduser()
    assert loaded.locked_keys == frozenset()


def test_central_file_wins_and_locks_its_keys(paths: tuple[Path, Path]) -> None:
    user, central = paths
    write(user, {"idle_lock_minutes": 30, "par_to_applicants_working_days": 5})
    write(central, {"idle_lock_minutes": 5, "par_to_applicants_working_days": 10})
    loaded = s.load_settings()
    assert loaded.idle_lock_minutes == 5
    assert loaded.par_to_applicants_working_days == 10
    assert loaded.locked_keys == {"idle_lock_minutes", "par_to_applicants_working_days"}


def test_bad_values_fall_back_and_are_reported(paths: tuple[Path, Path]) -> None:
    user, central = paths
    write(user, {"idle_lock_minutes": "ten", "spell_check": True, "unknown_key": 1})
    write(central, {"review_of_approval_months": True})  # a bool is not a number of months
    loaded = s.load_settings()
    assert loaded.idle_lock_minutes == 10
    assert loaded.review_of_approval_months == 12
    assert "review_of_approval_months" not in loaded.locked_keys
    assert len(loaded.problems) == 2
    assert any("idle_lock_minutes" in p for p in loaded.problems)


def test_unreadable_and_misshapen_files_are_reported(paths: tuple[Path, Path]) -> None:
    user, central = paths
    user.parent.mkdir(parents=True)
    user.write_text("{not json", encoding="utf-8")
    write(central, ["a", "list"])
    loaded = s.load_settings()
    assert loaded.idle_lock_minutes == 10
    assert len(loaded.problems) == 2
    assert "could not be read" in loaded.problems[0]


def test_idle_lock_below_one_minute_is_raised_to_one(paths: tuple[Path, Path]) -> None:
    write(paths[0], {"idle_lock_minutes": 0})
    loaded = s.load_settings()
    assert loaded.idle_lock_minutes == 1
    assert loaded.problems


def test_save_writes_a_private_file_without_locked_keys(paths: tuple[Path, Path]) -> None:
    user, central = paths
    write(central, {"proxy_url": "http://it.example:8080"})
    loaded = s.load_settings()
    changed = s.replace(loaded, idle_lock_minutes=7, proxy_url="http://mine.example:1")
    assert s.save_settings(changed) == user
    data = json.loads(user.read_text(encoding="utf-8"))
    assert data["idle_lock_minutes"] == 7
    assert "proxy_url" not in data  # IT's value stays IT's
    assert data["format_version"] == s.SETTINGS_FORMAT_VERSION
    assert stat.S_IMODE(user.stat().st_mode) == 0o600
    again = s.load_settings()
    assert again.idle_lock_minutes == 7 and again.proxy_url == "http://it.example:8080"


def test_default_vault_dir_is_the_user_data_folder(paths: tuple[Path, Path]) -> None:
    folder = s.load_settings().default_vault_dir()
    assert folder.name == "vault"
    assert "HomeStudy" in str(folder)
