"""The small charts of the metrics overview, the dashboard and the adoption panel: bars for a
weekly share or count, and a sparkline of a daily series. Built with `strategy.chart_kit`
like every chart, as one escaped SVG string, each an image with a label that says in words
what it shows (the figures are beside it, and in a table where the page has one)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.utils.safestring import SafeString

from strategy.chart_kit import coord, day_label, polyline_points, y_scale
from strategy.html import e, safe_join


def bars(points: Sequence[tuple[date, float | None]], *, label: str, high: float | None = None,
         unit: str = "", width: int = 160, height: int = 36) -> SafeString:
    """One bar per point (a week, a day), oldest first, from zero up to `high` (the largest
    value when not given); a point without a value is a gap. Each bar's tooltip names its
    day and value."""
    values = [value for _when, value in points if value is not None]
    top = high if high is not None else max(values, default=0)
    top = top or 1.0
    count = max(len(points), 1)
    gap = 2.0
    bar = max((width - gap * (count - 1)) / count, 1.0)
    y = y_scale(0, float(top), top=1, plot_h=height - 2)
    # Bars may stretch to their container's width (no aspect to keep), never in height.
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="metric-bars" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" preserveAspectRatio="none" role="img" aria-label="{e(label)}">',
             f'<line class="metric-bars__base" x1="0" x2="{width}" y1="{height - 0.5}" y2="{height - 0.5}"/>']
    for i, (when, value) in enumerate(points):
        if value is None:
            continue
        x = i * (bar + gap)
        bar_top = min(y(value), height - 2.0)
        figure = f"{value:,.1f}{unit}" if unit else f"{value:,.0f}"
        tip = f"{day_label(when, year=True)}: {figure}"
        parts.append(f'<rect class="metric-bars__bar" x="{coord(x)}" y="{coord(bar_top)}" width="{coord(bar)}" '
                     f'height="{coord(height - bar_top)}"><title>{e(tip)}</title></rect>')
    parts.append("</svg>")
    return safe_join(parts)


def sparkline(points: Sequence[tuple[date, float]], *, label: str, width: int = 120, height: int = 28) -> SafeString:
    """A small line through a daily series (oldest first), its last value a dot, from zero up."""
    values = [float(value) for _when, value in points]
    top = max(values, default=0) or 1.0
    y = y_scale(0, top, top=3, plot_h=height - 6)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="metric-spark" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="{e(label)}">']
    if len(values) >= 2:
        step = (width - 6) / (len(values) - 1)
        coords = [(3 + i * step, y(value)) for i, value in enumerate(values)]
        parts.append(f'<polyline class="metric-spark__line" points="{polyline_points(coords)}"/>')
        parts.append(f'<circle class="metric-spark__dot" cx="{coord(coords[-1][0])}" cy="{coord(coords[-1][1])}" '
                     f'r="2.5"/>')
    parts.append("</svg>")
    return safe_join(parts)
