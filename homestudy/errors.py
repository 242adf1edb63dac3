"""Every error HomeStudy raises on purpose, in one tree.

Each carries a plain-English ``message`` that the UI can show a social worker
as it is, and never contains case content (names, narrative text).

    HomeStudyError
    ├── VaultError                     the encrypted local store
    │   ├── WrongPassphraseError       the passphrase does not unwrap the key
    │   ├── KeyringEntryMissingError   the device secret is not in the OS keyring
    │   ├── NotAVaultError             the folder or file is not a HomeStudy vault
    │   │   └── VaultDamagedError      the database is damaged (restore from a backup)
    │   ├── VaultTooNewError           made by a newer HomeStudy (known, unsupported)
    │   ├── UnknownFormatError         a header/format version we have never heard of
    │   │   └── UnsafeKdfError         stored key-derivation settings out of bounds
    │   ├── VaultLockedError           used after lock(); unlock first
    │   ├── VaultExistsError           create() over an existing vault
    │   ├── ReadOnlyVaultError         a write while the vault is read-only
    │   │   ├── IntegrityError         cipher_integrity_check/integrity_check failed
    │   │   └── StorageReadOnlyError   the folder or disk cannot be written to
    │   ├── StorageFullError           the disk is full; nothing was half-written
    │   ├── StorageUnavailableError    the files could not be read or written (I/O)
    │   └── AuditChainError            the audit trail's hash chain is broken
    ├── NotFoundError                  a case, section, visit ... that does not exist
    ├── ValidationError                a value the model refuses (with the field)
    ├── FormDefinitionError            a malformed form YAML (file, line, key)
    ├── ExportError                    a PAR/record export could not be written
    │   ├── UnreviewedPassagesError    the applicants' copy has flagged passages to review
    │   └── ExportExistsError          the chosen file exists (never silently replaced)
    ├── SyncError                      bundles, enrolment, the inbox
    │   ├── BundleError                a bundle failed verification (says which check)
    │   ├── EnrolmentError             a bad or used enrolment file / token
    │   ├── DeviceRevokedError         the agency has revoked this device
    │   ├── KeyListError               the agency's signed key list is bad or stale
    │   ├── InboxRefusedError          the inbox refused on the merits (4xx): .status .code
    │   └── InboxUnavailableError      no connection, or the inbox answered 5xx
    └── AgencyError                    the agency inbox service (server side)
"""

from __future__ import annotations


class HomeStudyError(Exception):
    """Base of every deliberate HomeStudy error."""

    default_message = "Something went wrong."

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)


class VaultError(HomeStudyError):
    default_message = "The encrypted store could not be used."


class WrongPassphraseError(VaultError):
    default_message = "That passphrase is not right. Check Caps Lock and try again."


class KeyringEntryMissingError(VaultError):
    default_message = (
        "This vault needs a secret kept in this computer's keyring, and it is not there. "
        "It may have been copied from another computer or user account. Restore it from "
        "a backup on this account, or ask your IT team."
    )


class NotAVaultError(VaultError):
    default_message = "This is not a HomeStudy vault, or the file is damaged."


class VaultDamagedError(NotAVaultError):
    default_message = (
        "The vault's database is damaged, so HomeStudy cannot use it safely. Nothing has "
        "been changed in it. Restore your cases from a backup; the damaged vault is kept "
        "beside the restored one for your IT team."
    )


class VaultTooNewError(VaultError):
    default_message = (
        "This vault was made by a newer version of HomeStudy. Update HomeStudy to open it."
    )


class UnknownFormatError(VaultError):
    default_message = "This file is in a format HomeStudy does not recognise."


class UnsafeKdfError(UnknownFormatError):
    default_message = (
        "The vault's key settings (in vault.json) are outside the range HomeStudy accepts, "
        "so the file has been damaged or altered. Nothing has been changed. Restore from a "
        "backup, or ask your IT team."
    )


class VaultLockedError(VaultError):
    default_message = "The vault is locked. Unlock it with your passphrase."


class VaultExistsError(VaultError):
    default_message = "A vault already exists here."


class ReadOnlyVaultError(VaultError):
    default_message = "The vault is open read-only, so changes cannot be saved."


class IntegrityError(ReadOnlyVaultError):
    default_message = (
        "The vault failed its integrity check. It has been opened read-only; "
        "restore from a backup to carry on editing."
    )


class StorageReadOnlyError(ReadOnlyVaultError):
    default_message = (
        "HomeStudy cannot write to the vault's folder: the disk is read-only, or you do not "
        "have permission to change it. Nothing has been changed. Ask your IT team to check "
        "the folder, or move the vault to a folder you can write to."
    )


class StorageFullError(VaultError):
    default_message = (
        "The disk is full, so the last change was not saved. Free some space and try again; "
        "nothing already saved has been lost."
    )


class StorageUnavailableError(VaultError):
    default_message = (
        "HomeStudy could not read or write the vault's files. If the vault is on a network "
        "drive or a USB stick, check it is connected, then try again. Nothing already saved "
        "has been lost."
    )


class AuditChainError(VaultError):
    default_message = "The audit trail has been altered or damaged."


class NotFoundError(HomeStudyError):
    default_message = "That record could not be found."


class ValidationError(HomeStudyError):
    default_message = "That value is not valid."

    def __init__(self, message: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class FormDefinitionError(HomeStudyError):
    default_message = "A form definition is not valid."

    def __init__(
        self,
        message: str | None = None,
        *,
        file: str | None = None,
        line: int | None = None,
        key: str | None = None,
    ) -> None:
        self.file, self.line, self.key = file, line, key
        where = ":".join(str(p) for p in (file, line) if p is not None)
        detail = f"{where}: " if where else ""
        if key:
            detail += f"[{key}] "
        super().__init__(detail + (message or self.default_message))


class ExportError(HomeStudyError):
    default_message = "The export could not be written."


class UnreviewedPassagesError(ExportError):
    """The applicants' copy would show passages that name a referee, a former partner or
    a household member, or quote an interview, that the worker has not reviewed.

    ``sections``: (section id, title, how many) in form order; ``first_target``: where
    to open the first passage (``par:<section id>/passage:<key>``)."""

    def __init__(self, sections: list[tuple[str, str, int]], first_target: str) -> None:
        self.sections = sections
        self.first_target = first_target
        self.count = sum(n for _, _, n in sections)
        shown = [f"\u201c{title}\u201d ({n})" for _, title, n in sections[:3]]
        if len(sections) > 3:
            shown.append(f"{len(sections) - 3} more")
        where = ", ".join(shown[:-1]) + " and " + shown[-1] if len(shown) > 1 else shown[0]
        one = self.count == 1
        super().__init__(
            f"The applicants' copy cannot be exported yet. {self.count} "
            f"{'passage names' if one else 'passages name'} a referee, a former partner or "
            f"a household member, or {'quotes' if one else 'quote'} an interview, in "
            f"{len(sections)} section{'s' if len(sections) != 1 else ''}: {where}. Review "
            "each one in the PAR editor: reword it, move it to the confidential references, "
            "or record that it may be shared."
        )


class ExportExistsError(ExportError):
    default_message = (
        "A file of that name is already there. Choose another name, or say that it may be replaced."
    )


class SyncError(HomeStudyError):
    default_message = "Sending to the agency did not work."


class BundleError(SyncError):
    default_message = "The bundle failed verification."

    def __init__(self, message: str | None = None, check: str | None = None) -> None:
        super().__init__(message)
        self.check = check


class EnrolmentError(SyncError):
    default_message = "The enrolment file is not valid or has already been used."


class DeviceRevokedError(SyncError):
    default_message = (
        "The agency has withdrawn this laptop's access. Your unsent work is kept safely. "
        "If this was a mistake, the agency can restore the laptop (homestudy-agency "
        "restore-device); otherwise ask for a new enrolment file and enrol again "
        "(homestudy enrol FILE); your cases carry on under the new enrolment."
    )


class KeyListError(SyncError):
    default_message = "The agency's key list could not be trusted."


class InboxRefusedError(SyncError):
    default_message = "The agency's inbox refused it."

    def __init__(self, status: int = 400, code: str = "", message: str | None = None) -> None:
        super().__init__(f"The agency's inbox refused it: {message}" if message else None)
        self.status, self.code = status, code


class InboxUnavailableError(SyncError):
    """Nothing was sent this time; the work waits and goes later. Each cause has its
    own subclass so the sync status can say what is wrong in plain words."""

    default_message = "The agency cannot be reached just now. Your work will be sent later."
    kind = "offline"


class InboxNameError(InboxUnavailableError):
    default_message = (
        "The agency's inbox address could not be found (a DNS problem, or no "
        "network). Your work will be sent later."
    )
    kind = "dns"


class InboxCertificateError(InboxUnavailableError):
    default_message = (
        "The agency's inbox did not show a certificate this laptop trusts, so "
        "nothing was sent. Ask your IT team to check the certificate."
    )
    kind = "certificate"


class InboxProxyError(InboxUnavailableError):
    default_message = (
        "The proxy server in the settings did not let the connection through. "
        "Check the proxy setting or ask your IT team. Your work will be sent "
        "later."
    )
    kind = "proxy"


class InboxServerError(InboxUnavailableError):
    default_message = (
        "The agency's inbox has a problem just now (a server error). Your work will be sent later."
    )
    kind = "server"


class InboxDatabaseError(InboxUnavailableError):
    default_message = (
        "The agency's inbox is running but cannot reach its database. Your work "
        "will be sent later; the agency may need to know."
    )
    kind = "database"


class AgencyError(HomeStudyError):
    default_message = "The agency inbox could not process the request."
