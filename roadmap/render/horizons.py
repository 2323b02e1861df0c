"""Now / Next / Later cards and the release timeline's feature tables, built as strings.

Like `roadmap.render.timeline`, these draw many repeated items, so they are built in Python with
`strategy.html.e` and `str.join` and inserted into the page once (DESIGN.md, "Performance
habits"). They draw only what their rows hold: cards carry title, key, status, release and
product; a feature table shows people and estimates only when asked.
"""

from __future__ import annotations

import re
from decimal import Decimal

from django.utils.safestring import SafeString, mark_safe

from releases import charts
from releases.models import Release, StatusCategory
from releases.render import initials
from strategy.html import e

CATEGORY_CSS = {
    StatusCategory.NOT_STARTED: "todo",
    StatusCategory.IN_PROGRESS: "doing",
    StatusCategory.DONE: "done",
    StatusCategory.WONT_DO: "wont",
}
RELEASE_CSS = {
    Release.Status.PLANNED: "todo",
    Release.Status.IN_PROGRESS: "doing",
    Release.Status.RELEASED: "done",
    Release.Status.CANCELLED: "wont",
}

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def release_label(release: dict) -> str:
    return f"{release['name']} {release['version_label']}".strip()


def _card(row: dict, release: dict | None, *, show_product: bool, change=None) -> str:
    css = CATEGORY_CSS.get(row["status__category"], "todo")
    done = row["status__category"] == StatusCategory.DONE
    check = ('<span class="hz-card__check" title="Done" role="img" aria-label="Done">'
             '<svg viewBox="0 0 16 16" width="12" height="12" aria-hidden="true"><path d="M3.5 8.5l3 3 6-7" '
             'fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"/>'
             '</svg></span>') if done else ""
    meta = [f'<span class="hz-card__key">{e(row["key"])}</span>',
            f'<span class="badge badge--dot badge--status-{css}">{e(row["status__name"])}</span>']
    if show_product:
        meta.insert(0, f'<span class="badge badge--key" title="{e(row["product__name"])}">'
                       f'{e(row["product__key"])}</span>')
    release_html = (f'<span class="hz-card__release" title="Release">{e(release_label(release))}</span>'
                    if release else '<span class="hz-card__release hz-card__release--none">No release</span>')
    classes = "hz-card" + (" hz-card--done" if done else "") + (f" hz-card--chg-{change.kind}" if change else "")
    mark = (f'<span class="hz-card__change"><span class="rt-chg-dot rt-chg-dot--{change.kind}" aria-hidden="true">'
            f'</span>{e(change.text)}</span>') if change else ""
    return (f'<li class="{classes}">'
            f'<div class="hz-card__title">{check}<span>{e(row["title"])}</span></div>'
            f'<div class="hz-card__meta">{"".join(meta)}{release_html}</div>{mark}</li>')


def column_html(groups: list[tuple[dict | None, list[tuple[dict, dict | None]]]], *, show_product: bool,
                 empty_text: str, changes: dict | None = None) -> SafeString:
    changes = changes or {}
    if not groups:
        return mark_safe(f'<p class="hz-empty">{e(empty_text)}</p>')  # noqa: S308 - escaped
    parts = []
    for initiative, items in groups:
        if initiative:
            colour = initiative["colour"] if HEX_COLOUR.match(initiative["colour"] or "") else "#0ea5e9"
            head = (f'<span class="hz-chip" style="background:{colour}" '
                    f'aria-hidden="true"></span><span class="hz-group__name">{e(initiative["name"])}</span>')
        else:
            head = '<span class="hz-chip hz-chip--none" aria-hidden="true"></span>' \
                   '<span class="hz-group__name hz-group__name--none">No initiative</span>'
        cards = "".join(_card(row, release, show_product=show_product, change=changes.get(row["id"]))
                        for row, release in items)
        parts.append(f'<section class="hz-group"><h3 class="hz-group__head">{head}'
                     f'<span class="hz-group__count">{len(items)}</span></h3><ul class="hz-cards">{cards}</ul>'
                     f'</section>')
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


def _deps(items: list[dict], link) -> str:
    """Other features, as links to their pages (members) or as keys with the title on hover."""
    parts = []
    for item in items:
        css = CATEGORY_CSS.get(item["category"], "todo")
        text = f'<span class="rel-dot rel-dot--{css}" aria-hidden="true"></span>{e(item["key"])}'
        if link is not None:
            parts.append(f'<a class="tl-dep" href="{e(link(item["product_key"], item["number"]))}" '
                         f'title="{e(item["title"])}">{text}</a>')
        else:
            parts.append(f'<span class="tl-dep" title="{e(item["title"])}">{text}</span>')
    return " ".join(parts)


def _change_mark(change) -> str:
    return (f'<span class="tl-change"><span class="rt-chg-dot rt-chg-dot--{change.kind}" aria-hidden="true">'
            f'</span>{e(change.text)}</span>')


def feature_table(rows: list[dict], *, show_assignees: bool = True, show_estimates: bool = True,
                  blocked_by: dict | None = None, blocking: dict | None = None, link=None,
                  changes: dict | None = None) -> SafeString:
    """The features of a release, grouped by status category, as one string: key, title
    (a link to the feature when `link` makes one), status, assignee and estimate (when
    shown), what each is blocked by and blocking, and what changed since an earlier plan
    (`changes`, by feature id)."""
    changes = changes or {}
    if not rows:
        return mark_safe('<p class="hz-empty">No features in this release yet.</p>')  # noqa: S308 - constant
    blocked_by, blocking = blocked_by or {}, blocking or {}
    grouped: dict[str, list[dict]] = {c: [] for c in StatusCategory.values}
    for row in rows:
        grouped[row["status__category"]].append(row)
    columns = 6 if show_estimates else 5
    parts = ['<div class="table-wrap"><table class="table table--compact tl-features">'
             '<caption class="sr-only">Features</caption>'
             '<thead><tr><th scope="col">Key</th><th scope="col">Title</th><th scope="col">Status</th>'
             + ('<th scope="col">Assignee</th>' if show_assignees else '<th scope="col"><span class="sr-only">'
                'Assignee</span></th>')
             + ('<th scope="col" class="tl-num">Est.</th>' if show_estimates else '')
             + '<th scope="col">Dependencies</th></tr></thead>']
    for category, label in StatusCategory.choices:
        items = grouped[category]
        if not items:
            continue
        css = CATEGORY_CSS[category]
        meta = str(len(items))
        if show_estimates:
            total = sum((r["estimate"] or Decimal(0) for r in items), Decimal(0))
            meta += f" · {charts.points(total)}"
        parts.append(f'<tbody class="tl-group tl-group--{css}"><tr class="tl-group__head"><th colspan="{columns}">'
                     f'<span class="rel-dot rel-dot--{css}" aria-hidden="true"></span>{e(label)}'
                     f'<span class="tl-group__meta">{e(meta)}</span></th></tr>')
        for row in items:
            key = f"{row['product__key']}-{row['number']}"
            title = e(row["title"])
            if link is not None:
                title = f'<a href="{e(link(row["product__key"], row["number"]))}">{title}</a>'
            person = ""
            if show_assignees and row["assignee_id"]:
                name = row["assignee__full_name"] or row["assignee__email"] or "Assignee"
                letters = initials(row["assignee__full_name"], row["assignee__email"]) or "?"
                person = (f'<span class="tl-person"><span class="avatar avatar--sm" data-initial="{e(letters[:1])}" '
                          f'aria-hidden="true">{e(letters)}</span>{e(name)}</span>')
            estimate = ""
            if show_estimates:
                figure = charts.format_number(row["estimate"]) if row["estimate"] is not None else "—"
                estimate = f'<td class="tl-num">{e(figure)}</td>'
            deps = []
            if row["id"] in blocked_by:
                deps.append(f'<span class="tl-deps__label">Blocked by</span> {_deps(blocked_by[row["id"]], link)}')
            if row["id"] in blocking:
                deps.append(f'<span class="tl-deps__label">Blocking</span> {_deps(blocking[row["id"]], link)}')
            change = changes.get(row["id"])
            row_class = f' class="tl-row--chg-{change.kind}"' if change else ""
            parts.append(f'<tr{row_class}><td class="tl-key">{e(key)}</td><td class="tl-title">{title}'
                         f'{_change_mark(change) if change else ""}</td>'
                         f'<td><span class="badge badge--dot badge--status-{css}">{e(row["status__name"])}</span>'
                         f'</td><td>{person}</td>{estimate}<td class="tl-deps">{"<br>".join(deps)}</td></tr>')
        parts.append("</tbody>")
    parts.append("</table></div>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped
