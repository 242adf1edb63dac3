"""Benchmark: the readiness check and the clock on the demo case.

The UI recomputes both after every edit, so they must stay well under a frame's
worth of a keystroke. Run: ``python tests/bench/bench_readiness.py``.
"""

from __future__ import annotations

from datetime import date

from _timing import median_ms


def main() -> None:
    from homestudy.demo import build_demo_case
    from homestudy.forms import load_library
    from homestudy.readiness import assess_readiness
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


if __name__ == "__main__":
    main()
