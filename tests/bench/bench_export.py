"""Benchmark: the demo case's PAR (about 15,000 words) to .docx and .pdf.

Aims: .docx at most 1 s, .pdf at most 2 s (build the model + render, in memory; the
atomic write adds a few ms). Run: ``python tests/bench/bench_export.py``.
"""

from __future__ import annotations

from datetime import date

from _timing import median_ms


def main() -> None:
    from homestudy.demo import build_demo_case
    from homestudy.forms import load_library
    from homestudy.report import build_par_document, render

    today = date.today()
    case = build_demo_case(today)
    lib = load_library()
    words = sum(d.word_count for d in case.par_sections.values())
    n = 7
    for variant in ("panel", "applicant", "supervisor"):
        findings = [] if variant == "supervisor" else None  # readiness is benched apart
        for fmt in ("docx", "pdf"):
            ms = median_ms(lambda v=variant, f=fmt, fi=findings: render(
                build_par_document(case, v, forms=lib, today=today, findings=fi), f), n)
            print(f"export {variant} PAR .{fmt} ({words} words): median {ms:.0f} ms (n={n})")


if __name__ == "__main__":
    main()
