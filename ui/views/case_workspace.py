"""The workspace of one case: a header and the tabs Overview, Visits, References,
Checklists and PAR, all given the same freshly loaded ``Case``.

``show_location("par:health")`` switches tab and calls that view's ``reveal``.
The main window deletes the workspace on lock, so no case content outlives it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from homestudy.model import Case
from ui.context import AppContext
from ui.operations import run_db
from ui.spellcheck import spelling_service

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TabSpec:
    key: str  # the location prefix
    title: str  # with its mnemonic


TABS = (
    TabSpec("overview", "&Overview"),
    # key "case" = readiness FixAt area "case": "case:<Case field>" reveals that field
    TabSpec("case", "Case &details"),
    TabSpec("visits", "&Visits"),
    TabSpec("references", "&References"),
    TabSpec("checklists", "Chec&klists"),
    TabSpec("par", "&PAR"),
)


def _view_classes() -> dict[str, type]:
    """The view class of each tab. Imported here, not at module level, so the main window
    (which needs only TABS) starts without them; AppContext.warm_up preloads them."""
    from ui.views.case_details import CaseDetailsView
    from ui.views.checklists import ChecklistsView
    from ui.views.overview import OverviewView
    from ui.views.par_editor import ParEditorView
    from ui.views.references import ReferencesView
    from ui.views.visits import VisitsView

    return {
        "overview": OverviewView,
        "case": CaseDetailsView,
        "visits": VisitsView,
        "references": ReferencesView,
        "checklists": ChecklistsView,
        "par": ParEditorView,
    }


def split_location(location: str) -> tuple[str, str]:
    tab, _, target = location.partition(":")
    return (tab or "overview"), target


class CaseWorkspace(QWidget):
    back_requested = Signal()
    loaded = Signal()  # the case is on screen (other tabs get it when first shown)
    title_changed = Signal(str)
    place_restored = Signal()  # back where the worker was before the lock

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("caseWorkspace")
        self.case: Case | None = None
        self.views: dict[str, Any] = {}
        self.failed_tabs: dict[str, BaseException] = {}
        self._stale: set[str] = set()  # tabs that have not been given the current case
        self._pending_location = ""
        #: counts ``load`` calls: only the newest one's case is shown (see ``load``)
        self.load_generation = 0
        #: counts loads and moves to a location: a put-back after unlocking checks that
        #: the worker has not gone somewhere since
        self.moves = 0

        self.back_button = QPushButton("← &Cases", self)
        self.back_button.setAccessibleName("Back to the case list")
        self.back_button.clicked.connect(self.back_requested)
        self.heading = QLabel("Opening the case…", self)
        self.heading.setObjectName("caseHeading")
        font = self.heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.heading.setFont(font)
        self.subheading = QLabel("", self)
        self.subheading.setObjectName("caseSubheading")
        for label in (self.heading, self.subheading):  # names as typed, never markup
            label.setTextFormat(Qt.TextFormat.PlainText)
        head = QHBoxLayout()
        head.addWidget(self.back_button)
        head.addSpacing(12)
        head.addWidget(self.heading)
        head.addSpacing(12)
        head.addWidget(self.subheading, 1)
        self.agency = QLabel("", self)  # which agency the case belongs to
        self.agency.setObjectName("caseAgency")
        self.agency.setAccessibleName("Agency")
        # gives way on a narrow window (1024 pixels): the reference and clock come first
        self.agency.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.agency.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        head.addWidget(self.agency)

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("caseTabs")
        self.tabs.setAccessibleName("Case sections")
        self.tabs.setDocumentMode(True)
        classes = _view_classes()
        for spec in TABS:
            view = classes[spec.key](ctx, self.tabs)
            view.setAccessibleName(spec.title.replace("&", ""))
            self.views[spec.key] = view
            self.tabs.addTab(view, spec.title)
        self.tabs.currentChanged.connect(self._tab_changed)
        self.views["overview"].location_activated.connect(self.show_location)

        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.tabs, 1)

        # The heading and overview follow saves made in the tabs (reloaded, coalesced).
        self._reload_timer = QTimer(self)
        self._reload_timer.setSingleShot(True)
        self._reload_timer.setInterval(400)
        self._reload_timer.timeout.connect(self._reload_after_save)
        ctx.events.case_saved.connect(self._case_saved)

    # ------------------------------------------------------------------ loading

    def load(self, case_id: str, location: str = "") -> None:
        """Load the case on the DB worker, then show it at ``location``. A second load
        before the first arrives wins: the first's case is not shown, else it would take
        the second's location and the second would land on the overview."""
        self._pending_location = location
        self.case = None
        self.load_generation += 1
        self.moves += 1
        generation = self.load_generation

        def loaded(case: Case) -> None:
            if generation == self.load_generation:
                self.set_case(case)

        run_db(
            self.ctx,
            self,
            lambda vault: vault.cases.load_case(case_id),
            loaded,
            progress="Opening the case…",
        )

    def set_case(self, case: Case) -> None:
        """Show ``case``. Only the tab on screen gets it now; each other tab gets it when
        first shown (switching tabs is synchronous), so opening a case stays quick."""
        self.case = case
        self.failed_tabs.clear()
        self._stale = set(self.views)
        spelling_service(self.ctx).set_case(case)  # the family's names are not misspelt
        self._show_heading(case, _subtitle(case, self._timeline_rules()))
        self._show_agency(case)
        self.show_location(self._pending_location)
        self._pending_location = ""
        self._ensure(self.tabs.currentWidget())
        self.loaded.emit()

    def _ensure(self, view: Any) -> None:
        """Give ``view`` the current case if it has not had it yet."""
        key = next((k for k, v in self.views.items() if v is view), None)
        if key is None or key not in self._stale or self.case is None:
            return
        self._stale.discard(key)
        try:
            view.set_case(self.case)
        except Exception as exc:  # one broken tab must not take the others with it
            log.error(
                "the %s tab could not show the case: %s", key, type(exc).__name__, exc_info=exc
            )
            self.failed_tabs[key] = exc

    def _tab_changed(self, _index: int) -> None:
        self._ensure(self.tabs.currentWidget())

    def _timeline_rules(self) -> Any:
        from homestudy.timeline import TimelineRules

        return TimelineRules.from_settings(self.ctx.settings)

    def _show_heading(self, case: Case, subtitle: str, *, announce: bool = True) -> None:
        self.heading.setText(case.reference)
        self.subheading.setText(subtitle)
        if announce:
            self.title_changed.emit(case.reference)

    def _show_agency(self, case: Case) -> None:
        from homestudy.sync.linking import agency_label, agency_names

        profile_id = case.agency_profile_id

        def label(vault: Any) -> str:
            text = agency_label(agency_names(vault), profile_id)
            return f"Agency: {text}" if profile_id else text

        run_db(self.ctx, self, label, self.agency.setText)

    def _case_saved(self, case_id: str) -> None:
        if self.case is not None and case_id == self.case.id:
            self._reload_timer.start()

    def _reload_after_save(self) -> None:
        """Reload the saved case on the DB worker: the heading follows the Case details
        tab (names, dates), the overview follows every tab, and tabs not shown yet will
        get the fresh case rather than the one loaded when the case was opened."""
        if self.case is None:
            return
        case_id = self.case.id
        rules = self._timeline_rules()

        def load(vault: Any) -> tuple[Case, str]:
            case = vault.cases.load_case(case_id)
            return case, _subtitle(case, rules)

        run_db(self.ctx, self, load, self._fresh_case)

    def _fresh_case(self, loaded: tuple[Case, str]) -> None:
        case, subtitle = loaded
        if self.case is None or case.id != self.case.id:
            return  # another case was opened meanwhile
        announce = case.reference != self.case.reference
        self.case = case
        spelling_service(self.ctx).set_case(case)  # a name added in Case details
        self._show_heading(case, subtitle, announce=announce)
        self._show_agency(case)
        if "overview" in self.views and "overview" not in self._stale:
            self.views["overview"].set_case(case)

    # ------------------------------------------------------------------ navigation

    def show_location(self, location: str) -> None:
        self.moves += 1
        tab, target = split_location(location)
        view = self.views.get(tab)
        if view is None:
            return
        self.tabs.setCurrentWidget(view)
        self._ensure(view)
        if target:
            view.reveal(target)

    def current_tab(self) -> str:
        current = self.tabs.currentWidget()
        return next((k for k, v in self.views.items() if v is current), "")

    def select_tab(self, key: str) -> None:
        view = self.views.get(key)
        if view is not None:
            from ui.menus import focus_first

            self.tabs.setCurrentWidget(view)
            focus_first(view)

    def capture_place(self) -> dict[str, Any]:
        """Where the worker is (ids and positions, no case text): kept across a lock."""
        if self.case is None:
            return {}
        tab = self.current_tab()
        save = getattr(self.views.get(tab), "save_place", None)
        return {"case": self.case.id, "tab": tab, "view": save() if callable(save) else {}}

    def restore_place(self, place: dict[str, Any]) -> None:
        """Back to ``place`` (from ``capture_place``) once this case is on screen."""
        tab = str(place.get("tab") or "")
        view = self.views.get(tab)
        if view is None or self.case is None or self.case.id != place.get("case"):
            return
        self.tabs.setCurrentWidget(view)
        self._ensure(view)
        restore = getattr(view, "restore_place", None)
        if callable(restore):
            restore(place.get("view") or {})
        self.place_restored.emit()

    def flush(self) -> None:
        """Start any pending save now (before lock or when leaving the case)."""
        self.ctx.events.about_to_lock.emit()
        spelling_service(self.ctx).set_case(None)


def _subtitle(case: Case, rules: Any) -> str:
    """ "Names  ·  Stage 2 day N of M": plain computing, safe on the DB worker."""
    from homestudy.timeline import stage2_progress

    progress = stage2_progress(case, _today(), rules)
    clock = f"Stage 2 day {progress[0]} of {progress[1]}" if progress else "Not in Stage 2"
    return f"{case.applicant_names}  ·  {clock}"


def _today() -> Any:
    from datetime import date

    return date.today()
