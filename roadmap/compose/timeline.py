"""The product timeline and a product line's portfolio timeline, composed for the pages and
the share links alike."""


from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from releases import selectors as release_selectors
from releases.filters import FeatureFilterSet
from releases.models import CLOSED_CATEGORIES, Release, WorkflowStatus
from strategy.models import Product

from .. import selectors
from ..changes import PlanChanges, compare_plans
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
    PhaseItem,
    ReleaseItem,
    ViewOptions,
    Window,
    fit_window,
    format_date,
    layout_timeline,
    parse_view_options,
)
from .audience import Audience

GROUPS = [(GroupBy.RELEASE, "Release"), (GroupBy.INITIATIVE, "Initiative"), (GroupBy.GOAL, "Goal"),
          (GroupBy.STATUS, "Status"), (GroupBy.ASSIGNEE, "Assignee")]
# What a group is, to say how many of them have nothing in the window.
GROUP_NOUNS = {GroupBy.RELEASE: ("release", "releases"), GroupBy.INITIATIVE: ("initiative", "initiatives"),
               GroupBy.GOAL: ("goal", "goals"), GroupBy.STATUS: ("status", "statuses"),
               GroupBy.ASSIGNEE: ("person", "people")}
_FINISHED_RELEASES = (Release.Status.RELEASED, Release.Status.CANCELLED)


def _explicit_window(params: Mapping) -> bool:
    return bool(params.get("start") or params.get("end"))


def work_window(rows: list[dict], releases: Iterable[Release], options: ViewOptions, today: date) -> Window | None:
    """The window that fits the planned work: open features and unfinished releases, or,
    when everything is finished, all of it; None when nothing has a date."""
    releases = list(releases)
    open_spans = [(row["effective_start"], row["effective_end"]) for row in rows
                  if row["status__category"] not in CLOSED_CATEGORIES]
    open_spans += [(r.start_date, r.release_date) for r in releases if r.status not in _FINISHED_RELEASES]
    window = fit_window(open_spans, options.zoom, today)
    if window is None:
        window = fit_window([(row["effective_start"], row["effective_end"]) for row in rows]
                            + [(r.start_date, r.release_date) for r in releases], options.zoom, today)
    return window


def fitted_options(params: Mapping, rows, releases, options: ViewOptions, today: date) -> tuple[ViewOptions, str]:
    """The options with the window fitted to the work when the address names no dates, and
    a sentence saying so ("" when the window is the one asked for)."""
    if _explicit_window(params):
        return options, ""
    window = work_window(rows, releases, options, today)
    if window is None:
        return options, ""
    return (ViewOptions(zoom=options.zoom, group=options.group, window=window),
            f"Fitted to the planned work: {format_date(window.start)} – {format_date(window.end)}.")


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
                        milestones=tuple(MilestoneItem(m.pk, m.name, m.date) for m in r.milestones.all()),
                        phases=tuple(PhaseItem(p["name"], p["colour"], p["start"], p["end"])
                                     for p in getattr(r, "timeline_phases", ())))
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
    return _member_draw_options(product, rows, releases, conflicts, audience=audience, colour=colour)


def _member_draw_options(product, rows, releases, conflicts, *, audience: Audience, colour: str) -> draw.DrawOptions:
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
        if group.kind in ("releases", "collapsed"):
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
    fitted: str = ""  # "Fitted to the planned work: …" when the window was chosen for the reader
    changes: PlanChanges | None = None
    legend_entries: list[draw.LegendEntry] = field(default_factory=list)

    @property
    def group_label(self) -> str:
        return dict(GROUPS)[self.options.group]

    def legend(self) -> draw.Legend:
        release_bars = self.layout.releases.bars if self.layout.releases else ()
        return draw.Legend(self.legend_entries, conflicts=bool(self.conflicts.all),
                           milestones=any(bar.milestones for bar in release_bars),
                           phases=any(bar.phases for bar in release_bars), changes=self.changes is not None)

    def html(self, *, show_arrows: bool = False) -> SafeString:
        layout = self.layout
        drawn = draw.timeline_html(
            sections=self.sections, width=layout.width, height=layout.height, axis=layout.axis,
            today_x=layout.today_x, window=layout.window, zoom=layout.zoom, options=self.draw_options,
            layout=layout, show_arrows=show_arrows, corner=self.group_label)
        return mark_safe(drawn)  # noqa: S308 - built with html.escape in roadmap.render.timeline

    def svg(self, *, title: str, subtitle: str = "", show_arrows: bool = False) -> str:
        """A standalone SVG document of the visible timeline with its legend (the export)."""
        layout = self.layout
        return draw.standalone_svg(
            sections=self.sections, width=layout.width, height=layout.height, axis=layout.axis,
            today_x=layout.today_x, window=layout.window, zoom=layout.zoom, options=self.draw_options, title=title,
            subtitle=subtitle, legend=self.legend(), layout=layout, show_arrows=show_arrows)

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


def legend_entries(colour: str, rows: list[dict]) -> list[draw.LegendEntry]:
    """The colours in use: status categories, or the initiatives of the rows drawn."""
    if colour != "initiative":
        return draw.status_legend()
    seen: dict = {}
    for row in rows:
        if row["initiative_id"] and row["initiative_id"] not in seen:
            seen[row["initiative_id"]] = draw.LegendEntry(row["initiative__name"], colour=row["initiative__colour"])
    return sorted(seen.values(), key=lambda entry: entry.label.casefold()) + [draw.LegendEntry("No initiative",
                                                                                               "none")]


def plan_changes(product_ids: list[int], rows: list[dict], since: datetime, *, complete: bool) -> PlanChanges:
    """What changed among `rows` since `since`; deleted features count only when `rows` are
    the whole plan (`complete`), since a filtered view cannot tell what it would have shown."""
    now = selectors.plan_now(rows)
    then = selectors.plan_then(product_ids, since, now)
    return compare_plans(then=then.features, now=now, removed=then.deleted if complete else (), since=since)


def product_timeline(product: Product, *, params: Mapping, today: date, audience: Audience,
                     since: datetime | None = None) -> ProductTimeline:
    """The product's features and releases on a time axis, grouped, coloured and filtered as
    `params` ask (a QueryDict or anything with `get`/`getlist`), in a fixed number of
    queries however many features it draws. Without dates in `params`, the window fits the
    planned work; with `since`, bars are marked with what changed since then (three more
    queries)."""
    options, notices = parse_view_options(params, today)
    if options.group is GroupBy.ASSIGNEE and not audience.assignees:
        options = type(options)(zoom=options.zoom, group=GroupBy.RELEASE, window=options.window)
    colour = "initiative" if params.get("colour") == "initiative" else "status"
    filterset = FeatureFilterSet(params, queryset=selectors.product_features(product))
    # The dependencies come with the rows (of the features shown: an arrow needs both ends drawn,
    # and a filtered view's conflicts come from the plan cache).
    rows, dependencies = selectors.timeline_rows(filterset.qs)
    releases = selectors.lane_releases([product.pk])
    conflicts = release_selectors.ConflictIndex.of(release_selectors.conflicts_for(
        product=product, feature_rows_=None if filterset.is_filtered else rows, dependencies=dependencies,
        releases=releases))
    options, fitted = fitted_options(params, rows, releases, options, today)
    changes = plan_changes([product.pk], rows, since, complete=not filterset.is_filtered) if since else None
    goal_of = selectors.goals_by_feature(product) if options.group is GroupBy.GOAL else {}
    # Members' pages list the statuses as filter choices; otherwise only grouping needs them.
    statuses = selectors.workflow_statuses(product) if (
        audience.workspace is not None or options.group is GroupBy.STATUS) else []
    items = _feature_items(rows, options.group, colour, goal_of)
    layout = layout_timeline(features=items, window=options.window, zoom=options.zoom, today=today,
                             releases=_release_items(releases), dependencies=dependencies,
                             groups=_declared_groups(options.group, releases, statuses),
                             collapse_empty=GROUP_NOUNS[options.group])
    counts = Counter(item.group_key for item in items)
    draw_options = _draw_options(product, rows, releases, conflicts, audience=audience, colour=colour)
    draw_options.bar_x, draw_options.body_width = layout.x_of, layout.width
    if changes is not None:
        draw_options.changes = changes.by_feature
    return ProductTimeline(
        options=options, notices=notices, colour=colour, filterset=filterset, rows=rows, releases=releases,
        statuses=statuses, conflicts=conflicts, layout=layout, sections=_sections(layout, counts),
        draw_options=draw_options, fitted=fitted, changes=changes, legend_entries=legend_entries(colour, rows))


# --- the portfolio timeline -------------------------------------------------------------


@dataclass
class PortfolioTimeline:
    """A product line's products, one lane each, with their releases (and their features,
    when asked), ready to draw as a page widget or a standalone SVG."""

    options: ViewOptions
    notices: list[str]
    children: list[Product]
    releases: list[Release]
    sections: list[draw.Section]
    width: float
    height: float
    axis: object
    today_x: float | None
    draw_options: draw.DrawOptions
    legend: draw.Legend
    features: bool = False
    rows: list[dict] = field(default_factory=list)
    fitted: str = ""
    changes: PlanChanges | None = None

    @property
    def feature_count(self) -> int:
        return len(self.rows)

    @property
    def conflict_releases(self) -> frozenset[int]:
        return self.draw_options.conflict_releases

    @property
    def html(self) -> SafeString:
        drawn = draw.timeline_html(sections=self.sections, width=self.width, height=self.height, axis=self.axis,
                                   today_x=self.today_x, window=self.options.window, zoom=self.options.zoom,
                                   options=self.draw_options, corner="Products")
        return mark_safe(drawn)  # noqa: S308 - built with html.escape in roadmap.render.timeline

    def svg(self, *, title: str, subtitle: str = "") -> str:
        return draw.standalone_svg(sections=self.sections, width=self.width, height=self.height, axis=self.axis,
                                   today_x=self.today_x, window=self.options.window, zoom=self.options.zoom,
                                   options=self.draw_options, title=title, subtitle=subtitle, legend=self.legend)


def portfolio_timeline(line: Product, *, params: Mapping, today: date, audience: Audience,
                       since: datetime | None = None, children: list[Product] | None = None) -> PortfolioTimeline:
    """The line's products, one swim lane each, with their releases and milestones, and with
    `features=1` their features under them; members' lanes link to each product's roadmap and
    bars to their releases and features. Without dates in `params` the window fits the work;
    with `since` (and features shown) bars are marked with what changed since then. A caller
    that has read the line's products (`selectors.line_children`) passes them as `children`."""
    options, notices = parse_view_options(params, today)
    show_features = params.get("features") == "1"
    children = selectors.line_children(line) if children is None else children
    child_ids = [child.pk for child in children]
    releases = selectors.lane_releases(child_ids)
    rows = release_selectors.feature_rows(selectors.line_features(child_ids)) if show_features and children else []
    options, fitted = fitted_options(params, rows, releases, options, today)
    changes = plan_changes(child_ids, rows, since, complete=True) if since and show_features else None
    by_product: dict[int, list[Release]] = {child.pk: [] for child in children}
    for release in releases:
        by_product[release.product_id].append(release)
    rows_by_product: dict[int, list[dict]] = {child.pk: [] for child in children}
    child_of_key = {child.key: child.pk for child in children}
    for row in rows:
        rows_by_product[child_of_key[row["product_key"]]].append(row)
    sections: list[draw.Section] = []
    dy = 0.0
    width = 0.0
    axis = today_x = None
    release_urls: dict[int, str] = {}
    feature_urls: dict[int, str] = {}
    conflicts = release_selectors.plan_for(product_ids=child_ids).conflicts
    workspace = audience.workspace
    for child in children:
        items = [FeatureItem(id=row["id"], key=row["key"], title=row["title"], start=row["start_date"],
                             end=row["end_date"], release_id=row["release_id"], group_key="features",
                             group_label="Features", colour_key=row["status__category"],
                             category=row["status__category"]) for row in rows_by_product[child.pk]]
        layout = layout_timeline(features=items, window=options.window, zoom=options.zoom, today=today,
                                 releases=_release_items(by_product[child.pk]))
        width, axis, today_x = layout.width, layout.axis, layout.today_x
        if workspace is not None:
            url = _url_pattern("releases:release_detail", workspace.slug, child.key)
            for release in by_product[child.pk]:
                release_urls[release.pk] = url.format(release.pk)
            url = _url_pattern("releases:feature_detail", workspace.slug, child.key)
            for row in rows_by_product[child.pk]:
                feature_urls[row["id"]] = url.format(row["number"])
        group = layout.releases
        if group is None:  # no releases: an empty lane
            group = Group("", child.name, "releases", 0.0, float(HEADER_HEIGHT + RELEASE_LANE_HEIGHT), 0, (),
                          (), (), ())
        href = reverse("roadmap:product_timeline", args=[workspace.slug, child.key]) if workspace is not None else ""
        sections.append(draw.Section(group=group, dy=dy, label=child.name, href=href, meta=child.key))
        for features in layout.groups:
            sections.append(draw.Section(group=features, dy=dy + (group.height if layout.releases is None else 0),
                                         label=f"{child.key} features", meta=str(len(rows_by_product[child.pk]))))
        dy += (group.height if layout.releases is None else 0) + layout.height
    if axis is None:
        empty = layout_timeline(features=(), window=options.window, zoom=options.zoom, today=today)
        width, axis, today_x = empty.width, empty.axis, empty.today_x
    draw_options = draw.DrawOptions(conflict_releases=frozenset(conflicts.by_release),
                                    conflict_features=frozenset(conflicts.by_feature),
                                    changes=changes.by_feature if changes else {},
                                    bar_x=lambda day: _x_of(options.window, options.zoom, day), body_width=width)
    if workspace is not None:
        draw_options.href = lambda bar: (release_urls if bar.kind == "release" else feature_urls).get(bar.id, "")
    entries = draw.release_legend()
    if show_features:
        entries += [draw.LegendEntry(f"Feature {entry.label.lower()}", entry.css) for entry in draw.status_legend()]
    legend = draw.Legend(entries, conflicts=bool(conflicts.by_release or (show_features and conflicts.by_feature)),
                         milestones=any(r.milestones.all() for r in releases),
                         phases=any(bar.phases for section in sections for bar in section.group.bars),
                         changes=changes is not None)
    return PortfolioTimeline(options=options, notices=notices, children=children, releases=releases,
                             sections=sections, width=width, height=max(dy, 1.0), axis=axis, today_x=today_x,
                             draw_options=draw_options, legend=legend, features=show_features, rows=rows,
                             fitted=fitted, changes=changes)


def _x_of(window: Window, zoom, day: date) -> float:
    return math.floor((day.toordinal() - window.start.toordinal()) * zoom.px_per_day * 2 + 0.5) / 2
