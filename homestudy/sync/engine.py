"""One sync round, in three phases so the app can keep the vault on its DB thread:

1. ``prepare(vault)``  (vault only): freeze marked cases into bundles; snapshot what
   each agency profile needs to send.
2. ``exchange(plan)``  (network only): register the device if needed, ask the
   inbox once (``poll``: the key list unless unchanged, where the device's chain
   ends, new assignments) and check what it says, then upload waiting bundles in
   sequence order and verify each receipt. An inbox older than the poll is asked
   the three apart (``GET /keys``, ``/status``, ``/assignments``).
3. ``apply(vault, results)`` (vault only): keep receipts (the bundle leaves the
   outbox), count failures with back-off, import assigned cases, note the state.

``sync_round`` does all three on one thread (the command line).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from homestudy.errors import (
    BundleError,
    DeviceRevokedError,
    HomeStudyError,
    InboxRefusedError,
    InboxUnavailableError,
    KeyListError,
    NotFoundError,
    SyncError,
)
from homestudy.model import Case
from homestudy.sync import inbound, outbox, resync
from homestudy.sync.bundle import KIND_ASSIGNMENT, OpenedBundle, open_bundle
from homestudy.sync.client import InboxClient, Poll
from homestudy.sync.enrolment_flow import registration_document
from homestudy.sync.message_format import OpenedMessage, is_message, open_message
from homestudy.sync.outbox import OutboxItem, ProfileState
from homestudy.sync.signed import Receipt, SignedDocument, follow_key_lists, verify_receipt

log = logging.getLogger(__name__)
ClientFactory = Callable[[ProfileState], InboxClient]


@dataclass
class ProfilePlan:
    state: ProfileState
    items: list[OutboxItem]
    blobs: dict[str, bytes] = field(default_factory=dict)  # attachments the agency lacks
    last_message_id: str = ""  # acknowledged with the next fetch of assignments


@dataclass
class ProfileResult:
    state: ProfileState
    registered: bool = False
    revoked: bool = False
    offline: bool = False
    key_list: dict[str, Any] | None = None
    warning: str = ""
    error: str = ""
    receipts: list[tuple[OutboxItem, Receipt, SignedDocument]] = field(default_factory=list)
    failures: list[tuple[OutboxItem, str, bool]] = field(default_factory=list)
    assignments: list[tuple[int, Case]] = field(default_factory=list)
    messages: list[tuple[int, OpenedMessage]] = field(default_factory=list)
    inbox_sequence: dict[str, Any] | None = None  # the inbox is ahead: a restored laptop
    assignments_done: bool = False  # every waiting assignment was collected
    blobs_sent: list[str] = field(default_factory=list)  # the inbox holds them whole now
    rebase: list[OutboxItem] = field(default_factory=list)  # the inbox lacks their base
    blobs_missing: list[OutboxItem] = field(default_factory=list)


@dataclass(frozen=True)
class RoundReport:
    profile_id: str
    agency_name: str
    sent: int
    received_cases: int
    waiting: int
    offline: bool
    revoked: bool
    error: str
    warning: str
    notices: tuple[str, ...] = ()  # what the agency did (a case archived, one not applied)


def prepare(vault: Any, *, force: bool = True) -> list[ProfilePlan]:
    _freeze_marked(vault)
    states = {s.id: s for s in outbox.profiles(vault)}  # sequence numbers moved on
    plans = []
    for s in states.values():
        items = outbox.pending(vault, s.id, force=force)
        plans.append(
            ProfilePlan(
                s,
                items,
                _missing_blobs(vault, s.id, items),
                last_message_id=inbound.cursor(vault, s.id)[1],
            )
        )
    return plans


def _freeze_marked(vault: Any) -> None:
    """Freeze each marked case into its agency's outbox (merging with one waiting)."""
    states = {s.id: s for s in outbox.profiles(vault)}
    for case_id, version in outbox.dirty_cases(vault):
        try:
            case = vault.cases.load_case(case_id)
        except NotFoundError:  # deleted since it was marked
            outbox.clear_dirty(vault, case_id, version)
            continue
        state = states.get(case.agency_profile_id)
        if state is None:
            outbox.clear_dirty(vault, case_id, version)  # not an agency's case (link: marks)
            continue
        since = outbox.replies_sent_up_to(vault, state.id, case.id)
        replies, newest = inbound.replies_member(vault, case.id, since)
        outbox.freeze(vault, state, case, version, extras=replies, replies_at=newest)


def _missing_blobs(vault: Any, profile_id: str, items: list[OutboxItem]) -> dict[str, bytes]:
    """The attachments these bundles need that the agency does not hold yet."""
    sent = outbox.blobs_sent(vault, profile_id)
    wanted = {h for item in items for h, _ in item.blobs} - sent
    found: dict[str, bytes] = {}
    for item in items:
        if not wanted - set(found):
            break
        try:
            case = vault.cases.load_case(item.case_id)
        except NotFoundError:
            continue
        for att in case.attachments:
            if att.sha256 in wanted and att.sha256 not in found:
                found[att.sha256] = vault.cases.read_attachment(case.id, att.id)
    return found


def exchange(plan: ProfilePlan, client: InboxClient) -> ProfileResult:
    state = plan.state
    result = ProfileResult(state=state, registered=state.registered)  # revoked: asked anew
    try:
        if not state.registered:
            client.enrol(registration_document(state))
            result.registered = True
        polled = _poll(state, client, plan.last_message_id)  # None: an older inbox
        _key_list(state, client, result, None if polled is None else polled.key_lists)
        if polled is not None:  # collected before the uploads: one request a round
            _take_assignments(state, polled.assignments, result)
        if plan.items and state.registered:
            result.inbox_sequence = resync.inbox_ahead(
                state, plan.items, client, None if polled is None else polled.status
            )
            if result.inbox_sequence is not None:  # a restored laptop: renumbered in apply
                plan = ProfilePlan(state, [], last_message_id=plan.last_message_id)
        for item in plan.items:
            try:
                _send_blobs(plan, item, client, result)
                doc = client.upload(item.bundle_id, item.data)
                receipt = _verified_receipt(doc, item, _receipt_keys(state, result))
                result.receipts.append((item, receipt, doc))
            except InboxRefusedError as exc:
                if exc.code in ("base_unknown", "change_invalid"):  # send the whole case
                    result.rebase.append(item)
                elif exc.code == "attachment_missing":
                    result.blobs_missing.append(item)
                    result.failures.append((item, exc.message, False))
                else:
                    result.failures.append((item, exc.message, True))
                    result.error = exc.message
            except (InboxUnavailableError, DeviceRevokedError):
                raise
            except SyncError as exc:  # a receipt that does not verify: try again later
                result.failures.append((item, exc.message, False))
                result.error = exc.message
        if polled is None:
            _assignments(state, client, result, plan.last_message_id)
    except DeviceRevokedError as exc:
        result.revoked, result.error = True, exc.message
    except InboxUnavailableError as exc:
        result.offline, result.error = True, exc.message
        done = (
            {r[0].bundle_id for r in result.receipts}
            | {f[0].bundle_id for f in result.failures}
            | {i.bundle_id for i in result.rebase}
        )
        result.failures += [(i, exc.message, False) for i in plan.items if i.bundle_id not in done]
    except HomeStudyError as exc:
        result.error = exc.message
    if result.key_list and not result.assignments_done and _agency_keys(state, result)[1:]:
        # the agency rotated its keys: assignments it signed with the old key may still
        # be waiting, so keep the old key until a round has collected them all
        result.key_list = None
    return result


def apply(vault: Any, result: ProfileResult) -> RoundReport:
    state = result.state
    for item, receipt, doc in result.receipts:
        outbox.record_receipt(vault, item, receipt, doc)
    for item, message, refused in result.failures:
        outbox.record_failure(vault, item, message, refused=refused)
    outbox.mark_blobs_sent(vault, state.id, result.blobs_sent)
    for item in result.blobs_missing:  # the inbox lost or never had them: send again
        outbox.forget_blobs(vault, state.id, [h for h, _ in item.blobs])
    for item in result.rebase:
        outbox.forget_base(vault, state.id, item.case_id)
    if result.rebase:  # the whole case waits now, so the count below says so
        _freeze_marked(vault)
    if result.receipts:
        outbox.reclaim_space(vault)
    imported, notices = 0, []
    if result.inbox_sequence is not None:
        resync.resequence(vault, state.id, result.inbox_sequence)
    for _sequence, opened in result.messages:
        outcome = inbound.receive(vault, state.id, opened)
        imported += bool(outcome and outcome.new_case)
        notices += [outcome.notice] if outcome and outcome.notice else []
    for outcome in inbound.retry(vault, state.id):
        imported += outcome.new_case
        notices += [outcome.notice] if outcome.notice else []
    waiting_messages = len(
        [m for m in inbound.messages(vault, status=inbound.UNAPPLIED) if m.profile_id == state.id]
    )
    if waiting_messages:
        notices.append(
            f"{waiting_messages} message(s) from the agency could not be applied "
            "yet; see Messages from the agency (homestudy messages)."
        )
    for sequence, case in result.assignments:  # the old format, from an older inbox
        case.agency_profile_id = state.id
        clash = _reference_taken(vault, case)
        if clash:
            result.error = (
                "A new case from the agency has the same reference as a different "
                "case already on this laptop, so it was not imported. Ask the agency."
            )
        elif not _case_exists(vault, case.id):
            case.agency_profile_id = state.id
            vault.cases.save_case(case)
            outbox.clear_dirty(vault, case.id)  # the agency has it already
            imported += 1
        outbox.update_profile(vault, state.id, last_assignment_sequence=sequence)
    changes: dict[str, Any] = {
        "registered": int(result.registered),
        "revoked": int(result.revoked),
        "last_error": result.error,
        "last_warning": result.warning,
    }
    if result.key_list is not None:
        changes.update(result.key_list)
    if not result.offline and not result.revoked and not result.error:
        changes["last_synced_at"] = outbox.now_utc().isoformat()
        changes["enrol_token"] = ""  # used: no need to keep it
    outbox.update_profile(vault, state.id, **changes)
    waiting = len(outbox.pending(vault, state.id, force=True))
    return RoundReport(
        state.id,
        state.profile.name,
        len(result.receipts),
        imported,
        waiting,
        result.offline,
        result.revoked,
        result.error,
        result.warning,
        tuple(notices),
    )


def default_client(proxy: str = "") -> ClientFactory:
    return lambda state: InboxClient(state.profile.inbox_url, proxy=proxy)


def sync_round(
    vault: Any, client_factory: ClientFactory | None = None, *, force: bool = True
) -> list[RoundReport]:
    factory = client_factory or default_client()
    reports = []
    for plan in prepare(vault, force=force):
        # a revoked laptop still asks: the agency may have restored it (restore-device)
        try:
            client = factory(plan.state)
        except SyncError as exc:  # an address the laptop will not send to (http://...)
            reports.append(
                apply(
                    vault,
                    ProfileResult(
                        state=plan.state, registered=plan.state.registered, error=exc.message
                    ),
                )
            )
            continue
        with client:
            result = exchange(plan, client)
        report = apply(vault, result)
        if result.inbox_sequence is not None:  # renumbered after a restore: send them now
            again = next(p for p in prepare(vault, force=force) if p.state.id == plan.state.id)
            with factory(again.state) as client:
                report = apply(vault, exchange(again, client))
        reports.append(report)
    return reports


# --------------------------------------------------------------------------- helpers


def _agency_keys(state: ProfileState, result: ProfileResult) -> list[str]:
    """The agency's signing key from this round's key list, then the key trusted before
    it if that differs (assignments and messages signed just before a rotation)."""
    found = [state.agency_signing_public_key]
    if result.key_list and result.key_list.get("agency_signing_public_key"):
        found.insert(0, str(result.key_list["agency_signing_public_key"]))
    return list(dict.fromkeys(found))


def _receipt_keys(state: ProfileState, result: ProfileResult) -> list[str]:
    """The keys a receipt may verify with: the receipt key of this round's key list,
    then the one trusted before it. A list naming no receipt key (an agency set up
    before them) leaves receipts to its signing key. Never a signing key where the list
    names a receipt key: the inbox holds only that one."""
    found = [state.receipt_key]
    if result.key_list and result.key_list.get("agency_signing_public_key"):
        found.insert(
            0,
            str(
                result.key_list.get("agency_receipt_public_key")
                or result.key_list["agency_signing_public_key"]
            ),
        )
    return list(dict.fromkeys(found))


def _verified_receipt(doc: SignedDocument, item: OutboxItem, agency_keys: list[str]) -> Receipt:
    for key in agency_keys[:-1]:
        try:
            return verify_receipt(
                doc, agency_public_key=key, bundle_id=item.bundle_id, sha256=item.sha256
            )
        except SyncError:
            continue
    return verify_receipt(
        doc, agency_public_key=agency_keys[-1], bundle_id=item.bundle_id, sha256=item.sha256
    )


def _send_blobs(
    plan: ProfilePlan, item: OutboxItem, client: InboxClient, result: ProfileResult
) -> None:
    """Upload, chunk by chunk, the attachments this bundle needs that the inbox lacks."""
    for sha, _size in item.blobs:
        data = plan.blobs.get(sha)
        if data is None or sha in result.blobs_sent:
            continue
        client.send_blob(
            plan.state.profile.device_id,
            plan.state.device_signing_secret,
            _agency_recipient(plan.state, result),
            sha,
            data,
        )
        result.blobs_sent.append(sha)


def _agency_recipient(state: ProfileState, result: ProfileResult) -> str:
    if result.key_list and result.key_list.get("agency_age_recipient"):
        return str(result.key_list["agency_age_recipient"])
    return state.agency_age_recipient


def _poll(state: ProfileState, client: InboxClient, last_message_id: str) -> Poll | None:
    """The round's one signed question (key list, status, assignments); None from an
    inbox older than the poll (404), which is then asked the three apart."""
    try:
        return client.poll(
            state.profile.device_id,
            state.device_signing_secret,
            state.key_list_version or None,
            state.last_assignment_sequence,
            last_message_id,
        )
    except InboxRefusedError as exc:
        if exc.status in (404, 405):
            return None
        raise


def _key_list(
    state: ProfileState,
    client: InboxClient,
    result: ProfileResult,
    docs: list[SignedDocument] | None = None,
) -> None:
    """Check the agency's key lists (``docs`` from the poll, else fetched here)."""
    try:
        if docs is None:
            docs = client.key_lists(state.key_list_version or None)
        if not docs:  # the list this laptop holds is still the agency's current one
            result.warning = _expired_warning(state)
            return
        key_list, warning = follow_key_lists(
            docs,
            trusted_public_key=state.agency_signing_public_key,
            agency_id=state.profile.agency_id,
            last_version=state.key_list_version,
        )
    except (KeyListError, InboxRefusedError) as exc:  # keep the keys already trusted; say so
        result.warning = exc.message
        return
    result.warning = warning or ""
    result.key_list = {
        "key_list_version": key_list.version,
        "key_list_expires_at": key_list.expires_at,
        "agency_signing_public_key": key_list.signing_public_key,
        "agency_receipt_public_key": key_list.receipt_public_key,
        "agency_age_recipient": key_list.age_recipient,
    }


def _expired_warning(state: ProfileState) -> str:
    from datetime import datetime

    try:
        expired = datetime.fromisoformat(state.key_list_expires_at) <= outbox.now_utc()
    except (TypeError, ValueError):
        return ""
    return (
        (
            "The agency's key list has expired. Work is still sent, but ask the agency "
            "to publish a new one."
        )
        if expired
        else ""
    )


def _assignments(
    state: ProfileState, client: InboxClient, result: ProfileResult, last_message_id: str = ""
) -> None:
    found = client.assignments(
        state.profile.device_id,
        state.device_signing_secret,
        state.last_assignment_sequence,
        last_message_id,
    )
    _take_assignments(state, found, result)


def _take_assignments(
    state: ProfileState, found: list[dict[str, Any]], result: ProfileResult
) -> None:
    for entry in sorted(found, key=lambda a: int(a["sequence"])):
        try:
            if is_message(entry["data"]):
                message = _opened_message(state, entry["data"], _agency_keys(state, result))
                result.messages.append((message.manifest.sequence, message))
                continue
            opened = _opened_assignment(state, entry["data"], _agency_keys(state, result))
            result.assignments.append((opened.manifest.sequence, opened.case()))
        except BundleError as exc:
            log.warning("assignment bundle refused: check %s", exc.check)
            result.error = (
                f"A new case from the agency failed its checks and was not imported ({exc.check})."
            )
            return  # do not skip past it: the next round tries again
    result.assignments_done = True


def _opened_assignment(state: ProfileState, data: bytes, agency_keys: list[str]) -> OpenedBundle:
    """The assignment opened with the first agency key its signature verifies with."""

    def opened(key: str) -> OpenedBundle:
        return open_bundle(
            data,
            signer_public_key=key,
            identity=state.device_age_identity,
            expected_agency_id=state.profile.agency_id,
            expected_device_id=state.profile.device_id,
            expected_kind=KIND_ASSIGNMENT,
        )

    for key in agency_keys[:-1]:
        try:
            return opened(key)
        except BundleError as exc:
            if exc.check != "signature":
                raise
    return opened(agency_keys[-1])


def _opened_message(state: ProfileState, data: bytes, agency_keys: list[str]) -> OpenedMessage:
    """A message opened with the first agency key its signature verifies with."""
    for key in agency_keys:
        try:
            return open_message(
                data,
                signer_public_key=key,
                identity=state.device_age_identity,
                expected_agency_id=state.profile.agency_id,
                expected_device_id=state.profile.device_id,
            )
        except BundleError as exc:
            if exc.check != "signature" or key == agency_keys[-1]:
                raise
    raise BundleError("No agency key to check the message with.", check="signature")


def _reference_taken(vault: Any, case: Case) -> bool:
    with vault.reading() as conn:
        row = conn.execute(
            "SELECT id FROM cases WHERE reference = ? AND agency_profile_id = ?",
            (case.reference, case.agency_profile_id),
        ).fetchone()
    return row is not None and row[0] != case.id


def _case_exists(vault: Any, case_id: str) -> bool:
    with vault.reading() as conn:
        return conn.execute("SELECT 1 FROM cases WHERE id = ?", (case_id,)).fetchone() is not None


def describe(report: RoundReport) -> str:
    """One line in plain words for the command line and the status bar."""
    if report.revoked:
        return f"{report.agency_name}: {report.error} {report.waiting} waiting."
    if report.offline:
        if report.error and report.error != InboxUnavailableError().message:
            return f"{report.agency_name}: {report.error} {report.waiting} waiting to be sent."
        return f"{report.agency_name}: offline; {report.waiting} waiting to be sent."
    parts = [f"{report.agency_name}: sent {report.sent}"]
    if report.received_cases:
        parts.append(f"received {report.received_cases} new case(s)")
    parts.append(f"{report.waiting} waiting")
    line = ", ".join(parts) + "."
    for extra in (report.error, report.warning, *report.notices):
        if extra:
            line += f" {extra}"
    return line


__all__ = ["RoundReport", "apply", "describe", "exchange", "prepare", "sync_round"]
