"""Timeline roadmaps drawn as HTML + SVG, built in Python from a `roadmap.timeline.Layout`.

A timeline has thousands of bars; a template loop would take half a second to draw them, so
the widget (the fixed left column of group labels, the sticky axis and the scrolling body)
is built here with `html.escape` and `str.join` and inserted into the page once
(DESIGN.md, "Performance habits"). Every user text goes through `_e`.

The body is a list of sections: (group, dy) pairs. The product timeline passes its layout's
groups with dy = 0 (their y's are already absolute); the portfolio timeline stacks the release
band of one layout per product, each shifted by the heights of those above it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils.translation import get_language

from releases.models import Release, StatusCategory
from strategy.html import e

from ..changes import ADDED, DONE, EARLIER, LATER, Change
from ..changes import LEGEND as CHANGE_LEGEND
from ..timeline import (
    HEADER_HEIGHT,
    LABEL_PADDING,
    MARK_ROOM,
    MILESTONE_SIZE,
    PHASE_HEIGHT,
    Axis,
    Bar,
    Group,
    Layout,
    Window,
    Zoom,
    fit_text,
    format_date,
    text_width,
)

LABEL_COLUMN_WIDTH = 232
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")

# Used by the standalone SVG export, which has no stylesheet.
_STATUS_FILL = {
    "not_started": ("#f1f3f6", "#98a1b0", "#344054"),
    "in_progress": ("#e3edff", "#3b82f6", "#1d3f9a"),
    "done": ("#dcfae6", "#17b26a", "#05603a"),
    "wont_do": ("#f8f9fb", "#cfd4dc", "#667085"),
    "planned": ("#f1f3f6", "#98a1b0", "#344054"),
    "released": ("#dcfae6", "#17b26a", "#05603a"),
    "cancelled": ("#f8f9fb", "#cfd4dc", "#667085"),
}
_WARNING = "#dc6803"
_BESIDE_TEXT = "#344054"  # a label beside its bar sits on the page, not on the bar's fill
# The marks of "what changed since": one colour each, in the page and in the export.
CHANGE_COLOURS = {ADDED: "#7a5af8", LATER: "#d92d20", EARLIER: "#0e9384", DONE: "#17b26a"}
STATUS_LEGEND = (("not_started", "Not started"), ("in_progress", "In progress"), ("done", "Done"),
                 ("wont_do", "Won't do"))
RELEASE_LEGEND = (("planned", "Planned"), ("in_progress", "In progress"), ("released", "Released"),
                  ("cancelled", "Cancelled"))
_MILESTONE_TEXT = ' fill="#475467" font-size="11" font-family="system-ui, sans-serif"'
_HEAD_FILL = ' fill="#f8f9fb"'
_RULE = ' stroke="#e2e5eb"'




# What a bar's colour says, in words, for the screen reader's name of the bar.
_STATUS_WORDS = {**dict(StatusCategory.choices), **dict(Release.Status.choices)}


def _status_words() -> dict[str, str]:
    """_STATUS_WORDS translated and lower-cased once per language (a lookup per bar, not a
    gettext call)."""
    language = get_language()
    words = _STATUS_WORDS_BY_LANGUAGE.get(language)
    if words is None:
        words = _STATUS_WORDS_BY_LANGUAGE[language] = {key: str(value).lower() for key, value in _STATUS_WORDS.items()}
    return words


_STATUS_WORDS_BY_LANGUAGE: dict[str | None, dict[str, str]] = {}


# A mark before a bar's label, so that status and conflicts read without colour (in greyscale,
# for colour-blind people, and when bars are coloured by initiative). Not started: no mark.
_STATUS_MARKS = {"in_progress": "◐", "done": "✓", "wont_do": "✕", "released": "✓", "cancelled": "✕"}
_CONFLICT_MARK = "⚠"


def marked_label(bar: Bar, *, conflict: bool) -> tuple[str, float]:
    """The bar's label with its marks in front, and where its text starts. Inside the bar the
    marks take room from the title; beside it they go in the room the layout keeps for them
    (`MARK_ROOM`), so that a label on the left still ends next to its bar."""
    marks = ([_CONFLICT_MARK] if conflict else []) + [_STATUS_MARKS.get(bar.category, "")]
    prefix = " ".join(mark for mark in marks if mark)
    if not prefix or not bar.label:
        return bar.label, bar.label_x
    if bar.label_side != "inside":
        marked = f"{prefix} {bar.label}"
        if bar.label_side == "left":
            return marked, bar.label_x + MARK_ROOM - text_width(f"{prefix} ")
        return marked, bar.label_x
    # A release's label sits in a gap between milestones as wide as the label; a feature's has the whole bar.
    room = text_width(bar.label) if bar.kind == "release" else bar.width - 2 * LABEL_PADDING
    return fit_text(f"{prefix} {bar.title}", room) or bar.label, bar.label_x


def spoken(bar: Bar, *, conflict: bool, change: Change | None = None) -> str:
    """A bar as a screen reader announces it, on one line: what it is, its full title (which
    the label may shorten), status and dates, what changed since the chosen date, and a
    conflict (which the drawing shows by its border and the ⚠ mark)."""
    noun = "Release" if bar.kind == "release" else "Feature"
    words = _status_words()
    parts = [f"{noun} {bar.name}", words[bar.category] if bar.category in words else str(bar.category).lower(),
             bar.dates]
    if change is not None:
        parts.append(change.text.lower())
    if conflict:
        parts.append("has a conflict")
    return ", ".join(part for part in parts if part)


def _n(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:.1f}"


@dataclass(frozen=True)
class Section:
    """A group drawn `dy` px lower than its own y (for stacked portfolio lanes), labelled
    `label` in the left column (its own label when empty), with an optional link."""

    group: Group
    dy: float = 0.0
    label: str = ""
    href: str = ""
    meta: str = ""  # a short figure under the label ("12 features")


@dataclass
class DrawOptions:
    """What the widget needs besides the geometry."""

    href: Callable[[Bar], str] = lambda bar: ""
    data: Mapping[tuple[str, int], Mapping[str, object]] = field(default_factory=dict)  # extra data-* per bar
    editable: bool = False
    conflict_features: frozenset[int] = frozenset()
    conflict_releases: frozenset[int] = frozenset()
    initiative_colours: bool = False  # colour_key holds a "#rrggbb" colour rather than a category
    reschedule_urls: Mapping[str, str] = field(default_factory=dict)  # {"feature": url, "release": url}
    standalone: bool = False  # inline presentation attributes, for the SVG export
    changes: Mapping[int, Change] = field(default_factory=dict)  # "what changed since", by feature id
    bar_x: Callable[[date], float] | None = None  # x of a date, to draw where a moved bar was
    body_width: float = 0.0


@dataclass(frozen=True)
class Drawn:
    html: str
    width: float
    height: float


# --- pieces -------------------------------------------------------------------------------


def _axis_svg(axis: Axis, width: float, today_x: float | None) -> str:
    parts = [f'<svg class="rt-axis" xmlns="http://www.w3.org/2000/svg" width="{_n(width)}" '
             f'height="{axis.height}" viewBox="0 0 {_n(width)} {axis.height}" role="presentation">']
    bands = [band for band in (axis.major, axis.minor) if band]
    for row, band in enumerate(bands):
        y = row * 24
        cls = "rt-axis__major" if row == 0 and len(bands) == 2 else "rt-axis__minor"
        for tick in band:
            parts.append(
                f'<g class="{cls}"><title>{e(tick.title)}</title>'
                f'<line x1="{_n(tick.x)}" x2="{_n(tick.x)}" y1="{y}" y2="{y + 24}"/>'
                f'<text x="{_n(tick.x + 6)}" y="{y + 16}">{e(tick.label)}</text></g>')
        parts.append(f'<line class="rt-axis__rule" x1="0" x2="{_n(width)}" y1="{y + 24}" y2="{y + 24}"/>')
    if today_x is not None:
        parts.append(f'<path class="rt-axis__today" d="M{_n(today_x - 5)} {axis.height - 6} '
                     f'h10 l-5 6 z"><title>Today</title></path>')
    parts.append("</svg>")
    return "".join(parts)


def _colour_attrs(bar: Bar, options: DrawOptions) -> tuple[str, str]:
    """(extra CSS classes, style attribute) for a bar's colour."""
    if bar.kind == "feature" and options.initiative_colours:
        colour = bar.colour_key if _HEX.match(bar.colour_key or "") else ""
        if not colour:
            return " rt-c-none", ""
        return " rt-c-custom", f' style="--c:{colour}"'
    return f" rt-c-{e(bar.colour_key or 'none')}", ""


def _standalone_paint(bar: Bar, options: DrawOptions, conflict: bool) -> tuple[str, str, str]:
    """(fill, stroke, text colour) for the export, which carries no stylesheet."""
    if bar.kind == "feature" and options.initiative_colours and _HEX.match(bar.colour_key or ""):
        fill, stroke, text = bar.colour_key, bar.colour_key, "#101828"
        return fill + '" fill-opacity="0.22', stroke, text
    fill, stroke, text = _STATUS_FILL.get(bar.colour_key, _STATUS_FILL["not_started"])
    return fill, _WARNING if conflict else stroke, text


def _bar_svg(bar: Bar, options: DrawOptions) -> str:
    conflict = (bar.id in options.conflict_features) if bar.kind == "feature" else (
        bar.id in options.conflict_releases)
    extra, style = _colour_attrs(bar, options)
    classes = f"rt-bar rt-bar--{bar.kind}{extra}"
    if conflict:
        classes += " rt-bar--conflict"
    if bar.open_ended:
        classes += " rt-bar--open"
    data = [f'data-kind="{bar.kind}"', f'data-x="{_n(bar.x)}"', f'data-w="{_n(bar.width)}"']
    if bar.start:
        data.append(f'data-start="{bar.start.isoformat()}"')
    if bar.end:
        data.append(f'data-end="{bar.end.isoformat()}"')
    for name, value in options.data.get((bar.kind, bar.id), {}).items():
        data.append(f'data-{name}="{e(value)}"')
    movable = options.editable and not bar.open_ended and bar.kind in options.reschedule_urls
    if movable:
        classes += " rt-bar--movable"
    x, y, w, h = _n(bar.x), _n(bar.y), _n(bar.width), _n(bar.height)
    if options.standalone:
        fill, stroke, text_fill = _standalone_paint(bar, options, conflict)
        box = (f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="4" fill="{fill}" stroke="{stroke}" '
               f'stroke-width="{2 if conflict else 1}"/>')
        text_attrs = f' fill="{text_fill}" font-size="12" font-family="system-ui, sans-serif"'
    else:
        box = f'<rect class="rt-bar__box" x="{x}" y="{y}" width="{w}" height="{h}" rx="4"/>'
        text_attrs = ""
    change = options.changes.get(bar.id) if bar.kind == "feature" else None
    tooltip, name = bar.tooltip, spoken(bar, conflict=conflict, change=change)
    if change is not None:
        classes += f" rt-bar--chg-{change.kind}"
        tooltip = f"{tooltip}\n{change.text}"
    href = options.href(bar)
    # Without a link around it (a share link's view), the bar itself carries the accessible name
    # and, on a page, takes the keyboard focus.
    named = "" if href else f' role="img" aria-label="{e(name)}"'
    if named and not options.standalone:
        named = ' tabindex="0"' + named
    parts = [f'<g{named} class="{classes}"{style} {" ".join(data)}><title>{e(tooltip)}</title>']
    if change is not None and change.kind in (LATER, EARLIER) and options.bar_x is not None:
        parts.append(_ghost(bar, change, options))
    parts.append(box)
    mid = bar.y + bar.height / 2
    if bar.clipped_start or bar.open_start:
        parts.append(f'<path class="rt-bar__clip" d="M{_n(bar.x + 7)} {_n(mid - 4)} l-4 4 l4 4"/>')
    if bar.clipped_end or bar.open_end:
        parts.append(f'<path class="rt-bar__clip" d="M{_n(bar.right - 7)} {_n(mid - 4)} l4 4 l-4 4"/>')
    label, label_x = marked_label(bar, conflict=conflict)
    if label:
        label_class = "rt-bar__label" if bar.label_side == "inside" else "rt-bar__label rt-bar__label--beside"
        if options.standalone and bar.label_side != "inside":
            text_attrs = f' fill="{_BESIDE_TEXT}" font-size="12" font-family="system-ui, sans-serif"'
        parts.append(f'<text class="{label_class}" x="{_n(label_x)}" y="{_n(mid + 4)}"{text_attrs}>'
                     f'{e(label)}</text>')
    if change is not None:
        paint = f' fill="{CHANGE_COLOURS[change.kind]}" stroke="#ffffff"' if options.standalone else ""
        parts.append(f'<circle class="rt-chg rt-chg--{change.kind}" cx="{_n(bar.x)}" cy="{_n(bar.y)}" r="4.5"'
                     f'{paint}/>')
    for marker in bar.milestones:
        half = MILESTONE_SIZE / 2
        diamond = (f'M{_n(marker.x)} {_n(marker.y - half)} l{_n(half)} {_n(half)} l-{_n(half)} {_n(half)} '
                   f'l-{_n(half)} -{_n(half)} z')
        paint = ' fill="#344054" stroke="#ffffff"' if options.standalone else ""
        parts.append(f'<g class="rt-milestone"><title>{e(marker.tooltip)}</title>'
                     f'<path d="{diamond}"{paint}/>')
        if marker.label:
            parts.append(f'<text x="{_n(marker.label_x)}" y="{_n(marker.label_y)}"'
                         f'{_MILESTONE_TEXT if options.standalone else ""}>'
                         f'{e(marker.label)}</text>')
        parts.append("</g>")
    if movable:
        parts.append(f'<rect class="rt-handle" x="{_n(bar.right - 6)}" y="{y}" width="6" height="{h}">'
                     f'<title>Drag to change the end date</title></rect>')
    parts.append("</g>")
    inner = "".join(parts)
    if href:
        return f'<a class="rt-link" href="{e(href)}" aria-label="{e(name)}">{inner}</a>'
    return inner


def _phases_svg(bar: Bar) -> str:
    """A release's phases as thin coloured bands under its bar, each named with its dates.
    Outside the bar's link, so that each keeps its own accessible name."""
    parts = [f'<g class="rt-phases" data-release="{bar.id}">']
    for phase in bar.phases:
        colour = phase.colour if _HEX.match(phase.colour or "") else "#667085"
        parts.append(f'<g class="rt-phase" role="img" aria-label="{e(phase.tooltip)}"><title>{e(phase.tooltip)}</title>'
                     f'<rect x="{_n(phase.x)}" y="{_n(phase.y)}" width="{_n(phase.width)}" height="{_n(PHASE_HEIGHT)}" '
                     f'fill="{colour}"/></g>')
    parts.append("</g>")
    return "".join(parts)


def _ghost(bar: Bar, change: Change, options: DrawOptions) -> str:
    """A dashed outline where a moved bar was, in its lane, cut to the window."""
    start, end = change.was_start or change.was_end, change.was_end or change.was_start
    if start is None or end is None or options.bar_x is None:
        return ""
    left = max(options.bar_x(start), 0.0)
    right = min(options.bar_x(end + timedelta(days=1)), options.body_width)
    if right - left < 2:
        return ""
    paint = f' fill="none" stroke="{CHANGE_COLOURS[change.kind]}" stroke-dasharray="3 2"' if options.standalone else ""
    return (f'<rect class="rt-ghost rt-ghost--{change.kind}" x="{_n(left)}" y="{_n(bar.y + 1)}" '
            f'width="{_n(right - left)}" height="{_n(bar.height - 2)}" rx="3"{paint}/>')


def _group_svg(section: Section, width: float, options: DrawOptions) -> str:
    group = section.group
    head = (f'<rect class="rt-row-head" x="0" y="{_n(group.y)}" width="{_n(width)}" height="{HEADER_HEIGHT}"'
            f'{_HEAD_FILL if options.standalone else ""}/>'
            f'<line class="rt-row-rule" x1="0" x2="{_n(width)}" y1="{_n(group.y + group.height)}" '
            f'y2="{_n(group.y + group.height)}"{_RULE if options.standalone else ""}/>')
    parts = [f'<g class="rt-group rt-group--{group.kind}"'
             + (f' transform="translate(0 {_n(section.dy)})"' if section.dy else "") + ">", head]
    noun = "release" if group.kind == "releases" else "feature"
    if group.hidden_before:
        label = f"◂ {group.hidden_before} earlier"
        parts.append(f'<text class="rt-hidden" x="8" y="{_n(group.y + 18)}"><title>{group.hidden_before} '
                     f'{noun}{"s" if group.hidden_before != 1 else ""} ended before this window</title>'
                     f'{e(label)}</text>')
    if group.hidden_after:
        label = f"{group.hidden_after} later ▸"
        parts.append(f'<text class="rt-hidden" x="{_n(width - 8)}" y="{_n(group.y + 18)}" text-anchor="end">'
                     f'<title>{group.hidden_after} {noun}{"s" if group.hidden_after != 1 else ""} start after '
                     f'this window</title>{e(label)}</text>')
    parts.extend(_bar_svg(bar, options) for bar in group.bars)
    parts.extend(_phases_svg(bar) for bar in group.bars if bar.phases)
    parts.append("</g>")
    return "".join(parts)


def _arrows_svg(layout: Layout) -> str:
    if not layout.arrows:
        return ""
    parts = ['<g class="rt-arrows">']
    for arrow in layout.arrows:
        cls = "rt-arrow rt-arrow--conflict" if arrow.conflict else "rt-arrow"
        marker = "rt-head-warn" if arrow.conflict else "rt-head"
        parts.append(f'<path class="{cls}" d="{e(arrow.path)}" marker-end="url(#{marker})"/>')
    parts.append("</g>")
    return "".join(parts)


_DEFS = ('<defs><marker id="rt-head" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" '
         'orient="auto-start-reverse"><path d="M0 0 L8 4 L0 8 z" fill="#667085"/></marker>'
         '<marker id="rt-head-warn" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" '
         'orient="auto-start-reverse"><path d="M0 0 L8 4 L0 8 z" fill="#dc6803"/></marker></defs>')


def body_svg(*, sections: Sequence[Section], width: float, height: float, axis: Axis, today_x: float | None,
             window: Window, zoom: Zoom, options: DrawOptions, layout: Layout | None = None,
             show_arrows: bool = False, standalone: bool = False) -> str:
    """The scrolling body: gridlines, group rows, bars, milestones, arrows and the today line."""
    root = [f'<svg class="rt-body" xmlns="http://www.w3.org/2000/svg" width="{_n(width)}" height="{_n(height)}" '
            f'viewBox="0 0 {_n(width)} {_n(height)}" data-px-per-day="{_n(zoom.px_per_day)}" '
            f'data-window-start="{window.start.isoformat()}" data-window-end="{window.end.isoformat()}" '
            f'data-zoom="{zoom.value}" role="group" aria-label="Timeline from {e(format_date(window.start))} '
            f'to {e(format_date(window.end))}">', _DEFS]
    grid_attrs = ' stroke="#eef0f3"' if standalone else ""
    root.append('<g class="rt-grid">' + "".join(
        f'<line x1="{_n(t.x)}" x2="{_n(t.x)}" y1="0" y2="{_n(height)}"{grid_attrs}/>' for t in axis.minor) + "</g>")
    root.extend(_group_svg(section, width, options) for section in sections)
    if show_arrows and layout is not None:
        root.append(_arrows_svg(layout))
    if today_x is not None:
        attrs = ' stroke="#4f46e5" stroke-width="1.5"' if standalone else ""
        root.append(f'<line class="rt-today" x1="{_n(today_x)}" x2="{_n(today_x)}" y1="0" y2="{_n(height)}"'
                    f'{attrs}><title>Today</title></line>')
    root.append("</svg>")
    return "".join(root)


def _labels_html(sections: Sequence[Section], height: float) -> str:
    parts = [f'<div class="rt-labels" style="height:{_n(height)}px">']
    for section in sections:
        group = section.group
        top = group.y + section.dy
        label = section.label or group.label
        name = (f'<a href="{e(section.href)}">{e(label)}</a>' if section.href else e(label))
        meta = e(section.meta)
        extra = ""
        # A collapsed line names, on hover, the groups it stands for.
        label_title = ", ".join(group.members) if group.members else label
        if group.unscheduled:
            extra = (f'<span class="rt-labels__undated" title="No dates, even from a release">'
                     f'{group.unscheduled} undated</span>')
        parts.append(
            f'<div class="rt-labels__group rt-labels__group--{group.kind}" style="top:{_n(top)}px;'
            f'height:{_n(group.height)}px"><div class="rt-labels__head" title="{e(label_title)}">'
            f'<span class="rt-labels__name">{name}</span>'
            f'<span class="rt-labels__meta">{meta}</span></div>{extra}</div>')
    parts.append("</div>")
    return "".join(parts)


@dataclass(frozen=True)
class LegendEntry:
    """One swatch of a legend: a colour key (CSS class rt-c-<css>) or an initiative colour."""

    label: str
    css: str = ""
    colour: str = ""


def status_legend() -> list[LegendEntry]:
    return [LegendEntry(label, css) for css, label in STATUS_LEGEND]


def release_legend() -> list[LegendEntry]:
    return [LegendEntry(label, css) for css, label in RELEASE_LEGEND]


def legend_html(entries: Sequence[LegendEntry], *, conflicts: bool = False, milestones: bool = False,
                changes: bool = False, phases: bool = False, label: str = "Legend") -> str:
    """The legend of what colours and marks mean, as a list (pages, shares and print)."""
    items = []
    for entry in entries:
        if entry.colour and _HEX.match(entry.colour):
            swatch = f'<span class="rt-swatch rt-c-custom" style="--c:{entry.colour}" aria-hidden="true"></span>'
        else:
            swatch = f'<span class="rt-swatch rt-c-{e(entry.css or "none")}" aria-hidden="true"></span>'
        items.append(f"<li>{swatch}{e(entry.label)}</li>")
    items.append('<li><span class="rt-swatch rt-swatch--open" aria-hidden="true"></span>Dates from its release or '
                 "open-ended (dashed)</li>")
    if milestones:
        items.append('<li><span class="rt-diamond" aria-hidden="true"></span>Milestone</li>')
    if phases:
        items.append('<li><span class="rt-phase-mark" aria-hidden="true"></span>Release phase (coloured line under '
                     "its release; hover for its name and dates)</li>")
    if conflicts:
        items.append('<li><span class="rt-swatch rt-swatch--conflict" aria-hidden="true"></span>Conflict (orange '
                     "outline): see the list below</li>")
    if changes:
        items.extend(f'<li><span class="rt-chg-dot rt-chg-dot--{kind}" aria-hidden="true"></span>{e(text)}</li>'
                     for kind, text in CHANGE_LEGEND)
    items.append('<li><span class="rt-today-mark" aria-hidden="true"></span>Today</li>')
    return f'<ul class="rt-legend" aria-label="{e(label)}">{"".join(items)}</ul>'


def _legend_svg(entries: Sequence[LegendEntry], *, conflicts: bool, milestones: bool, changes: bool,
                width: float, phases: bool = False) -> tuple[str, float]:
    """The legend as SVG rows under the export, wrapped to `width`: (markup, height)."""
    parts, x, y = [], 12.0, 16.0
    items: list[tuple[str, str]] = []
    for entry in entries:
        colour = entry.colour if entry.colour and _HEX.match(entry.colour) else ""
        if colour:
            swatch = f'fill="{colour}" fill-opacity="0.22" stroke="{colour}"'
        else:
            fill, stroke, _text = _STATUS_FILL.get(entry.css, _STATUS_FILL["not_started"])
            swatch = f'fill="{fill}" stroke="{stroke}"'
        items.append((f'<rect x="{{x}}" y="{{y}}" width="14" height="10" rx="2" {swatch}/>', entry.label))
    items.append(('<rect x="{x}" y="{y}" width="14" height="10" rx="2" fill="#ffffff" stroke="#98a1b0" '
                  'stroke-dasharray="3 2"/>', "Dates from its release or open-ended (dashed)"))
    if milestones:
        items.append(('<path d="M{cx} {y} l5 5 l-5 5 l-5 -5 z" fill="#344054"/>', "Milestone"))
    if phases:
        items.append(('<rect x="{x}" y="{cy}" width="14" height="4" fill="#667085"/>', "Release phase"))
    if conflicts:
        items.append((f'<rect x="{{x}}" y="{{y}}" width="14" height="10" rx="2" fill="#ffffff" stroke="{_WARNING}" '
                      'stroke-width="2"/>', "Conflict (orange outline)"))
    if changes:
        items.extend((f'<circle cx="{{cx}}" cy="{{cy}}" r="4.5" fill="{CHANGE_COLOURS[kind]}"/>', text)
                     for kind, text in CHANGE_LEGEND)
    items.append(('<line x1="{cx}" x2="{cx}" y1="{y}" y2="{y2}" stroke="#4f46e5" stroke-width="1.5" '
                  'stroke-dasharray="4 3"/>', "Today"))
    parts.append(f'<text x="12" y="{_n(y + 9)}" font-weight="600" fill="#344054">Legend</text>')
    x = 70.0
    for shape, text in items:
        advance = 22 + 7 * len(text) + 18
        if x + advance > width and x > 70:
            x, y = 70.0, y + 20
        parts.append(shape.format(x=_n(x), y=_n(y), cx=_n(x + 7), cy=_n(y + 5), y2=_n(y + 10)))
        parts.append(f'<text x="{_n(x + 20)}" y="{_n(y + 9)}" fill="#344054">{e(text)}</text>')
        x += advance
    return "".join(parts), y + 22


def timeline_html(*, sections: Sequence[Section], width: float, height: float, axis: Axis,
                  today_x: float | None, window: Window, zoom: Zoom, options: DrawOptions,
                  layout: Layout | None = None, show_arrows: bool = False, corner: str = "") -> str:
    """The whole widget: a scroll box holding the corner, the sticky axis, the sticky label
    column and the SVG body."""
    body = body_svg(sections=sections, width=width, height=height, axis=axis, today_x=today_x, window=window,
                    zoom=zoom, options=options, layout=layout, show_arrows=show_arrows)
    urls = "".join(f' data-{kind}-url="{e(url)}"' for kind, url in options.reschedule_urls.items())
    today_offset = f' data-today-x="{_n(today_x)}"' if today_x is not None else ""
    return (
        f'<div class="rt" data-timeline data-print-fit{urls}{today_offset} style="--rt-label-w:{LABEL_COLUMN_WIDTH}px;'
        f'--rt-axis-h:{axis.height}px">'
        f'<div class="rt__scroll" tabindex="0" role="region" aria-label="Timeline, scroll sideways for other dates">'
        f'<div class="rt__grid" style="grid-template-columns:{LABEL_COLUMN_WIDTH}px {_n(width)}px">'
        f'<div class="rt__corner">{e(corner)}</div>'
        f'<div class="rt__axis">{_axis_svg(axis, width, today_x)}</div>'
        f'{_labels_html(sections, height)}'
        f'<div class="rt__body">{body}<div class="rt-toast" role="alert" hidden></div></div>'
        "</div></div></div>"
    )


@dataclass(frozen=True)
class Legend:
    """What a legend explains: colour entries, and which marks the drawing uses."""

    entries: Sequence[LegendEntry] = ()
    conflicts: bool = False
    milestones: bool = False
    changes: bool = False
    phases: bool = False  # release phases are drawn under their releases

    def html(self, label: str = "Legend") -> str:
        return legend_html(self.entries, conflicts=self.conflicts, milestones=self.milestones,
                           changes=self.changes, phases=self.phases, label=label)


def standalone_svg(*, sections: Sequence[Section], width: float, height: float, axis: Axis,
                   today_x: float | None, window: Window, zoom: Zoom, options: DrawOptions, title: str,
                   subtitle: str = "", legend: Legend | None = None, layout: Layout | None = None,
                   show_arrows: bool = False) -> str:
    """A self-contained SVG document of the visible timeline (title, labels, axis, body and
    legend), with presentation attributes instead of the stylesheet: what the SVG export
    downloads and the PDF export draws."""
    options = DrawOptions(href=options.href, data={}, editable=False,
                          conflict_features=options.conflict_features,
                          conflict_releases=options.conflict_releases,
                          initiative_colours=options.initiative_colours, standalone=True,
                          changes=options.changes, bar_x=options.bar_x, body_width=options.body_width)
    label_w = LABEL_COLUMN_WIDTH
    axis_h = axis.height
    title_h = 48 if subtitle else 32
    full_width = label_w + width
    legend_svg, legend_h = _legend_svg(legend.entries, conflicts=legend.conflicts, milestones=legend.milestones,
                                       changes=legend.changes, width=full_width,
                                       phases=legend.phases) if legend else ("", 0.0)
    body_top = title_h + axis_h
    full_height = body_top + height + (legend_h + 8 if legend else 0)
    font = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif" font-size="12"'
    parts = ['<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n',
             f'<svg xmlns="http://www.w3.org/2000/svg" width="{_n(full_width)}" height="{_n(full_height)}" '
             f'viewBox="0 0 {_n(full_width)} {_n(full_height)}" {font}>',
             f'<title>{e(title)}</title><rect width="100%" height="100%" fill="#ffffff"/>',
             f'<text x="12" y="21" font-size="14" font-weight="600" fill="#111827">{e(title)}</text>']
    if subtitle:
        parts.append(f'<text x="12" y="38" fill="#475467">{e(subtitle)}</text>')
    # Axis.
    parts.append(f'<g transform="translate({label_w} {title_h})" fill="#475467">')
    bands = [band for band in (axis.major, axis.minor) if band]
    for row, band in enumerate(bands):
        for tick in band:
            parts.append(f'<line x1="{_n(tick.x)}" x2="{_n(tick.x)}" y1="{row * 24}" y2="{row * 24 + 24}" '
                         f'stroke="#e2e5eb"/><text x="{_n(tick.x + 6)}" y="{row * 24 + 16}">{e(tick.label)}</text>')
    parts.append(f'<line x1="0" x2="{_n(width)}" y1="{axis_h}" y2="{axis_h}" stroke="#cfd4dc"/></g>')
    # Labels.
    parts.append(f'<g transform="translate(0 {body_top})">')
    for section in sections:
        group = section.group
        top = group.y + section.dy
        parts.append(f'<rect x="0" y="{_n(top)}" width="{label_w}" height="{HEADER_HEIGHT}" fill="#f8f9fb"/>'
                     f'<text x="12" y="{_n(top + 18)}" font-weight="600" fill="#344054">'
                     f'{e(fit_text(section.label or group.label, label_w - 24))}</text>'
                     f'<line x1="0" x2="{label_w}" y1="{_n(top + group.height)}" y2="{_n(top + group.height)}" '
                     f'stroke="#e2e5eb"/>')
    parts.append(f'<line x1="{label_w}" x2="{label_w}" y1="0" y2="{_n(height)}" stroke="#cfd4dc"/></g>')
    # Body, nested.
    body = body_svg(sections=sections, width=width, height=height, axis=axis, today_x=today_x, window=window,
                    zoom=zoom, options=options, layout=layout, show_arrows=show_arrows, standalone=True)
    # A group rather than a nested <svg>: converters (svglib, for the PDF) scale nested viewports.
    body = "<g" + body[len("<svg"):body.index(">") + 1].replace(' xmlns="http://www.w3.org/2000/svg"', "") + \
        body[body.index(">") + 1:-len("</svg>")] + "</g>"
    body = body.replace('<path class="rt-arrow rt-arrow--conflict"', '<path fill="none" stroke="#dc6803" '
                        'stroke-width="1.5" class="rt-arrow rt-arrow--conflict"')
    body = body.replace('<path class="rt-arrow"', '<path fill="none" stroke="#667085" class="rt-arrow"')
    parts.append(f'<g transform="translate({label_w} {body_top})">{body}</g>')
    if legend:
        parts.append(f'<g transform="translate(0 {_n(body_top + height + 8)})" class="rt-legend-svg">'
                     f'<line x1="0" x2="{_n(full_width)}" y1="0" y2="0" stroke="#e2e5eb"/>{legend_svg}</g>')
    parts.append("</svg>")
    return "".join(parts)


def days_between(first: date, second: date) -> int:
    return second.toordinal() - first.toordinal()
