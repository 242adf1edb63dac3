"""Benchmark: the readiness check and the clock on the demo case.

The UI recomputes both after every edit, so they must stay well under a frame's
worth of a keystroke. Run: ``python tests/bench/bench_readiness.py``.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from _timing import median_ms


def main() -> None:
    from homestudy.demo import build_demo_case
    from homestudy.forms import load_library
    from homestudy.readiness import assess_readiness
    from homestudy.readiness_people import person_checks
    from homestudy.readiness_settings import agency_rules
    from homestudy.settings import AppSettings
    from homestudy.timeline import TimelineRules, build_timeline, stage2_progress

    today = date.today()
    case = build_demo_case(today)
    library = load_library()
    rules = TimelineRules()
    n = 200
    ms = median_ms(lambda: assess_readiness(case, library, rules, today), n)
    print(f"readiness (demo case): median {ms:.3f} ms (n={n})")
    ms = median_ms(lambda: build_timeline(case, rules, today), n)
    print(f"timeline (demo case): median {ms:.3f} ms (n={n})")
    ms = median_ms(lambda: stage2_progress(case, today, rules), n)
    print(f"stage 2 day N of M: median {ms:.3f} ms (n={n})")
    ms = median_ms(lambda: person_checks(case, rules, today), n)
    print(f"statutory checks per person (demo case): median {ms:.3f} ms (n={n})")
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "rules.yaml").write_text(
            "version: 1\nmin_visits: 8\nfamily_referee: blocker\n", encoding="utf-8"
        )
        settings = AppSettings()
        ms = median_ms(lambda: agency_rules(settings, Path(folder)), n)
        print(f"agency rules from rules.yaml (read once, then cached): median {ms:.3f} ms (n={n})")


if __name__ == "__main__":
    main()
