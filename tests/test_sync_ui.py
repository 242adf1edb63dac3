"""The "Add agency" dialog and the sync status widget, driven offscreen against the
real inbox process: enrol from a file, sync now, a new case arrives, plain messages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import TEST_KDF, TEST_PASSPHRASE
from PySide6.QtCore import Qt
from sync_helpers import enrolment_for, make_agency, running_inbox, sample_case

from homestudy.agency.assign import assign_case, devices_of
from homestudy.agency.home import AgencyHome
from homestudy.settings import AppSettings
from homestudy.vault import Vault
from ui.context import AppContext, make_context
from ui.views.agency_dialog import AgencyDialog
from ui.widgets.sync_status import SyncStatusWidget

WAIT = 15_000


@pytest.fixture
def agency(tmp_path: Path) -> Iterator[tuple[AgencyHome, str]]:
    with running_inbox(tmp_path / "agency") as (home, server):
        yield home, server.url


@pytest.fixture
def ctx(qtbot, tmp_path: Path) -> Iterator[AppContext]:
    folder = tmp_path / "vault"
    Vault.create(folder, TEST_PASSPHRASE, kdf=TEST_KDF).close()
    context = make_context(AppSettings(), folder)
    opened: list[object] = []
    context.db.open_vault(folder, TEST_PASSPHRASE, opened.append, opened.append)
    qtbot.waitUntil(lambda: bool(opened), timeout=WAIT)
    assert opened == [False]  # passphrase-only in tests, and no error
    try:
        yield context
    finally:
        context.shutdown()


def test_add_agency_sync_and_receive_a_case(qtbot, tmp_path, agency, ctx) -> None:
    home, url = agency
    widget = SyncStatusWidget(ctx, auto=False)
    qtbot.addWidget(widget)
    with qtbot.waitSignal(widget.refreshed, timeout=WAIT) as shown:
        widget.refresh()
    assert shown.args[0] == []
    assert not widget.sync_button.isEnabled()  # nothing to sync with yet

    enrolment = tmp_path / "enrol.json"
    enrolment.write_bytes(enrolment_for(home, url).to_json())
    dialog = AgencyDialog(ctx, widget)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.enrol_button.isEnabled()
    with qtbot.waitSignal(dialog.checked, timeout=WAIT):
        dialog.choose_file(enrolment)
    assert dialog.agency_label.text() == "Test Adoption Agency"
    assert dialog.assessor_label.text() == "Sam Assessor"
    with qtbot.waitSignal(dialog.enrolled, timeout=WAIT):
        qtbot.mouseClick(dialog.enrol_button, Qt.MouseButton.LeftButton)
    # the dialog registered the laptop itself; the widget redraws on its own
    qtbot.waitUntil(
        lambda: "last synced" in "".join(label.text() for label in widget.labels.values()),
        timeout=WAIT,
    )
    assert not dialog.isVisible()
    assert widget.sync_button.isEnabled()

    with qtbot.waitSignal(widget.synced, timeout=WAIT) as round_one:
        qtbot.mouseClick(widget.sync_button, Qt.MouseButton.LeftButton)
    (report,) = round_one.args[0]
    assert not report.error and not report.offline
    qtbot.waitUntil(lambda: len(widget.labels) == 1, timeout=WAIT)

    db = home.database(pool_size=1)
    try:
        (device_id,) = devices_of(db, "assessor-1")
        assign_case(home, db, sample_case("HS-2026-0900"), device_id)
    finally:
        db.close()
    with (
        qtbot.waitSignal(ctx.events.cases_changed, timeout=WAIT),
        qtbot.waitSignal(widget.synced, timeout=WAIT) as round_two,
    ):
        widget.sync_now()
    assert round_two.args[0][0].received_cases == 1
    with qtbot.waitSignal(widget.refreshed, timeout=WAIT) as shown:
        widget.refresh()
    (status,) = shown.args[0]
    (label,) = widget.labels.values()
    assert "Nothing waiting · last synced" in label.text()
    assert status.waiting == 0 and widget.message.text() == ""


def test_a_bad_file_and_an_unreachable_agency_are_said_plainly(qtbot, tmp_path, ctx) -> None:
    junk = tmp_path / "junk.json"
    junk.write_text("this is not an enrolment file")
    widget = SyncStatusWidget(ctx, auto=False)
    qtbot.addWidget(widget)
    dialog = AgencyDialog(ctx, widget)
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitSignal(dialog.checked, timeout=WAIT) as checked:
        dialog.choose_file(junk)
    assert checked.args == [None]
    assert dialog.message.text() == "The enrolment file is not readable."
    assert not dialog.enrol_button.isEnabled()

    home = make_agency(tmp_path / "agency")  # never served: the laptop is offline
    dead = tmp_path / "dead.json"
    dead.write_bytes(enrolment_for(home, "http://127.0.0.1:9").to_json())
    with qtbot.waitSignal(dialog.checked, timeout=WAIT):
        dialog.choose_file(dead)
    with qtbot.waitSignal(dialog.enrolled, timeout=60_000):
        dialog.enrol_button.click()  # enrols, then tries to register: offline
    qtbot.waitUntil(
        lambda: (
            [label.text().split(": ", 1)[1] for label in widget.labels.values()]
            == ["Offline · nothing waiting"]
        ),
        timeout=WAIT,
    )
