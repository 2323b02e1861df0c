"""The timeline as a phone reads it: a vertical list, built as one string from the same layout
as the drawing (`roadmap.timeline.Layout`'s groups and bars).

On a 390 px screen a timeline of a year is either too small to read or wider than the page.
So a shared timeline also carries this list, which its stylesheet shows instead of the drawing
on narrow screens: the same groups in the same order (releases, products' lanes), and in each
the bars by start date, each with a compact bar on a track as wide as the window (with today
marked), its full title, key, status, dates, conflict and what changed since an earlier plan.
Built like the drawing, with `strategy.html.e` and `str.join` (DESIGN.md, "Performance habits").
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from releases.models import Release, StatusCategory
from strategy.html import e

from ..timeline import Axis, Bar, Window, format_date
from .timeline import DrawOptions, Section

_WORDS = {**dict(StatusCategory.choices), **dict(Release.Status.choices)}
_MARKS = {"in_progress": "◐", "done": "✓", "wont_do": "✕", "released": "✓", "cancelled": "✕"}


def _pct(value: float, width: float) -> str:
    return f"{max(0.0, min(100.0, 100 * value / width)):.2f}%" if width else "0%"


def _track(bar: Bar, width: float, colour: str) -> str:
    dashed = ' class="rt-agenda__open"' if bar.open_ended else ""
    return (f'<span class="rt-agenda__track" aria-hidden="true"><span{dashed} style="left:{_pct(bar.x, width)};'
            f'width:{_pct(max(bar.width, 3.0), width)}{colour}"></span></span>')


def _item(bar: Bar, width: float, options: DrawOptions, words: dict[str, str]) -> str:
    conflict = bar.id in (options.conflict_features if bar.kind == "feature" else options.conflict_releases)
    change = options.changes.get(bar.id) if bar.kind == "feature" else None
    if bar.kind == "feature" and options.initiative_colours and (bar.colour_key or "").startswith("#"):
        css, colour = "rt-c-custom", f";--c:{e(bar.colour_key)}"
    else:
        css, colour = f"rt-c-{e(bar.colour_key or 'none')}", ""
    mark = _MARKS.get(bar.category, "")
    title = (f'<span class="rt-agenda__mark" aria-hidden="true">{mark}</span>' if mark else "") + e(bar.title)
    meta = [f'<span class="rt-agenda__key">{e(bar.key)}</span>' if bar.key else "",
            e(words.get(bar.category, bar.category)), e(bar.dates)]
    extra = []
    if conflict:
        extra.append('<span class="rt-agenda__conflict">⚠ Conflict</span>')
    if change is not None:
        extra.append(f'<span class="tl-change"><span class="rt-chg-dot rt-chg-dot--{change.kind}" '
                     f'aria-hidden="true"></span>{e(change.text)}</span>')
    for marker in bar.milestones:
        extra.append(f'<span class="rt-agenda__milestone"><span class="rt-diamond" aria-hidden="true"></span>'
                     f'{e(marker.name)} · {e(format_date(marker.date))}</span>')
    classes = f"rt-agenda__item {css}" + (" rt-agenda__item--conflict" if conflict else "") + (
        f" rt-agenda__item--chg-{change.kind}" if change else "")
    return (f'<li class="{classes}">{_track(bar, width, colour)}'
            f'<span class="rt-agenda__title">{title}</span>'
            f'<span class="rt-agenda__meta">{" · ".join(part for part in meta if part)}</span>'
            + (f'<span class="rt-agenda__extra">{"".join(extra)}</span>' if extra else "") + "</li>")


def _scale(axis: Axis, width: float, today_x: float | None) -> str:
    """The window's years or quarters above the list, on the same track as the bars."""
    # About five labels fit a phone's width: every month of a short window, else every few.
    band = axis.minor or axis.major
    step = -(-len(band) // 5)
    if step > 1 and axis.major and len(axis.major) >= 3:
        band, step = axis.major, -(-len(axis.major) // 5)
    band = band[::step]
    ticks = "".join(f'<span class="rt-agenda__tick" style="left:{_pct(tick.x, width)}">{e(tick.label)}</span>'
                    for tick in band if tick.x < width * 0.85)
    today = (f'<span class="rt-agenda__today" style="left:{_pct(today_x, width)}"></span>'
             if today_x is not None else "")
    return f'<div class="rt-agenda__scale" aria-hidden="true">{today}{ticks}</div>'


def agenda_html(*, sections: Sequence[Section], width: float, axis: Axis, today_x: float | None, window: Window,
                options: DrawOptions) -> str:
    """The list of every section's bars in start order (with what it leaves out of the window);
    the page says the window's dates above it."""
    # Status words translated once, not once a bar (each lazy label costs a gettext call).
    words = {key: str(label) for key, label in _WORDS.items()}
    # Today is one dashed line down every track, drawn by the stylesheet at --today.
    today = f' style="--today:{_pct(today_x, width)}"' if today_x is not None else ""
    parts = [f'<div class="rt-agenda{" rt-agenda--today" if today else ""}" role="region" '
             f'aria-label="Timeline as a list"{today}>', _scale(axis, width, today_x)]
    for section in sections:
        group = section.group
        label = section.label or group.label
        if group.kind == "collapsed":
            parts.append(f'<p class="rt-agenda__collapsed">{e(label)}</p>')
            continue
        bars = sorted(group.bars, key=lambda bar: (bar.start or date.min, bar.end or date.max, bar.title))
        hidden = []
        if group.hidden_before:
            hidden.append(f"{group.hidden_before} earlier")
        if group.hidden_after:
            hidden.append(f"{group.hidden_after} later")
        if group.unscheduled:
            hidden.append(f"{group.unscheduled} without dates")
        note = (f'<p class="rt-agenda__hidden">Not in this window: {e(", ".join(hidden))}</p>' if hidden else "")
        items = "".join(_item(bar, width, options, words) for bar in bars)
        parts.append(f'<section class="rt-agenda__group rt-agenda__group--{e(group.kind)}">'
                     f'<h3 class="rt-agenda__head"><span>{e(label)}</span>'
                     f'<span class="rt-agenda__count">{len(bars)}</span></h3>'
                     + (f'<ol class="rt-agenda__items">{items}</ol>' if items else "") + note + "</section>")
    parts.append("</div>")
    return "".join(parts)
