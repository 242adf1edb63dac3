"""A panel date that cannot work is said as soon as it is typed in the key dates."""

from __future__ import annotations

from datetime import date
from typing import Any

from test_case_details import type_date

from homestudy.model import Case, Stage
from homestudy.timeline import TimelineRules
from ui.widgets.key_dates import KeyDatesPanel

TODAY = date(2026, 11, 2)


def _panel(qtbot: Any) -> KeyDatesPanel:
    panel = KeyDatesPanel(TimelineRules())
    panel.today = TODAY
    qtbot.addWidget(panel)
    panel.set_case(
        Case(reference="HS-KD-1", stage=Stage.STAGE_2, stage2_notice_on=date(2026, 9, 1))
    )
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def test_an_impossible_panel_date_is_said_at_once(qtbot: Any) -> None:
    panel = _panel(qtbot)
    assert not panel.problems.isVisible()
    when = panel.dates["provisional_panel_date"]
    type_date(when, date(2026, 12, 24))  # the decision would come after the four months
    assert panel.problems.isVisible()
    assert "after Stage 2's 4 months end on 1 Jan 2027" in panel.problems.text()
    type_date(when, date(2026, 12, 12))  # a Saturday
    assert "(12 Dec 2026) is not a working day" in panel.problems.text()
    type_date(when, date(2026, 11, 12))  # no time left for the comments and the papers
    assert "no longer leaves time for the applicants' 5 working days" in panel.problems.text()
    type_date(when, date(2026, 12, 10))  # a Thursday that works
    assert not panel.problems.isVisible()
    assert "The papers go to panel members on 3 Dec 2026." in panel.meaning.text()
    assert "The applicants must have the PAR by 25 Nov 2026." in panel.meaning.text()
