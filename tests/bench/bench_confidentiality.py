"""Benchmark: the confidentiality guard on the demo case.

``flagged_passages`` runs inside every readiness check (``shared_passage_unreviewed``)
and the PAR editor flags the section being typed in after each keystroke, so both must
stay small. Run: ``python tests/bench/bench_confidentiality.py``.
"""

from __future__ import annotations

from datetime import date

from _timing import indexed_median_ms, median_ms


def main() -> None:
    from homestudy.demo import build_demo_case
    from homestudy.forms import load_library
    from homestudy.report.confidentiality import FlagFinder, clear_cache, flagged_passages

    case = build_demo_case(date.today())
    library = load_library()
    n = 100

    def cold() -> None:
        clear_cache()
        flagged_passages(case, library)

    ms = median_ms(cold, n)
    print(f"guard: flagged passages of the whole demo PAR, first time: median {ms:.3f} ms (n={n})")
    ms = median_ms(lambda: flagged_passages(case, library), n)
    print(
        f"guard: the same again (sections unchanged, as in readiness after an edit): "
        f"median {ms:.3f} ms (n={n})"
    )
    finder = FlagFinder(case)
    text = case.par_sections["relationships"].text
    ms = indexed_median_ms(lambda i: finder.flags("relationships", f"{text} {i}"), n)
    print(f"guard: one section as typed (1,300 words): median {ms:.3f} ms (n={n})")


if __name__ == "__main__":
    main()
