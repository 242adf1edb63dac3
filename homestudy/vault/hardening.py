"""Keep the process's memory out of crash dumps and away from other programs.

Python keeps a case's text in ordinary objects while it is open, so a core dump (or a
crash report) of HomeStudy would hold it in plaintext, written to disk by the system.
``harden_process`` is called once by each entry point (the ``homestudy`` command and
the app) before any vault is opened:

- POSIX: ``RLIMIT_CORE`` soft and hard limits 0, so no core file is ever written (the
  hard limit cannot be raised again without privilege).
- Linux: ``prctl(PR_SET_DUMPABLE, 0)`` as well. That also stops the kernel's core
  handler (``core_pattern`` pipes such as systemd-coredump or apport ignore
  RLIMIT_CORE) and stops other programs of the same user from attaching with ptrace or
  reading ``/proc/<pid>/mem``. What it costs: a debugger cannot attach to a running
  HomeStudy; the process can still read its own ``/proc/self``.
- macOS: the rlimit; ``ptrace(PT_DENY_ATTACH)`` is left out (it breaks the system's
  crash reporter and debugging without keeping more out of dumps than the rlimit).
- Windows: ``SetErrorMode`` so a crash shows no Windows Error Reporting dialog, and
  ``WerAddExcludedApplication`` for the frozen app's executable (this user), so WER
  does not collect a report or a dump of it (not for ``python.exe`` in development).
  A machine-wide LocalDumps policy set by IT still applies; that is IT's choice.

``ENABLED`` is False only in the memory benchmark's measured child process, which must
stay readable to show what a dump would hold.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import logging
import os
import sys
from dataclasses import dataclass

log = logging.getLogger(__name__)

ENABLED = True
PR_SET_DUMPABLE, PR_GET_DUMPABLE = 4, 3
SEM_FAILCRITICALERRORS, SEM_NOGPFAULTERRORBOX = 0x0001, 0x0002


@dataclass(frozen=True)
class Hardening:
    """What ``harden_process`` managed to switch on (for the self-test and logs)."""

    core_limit_zero: bool = False
    not_dumpable: bool = False
    windows_error_reporting_off: bool = False

    @property
    def summary(self) -> str:
        done = [
            name
            for name, on in (
                ("core dumps off (RLIMIT_CORE 0)", self.core_limit_zero),
                ("not dumpable or traceable (PR_SET_DUMPABLE 0)", self.not_dumpable),
                ("Windows Error Reporting off for HomeStudy", self.windows_error_reporting_off),
            )
            if on
        ]
        return "; ".join(done) or "no crash-dump protection available on this system"


_applied: Hardening | None = None


def harden_process() -> Hardening:
    """Switch off crash dumps for this process (once; later calls return the result)."""
    global _applied
    if _applied is not None:
        return _applied
    if not ENABLED:
        return Hardening()
    result = Hardening(
        core_limit_zero=_core_limit_zero(),
        not_dumpable=_not_dumpable() if sys.platform.startswith("linux") else False,
        windows_error_reporting_off=_windows_no_reports() if os.name == "nt" else False,
    )
    _applied = result
    log.info("process hardening: %s", result.summary)
    return result


def _core_limit_zero() -> bool:
    try:
        import resource
    except ImportError:  # Windows
        return False
    try:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (OSError, ValueError):
        return False
    return resource.getrlimit(resource.RLIMIT_CORE) == (0, 0)


def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name, use_errno=True) if name else ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None


def _not_dumpable() -> bool:
    libc = _libc()
    if libc is None or not hasattr(libc, "prctl"):
        return False
    if libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
        return False
    return bool(libc.prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 0)


def is_dumpable() -> bool | None:
    """Linux: whether the kernel would dump or let others trace us (None elsewhere)."""
    if not sys.platform.startswith("linux"):
        return None
    libc = _libc()
    return None if libc is None else bool(libc.prctl(PR_GET_DUMPABLE, 0, 0, 0, 0))


def _windows_no_reports() -> bool:  # pragma: no cover - runs on Windows only
    ok = False
    with contextlib.suppress(Exception):
        kernel32 = ctypes.WinDLL("kernel32")  # type: ignore[attr-defined]
        previous = kernel32.GetErrorMode()
        kernel32.SetErrorMode(previous | SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX)
        ok = True
    if not getattr(sys, "frozen", False):
        return ok  # python.exe: excluding it would hide every Python program's crashes
    with contextlib.suppress(Exception):
        wer = ctypes.WinDLL("wer")  # type: ignore[attr-defined]
        exe = os.path.basename(sys.executable)
        # S_OK is 0; False: for this user only (the machine-wide list needs admin)
        ok = wer.WerAddExcludedApplication(ctypes.c_wchar_p(exe), False) == 0 and ok
    return ok
