"""The case list with many cases: rows come from the summaries at once, readiness
follows a few cases per DB job, and archived cases stay out of the current list."""

from __future__ import annotations

from homestudy.vault import Vault
from tests.bench.many_cases import varied_case  # the benchmark's generator
from tests.ui.conftest import TEST_KDF, TEST_PASSPHRASE, WAIT_MS


def test_many_cases_listed_then_assessed_in_small_jobs(qtbot, make_app, tmp_path) -> None:
    folder = tmp_path / "vault"
    vault = Vault.create(folder, TEST_PASSPHRASE, kdf=TEST_KDF)
    cases = [varied_case(i) for i in range(20)]
    for case in cases:
        vault.cases.save_case(case)
    vault.cases.archive_case(cases[5].id, "Approved")
    vault.close()
    window, _ctx = make_app(folder)
    listing = window.case_list
    jobs: list[int] = []
    listing.model.dataChanged.connect(lambda *_: jobs.append(1))
    view = window.unlock_view
    qtbot.waitUntil(lambda: window.stack.currentWidget() is view, timeout=WAIT_MS)
    with qtbot.waitSignal(listing.loaded, timeout=WAIT_MS):
        view.passphrase.setText(TEST_PASSPHRASE)
        view.submit()
    rows = listing.model.rows
    assert len(rows) == 19 and cases[5].reference not in {r.reference for r in rows}
    assert {r.applicants for r in rows} == {c.applicant_names for c in cases} - {
        cases[5].applicant_names
    }
    assert all(r.stage2_day is not None for r in rows)  # the clock, from the summaries
    assert rows[0].visits_text == "5 of 8 done"
    with qtbot.waitSignal(listing.assessed, timeout=WAIT_MS * 3):
        pass
    assert all(r.blockers >= 0 for r in listing.model.rows)
    assert "Checking" not in " ".join(r.readiness_text for r in listing.model.rows)
    assert len(jobs) == 19  # one update per row, as each small job came back
