"""The toolkit every SVG chart is drawn with (goal key-result lines here, the burn-up in
releases, the metrics charts to come): how numbers and dates read on a chart, round tick
values, scales from values to coordinates, short coordinates, and the pieces of a chart
(the scalable frame, grid lines, axis labels, lines and areas).

Charts are one string of SVG built in Python (DESIGN.md, performance habits): text and
attributes pass through `strategy.html.e`, so the result parses as XML whatever a record
is called. Pure functions: no database, no request.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .html import e

PREFIX_UNITS = {"€", "$", "£", "¥", "₹", "CHF"}
TIGHT_UNITS = {"%", "pp", "x", "×"}

Coordinates = Sequence[tuple[float, float]]


# --- numbers and dates ------------------------------------------------------


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


def day_label(day: date, *, year: bool = False) -> str:
    """1 Oct, or 1 Oct 2026."""
    return f"{day.day} {day:%b} {day:%Y}" if year else f"{day.day} {day:%b}"


def date_range(start: date, end: date) -> str:
    """"1 Oct – 31 Dec 2026", or "1 Nov 2026 – 15 Jan 2027" across years."""
    if start == end:
        return day_label(end, year=True)
    if start.year == end.year:
        return f"{day_label(start)} – {day_label(end, year=True)}"
    return f"{day_label(start, year=True)} – {day_label(end, year=True)}"


# --- coordinates, scales and ticks ------------------------------------------


def coord(number: float) -> str:
    """A coordinate, short: 12.0 → "12", 12.345 → "12.35"."""
    text = f"{number:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def clamp(value, low: float, high: float) -> float:
    return max(low, min(high, float(value)))


def y_scale(low: float, high: float, *, top: float, plot_h: float) -> Callable[[object], float]:
    """Value → y coordinate, with `low` at the bottom of the plot and `high` at `top`."""

    def y(value) -> float:
        return top + plot_h - (float(value) - low) / (high - low) * plot_h

    return y


def nice_step(span: float, count: int) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) cutting `span` into about `count`."""
    raw = span / max(count, 1)
    magnitude = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    for multiple in (1, 2, 2.5, 5, 10):
        if raw <= multiple * magnitude:
            return multiple * magnitude
    return 10 * magnitude


def ticks_around(low: float, high: float, count: int = 4) -> tuple[float, float, list[float]]:
    """A rounded domain covering [low, high] and its tick values."""
    step = nice_step(high - low, count)
    start = math.floor(low / step) * step
    end = math.ceil(high / step) * step
    if end == start:
        end = start + step
    ticks, tick = [], start
    while tick <= end + step / 1000:
        ticks.append(round(tick, 10))
        tick += step
    return start, end, ticks


def ticks_from_zero(high: float, count: int = 4) -> list[float]:
    """0 and whole round steps up to at least `high`, for counts and estimates."""
    high = max(high, 1.0)
    step = max(nice_step(high, count), 1.0)
    ticks = [0.0]
    while ticks[-1] < high - 1e-9:
        ticks.append(round(ticks[-1] + step, 6))
    return ticks


# --- pieces of a chart ------------------------------------------------------


def svg_open(css_class: str, label: str, *, width: int, height: int) -> str:
    """The frame of a chart that scales to its container's width: an image to assistive
    technology, `label` saying in words what the drawing shows."""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="{e(css_class)}" viewBox="0 0 {width} {height}" '
            f'width="100%" preserveAspectRatio="xMidYMid meet" role="img" aria-label="{e(label)}">')


def grid(css_class: str, ticks: Iterable[float], y: Callable[[float], float], *,
         left: float, right: float) -> list[str]:
    """A group of horizontal lines across the plot, one per tick."""
    parts = [f'<g class="{e(css_class)}">']
    for tick in ticks:
        ty = coord(y(tick))
        parts.append(f'<line x1="{coord(left)}" x2="{coord(right)}" y1="{ty}" y2="{ty}"/>')
    parts.append("</g>")
    return parts


def y_labels(ticks: Iterable[float], y: Callable[[float], float], *, x: float,
             text: Callable[[float], str]) -> list[str]:
    """The value of each tick, right-aligned at `x` and centred on its grid line."""
    return [f'<text x="{coord(x)}" y="{coord(y(tick))}" text-anchor="end" dominant-baseline="middle">'
            f"{e(text(tick))}</text>" for tick in ticks]


def polyline_points(coords: Coordinates) -> str:
    """The `points` of a polyline through `coords`."""
    return " ".join(f"{coord(px)},{coord(py)}" for px, py in coords)


def area(css_class: str, coords: Coordinates, *, base_y: float) -> str:
    """The area between a line through `coords` and the baseline."""
    base = coord(base_y)
    return (f'<polygon class="{e(css_class)}" points="{coord(coords[0][0])},{base} {polyline_points(coords)} '
            f'{coord(coords[-1][0])},{base}"/>')


def spread_indexes(count: int, most: int) -> list[int]:
    """Up to `most` indexes of `count` items, evenly spread and always the first and the last:
    which days of a long series get an axis label."""
    if count <= 0:
        return []
    if count <= most:
        return list(range(count))
    return sorted({round(i * (count - 1) / (most - 1)) for i in range(most)})


# --- the chart as a table ---------------------------------------------------


def data_table(caption: str, headers: Sequence[str], rows: Iterable[Sequence[str]], *,
               summary: str = "Chart as a table") -> str:
    """The numbers behind a chart as a table in a closed `<details>` under it: what a screen
    reader reads instead of the drawing, and what prints (`data-print-open`). The first
    column heads each row; cells are plain text, escaped here."""
    head = "".join(f'<th scope="col">{e(header)}</th>' for header in headers)
    body = "".join(
        f'<tr><th scope="row">{e(row[0])}</th>' + "".join(f"<td>{e(cell)}</td>" for cell in row[1:]) + "</tr>"
        for row in rows)
    return (f'<details class="chart-table" data-print-open><summary>{e(summary)}</summary>'
            f'<div class="table-wrap"><table class="table table--compact"><caption class="sr-only">{e(caption)}'
            f"</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div></details>")
