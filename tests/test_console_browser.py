"""The console in a real Chromium (Debian's, driven by Selenium and chromium-driver)
against the real server: sign in with TOTP, the caseload of three laptops' cases with
their clocks and blockers, a case, two section comments and a countersignature
decision. Saves the screenshots in docs/screenshots/ that the README shows."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyotp
import pytest

from homestudy.agency.console import audit, messaging, review
from tests import pg
from tests.console_helpers import ConsoleServer, make_console_agency

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")
SHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
pytestmark = pytest.mark.skipif(not (CHROMIUM and DRIVER), reason="chromium not installed")


@pytest.fixture
def browser():
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--window-size=1400,1000",
        "--disable-gpu",
    ):
        opts.add_argument(arg)
    driver = webdriver.Chrome(service=webdriver.ChromeService(executable_path=DRIVER), options=opts)
    driver.implicitly_wait(5)
    yield driver
    driver.quit()


@pytest.fixture
def database_url():
    if pg.available() is not None:
        yield ""  # SQLite when PostgreSQL is not installed
        return
    cluster = pg.PgCluster().start()
    try:
        yield cluster.new_database()
    finally:
        cluster.stop()


def _wait_for(browser, text: str) -> None:
    """Wait for the next page (a form post's redirect) to show ``text``."""
    WebDriverWait(browser, 20).until(lambda b: text in b.page_source)


def _click_through(browser, element) -> None:
    """Click something that loads a new page, and wait until the old page has gone:
    read too soon, the old page's elements go stale under the test (CI saw it)."""
    old_page = browser.find_element(By.TAG_NAME, "html")
    element.click()
    WebDriverWait(browser, 20).until(expected_conditions.staleness_of(old_page))


def test_manager_reviews_a_case_in_chromium(tmp_path, browser, database_url):
    agency = make_console_agency(tmp_path / "agency", database_url=database_url)
    server = ConsoleServer(agency.home)
    base = f"http://localhost:{server.port}"
    try:
        browser.get(base + "/")
        assert browser.current_url.endswith("/login")  # signed out: only the sign-in page
        browser.find_element(By.ID, "username").send_keys("manager")
        browser.find_element(By.ID, "password").send_keys("correct horse battery")
        browser.find_element(By.ID, "code").send_keys(pyotp.TOTP(agency.totp["manager"]).now())
        _click_through(browser, browser.find_element(By.CSS_SELECTOR, "form.stack button"))
        assert browser.find_element(By.TAG_NAME, "h1").text == "Caseload"

        rows = browser.find_elements(By.CSS_SELECTOR, "table.caseload tbody tr")
        assert len(rows) == 3
        text = {r.find_element(By.TAG_NAME, "th").text.split("\n")[0]: r.text for r in rows}
        # the three laptops' clocks: demo cases whose Stage 2 began 68, 108 and 188 days ago
        assert "Day 69 of" in text["HS-2026-0100"]
        assert "Day 109 of" in text["HS-2026-1100"]
        assert "Day 189 of" in text["HS-2026-2100"] and "past 4 months" in text["HS-2026-2100"]
        for row_text in text.values():
            assert "blocker" in row_text  # every demo case still has work before panel
        assert "Priya Raman" in text["HS-2026-0100"] and "Alex Khan" in text["HS-2026-2100"]
        browser.find_element(By.CSS_SELECTOR, "svg.chart")
        SHOTS.mkdir(parents=True, exist_ok=True)
        browser.set_window_size(1400, 1750)  # the table and the Stage 2 chart
        browser.save_screenshot(str(SHOTS / "console-caseload.png"))
        browser.set_window_size(1400, 1000)

        case = agency.cases[0]
        _click_through(browser, browser.find_element(By.LINK_TEXT, case.reference))
        assert case.reference in browser.find_element(By.TAG_NAME, "h1").text
        # the cover (printed on the front sheet, with no heading) has its box too
        sections = ["cover", *[s for s in case.par_sections if s not in ("signatures", "cover")]][
            :2
        ]
        for sid, words in zip(
            sections,
            ["Please say more about the support network.", "Add the analysis of the home visit."],
            strict=True,
        ):
            box = browser.find_element(By.ID, f"comment-{sid}")
            box.send_keys(words)
            _click_through(browser, box.find_element(By.XPATH, "./following-sibling::button"))
            _wait_for(browser, words)
        browser.find_element(By.ID, "d-return").click()
        send = "//button[text()='Send to the worker']"
        _click_through(browser, browser.find_element(By.XPATH, send))  # no reasons yet
        _wait_for(browser, "Say why the PAR is being returned")
        assert browser.find_element(By.ID, "d-return").is_selected()  # the choice is kept
        assert browser.switch_to.active_element.get_attribute("id") == "reasons"
        browser.find_element(By.ID, "reasons").send_keys("Two sections need more analysis.")
        _click_through(
            browser, browser.find_element(By.XPATH, "//button[text()='Send to the worker']")
        )
        _wait_for(browser, "returned the PAR for changes: Two sections need more analysis.")
        browser.get(base + f"/cases/{case.id}")
        browser.save_screenshot(str(SHOTS / "console-case.png"))
        browser.get(base + f"/cases/{case.id}#s_{sections[1]}")
        browser.save_screenshot(str(SHOTS / "console-case-review.png"))
    finally:
        server.stop()

    db = agency.home.database(pool_size=1)
    try:
        reviews = review.reviews_of(db, case.id)
        assert len(reviews) == 1 and reviews[0].decision == "return"
        assert {c.section_id for c in reviews[0].comments} == set(sections)
        assert messaging.queued_reviews(db, case.id) == 1  # one message to the laptop
        actions = [e.action for e in audit.entries(db)]
        for needed in ("sign_in", "view_caseload", "view_case", "comment", "decision", "decrypt"):
            assert needed in actions
    finally:
        db.close()
