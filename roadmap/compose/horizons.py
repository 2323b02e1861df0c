"""Now / Next / Later and the release timeline, composed for the pages and the share links
alike, with the horizon rules of `roadmap.horizons`."""


from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from releases import charts
from releases import render as release_render
from releases import selectors as release_selectors
from releases.models import Release, StatusCategory
from strategy.markdown import render_markdown
from strategy.models import Product

from .. import selectors
from ..changes import ADDED, EARLIER, LATER, Change, PlanChanges, PlanRow, compare_plans, counts_text
from ..horizons import HORIZON_TITLES, HORIZONS, NEXT, NOW, RULES_TEXT, current_and_next, horizon_of, quarter_end
from ..render.horizons import RELEASE_CSS, column_html, feature_table, release_label
from .audience import Audience

# --- Now / Next / Later -------------------------------------------------------------------


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


def initiative_groups(items: list[tuple[dict, dict | None]]) -> list[tuple[dict | None, list]]:
    """A column's (row, release) items by initiative (alphabetically, "No initiative" last),
    each group in release-date then rank order."""
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


def _horizon_changes(data: dict, since: datetime, today: date) -> PlanChanges:
    """What changed since `since` among the features the columns show (three queries)."""
    now = []
    for items in data["placed"].values():
        for row, release in items:
            now.append(PlanRow(row["id"], row["key"], row["title"],
                               row["start_date"] or (release["start_date"] if release else None),
                               row["end_date"] or (release["release_date"] if release else None),
                               row["status__category"] == StatusCategory.DONE, row["release_id"],
                               row["start_date"], row["end_date"]))
    then = selectors.plan_then([p.pk for p in data["products"]], since, now)
    return compare_plans(then=then.features, now=now, removed=then.deleted, since=since)


def now_next_later_context(product: Product, today: date, *, since: datetime | None = None) -> dict:
    """Everything the Now / Next / Later body shows, computed without a user: reads only
    `product` or the products of its line. No assignee, estimate or edit link in it. With
    `since`, cards are marked with what changed since then, and the changes summed up."""
    data = _classify(product, today)
    is_line = product.is_line
    multi = is_line and len(data["products"]) > 1
    changes = _horizon_changes(data, since, today) if since else None
    marks = changes.by_feature if changes else {}
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
            release["label"] = release_label(release)
            release["product_key"] = next((p.key for p in data["products"] if p.pk == release["product_id"]), "")
        columns.append(Column(
            key=key, title=HORIZON_TITLES[key], releases=releases, range_text=range_text, count=len(items),
            html=column_html(initiative_groups(items), show_product=multi, empty_text=empty, changes=marks),
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
        "changes": changes,
        "changes_summary": changes.summary(today) if changes else "",
        "changes_list": changes.ordered() if changes else [],
    }


# --- the release timeline -----------------------------------------------------------


def _percent(part, whole) -> int:
    return round(100 * Decimal(part) / Decimal(whole)) if whole else 0


def release_timeline_context(product: Product, today: date, *,
                             audience: Audience = Audience.member(),  # noqa: B008 - frozen
                             expand_all: bool = False, open_id: int | None = None,
                             assignee_id: int | None = None, since: datetime | None = None) -> dict:
    """The release timeline's data, computed without a user: the releases of `product` (or
    of its line's products) past to future. The current and next release of each product
    (and `open_id`) are open with their features; the others list theirs when opened, from
    `release_features_context` (or at once, with `expand_all`, for share links, which cannot
    load more). People and estimates only when the `audience` may see them. With
    `assignee_id` ("mine"), only the releases holding that person's features, and only those
    features. Four queries at most, and the releases' launch: phases (one more), overdue
    launch to-dos for members (one more) and messaging where the audience sees it (three more).
    With `since`, features and releases are marked with what changed since then, and the
    changes summed up (four more: `release_plan_changes`)."""
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
    opened = current_ids | next_ids | ({open_id} if open_id else set())
    mine_ids = selectors.releases_with_assignee(product_ids, assignee_id) if assignee_id else None
    if mine_ids is not None:
        releases = [release for release in releases if release.pk in mine_ids]
    loaded = {release.pk for release in releases} if expand_all else opened
    found = release_plan_changes([r.pk for r in releases], product_ids, since, assignee_id=assignee_id) \
        if since else None
    changes = found.changes if found else None
    tables = release_feature_tables(sorted(loaded), product_ids, audience=audience, assignee_id=assignee_id,
                                    changes=changes)
    # Go to market: phases for everyone, overdue launch to-dos for members, messaging where allowed.
    launch = release_selectors.timeline_launch(releases, today=today, overdue=audience.workspace is not None,
                                               messaging=audience.messaging)
    past, future = [], []
    for release in releases:
        is_past = release.pk not in opened and (
            release.status == Release.Status.RELEASED or release.release_date < today)
        count_percent = _percent(release.done_count, release.feature_count)
        estimate_percent = _percent(release.done_estimate, release.planned_estimate)
        tone = "done" if release.status == Release.Status.RELEASED else ""
        same_year = release.start_date.year == release.release_date.year == today.year
        item = {
            "release": release,
            "label": str(release),
            "product_key": release.product.key,
            "dates": charts.date_range(release.start_date, release.release_date),
            "badge": RELEASE_CSS.get(release.status, "todo"),
            "is_current": release.pk in current_ids,
            "is_next": release.pk in next_ids,
            "expanded": release.pk in opened,
            "loaded": release.pk in loaded,
            "is_past": is_past,
            "count_percent": count_percent,
            "count_bar": charts.bar(count_percent, tone=tone, label=f"{release.done_count} of "
                                    f"{release.feature_count} features done"),
            "count_figure": f"{release.done_count}/{release.feature_count}",
            "estimate_bar": charts.bar(estimate_percent, tone=tone, label=(
                f"{charts.format_number(release.done_estimate)} of {charts.points(release.planned_estimate)} done")),
            "estimate_figure": f"{charts.format_number(release.done_estimate)}/"
                               f"{charts.format_number(release.planned_estimate)} pts",
            "milestones": [{"name": m.name, "date": m.date, "past": m.date < today,
                            "label": charts.day_label(m.date, year=not same_year)} for m in release.milestones.all()],
            "features": tables.get(release.pk, "") if release.pk in loaded else "",
            "change": (change := found.release_change(release) if found else None),
            "change_text": f"Release {change.text[0].lower()}{change.text[1:]}" if change else "",
            "changes_text": found.feature_counts(release.pk) if found else "",
            "phase_band": release_render.phase_band(release, launch[release.pk].phases, today),
            "overdue_todos": launch[release.pk].overdue,
            "messaging": launch[release.pk].messaging,
            "key_messages_html": render_markdown(launch[release.pk].messaging.key_messages)
            if launch[release.pk].messaging else "",
        }
        (past if is_past else future).append(item)
    return {
        "roadmap_product": product,
        "is_line": product.is_line,
        "past": past,
        "future": future,
        "today": today,
        "release_count": len(releases),
        "show_estimates": audience.estimates,
        "links": audience.workspace is not None,
        "mine": assignee_id is not None,
        "changes": changes,
        "changes_summary": changes.summary(today) if changes else "",
        "changes_list": changes.ordered() if changes else [],
    }


@dataclass
class ReleasePlanChanges:
    """What changed since a moment on a release timeline: among the features of its
    releases (`changes`), and the releases' own dates (as they were: `releases_then`)."""

    changes: PlanChanges
    releases_then: dict[int, tuple[date, date]]
    by_release: dict[int, Counter] = field(default_factory=dict)

    def release_change(self, release: Release) -> Change | None:
        """The release added since, or its release date moved (by how many days, from when)."""
        label = str(release)
        then = self.releases_then.get(release.pk)
        if then is None:
            return Change(release.pk, ADDED, label, release.name)
        days = release.release_date.toordinal() - then[1].toordinal()
        if not days:
            return None
        return Change(release.pk, LATER if days > 0 else EARLIER, label, release.name, abs(days), then[0], then[1])

    def feature_counts(self, release_id: int) -> str:
        """"2 slipped · 1 added": the changes among this release's features."""
        return counts_text(self.by_release.get(release_id, Counter()))


def release_plan_changes(release_ids: list[int], product_ids: list[int], since: datetime, *,
                         assignee_id: int | None = None) -> ReleasePlanChanges:
    """What changed since `since` among the features of these releases (only `assignee_id`'s,
    when given) and in the releases' dates. Features deleted since count when they were in a
    release then and the view is not narrowed to one person. Four queries."""
    rows = selectors.release_plan_rows(release_ids, assignee_id=assignee_id) if release_ids else []
    now = [PlanRow(row["id"], f"{row['product__key']}-{row['number']}", row["title"],
                   row["start_date"] or row["release__start_date"], row["end_date"] or row["release__release_date"],
                   row["status__category"] == StatusCategory.DONE, row["release_id"], row["start_date"],
                   row["end_date"]) for row in rows]
    then = selectors.plan_then(product_ids, since, now)
    removed = [] if assignee_id is not None else [row for row in then.deleted if row.release_id is not None]
    changes = compare_plans(then=then.features, now=now, removed=removed, since=since)
    release_of = {row.id: row.release_id for row in now}
    by_release: dict[int, Counter] = defaultdict(Counter)
    for change in changes.changes:
        if change.feature_id in release_of:
            by_release[release_of[change.feature_id]][change.kind] += 1
    return ReleasePlanChanges(changes=changes, releases_then=then.releases, by_release=dict(by_release))


def release_feature_tables(release_ids: list[int], product_ids: list[int], *, audience: Audience,
                           assignee_id: int | None = None, changes: PlanChanges | None = None
                           ) -> dict[int, SafeString]:
    """{release id: its feature table}, with each feature's dependencies (blocked by and
    blocking, across products: only among `product_ids` for readers without links), and
    what changed since an earlier plan when `changes` says. Two queries however many
    releases."""
    if not release_ids:
        return {}
    rows = selectors.timeline_feature_rows(release_ids, assignee_id=assignee_id)
    blocked_by, blocking = selectors.dependency_links([row["id"] for row in rows],
                                                      within=None if audience.workspace else product_ids)
    rows_by_release: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        rows_by_release[row["release_id"]].append(row)
    links = _feature_link(audience)
    marks = changes.by_feature if changes else {}
    return {pk: feature_table(rows_by_release.get(pk, []), show_assignees=audience.assignees,
                              show_estimates=audience.estimates, blocked_by=blocked_by, blocking=blocking,
                              link=links, changes=marks) for pk in release_ids}


def _feature_link(audience: Audience):
    """A feature's page from its product key and number, for members; None on share links."""
    if audience.workspace is None:
        return None
    slug = audience.workspace.slug
    pattern = reverse("releases:feature_detail", args=[slug, "KEY", 0]).replace("/KEY/", "/{}/").replace(
        "/0/", "/{}/")
    return lambda product_key, number: pattern.format(product_key, number)
