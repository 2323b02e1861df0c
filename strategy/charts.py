"""Small SVG charts for goals and key results, built in Python.

Every chart is one string of SVG: text and attributes pass through `html.escape`, so a
metric named `<script>` stays text, and the result parses as XML. Each chart is an
image to assistive technology (`role="img"`) with an `aria-label` that says in words
what the drawing shows. Colours come from CSS classes (static/css/goals.css), so the
charts follow the design tokens.

Pure functions: no database, no request. Callers pass local datetimes (or dates).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.safestring import SafeString, mark_safe

from .html import e

PREFIX_UNITS = {"€", "$", "£", "¥", "₹", "CHF"}
TIGHT_UNITS = {"%", "pp", "x", "×"}

Point = tuple  # (datetime or date, number)


# --- numbers ----------------------------------------------------------------


def format_number(value) -> str:
    """1234.5 → "1,234.5"; 130.00 → "130"; None → "—"."""
    if value is None:
        return "—"
    try:
        number = Decimal(value).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError):
        return str(value)
    if number == number.to_integral_value():
        return f"{number:,.0f}"
    return f"{number:,.2f}".rstrip("0")


def format_value(value, unit: str = "") -> str:
    """A value with its unit where people expect it: "€1,200", "42%", "130 users"."""
    text = format_number(value)
    unit = (unit or "").strip()
    if value is None or not unit:
        return text
    if unit in PREFIX_UNITS:
        return f"-{unit}{text[1:]}" if text.startswith("-") else f"{unit}{text}"
    if unit in TIGHT_UNITS:
        return f"{text}{unit}"
    return f"{text}\u2009{unit}" if len(unit) <= 3 else f"{text} {unit}"


def format_percent(value) -> str:
    """Progress as people read it: whole percents ("42%"), with one decimal only below 1 %
    so a sliver of progress does not read as none. None → "—"."""
    if value is None:
        return "—"
    number = Decimal(value)
    if 0 < number < 1:
        return f"{number.quantize(Decimal('0.1'))}%"
    return f"{number.quantize(Decimal('1'), rounding=ROUND_HALF_UP):.0f}%"


def format_axis(value, unit: str = "") -> str:
    """A short axis label: 12,500 → "12.5k"; prefix and tight units kept, word units left
    to the chart's label."""
    number = float(value)
    for threshold, size, suffix in ((1e9, 1e9, "B"), (1e6, 1e6, "M"), (1e4, 1e3, "k")):
        if abs(number) >= threshold:
            text = f"{number / size:.1f}".rstrip("0").rstrip(".") + suffix
            break
    else:
        text = format_number(value)
    unit = (unit or "").strip()
    if unit in PREFIX_UNITS:
        return f"-{unit}{text[1:]}" if text.startswith("-") else f"{unit}{text}"
    if unit in TIGHT_UNITS:
        return f"{text}{unit}"
    return text




def _f(number: float) -> str:
    """A coordinate, short: 12.0 → "12", 12.345 → "12.35"."""
    text = f"{number:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _clamp(value, low: float, high: float) -> float:
    return max(low, min(high, float(value)))


# --- progress bar -----------------------------------------------------------


def progress_bar(progress, *, expected=None, status: str = "", label: str = "", size: str = "") -> SafeString:
    """A horizontal bar filled to `progress` percent (0–100), with a thin tick at
    `expected` percent when given. `status` picks the fill colour (a goal status such as
    "on_track", or "" for the accent). The bar stretches to its container's width."""
    height = 12 if size == "lg" else 10
    bar = 8 if size == "lg" else 6
    top = (height - bar) / 2
    filled = _clamp(progress, 0, 100) if progress is not None else 0.0
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
        f'<rect class="chart-progress__track" x="0" y="{_f(top)}" width="100%" height="{bar}" rx="{_f(bar / 2)}"/>',
    ]
    if filled > 0:
        parts.append(
            f'<rect class="chart-progress__fill" x="0" y="{_f(top)}" width="{_f(filled)}%" height="{bar}" '
            f'rx="{_f(bar / 2)}"/>'
        )
    if expected is not None:
        at = _clamp(expected, 0, 100)
        parts.append(
            f'<line class="chart-progress__expected" x1="{_f(at)}%" x2="{_f(at)}%" y1="0" y2="{height}"/>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped or numeric


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

    def y(value) -> float:
        return height - pad - (float(value) - low) / (high - low) * (height - 2 * pad)

    xs = _x_positions([_moment(when) for when, _ in points], pad, width - pad)
    label = _summary(name, values, target, unit)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-spark" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{e(label)}">',
        f'<line class="chart-target" x1="0" x2="{width}" y1="{_f(y(target))}" y2="{_f(y(target))}"/>',
    ]
    if len(values) >= 2:
        coords = " ".join(f"{_f(x)},{_f(y(v))}" for x, v in zip(xs, values, strict=True))
        parts.append(f'<polyline class="chart-line" points="{coords}"/>')
    if values:
        parts.append(f'<circle class="chart-dot" cx="{_f(xs[-1])}" cy="{_f(y(values[-1]))}" r="2.5"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped or numeric


def _nice_step(span: float, count: int) -> float:
    raw = span / max(count, 1)
    magnitude = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    for multiple in (1, 2, 2.5, 5, 10):
        if raw <= multiple * magnitude:
            return multiple * magnitude
    return 10 * magnitude


def _y_ticks(low: float, high: float, count: int = 4) -> tuple[float, float, list[float]]:
    """A rounded domain covering [low, high] and its tick values."""
    step = _nice_step(high - low, count)
    start = math.floor(low / step) * step
    end = math.ceil(high / step) * step
    if end == start:
        end = start + step
    ticks, tick = [], start
    while tick <= end + step / 1000:
        ticks.append(round(tick, 10))
        tick += step
    return start, end, ticks


def _date_label(day: date, with_year: bool) -> str:
    return f"{day.day} {day:%b} {day:%Y}" if with_year else f"{day.day} {day:%b}"


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
    low, high, ticks = _y_ticks(*_domain(domain))

    def y(value) -> float:
        return top + plot_h - (float(value) - low) / (high - low) * plot_h

    moments = [_moment(when) for when, _ in points]
    xs = _x_positions(moments, left + 8, left + plot_w - 8)
    label = _summary(name, values, target, unit)
    if values:
        label += f", {len(values)} check-in{'s' if len(values) != 1 else ''}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-line-chart" viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMidYMid meet" role="img" aria-label="{e(label)}">',
        '<g class="chart-grid">',
    ]
    for tick in ticks:
        ty = _f(y(tick))
        parts.append(f'<line x1="{_f(left)}" x2="{_f(left + plot_w)}" y1="{ty}" y2="{ty}"/>')
    parts.append("</g>")
    parts.append('<g class="chart-axis chart-axis--y">')
    for tick in ticks:
        parts.append(
            f'<text x="{_f(left - 10)}" y="{_f(y(tick))}" text-anchor="end" dominant-baseline="middle">'
            f"{e(format_axis(tick, unit))}</text>"
        )
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
            text = e(_date_label(day, with_year))
            parts.append(f'<text x="{_f(x)}" y="{_f(height - 8)}" text-anchor="{anchor}">{text}</text>')
    parts.append("</g>")

    # target
    target_y = y(target)
    parts.append(
        f'<line class="chart-target" x1="{_f(left)}" x2="{_f(left + plot_w)}" y1="{_f(target_y)}" '
        f'y2="{_f(target_y)}"/>'
    )
    label_y = target_y - 6 if target_y - 6 > top - 8 else target_y + 14
    parts.append(
        f'<text class="chart-target-label" x="{_f(left + plot_w)}" y="{_f(label_y)}" text-anchor="end">'
        f"Target {e(format_value(target, unit))}</text>"
    )

    if not values:
        parts.append(
            f'<text class="chart-empty" x="{_f(left + plot_w / 2)}" y="{_f(top + plot_h / 2)}" '
            f'text-anchor="middle">No check-ins yet</text>'
        )
    else:
        coords = [(x, y(v)) for x, v in zip(xs, values, strict=True)]
        if len(coords) >= 2:
            base = _f(top + plot_h)
            area = " ".join(f"{_f(cx)},{_f(cy)}" for cx, cy in coords)
            parts.append(
                f'<polygon class="chart-area" points="{_f(coords[0][0])},{base} {area} {_f(coords[-1][0])},{base}"/>'
            )
            parts.append(f'<polyline class="chart-line" points="{area}"/>')
        parts.append('<g class="chart-dots">')
        for (cx, cy), (when, value), note in zip(coords, points, notes, strict=True):
            tip = f"{_date_label(_day(when), True)}: {format_value(value, unit)}"
            if note:
                tip += f" — {note}"
            parts.append(
                f'<circle class="chart-dot" cx="{_f(cx)}" cy="{_f(cy)}" r="4"><title>{e(tip)}</title></circle>'
            )
        parts.append("</g>")
        last_x, last_y = coords[-1]
        anchor = "end" if last_x > left + plot_w - 60 else "start"
        offset = -8 if anchor == "end" else 8
        parts.append(
            f'<text class="chart-value-label" x="{_f(last_x + offset)}" y="{_f(last_y - 9)}" '
            f'text-anchor="{anchor}">{e(format_value(values[-1], unit))}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped or numeric
