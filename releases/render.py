"""HTML of the planning pages' big repeated parts, built in Python: the backlog's rows, the
board's columns and cards, and the value/effort matrix.

A backlog or a board may show 2,000 features; drawing them with template loops costs tens
of times more than joining escaped strings (DESIGN.md, performance). Every function here
takes plain rows (`releases.selectors.feature_rows`), passes every text and attribute
through `html.escape`, and returns one SafeString that a template inserts once.

Pure: no database, no request. Links come from a `Links` built once per page. Besides, the
fields of the release page's add-forms (`fields_html`)."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.forms import BoundField
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from strategy.chart_kit import format_axis, format_number
from strategy.html import e

from .models import Release, ReleasePhase, StatusCategory

CATEGORY_CLASS = {
    StatusCategory.NOT_STARTED: "todo",
    StatusCategory.IN_PROGRESS: "doing",
    StatusCategory.DONE: "done",
    StatusCategory.WONT_DO: "wont",
}
_SENTINEL = 987654321  # a feature number no real URL contains, split out of a reversed URL



def _safe(parts: Iterable[str]) -> SafeString:
    return mark_safe("".join(parts))  # noqa: S308 - every part is built from escaped values


# --- forms -------------------------------------------------------------------------

# Drawn fields of unbound forms, by what decides their drawing. A dozen fields cost a release
# page ~5 ms through Django's widget templates (an include per select option), for the same
# bytes on every visit.
_FIELDS_HTML: dict[tuple, SafeString] = {}
_FIELDS_HTML_LIMIT = 256


def fields_html(template_name: str, form) -> SafeString:
    """`template_name` drawn with `form`. An unbound form draws the same HTML for the same
    fields, choices, attributes and initial values in the same language (no errors, no
    data), so that HTML is kept per process under those; a bound form is drawn each time."""
    if form.is_bound:
        return render_to_string(template_name, {"form": form})
    key = (template_name, get_language(), type(form), form.prefix, form.auto_id, repr(form.initial), tuple(
        (name, type(f), f.required, repr(f.initial), repr(sorted(f.widget.attrs.items())),
         tuple((str(value), str(label)) for value, label in f.choices) if hasattr(f, "choices") else ())
        for name, f in form.fields.items()))
    return _kept(key, lambda: render_to_string(template_name, {"form": form}))


def _kept(key: tuple, draw) -> SafeString:
    found = _FIELDS_HTML.get(key)
    if found is None:
        if len(_FIELDS_HTML) >= _FIELDS_HTML_LIMIT:
            _FIELDS_HTML.clear()
        found = _FIELDS_HTML[key] = draw()
    return found


class KeptWidgetBoundField(BoundField):
    """A form field whose widget, while its form is unbound, is drawn once per process for
    the same field, attributes, initial value and language, like `fields_html` (a form's
    `bound_field_class`: the feature page's small forms, drawn with `{{ field }}`)."""

    def as_widget(self, widget=None, attrs=None, only_initial=False):
        if self.form.is_bound or widget is not None or attrs or only_initial:
            return super().as_widget(widget, attrs, only_initial)
        field = self.field
        key = ("widget", get_language(), type(self.form), self.name, self.auto_id, field.required,
               repr(self.initial), repr(sorted(field.widget.attrs.items())), str(self.help_text))
        return _kept(key, super().as_widget)


# --- small formatters ---------------------------------------------------------


def format_points(value) -> str:
    """An estimate: 3 → "3", 2.5 → "2.5", None → ""."""
    if value is None:
        return ""
    return format_number(value)


def format_day(value: date | None, today: date | None = None) -> str:
    """"14 Mar", or "14 Mar 2027" outside the current year."""
    if value is None:
        return ""
    today = today or date.today()
    return f"{value.day} {value:%b}" if value.year == today.year else f"{value.day} {value:%b %Y}"


def initials(full_name: str | None, email: str | None) -> str:
    """As `User.initials`: from the full name, or from the part of the email before the @."""
    parts = (full_name or (email or "").split("@")[0]).replace(".", " ").split()
    return "".join(part[0] for part in parts[:2]).upper()


def person_name(row: dict) -> str:
    return row.get("assignee__full_name") or row.get("assignee__email") or ""


def _avatar(row: dict) -> str:
    if not row.get("assignee_id"):
        return ""
    name, letters = person_name(row), initials(row.get("assignee__full_name"), row.get("assignee__email"))
    return (f'<span class="avatar avatar--sm" data-initial="{e(letters[:1])}" title="{e(name)}" '
            f'aria-hidden="true">{e(letters or "?")}</span>')


def _status_badge(row: dict) -> str:
    css = CATEGORY_CLASS.get(row["status__category"], "todo")
    name = e(row["status__name"])
    return f'<span class="badge badge--dot badge--status-{css}" title="{name}">{name}</span>'


def _initiative_chip(row: dict) -> str:
    if not row.get("initiative_id"):
        return ""
    colour = row.get("initiative__colour") or "#0ea5e9"
    return (f'<span class="chip" title="Initiative: {e(row["initiative__name"])}">'
            f'<span class="chip__dot" style="background:{e(colour)}"></span>'
            f'<span class="chip__text">{e(row["initiative__name"])}</span></span>')


def _tags(tags: Sequence[str], limit: int | None = None) -> str:
    if not tags:
        return ""
    shown = list(tags if limit is None else tags[:limit])
    parts = [f'<span class="tag">{e(tag)}</span>' for tag in shown]
    if limit is not None and len(tags) > limit:
        rest = ", ".join(tags[limit:])
        parts.append(f'<span class="tag tag--more" title="{e(rest)}">+{len(tags) - limit}</span>')
    return f'<span class="tags">{"".join(parts)}</span>'


# --- links ----------------------------------------------------------------------


@dataclass(frozen=True)
class Links:
    """Feature links of one product, computed once: `feature_detail` reversed with a
    sentinel number and split, so 2,000 rows cost no 2,000 `reverse` calls."""

    prefix: str
    suffix: str

    @classmethod
    def for_product(cls, workspace_slug: str, product_key: str) -> Links:
        url = reverse("releases:feature_detail", args=[workspace_slug, product_key, _SENTINEL])
        prefix, _sep, suffix = url.partition(str(_SENTINEL))
        return cls(prefix=prefix, suffix=suffix)

    def feature(self, number: int) -> str:
        return f"{self.prefix}{number}{self.suffix}"


def _conflict_flag(messages: list[str]) -> str:
    if not messages:
        return ""
    text = "\n".join(messages)
    return f'<span class="flag flag--conflict" title="Conflict: {e(text)}" tabindex="0" role="img"></span>'


def _blocked_flag(blockers: list[str]) -> str:
    if not blockers:
        return ""
    text = "Blocked by " + ", ".join(blockers) + " (not done yet)"
    return f'<span class="flag flag--blocked" title="{e(text)}" tabindex="0" role="img"></span>'


# --- backlog ----------------------------------------------------------------------


@dataclass
class BacklogOptions:
    links: Links
    conflicts: dict[int, list[str]] = field(default_factory=dict)  # feature id -> messages
    can_edit: bool = False
    rankable: bool = False  # manual order shown: drag handle and move buttons
    top_number: int | None = None  # the first feature of the whole backlog
    today: date | None = None
    # Of the whole list when the rows are a window of it (bars stay comparable between windows).
    top_score: object = None
    top_demand: object = None


def rice_bar(score, maximum) -> str:
    """The RICE score with a small bar (drawn by CSS from `--w`), relative to the largest score shown."""
    if score is None:
        return '<span class="rice rice--none" title="Not scored yet">—</span>'
    share = float(score) / float(maximum) * 100 if maximum else 0
    share = max(2.0, min(100.0, share)) if score > 0 else 0.0
    return f'<span class="rice" style="--w:{share:.0f}%">{format_number(score)}</span>'


def score_with_demand_bar(row: dict, maximum) -> str:
    """The score with demand (shown in the RICE column while the backlog is sorted by it) with a bar
    relative to the largest shown; its title says how the RICE score was raised."""
    score, rice = row["score_with_demand"], row["rice_score"]
    if score is None:
        return rice_bar(None, maximum)
    score = Decimal(score).quantize(Decimal("0.1"))
    share = float(score) / float(maximum) * 100 if maximum else 0
    share = max(2.0, min(100.0, share)) if score > 0 else 0.0
    factor = f" × {Decimal(row['score_with_demand']) / rice:.2f} for demand" if rice else ""
    return (f'<span class="rice" style="--w:{share:.0f}%" title="RICE score {format_number(rice)}{factor}">'
            f'{format_number(score)}</span>')


def format_demand(value) -> str:
    """Weighted demand (revenue) as people read it in a table: 1,250,000 → "1.25M", 48,000 → "48k"."""
    value = Decimal(value or 0)
    for limit, suffix in ((Decimal(1_000_000_000), "B"), (Decimal(1_000_000), "M"), (Decimal(1_000), "k")):
        if value >= limit:
            return f"{float(value / limit):.3g}{suffix}"
    return f"{value:.0f}"


def demand_bar(demand, maximum) -> str:
    """A feature's weighted demand (from feedback) with a small bar relative to the largest shown."""
    if not demand:
        return '<span class="rice rice--none" title="No customer demand recorded">—</span>'
    share = max(2.0, min(100.0, float(demand) / float(maximum) * 100)) if maximum else 0.0
    return (f'<span class="rice" style="--w:{share:.0f}%" title="{format_number(demand)}">'
            f'{format_demand(demand)}</span>')


def _move_value(number: int, after: int | None, before: int | None) -> str:
    return f"{number}:{'' if after is None else after}:{'' if before is None else before}"


def _move_button(direction: str, label: str, value: str | None) -> str:
    """A keyboard / no-JavaScript move button (its arrow drawn by CSS); hidden where it has
    nowhere to go (planning.js shows and hides them as rows move)."""
    hidden = " hidden" if value is None else ""
    return (f'<button class="mv" form="rank-form" name="move" value="{value or ""}" data-move="{direction}" '
            f'aria-label="{label}"{hidden}></button>')


class Memo(dict):
    """Per-render memo: the same status, release, person or date is drawn once and reused."""

    def get_or(self, key, make):
        value = self.get(key)
        if value is None:
            value = self[key] = make()
        return value


INLINE_FIELDS: dict[str, tuple[str, ...]] = {
    # The backlog cells an editor changes in place, and the feature fields each one edits.
    "status": ("status",),
    "release": ("release",),
    "assignee": ("assignee",),
    "estimate": ("estimate",),
    "rice": ("reach", "impact", "confidence", "effort"),
}
CELL_LABELS = {"status": "Status", "release": "Release", "assignee": "Assignee", "estimate": "Estimate",
               "rice": "RICE score"}


def _release_cell(row: dict) -> str:
    return e(row["release__name"]) if row["release_id"] else '<span class="subtle">Unscheduled</span>'


def _person_cell(row: dict) -> str:
    if not row["assignee_id"]:
        return '<span class="subtle">—</span>'
    return f'{_avatar(row)}<span class="sr-only">{e(person_name(row))}</span>'


def _end_cell(row: dict, today: date, memo: Memo) -> str:
    end = row["effective_end"]
    if end is None:
        return '<span class="subtle">—</span>'
    if row["end_date"]:
        return memo.get_or(("end", end), lambda d=end: (
            f'<time datetime="{d.isoformat()}">{format_day(d, today)}</time>'))
    return memo.get_or(("inherited", end, row["release_id"]), lambda d=end, r=row: (
        f'<time class="inherited" datetime="{d.isoformat()}" title="The release date of '
        f'{e(r["release__name"])}">{format_day(d, today)}</time>'))


@dataclass
class _RowContext:
    links: Links
    can_edit: bool
    today: date
    maximum: object
    with_demand: bool
    memo: Memo


def _editable(row: dict, name: str, css: str, inner: str, href: str, swap: str | None) -> str:
    """One cell an editor can change in place: a link to the full form (which works without
    JavaScript) that planning.js turns into the cell's editor (Enter or click). Kept small: a
    2,000-row backlog draws 10,000 of them. planning.js gives the cells their ids and the
    link its accessible name; the cells an edit answers (`swap`: "" or the out-of-band
    attribute) carry their id and the feature's new version themselves."""
    head = "" if swap is None else f' id="c-{row["number"]}-{name}" data-v="{row["version"]}"{swap}'
    return f'<td class="{css} bcell"{head}><a href="{href}" data-cell="{name}">{inner}</a></td>'


def backlog_cells(row: dict, ctx: _RowContext, *, swap: str | None = None) -> dict[str, str]:
    """The cells of one row an inline edit can change, by name: the five editable ones."""
    memo = ctx.memo
    status = memo.get_or(("status", row["status_id"]), lambda: _status_badge(row))
    release = memo.get_or(("release", row["release_id"]), lambda: _release_cell(row))
    person = memo.get_or(("person", row["assignee_id"]), lambda: _person_cell(row))
    estimate = row["estimate"]
    rice = score_with_demand_bar(row, ctx.maximum) if ctx.with_demand else rice_bar(row["rice_score"], ctx.maximum)
    if not ctx.can_edit:
        return {"status": f'<td class="brow__status">{status}</td>',
                "release": f'<td class="brow__release">{release}</td>',
                "assignee": f'<td class="brow__person">{person}</td>',
                "estimate": f'<td class="col-num brow__estimate">{format_points(estimate)}</td>',
                "rice": f'<td class="brow__rice">{rice}</td>'}
    # Relative to the backlog (…/products/KEY/backlog/), where every one of these cells lives.
    href = f'../features/{row["number"]}/edit/'
    points = format_points(estimate) if estimate is not None else '<span class="subtle">—</span>'
    return {
        "status": _editable(row, "status", "brow__status", status, href, swap),
        "release": _editable(row, "release", "brow__release", release, href, swap),
        "assignee": _editable(row, "assignee", "brow__person", person, href, swap),
        "estimate": _editable(row, "estimate", "col-num brow__estimate", points, href, swap),
        "rice": _editable(row, "rice", "brow__rice", rice, href, swap),
    }


def backlog_rows(rows: Sequence[dict], options: BacklogOptions, shown: range | None = None) -> SafeString:
    """The backlog table's <tr>s: handle, checkbox, key, title with tags, status, release,
    initiative, assignee, estimate, RICE (the score with demand while sorted by it), demand,
    end date, and the keyboard move buttons. For editors, status, release, assignee, estimate
    and RICE are cells they can change in place. `shown`: the indexes of the rows to draw when
    `rows` also holds a window's neighbours (named by the move buttons of its first and last rows)."""
    with_demand = bool(rows) and "score_with_demand" in rows[0]
    score = "score_with_demand" if with_demand else "rice_score"
    maximum = options.top_score if options.top_score is not None else (
        max((r[score] for r in rows if r[score] is not None), default=None))
    most_demand = options.top_demand if options.top_demand is not None else (
        max((r["demand"] for r in rows), default=None))
    numbers = [r["number"] for r in rows]
    today = options.today or date.today()
    links, can_edit, rankable = options.links, options.can_edit, options.can_edit and options.rankable
    memo = Memo()
    ctx = _RowContext(links=links, can_edit=can_edit, today=today, maximum=maximum, with_demand=with_demand,
                      memo=memo)
    handle = '<span class="drag-handle" title="Drag to reorder"></span>' if rankable else ""
    out = []
    for i in shown if shown is not None else range(len(rows)):
        row = rows[i]
        number = row["number"]
        key = e(row["key"])
        messages = options.conflicts.get(row["id"])
        url = links.feature(number)
        out.append(f'<tr id="f-{number}" class="brow{" brow--conflict" if messages else ""}" '
                   f'data-number="{number}" data-key="{key}" data-v="{row["version"]}">')
        if can_edit:
            out.append(f'<td class="brow__check">{handle}<input type="checkbox" name="numbers" value="{number}" '
                       f'form="bulk-form" aria-label="Select {key}" data-select></td>')
        title = e(row["title"])
        out.append(f'<td class="brow__key"><a class="fkey" href="{e(url)}">{key}</a>')
        out.append(f'<span id="c-{number}-flags">{_conflict_flag(messages) if messages else ""}</span>')
        out.append('</td><td class="brow__title"><div class="brow__t">')
        out.append(f'<a class="row-link" href="{e(url)}" title="{title}">{title}</a>')
        if row["tags"]:
            out.append(memo.get_or(("tags", tuple(row["tags"])), lambda r=row: _tags(r["tags"])))
        out.append("</div></td>")
        cells = backlog_cells(row, ctx)
        out.append(cells["status"])
        out.append(cells["release"])
        out.append('<td class="brow__initiative">')
        if row["initiative_id"]:
            out.append(memo.get_or(("initiative", row["initiative_id"]), lambda r=row: _initiative_chip(r)))
        out.append("</td>")
        out.append(cells["assignee"])
        out.append(cells["estimate"])
        out.append(cells["rice"])
        out.append(f'<td class="brow__demand">{demand_bar(row["demand"], most_demand)}</td><td class="brow__end">')
        out.append(f'<span id="c-{number}-end">{_end_cell(row, today, memo)}</span>')
        if rankable:
            # Over the end of the row, shown on hover and keyboard focus (planning.css).
            above = numbers[i - 1] if i >= 1 else None
            below = numbers[i + 1] if i + 1 < len(numbers) else None
            two_above = numbers[i - 2] if i >= 2 else None
            two_below = numbers[i + 2] if i + 2 < len(numbers) else None
            top = options.top_number
            out.append('<span class="brow__moves">')
            out.append(_move_button("up", f"Move {key} up",
                                    _move_value(number, two_above, above) if above is not None else None))
            out.append(_move_button("down", f"Move {key} down",
                                    _move_value(number, below, two_below) if below is not None else None))
            out.append(_move_button("top", f"Move {key} to the top",
                                    None if top is None or top == number else _move_value(number, None, top)))
            out.append("</span>")
        out.append("</td></tr>")
    return _safe(out)


def backlog_more_row(*, url: str, page_url: str, shown: int, total: int, next_count: int,
                     columns: int) -> SafeString:
    """The row after a backlog window: htmx swaps it for the next window (`url`) once it
    scrolls into view or its link is pressed; without JavaScript the link opens the page at
    that window (`page_url`)."""
    return _safe([
        f'<tr class="brow-more" data-more hx-get="{e(url)}" hx-trigger="revealed, click" hx-swap="outerHTML">'
        f'<td colspan="{columns}"><span class="brow-more__note">Showing {shown:,} of {total:,}. </span>'
        f'<a href="{e(page_url)}" class="brow-more__link">Show the next {next_count:,}</a></td></tr>'])


def backlog_row_cells(row: dict, links: Links, *, edited: str, conflicts: list[str] | None, maximum,
                      today: date | None = None) -> SafeString:
    """After an inline edit of `row`: the edited cell (swapped in place of its editor), then
    every other cell the change may have touched, swapped by id out of band (htmx), each
    carrying the feature's new version for the next edit."""
    today = today or date.today()
    ctx = _RowContext(links=links, can_edit=True, today=today, maximum=maximum,
                      with_demand="score_with_demand" in row, memo=Memo())
    number = row["number"]
    main = backlog_cells(row, ctx, swap="")[edited]
    others = [html for name, html in backlog_cells(row, ctx, swap=' hx-swap-oob="true"').items() if name != edited]
    flag = _conflict_flag(conflicts) if conflicts else ""
    others.append(f'<span id="c-{number}-flags" hx-swap-oob="true">{flag}</span>')
    others.append(f'<span id="c-{number}-end" hx-swap-oob="true">{_end_cell(row, today, ctx.memo)}</span>')
    return _safe([main, *others])


# --- board --------------------------------------------------------------------------


@dataclass
class Column:
    """A board column: a workflow status and its cards' rows."""

    status_id: int
    name: str
    category: str
    retired: bool = False
    rows: list[dict] = field(default_factory=list)  # its cards (the first window of them)
    more_url: str = ""  # where the cards after `rows` come from, when there are more
    more_on_scroll: bool = True  # fetched as the column scrolls into view, not only when asked

    @property
    def total(self) -> int:
        """Every card of the column, shown or not (`column_total` of board_window's rows)."""
        return self.rows[0].get("column_total", len(self.rows)) if self.rows else 0

    @property
    def estimate(self) -> Decimal:
        if self.rows and "column_points" in self.rows[0]:
            return self.rows[0]["column_points"] or Decimal(0)
        return sum((r["estimate"] or Decimal(0) for r in self.rows), Decimal(0))


@dataclass
class BoardOptions:
    statuses: list[tuple[int, str]] = field(default_factory=list)  # active (id, name), in order
    conflicts: dict[int, list[str]] = field(default_factory=dict)
    blockers: dict[int, list[str]] = field(default_factory=dict)  # feature id -> keys not done
    can_edit: bool = False


def board_move_template(options: BoardOptions) -> SafeString:
    """The form that moves a card to another status from the keyboard, drawn once per board:
    planning.js copies it into a card's "Move" menu when it opens (hundreds of cards would
    otherwise carry hundreds of copies of the same list of statuses)."""
    choices = "".join(f'<option value="{pk}">{e(name)}</option>' for pk, name in options.statuses)
    return _safe([f'<template id="board-move-template"><form class="kcard__moveform" data-move-form>'
                  f'<select name="status" class="input--sm">{choices}</select>'
                  f'<button type="submit" class="btn btn--sm">Move</button></form></template>'])


def board_card(row: dict, options: BoardOptions, memo: Memo | None = None) -> str:
    """One card: key and flags, title, tags (at most two), estimate and assignee, and for
    editors a menu that moves it (from the keyboard)."""
    memo = Memo() if memo is None else memo
    number, key = row["number"], e(row["key"])
    conflicts = options.conflicts.get(row["id"])
    blockers = options.blockers.get(row["id"])
    classes = "kcard" + (" kcard--conflict" if conflicts else "") + (" kcard--blocked" if blockers else "")
    estimate = row["estimate"]
    # Relative to the board (…/products/KEY/board/), where every card lives: a big board draws
    # hundreds of cards, each linking to its feature three times.
    url = f"../features/{number}/"
    title = e(row["title"])
    drag = ' draggable="true"' if options.can_edit else ""
    parts = [
        f'<article class="{classes}" id="card-{number}" data-number="{number}" data-key="{key}" '
        f'data-estimate="{estimate if estimate is not None else 0}" data-status="{row["status_id"]}" '
        f'data-version="{row.get("version", "")}" data-rank="{e(row["rank"])}"'
        f'{drag}><div class="kcard__top">',
        f'<a class="fkey" href="{e(url)}">{key}</a>',
        '<span class="kcard__flags">',
        _blocked_flag(blockers) if blockers else "",
        _conflict_flag(conflicts) if conflicts else "",
        "</span>",
    ]
    if options.can_edit:
        # Without JavaScript the menu links to the feature's form; with it, it holds the board's
        # move form (board_move_template).
        parts.append(f'<details class="kcard__move" data-move-menu><summary title="Move to another status">'
                     f'<span class="sr-only">Move {key}</span></summary>'
                     f'<a class="kcard__edit" href="{e(url)}edit/">Change its status</a></details>')
    parts += [
        '</div><p class="kcard__title">',
        f'<a class="kcard__link" href="{e(url)}">{title}</a>',
        '</p><div class="kcard__meta">',
        memo.get_or(("tags", tuple(row["tags"])), lambda: _tags(row["tags"], limit=2)) if row["tags"] else "",
        '<span class="kcard__spacer"></span>',
    ]
    if estimate is not None:
        points = format_points(estimate)
        parts.append(f'<span class="kcard__points" title="Estimate: {points} points">{points}</span>')
    if row["assignee_id"]:
        parts.append(memo.get_or(("avatar", row["assignee_id"]), lambda: _avatar(row)))
    parts.append("</div></article>")  # planning.js adds the line that says why a move was refused
    return "".join(parts)


def board_columns(columns: Sequence[Column], options: BoardOptions, memo: Memo | None = None) -> SafeString:
    """Every column with its header (name, count, estimate sum, a collapse button) and cards."""
    memo = Memo() if memo is None else memo
    out = []
    for column in columns:
        css = CATEGORY_CLASS.get(column.category, "todo")
        count, points = column.total, format_points(column.estimate) or "0"
        classes = f"kcol kcol--{css}" + (" kcol--retired" if column.retired else "")
        drop = "" if column.retired else " data-drop"
        label = f"{column.name}: {count} feature{'s' if count != 1 else ''}, {points} points"
        name = e(column.name)
        out.append(f'<section class="{classes}" data-status="{column.status_id}" aria-label="{e(label)}">')
        out.append(
            f'<header class="kcol__head"><button type="button" class="kcol__collapse" data-collapse '
            f'aria-expanded="true" aria-label="Collapse {name}" title="Collapse or expand this column"></button>'
            f'<span class="kcol__dot" aria-hidden="true"></span>'
            f'<h2 class="kcol__name">{name}</h2>'
            + ('<span class="kcol__retired">Retired</span>' if column.retired else "")
            + f'<span class="count" data-count>{count}</span>'
            f'<span class="kcol__sum" title="Sum of estimates"><span data-sum>{e(points)}</span> pts</span>'
            f"</header>"
        )
        out.append(f'<div class="kcol__body"{drop}>')
        out.extend(board_card(row, options, memo) for row in column.rows)
        if not column.rows:
            out.append('<p class="kcol__empty">No features</p>')
        if column.more_url and count > len(column.rows):
            out.append(board_more_button(url=column.more_url, shown=len(column.rows), total=count,
                                         on_scroll=column.more_on_scroll))
        out.append("</div></section>")
    return _safe(out)


def board_more_button(*, url: str, shown: int, total: int, on_scroll: bool = True) -> str:
    """The end of a column that holds more cards than it shows: "50 of 812", and a button that
    htmx swaps for the next cards (and the next button) when pressed or, `on_scroll`, scrolled
    into view (a swimlane's columns load only when asked: a screen of lanes would fetch them all)."""
    trigger = "click, intersect once" if on_scroll else "click"
    return (f'<div class="kcol__more" data-more><span class="kcol__shown">{shown:,} of {total:,}</span>'
            f'<button type="button" class="btn btn--sm btn--ghost" hx-get="{e(url)}" '
            f'hx-trigger="{trigger}" hx-target="closest .kcol__more" hx-swap="outerHTML">Show more</button>'
            f'</div>')


@dataclass
class Lane:
    """A swimlane of the board: the features of one initiative, release or assignee (or of
    none), in the board's columns."""

    key: str
    name: str
    columns: list[Column]
    colour: str = ""

    @property
    def count(self) -> int:
        return sum(column.total for column in self.columns)


LANE_FIELDS = {
    # ?lanes=<value>: (the row's id field, its name, the lane of features without one)
    "initiative": ("initiative_id", "initiative__name", "No initiative"),
    "release": ("release_id", "release__name", "Unscheduled"),
    "assignee": ("assignee_id", None, "Unassigned"),
}


def board_lanes(rows: Sequence[dict], statuses: Sequence[tuple[int, str, str, bool]], by: str) -> list[Lane]:
    """The rows in swimlanes `by` initiative, release or assignee, each lane with every active
    column (and the retired ones that hold its cards). `statuses`: (id, name, category,
    retired) in workflow order. Named lanes first (releases by date, others by name), then
    the lane of features without one; lanes without cards are left out."""
    id_field, name_field, none_name = LANE_FIELDS[by]
    grouped: dict[object, list[dict]] = {}
    for row in rows:
        grouped.setdefault(row[id_field], []).append(row)

    def lane_name(sample: dict) -> str:
        return person_name(sample) if by == "assignee" else sample[name_field]

    def order(item):
        lane_id, members = item
        if lane_id is None:
            return (1, "", "")
        sample = members[0]
        if by == "release":
            return (0, str(sample["release__release_date"] or ""), lane_name(sample).lower())
        return (0, "", lane_name(sample).lower())

    lanes = []
    for lane_id, members in sorted(grouped.items(), key=order):
        by_status: dict[int, list[dict]] = {}
        for row in members:
            by_status.setdefault(row["status_id"], []).append(row)
        columns = [Column(status_id=pk, name=name, category=category, retired=retired, rows=by_status.get(pk, []))
                   for pk, name, category, retired in statuses if not retired or by_status.get(pk)]
        sample = members[0]
        lanes.append(Lane(key=f"{by}-{lane_id if lane_id is not None else 'none'}",
                          name=lane_name(sample) if lane_id is not None else none_name, columns=columns,
                          colour=(sample.get("initiative__colour") or "") if by == "initiative" and lane_id else ""))
    return lanes


def board_lane_sections(lanes: Sequence[Lane], options: BoardOptions) -> SafeString:
    """Each lane: its heading (name and how many features), then its columns side by side."""
    memo = Memo()
    out = []
    for lane in lanes:
        count = lane.count
        dot = f'<span class="lane__dot" style="background:{e(lane.colour)}" aria-hidden="true"></span>' \
            if lane.colour else ""
        out.append(f'<section class="lane" data-lane="{e(lane.key)}" aria-label="{e(lane.name)}: {count} '
                   f'feature{"s" if count != 1 else ""}"><h2 class="lane__head">{dot}'
                   f'<span class="lane__name">{e(lane.name)}</span><span class="count">{count}</span></h2>'
                   f'<div class="lane__cols">')
        out.append(board_columns(lane.columns, options, memo))
        out.append("</div></section>")
    return _safe(out)


# --- value / effort ---------------------------------------------------------------------

QUICK_WINS, BIG_BETS, FILL_INS, MONEY_PITS = "quick_wins", "big_bets", "fill_ins", "money_pits"
QUADRANTS = {
    QUICK_WINS: ("Quick wins", "High value, low effort: do these first."),
    BIG_BETS: ("Big bets", "High value, high effort: plan them deliberately."),
    FILL_INS: ("Fill-ins", "Low value, low effort: when there is slack."),
    MONEY_PITS: ("Money pits", "Low value, high effort: question these."),
}


def rice_value(row: dict) -> float | None:
    """Reach × impact × confidence (the RICE numerator), or None while a part is missing."""
    if row.get("reach") is None or row.get("impact") is None or row.get("confidence") is None:
        return None
    return float(row["reach"]) * float(row["impact"]) * float(row["confidence"]) / 100


def is_scored(row: dict) -> bool:
    return rice_value(row) is not None and row.get("effort") is not None and row["effort"] > 0


def quadrant(value: float, effort: float, value_split: float, effort_split: float) -> str:
    high = value >= value_split
    low_effort = effort <= effort_split
    if high:
        return QUICK_WINS if low_effort else BIG_BETS
    return FILL_INS if low_effort else MONEY_PITS


@dataclass
class Point:
    row: dict
    value: float
    effort: float
    quadrant: str


@dataclass
class Matrix:
    svg: SafeString
    points: list[Point]
    by_quadrant: dict[str, list[Point]]
    unscored: list[dict]
    value_split: float | None
    effort_split: float | None
    log_value: bool
    log_effort: bool


class _Scale:
    """Maps a domain onto pixels, linearly or on a log scale (for values spanning orders of magnitude)."""

    def __init__(self, values: list[float], start: float, end: float, *, allow_log: bool = True):
        positive = [v for v in values if v > 0]
        low, high = (min(positive), max(positive)) if positive else (1.0, 10.0)
        self.log = allow_log and bool(positive) and high / low >= 20
        if self.log:
            self.low = 10 ** math.floor(math.log10(low))
            self.high = 10 ** math.ceil(math.log10(high))
            if self.high <= self.low:
                self.high = self.low * 10
        else:
            top = max(values) if values else 1.0
            step = _nice_step(top or 1.0)
            self.low, self.high = 0.0, math.ceil(top * 1.08 / step) * step or step
        self.start, self.end = start, end

    def __call__(self, value: float) -> float:
        if self.log:
            value = min(max(value, self.low), self.high)
            share = (math.log10(value) - math.log10(self.low)) / (math.log10(self.high) - math.log10(self.low))
        else:
            share = (value - self.low) / (self.high - self.low)
        return self.start + share * (self.end - self.start)

    def ticks(self) -> list[float]:
        if self.log:
            ticks, tick = [], self.low
            while tick <= self.high * 1.0001:
                ticks.append(tick)
                tick *= 10
            return ticks
        step = _nice_step(self.high)
        return [i * step for i in range(int(round(self.high / step)) + 1)]


def _nice_step(top: float, count: int = 5) -> float:
    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    for multiple in (1, 2, 2.5, 5, 10):
        if raw <= multiple * magnitude:
            return multiple * magnitude
    return 10 * magnitude


def _place_label(px: float, py: float, length: int, left_edge: float, right_edge: float,
                 placed: list[tuple[float, float, float, float]]) -> tuple[float, str] | None:
    """Where a point's key label goes: right of the point, else left, else nowhere (the
    tooltip still names it), so labels never overlap one another or other points."""
    width, height = length * 6.4 + 2, 12.0
    candidates = [(px + 8, "start", px + 8), (px - 8, "end", px - 8 - width)]
    if px > right_edge - 60:
        candidates.reverse()
    for x, anchor, left in candidates:
        if left < left_edge or left + width > right_edge:
            continue
        box = (left, py - height / 2, width, height)
        if not any(box[0] < bx + bw and bx < box[0] + box[2] and box[1] < by + bh and by < box[1] + box[3]
                   for bx, by, bw, bh in placed if (bx, by, bw, bh) != (px - 5, py - 5, 10, 10)):
            placed.append(box)
            return x, anchor
    return None


def _memo(function):
    """`function` of one hashable argument, remembering its answers (for one drawing)."""
    found: dict = {}

    def remembered(value):
        if value not in found:
            found[value] = function(value)
        return found[value]
    return remembered


def value_effort_matrix(rows: Sequence[dict], links: Links, *, width: int = 880, height: int = 520,
                        label_limit: int = 60) -> Matrix:
    """Place every scored feature by value (reach × impact × confidence, y) and effort (x).
    The quadrants split at the median value and the median effort of the features shown;
    features missing a RICE part are returned as `unscored`."""
    scored, unscored, values = [], [], []
    for r in rows:
        value = rice_value(r)
        if value is not None and r.get("effort") is not None and r["effort"] > 0:  # as `is_scored`
            scored.append(r)
            values.append(value)
        else:
            unscored.append(r)
    efforts = [float(r["effort"]) for r in scored]
    value_split = statistics.median(values) if values else None
    effort_split = statistics.median(efforts) if efforts else None
    points = [Point(row=r, value=v, effort=e, quadrant=quadrant(v, e, value_split, effort_split))
              for r, v, e in zip(scored, values, efforts, strict=True)]
    by_quadrant: dict[str, list[Point]] = {name: [] for name in QUADRANTS}
    for point in sorted(points, key=lambda p: (-(p.row["rice_score"] or 0), p.row["rank"])):
        by_quadrant[point.quadrant].append(point)

    left, right, top, bottom = 64.0, 24.0, 20.0, 52.0
    x = _Scale(efforts, left, width - right)
    y = _Scale(values, height - bottom, top)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="matrix" viewBox="0 0 {width} {height}" width="100%" '
        f'preserveAspectRatio="xMidYMid meet" role="group" aria-labelledby="matrix-title matrix-desc">',
        '<title id="matrix-title">Value against effort</title>',
        f'<desc id="matrix-desc">{len(points)} scored features. '
        + "; ".join(f"{QUADRANTS[q][0]}: {len(by_quadrant[q])}" for q in QUADRANTS) + ".</desc>",
    ]
    plot_left, plot_right, plot_top, plot_bottom = left, width - right, top, height - bottom
    split_x = x(effort_split) if effort_split is not None else (plot_left + plot_right) / 2
    split_y = y(value_split) if value_split is not None else (plot_top + plot_bottom) / 2
    regions = [
        (QUICK_WINS, plot_left, plot_top, split_x - plot_left, split_y - plot_top),
        (BIG_BETS, split_x, plot_top, plot_right - split_x, split_y - plot_top),
        (FILL_INS, plot_left, split_y, split_x - plot_left, plot_bottom - split_y),
        (MONEY_PITS, split_x, split_y, plot_right - split_x, plot_bottom - split_y),
    ]
    for name, rx, ry, rw, rh in regions:
        parts.append(f'<rect class="matrix__q matrix__q--{name}" x="{rx:.1f}" y="{ry:.1f}" '
                     f'width="{max(rw, 0):.1f}" height="{max(rh, 0):.1f}"/>')
    # grid and axes
    parts.append('<g class="matrix__grid">')
    for tick in y.ticks():
        ty = y(tick)
        parts.append(f'<line x1="{plot_left:.1f}" x2="{plot_right:.1f}" y1="{ty:.1f}" y2="{ty:.1f}"/>')
    for tick in x.ticks():
        tx = x(tick)
        parts.append(f'<line x1="{tx:.1f}" x2="{tx:.1f}" y1="{plot_top:.1f}" y2="{plot_bottom:.1f}"/>')
    parts.append("</g>")
    parts.append('<g class="matrix__axis">')
    for tick in y.ticks():
        parts.append(f'<text x="{plot_left - 8:.1f}" y="{y(tick):.1f}" text-anchor="end" '
                     f'dominant-baseline="middle">{e(format_axis(tick))}</text>')
    for tick in x.ticks():
        parts.append(f'<text x="{x(tick):.1f}" y="{plot_bottom + 16:.1f}" text-anchor="middle">'
                     f'{e(format_axis(tick))}</text>')
    x_title = "Effort (person-months" + (", log scale)" if x.log else ")") + " →"
    y_title = "Value (reach × impact × confidence" + (", log scale)" if y.log else ")") + " →"
    parts.append(f'<text class="matrix__title" x="{(plot_left + plot_right) / 2:.1f}" y="{height - 10:.1f}" '
                 f'text-anchor="middle">{e(x_title)}</text>')
    parts.append(f'<text class="matrix__title" transform="translate(16 {(plot_top + plot_bottom) / 2:.1f}) '
                 f'rotate(-90)" text-anchor="middle">{e(y_title)}</text>')
    parts.append("</g>")
    if points:
        parts.append(f'<line class="matrix__split" x1="{split_x:.1f}" x2="{split_x:.1f}" y1="{plot_top:.1f}" '
                     f'y2="{plot_bottom:.1f}"/>')
        parts.append(f'<line class="matrix__split" x1="{plot_left:.1f}" x2="{plot_right:.1f}" y1="{split_y:.1f}" '
                     f'y2="{split_y:.1f}"/>')
    corners = {
        QUICK_WINS: (plot_left + 10, plot_top + 20, "start"),
        BIG_BETS: (plot_right - 10, plot_top + 20, "end"),
        FILL_INS: (plot_left + 10, plot_bottom - 10, "start"),
        MONEY_PITS: (plot_right - 10, plot_bottom - 10, "end"),
    }
    for name, (cx, cy, anchor) in corners.items():
        parts.append(f'<text class="matrix__label matrix__label--{name}" x="{cx:.1f}" y="{cy:.1f}" '
                     f'text-anchor="{anchor}">{e(QUADRANTS[name][0])}</text>')
    parts.append('<g class="matrix__points">')
    show_labels = len(points) <= label_limit
    placed: list[tuple[float, float, float, float]] = [
        (x(p.effort) - 5, y(p.value) - 5, 10, 10) for p in points] if show_labels else []
    number = _memo(format_number)  # thousands of points share a few scores and efforts
    for point in sorted(points, key=lambda p: -p.value):
        row = point.row
        px, py = x(point.effort), y(point.value)
        tip = (f'{row["key"]} {row["title"]}\nRICE score {number(row["rice_score"])} · '
               f'value {number(round(point.value, 1))} · effort {number(point.effort)} person-months')
        url = links.feature(row["number"])
        css = f"matrix__point matrix__point--{CATEGORY_CLASS.get(row['status__category'], 'todo')}"
        inner = f'<circle class="{css}" cx="{px:.1f}" cy="{py:.1f}" r="5"/><title>{e(tip)}</title>'
        label = _place_label(px, py, len(row["key"]), plot_left, plot_right, placed) if show_labels else None
        if label is not None:
            lx, anchor = label
            inner += (f'<text class="matrix__key" x="{lx:.1f}" y="{py + 4:.1f}" text-anchor="{anchor}">'
                      f'{e(row["key"])}</text>')
        parts.append(f'<a href="{e(url)}" class="matrix__link">{inner}</a>')
    parts.append("</g>")
    if not points:
        parts.append(f'<text class="matrix__empty" x="{(plot_left + plot_right) / 2:.1f}" '
                     f'y="{(plot_top + plot_bottom) / 2:.1f}" text-anchor="middle">No scored features yet</text>')
    parts.append("</svg>")
    return Matrix(svg=_safe(parts), points=points, by_quadrant=by_quadrant, unscored=unscored,
                  value_split=value_split, effort_split=effort_split, log_value=y.log, log_effort=x.log)


def unscored_rows(unscored: Iterable[dict]) -> SafeString:
    """The table rows of the features still to score (dicts of `row`, `url` and the
    `missing` parts' labels), indented as the matrix template's table holds them."""
    parts = []
    for item in unscored:
        key, title, url = e(item["row"]["key"]), e(item["row"]["title"]), e(item["url"])
        parts.append(
            '\n        <tr>\n          <td class="nowrap"><span class="fkey">'
            + (f'<a href="{url}">{key}</a>' if url else key) + "</span></td>\n          <td>"
            + (f'<a class="row-link" href="{url}">{title}</a>' if url else title)
            + f'</td>\n          <td class="muted small">{e(", ".join(item["missing"]))}</td>\n        </tr>\n        ')
    return _safe(parts)


def phase_band(release: Release, phases: list[ReleasePhase], today: date) -> SafeString:
    """The release's phases as coloured bands on its time axis (start date to the later of
    the release date and the last phase's end), with the release date and today marked."""
    if not phases:
        return mark_safe("")  # noqa: S308 - empty
    first = min([release.start_date] + [p.start_date for p in phases])
    last = max([release.release_date] + [p.end_date for p in phases])
    span = max((last - first).days + 1, 1)

    def left(day: date) -> float:
        return round(100 * (day - first).days / span, 3)

    out = ['<div class="gtm-band" role="img" aria-label="', e(_("Phases of %(release)s: %(list)s") % {
        "release": release.name, "list": "; ".join(f"{p.phase_type.name} {p.start_date:%-d %b} – {p.end_date:%-d %b %Y}"
                                                   for p in phases)}), '">']
    for phase in phases:
        width = max(round(100 * ((phase.end_date - phase.start_date).days + 1) / span, 3), 1.5)
        late = " gtm-band__phase--late" if phase.end_date > release.release_date else ""
        out.append(f'<span class="gtm-band__phase{late}" style="left:{left(phase.start_date)}%;width:{width}%;'
                   f'--phase:{e(phase.phase_type.colour)}" title="{e(phase.phase_type.name)}: '
                   f'{phase.start_date:%-d %b} – {phase.end_date:%-d %b %Y}">'
                   f'<span class="gtm-band__label">{e(phase.phase_type.name)}</span></span>')
    out.append(f'<span class="gtm-band__mark gtm-band__mark--release" style="left:{left(release.release_date)}%" '
               f'title="{e(_("Release date"))} {release.release_date:%-d %b %Y}"></span>')
    if first <= today <= last:
        out.append(f'<span class="gtm-band__mark gtm-band__mark--today" style="left:{left(today)}%" '
                   f'title="{e(_("Today"))}"></span>')
    out.append("</div>")
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped or numeric
