"""Timeline roadmaps: a product's features and releases on a time axis, and a product line's
releases product by product (the portfolio timeline).

Views stay adapters: the query string goes through `timeline.parse_view_options` (zoom,
grouping, window; never raises) and the backlog's FeatureFilterSet (status, initiative, tag,
assignee, release); selectors read `.values()` rows; `timeline.layout_timeline` places
everything; `render_timeline` draws it in one string. A page costs a fixed number of
queries however many features it draws.

Rescheduling posts to `feature_reschedule` / `release_reschedule`, which call the same
services as the edit forms (permissions, validation and stale-edit refusal included) and
answer JSON: 200 {ok}, or 400/403/409 {error}."""

from __future__ import annotations

import io
from collections import Counter
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from releases import selectors as release_selectors
from releases import services as release_services
from releases.filters import NONE, FeatureFilterSet
from releases.models import Dependency, Feature, Release, StatusCategory
from strategy import access
from strategy import selectors as strategy_selectors
from strategy.models import Product, Workspace
from strategy.selectors import product_list
from strategy.spreadsheet import SafeCsvWriter
from strategy.web import product_for, query_string, workspace_view

from . import render_timeline as draw
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
    Window,
    Zoom,
    add_months,
    layout_timeline,
    parse_view_options,
)

ZOOMS = [(Zoom.WEEKS, "Weeks"), (Zoom.MONTHS, "Months"), (Zoom.QUARTERS, "Quarters"), (Zoom.YEARS, "Years")]
GROUPS = [(GroupBy.RELEASE, "Release"), (GroupBy.INITIATIVE, "Initiative"), (GroupBy.GOAL, "Goal"),
          (GroupBy.STATUS, "Status"), (GroupBy.ASSIGNEE, "Assignee")]
COLOURS = [("status", "Status"), ("initiative", "Initiative")]
CATEGORY_LEGEND = [(value, label) for value, label in StatusCategory.choices]
FILTER_PARAMS = ("status", "initiative", "tag", "assignee", "release")
# How far "earlier" / "later" moves the window, in months (weeks: 4 weeks).
_STEP_MONTHS = {Zoom.MONTHS: 3, Zoom.QUARTERS: 6, Zoom.YEARS: 12}


# --- query string -----------------------------------------------------------------------




def _shift(window: Window, zoom: Zoom, steps: int) -> Window:
    if zoom is Zoom.WEEKS:
        delta = timedelta(days=28 * steps)
        return Window(window.start + delta, window.end + delta)
    months = _STEP_MONTHS[zoom] * steps
    end_is_month_end = (window.end + timedelta(days=1)).day == 1
    end = add_months(window.end + timedelta(days=1), months) - timedelta(days=1) if end_is_month_end else (
        add_months(window.end, months))
    return Window(add_months(window.start, months), end)


def _controls(request: HttpRequest, options: ViewOptions) -> dict:
    earlier, later = _shift(options.window, options.zoom, -1), _shift(options.window, options.zoom, 1)
    return {
        "zooms": [(value.value, label, query_string(request, zoom=value.value, start="", end=""),
                   value is options.zoom) for value, label in ZOOMS],
        "earlier_url": query_string(request, start=earlier.start.isoformat(), end=earlier.end.isoformat()),
        "later_url": query_string(request, start=later.start.isoformat(), end=later.end.isoformat()),
        "today_url": query_string(request, start="", end=""),
        "window": options.window,
    }


# --- the product timeline ---------------------------------------------------------------


def _colour_mode(request: HttpRequest) -> str:
    return "initiative" if request.GET.get("colour") == "initiative" else "status"


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


def _goals_by_feature(product: Product) -> dict[int, tuple[int, str]]:
    """{feature id: (goal id, name)} of each feature's first goal by name, in one query. A
    feature serving several goals is drawn once, under the first."""
    pairs = (Feature.goals.through.objects.filter(feature__product=product)
             .order_by("feature_id", "goal__name", "goal_id")
             .values_list("feature_id", "goal_id", "goal__name"))
    found: dict[int, tuple[int, str]] = {}
    for feature_id, goal_id, name in pairs:
        found.setdefault(feature_id, (goal_id, name))
    return found


def _release_items(releases: list[Release]) -> list[ReleaseItem]:
    return [ReleaseItem(id=r.pk, name=r.name, start=r.start_date, end=r.release_date, status=r.status,
                        milestones=tuple(MilestoneItem(m.pk, m.name, m.date) for m in r.milestones.all()))
            for r in releases]


def _timeline_data(request: HttpRequest, workspace: Workspace, product: Product, options: ViewOptions):
    """Everything the product timeline draws, in a fixed number of queries."""
    features = release_selectors.feature_queryset(user=request.user, product=product)
    filterset = FeatureFilterSet(request.GET, queryset=features, request=request)
    filtered = filterset.qs
    rows = release_selectors.feature_rows(filtered)
    versions = {row["id"]: row["version"] for row in rows}
    releases = list(release_selectors.release_list(user=request.user, product=product))
    dependencies = list(Dependency.objects.filter(feature__product=product).values_list("feature_id", "depends_on_id"))
    conflicts = release_selectors.ConflictIndex.of(release_selectors.conflicts_for(
        product=product, feature_rows_=None if filterset.is_filtered else rows, dependencies=dependencies,
        releases=releases))
    goal_of = _goals_by_feature(product) if options.group is GroupBy.GOAL else {}
    return filterset, rows, versions, releases, dependencies, conflicts, goal_of


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


def _draw_options(workspace, product, rows, versions, releases, conflicts, *, can_edit: bool,
                  colour: str) -> draw.DrawOptions:
    feature_url = _url_pattern("feature_detail", workspace.slug, product.key)
    release_url = _url_pattern("release_detail", workspace.slug, product.key)
    number_of = {row["id"]: row["number"] for row in rows}

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


def _build(request: HttpRequest, workspace: Workspace, product: Product):
    today = timezone.localdate()
    options, notices = parse_view_options(request.GET, today)
    colour = _colour_mode(request)
    filterset, rows, versions, releases, dependencies, conflicts, goal_of = _timeline_data(
        request, workspace, product, options)
    statuses = list(release_selectors.status_list(user=request.user, workspace=workspace))
    items = _feature_items(rows, options.group, colour, goal_of)
    layout = layout_timeline(features=items, window=options.window, zoom=options.zoom, today=today,
                             releases=_release_items(releases), dependencies=dependencies,
                             groups=_declared_groups(options.group, releases, statuses))
    can_edit = access.can(request.user, "releases.edit", product)
    draw_options = _draw_options(workspace, product, rows, versions, releases, conflicts, can_edit=can_edit,
                                 colour=colour)
    counts = Counter(item.group_key for item in items)
    return {
        "options": options, "notices": notices, "colour": colour, "filterset": filterset, "rows": rows,
        "items": items, "releases": releases, "statuses": statuses, "conflicts": conflicts, "layout": layout,
        "draw_options": draw_options, "sections": _sections(layout, counts), "can_edit": can_edit,
    }


def _legend(colour: str, rows: list[dict]) -> list[dict]:
    if colour == "initiative":
        seen: dict = {}
        for row in rows:
            if row["initiative_id"] and row["initiative_id"] not in seen:
                seen[row["initiative_id"]] = {"label": row["initiative__name"], "colour": row["initiative__colour"]}
        legend = sorted(seen.values(), key=lambda entry: entry["label"].casefold())
        return legend + [{"label": "No initiative", "css": "none"}]
    return [{"label": label, "css": value} for value, label in CATEGORY_LEGEND]


@workspace_view
@require_GET
@vary_on_headers("HX-Request")
def product_timeline(request: HttpRequest, workspace: Workspace, key: str) -> HttpResponse:
    """The product's features and releases on a time axis, grouped and coloured as asked,
    filtered like the backlog; editors drag bars to reschedule."""
    product = product_for(request, workspace, key)
    built = _build(request, workspace, product)
    layout, options = built["layout"], built["options"]
    show_arrows = request.GET.get("deps") == "1"
    drawn = draw.timeline_html(
        sections=built["sections"], width=layout.width, height=layout.height, axis=layout.axis,
        today_x=layout.today_x, window=layout.window, zoom=layout.zoom, options=built["draw_options"],
        layout=layout, show_arrows=show_arrows, corner=dict(GROUPS)[options.group])
    rows = built["rows"]
    dated = any(row["effective_start"] or row["effective_end"] for row in rows) or any(
        r.start_date for r in built["releases"])
    by_id = {row["id"]: row for row in rows}
    conflict_list = [
        {"message": c.message, "key": by_id[c.feature_id]["key"] if c.feature_id in by_id else "",
         "number": by_id[c.feature_id]["number"] if c.feature_id in by_id else None}
        for c in built["conflicts"].all
    ]
    context = {
        "workspace": workspace,
        "product": product,
        "timeline_html": mark_safe(drawn),  # noqa: S308 - built with html.escape in render_timeline
        "notices": built["notices"],
        "controls": _controls(request, options),
        "group": options.group.value,
        "groups": [(value.value, label) for value, label in GROUPS],
        "colour": built["colour"],
        "colour_urls": [(value, label, query_string(request, colour="" if value == "status" else value),
                         value == built["colour"]) for value, label in COLOURS],
        "legend": _legend(built["colour"], rows),
        "deps": show_arrows,
        "deps_url": query_string(request, deps="" if show_arrows else "1"),
        "filter": built["filterset"],
        "current": {"status": request.GET.getlist("status"),
                    **{name: request.GET.get(name, "") for name in FILTER_PARAMS if name != "status"}},
        "is_filtered": built["filterset"].is_filtered,
        "clear_url": query_string(request, **{name: "" for name in FILTER_PARAMS}),
        "statuses": built["statuses"],
        "releases": built["releases"],
        "initiatives": list(strategy_selectors.initiative_choices(user=request.user, product=product)),
        "members": list(strategy_selectors.member_users(workspace=workspace)),
        # Unfiltered, the rows already hold every feature and so every tag in use.
        "tags": release_selectors.tags_in_use(product=product) if built["filterset"].is_filtered
        else sorted({tag for row in rows for tag in row["tags"]}),
        "none": NONE,
        "feature_count": len(rows),
        "drawn_count": len(layout.feature_bars),
        "has_dated": dated,
        "conflicts": conflict_list,
        "can_edit": built["can_edit"],
        "export_svg_url": reverse("timeline_export_svg", args=[workspace.slug, product.key]) + query_string(request),
        "export_csv_url": reverse("timeline_export_csv", args=[workspace.slug, product.key]) + query_string(request),
        "portfolio_url": reverse("portfolio_timeline", args=[workspace.slug, product.key]) if product.is_line else "",
        "params": {name: request.GET.get(name, "") for name in ("zoom", "start", "end", "colour", "deps")},
    }
    template = "roadmap/product_timeline.html"
    if request.htmx and not request.htmx.boosted:
        template += "#timeline-results"
    return render(request, template, context)


# --- rescheduling -----------------------------------------------------------------------


def _parse_day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        return None


def _int(value) -> int | None:
    value = str(value or "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else None


def _reschedule_input(request: HttpRequest) -> tuple[date, date, int | None] | JsonResponse:
    start, end = _parse_day(request.POST.get("start")), _parse_day(request.POST.get("end"))
    if start is None or end is None:
        return JsonResponse({"error": "Give the new start and end as dates (YYYY-MM-DD)."}, status=400)
    return start, end, _int(request.POST.get("version"))


def _refusal(exc: ValidationError) -> JsonResponse:
    stale = getattr(exc, "code", None) == "stale" or hasattr(exc, "current_version")
    return JsonResponse({"error": " ".join(exc.messages)}, status=409 if stale else 400)


def _reschedule(request: HttpRequest, record, save) -> JsonResponse:
    """Parse the new dates and hand them to `save(start, end, version)` (a service call, so
    permissions, rules and stale-edit refusal apply); answer JSON for the dragging script."""
    if record is None:
        raise Http404("Nothing to reschedule.")
    parsed = _reschedule_input(request)
    if isinstance(parsed, JsonResponse):
        return parsed
    start, end, version = parsed
    try:
        saved = save(start, end, version)
    except PermissionDenied:
        return JsonResponse({"error": "You may not change this roadmap."}, status=403)
    except ValidationError as exc:
        return _refusal(exc)
    return JsonResponse({"ok": True, "version": saved.version, "start": start.isoformat(),
                         "end": end.isoformat()})


@workspace_view(requires="releases.edit")
@require_POST
def feature_reschedule(request: HttpRequest, workspace: Workspace, key: str) -> JsonResponse:
    """Move or resize a feature bar: `number`, `start`, `end`, `version`."""
    product = product_for(request, workspace, key)
    number = _int(request.POST.get("number"))
    feature = release_selectors.feature_queryset(user=request.user, product=product).filter(
        number=number).first() if number is not None else None
    return _reschedule(request, feature, lambda start, end, version: release_services.feature_update(
        actor=request.user, feature=feature, version=version, start_date=start, end_date=end))


@workspace_view(requires="releases.edit")
@require_POST
def release_reschedule(request: HttpRequest, workspace: Workspace, key: str) -> JsonResponse:
    """Move or resize a release bar: `pk`, `start`, `end` (the release date), `version`."""
    product = product_for(request, workspace, key)
    pk = _int(request.POST.get("pk"))
    release = release_selectors.release_choices(user=request.user, product=product).filter(
        pk=pk).first() if pk is not None else None
    return _reschedule(request, release, lambda start, end, version: release_services.release_update(
        actor=request.user, release=release, version=version, start_date=start, release_date=end))


# --- exports ----------------------------------------------------------------------------


@workspace_view
@require_GET
def timeline_export_svg(request: HttpRequest, workspace: Workspace, key: str) -> HttpResponse:
    """The visible timeline as a standalone SVG file."""
    product = product_for(request, workspace, key)
    built = _build(request, workspace, product)
    layout = built["layout"]
    title = (f"{product.name} roadmap · {layout.window.start.isoformat()} – {layout.window.end.isoformat()}")
    svg = draw.standalone_svg(sections=built["sections"], layout=layout, options=built["draw_options"],
                              title=title, show_arrows=request.GET.get("deps") == "1")
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{product.key.lower()}-roadmap.svg"'
    return response


CSV_COLUMNS = ("key", "title", "status", "release", "start", "end", "group")


@workspace_view
@require_GET
def timeline_export_csv(request: HttpRequest, workspace: Workspace, key: str) -> HttpResponse:
    """The features drawn in the visible window, one row each, in the timeline's order."""
    product = product_for(request, workspace, key)
    built = _build(request, workspace, product)
    layout = built["layout"]
    by_id = {row["id"]: row for row in built["rows"]}
    out = io.StringIO()
    writer = SafeCsvWriter(out)
    writer.writerow(CSV_COLUMNS)
    for group in layout.groups:
        for bar in group.bars:
            row = by_id[bar.id]
            writer.writerow([row["key"], row["title"], row["status__name"], row["release__name"] or "",
                             bar.start.isoformat() if bar.start else "", bar.end.isoformat() if bar.end else "",
                             group.label])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{product.key.lower()}-roadmap.csv"'
    return response


# --- the portfolio timeline -------------------------------------------------------------


@workspace_view
@require_GET
@vary_on_headers("HX-Request")
def portfolio_timeline(request: HttpRequest, workspace: Workspace, key: str) -> HttpResponse:
    """A product line's products, one swim lane each, with their releases and milestones."""
    line = product_for(request, workspace, key)
    if not line.is_line:
        raise Http404("Only a product line has a portfolio timeline.")
    today = timezone.localdate()
    options, notices = parse_view_options(request.GET, today)
    children = list(product_list(user=request.user, workspace=workspace).filter(parent=line))
    releases = list(release_selectors.release_list(user=request.user).filter(product__in=children)
                    .order_by("product_id", "release_date", "name", "id"))
    by_product: dict[int, list[Release]] = {child.pk: [] for child in children}
    for release in releases:
        by_product[release.product_id].append(release)
    sections: list[draw.Section] = []
    dy = 0.0
    width = 0.0
    axis = today_x = None
    release_urls: dict[int, str] = {}
    conflicts = release_selectors.plan_for(product_ids=[child.pk for child in children]).conflicts
    for child in children:
        items = _release_items(by_product[child.pk])
        layout = layout_timeline(features=(), window=options.window, zoom=options.zoom, today=today,
                                 releases=items)
        width, axis, today_x = layout.width, layout.axis, layout.today_x
        url = _url_pattern("release_detail", workspace.slug, child.key)
        for release in by_product[child.pk]:
            release_urls[release.pk] = url.format(release.pk)
        group = layout.releases
        if group is None:  # no releases: an empty lane
            group = Group("", child.name, "releases", 0.0, float(HEADER_HEIGHT + RELEASE_LANE_HEIGHT), 0, (),
                          (), (), ())
        sections.append(draw.Section(group=group, dy=dy, label=f"{child.name}",
                                     href=reverse("product_timeline", args=[workspace.slug, child.key]),
                                     meta=child.key))
        dy += group.height
    if axis is None:
        empty = layout_timeline(features=(), window=options.window, zoom=options.zoom, today=today)
        width, axis, today_x = empty.width, empty.axis, empty.today_x
    draw_options = draw.DrawOptions(href=lambda bar: release_urls.get(bar.id, ""),
                                    conflict_releases=frozenset(conflicts.by_release))
    drawn = draw.timeline_html(sections=sections, width=width, height=max(dy, 1.0), axis=axis, today_x=today_x,
                               window=options.window, zoom=options.zoom, options=draw_options, corner="Products")
    context = {
        "workspace": workspace,
        "product": line,
        "children": children,
        "timeline_html": mark_safe(drawn),  # noqa: S308 - built with html.escape in render_timeline
        "notices": notices,
        "controls": _controls(request, options),
        "release_count": len(releases),
        "params": {name: request.GET.get(name, "") for name in ("zoom", "start", "end")},
    }
    template = "roadmap/portfolio_timeline.html"
    if request.htmx and not request.htmx.boosted:
        template += "#timeline-results"
    return render(request, template, context)
