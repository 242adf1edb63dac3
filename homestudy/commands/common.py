"""Helpers every subcommand shares: which vault, the passphrase, finding a case.

The passphrase comes from ``$HOMESTUDY_PASSPHRASE`` (scripts and tests) or a prompt
that does not echo; with no terminal at all, from standard input, one line per
answer. Errors are ``HomeStudyError``s; ``fail(exc)`` prints the plain message to
stderr and gives the exit code.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from homestudy.errors import HomeStudyError, NotFoundError, ValidationError
from homestudy.model import Case

if TYPE_CHECKING:
    from homestudy.vault.vault import Vault

PASSPHRASE_ENV = "HOMESTUDY_PASSPHRASE"
VAULT_ENV = "HOMESTUDY_VAULT"


def add_vault_argument(parser: argparse.ArgumentParser) -> None:
    """``--vault`` after the subcommand too (``homestudy demo --vault DIR``)."""
    parser.add_argument(
        "--vault", metavar="DIR", default=argparse.SUPPRESS, help="the vault folder"
    )


def vault_dir(args: argparse.Namespace) -> Path:
    chosen = getattr(args, "vault", None) or os.environ.get(VAULT_ENV)
    if chosen:
        return Path(chosen).expanduser()
    from homestudy.settings import load_settings

    return load_settings().default_vault_dir()


def ask_passphrase(
    prompt: str = "Passphrase: ", *, new: bool = False, env: str = PASSPHRASE_ENV
) -> str:
    """The passphrase from ``env`` or a prompt; a ``new`` one is typed twice and must be
    as long as the app requires (``MIN_PASSPHRASE_LENGTH``)."""
    value = os.environ.get(env)
    if value:
        return _long_enough(value) if new else value
    first = _ask(prompt, env)
    if not first:
        raise ValidationError("The passphrase cannot be empty.", field="passphrase")
    if not new:
        return first
    _long_enough(first)  # said before it is typed again for nothing
    if _ask("Type it again: ", env) != first:
        raise ValidationError("The two passphrases are not the same.", field="passphrase")
    return first


def _ask(prompt: str, env: str) -> str:
    try:
        return _read_secret(prompt)
    except (EOFError, KeyboardInterrupt):
        # No one to ask (a script or CI with no input): say what to do, not a traceback.
        raise ValidationError(
            f"No passphrase was given. Run this in a terminal, or set {env} for scripts.",
            field="passphrase",
        ) from None


_told_no_terminal: list[bool] = []  # the note is said once per run


def _read_secret(prompt: str) -> str:
    """A prompt that does not echo; with no terminal, one line of standard input after a
    plain note (Python's own warning would show its file path to the user)."""
    if _has_terminal():
        return getpass.getpass(prompt)
    if not _told_no_terminal:
        _told_no_terminal.append(True)
        print(
            "homestudy: no terminal is available, so the passphrase is read from standard input.",
            file=sys.stderr,
        )
    print(prompt, end="", file=sys.stderr, flush=True)
    line = sys.stdin.readline() if sys.stdin is not None else ""
    if not line:
        raise EOFError
    return line.removesuffix("\n").removesuffix("\r")


def _has_terminal() -> bool:
    """Whether getpass can hide what is typed: a controlling terminal, or stdin is one."""
    try:
        fd = os.open("/dev/tty", os.O_RDWR | getattr(os, "O_NOCTTY", 0))
    except OSError:
        return sys.stdin is not None and sys.stdin.isatty()
    os.close(fd)
    return True


def _long_enough(passphrase: str) -> str:
    from homestudy.vault.keys import MIN_PASSPHRASE_LENGTH

    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        raise ValidationError(
            f"The passphrase needs at least {MIN_PASSPHRASE_LENGTH} characters. Three or "
            "four ordinary words you will remember make a strong one.",
            field="passphrase",
        )
    return passphrase


RESTORE_HINT = (
    "To put your cases back from a backup: homestudy restore BACKUP-FILE (the damaged "
    "vault is kept beside the restored one)."
)
DAMAGED_READ_WARNING = (
    "Warning: the vault failed its integrity check, so it is open read-only and nothing "
    "will be changed in it. What can still be read is shown."
)


def existing_vault_dir(args: argparse.Namespace) -> Path:
    """The vault folder ``args`` chooses, which must exist (before any prompt)."""
    from homestudy.errors import NotAVaultError

    folder = vault_dir(args)
    if not folder.exists():
        raise NotAVaultError(
            f"There is no HomeStudy vault in {folder}. Create one with "
            "'homestudy demo' or by starting the app."
        )
    return folder


def open_vault(
    args: argparse.Namespace,
    read_only: bool = False,
    *,
    for_writing: bool | None = None,
    passphrase: str | None = None,
) -> Any:
    """The vault chosen by ``args``, unlocked and checked (the caller closes it).

    The page check (``cipher_integrity_check``) runs before the command does anything;
    SQLite's slower structural check carries on behind it. A command that writes
    is refused on a damaged vault (nothing is written into it); a command that only
    reads goes on, read-only, after a warning. ``for_writing`` defaults to
    ``not read_only``; ``cases`` opens writable (an old vault is upgraded) but only
    reads. A folder that cannot be written is opened read-only for a reading command.
    ``passphrase`` is asked for unless given (``passwd`` asks for the current one first).
    """
    from homestudy.errors import StorageReadOnlyError, VaultDamagedError
    from homestudy.vault import Vault

    writes = (not read_only) if for_writing is None else for_writing
    folder = existing_vault_dir(args)
    if passphrase is None:
        passphrase = ask_passphrase()
    try:
        vault = Vault.open(folder, passphrase, read_only=read_only)
    except StorageReadOnlyError:
        if writes or read_only:
            raise
        vault = Vault.open(folder, passphrase, read_only=True)
    try:  # every page's HMAC: any damage on disk shows here, in a fraction of a second
        problems = vault.page_check_future.result()
    except BaseException:
        vault.close()
        raise
    if problems:
        if writes:
            vault.close()
            raise VaultDamagedError()
        print(f"homestudy: {DAMAGED_READ_WARNING}", file=sys.stderr)
        print(f"homestudy: {RESTORE_HINT}", file=sys.stderr)
    return vault


def run_in_vault(args: argparse.Namespace, work: Callable[[Vault], int]) -> int:
    """``work``'s exit status on the vault ``args`` chooses, closed after. Every failure
    is one plain line: 2 when the vault cannot be opened, 1 when ``work`` fails."""
    try:
        vault = open_vault(args)
    except HomeStudyError as exc:
        return fail(exc, 2)
    try:
        return work(vault)
    except HomeStudyError as exc:
        return fail(exc)
    finally:
        vault.close()


def find_case(vault: Vault, ref: str) -> Case:
    """A case by its household reference, or by its id."""
    try:
        return vault.cases.find_by_reference(ref)
    except NotFoundError:
        pass
    try:
        return vault.cases.load_case(ref)
    except NotFoundError:
        raise NotFoundError(f"There is no case with the reference {ref}.") from None


def read_case(args: argparse.Namespace) -> Case:
    """The case ``args.reference`` names, read from the chosen vault (closed again)."""
    vault = open_vault(args, read_only=True)
    try:
        return find_case(vault, args.reference)
    finally:
        vault.close()


UNEXPECTED = (
    "Something unexpected went wrong ({name}). Nothing already saved has been lost. If "
    "this keeps happening, tell your IT team what you were doing."
)


def fail(exc: HomeStudyError, code: int = 1) -> int:
    """Print the plain message (and, for a damaged vault, how to restore it)."""
    from homestudy.vault.storage import DAMAGE_ERRORS

    print(f"homestudy: {exc.message}", file=sys.stderr)
    if isinstance(exc, DAMAGE_ERRORS):
        print(f"homestudy: {RESTORE_HINT}", file=sys.stderr)
    return code


def fail_unexpected(exc: BaseException) -> int:
    """The last safety net: a plain sentence, never a traceback (which may quote case
    text); disk errors still get their own message."""
    if isinstance(exc, HomeStudyError):
        return fail(exc)
    if isinstance(exc, OSError):
        from homestudy.vault.storage import from_os_error

        known = from_os_error(exc)
        if known is not None:
            return fail(known)
    print(f"homestudy: {UNEXPECTED.format(name=type(exc).__name__)}", file=sys.stderr)
    return 70  # EX_SOFTWARE
