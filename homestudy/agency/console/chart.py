"""Server-rendered SVG charts (no JavaScript): Stage 2 days per case against the
4-month timescale, and the agency's average Stage 2 days by quarter. Each has a
title and description for screen readers; the numbers are also in tables on the page."""

from __future__ import annotations

from markupsafe import Markup, escape

from homestudy.agency.console.caseload import CaseloadRow, quarterly_averages

MAX_BARS = 40
WIDTH = 720


def stage2_chart(rows: list[CaseloadRow]) -> Markup:
    running = sorted((r for r in rows if r.stage2_day), key=lambda r: -(r.stage2_day or 0))
    shown = running[:MAX_BARS]
    if not shown:
        return Markup("<p>No case is in Stage 2 at the moment.</p>")
    total = max(r.stage2_total or 0 for r in shown)
    scale_max = max(max(r.stage2_day or 0 for r in shown), total) * 1.1
    left, bar, gap = 130, 14, 4
    height = 30 + len(shown) * (bar + gap) + 24
    plot = WIDTH - left - 20

    def x(days: float) -> float:
        return left + plot * days / scale_max

    over = sum(1 for r in running if r.over_timescale)
    desc = f"{len(running)} cases in Stage 2; {over} past the {total}-day timescale." + (
        f" The {MAX_BARS} longest are shown." if len(running) > MAX_BARS else ""
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" role="img" aria-labelledby="s2-title s2-desc" class="chart">',
        '<title id="s2-title">Stage 2 days per case</title>',
        f'<desc id="s2-desc">{escape(desc)}</desc>',
    ]
    for i, r in enumerate(shown):
        y = 30 + i * (bar + gap)
        late = r.over_timescale
        parts.append(
            f'<text x="{left - 6}" y="{y + bar - 3}" text-anchor="end" '
            f'class="label">{escape(r.reference)}</text>'
        )
        parts.append(
            f'<rect x="{left}" y="{y}" width="{x(r.stage2_day or 0) - left:.1f}" '
            f'height="{bar}" class="{"bar late" if late else "bar"}">'
            f"<title>{escape(r.reference)}: day {r.stage2_day} of "
            f"{r.stage2_total}</title></rect>"
        )
        parts.append(
            f'<text x="{x(r.stage2_day or 0) + 4:.1f}" y="{y + bar - 3}" '
            f'class="value">{r.stage2_day}</text>'
        )
    tx = x(total)
    parts.append(f'<line x1="{tx:.1f}" y1="20" x2="{tx:.1f}" y2="{height - 20}" class="limit"/>')
    parts.append(
        f'<text x="{tx:.1f}" y="14" text-anchor="middle" class="limit-label">'
        f"4 months ({total} days)</text>"
    )
    parts.append("</svg>")
    return Markup("".join(parts))


def quarter_chart(rows: list[CaseloadRow]) -> Markup:
    data = quarterly_averages(rows)
    if not data:
        return Markup("")
    left, bottom, top = 50, 40, 20
    height = 220
    plot_h = height - bottom - top
    limit = max((r.stage2_total or 0) for r in rows) or 122
    top_value = max(max(v for _q, v, _n in data), limit) * 1.15
    step = min(90, (WIDTH - left - 20) / len(data))
    summary = "; ".join(f"{q}: {v:.0f} days ({n} cases)" for q, v, n in data)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        'width="100%" role="img" aria-labelledby="q-title q-desc" class="chart">',
        '<title id="q-title">Average Stage 2 days by the quarter Stage 2 began</title>',
        f'<desc id="q-desc">{escape(summary)}</desc>',
    ]
    for i, (q, v, n) in enumerate(data):
        h = plot_h * v / top_value
        bx = left + i * step + 8
        parts.append(
            f'<rect x="{bx:.1f}" y="{top + plot_h - h:.1f}" width="{step - 16:.1f}" '
            f'height="{h:.1f}" class="{"bar late" if v > limit else "bar"}">'
            f"<title>{escape(q)}: {v:.0f} days, {n} cases</title></rect>"
        )
        parts.append(
            f'<text x="{bx + (step - 16) / 2:.1f}" y="{height - bottom + 16}" '
            f'text-anchor="middle" class="label">{escape(q)}</text>'
        )
        parts.append(
            f'<text x="{bx + (step - 16) / 2:.1f}" y="{top + plot_h - h - 4:.1f}" '
            f'text-anchor="middle" class="value">{v:.0f}</text>'
        )
    ly = top + plot_h - plot_h * limit / top_value
    parts.append(f'<line x1="{left}" y1="{ly:.1f}" x2="{WIDTH - 10}" y2="{ly:.1f}" class="limit"/>')
    parts.append(
        f'<text x="{WIDTH - 10}" y="{ly - 4:.1f}" text-anchor="end" '
        f'class="limit-label">4 months ({limit} days)</text>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))
