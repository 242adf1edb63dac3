"""The desktop app's log and diagnostic report: what IT needs, never case content."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from homestudy import __version__, diagnostics
from homestudy.diagnostics import (
    CRASH_NAME,
    LOG_NAME,
    WITHHELD,
    diagnostic_report,
    last_log_lines,
    safe_arg,
    start_logging,
    stop_logging,
)
from homestudy.errors import ExportError
from homestudy.settings import AppSettings

CANARY = "Quillfeather Marchbanks lives at 7 Canary Row"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def log_folder(tmp_path: Path) -> Iterator[Path]:
    folder = start_logging(tmp_path / "logs")
    yield folder
    stop_logging()


def _log_text(folder: Path) -> str:
    return "".join(p.read_text(encoding="utf-8") for p in sorted(folder.iterdir()))


def _fail_deep(note: str) -> None:
    raise ValueError(f"could not parse {note}")


def test_an_error_is_logged_with_its_type_and_frames_but_not_its_message(log_folder: Path) -> None:
    log = logging.getLogger("homestudy.report")
    try:
        try:
            _fail_deep(CANARY)
        except ValueError as exc:
            exc.add_note(CANARY)
            raise ExportError() from exc
    except ExportError as exc:
        log.error("export failed while rendering %s: %s", "pdf", type(exc).__name__, exc_info=exc)
    log.warning("the %s tab could not show %s", "overview", CANARY)
    logging.getLogger("ui.workers").info(
        "job %s finished in %d ms", "3f2b9c1e-aa12-4b3c-9d8e-0123456789ab", 12
    )
    stop_logging()
    text = _log_text(log_folder)
    assert "Quillfeather" not in text and "Canary" not in text
    assert "export failed while rendering pdf: ExportError" in text
    assert "homestudy.errors.ExportError (message withheld)" in text
    assert "builtins.ValueError (message withheld)" in text
    assert "direct cause" in text
    assert "in _fail_deep" in text and "test_diagnostics.py" in text  # the frames
    assert f"the overview tab could not show {WITHHELD}" in text
    assert "job 3f2b9c1e-aa12-4b3c-9d8e-0123456789ab finished in 12 ms" in text
    assert f"HomeStudy {__version__} started" in text


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        (12, True),
        (1.5, True),
        (None, True),
        ("pdf", True),
        ("par_england", True),
        ("ui.views.overview", True),
        ("ValueError", True),
        ("sqlcipher3.DatabaseError", True),
        ("0a1b2c3d4e5f", True),
        ("6.11.3", True),
        ("07700900123", False),
        ("2019-05-14", False),
        ("Hannah", False),
        ("Hannah Mensah", False),
        ("lives with two dogs", False),
        ("/home/jo/Mensah PAR.pdf", False),
        (b"bytes", False),
        (["Hannah"], False),
    ],
)
def test_only_numbers_ids_keys_and_type_names_pass(value: object, kept: bool) -> None:
    assert (safe_arg(value) == value) is kept


def test_the_log_rotates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(diagnostics, "MAX_BYTES", 2_000)
    folder = start_logging(tmp_path / "logs")
    try:
        for n in range(200):
            logging.getLogger("homestudy").info("line %d of the rotation test", n)
    finally:
        stop_logging()
    names = sorted(p.name for p in folder.iterdir())
    assert LOG_NAME in names and f"{LOG_NAME}.1" in names and f"{LOG_NAME}.5" not in names
    assert all(p.stat().st_size <= 2_500 for p in folder.glob(f"{LOG_NAME}*"))


def test_the_default_folder_is_the_user_log_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HOMESTUDY_LOG_DIR", raising=False)
    import platformdirs

    assert diagnostics.log_dir() == Path(platformdirs.user_log_dir("HomeStudy", "HomeStudy"))


def test_a_hard_crash_leaves_its_stack_in_the_crash_log(tmp_path: Path) -> None:
    child = textwrap.dedent(f"""
        import faulthandler, sys
        from pathlib import Path
        from homestudy.diagnostics import start_logging
        start_logging(Path(sys.argv[1]))
        secret = {CANARY!r}
        def render_page(text):
            faulthandler._sigsegv()  # what a crash inside Qt or SQLCipher does
        render_page(secret)
    """)
    folder = tmp_path / "logs"
    done = subprocess.run(
        [sys.executable, "-c", child, str(folder)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode != 0
    crash = (folder / CRASH_NAME).read_text(encoding="utf-8")
    assert "Fatal Python error: Segmentation fault" in crash
    assert "render_page" in crash
    assert "Quillfeather" not in crash and "Quillfeather" not in _log_text(folder)


def test_an_uncaught_exception_is_logged_without_its_message(tmp_path: Path) -> None:
    child = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from homestudy.diagnostics import start_logging
        start_logging(Path(sys.argv[1]))
        raise KeyError({CANARY!r})
    """)
    folder = tmp_path / "logs"
    subprocess.run(
        [sys.executable, "-c", child, str(folder)],
        capture_output=True,
        timeout=60,
        cwd=ROOT,
        check=False,
    )
    text = _log_text(folder)
    assert "CRITICAL homestudy" in text and "uncaught KeyError" in text
    assert "builtins.KeyError (message withheld)" in text
    assert "Quillfeather" not in text


def test_the_report_has_versions_platform_settings_and_the_log_but_no_secrets(
    log_folder: Path,
) -> None:
    logging.getLogger("homestudy.vault").warning("vault integrity check failed; opened read-only")
    settings = AppSettings(
        proxy_url="http://jo:hunter2@proxy.council.example:3128",
        backup_dir="/srv/backups/jo",
        idle_lock_minutes=7,
    )
    report = diagnostic_report(settings, {"HomeStudy": __version__, "Qt": "6.11.3"})
    assert f"HomeStudy: {__version__}" in report and "Qt: 6.11.3" in report
    assert "System: " in report and "Frozen app: no" in report
    assert "idle_lock_minutes: 7" in report and "backup_dir: /srv/backups/jo" in report
    assert "proxy.council.example:3128" in report
    assert "hunter2" not in report and "jo:" not in report
    assert "vault integrity check failed; opened read-only" in report
    assert f"Log folder: {log_folder}" in report
    assert last_log_lines(1)[0].endswith("vault integrity check failed; opened read-only")


def test_the_desktop_app_starts_its_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("PySide6")
    import ui.app
    from homestudy import cli

    monkeypatch.setenv("HOMESTUDY_LOG_DIR", str(tmp_path / "logs"))
    seen = []
    # the window itself is the UI tests' business; here only what main() sets up before it
    monkeypatch.setattr(
        ui.app, "run_app", lambda args: seen.append(diagnostics.current_log_dir()) or 0
    )
    try:
        assert cli.main([]) == 0
    finally:
        stop_logging()
    assert seen == [tmp_path / "logs"]
    assert "started" in (tmp_path / "logs" / LOG_NAME).read_text(encoding="utf-8")
