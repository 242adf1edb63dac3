"""Backups now and on a schedule, retention, and "when was the last good backup?".

The app (a timer) and scripts call ``run_if_due`` with the folder from the settings
(the worker's or IT's ``backup_dir``); it makes a backup when the last one is older
than ``every_hours``, then keeps only the newest ``keep`` of this vault's automatic
backups in that folder. Each good backup, made by hand or on the schedule, is
recorded in the vault's own (encrypted) settings; ``status`` turns that record into
what the main window shows, a warning once it is older than a week. A failed
scheduled backup is recorded too, so the warning can say why.

File names carry the time and the first part of the vault's id
(``HomeStudy-backup-20260514-103000-1a2b3c4d.hsbackup``), so retention only ever
removes this vault's own automatic backups, never a file it did not make.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from homestudy.errors import HomeStudyError, ReadOnlyVaultError
from homestudy.model import utc_now
from homestudy.textutil import format_date
from homestudy.vault import backup
from homestudy.vault.backup import LAST_GOOD_SETTING, BackupInfo

log = logging.getLogger(__name__)

LAST_ERROR_SETTING = "backup.last_error"
STALE_AFTER = timedelta(days=7)
_NAME = re.compile(r"^HomeStudy-backup-(\d{8}-\d{6})-([0-9a-f]{8})\.hsbackup$")


@dataclass(frozen=True)
class BackupStatus:
    """What the main window says about backups."""

    last_at: datetime | None
    last_file: str
    stale: bool  # no good backup, or the last one is older than a week
    error: str  # why the last scheduled backup failed ("" when it did not)
    text: str


def resolve_folder(setting: str) -> Path | None:
    """The backup folder a setting names ("~" and environment variables expanded)."""
    text = setting.strip()
    if not text:
        return None
    return Path(os.path.expandvars(os.path.expanduser(text)))


def file_name(vault_id: str, when: datetime) -> str:
    return f"HomeStudy-backup-{when:%Y%m%d-%H%M%S}-{vault_id.replace('-', '')[:8]}{backup.SUFFIX}"


def default_file_name(when: datetime) -> str:
    """A name for a backup made by hand (the user may change it)."""
    return f"HomeStudy backup {when:%Y-%m-%d %H%M}{backup.SUFFIX}"


def last_good(vault: Any) -> dict[str, Any] | None:
    record = vault.get_setting(LAST_GOOD_SETTING)
    return record if isinstance(record, dict) and isinstance(record.get("at"), str) else None


def _last_at(record: dict[str, Any] | None) -> datetime | None:
    if record is None:
        return None
    try:
        return datetime.fromisoformat(record["at"])
    except ValueError:
        return None


def _remember(vault: Any, key: str, value: Any) -> None:
    try:
        vault.set_setting(key, value)
    except ReadOnlyVaultError:  # a read-only vault can be backed up, not written to
        log.info("backup made; not recorded (the vault is read-only)")


def back_up_now(
    vault: Any, out_file: Path, *, automatic: bool = False, now: datetime | None = None
) -> BackupInfo:
    """Make a good backup at ``out_file`` and record it as the latest (made at ``now``
    by the scheduler's clock, else when the file says)."""
    path = vault.backup(out_file)
    info = backup.read_info(path)
    at = now or info.created_at
    _remember(
        vault,
        LAST_GOOD_SETTING,
        {"at": at.isoformat(), "file": str(path), "size": info.size, "automatic": automatic},
    )
    _remember(vault, LAST_ERROR_SETTING, None)
    return info


def is_due(vault: Any, every_hours: int, now: datetime | None = None) -> bool:
    last = _last_at(last_good(vault))
    return last is None or (now or utc_now()) - last >= timedelta(hours=every_hours)


def run_if_due(
    vault: Any, folder: Path, every_hours: int, keep: int, now: datetime | None = None
) -> BackupInfo | None:
    """The scheduled backup: made when due (None when not), then old ones pruned.
    A failure is recorded for ``status`` and raised."""
    now = now or utc_now()
    if not is_due(vault, every_hours, now):
        return None
    try:
        info = back_up_now(vault, folder / file_name(vault.vault_id, now), automatic=True, now=now)
    except HomeStudyError as exc:
        _remember(vault, LAST_ERROR_SETTING, {"at": now.isoformat(), "message": exc.message})
        raise
    except OSError as exc:
        message = (
            f"The backup folder {folder} could not be used. Check it is there and "
            "that you may save files in it."
        )
        _remember(vault, LAST_ERROR_SETTING, {"at": now.isoformat(), "message": message})
        raise HomeStudyError(message) from exc
    prune(folder, vault.vault_id, keep)
    return info


def automatic_backups(folder: Path, vault_id: str) -> list[Path]:
    """This vault's automatic backups in ``folder``, newest first."""
    mine = vault_id.replace("-", "")[:8]
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    found = [
        (m.group(1), folder / name)
        for name in names
        if (m := _NAME.match(name)) and m.group(2) == mine
    ]
    return [path for _stamp, path in sorted(found, reverse=True)]


def prune(folder: Path, vault_id: str, keep: int) -> list[Path]:
    """Remove this vault's automatic backups beyond the newest ``keep``; the removed."""
    removed = []
    for path in automatic_backups(folder, vault_id)[max(1, keep) :]:
        try:
            backup.read_info(path)  # only ever a HomeStudy backup
            path.unlink()
        except (HomeStudyError, OSError):
            continue
        removed.append(path)
    return removed


def status(vault: Any, now: datetime | None = None) -> BackupStatus:
    now = now or utc_now()
    record = last_good(vault)
    last = _last_at(record)
    failure = vault.get_setting(LAST_ERROR_SETTING)
    error = failure.get("message", "") if isinstance(failure, dict) else ""
    if last is None:
        text = "No backup of your cases yet."
    else:
        age = now - last
        when = _when(last, now)
        text = (
            f"Last backup {age.days} days ago ({format_date(last.astimezone().date())})."
            if age >= STALE_AFTER
            else f"Last backup {when}."
        )
    if error:
        text = f"The automatic backup did not work: {error} {text}"
    return BackupStatus(
        last_at=last,
        last_file=str(record.get("file", "")) if record else "",
        stale=last is None or now - last >= STALE_AFTER,
        error=error,
        text=text,
    )


def _when(at: datetime, now: datetime) -> str:
    local, today = at.astimezone(), now.astimezone().date()
    if local.date() == today:
        return f"today at {local:%H:%M}"
    if local.date() == today - timedelta(days=1):
        return f"yesterday at {local:%H:%M}"
    return f"on {format_date(local.date())}"
