"""Application settings (not case data): the user's own, and those IT sets centrally.

Two JSON files, read in this order, later ones winning:
1. the user's settings, ``<user config dir>/settings.json`` (written by the app);
2. the central file, if any: ``$HOMESTUDY_CENTRAL_SETTINGS`` or
   ``<site config dir>/central.json``. Keys set there are *locked*: the app shows
   them but does not let the user change them.

Unknown keys are ignored with no error (a newer version may add some); a value of
the wrong type falls back to the default and is reported in ``problems``.
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

from homestudy.atomic import write_atomic

APP_NAME = "HomeStudy"
APP_AUTHOR = "HomeStudy"
SETTINGS_FORMAT_VERSION = 1


@dataclass
class AppSettings:
    idle_lock_minutes: int = 10
    vault_dir: str = ""  # "" means the platform's user data folder
    par_to_applicants_working_days: int = 5  # some agencies read the regulations as 10
    review_of_approval_months: int = 12
    proxy_url: str = ""  # e.g. http://proxy.example:3128; "" uses the system's
    spell_check: bool = True
    # automatic encrypted backups (issue 12): "" = none until the worker or IT picks a
    # folder; "~" and environment variables (%USERNAME%, $USER) are expanded
    backup_dir: str = ""
    backup_every_hours: int = 24
    backup_keep: int = 10
    locked_keys: frozenset[str] = field(default_factory=frozenset)  # set centrally
    problems: tuple[str, ...] = ()  # what was wrong with the files, in plain words

    def default_vault_dir(self) -> Path:
        if self.vault_dir:
            return Path(self.vault_dir).expanduser()
        return Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR)) / "vault"


_EDITABLE = (
    "idle_lock_minutes",
    "vault_dir",
    "par_to_applicants_working_days",
    "review_of_approval_months",
    "proxy_url",
    "spell_check",
    "backup_dir",
    "backup_every_hours",
    "backup_keep",
)


def user_settings_path() -> Path:
    override = os.environ.get("HOMESTUDY_SETTINGS")
    if override:
        return Path(override)
    return Path(platformdirs.user_config_dir(APP_NAME, APP_AUTHOR)) / "settings.json"


def central_settings_path() -> Path:
    override = os.environ.get("HOMESTUDY_CENTRAL_SETTINGS")
    if override:
        return Path(override)
    return Path(platformdirs.site_config_dir(APP_NAME, APP_AUTHOR)) / "central.json"


def _read(path: Path, problems: list[str]) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        problems.append(f"The settings file {path} could not be read, so defaults are used.")
        return {}
    if not isinstance(data, dict):
        problems.append(f"The settings file {path} is not in the expected form.")
        return {}
    return data


def _apply(
    values: dict[str, Any], data: dict[str, Any], problems: list[str], source: Path
) -> set[str]:
    defaults = AppSettings()
    applied: set[str] = set()
    for key in _EDITABLE:
        if key not in data:
            continue
        expected = type(getattr(defaults, key))
        value = data[key]
        if expected is int and isinstance(value, bool):
            value = None  # bool is an int in Python; refuse it here
        if isinstance(value, expected):
            values[key] = value
            applied.add(key)
        else:
            problems.append(f"The setting '{key}' in {source} is not valid and was ignored.")
    return applied


def load_settings() -> AppSettings:
    problems: list[str] = []
    values: dict[str, Any] = {}
    user_path, central_path = user_settings_path(), central_settings_path()
    _apply(values, _read(user_path, problems), problems, user_path)
    locked = _apply(values, _read(central_path, problems), problems, central_path)
    if values.get("idle_lock_minutes", 10) < 1:
        values["idle_lock_minutes"] = 1
        problems.append("The idle lock time must be at least 1 minute.")
    for key, low, high, what in (
        ("backup_every_hours", 1, 24 * 31, "hours between backups"),
        ("backup_keep", 1, 1000, "backups to keep"),
    ):
        if key in values and not low <= values[key] <= high:
            values[key] = min(max(values[key], low), high)
            problems.append(f"The number of {what} must be between {low} and {high}.")
    return AppSettings(**values, locked_keys=frozenset(locked), problems=tuple(problems))


def save_settings(settings: AppSettings) -> Path:
    """Save the user's own settings (centrally locked keys are not written)."""
    data: dict[str, Any] = {"format_version": SETTINGS_FORMAT_VERSION}
    for key in _EDITABLE:
        if key not in settings.locked_keys:
            data[key] = getattr(settings, key)
    path = user_settings_path()
    write_atomic(path, json.dumps(data, indent=2).encode("utf-8"))
    return path


def replace(settings: AppSettings, **changes: Any) -> AppSettings:
    return dataclasses.replace(settings, **changes)
