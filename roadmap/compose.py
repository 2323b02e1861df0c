"""The roadmap views, composed once for the pages and the share links.

Each function takes a product (or product line) that the caller has already resolved — a
page through the access layer, a share link through its token — plus plain options (the
view's parameters, today, and the `Audience` that decides what is shown) and returns what
the templates need. It reads rows through `roadmap.selectors` (only that product or line),
runs the layout (`timeline`, `horizons`) and draws through `render_timeline` and
`render_horizons`. It never reads a request, so a share link shows exactly its stored view.

What a share may show is chosen here, in `Audience.shared`: no links, no drag handles, no
people (nor grouping by them), and estimates only when the link allows them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from releases import charts
from releases import selectors as release_selectors
from releases.filters import FeatureFilterSet
from releases.models import Release, WorkflowStatus
from strategy.models import Product, Workspace

from . import render_timeline as draw
from . import selectors
from .horizons import HORIZON_TITLES, HORIZONS, NEXT, NOW, RULES_TEXT, current_and_next, horizon_of, quarter_end
from .models import ShareLink
from .render_horizons import RELEASE_CSS, column_html, feature_table, release_label
from .timeline import (
    HEADER_HEIGHT,
    RELEASE_LANE_HEIGHT,
    FeatureItem,
    Group,
    GroupBy,
    GroupItem,
    Layout,
    MilestoneItem,
    ReleaseItem,
    ViewOptions,
    layout_timeline,
    parse_view_options,
)

GROUPS = [(GroupBy.RELEASE, "Release"), (GroupBy.INITIATIVE, "Initiative"), (GroupBy.GOAL, "Goal"),
          (GroupBy.STATUS, "Status"), (GroupBy.ASSIGNEE, "Assignee")]


@dataclass(frozen=True)
class Audience:
    """Who reads a roadmap, and so what it shows besides the plan. Members on the pages see
    links to every record, people, estimates and the filter choices, and drag bars when they
    may edit; a share link's readers see none of that, and estimates only when it allows."""

    workspace: Workspace | None = None  # members: bars and lanes link to pages in this workspace
    editable: bool = False
    assignees: bool = False
    estimates: bool = False

    @classmethod
    def member(cls, workspace: Workspace | None = None, *, editable: bool = False) -> Audience:
        return cls(workspace=workspace, editable=editable, assignees=True, estimates=True)

    @classmethod
    def shared(cls, link: ShareLink) -> Audience:
        return cls(estimates=link.show_estimates)


# --- the product timeline ---------------------------------------------------------------


def _group_of(row: dict, group: GroupBy, goal_of: dict[int, tuple[int, str]]) -> tuple[str, str]:
    if group is GroupBy.RELEASE:
        return (str(row["release_id"]), row["release__name"]) if row["release_id"] else ("", "No release")
    if group is GroupBy.INITIATIVE:
        return (str(row["initiative_id"]), row["initiative__name"]) if row["initiative_id"] else (
            "", "No initiative")
    if group is GroupBy.STATUS:
        return str(row["status_id"]), row["status__name"]
    if group is GroupBy.ASSIGNEE:
        if not row["assignee_id"]:
            return "", "Unassigned"
        return str(row["assignee_id"]), row["assignee__full_name"] or row["assignee__email"]
    goal = goal_of.get(row["id"])
    return (str(goal[0]), goal[1]) if goal else ("", "No goal")


def _release_items(releases: list[Release]) -> list[ReleaseItem]:
    return [ReleaseItem(id=r.pk, name=r.name, start=r.start_date, end=r.release_date, status=r.status,
                        milestones=tuple(MilestoneItem(m.pk, m.name, m.date) for m in r.milestones.all()))
            for r in releases]


def _feature_items(rows: list[dict], group: GroupBy, colour: str, goal_of) -> list[FeatureItem]:
    items = []
    for row in rows:
        key, label = _group_of(row, group, goal_of)
        colour_key = (row["initiative__colour"] or "") if colour == "initiative" else row["status__category"]
        items.append(FeatureItem(id=row["id"], key=row["key"], title=row["title"], start=row["start_date"],
                                 end=row["end_date"], release_id=row["release_id"], group_key=key,
                                 group_label=label, colour_key=colour_key, category=row["status__category"]))
    return items


def _declared_groups(group: GroupBy, releases: list[Release], statuses) -> list[GroupItem]:
    if group is GroupBy.RELEASE:
        return [GroupItem(str(r.pk), r.name) for r in releases]
    if group is GroupBy.STATUS:
        return [GroupItem(str(s.pk), s.name) for s in statuses]
    return []


def _url_pattern(name: str, *args) -> str:
    """A reversed URL with its last argument as "{}" (reverse once, format per bar)."""
    return reverse(name, args=[*args, 0]).replace("/0/", "/{}/")


def _draw_options(product, rows, releases, conflicts, *, audience: Audience, colour: str) -> draw.DrawOptions:
    if audience.workspace is None:
        return draw.DrawOptions(conflict_features=frozenset(conflicts.by_feature),
                                conflict_releases=frozenset(conflicts.by_release),
                                initiative_colours=colour == "initiative")
    workspace, can_edit = audience.workspace, audience.editable
    feature_url = _url_pattern("feature_detail", workspace.slug, product.key)
    release_url = _url_pattern("release_detail", workspace.slug, product.key)
    number_of = {row["id"]: row["number"] for row in rows}
    versions = {row["id"]: row["version"] for row in rows}

    def href(bar) -> str:
        if bar.kind == "feature":
            return feature_url.format(number_of[bar.id])
        return release_url.format(bar.id)

    data: dict = {("feature", row["id"]): {"number": row["number"], "version": versions.get(row["id"], "")}
                  for row in rows}
    data.update({("release", r.pk): {"pk": r.pk, "version": r.version} for r in releases})
    return draw.DrawOptions(
        href=href, data=data, editable=can_edit,
        conflict_features=frozenset(conflicts.by_feature),
        conflict_releases=frozenset(conflicts.by_release),
        initiative_colours=colour == "initiative",
        reschedule_urls={
            "feature": reverse("feature_reschedule", args=[workspace.slug, product.key]),
            "release": reverse("release_reschedule", args=[workspace.slug, product.key]),
        } if can_edit else {},
    )


def _sections(layout: Layout, counts: Counter) -> list[draw.Section]:
    sections = []
    for group in layout.all_groups:
        if group.kind == "releases":
            meta = f"{len(group.bars) + group.hidden_before + group.hidden_after + group.unscheduled}"
        else:
            meta = str(counts.get(group.key, 0))
        sections.append(draw.Section(group=group, meta=meta))
    return sections


@dataclass
class ProductTimeline:
    """A product's timeline: its options, the rows read, the layout and how to draw it."""

    options: ViewOptions
    notices: list[str]
    colour: str
    filterset: FeatureFilterSet
    rows: list[dict]
    releases: list[Release]
    statuses: list[WorkflowStatus]
    conflicts: release_selectors.ConflictIndex
    layout: Layout
    sections: list[draw.Section]
    draw_options: draw.DrawOptions

    @property
    def group_label(self) -> str:
        return dict(GROUPS)[self.options.group]

    def html(self, *, show_arrows: bool = False) -> SafeString:
        layout = self.layout
        drawn = draw.timeline_html(
            sections=self.sections, width=layout.width, height=layout.height, axis=layout.axis,
            today_x=layout.today_x, window=layout.window, zoom=layout.zoom, options=self.draw_options,
            layout=layout, show_arrows=show_arrows, corner=self.group_label)
        return mark_safe(drawn)  # noqa: S308 - built with html.escape in render_timeline

    def svg(self, *, title: str, show_arrows: bool = False) -> str:
        """A standalone SVG document of the visible timeline (the export)."""
        return draw.standalone_svg(sections=self.sections, layout=self.layout, options=self.draw_options,
                                   title=title, show_arrows=show_arrows)

    @property
    def has_dated(self) -> bool:
        return any(row["effective_start"] or row["effective_end"] for row in self.rows) or any(
            r.start_date for r in self.releases)

    @property
    def conflict_list(self) -> list[dict]:
        by_id = {row["id"]: row for row in self.rows}
        return [
            {"message": c.message, "key": by_id[c.feature_id]["key"] if c.feature_id in by_id else "",
             "number": by_id[c.feature_id]["number"] if c.feature_id in by_id else None}
            for c in self.conflicts.all
        ]


def product_timeline(product: Product, *, params: Mapping, today: date, audience: Audience) -> ProductTimeline:
    """The product's features and releases on a time axis, grouped, coloured and filtered as
    `params` ask (a QueryDict or anything with `get`/`getlist`), in a fixed number of
    queries however many features it draws."""
    options, notices = parse_view_options(params, today)
    if options.group is GroupBy.ASSIGNEE and not audience.assignees:
        options = type(options)(zoom=options.zoom, group=GroupBy.RELEASE, window=options.window)
    colour = "initiative" if params.get("colour") == "initiative" else "status"
    filterset = FeatureFilterSet(params, queryset=selectors.product_features(product))
    rows = release_selectors.feature_rows(filterset.qs)
    releases = selectors.lane_releases([product.pk])
    dependencies = selectors.dependency_pairs(product)
    conflicts = release_selectors.ConflictIndex.of(release_selectors.conflicts_for(
        product=product, feature_rows_=None if filterset.is_filtered else rows, dependencies=dependencies,
        releases=releases))
    goal_of = selectors.goals_by_feature(product) if options.group is GroupBy.GOAL else {}
    # Members' pages list the statuses as filter choices; otherwise only grouping needs them.
    statuses = selectors.workflow_statuses(product) if (
        audience.workspace is not None or options.group is GroupBy.STATUS) else []
    items = _feature_items(rows, options.group, colour, goal_of)
    layout = layout_timeline(features=items, window=options.window, zoom=options.zoom, today=today,
                             releases=_release_items(releases), dependencies=dependencies,
                             groups=_declared_groups(options.group, releases, statuses))
    counts = Counter(item.group_key for item in items)
    return ProductTimeline(
        options=options, notices=notices, colour=colour, filterset=filterset, rows=rows, releases=releases,
        statuses=statuses, conflicts=conflicts, layout=layout, sections=_sections(layout, counts),
        draw_options=_draw_options(product, rows, releases, conflicts, audience=audience, colour=colour))


# --- the portfolio timeline -------------------------------------------------------------


@dataclass
class PortfolioTimeline:
    """A product line's products, one lane each, with their releases."""

    options: ViewOptions
    notices: list[str]
    children: list[Product]
    releases: list[Release]
    html: SafeString


def portfolio_timeline(line: Product, *, params: Mapping, today: date, audience: Audience) -> PortfolioTimeline:
    """The line's products, one swim lane each, with their releases and milestones; members'
    lanes link to each product's roadmap and bars to their releases."""
    options, notices = parse_view_options(params, today)
    children = selectors.line_children(line)
    releases = selectors.lane_releases([child.pk for child in children])
    by_product: dict[int, list[Release]] = {child.pk: [] for child in children}
    for release in releases:
        by_product[release.product_id].append(release)
    sections: list[draw.Section] = []
    dy = 0.0
    width = 0.0
    axis = today_x = None
    release_urls: dict[int, str] = {}
    conflicts = release_selectors.plan_for(product_ids=[child.pk for child in children]).conflicts
    workspace = audience.workspace
    for child in children:
        layout = layout_timeline(features=(), window=options.window, zoom=options.zoom, today=today,
                                 releases=_release_items(by_product[child.pk]))
        width, axis, today_x = layout.width, layout.axis, layout.today_x
        if workspace is not None:
            url = _url_pattern("release_detail", workspace.slug, child.key)
            for release in by_product[child.pk]:
                release_urls[release.pk] = url.format(release.pk)
        group = layout.releases
        if group is None:  # no releases: an empty lane
            group = Group("", child.name, "releases", 0.0, float(HEADER_HEIGHT + RELEASE_LANE_HEIGHT), 0, (),
                          (), (), ())
        href = reverse("product_timeline", args=[workspace.slug, child.key]) if workspace is not None else ""
        sections.append(draw.Section(group=group, dy=dy, label=child.name, href=href, meta=child.key))
        dy += group.height
    if axis is None:
        empty = layout_timeline(features=(), window=options.window, zoom=options.zoom, today=today)
        width, axis, today_x = empty.width, empty.axis, empty.today_x
    draw_options = draw.DrawOptions(conflict_releases=frozenset(conflicts.by_release))
    if workspace is not None:
        draw_options.href = lambda bar: release_urls.get(bar.id, "")
    drawn = draw.timeline_html(sections=sections, width=width, height=max(dy, 1.0), axis=axis, today_x=today_x,
                               window=options.window, zoom=options.zoom, options=draw_options, corner="Products")
    return PortfolioTimeline(options=options, notices=notices, children=children, releases=releases,
                             html=mark_safe(drawn))  # noqa: S308 - built with html.escape in render_timeline


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
            release["label"] = release_label(release)
            release["product_key"] = next((p.key for p in data["products"] if p.pk == release["product_id"]), "")
        columns.append(Column(
            key=key, title=HORIZON_TITLES[key], releases=releases, range_text=range_text, count=len(items),
            html=column_html(initiative_groups(items), show_product=multi, empty_text=empty),
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


# --- the release timeline -----------------------------------------------------------


def _percent(part, whole) -> int:
    return round(100 * Decimal(part) / Decimal(whole)) if whole else 0


def release_timeline_context(product: Product, today: date, *,
                             audience: Audience = Audience.member()) -> dict:  # noqa: B008 - frozen
    """The release timeline's data, computed without a user: the releases of `product` (or
    of its line's products) past to future, the current and next of each product expanded
    with their features (without who works on them, and without estimates, when the
    `audience` may not see them, as on share links). Five queries at most."""
    show_assignees, show_estimates = audience.assignees, audience.estimates
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
            "features": feature_table(rows_by_release.get(release.pk, []), show_assignees=show_assignees,
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
