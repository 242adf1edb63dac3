"""``homestudy-agency protect-key``: protect an older agency folder's plain key files.

Each plain file is replaced, atomically, by its protected form (age passphrase for
agency.key, minisign's password for agency-sign.key and agency-receipt.key), after the
protected form has been read back with the passphrase and found to hold the same keys.
A rotation file left mid-rotation is protected too. The plain bytes may survive in free
disk blocks: on an unencrypted disk, move the folder to an encrypted volume or replace
the disk's keys by rotating them (``rotate-keys``) after protecting.
"""

from __future__ import annotations

from pathlib import Path

from homestudy.agency import keystore
from homestudy.agency.home import RECEIPT_KEY, SIGN_KEY, AgencyHome, _key_lines
from homestudy.atomic import write_atomic
from homestudy.errors import AgencyError
from homestudy.sync import keys


def protect_home(path: Path, passphrase: str | None = None) -> list[str]:
    """Protect what is plain; the names of the files protected (empty: nothing to do)."""
    home = AgencyHome(path)  # reads the settings: refuses a folder with no agency
    state = home.protected()
    plain = [name for name, ok in state.items() if not ok and (home.path / name).exists()]
    pending = home.path / "rotation.pending"
    if pending.exists() and not keystore.is_protected_identity_file(pending.read_bytes()):
        plain.append(pending.name)
    if not plain:
        return []
    if passphrase is None:
        passphrase = keystore.find_passphrase(prompt=True, confirm=True)
    if passphrase is None:
        raise AgencyError(
            "protect-key needs a passphrase: run it in a terminal, or set "
            f"${keystore.PASSPHRASE_ENV} or ${keystore.PASSPHRASE_FILE_ENV}."
        )
    keystore.check_new_passphrase(passphrase)
    for name in plain:
        target = home.path / name
        raw = target.read_bytes()
        if name in (SIGN_KEY, RECEIPT_KEY):
            secret = _key_lines(raw, name)[0]
            stored = keys.secret_key_file(keystore.protect_signing_key(secret, passphrase))
            back = keystore.unprotect_signing_key(_key_lines(stored, name)[0], passphrase)
            same = keys.signing_public_key(back) == keys.signing_public_key(secret)
        else:
            stored = keystore.protect_identity_file(raw, passphrase)
            same = keystore.unprotect_identity_file(stored, passphrase) == raw
        if not same:
            raise AgencyError(
                f"Protecting {name} did not read back the same key; nothing was changed for it."
            )
        write_atomic(target, stored)
    return plain
