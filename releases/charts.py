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
__all__ = ["bar", "burn_up_chart", "burn_up_table", "capacity_bar", "cycle_time_chart", "date_range", "day_label",
           "format_number", "points", "throughput_chart"]

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
                  forecast: Sequence[tuple[int, date]] = (),
                  width: int = 760, height: int = 280) -> SafeString:
    """Done estimate and scope per day over the release window: the scope line, the done
    line with a soft area, a today marker, milestones as diamonds on the x axis (with
    their names above the plot), dates below and points up the side. `series` runs from
    `start` to the last day with data (today, or the release date when it has passed);
    it may be empty (the release has not started).

    `forecast`, (confidence, date) pairs such as ((50, d50), (85, d85), (95, d95)), draws the
    forecast cone: from today's done figure to the scope line at the earliest and latest
    dates, with a line to each date. When they fall after the release date, the time axis
    stretches to show them (past the later of the release date and today, at most as far again
    as the release is long, four months at least; later dates are drawn at the edge) and a line
    marks the release date."""
    left, right, top, bottom = 48.0, 24.0, 34.0, 34.0
    plot_w, plot_h = width - left - right, height - top - bottom
    base_y = top + plot_h
    release_end = end
    cone = sorted((day, confidence) for confidence, day in forecast if day is not None and day >= today)
    if cone and series:
        end = max(end, min(cone[-1][0], max(end, today) + timedelta(days=max((end - start).days, 120))))
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

    label = _summary(series, start=start, end=release_end, today=today, name=name, milestones=milestones)
    if cone and series:
        label += "; forecast: " + ", ".join(f"{confidence}% likely done by {day_label(day, year=True)}"
                                            for day, confidence in cone)
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
            if tx - left < (76 if with_year else 56) or left + plot_w - tx < 72:
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
        if cone and last_scope > last_done:
            # The forecast starts today, even when the series stopped at a release date already past.
            apex_x = x(today) if last_day < today <= end else lx
            if apex_x != lx:
                parts.append(f'<line class="burnup__forecast-line" x1="{coord(lx)}" y1="{coord(ly)}" '
                             f'x2="{coord(apex_x)}" y2="{coord(ly)}"/>')
            parts += _cone(cone, apex=(apex_x, ly), scope_y=y(last_scope), x=x, right=left + plot_w,
                           labels_below=y(last_scope) - 8 < top + 30)
    if end > release_end and span > 0:
        rx = coord(x(release_end))
        parts.append(f'<line class="burnup__release" x1="{rx}" x2="{rx}" y1="{coord(top)}" y2="{coord(base_y)}"/>')
        parts.append(f'<text class="burnup__release-label" x="{rx}" y="{coord(base_y - 6)}" text-anchor="end" '
                     f'dx="-4">Release date</text>')
    parts.append("</svg>")
    return safe_join(parts)


def _cone(cone: Sequence[tuple[date, int]], *, apex: tuple[float, float], scope_y: float, x, right: float,
          labels_below: bool = False) -> list[str]:
    """The forecast cone: a shaded triangle from the done line's last point to the scope
    line between the earliest and the latest forecast date, and a labelled line per date
    (labels under the scope line when it runs close to the milestone names at the top)."""
    ax, ay = apex

    def at(day: date) -> float:
        return min(x(day), right)

    first, last = at(cone[0][0]), at(cone[-1][0])
    parts = ['<g class="burnup__forecast">',
             f'<polygon class="burnup__cone" points="{coord(ax)},{coord(ay)} {coord(first)},{coord(scope_y)} '
             f'{coord(last)},{coord(scope_y)}"/>']
    for day, confidence in cone:
        fx = at(day)
        parts.append(f'<line class="burnup__forecast-line" x1="{coord(ax)}" y1="{coord(ay)}" x2="{coord(fx)}" '
                     f'y2="{coord(scope_y)}"><title>{confidence}% likely done by {e(day_label(day, year=True))}'
                     "</title></line>")
        parts.append(f'<circle class="burnup__forecast-dot" cx="{coord(fx)}" cy="{coord(scope_y)}" r="3"/>')
    labelled = []
    for day, confidence in cone:
        fx = at(day)
        if any(abs(fx - other) < 30 for other in labelled):
            continue
        labelled.append(fx)
        label_y = scope_y + 15 if labels_below else scope_y - 8
        anchor = "end" if fx > right - 14 else "middle"
        parts.append(f'<text class="burnup__forecast-label" x="{coord(fx)}" y="{coord(label_y)}" '
                     f'text-anchor="{anchor}">{confidence}%</text>')
    parts.append("</g>")
    return parts


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


# --- throughput and cycle time ---------------------------------------------------


def _week_ticks(weeks: Sequence[date], every: int = 4) -> list[int]:
    """Indexes of the weeks worth a date label: every `every`-th, counted from the last."""
    return [i for i in range(len(weeks)) if (len(weeks) - 1 - i) % every == 0]


def throughput_chart(weeks: Sequence[tuple[date, int]], *, today: date, mean: float | None = None,
                     width: int = 760, height: int = 240) -> SafeString:
    """Features finished per ISO week: one bar a week (the current week, still open, paler),
    the count above each bar that has one, week starts below, and the forecast's weekly
    mean as a dashed line when given."""
    left, right, top, bottom = 40.0, 16.0, 20.0, 34.0
    plot_w, plot_h = width - left - right, height - top - bottom
    base_y = top + plot_h
    highest = max([count for _, count in weeks] + [mean or 0, 0])
    ticks = ticks_from_zero(highest) if highest > 0 else [0.0, 1.0]
    y = y_scale(0.0, ticks[-1], top=top, plot_h=plot_h)
    total = sum(count for _, count in weeks)
    label = (f"Features finished per week, {len(weeks)} weeks to the week of {day_label(today, year=True)}: "
             f"{total} in all" + (f", {format_number(round(mean, 1))} a week on average over the forecast's "
                                  "weeks" if mean else ""))
    parts = [svg_open("metric-chart throughput", label, width=width, height=height)]
    parts += grid("metric-chart__grid", ticks if highest > 0 else [], y, left=left, right=left + plot_w)
    parts.append('<g class="metric-chart__axis">')
    parts += y_labels(ticks if highest > 0 else [], y, x=left - 8, text=_tick_text)
    parts.append(f'<line class="metric-chart__baseline" x1="{coord(left)}" x2="{coord(left + plot_w)}" '
                 f'y1="{coord(base_y)}" y2="{coord(base_y)}"/>')
    slot = plot_w / max(len(weeks), 1)
    for i in _week_ticks([w for w, _ in weeks]):
        cx = left + slot * (i + 0.5)
        parts.append(f'<text x="{coord(cx)}" y="{coord(base_y + 18)}" text-anchor="middle">'
                     f"{e(day_label(weeks[i][0]))}</text>")
    parts.append("</g>")
    current = today - timedelta(days=today.weekday())
    bar_w = max(slot * 0.68, 1.0)
    parts.append('<g class="throughput__bars">')
    for i, (week, count) in enumerate(weeks):
        bx = left + slot * i + (slot - bar_w) / 2
        open_week = week == current
        title = f"Week of {day_label(week, year=True)}: {count} finished" + (" so far" if open_week else "")
        parts.append(f'<g><title>{e(title)}</title>')
        if count:
            top_y = y(count)
            css = "throughput__bar throughput__bar--open" if open_week else "throughput__bar"
            parts.append(f'<rect class="{css}" x="{coord(bx)}" y="{coord(top_y)}" width="{coord(bar_w)}" '
                         f'height="{coord(base_y - top_y)}" rx="2"/>')
            if slot >= 16:
                parts.append(f'<text class="throughput__count" x="{coord(bx + bar_w / 2)}" y="{coord(top_y - 4)}" '
                             f'text-anchor="middle">{count}</text>')
        else:
            parts.append(f'<rect class="throughput__hit" x="{coord(bx)}" y="{coord(top)}" width="{coord(bar_w)}" '
                         f'height="{coord(plot_h)}"/>')
        parts.append("</g>")
    parts.append("</g>")
    if mean:
        my = coord(y(mean))
        parts.append(f'<line class="metric-chart__mean" x1="{coord(left)}" x2="{coord(left + plot_w)}" '
                     f'y1="{my}" y2="{my}"/>')
    if highest == 0:
        parts.append(f'<text class="metric-chart__empty" x="{coord(left + plot_w / 2)}" '
                     f'y="{coord(top + plot_h / 2)}" text-anchor="middle">No feature finished in these weeks</text>')
    parts.append("</svg>")
    return safe_join(parts)


def cycle_time_chart(points_: Sequence[tuple[str, str, date, int]], *, start: date, end: date,
                     p50: float | None, p85: float | None, width: int = 760, height: int = 260) -> SafeString:
    """Cycle time of each finished feature as a dot: when it finished (across) against the
    days it took (up), with dashed lines at the 50th and 85th percentiles. `points_` are
    (key, title, finished day, days)."""
    left, right, top, bottom = 40.0, 56.0, 28.0, 34.0
    plot_w, plot_h = width - left - right, height - top - bottom
    base_y = top + plot_h
    span = max((end - start).days, 1)
    highest = max([days for *_, days in points_] + [p85 or 0, 0])
    ticks = ticks_from_zero(highest) if points_ else [0.0, 1.0]
    y = y_scale(0.0, ticks[-1], top=top, plot_h=plot_h)

    def x(day: date) -> float:
        return left + clamp((day - start).days / span, 0.0, 1.0) * plot_w

    label = f"Cycle time of {len(points_)} features finished {date_range(start, end)}"
    if p50 is not None:
        label += f": half took {format_number(p50)} days or less, 85% took {format_number(p85)} days or less"
    parts = [svg_open("metric-chart cycle", label, width=width, height=height)]
    parts += grid("metric-chart__grid", ticks if points_ else [], y, left=left, right=left + plot_w)
    parts.append('<g class="metric-chart__axis">')
    parts += y_labels(ticks if points_ else [], y, x=left - 8, text=_tick_text)
    if points_:
        parts.append(f'<text class="metric-chart__unit" x="{coord(left - 8)}" y="{coord(top - 8)}" '
                     'text-anchor="end">days</text>')
    parts.append(f'<line class="metric-chart__baseline" x1="{coord(left)}" x2="{coord(left + plot_w)}" '
                 f'y1="{coord(base_y)}" y2="{coord(base_y)}"/>')
    parts.append(f'<text x="{coord(left)}" y="{coord(base_y + 18)}" text-anchor="start">'
                 f"{e(day_label(start, year=start.year != end.year))}</text>")
    parts.append(f'<text x="{coord(left + plot_w)}" y="{coord(base_y + 18)}" text-anchor="end">'
                 f"{e(day_label(end, year=True))}</text>")
    for day in _x_ticks(start, end):
        tx = x(day)
        if tx - left < 66 or left + plot_w - tx < 80:  # clear of the end labels
            continue
        parts.append(f'<text x="{coord(tx)}" y="{coord(base_y + 18)}" text-anchor="middle">{e(day_label(day))}</text>')
    parts.append("</g>")
    parts.append('<g class="cycle__dots">')
    for key, title, day, days in points_:
        parts.append(f'<circle class="cycle__dot" cx="{coord(x(day))}" cy="{coord(y(days))}" r="4">'
                     f"<title>{e(key)} {e(title)}: {days} day{'s' if days != 1 else ''}, finished "
                     f"{e(day_label(day, year=True))}</title></circle>")
    parts.append("</g>")
    for value, name in ((p50, "p50"), (p85, "p85")):
        if value is None:
            continue
        ly = coord(y(value))
        parts.append(f'<line class="cycle__line cycle__line--{name}" x1="{coord(left)}" x2="{coord(left + plot_w)}" '
                     f'y1="{ly}" y2="{ly}"/>')
        parts.append(f'<text class="cycle__line-label" x="{coord(left + plot_w + 6)}" y="{ly}" '
                     f'dominant-baseline="middle">{name} {e(format_number(value))}d</text>')
    if not points_:
        parts.append(f'<text class="metric-chart__empty" x="{coord(left + plot_w / 2)}" '
                     f'y="{coord(top + plot_h / 2)}" text-anchor="middle">No finished feature went through an '
                     "in-progress status in these weeks</text>")
    parts.append("</svg>")
    return safe_join(parts)
