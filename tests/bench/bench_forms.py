"""Benchmark: load every form definition (uncached), and build form widgets.

Aims: load all forms under 50 ms (median); build the PAR form widget under 200 ms.
Run: ``QT_QPA_PLATFORM=offscreen python tests/bench/bench_forms.py``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from _timing import median_ms

from homestudy.demo import build_demo_case
from homestudy.forms import load_library, migrate_answers


def _load_uncached() -> object:
    load_library.cache_clear()  # type: ignore[attr-defined]
    return load_library()


def main() -> None:
    n = 30
    print(f"load all forms: median {median_ms(_load_uncached, n):.1f} ms (n={n})", flush=True)
    lib = load_library()
    case = build_demo_case()
    answers = case.checklist_answers * 20
    print(
        f"migrate {len(answers)} answers: median "
        f"{median_ms(lambda: migrate_answers(answers, lib), n):.1f} ms (n={n})",
        flush=True,
    )

    from PySide6.QtWidgets import QApplication

    from ui.widgets.form_renderer import FormWidget

    app = QApplication.instance() or QApplication([])

    def build(form_id: str, subject: str = "") -> Callable[[], object]:
        form = lib.get(form_id)

        def run() -> object:
            widget = FormWidget(form, case.checklist_answers, subject_id=subject)
            widget.deleteLater()
            app.processEvents()  # let the deleted widget go before the next build
            return widget

        return run

    n = 15
    dog = case.animals[0].id if case.animals else ""
    for form_id, subject in (("par_england", ""), ("health_safety", ""), ("pet_assessment", dog)):
        ms = median_ms(build(form_id, subject), n)
        print(f"build {form_id} widget: median {ms:.1f} ms (n={n})", flush=True)


if __name__ == "__main__":
    main()
