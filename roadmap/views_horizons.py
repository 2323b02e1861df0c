"""Two roadmap views of a product or a product line: Now / Next / Later and the release
timeline for engineers.

Horizon rules (Now / Next / Later), per product, relative to `today`:

- The *current* release is the one whose window (start date to release date) contains
  today, preferring one not yet released; without one, the earliest release in progress.
  The *next* release is the first release after the current one that is neither released
  nor cancelled (without a current release: the first one not yet due). Cancelled
  releases count as no release.
- NOW: the features of the current release. Done ones stay, with a check mark; a feature
  of a release already past (released or overdue) that is still open is also NOW, being
  late work. A feature without a release is NOW when its own window contains today (or
  has passed while it is still open).
- NEXT: the features of the next release; a feature without a release that starts after
  today and by the end of the next calendar quarter.
- LATER: every other open feature: later releases, later dates, and no dates at all.
- Done features outside the current release and won't-do features are left out.

For a product line, the rules run per product of the line and the columns merge, with the
product named on each card.

Within a column, features are grouped by initiative (alphabetically, "No initiative"
last), in release-date then rank order. Cards carry title, key, status, release and product
only: no assignee, no estimate, no edit link, because the view is shared with executives.

Share links: `now_next_later_context(product, today)` and `release_timeline_context(product,
today)` compute the pages' data without a user: they read only `product` (or the products
of its line) and return what the `body` partial of each template needs, with no internal
fields and no edit links. The page views check access first (`workspace_view` and
`_product`), then call them; a share link view can render `"roadmap/now_next_later.html#body"`
with the same dict.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from releases import charts
from releases.models import Release, StatusCategory
from releases.render import initials
from strategy.html import e
from strategy.models import Product
from strategy.spreadsheet import SafeCsvWriter
from strategy.web import product_for, workspace_view

from . import selectors

NOW, NEXT, LATER = "now", "next", "later"
HORIZONS = (NOW, NEXT, LATER)
HORIZON_TITLES = {NOW: "Now", NEXT: "Next", LATER: "Later"}
RULES_TEXT = ("Now: the current release, or work under way today · Next: the next release, or work starting "
              "by the end of next quarter · Later: everything else still open. Won't-do and earlier done work "
              "is left out.")
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
CSV_COLUMNS = ("horizon", "key", "title", "status", "initiative", "release", "product")




# --- the horizon rules (pure) -------------------------------------------------


def quarter_end(day: date, quarters_ahead: int = 0) -> date:
    """The last day of the calendar quarter `quarters_ahead` after the one holding `day`."""
    index = (day.month - 1) // 3 + quarters_ahead
    year, quarter = day.year + index // 4, index % 4
    first_of_next = date(year + (quarter == 3), (quarter + 1) % 4 * 3 + 1, 1)
    return first_of_next - timedelta(days=1)


def current_and_next(releases: list[dict], today: date) -> tuple[dict | None, dict | None]:
    """The current and the next release of ONE product's releases (cancelled ones already
    left out), as the module docstring defines them."""
    ordered = sorted(releases, key=lambda r: (r["release_date"], r["start_date"], r["id"]))
    containing = [r for r in ordered if r["start_date"] <= today <= r["release_date"]]
    unreleased = [r for r in containing if r["status"] != Release.Status.RELEASED]
    current = (unreleased or containing or [None])[0]
    if current is None:
        current = next((r for r in ordered if r["status"] == Release.Status.IN_PROGRESS), None)
    open_ = [r for r in ordered if r["status"] != Release.Status.RELEASED]
    if current is not None:
        after = [r for r in open_ if r["id"] != current["id"] and (r["release_date"], r["start_date"], r["id"])
                 > (current["release_date"], current["start_date"], current["id"])]
    else:
        after = [r for r in open_ if r["release_date"] >= today]
    return current, (after[0] if after else None)


def _is_past(release: dict, today: date) -> bool:
    return release["status"] == Release.Status.RELEASED or release["release_date"] < today


def horizon_of(row: dict, *, release: dict | None, current_id: int | None, next_id: int | None,
               today: date, next_until: date) -> str | None:
    """NOW, NEXT, LATER or None (left out) for one feature row."""
    category = row["status__category"]
    if category == StatusCategory.WONT_DO:
        return None
    if release is not None:
        if release["id"] == current_id:
            return NOW
        if category == StatusCategory.DONE:
            return None
        if release["id"] == next_id:
            return NEXT
        return NOW if _is_past(release, today) else LATER
    if category == StatusCategory.DONE:
        return None
    start, end = row["start_date"], row["end_date"]
    if start and start <= today or end and end < today:
        return NOW
    if start and start <= next_until:
        return NEXT
    return LATER


# --- Now / Next / Later ---------------------------------------------------------


@dataclass
class Column:
    key: str
    title: str
    releases: list[dict] = field(default_factory=list)
    range_text: str = ""
    count: int = 0
    html: SafeString = mark_safe("")  # noqa: S308 - empty

    @property
    def empty(self) -> bool:
        return self.count == 0


def _release_label(release: dict) -> str:
    return f"{release['name']} {release['version_label']}".strip()


def _card(row: dict, release: dict | None, *, show_product: bool) -> str:
    css = CATEGORY_CSS.get(row["status__category"], "todo")
    done = row["status__category"] == StatusCategory.DONE
    check = ('<span class="hz-card__check" title="Done" aria-label="Done">'
             '<svg viewBox="0 0 16 16" width="12" height="12" aria-hidden="true"><path d="M3.5 8.5l3 3 6-7" '
             'fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"/>'
             '</svg></span>') if done else ""
    meta = [f'<span class="hz-card__key">{e(row["key"])}</span>',
            f'<span class="badge badge--dot badge--status-{css}">{e(row["status__name"])}</span>']
    if show_product:
        meta.insert(0, f'<span class="badge badge--key" title="{e(row["product__name"])}">'
                       f'{e(row["product__key"])}</span>')
    release_html = (f'<span class="hz-card__release" title="Release">{e(_release_label(release))}</span>'
                    if release else '<span class="hz-card__release hz-card__release--none">No release</span>')
    return (f'<li class="hz-card{" hz-card--done" if done else ""}">'
            f'<div class="hz-card__title">{check}<span>{e(row["title"])}</span></div>'
            f'<div class="hz-card__meta">{"".join(meta)}{release_html}</div></li>')


def _column_html(groups: list[tuple[dict | None, list[tuple[dict, dict | None]]]], *, show_product: bool,
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


def _classify(product: Product, today: date) -> dict:
    """Rows sorted into horizons, with the releases each horizon covers (three queries)."""
    products = selectors.roadmap_products(product)
    product_ids = [p.pk for p in products]
    releases = selectors.release_rows(product_ids) if product_ids else []
    by_product: dict[int, list[dict]] = defaultdict(list)
    for release in releases:
        by_product[release["product_id"]].append(release)
    current_ids: dict[int, int | None] = {}
    next_ids: dict[int, int | None] = {}
    covered: dict[str, list[dict]] = {NOW: [], NEXT: []}
    for product_id in product_ids:
        current, upcoming = current_and_next(by_product.get(product_id, []), today)
        current_ids[product_id] = current["id"] if current else None
        next_ids[product_id] = upcoming["id"] if upcoming else None
        covered[NOW] += [current] if current else []
        covered[NEXT] += [upcoming] if upcoming else []
    release_by_id = {r["id"]: r for r in releases}
    rows = selectors.horizon_feature_rows(
        product_ids, current_release_ids=[pk for pk in current_ids.values() if pk]) if product_ids else []
    next_until = quarter_end(today, 1)
    placed: dict[str, list[tuple[dict, dict | None]]] = {h: [] for h in HORIZONS}
    for row in rows:
        row["key"] = f"{row['product__key']}-{row['number']}"
        release = release_by_id.get(row["release_id"])
        horizon = horizon_of(row, release=release, current_id=current_ids.get(row["product_id"]),
                             next_id=next_ids.get(row["product_id"]), today=today, next_until=next_until)
        if horizon:
            placed[horizon].append((row, release))
    return {"products": products, "placed": placed, "covered": covered, "next_until": next_until}


def _groups(items: list[tuple[dict, dict | None]]) -> list[tuple[dict | None, list]]:
    far = date.max
    items = sorted(items, key=lambda item: (item[1]["release_date"] if item[1] else far, item[0]["rank"],
                                            item[0]["id"]))
    grouped: dict[int | None, list] = {}
    initiatives: dict[int, dict] = {}
    for row, release in items:
        grouped.setdefault(row["initiative_id"], []).append((row, release))
        if row["initiative_id"]:
            initiatives[row["initiative_id"]] = {"name": row["initiative__name"], "colour": row["initiative__colour"]}
    named = sorted((pk for pk in grouped if pk), key=lambda pk: (initiatives[pk]["name"].lower(), pk))
    result = [(initiatives[pk], grouped[pk]) for pk in named]
    if None in grouped:
        result.append((None, grouped[None]))
    return result


def _span(releases: list[dict]) -> str:
    return charts.date_range(min(r["start_date"] for r in releases), max(r["release_date"] for r in releases))


def now_next_later_context(product: Product, today: date) -> dict:
    """Everything the Now / Next / Later body shows, computed without a user: reads only
    `product` or the products of its line. No assignee, estimate or edit link in it."""
    data = _classify(product, today)
    is_line = product.is_line
    multi = is_line and len(data["products"]) > 1
    columns = []
    for key in HORIZONS:
        items = data["placed"][key]
        releases = sorted(data["covered"].get(key, []), key=lambda r: (r["release_date"], r["id"]))
        if key == NOW:
            range_text = _span(releases) if releases else f"Under way on {charts.day_label(today, year=True)}"
            empty = "Nothing is under way right now."
        elif key == NEXT:
            until = charts.day_label(data["next_until"], year=True)
            range_text = f"{_span(releases)} · or starting by {until}" if releases else f"Starting by {until}"
            empty = "Nothing is planned next yet."
        else:
            range_text = "After that, and unscheduled"
            empty = "Nothing further out yet."
        for release in releases:
            release["label"] = _release_label(release)
            release["product_key"] = next((p.key for p in data["products"] if p.pk == release["product_id"]), "")
        columns.append(Column(
            key=key, title=HORIZON_TITLES[key], releases=releases, range_text=range_text, count=len(items),
            html=_column_html(_groups(items), show_product=multi, empty_text=empty),
        ))
    return {
        "roadmap_product": product,
        "is_line": is_line,
        "line_products": data["products"] if is_line else [],
        "columns": columns,
        "today": today,
        "rules_text": RULES_TEXT,
        "total": sum(c.count for c in columns),
        "placed": data["placed"],
    }


def now_next_later_csv(context: dict, filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = SafeCsvWriter(response)
    writer.writerow(CSV_COLUMNS)
    for column in context["columns"]:
        for _initiative, items in _groups(context["placed"][column.key]):
            for row, release in items:
                writer.writerow([column.title, row["key"], row["title"], row["status__name"],
                                 row["initiative__name"] or "", _release_label(release) if release else "",
                                 row["product__name"]])
    return response


@workspace_view
@require_GET
def now_next_later(request: HttpRequest, workspace, key: str) -> HttpResponse:
    product = product_for(request, workspace, key)
    context = now_next_later_context(product, timezone.localdate())
    if request.GET.get("format") == "csv":
        return now_next_later_csv(context, f"{slugify(product.key)}-now-next-later.csv")
    context.update({"workspace": workspace, "product": product, "tab": "now_next_later"})
    return render(request, "roadmap/now_next_later.html", context)


# --- release timeline -------------------------------------------------------------


HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def _percent(part, whole) -> int:
    return round(100 * Decimal(part) / Decimal(whole)) if whole else 0


def _feature_table(rows: list[dict], *, show_assignees: bool = True, show_estimates: bool = True) -> SafeString:
    """The features of an expanded release, grouped by status category, as one string."""
    if not rows:
        return mark_safe('<p class="hz-empty">No features in this release yet.</p>')  # noqa: S308 - constant
    grouped: dict[str, list[dict]] = {c: [] for c in StatusCategory.values}
    for row in rows:
        grouped[row["status__category"]].append(row)
    columns = 5 if show_estimates else 4
    parts = ['<table class="table table--compact tl-features"><caption class="sr-only">Features</caption>'
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
    parts.append("</table>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


def release_timeline_context(product: Product, today: date, *, show_assignees: bool = True,
                             show_estimates: bool = True) -> dict:
    """The release timeline's data, computed without a user: the releases of `product` (or
    of its line's products) past to future, the current and next of each product expanded
    with their features (without who works on them when `show_assignees` is False, and
    without estimates when `show_estimates` is False, as on share links). Five queries at most."""
    products = selectors.roadmap_products(product)
    product_ids = [p.pk for p in products]
    releases = list(selectors.timeline_releases(product_ids)) if product_ids else []
    by_product: dict[int, list[dict]] = defaultdict(list)
    for release in releases:
        if release.status != Release.Status.CANCELLED:
            by_product[release.product_id].append({
                "id": release.pk, "start_date": release.start_date, "release_date": release.release_date,
                "status": release.status})
    current_ids, next_ids = set(), set()
    for product_id in product_ids:
        current, upcoming = current_and_next(by_product.get(product_id, []), today)
        current_ids |= {current["id"]} if current else set()
        next_ids |= {upcoming["id"]} if upcoming else set()
    expanded = current_ids | next_ids
    rows_by_release: dict[int, list[dict]] = defaultdict(list)
    for row in selectors.timeline_feature_rows(sorted(expanded)):
        rows_by_release[row["release_id"]].append(row)
    past, future = [], []
    for release in releases:
        is_past = release.pk not in expanded and (
            release.status == Release.Status.RELEASED or release.release_date < today)
        count_percent = _percent(release.done_count, release.feature_count)
        estimate_percent = _percent(release.done_estimate, release.planned_estimate)
        tone = "done" if release.status == Release.Status.RELEASED else ""
        item = {
            "release": release,
            "label": str(release),
            "product_key": release.product.key,
            "dates": charts.date_range(release.start_date, release.release_date),
            "badge": RELEASE_CSS.get(release.status, "todo"),
            "is_current": release.pk in current_ids,
            "is_next": release.pk in next_ids,
            "expanded": release.pk in expanded,
            "is_past": is_past,
            "count_percent": count_percent,
            "count_bar": charts.bar(count_percent, tone=tone, label=f"{release.done_count} of "
                                    f"{release.feature_count} features done"),
            "count_figure": f"{release.done_count}/{release.feature_count}",
            "estimate_bar": charts.bar(estimate_percent, tone=tone, label=(
                f"{charts.format_number(release.done_estimate)} of {charts.points(release.planned_estimate)} done")),
            "estimate_figure": f"{charts.format_number(release.done_estimate)}/"
                               f"{charts.format_number(release.planned_estimate)} pts",
            "milestones": [{"name": m.name, "date": m.date, "past": m.date < today} for m in release.milestones.all()],
            "features": _feature_table(rows_by_release.get(release.pk, []), show_assignees=show_assignees,
                                       show_estimates=show_estimates) if release.pk in expanded else "",
        }
        (past if is_past else future).append(item)
    return {
        "roadmap_product": product,
        "is_line": product.is_line,
        "past": past,
        "future": future,
        "today": today,
        "release_count": len(releases),
        "show_estimates": show_estimates,
    }


@workspace_view
@require_GET
def release_timeline(request: HttpRequest, workspace, key: str) -> HttpResponse:
    product = product_for(request, workspace, key)
    context = release_timeline_context(product, timezone.localdate())
    context.update({"workspace": workspace, "product": product, "tab": "release_timeline"})
    return render(request, "roadmap/release_timeline.html", context)
