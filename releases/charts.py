"""Release charts built in Python: progress bars, the capacity bar and the burn-up chart.

Each chart is one string of SVG: text and attributes pass through `html.escape`, so a
release or milestone named `<script>` stays text and the result parses as XML. Every chart
is an image to assistive technology (`role="img"`) with an `aria-label` that says in words
what the drawing shows. Colours come from CSS classes (static/css/releases.css), so the
charts follow the design tokens.

Pure functions: no database, no request.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from django.utils.safestring import SafeString

from strategy.chart_kit import (
    area,
    clamp,
    coord,
    data_table,
    date_range,
    day_label,
    format_number,
    grid,
    polyline_points,
    svg_open,
    ticks_from_zero,
    y_labels,
    y_scale,
)
from strategy.html import e, safe_join

# The numbers and dates release pages show, from the toolkit, beside the charts.
__all__ = ["bar", "burn_up_chart", "burn_up_table", "capacity_bar", "date_range", "day_label", "format_number",
           "points"]

SeriesPoint = tuple  # (day, done estimate, scope estimate)


def points(value) -> str:
    """An estimate as people read it: 12.0 → "12 pts", 1 → "1 pt", None → "—"."""
    if value is None:
        return "—"
    text = format_number(value)
    return f"{text} pt" if Decimal(value) == 1 else f"{text} pts"


# --- bars -------------------------------------------------------------------


def bar(percent, *, label: str, tone: str = "") -> SafeString:
    """A thin horizontal bar filled to `percent` (0–100), stretching to its container.
    `tone` picks the fill colour: "" (accent), "done", "warning" or "muted"."""
    filled = clamp(percent or 0, 0.0, 100.0)
    classes = "rel-bar" + (f" rel-bar--{tone}" if tone else "")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{e(classes)}" width="100%" height="8" '
        f'role="img" aria-label="{e(label)}">',
        '<rect class="rel-bar__track" x="0" y="1" width="100%" height="6" rx="3"/>',
    ]
    if filled > 0:
        parts.append(f'<rect class="rel-bar__fill" x="0" y="1" width="{coord(filled)}%" height="6" rx="3"/>')
    parts.append("</svg>")
    return safe_join(parts)


def capacity_bar(used, capacity) -> SafeString:
    """Planned estimate against the release's capacity. Over capacity, the bar fills in the
    warning colour and a tick marks where the capacity ends. Without a capacity, an empty
    track saying so."""
    used = Decimal(used or 0)
    if capacity is None:
        return bar(0, label=f"{points(used)} planned, no capacity set", tone="muted")
    capacity = Decimal(capacity)
    over = used > capacity
    share = float(used / capacity * 100) if capacity > 0 else 0.0
    label = f"{points(used)} planned of a capacity of {points(capacity)}"
    if over:
        label += f", {points(used - capacity)} over"
    if not over:
        return bar(share, label=label, tone="")
    # Over: the whole track is the planned estimate; the capacity tick sits at its share of it.
    at = float(capacity / used * 100) if used else 0.0
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="rel-bar rel-bar--warning" width="100%" height="8" '
        f'role="img" aria-label="{e(label)}">',
        '<rect class="rel-bar__track" x="0" y="1" width="100%" height="6" rx="3"/>',
        '<rect class="rel-bar__fill" x="0" y="1" width="100%" height="6" rx="3"/>',
        f'<line class="rel-bar__limit" x1="{coord(at)}%" x2="{coord(at)}%" y1="0" y2="8"/>',
        "</svg>",
    ]
    return safe_join(parts)


# --- burn-up ----------------------------------------------------------------


def _tick_text(value: float) -> str:
    if value >= 10_000:
        return f"{value / 1000:.1f}".rstrip("0").rstrip(".") + "k"
    return format_number(value)


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def _x_ticks(start: date, end: date) -> list[date]:
    """Dates worth a label between the release's first and last day (both excluded): at most
    eight month starts, computed without walking the months, so a window of centuries costs
    no more than one of a quarter."""
    span = (end - start).days
    if span < 2:
        return []
    first, last = _month_index(start) + 1, _month_index(end)  # the month starts after `start`, up to `end`
    months = last - first + 1
    if months >= 2 or span > 45:
        step = max(1, math.ceil(months / 8))
        return [date(index // 12, index % 12 + 1, 1) for index in range(first, last + 1, step)]
    # A short release: a handful of evenly spaced days.
    count = min(span - 1, 5)
    return [start + timedelta(days=round(span * i / (count + 1))) for i in range(1, count + 1)]


def burn_up_chart(series: Sequence[SeriesPoint], *, start: date, end: date, today: date,
                  milestones: Sequence[tuple[date, str]] = (), name: str = "",
                  width: int = 760, height: int = 280) -> SafeString:
    """Done estimate and scope per day over the release window: the scope line, the done
    line with a soft area, a today marker, milestones as diamonds on the x axis (with
    their names above the plot), dates below and points up the side. `series` runs from
    `start` to the last day with data (today, or the release date when it has passed);
    it may be empty (the release has not started)."""
    left, right, top, bottom = 48.0, 24.0, 34.0, 34.0
    plot_w, plot_h = width - left - right, height - top - bottom
    base_y = top + plot_h
    span = (end - start).days

    def x(day: date) -> float:
        if span <= 0:
            return left + plot_w / 2
        return left + (day - start).days / span * plot_w

    highest = max([float(s) for _, _, s in series] + [float(d) for _, d, _ in series] + [0.0])
    # Without data a y scale would only invent one; keep the baseline alone.
    ticks = ticks_from_zero(highest) if highest > 0 else [0.0, 1.0]
    has_scale = highest > 0
    y = y_scale(0.0, ticks[-1], top=top, plot_h=plot_h)

    label = _summary(series, start=start, end=end, today=today, name=name, milestones=milestones)
    shown_ticks = ticks if has_scale else []
    parts = [svg_open("burnup", label, width=width, height=height)]
    parts += grid("burnup__grid", shown_ticks, y, left=left, right=left + plot_w)
    parts.append('<g class="burnup__axis burnup__axis--y">')
    parts += y_labels(shown_ticks, y, x=left - 8, text=_tick_text)
    if has_scale:
        parts.append(f'<text class="burnup__unit" x="{coord(left - 8)}" y="{coord(top - 14)}" '
                     'text-anchor="end">pts</text>')
    parts.append("</g>")

    # x axis: the first and last day at the ends, month starts (or a few days) between
    parts.append('<g class="burnup__axis burnup__axis--x">')
    parts.append(f'<line class="burnup__baseline" x1="{coord(left)}" x2="{coord(left + plot_w)}" y1="{coord(base_y)}" '
                 f'y2="{coord(base_y)}"/>')
    label_y = base_y + 20
    with_year = start.year != end.year
    if span <= 0:
        parts.append(f'<text x="{coord(x(start))}" y="{coord(label_y)}" text-anchor="middle">'
                     f"{e(day_label(start, year=True))}</text>")
    else:
        parts.append(f'<text x="{coord(left)}" y="{coord(label_y)}" text-anchor="start">'
                     f"{e(day_label(start, year=with_year))}</text>")
        parts.append(f'<text x="{coord(left + plot_w)}" y="{coord(label_y)}" text-anchor="end">'
                     f"{e(day_label(end, year=True))}</text>")
        for day in _x_ticks(start, end):
            tx = x(day)
            if tx - left < 56 or left + plot_w - tx < 72:
                continue
            parts.append(f'<line class="burnup__tick" x1="{coord(tx)}" x2="{coord(tx)}" y1="{coord(base_y)}" '
                         f'y2="{coord(base_y + 4)}"/>')
            parts.append(f'<text x="{coord(tx)}" y="{coord(label_y)}" text-anchor="middle">{e(day_label(day))}</text>')
    parts.append("</g>")

    # today
    if start <= today <= end and span > 0:
        tx = coord(x(today))
        parts.append(f'<line class="burnup__today" x1="{tx}" x2="{tx}" y1="{coord(top - 4)}" y2="{coord(base_y)}"/>')
        anchor = "end" if x(today) > left + plot_w - 40 else "start" if x(today) < left + 40 else "middle"
        parts.append(f'<text class="burnup__today-label" x="{tx}" y="{coord(top - 8)}" text-anchor="{anchor}">'
                     "Today</text>")

    # milestones: a guide, a diamond on the axis, the name above the plot (staggered when crowded)
    shown = sorted((day, text) for day, text in milestones if start <= day <= end)
    if shown:
        parts.append('<g class="burnup__milestones">')
        last_end_by_row: list[float] = []
        for day, text in shown:
            mx = x(day)
            short = text if len(text) <= 22 else text[:21] + "…"
            guess = len(short) * 6.2 + 14
            row = next((i for i, used_to in enumerate(last_end_by_row) if mx - guess / 2 > used_to + 6), None)
            if row is None:
                row = len(last_end_by_row)
                last_end_by_row.append(0.0)
            last_end_by_row[row] = mx + guess / 2
            row = min(row, 2)
            ty = top + 12 + row * 14
            parts.append(f'<g class="burnup__milestone"><title>{e(text)} · {e(day_label(day, year=True))}</title>')
            parts.append(f'<line class="burnup__milestone-guide" x1="{coord(mx)}" x2="{coord(mx)}" '
                         f'y1="{coord(ty + 3)}" y2="{coord(base_y)}"/>')
            parts.append(f'<path class="burnup__diamond" d="M{coord(mx)} {coord(base_y - 5)} l5 5 l-5 5 l-5 -5 z"/>')
            anchor = "start" if mx - guess / 2 < left else "end" if mx + guess / 2 > left + plot_w else "middle"
            parts.append(f'<text class="burnup__milestone-label" x="{coord(mx)}" y="{coord(ty)}" '
                         f'text-anchor="{anchor}">{e(short)}</text></g>')
        parts.append("</g>")

    if not series:
        message = (f"Starts {day_label(start, year=True)}: nothing to chart yet" if today < start
                   else "No history yet")
        parts.append(f'<text class="burnup__empty" x="{coord(left + plot_w / 2)}" y="{coord(top + plot_h / 2)}" '
                     f'text-anchor="middle">{e(message)}</text>')
    elif highest == 0:
        parts.append(f'<text class="burnup__empty" x="{coord(left + plot_w / 2)}" y="{coord(top + plot_h / 2)}" '
                     'text-anchor="middle">No estimated features in this release yet</text>')
    if series and highest > 0:
        scope = [(x(day), y(s)) for day, _, s in series]
        done = [(x(day), y(d)) for day, d, _ in series]
        if len(series) == 1:
            (sx, sy), (dx, dy) = scope[0], done[0]
            parts.append(f'<circle class="burnup__scope-dot" cx="{coord(sx)}" cy="{coord(sy)}" r="3.5"/>')
            parts.append(f'<circle class="burnup__done-dot" cx="{coord(dx)}" cy="{coord(dy)}" r="3.5"/>')
        else:
            parts.append(area("burnup__area", done, base_y=base_y))
            parts.append(f'<polyline class="burnup__scope" points="{polyline_points(scope)}"/>')
            parts.append(f'<polyline class="burnup__done" points="{polyline_points(done)}"/>')
            parts.append(f'<circle class="burnup__done-dot" cx="{coord(done[-1][0])}" cy="{coord(done[-1][1])}" '
                         'r="3.5"/>')
        last_day, last_done, last_scope = series[-1]
        lx, ly = done[-1]
        anchor = "end" if lx > left + plot_w - 90 else "start"
        offset = -8 if anchor == "end" else 8
        text_y = ly - 10 if ly - 10 > top + 4 else ly + 16
        parts.append(f'<text class="burnup__value" x="{coord(lx + offset)}" y="{coord(text_y)}" text-anchor="{anchor}">'
                     f"{e(points(last_done))} done</text>")
    parts.append("</svg>")
    return safe_join(parts)


def burn_up_table(series: Sequence[SeriesPoint], *, name: str = "") -> SafeString:
    """The burn-up's numbers as a table: the first day, every day done or scope changed, and
    the last day (the days between repeat the row above). Nothing without history."""
    if not series:
        return SafeString("")
    last = len(series) - 1
    rows = [(day_label(day, year=True), points(done), points(scope))
            for index, (day, done, scope) in enumerate(series)
            if index in (0, last) or (done, scope) != tuple(series[index - 1][1:])]
    caption = f"Burn-up of {name}: points done and in scope by day" if name else "Points done and in scope by day"
    return SafeString(data_table(caption, ("Day", "Done", "Scope"), rows, summary="Burn-up as a table"))


def _summary(series, *, start: date, end: date, today: date, name: str, milestones) -> str:
    subject = f"Burn-up of {name}" if name else "Burn-up"
    window = date_range(start, end)
    if not series:
        text = f"{subject}, {window}: no history yet"
    else:
        day, done, scope = series[-1]
        text = (f"{subject}, {window}: {format_number(done)} of {points(scope)} done "
                f"on {day_label(day, year=True)}")
        first_scope = series[0][2]
        if scope != first_scope:
            change = "grew" if scope > first_scope else "shrank"
            text += f"; scope {change} from {points(first_scope)}"
    inside = [m for m in milestones if start <= m[0] <= end]
    if inside:
        text += "; milestones: " + ", ".join(f"{label} {day_label(day)}" for day, label in sorted(inside))
    if start <= today <= end:
        text += f"; today is {day_label(today)}"
    return text
