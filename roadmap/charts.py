"""Usage charts built in Python with strategy.chart_kit: daily series (active users, sessions,
bounce rate) and the small weekly adoption line of a feature key.

Each chart is one string of SVG whose text passes through `strategy.html.e`; an image to
assistive technology with an `aria-label` saying what it shows (the page puts the numbers in a
table beneath). Colours come from CSS classes (static/css/usage.css): series are told apart by
colour and by dash pattern, so they read in grey too. Pure functions: no database, no request."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.utils.safestring import SafeString

from strategy.chart_kit import (
    coord,
    date_range,
    day_label,
    format_axis,
    format_number,
    format_percent,
    grid,
    polyline_points,
    spread_indexes,
    svg_open,
    ticks_from_zero,
    y_labels,
    y_scale,
)
from strategy.html import e, safe_join


@dataclass(frozen=True)
class Series:
    """One line: its name (legend, tooltip), CSS modifier and a value per day (None: no value)."""

    name: str
    css: str
    values: Sequence[float | None]


def _value_text(value, percent: bool) -> str:
    return format_percent(value) if percent else format_number(value)


def series_chart(days: Sequence[date], series: Sequence[Series], *, label: str, percent: bool = False,
                 width: int = 760, height: int = 240) -> SafeString:
    """Lines over days sharing one y axis from zero (0–100 % for `percent`), the days along x
    (about six labels), a dot with a tooltip on each day of the first series."""
    left, right, top, bottom = 48.0, 16.0, 14.0, 28.0
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for s in series for v in s.values if v is not None]
    high = 100.0 if percent else max(values, default=0.0)
    ticks = [0.0, 25.0, 50.0, 75.0, 100.0] if percent else ticks_from_zero(float(high))
    y = y_scale(0.0, ticks[-1], top=top, plot_h=plot_h)
    count = len(days)

    def x(index: int) -> float:
        return left + plot_w / 2 if count == 1 else left + index * plot_w / (count - 1)

    summary = label
    if days:
        summary += f", {date_range(days[0], days[-1])}"
        latest = ", ".join(f"{s.name} {_value_text(s.values[-1], percent)}" for s in series
                           if s.values and s.values[-1] is not None)
        if latest:
            summary += f"; on {day_label(days[-1])}: {latest}"
    parts = [svg_open("usage-chart", summary, width=width, height=height)]
    parts += grid("chart-grid", ticks, y, left=left, right=left + plot_w)
    parts.append('<g class="chart-axis chart-axis--y">')
    parts += y_labels(ticks, y, x=left - 8, text=lambda t: f"{t:.0f}%" if percent else format_axis(t))
    parts.append('</g><g class="chart-axis chart-axis--x">')
    with_year = bool(days) and days[0].year != days[-1].year
    shown = spread_indexes(count, 6)
    for position, index in enumerate(shown):
        anchor = "middle"
        if len(shown) > 1 and position == 0:
            anchor = "start"
        elif len(shown) > 1 and position == len(shown) - 1:
            anchor = "end"
        parts.append(f'<text x="{coord(x(index))}" y="{coord(height - 8)}" text-anchor="{anchor}">'
                     f"{e(day_label(days[index], year=with_year))}</text>")
    parts.append("</g>")
    if not values:
        parts.append(f'<text class="chart-empty" x="{coord(left + plot_w / 2)}" y="{coord(top + plot_h / 2)}" '
                     f'text-anchor="middle">No data in this range</text>')
    for line in series:
        parts.append(f'<g class="usage-series usage-series--{e(line.css)}">')
        for run in _runs(line.values):
            coords = [(x(i), y(line.values[i])) for i in run]
            if len(coords) == 1:
                parts.append(f'<circle cx="{coord(coords[0][0])}" cy="{coord(coords[0][1])}" r="2.5"/>')
            else:
                parts.append(f'<polyline points="{polyline_points(coords)}"/>')
        parts.append("</g>")
    if series and count <= 120:
        # Tooltips: one invisible target per day carrying every series' value of that day.
        parts.append('<g class="usage-hover">')
        step = plot_w / max(count - 1, 1)
        for i, day in enumerate(days):
            tip = day_label(day, year=True) + ": " + ", ".join(
                f"{s.name} {_value_text(s.values[i], percent)}" for s in series)
            parts.append(f'<rect x="{coord(x(i) - step / 2)}" y="{coord(top)}" width="{coord(step)}" '
                         f'height="{coord(plot_h)}"><title>{e(tip)}</title></rect>')
        parts.append("</g>")
    parts.append("</svg>")
    return safe_join(parts)


def _runs(values: Sequence[float | None]) -> list[list[int]]:
    """Indexes of consecutive values that are not None."""
    runs: list[list[int]] = []
    for i, value in enumerate(values):
        if value is None:
            continue
        if runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs


def adoption_sparkline(shares: Sequence[float | None], *, key: str, width: int = 120, height: int = 28) -> SafeString:
    """A small line of a feature key's weekly adoption (percent of weekly active users), 0–100 %
    on a scale fitted to the largest share, so a low but growing adoption still shows its shape."""
    known = [s for s in shares if s is not None]
    pad = 3.0
    high = max(max(known, default=0.0), 1.0)
    y = y_scale(0.0, high, top=pad, plot_h=height - 2 * pad)
    count = len(shares)

    def x(index: int) -> float:
        return width / 2 if count == 1 else pad + index * (width - 2 * pad) / (count - 1)

    label = f"Weekly adoption of {key}: "
    label += (f"from {format_percent(known[0])} to {format_percent(known[-1])} over {len(known)} weeks"
              if known else "no full week yet")
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="usage-spark" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="{e(label)}">',
             f'<line class="usage-spark__base" x1="0" x2="{width}" y1="{coord(y(0))}" y2="{coord(y(0))}"/>']
    for run in _runs(shares):
        coords = [(x(i), y(shares[i])) for i in run]
        if len(coords) > 1:
            parts.append(f'<polyline class="usage-spark__line" points="{polyline_points(coords)}"/>')
    if known:
        last = max(i for i, s in enumerate(shares) if s is not None)
        parts.append(f'<circle class="usage-spark__dot" cx="{coord(x(last))}" cy="{coord(y(shares[last]))}" r="2.5"/>')
    parts.append("</svg>")
    return safe_join(parts)
