"""Small SVG charts for goals and key results, built in Python.

Every chart is one string of SVG: text and attributes pass through `html.escape`, so a
metric named `<script>` stays text, and the result parses as XML. Each chart is an
image to assistive technology (`role="img"`) with an `aria-label` that says in words
what the drawing shows. Colours come from CSS classes (static/css/goals.css), so the
charts follow the design tokens.

Pure functions: no database, no request. Callers pass local datetimes (or dates).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from decimal import Decimal

from django.utils.safestring import SafeString

from .chart_kit import (
    area,
    clamp,
    coord,
    day_label,
    format_axis,
    format_number,
    format_percent,
    format_value,
    grid,
    polyline_points,
    svg_open,
    ticks_around,
    y_labels,
    y_scale,
)
from .html import e, safe_join

# The numbers goal pages show, from the toolkit, beside the charts.
__all__ = ["format_axis", "format_number", "format_percent", "format_value", "line_chart", "progress_bar",
           "sparkline"]

Point = tuple  # (datetime or date, number)


# --- progress bar -----------------------------------------------------------


def progress_bar(progress, *, expected=None, status: str = "", label: str = "", size: str = "") -> SafeString:
    """A horizontal bar filled to `progress` percent (0–100), with a thin tick at
    `expected` percent when given. `status` picks the fill colour (a goal status such as
    "on_track", or "" for the accent). The bar stretches to its container's width."""
    height = 12 if size == "lg" else 10
    bar = 8 if size == "lg" else 6
    top = (height - bar) / 2
    filled = clamp(progress, 0, 100) if progress is not None else 0.0
    if not label:
        label = "Progress " + format_percent(progress)
        if expected is not None:
            label += ", expected " + format_percent(expected)
    classes = "chart-progress"
    if status:
        classes += f" chart-progress--{status}"
    if size:
        classes += f" chart-progress--{size}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{e(classes)}" width="100%" height="{height}" '
        f'role="img" aria-label="{e(label)}">',
        f'<rect class="chart-progress__track" x="0" y="{coord(top)}" width="100%" height="{bar}" '
        f'rx="{coord(bar / 2)}"/>',
    ]
    if filled > 0:
        parts.append(
            f'<rect class="chart-progress__fill" x="0" y="{coord(top)}" width="{coord(filled)}%" height="{bar}" '
            f'rx="{coord(bar / 2)}"/>'
        )
    if expected is not None:
        at = clamp(expected, 0, 100)
        parts.append(
            f'<line class="chart-progress__expected" x1="{coord(at)}%" x2="{coord(at)}%" y1="0" y2="{height}"/>'
        )
    parts.append("</svg>")
    return safe_join(parts)


# --- line charts ------------------------------------------------------------


def _moment(value) -> float:
    """Seconds since the epoch for a datetime or a date (noon, to sit mid-day)."""
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, date):
        return datetime.combine(value, time(12)).timestamp()
    return float(value)


def _day(value) -> date:
    return value.date() if isinstance(value, datetime) else value


def _day_at(moment: float, sample) -> date:
    """The day of `moment`, in the time zone of `sample` (a datetime or a date)."""
    zone = sample.tzinfo if isinstance(sample, datetime) else None
    return datetime.fromtimestamp(moment, zone).date()


def _summary(name: str, values: list[Decimal], target, unit: str) -> str:
    subject = name or "Value"
    goal = f"target {format_value(target, unit)}"
    if not values:
        return f"{subject}: no check-ins yet, {goal}"
    if len(set(values)) == 1:
        return f"{subject} at {format_value(values[-1], unit)}, {goal}"
    return f"{subject} from {format_value(values[0], unit)} to {format_value(values[-1], unit)}, {goal}"


def _domain(values: list[float]) -> tuple[float, float]:
    low, high = min(values), max(values)
    if low == high:
        pad = abs(low) * 0.1 or 1.0
        return low - pad, high + pad
    return low, high


def _x_positions(moments: list[float], left: float, right: float) -> list[float]:
    if not moments:
        return []
    if len(moments) == 1:
        return [(left + right) / 2]
    first, last = moments[0], moments[-1]
    if last <= first:  # all at the same moment: spread evenly
        step = (right - left) / (len(moments) - 1)
        return [left + i * step for i in range(len(moments))]
    return [left + (m - first) / (last - first) * (right - left) for m in moments]


def sparkline(points: Sequence[Point], *, target, unit: str = "", name: str = "",
              width: int = 120, height: int = 32) -> SafeString:
    """A small line of the check-ins over time with the target as a dashed line and the
    latest value as a dot. `points` are (when, value) pairs, oldest first."""
    values = [Decimal(v) for _, v in points]
    pad = 3.0
    low, high = _domain([float(v) for v in values] + [float(target)])
    y = y_scale(low, high, top=pad, plot_h=height - 2 * pad)
    xs = _x_positions([_moment(when) for when, _ in points], pad, width - pad)
    label = _summary(name, values, target, unit)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-spark" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{e(label)}">',
        f'<line class="chart-target" x1="0" x2="{width}" y1="{coord(y(target))}" y2="{coord(y(target))}"/>',
    ]
    if len(values) >= 2:
        coords = polyline_points([(x, y(v)) for x, v in zip(xs, values, strict=True)])
        parts.append(f'<polyline class="chart-line" points="{coords}"/>')
    if values:
        parts.append(f'<circle class="chart-dot" cx="{coord(xs[-1])}" cy="{coord(y(values[-1]))}" r="2.5"/>')
    parts.append("</svg>")
    return safe_join(parts)


def line_chart(points: Sequence[Point], *, target, start=None, unit: str = "", name: str = "",
               notes: Sequence[str] | None = None, width: int = 720, height: int = 260) -> SafeString:
    """The check-ins of a key result over time: a line with a dot per check-in (each with a
    tooltip of its date, value and note), dates along the x axis, values along the y axis,
    and the target as a labelled dashed line. Scales to its container's width."""
    values = [Decimal(v) for _, v in points]
    notes = list(notes or [""] * len(points))
    left, right, top, bottom = 52.0, 20.0, 22.0, 30.0
    plot_w, plot_h = width - left - right, height - top - bottom
    domain = [float(v) for v in values] + [float(target)]
    if start is not None:
        domain.append(float(start))
    low, high, ticks = ticks_around(*_domain(domain))
    y = y_scale(low, high, top=top, plot_h=plot_h)

    moments = [_moment(when) for when, _ in points]
    xs = _x_positions(moments, left + 8, left + plot_w - 8)
    label = _summary(name, values, target, unit)
    if values:
        label += f", {len(values)} check-in{'s' if len(values) != 1 else ''}"
    parts = [svg_open("chart-line-chart", label, width=width, height=height)]
    parts += grid("chart-grid", ticks, y, left=left, right=left + plot_w)
    parts.append('<g class="chart-axis chart-axis--y">')
    parts += y_labels(ticks, y, x=left - 10, text=lambda tick: format_axis(tick, unit))
    parts.append("</g>")

    # x axis: up to five dates, spread over the time the check-ins cover
    parts.append('<g class="chart-axis chart-axis--x">')
    if points:
        days = [_day(when) for when, _ in points]
        with_year = days[0].year != days[-1].year
        shown: list[tuple[float, date]] = []
        if len(points) == 1 or moments[-1] <= moments[0]:
            shown = [(xs[0], days[0])] if len(set(days)) == 1 else list(zip(xs, days, strict=True))[:5]
        else:
            count = min(5, len(set(days)))
            for i in range(count):
                share = i / (count - 1) if count > 1 else 0
                moment = moments[0] + share * (moments[-1] - moments[0])
                shown.append((left + 8 + share * (plot_w - 16), _day_at(moment, points[0][0])))
        seen = set()
        for i, (x, day) in enumerate(shown):
            if day in seen:
                continue
            seen.add(day)
            anchor = "middle"
            if len(shown) > 1 and i == 0:
                anchor = "start"
            elif len(shown) > 1 and i == len(shown) - 1:
                anchor = "end"
            text = e(day_label(day, year=with_year))
            parts.append(f'<text x="{coord(x)}" y="{coord(height - 8)}" text-anchor="{anchor}">{text}</text>')
    parts.append("</g>")

    # target
    target_y = y(target)
    parts.append(
        f'<line class="chart-target" x1="{coord(left)}" x2="{coord(left + plot_w)}" y1="{coord(target_y)}" '
        f'y2="{coord(target_y)}"/>'
    )
    label_y = target_y - 6 if target_y - 6 > top - 8 else target_y + 14
    parts.append(
        f'<text class="chart-target-label" x="{coord(left + plot_w)}" y="{coord(label_y)}" text-anchor="end">'
        f"Target {e(format_value(target, unit))}</text>"
    )

    if not values:
        parts.append(
            f'<text class="chart-empty" x="{coord(left + plot_w / 2)}" y="{coord(top + plot_h / 2)}" '
            f'text-anchor="middle">No check-ins yet</text>'
        )
    else:
        coords = [(x, y(v)) for x, v in zip(xs, values, strict=True)]
        if len(coords) >= 2:
            parts.append(area("chart-area", coords, base_y=top + plot_h))
            parts.append(f'<polyline class="chart-line" points="{polyline_points(coords)}"/>')
        parts.append('<g class="chart-dots">')
        for (cx, cy), (when, value), note in zip(coords, points, notes, strict=True):
            tip = f"{day_label(_day(when), year=True)}: {format_value(value, unit)}"
            if note:
                tip += f" — {note}"
            parts.append(
                f'<circle class="chart-dot" cx="{coord(cx)}" cy="{coord(cy)}" r="4"><title>{e(tip)}</title></circle>'
            )
        parts.append("</g>")
        last_x, last_y = coords[-1]
        anchor = "end" if last_x > left + plot_w - 60 else "start"
        offset = -8 if anchor == "end" else 8
        parts.append(
            f'<text class="chart-value-label" x="{coord(last_x + offset)}" y="{coord(last_y - 9)}" '
            f'text-anchor="{anchor}">{e(format_value(values[-1], unit))}</text>'
        )
    parts.append("</svg>")
    return safe_join(parts)
