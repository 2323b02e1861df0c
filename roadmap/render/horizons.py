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


def _card(row: dict, release: dict | None, *, show_product: bool) -> str:
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
    return (f'<li class="hz-card{" hz-card--done" if done else ""}">'
            f'<div class="hz-card__title">{check}<span>{e(row["title"])}</span></div>'
            f'<div class="hz-card__meta">{"".join(meta)}{release_html}</div></li>')


def column_html(groups: list[tuple[dict | None, list[tuple[dict, dict | None]]]], *, show_product: bool,
                 empty_text: str) -> SafeString:
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
        cards = "".join(_card(row, release, show_product=show_product) for row, release in items)
        parts.append(f'<section class="hz-group"><h3 class="hz-group__head">{head}'
                     f'<span class="hz-group__count">{len(items)}</span></h3><ul class="hz-cards">{cards}</ul>'
                     f'</section>')
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


def feature_table(rows: list[dict], *, show_assignees: bool = True, show_estimates: bool = True) -> SafeString:
    """The features of an expanded release, grouped by status category, as one string."""
    if not rows:
        return mark_safe('<p class="hz-empty">No features in this release yet.</p>')  # noqa: S308 - constant
    grouped: dict[str, list[dict]] = {c: [] for c in StatusCategory.values}
    for row in rows:
        grouped[row["status__category"]].append(row)
    columns = 5 if show_estimates else 4
    parts = ['<div class="table-wrap"><table class="table table--compact tl-features">'
             '<caption class="sr-only">Features</caption>'
             '<thead><tr><th scope="col">Key</th><th scope="col">Title</th><th scope="col">Status</th>'
             '<th scope="col"><span class="sr-only">Assignee</span></th>'
             + ('<th scope="col" class="tl-num">Est.</th>' if show_estimates else '') + '</tr></thead>']
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
            person = ""
            if show_assignees and row["assignee_id"]:
                name = row["assignee__full_name"] or "Assignee"
                letters = initials(row["assignee__full_name"], row["assignee__email"]) or "?"
                person = (f'<span class="avatar avatar--sm" data-initial="{e(letters[:1])}" title="{e(name)}">'
                          f'{e(letters)}</span>')
            estimate = ""
            if show_estimates:
                figure = charts.format_number(row["estimate"]) if row["estimate"] is not None else "—"
                estimate = f'<td class="tl-num">{e(figure)}</td>'
            parts.append(f'<tr><td class="tl-key">{e(key)}</td><td class="tl-title">{e(row["title"])}</td>'
                         f'<td><span class="badge badge--dot badge--status-{css}">{e(row["status__name"])}</span>'
                         f'</td><td>{person}</td>{estimate}</tr>')
        parts.append("</tbody>")
    parts.append("</table></div>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped
