"""The desktop app's log and the diagnostic report IT asks for, without case content.

``start_logging()`` sends every log record to a rotating file in the user log folder
(``platformdirs``; ``$HOMESTUDY_LOG_DIR`` overrides it) through ``SafeFormatter``, and
points ``faulthandler`` at ``crash.log`` there so a hard crash (a segfault in Qt or
SQLCipher) still leaves its stack. What reaches the files:

- the message template as written in the code (a constant, never case text);
- its arguments only when they are numbers or look like ids, keys or type names;
  anything else becomes ``‹withheld›``, since a string may be a name or a note;
- for an exception: its type, its errno if any, and the stack frames (file, line,
  function, source line). Never its message, notes or local variables, which may
  quote the case being worked on.

``diagnostic_report()`` is what "Copy diagnostic report" (Help › About) copies:
versions, platform, settings without secrets, and the last lines of the log.
"""

from __future__ import annotations

import dataclasses
import errno
import faulthandler
import logging
import logging.handlers
import os
import platform
import re
import sys
import traceback
from collections.abc import Mapping
from enum import Enum
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit, urlunsplit

import platformdirs

from homestudy.settings import APP_AUTHOR, APP_NAME, AppSettings

LOG_NAME = "homestudy.log"
CRASH_NAME = "crash.log"
MAX_BYTES = 1_000_000
BACKUPS = 4
WITHHELD = "‹withheld›"

# Argument strings kept as they are: UUIDs and hex ids (with a letter: a bare run of
# digits may be a phone number), versions, lower-case keys and dotted or snake_case names
# ("par_england", "pdf", "ui.views.overview"), and exception type names.
_ID = re.compile(
    r"[0-9a-fA-F]{8}(-?[0-9a-fA-F]{4}){3}-?[0-9a-fA-F]{12}"
    r"|(?=[0-9]*[a-f])[0-9a-f]{8,64}|\d+(\.\d+){1,3}((a|b|rc|\.post|\.dev)\d+)?"
)
_KEY = re.compile(r"[a-z][a-z0-9_.:/-]{0,63}")
_TYPE_NAME = re.compile(
    r"([A-Za-z_][A-Za-z0-9_]*\.)*[A-Z][A-Za-z0-9_]*"
    r"(Error|Exception|Warning|Exit|Interrupt|Timeout|Refused)"
)


def log_dir() -> Path:
    override = os.environ.get("HOMESTUDY_LOG_DIR")
    if override:
        return Path(override)
    return Path(platformdirs.user_log_dir(APP_NAME, APP_AUTHOR))


def safe_arg(value: object) -> object:
    """``value`` if it cannot hold case text, else ``WITHHELD``."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, Enum):
        return f"{type(value).__name__}.{value.name}"
    if isinstance(value, type):
        return value.__qualname__
    if isinstance(value, str) and (
        _ID.fullmatch(value) or _KEY.fullmatch(value) or _TYPE_NAME.fullmatch(value)
    ):
        return value
    return WITHHELD


def safe_exception(exc: BaseException) -> str:
    """The stack of ``exc`` and of its causes: types and frames, no messages or locals."""
    lines: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        summary = traceback.extract_tb(current.__traceback__)
        block = ["Traceback (most recent call last):"]
        block += [
            f'  File "{f.filename}", line {f.lineno}, in {f.name}'
            + (f"\n    {f.line.strip()}" if f.line else "")
            for f in summary
        ]
        name = f"{type(current).__module__}.{type(current).__qualname__}"
        code = getattr(current, "errno", None)
        detail = f" [errno {errno.errorcode.get(code, code)}]" if isinstance(code, int) else ""
        block.append(f"{name}{detail} (message withheld)")
        lines[:0] = block
        if current.__cause__ is not None:
            current = current.__cause__
            lines.insert(0, "The above exception was the direct cause of the following:")
        elif current.__context__ is not None and not current.__suppress_context__:
            current = current.__context__
            lines.insert(0, "During handling of the above exception, another occurred:")
        else:
            current = None
    return "\n".join(lines)


class SafeFormatter(logging.Formatter):
    """Formats records with only what ``safe_arg`` and ``safe_exception`` let through."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(threadName)s]: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        safe = logging.makeLogRecord(record.__dict__)
        safe.msg = str(record.msg) if isinstance(record.msg, str) else WITHHELD
        if isinstance(record.args, Mapping):
            safe.args = {k: safe_arg(v) for k, v in record.args.items()}
        elif record.args:
            safe.args = tuple(safe_arg(a) for a in record.args)
        try:
            safe.message = safe.getMessage()
        except (TypeError, ValueError):  # a template that does not fit its arguments
            safe.message = f"{safe.msg} {WITHHELD}"
        safe.asctime = self.formatTime(safe)
        text = self.formatMessage(safe)
        if record.exc_info and record.exc_info[1] is not None:
            text += "\n" + safe_exception(record.exc_info[1])
        if record.stack_info:
            text += "\n" + record.stack_info  # frames only: no values
        return text


_state: dict[str, Any] = {}


def start_logging(folder: Path | None = None, level: int = logging.INFO) -> Path:
    """Log to ``folder`` (default ``log_dir()``) for the rest of the process; returns it.

    Calling it again moves the log (the tests do); ``stop_logging`` undoes it.
    """
    stop_logging()
    folder = folder or log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(
        folder / LOG_NAME, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
    )
    handler.setFormatter(SafeFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    previous_levels = {}
    for name in ("homestudy", "ui"):  # ours at INFO; other libraries stay at WARNING
        logger = logging.getLogger(name)
        previous_levels[name] = logger.level
        logger.setLevel(level)
    crash: IO[str] = open(folder / CRASH_NAME, "a", encoding="utf-8")  # noqa: SIM115  # kept open
    fault_was_on = faulthandler.is_enabled()
    faulthandler.enable(file=crash, all_threads=True)
    previous_hook = sys.excepthook
    sys.excepthook = _log_uncaught
    _state.update(
        handler=handler,
        crash=crash,
        fault_was_on=fault_was_on,
        folder=folder,
        levels=previous_levels,
        hook=previous_hook,
    )
    logging.getLogger("homestudy").info(
        "HomeStudy %s started on %s", _version(), platform.system().lower()
    )
    return folder


def stop_logging() -> None:
    if not _state:
        return
    handler = _state.pop("handler")
    logging.getLogger().removeHandler(handler)
    handler.close()
    for name, level in _state.pop("levels").items():
        logging.getLogger(name).setLevel(level)
    faulthandler.disable()
    if _state.pop("fault_was_on") and sys.__stderr__ is not None:
        faulthandler.enable(file=sys.__stderr__, all_threads=True)
    _state.pop("crash").close()
    sys.excepthook = _state.pop("hook")
    _state.clear()


def current_log_dir() -> Path | None:
    """The folder being logged to, or None before ``start_logging``."""
    folder = _state.get("folder")
    return folder if isinstance(folder, Path) else None


def _log_uncaught(kind: type[BaseException], exc: BaseException, tb: Any) -> None:
    logging.getLogger("homestudy").critical(
        "uncaught %s", kind.__qualname__, exc_info=(kind, exc, tb)
    )
    hook = _state.get("hook", sys.__excepthook__)
    hook(kind, exc, tb)


def _version() -> str:
    from homestudy import __version__

    return __version__


def last_log_lines(count: int = 60, folder: Path | None = None) -> list[str]:
    folder = folder or current_log_dir() or log_dir()
    path = folder / LOG_NAME
    try:
        with path.open(encoding="utf-8", errors="replace") as f:
            return f.read()[-200_000:].splitlines()[-count:]
    except OSError:
        return []


_SECRET_WORDS = ("pass", "secret", "token", "key", "credential")


def safe_settings(settings: AppSettings) -> dict[str, object]:
    """The settings as IT needs them: no proxy password, nothing named like a secret."""
    found: dict[str, object] = {}
    for item in dataclasses.fields(settings):
        value = getattr(settings, item.name)
        if item.name == "locked_keys":
            value = sorted(value)
        elif any(word in item.name for word in _SECRET_WORDS):
            value = WITHHELD if value else ""
        elif item.name == "proxy_url" and value:
            value = _without_credentials(str(value))
        found[item.name] = value
    return found


def _without_credentials(url: str) -> str:
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{WITHHELD}@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def diagnostic_report(
    settings: AppSettings,
    versions: Mapping[str, str],
    extra: Mapping[str, str] | None = None,
    log_lines: int = 60,
) -> str:
    """Plain text for IT: versions, platform, settings without secrets, the log's end."""
    from homestudy.resources import data_root, is_frozen

    out = [
        "HomeStudy diagnostic report",
        "(no case content: the log holds error types, code locations and ids only)",
        "",
        "Versions",
    ]
    out += [f"  {name}: {value}" for name, value in versions.items()]
    out += [
        "",
        "Platform",
        f"  System: {platform.platform()}",
        f"  Machine: {platform.machine()}",
        f"  Python: {sys.version.split()[0]} ({platform.python_implementation()})",
        f"  Frozen app: {'yes' if is_frozen() else 'no'}",
        f"  Program data: {data_root()}",
        f"  Log folder: {current_log_dir() or log_dir()}",
    ]
    for name, value in (extra or {}).items():
        out.append(f"  {name}: {value}")
    out += ["", "Settings"]
    out += [f"  {name}: {value}" for name, value in safe_settings(settings).items()]
    lines = last_log_lines(log_lines)
    out += ["", f"Last {len(lines)} log lines"]
    out += [f"  {line}" for line in lines] or ["  (the log is empty)"]
    return "\n".join(out) + "\n"
