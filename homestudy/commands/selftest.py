"""``homestudy --self-test``: check an installation end to end, for IT after deployment.

Each check runs on its own and reports ``ok`` or ``FAILED`` with a reason, so one
fault does not hide the others; the exit status is 0 only if every check passed.
The case used is the fictional demo case. It is written only to a vault in a fresh
temporary folder (under ``$TMPDIR`` if set) that is deleted afterwards; the exports
are rendered in memory and never written to disk.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from homestudy import __version__
from homestudy.errors import HomeStudyError

if TYPE_CHECKING:
    from homestudy.model import Case

# Long enough for the vault's passphrase rules; used only for the throwaway vault.
SELFTEST_PASSPHRASE = "self-test: correct horse battery staple"
# A fixed day, so every run checks the same demo case and the same bank holiday.
_TODAY = date(2026, 11, 22)


class Scratch:
    """The check's temporary folder: made on first use, removed by ``cleanup``."""

    def __init__(self, parent: Path | None) -> None:
        self._parent = parent
        self._root: Path | None = None

    def folder(self, name: str) -> Path:
        if self._root is None:
            parent = self._parent
            if parent is None and os.environ.get("TMPDIR"):
                # Honour $TMPDIR strictly: Python would quietly fall back to /tmp,
                # hiding the misconfiguration this check exists to find.
                parent = Path(os.environ["TMPDIR"])
            try:
                self._root = Path(tempfile.mkdtemp(prefix="homestudy-selftest-", dir=parent))
            except OSError as exc:
                where = parent or Path(tempfile.gettempdir())
                raise RuntimeError(
                    f"cannot make a temporary folder in {where} ({exc.strerror or exc})"
                ) from exc
        path = self._root / name
        path.mkdir()
        return path

    @property
    def root(self) -> Path | None:
        return self._root

    def cleanup(self) -> None:
        if self._root is not None:
            shutil.rmtree(self._root, ignore_errors=True)


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str
    millis: float


Check = tuple[str, Callable[[Scratch], str]]


def _demo_case() -> Case:
    from homestudy.demo import build_demo_case

    return build_demo_case(_TODAY)


# --------------------------------------------------------------------------- the checks


def check_forms(scratch: Scratch) -> str:
    from homestudy.forms import load_library

    lib = load_library()
    return f"{len(lib.form_ids)} forms, PAR with {len(lib.par.sections)} sections"


def check_vault(scratch: Scratch) -> str:
    from homestudy.about import sqlcipher_version
    from homestudy.vault import Vault
    from homestudy.vault.keys import delete_device_secret

    folder = scratch.folder("vault") / "vault"
    case = _demo_case()
    vault = Vault.create(folder, SELFTEST_PASSPHRASE)
    vault_id = vault.vault_id
    try:
        try:
            keyring = vault.keyring_protected
            vault.cases.save_case(case)
        finally:
            vault.close()
        vault = Vault.open(folder, SELFTEST_PASSPHRASE, check_integrity=False)
        try:
            _compare(case, vault.cases.load_case(case.id))
            problems = vault.check_integrity()
            if problems:
                raise RuntimeError(f"integrity check: {problems[0]}")
        finally:
            vault.close()
    finally:
        delete_device_secret(vault_id)  # the throwaway vault's secret leaves the OS keyring
    if any(word in (folder / _db_file(folder)).read_bytes() for word in (b"Whitfield", b"Mensah")):
        raise RuntimeError("the vault file holds case text in plain; it is not encrypted")
    protection = "passphrase and keyring" if keyring else "passphrase only (no keyring)"
    return f"SQLCipher {sqlcipher_version()}; {protection}"


def _compare(written: object, read: object) -> None:
    from homestudy.model import Case

    assert isinstance(written, Case) and isinstance(read, Case)
    if read.reference != written.reference or len(read.visits) != len(written.visits):
        raise RuntimeError("the case read back differs from the case written")
    if read.section("health").text != written.section("health").text:
        raise RuntimeError("a PAR section read back differs from the one written")


def _db_file(folder: Path) -> str:
    files = sorted(folder.glob("*.db")) or sorted(p for p in folder.iterdir() if p.is_file())
    return max(files, key=lambda p: p.stat().st_size).name


def check_pdf(scratch: Scratch) -> str:
    from homestudy.commands import selftest_render

    data = selftest_render.pdf_bytes(_demo_case())
    if not data.startswith(b"%PDF-"):
        raise RuntimeError("the PDF writer did not produce a PDF")
    pages = data.count(b"/Type /Page") - data.count(b"/Type /Pages")
    return f"{len(data) // 1024} KB, {max(pages, 1)} page(s), in memory"


def check_docx(scratch: Scratch) -> str:
    import io

    import docx

    from homestudy.commands import selftest_render

    data = selftest_render.docx_bytes(_demo_case())
    document = docx.Document(io.BytesIO(data))
    words = sum(len(p.text.split()) for p in document.paragraphs)
    if words == 0:
        raise RuntimeError("the .docx has no text")
    return f"{len(data) // 1024} KB, {words} words, in memory"


def check_bundle(scratch: Scratch) -> str:
    from homestudy.commands import selftest_render

    return selftest_render.bundle_round_trip(_demo_case(), scratch)


def check_workdays(scratch: Scratch) -> str:
    from homestudy.workdays import add_working_days, bank_holiday_name, is_working_day

    christmas = date(2026, 12, 25)
    if is_working_day(christmas) or not bank_holiday_name(christmas):
        raise RuntimeError("England's bank holidays are missing (holidays data not found)")
    # Boxing Day 2026 is a Saturday, so Monday 28 Dec is the substitute bank holiday.
    after = add_working_days(date(2026, 12, 24), 1)
    if after != date(2026, 12, 29):
        raise RuntimeError(f"the next working day after 24 Dec 2026 came out as {after}")
    return "the next working day after 24 Dec 2026 is 29 Dec 2026"


def check_dictionary(scratch: Scratch) -> str:
    from homestudy.resources import resource_path

    path = resource_path("dictionary", "en_GB.txt")
    if not path.is_file():
        raise RuntimeError(f"the UK English dictionary is missing ({path})")
    words = {w.lower() for w in path.read_text(encoding="utf-8").split()}
    if "colour" not in words or "color" in words:
        raise RuntimeError("the dictionary is not the UK English one")
    if importlib.util.find_spec("spellchecker") is None:
        return f"{len(words)} words (spell checker not installed)"
    from spellchecker import SpellChecker

    checker = SpellChecker(language=None, distance=1)
    checker.word_frequency.load_words(sorted(words))
    if checker.unknown(["behaviour", "behavior"]) != {"behavior"}:
        raise RuntimeError("the spell checker does not know UK spellings")
    return f"{len(words)} words; the spell checker flags US spellings"


def check_qt(scratch: Scratch) -> str:
    if importlib.util.find_spec("PySide6") is None and not getattr(sys, "frozen", False):
        return "not installed (command-line only install)"
    # Like `homestudy` starting the app, the self-test reaches into ui only on request.
    selfcheck = importlib.import_module("ui.selfcheck")
    return str(selfcheck.check_qt())


def check_app_window(scratch: Scratch) -> str:
    if importlib.util.find_spec("PySide6") is None and not getattr(sys, "frozen", False):
        return "not installed (command-line only install)"
    selfcheck = importlib.import_module("ui.selfcheck")
    # A folder that is never created: the first-run screen only looks for a vault there.
    nowhere = Path(tempfile.gettempdir()) / f"homestudy-selftest-{os.getpid()}-no-vault"
    return str(selfcheck.check_app_window(nowhere))


CHECKS: tuple[Check, ...] = (
    ("Form definitions load", check_forms),
    ("Encrypted vault: write and read a case", check_vault),
    ("PDF export (one page)", check_pdf),
    ("Word .docx export (one page)", check_docx),
    ("Sync bundle: build, sign, encrypt and verify", check_bundle),
    ("Working days and bank holidays", check_workdays),
    ("UK English dictionary", check_dictionary),
    ("Desktop libraries (Qt)", check_qt),
    ("App window opens", check_app_window),
)


# --------------------------------------------------------------------------- running


def _reason(exc: BaseException) -> str:
    if isinstance(exc, HomeStudyError):
        return exc.message
    text = str(exc) or type(exc).__name__
    return text if isinstance(exc, RuntimeError) else f"{type(exc).__name__}: {text}"


def run_checks(
    checks: Sequence[Check] = CHECKS, temp_parent: Path | None = None, out: TextIO | None = None
) -> list[CheckResult]:
    """Run every check, print a line for each, remove the temporary folder."""
    out = out or sys.stdout
    scratch = Scratch(temp_parent)
    width = max(len(name) for name, _ in checks) + 2
    results = []
    try:
        for name, check in checks:
            start = time.perf_counter()
            try:
                detail, ok = check(scratch), True
            except Exception as exc:  # a self-test reports every fault, whatever it is
                detail, ok = _reason(exc), False
            millis = (time.perf_counter() - start) * 1000
            results.append(CheckResult(name, ok, detail, millis))
            status = f"ok ({detail})" if ok else f"FAILED: {detail}"
            print(f"  {name:.<{width}} {status} [{millis:.0f} ms]", file=out, flush=True)
    finally:
        scratch.cleanup()
    return results


def run(args: argparse.Namespace | None = None) -> int:
    print(f"HomeStudy {__version__} self-test", flush=True)
    results = run_checks()
    failed = [r for r in results if not r.ok]
    if failed:
        print(
            f"{len(failed)} of {len(results)} checks FAILED: " + ", ".join(r.name for r in failed)
        )
        return 1
    print(f"All {len(results)} checks passed.")
    return 0
