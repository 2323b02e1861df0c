"""The product timeline and a product line's portfolio timeline, composed for the pages and
the share links alike."""


from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from releases import selectors as release_selectors
from releases.filters import FeatureFilterSet
from releases.models import Release, WorkflowStatus
from strategy.models import Product

from .. import selectors
from ..render import timeline as draw
from ..timeline import (
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
from .audience import Audience

GROUPS = [(GroupBy.RELEASE, "Release"), (GroupBy.INITIATIVE, "Initiative"), (GroupBy.GOAL, "Goal"),
          (GroupBy.STATUS, "Status"), (GroupBy.ASSIGNEE, "Assignee")]


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
    feature_url = _url_pattern("releases:feature_detail", workspace.slug, product.key)
    release_url = _url_pattern("releases:release_detail", workspace.slug, product.key)
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
            "feature": reverse("roadmap:feature_reschedule", args=[workspace.slug, product.key]),
            "release": reverse("roadmap:release_reschedule", args=[workspace.slug, product.key]),
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
        return mark_safe(drawn)  # noqa: S308 - built with html.escape in roadmap.render.timeline

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
    conflict_releases: frozenset[int] = frozenset()


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
            url = _url_pattern("releases:release_detail", workspace.slug, child.key)
            for release in by_product[child.pk]:
                release_urls[release.pk] = url.format(release.pk)
        group = layout.releases
        if group is None:  # no releases: an empty lane
            group = Group("", child.name, "releases", 0.0, float(HEADER_HEIGHT + RELEASE_LANE_HEIGHT), 0, (),
                          (), (), ())
        href = reverse("roadmap:product_timeline", args=[workspace.slug, child.key]) if workspace is not None else ""
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
                             html=mark_safe(drawn),  # noqa: S308 - built with html.escape in roadmap.render.timeline
                             conflict_releases=draw_options.conflict_releases)
