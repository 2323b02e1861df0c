"""Timeline roadmaps: a product's features and releases on a time axis, and a product line's
releases product by product (the portfolio timeline).

Views stay adapters: they check access, hand the query string to `roadmap.compose` (which
parses the view options, filters like the backlog, reads `.values()` rows, runs
`timeline.layout_timeline` and draws through `roadmap.render.timeline`, as it does for share links)
and add the page's own controls. A page costs a fixed number of queries however many
features it draws.

Rescheduling posts to `feature_reschedule` / `release_reschedule`, which call the same
services as the edit forms (permissions, validation and stale-edit refusal included) and
answer JSON: 200 {ok}, or 400/403/409 {error}."""

from __future__ import annotations

import io
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from releases import selectors as release_selectors
from releases import services as release_services
from releases.filters import NONE
from releases.models import StatusCategory
from strategy import access
from strategy import selectors as strategy_selectors
from strategy.models import Product, Workspace
from strategy.spreadsheet import SafeCsvWriter
from strategy.web import product_for, query_string, workspace_view

from .. import compose
from ..render.timeline_table import portfolio_table, product_table
from ..timeline import ViewOptions, Window, Zoom, add_months

ZOOMS = [(Zoom.WEEKS, "Weeks"), (Zoom.MONTHS, "Months"), (Zoom.QUARTERS, "Quarters"), (Zoom.YEARS, "Years")]
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


def _timeline(request: HttpRequest, workspace: Workspace, product: Product) -> compose.ProductTimeline:
    """The timeline the query string asks for, as this member sees it."""
    audience = compose.Audience.member(workspace, editable=access.can(request.user, "releases.edit", product))
    return compose.product_timeline(product, params=request.GET, today=timezone.localdate(), audience=audience)


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
    timeline = _timeline(request, workspace, product)
    options, rows = timeline.options, timeline.rows
    show_arrows = request.GET.get("deps") == "1"
    context = {
        "workspace": workspace,
        "product": product,
        "timeline_html": timeline.html(show_arrows=show_arrows),
        "timeline_table": product_table(timeline),
        "notices": timeline.notices,
        "controls": _controls(request, options),
        "group": options.group.value,
        "groups": [(value.value, label) for value, label in compose.GROUPS],
        "colour": timeline.colour,
        "colour_urls": [(value, label, query_string(request, colour="" if value == "status" else value),
                         value == timeline.colour) for value, label in COLOURS],
        "legend": _legend(timeline.colour, rows),
        "deps": show_arrows,
        "deps_url": query_string(request, deps="" if show_arrows else "1"),
        "filter": timeline.filterset,
        "current": {"status": request.GET.getlist("status"),
                    **{name: request.GET.get(name, "") for name in FILTER_PARAMS if name != "status"}},
        "is_filtered": timeline.filterset.is_filtered,
        "clear_url": query_string(request, **{name: "" for name in FILTER_PARAMS}),
        "statuses": timeline.statuses,
        "releases": timeline.releases,
        "initiatives": list(strategy_selectors.initiative_choices(user=request.user, product=product)),
        "members": list(strategy_selectors.member_users(workspace=workspace)),
        # Unfiltered, the rows already hold every feature and so every tag in use.
        "tags": release_selectors.tags_in_use(product=product) if timeline.filterset.is_filtered
        else sorted({tag for row in rows for tag in row["tags"]}),
        "none": NONE,
        "feature_count": len(rows),
        "drawn_count": len(timeline.layout.feature_bars),
        "has_dated": timeline.has_dated,
        "conflicts": timeline.conflict_list,
        "can_edit": timeline.draw_options.editable,
        "export_svg_url": reverse("roadmap:timeline_export_svg", args=[workspace.slug,
                                                                       product.key]) + query_string(request),
        "export_csv_url": reverse("roadmap:timeline_export_csv", args=[workspace.slug,
                                                                       product.key]) + query_string(request),
        "portfolio_url": reverse("roadmap:portfolio_timeline", args=[workspace.slug,
                                                                     product.key]) if product.is_line else "",
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
    timeline = _timeline(request, workspace, product)
    layout = timeline.layout
    title = (f"{product.name} roadmap · {layout.window.start.isoformat()} – {layout.window.end.isoformat()}")
    svg = timeline.svg(title=title, show_arrows=request.GET.get("deps") == "1")
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{product.key.lower()}-roadmap.svg"'
    return response


CSV_COLUMNS = ("key", "title", "status", "release", "start", "end", "group")


@workspace_view
@require_GET
def timeline_export_csv(request: HttpRequest, workspace: Workspace, key: str) -> HttpResponse:
    """The features drawn in the visible window, one row each, in the timeline's order."""
    product = product_for(request, workspace, key)
    timeline = _timeline(request, workspace, product)
    layout = timeline.layout
    by_id = {row["id"]: row for row in timeline.rows}
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
    portfolio = compose.portfolio_timeline(line, params=request.GET, today=timezone.localdate(),
                                           audience=compose.Audience.member(workspace))
    keys = {child.pk: child.key for child in portfolio.children}
    context = {
        "workspace": workspace,
        "product": line,
        "children": portfolio.children,
        "timeline_html": portfolio.html,
        "timeline_table": portfolio_table(portfolio, href=lambda release: reverse(
            "releases:release_detail", args=[workspace.slug, keys[release.product_id], release.pk])),
        "notices": portfolio.notices,
        "controls": _controls(request, portfolio.options),
        "release_count": len(portfolio.releases),
        "has_conflicts": bool(portfolio.conflict_releases),
        "params": {name: request.GET.get(name, "") for name in ("zoom", "start", "end")},
    }
    template = "roadmap/portfolio_timeline.html"
    if request.htmx and not request.htmx.boosted:
        template += "#timeline-results"
    return render(request, template, context)
