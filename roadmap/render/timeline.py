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
from datetime import date

from releases.models import Release, StatusCategory
from strategy.html import e

from ..timeline import (
    HEADER_HEIGHT,
    LABEL_PADDING,
    MILESTONE_SIZE,
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
_MILESTONE_TEXT = ' fill="#475467" font-size="11" font-family="system-ui, sans-serif"'
_HEAD_FILL = ' fill="#f8f9fb"'
_RULE = ' stroke="#e2e5eb"'




# What a bar's colour says, in words, for the screen reader's name of the bar.
_STATUS_WORDS = {**dict(StatusCategory.choices), **dict(Release.Status.choices)}


# A mark before a bar's label, so that status and conflicts read without colour (in greyscale,
# for colour-blind people, and when bars are coloured by initiative). Not started: no mark.
_STATUS_MARKS = {"in_progress": "◐", "done": "✓", "wont_do": "✕", "released": "✓", "cancelled": "✕"}
_CONFLICT_MARK = "⚠"


def marked_label(bar: Bar, *, conflict: bool) -> str:
    """The bar's label with its marks in front, shortened to the room the label had."""
    marks = ([_CONFLICT_MARK] if conflict else []) + [_STATUS_MARKS.get(bar.category, "")]
    prefix = " ".join(mark for mark in marks if mark)
    if not prefix or not bar.label:
        return bar.label
    # A release's label sits in a gap between milestones as wide as the label; a feature's has the whole bar.
    room = text_width(bar.label) if bar.kind == "release" else bar.width - 2 * LABEL_PADDING
    return fit_text(f"{prefix} {bar.title}", room) or bar.label


def spoken(bar: Bar, *, conflict: bool) -> str:
    """A bar as a screen reader announces it: what it is, its title, status and dates, and a
    conflict (which the drawing shows by its border and the ⚠ mark)."""
    noun = "Release" if bar.kind == "release" else "Feature"
    name, dates = bar.tooltip.split("\n", 1)
    parts = [f"{noun} {name}", str(_STATUS_WORDS.get(bar.category, bar.category)).lower(), dates]
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
    parts = [f'<g class="{classes}"{style} {" ".join(data)}><title>{e(bar.tooltip)}</title>', box]
    mid = bar.y + bar.height / 2
    if bar.clipped_start or bar.open_start:
        parts.append(f'<path class="rt-bar__clip" d="M{_n(bar.x + 7)} {_n(mid - 4)} l-4 4 l4 4"/>')
    if bar.clipped_end or bar.open_end:
        parts.append(f'<path class="rt-bar__clip" d="M{_n(bar.right - 7)} {_n(mid - 4)} l4 4 l-4 4"/>')
    label = marked_label(bar, conflict=conflict)
    if label:
        parts.append(f'<text class="rt-bar__label" x="{_n(bar.label_x)}" y="{_n(mid + 4)}"{text_attrs}>'
                     f'{e(label)}</text>')
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
    href = options.href(bar)
    if href:
        return f'<a class="rt-link" href="{e(href)}" aria-label="{e(spoken(bar, conflict=conflict))}">{inner}</a>'
    if not options.standalone:
        # Without a link (a share link's view), the bar still takes the keyboard focus and says what it is.
        return inner.replace("<g ", f'<g tabindex="0" role="img" aria-label="{e(spoken(bar, conflict=conflict))}" ', 1)
    return inner


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
        if group.unscheduled:
            extra = (f'<span class="rt-labels__undated" title="No dates, even from a release">'
                     f'{group.unscheduled} undated</span>')
        parts.append(
            f'<div class="rt-labels__group rt-labels__group--{group.kind}" style="top:{_n(top)}px;'
            f'height:{_n(group.height)}px"><div class="rt-labels__head" title="{e(label)}">'
            f'<span class="rt-labels__name">{name}</span>'
            f'<span class="rt-labels__meta">{meta}</span></div>{extra}</div>')
    parts.append("</div>")
    return "".join(parts)


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
        f'<div class="rt" data-timeline{urls}{today_offset} style="--rt-label-w:{LABEL_COLUMN_WIDTH}px;'
        f'--rt-axis-h:{axis.height}px">'
        f'<div class="rt__scroll" tabindex="0" role="region" aria-label="Timeline, scroll sideways for other dates">'
        f'<div class="rt__grid" style="grid-template-columns:{LABEL_COLUMN_WIDTH}px {_n(width)}px">'
        f'<div class="rt__corner">{e(corner)}</div>'
        f'<div class="rt__axis">{_axis_svg(axis, width, today_x)}</div>'
        f'{_labels_html(sections, height)}'
        f'<div class="rt__body">{body}<div class="rt-toast" role="alert" hidden></div></div>'
        "</div></div></div>"
    )


def standalone_svg(*, sections: Sequence[Section], layout: Layout, options: DrawOptions, title: str,
                   show_arrows: bool) -> str:
    """A self-contained SVG document of the visible timeline (labels, axis and body), with
    presentation attributes instead of the stylesheet: what the export downloads."""
    options = DrawOptions(href=options.href, data={}, editable=False,
                          conflict_features=options.conflict_features,
                          conflict_releases=options.conflict_releases,
                          initiative_colours=options.initiative_colours, standalone=True)
    label_w = LABEL_COLUMN_WIDTH
    axis_h = layout.axis.height
    title_h = 32
    width = label_w + layout.width
    height = title_h + axis_h + layout.height
    font = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif" font-size="12"'
    parts = ['<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n',
             f'<svg xmlns="http://www.w3.org/2000/svg" width="{_n(width)}" height="{_n(height)}" '
             f'viewBox="0 0 {_n(width)} {_n(height)}" {font}>',
             f'<title>{e(title)}</title><rect width="100%" height="100%" fill="#ffffff"/>',
             f'<text x="12" y="21" font-size="14" font-weight="600" fill="#111827">{e(title)}</text>']
    # Axis.
    parts.append(f'<g transform="translate({label_w} {title_h})" fill="#475467">')
    bands = [band for band in (layout.axis.major, layout.axis.minor) if band]
    for row, band in enumerate(bands):
        for tick in band:
            parts.append(f'<line x1="{_n(tick.x)}" x2="{_n(tick.x)}" y1="{row * 24}" y2="{row * 24 + 24}" '
                         f'stroke="#e2e5eb"/><text x="{_n(tick.x + 6)}" y="{row * 24 + 16}">{e(tick.label)}</text>')
    parts.append(f'<line x1="0" x2="{_n(layout.width)}" y1="{axis_h}" y2="{axis_h}" stroke="#cfd4dc"/></g>')
    # Labels.
    parts.append(f'<g transform="translate(0 {title_h + axis_h})">')
    for section in sections:
        group = section.group
        top = group.y + section.dy
        parts.append(f'<rect x="0" y="{_n(top)}" width="{label_w}" height="{HEADER_HEIGHT}" fill="#f8f9fb"/>'
                     f'<text x="12" y="{_n(top + 18)}" font-weight="600" fill="#344054">'
                     f'{e((section.label or group.label)[:30])}</text>'
                     f'<line x1="0" x2="{label_w}" y1="{_n(top + group.height)}" y2="{_n(top + group.height)}" '
                     f'stroke="#e2e5eb"/>')
    parts.append(f'<line x1="{label_w}" x2="{label_w}" y1="0" y2="{_n(layout.height)}" stroke="#cfd4dc"/></g>')
    # Body, nested.
    body = body_svg(sections=sections, width=layout.width, height=layout.height, axis=layout.axis,
                    today_x=layout.today_x, window=layout.window, zoom=layout.zoom, options=options, layout=layout,
                    show_arrows=show_arrows, standalone=True)
    body = body.replace('<path class="rt-arrow rt-arrow--conflict"', '<path fill="none" stroke="#dc6803" '
                        'stroke-width="1.5" class="rt-arrow rt-arrow--conflict"')
    body = body.replace('<path class="rt-arrow"', '<path fill="none" stroke="#667085" class="rt-arrow"')
    parts.append(f'<g transform="translate({label_w} {title_h + axis_h})">{body}</g></svg>')
    return "".join(parts)


def days_between(first: date, second: date) -> int:
    return second.toordinal() - first.toordinal()
