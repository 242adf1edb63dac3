"""Every case shows its agency: the case list's column and filter, the case header,
linking a case made on the laptop through File > Link case to an agency…, and the
messages an agency sent that could not be applied (File > Messages from the agency…)."""

from __future__ import annotations

from pathlib import Path

from conftest import TEST_KDF, TEST_PASSPHRASE, WAIT_MS
from PySide6.QtCore import Qt
from sync_helpers import enrolment_for, sample_case

from homestudy.agency.home import init_home
from homestudy.demo import build_demo_case
from homestudy.sync.enrolment_flow import enrol
from homestudy.vault import Vault
from ui.views.case_list import AGENCY_COLUMN, ALL_AGENCIES

SHOTS = Path("/tmp/shots")
DEMO = build_demo_case().reference
AGENCIES = ("Northshire Adoption Agency", "Riverside Family Placement")


def _vault_with_two_agencies(tmp_path: Path) -> tuple[Path, list[str]]:
    folder = tmp_path / "vault"
    vault = Vault.create(folder, TEST_PASSPHRASE, kdf=TEST_KDF)
    try:
        vault.cases.save_case(build_demo_case())
        ids = []
        for n, name in enumerate(AGENCIES):
            home = init_home(
                tmp_path / f"agency{n}",
                agency_id=f"AG-{n}",
                name=name,
                inbox_url="http://127.0.0.1:1",
            )
            state = enrol(vault, enrolment_for(home, "http://127.0.0.1:1"))
            ids.append(state.id)
        for n, reference in enumerate((DEMO, "HS-2026-0007")):
            case = sample_case(reference)  # the same reference as the demo: another agency
            case.agency_profile_id = ids[n]
            vault.cases.save_case(case)
    finally:
        vault.close()
    return folder, ids


def _agencies_shown(listing) -> list[tuple[str, str]]:
    proxy = listing.proxy
    return sorted(
        (proxy.index(r, 0).data(), proxy.index(r, AGENCY_COLUMN).data())
        for r in range(proxy.rowCount())
    )


def test_agency_column_filter_header_and_linking(qtbot, make_app, unlock, tmp_path) -> None:
    folder, _ids = _vault_with_two_agencies(tmp_path)
    window, _ctx = make_app(folder)
    window.resize(1280, 800)
    unlock(window)
    listing = window.case_list
    qtbot.waitUntil(lambda: listing.model.rowCount() == 3, timeout=WAIT_MS)
    assert listing.model.headerData(AGENCY_COLUMN, Qt.Orientation.Horizontal) == "Agency"
    assert _agencies_shown(listing) == [
        ("HS-2026-0007", AGENCIES[1]),
        (DEMO, AGENCIES[0]),
        (DEMO, "Not linked to an agency"),
    ]
    filters = [listing.agency_filter.itemText(i) for i in range(listing.agency_filter.count())]
    assert filters == [ALL_AGENCIES, *AGENCIES, "Not linked to an agency"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert window.grab().save(str(SHOTS / "case_list_agency.png"))

    listing.agency_filter.setCurrentText(AGENCIES[0])
    assert _agencies_shown(listing) == [(DEMO, AGENCIES[0])]
    listing.agency_filter.setCurrentText("Not linked to an agency")
    assert _agencies_shown(listing) == [(DEMO, "Not linked to an agency")]

    listing.table.selectRow(0)  # the demo case, made on the laptop
    dialog = window.agency_cases.link_case()
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.agency.count() == 2, timeout=WAIT_MS)
    dialog.agency.setCurrentText(AGENCIES[1])
    with qtbot.waitSignal(dialog.linked, timeout=WAIT_MS):
        dialog.link_button.click()
    listing.agency_filter.setCurrentText(ALL_AGENCIES)
    qtbot.waitUntil(lambda: (DEMO, AGENCIES[1]) in _agencies_shown(listing), timeout=WAIT_MS)
    assert "linked to Riverside" in window.statusBar().currentMessage()

    listing.agency_filter.setCurrentText(AGENCIES[1])
    qtbot.waitUntil(lambda: listing.proxy.rowCount() == 2, timeout=WAIT_MS)
    demo_row = next(
        r for r in range(listing.proxy.rowCount()) if listing.proxy.index(r, 0).data() == DEMO
    )
    listing.table.selectRow(demo_row)
    listing._open_selected()
    qtbot.waitUntil(
        lambda: (
            window.workspace is not None
            and window.workspace.agency.text() == f"Agency: {AGENCIES[1]}"
        ),
        timeout=WAIT_MS,
    )
    assert window.grab().save(str(SHOTS / "case_header_agency.png"))


def test_a_reference_this_agency_already_has_is_not_linked(
    qtbot, make_app, unlock, tmp_path
) -> None:
    folder, _ids = _vault_with_two_agencies(tmp_path)
    window, _ctx = make_app(folder)
    unlock(window)
    listing = window.case_list
    qtbot.waitUntil(lambda: listing.model.rowCount() == 3, timeout=WAIT_MS)
    listing.agency_filter.setCurrentText("Not linked to an agency")
    listing.table.selectRow(0)
    dialog = window.agency_cases.link_case()
    qtbot.waitUntil(lambda: dialog.agency.count() == 2, timeout=WAIT_MS)
    dialog.agency.setCurrentText(AGENCIES[0])  # already has its own HS-2026-0142
    dialog.link_button.click()
    qtbot.waitUntil(lambda: "already has the reference" in dialog.message.text(), timeout=WAIT_MS)
    assert dialog.isVisible()
    dialog.reject()


def test_messages_not_applied_are_listed_with_their_reason(
    qtbot, make_app, unlock, tmp_path
) -> None:
    from homestudy.sync import inbound

    folder, ids = _vault_with_two_agencies(tmp_path)
    vault = Vault.open(folder, TEST_PASSPHRASE, check_integrity=False)
    try:
        with vault.transaction() as conn:
            conn.execute(
                "INSERT INTO agency_messages (message_id, profile_id, sequence, kind, case_id, "
                "case_reference, body, status, reason, received_at) VALUES (?, ?, 1, 'close', "
                "'gone', 'HS-2026-0999', '{}', ?, ?, '2026-12-01T10:00:00+00:00')",
                ("m1", ids[0], inbound.UNAPPLIED, "Case HS-2026-0999 is not on this laptop."),
            )
    finally:
        vault.close()
    window, _ctx = make_app(folder)
    unlock(window)
    dialog = window.agency_cases.show_messages()
    qtbot.waitUntil(lambda: dialog.aside_button.isEnabled(), timeout=WAIT_MS)
    text = dialog.list.item(0).text()
    assert "The case was closed (HS-2026-0999)" in text and "not on this laptop" in text
    dialog.retry_button.click()  # still cannot apply: still listed
    qtbot.waitUntil(lambda: not window.ctx.db.busy, timeout=WAIT_MS)
    qtbot.waitUntil(
        lambda: dialog.list.count() == 1 and dialog.aside_button.isEnabled(), timeout=WAIT_MS
    )
    dialog.aside_button.click()
    qtbot.waitUntil(lambda: dialog.list.item(0).text() == "Nothing is waiting.", timeout=WAIT_MS)
