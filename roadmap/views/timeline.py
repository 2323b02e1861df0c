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
from datetime import date, datetime, timedelta
from typing import NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from releases import selectors as release_selectors
from releases import services as release_services
from releases.filters import NONE
from strategy import access
from strategy import selectors as strategy_selectors
from strategy.html import e, safe_join
from strategy.models import Product, Workspace
from strategy.spreadsheet import SafeCsvWriter
from strategy.web import product_for, query_string, workspace_view

from .. import compose
from .. import selectors as roadmap_selectors
from ..changes import parse_since
from ..render import pdf
from ..render.splice import render_spliced
from ..render.timeline_table import portfolio_table, product_table
from ..timeline import ViewOptions, Window, Zoom, add_months, default_window, format_date

ZOOMS = [(Zoom.WEEKS, "Weeks"), (Zoom.MONTHS, "Months"), (Zoom.QUARTERS, "Quarters"), (Zoom.YEARS, "Years")]
COLOURS = [("status", "Status"), ("initiative", "Initiative")]
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


def _controls(request: HttpRequest, options: ViewOptions, *, fitted: str = "") -> dict:
    earlier, later = _shift(options.window, options.zoom, -1), _shift(options.window, options.zoom, 1)
    around_today = default_window(options.zoom, timezone.localdate())
    return {
        "zooms": [(value.value, label, query_string(request, zoom=value.value, start="", end=""),
                   value is options.zoom) for value, label in ZOOMS],
        "earlier_url": query_string(request, start=earlier.start.isoformat(), end=earlier.end.isoformat()),
        "later_url": query_string(request, start=later.start.isoformat(), end=later.end.isoformat()),
        "today_url": query_string(request, start=around_today.start.isoformat(), end=around_today.end.isoformat()),
        # Without dates in the address, the window fits the planned work.
        "fit_url": query_string(request, start="", end=""),
        "fitted": fitted,
        "window": options.window,
    }


def since_of(request: HttpRequest) -> tuple[datetime | None, str]:
    """The moment `?since=` asks to compare with, and a notice when it was ignored."""
    return parse_since(request.GET.get("since"), timezone.now())


def changes_context(request: HttpRequest, changes, today: date, *, links: bool = True) -> dict:
    """What the "what changed" toggle and summary need, for any roadmap page."""
    return {
        "changes": changes,
        "changes_summary": changes.summary(today) if changes else "",
        "changes_list": changes.ordered() if changes else [],
        "since_value": request.GET.get("since", "")[:40],
        "changes_off_url": query_string(request, since=""),
    }


# --- the product timeline ---------------------------------------------------------------


def _timeline(request: HttpRequest, workspace: Workspace, product: Product,
              since: datetime | None = None) -> compose.ProductTimeline:
    """The timeline the query string asks for, as this member sees it."""
    audience = compose.Audience.member(workspace, editable=access.can(request.user, "releases.edit", product))
    return compose.product_timeline(product, params=request.GET, today=timezone.localdate(), audience=audience,
                                    since=since)


def _conflicts_html(workspace: Workspace, product: Product, conflicts: list[dict]) -> SafeString:
    """The plan's conflicts as list items, each linking to its feature: built here rather than
    in a template loop, since a big plan has hundreds (DESIGN.md, "Performance habits")."""
    url = reverse("releases:feature_detail", args=[workspace.slug, product.key, 0]).replace("/0/", "/{}/")
    parts = []
    for conflict in conflicts:
        link = (f'<a class="mono" href="{e(url.format(conflict["number"]))}">{e(conflict["key"])}</a> '
                if conflict["number"] else "")
        parts.append(f'<li>{link}{e(conflict["message"])}</li>')
    return safe_join(parts)


def _options_html(choices, selected) -> SafeString:
    """<option>s of (value, label) pairs, the ones in `selected` (strings) selected: built here
    rather than in template loops, since the filters list every initiative, tag and person."""
    return safe_join(f'<option value="{e(value)}"{" selected" if str(value) in selected else ""}>{e(label)}</option>'
                     for value, label in choices)


def _filter_options(request: HttpRequest, workspace: Workspace, product: Product, drawn: dict) -> dict:
    current = {name: request.GET.getlist(name) if name == "status" else [request.GET.get(name, "")]
               for name in FILTER_PARAMS}
    initiatives = strategy_selectors.initiative_choices(user=request.user, product=product).values_list("pk", "name")
    members = strategy_selectors.member_users(workspace=workspace).values_list("pk", "full_name", "email")
    return {
        "status_options": _options_html(drawn["statuses"], current["status"]),
        "release_options": _options_html(drawn["releases"], current["release"]),
        "initiative_options": _options_html(initiatives, current["initiative"]),
        "tag_options": _options_html(((tag, tag) for tag in drawn["tags"]), current["tag"]),
        "member_options": _options_html(((pk, name or email) for pk, name, email in members), current["assignee"]),
    }


def _fragments(context: dict) -> dict[str, bytes]:
    """The drawing and its table, taken out of the context to be spliced into the page."""
    return {name: context.pop(name) for name in ("timeline_html", "timeline_table")}


class _Choice(NamedTuple):
    """A filter choice (a status or a release) as the template lists it."""

    pk: int
    name: str


def _drawn_timeline(request: HttpRequest, workspace: Workspace, product: Product,
                    since: datetime | None) -> dict:
    """What the page shows of the composed timeline: its drawing and table as HTML, and the
    few values around them, as plain (picklable) values for the view cache."""
    timeline = _timeline(request, workspace, product, since)
    rows = timeline.rows
    conflicts = timeline.conflict_list
    return {
        "options": timeline.options,
        "fitted": timeline.fitted,
        "notices": timeline.notices,
        "changes": timeline.changes,
        "colour": timeline.colour,
        # As bytes, for `render_spliced`.
        "timeline_html": timeline.html(show_arrows=request.GET.get("deps") == "1").encode(),
        "timeline_table": product_table(timeline).encode(),
        "legend_html": mark_safe(timeline.legend().html()),  # noqa: S308 - escaped in roadmap.render.timeline
        "is_filtered": timeline.filterset.is_filtered,
        "statuses": [_Choice(s.pk, s.name) for s in timeline.statuses],
        "releases": [_Choice(r.pk, r.name) for r in timeline.releases],
        # Unfiltered, the rows already hold every feature and so every tag in use.
        "tags": release_selectors.tags_in_use(product=product) if timeline.filterset.is_filtered
        else sorted({tag for row in rows for tag in row["tags"]}),
        "feature_count": len(rows),
        "drawn_count": len(timeline.layout.feature_bars),
        "has_dated": timeline.has_dated,
        "conflict_count": len(conflicts),
        "conflicts_html": _conflicts_html(workspace, product, conflicts),
        "can_edit": timeline.draw_options.editable,
    }


@workspace_view
@require_GET
@vary_on_headers("HX-Request")
def product_timeline(request: HttpRequest, workspace: Workspace, key: str) -> HttpResponse:
    """The product's features and releases on a time axis, grouped and coloured as asked,
    filtered like the backlog; editors drag bars to reschedule. The drawing comes from the
    view cache while the plan is unchanged (`compose.cached_view`)."""
    product = product_for(request, workspace, key)
    if product.is_line:  # a line has no features of its own: its timeline is its products' work
        return _portfolio_page(request, workspace, product, tab="timeline")
    since, since_notice = since_of(request)
    today = timezone.localdate()
    editable = access.can(request.user, "releases.edit", product)
    drawn = compose.cached_view(
        "product-timeline", [product.pk],
        (workspace.slug, product.pk, product.key, editable, today.isoformat(), since.isoformat() if since else "",
         sorted((name, tuple(values)) for name, values in request.GET.lists())),
        lambda: _drawn_timeline(request, workspace, product, since))
    options = drawn["options"]
    show_arrows = request.GET.get("deps") == "1"
    context = {
        **drawn,
        "workspace": workspace,
        "product": product,
        "notices": drawn["notices"] + ([since_notice] if since_notice else []),
        "controls": _controls(request, options, fitted=drawn["fitted"]),
        **changes_context(request, drawn["changes"], today),
        "group": options.group.value,
        "groups": [(value.value, label) for value, label in compose.GROUPS],
        "colour_urls": [(value, label, query_string(request, colour="" if value == "status" else value),
                         value == drawn["colour"]) for value, label in COLOURS],
        "deps": show_arrows,
        "deps_url": query_string(request, deps="" if show_arrows else "1"),
        "current": {"status": request.GET.getlist("status"),
                    **{name: request.GET.get(name, "") for name in FILTER_PARAMS if name != "status"}},
        "clear_url": query_string(request, **{name: "" for name in FILTER_PARAMS}),
        **_filter_options(request, workspace, product, drawn),
        "none": NONE,
        "export_svg_url": reverse("roadmap:timeline_export_svg", args=[workspace.slug,
                                                                       product.key]) + query_string(request),
        "export_csv_url": reverse("roadmap:timeline_export_csv", args=[workspace.slug,
                                                                       product.key]) + query_string(request),
        "export_pdf_url": reverse("roadmap:timeline_export_pdf", args=[workspace.slug,
                                                                       product.key]) + query_string(request),
        "params": {name: request.GET.get(name, "") for name in ("zoom", "start", "end", "colour", "deps", "since")},
    }
    template = "roadmap/product_timeline.html"
    if request.htmx and not request.htmx.boosted:
        template += "#timeline-results"
    return render_spliced(request, template, context, _fragments(context))


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


# The PDF draws the SVG's shapes straight onto ReportLab's canvas: about 1,000 to 2,000 bars a
# second on a busy 2-core machine (3,000 bars, 100 pages: 2-3 s; `python -m bench.pdf`). The limit
# only keeps a request well inside a worker's 30 s timeout; a view this big (a whole portfolio's
# features, say) is asked to narrow down, or to export SVG, which has no limit.
PDF_MAX_BARS = 10_000


def _too_big_for_pdf(bars: int) -> HttpResponse | None:
    if bars <= PDF_MAX_BARS:
        return None
    return HttpResponse(f"This view draws {bars:,} bars; a PDF holds at most {PDF_MAX_BARS:,}. Filter the "
                        "timeline or narrow its window, then download the PDF again (or export it as SVG).",
                        status=400, content_type="text/plain; charset=utf-8")


def _export_svg(request: HttpRequest, workspace: Workspace, product: Product,
                timeline: compose.ProductTimeline | None = None) -> str:
    timeline = timeline or _timeline(request, workspace, product, since_of(request)[0])
    window = timeline.layout.window
    title = f"{product.name} roadmap · {format_date(window.start)} – {format_date(window.end)}"
    as_of = timezone.localtime()
    return timeline.svg(title=title, subtitle=f"{workspace.name} · as of {as_of:%d %b %Y, %H:%M}",
                        show_arrows=request.GET.get("deps") == "1")


@workspace_view
@require_GET
def timeline_export_svg(request: HttpRequest, workspace: Workspace, key: str) -> HttpResponse:
    """The visible timeline as a standalone SVG file, with its title, date and legend."""
    product = product_for(request, workspace, key)
    response = HttpResponse(_export_svg(request, workspace, product), content_type="image/svg+xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{product.key.lower()}-roadmap.svg"'
    return response


@workspace_view
@require_GET
def timeline_export_pdf(request: HttpRequest, workspace: Workspace, key: str) -> HttpResponse:
    """The visible timeline as a PDF drawn from the same SVG: landscape A4, one page when it
    fits legibly, more (numbered) for long roadmaps."""
    product = product_for(request, workspace, key)
    timeline = _timeline(request, workspace, product, since_of(request)[0])
    refusal = _too_big_for_pdf(sum(len(group.bars) for group in timeline.layout.all_groups))
    if refusal is not None:
        return refusal
    document = pdf.svg_to_pdf(_export_svg(request, workspace, product, timeline), title=f"{product.name} roadmap")
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{product.key.lower()}-roadmap.pdf"'
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


class _WithFeatures(dict):
    """The query string, with the line's features shown unless it says otherwise."""

    def __init__(self, params):
        super().__init__(params.items())
        self._params = params
        self.setdefault("features", "1")

    def getlist(self, key, default=None):
        return self._params.getlist(key, default)


def _portfolio(request: HttpRequest, workspace: Workspace, line: Product, *, features_by_default: bool = False,
               children: list[Product] | None = None):
    params = _WithFeatures(request.GET) if features_by_default else request.GET
    return compose.portfolio_timeline(line, params=params, today=timezone.localdate(),
                                      audience=compose.Audience.member(workspace), since=since_of(request)[0],
                                      children=children)


def _drawn_portfolio(request: HttpRequest, workspace: Workspace, line: Product, *, tab: str,
                     children: list[Product]) -> dict:
    """What the page shows of the composed portfolio timeline, as plain values for the view cache."""
    portfolio = _portfolio(request, workspace, line, features_by_default=tab == "timeline", children=children)
    return {
        "children": portfolio.children,
        "options": portfolio.options,
        "fitted": portfolio.fitted,
        "notices": portfolio.notices,
        "changes": portfolio.changes,
        # As bytes, for `render_spliced`.
        "timeline_html": portfolio.html.encode(),
        "timeline_table": portfolio_table(portfolio).encode(),
        "release_count": len(portfolio.releases),
        "feature_count": portfolio.feature_count,
        "features": portfolio.features,
        "legend_html": mark_safe(portfolio.legend.html()),  # noqa: S308 - escaped in roadmap.render.timeline
    }


def _portfolio_page(request: HttpRequest, workspace: Workspace, line: Product, *, tab: str) -> HttpResponse:
    """The line's portfolio timeline (or its timeline, with its features by default); the
    drawing comes from the view cache while the plans of the line's products are unchanged."""
    since, since_notice = since_of(request)
    today = timezone.localdate()
    children = roadmap_selectors.line_children(line)
    product_ids = [line.pk, *(child.pk for child in children)]
    drawn = compose.cached_view(
        "portfolio-timeline", product_ids,
        (workspace.slug, line.pk, line.key, tab, today.isoformat(), since.isoformat() if since else "",
         sorted((name, tuple(values)) for name, values in request.GET.lists())),
        lambda: _drawn_portfolio(request, workspace, line, tab=tab, children=children))
    exports = {name: reverse(f"roadmap:portfolio_export_{name}", args=[workspace.slug, line.key])
               + query_string(request, features="1" if drawn["features"] else "")
               for name in ("svg", "csv", "pdf")}
    context = {
        **drawn,
        "workspace": workspace,
        "product": line,
        "tab": tab,
        "notices": drawn["notices"] + ([since_notice] if since_notice else []),
        "controls": _controls(request, drawn["options"], fitted=drawn["fitted"]),
        "features_url": query_string(request, features="0" if drawn["features"] else "1", since=""),
        "exports": exports,
        **changes_context(request, drawn["changes"], today),
        "params": {name: request.GET.get(name, "") for name in ("zoom", "start", "end", "features")},
    }
    template = "roadmap/portfolio_timeline.html"
    if request.htmx and not request.htmx.boosted:
        template += "#timeline-results"
    return render_spliced(request, template, context, _fragments(context))


@workspace_view
@require_GET
@vary_on_headers("HX-Request")
def portfolio_timeline(request: HttpRequest, workspace: Workspace, key: str) -> HttpResponse:
    """A product line's products, one swim lane each, with their releases and milestones,
    and their features when asked (`features=1`)."""
    line = product_for(request, workspace, key)
    if not line.is_line:
        raise Http404("Only a product line has a portfolio timeline.")
    return _portfolio_page(request, workspace, line, tab="portfolio")


def _line(request: HttpRequest, workspace: Workspace, key: str) -> Product:
    line = product_for(request, workspace, key)
    if not line.is_line:
        raise Http404("Only a product line has a portfolio timeline.")
    return line


def _portfolio_svg(request: HttpRequest, workspace: Workspace, line: Product, portfolio=None) -> str:
    portfolio = portfolio or _portfolio(request, workspace, line)
    window = portfolio.options.window
    return portfolio.svg(title=f"{line.name} portfolio · {format_date(window.start)} – {format_date(window.end)}",
                         subtitle=f"{workspace.name} · as of {timezone.localtime():%d %b %Y, %H:%M}")


@workspace_view
@require_GET
def portfolio_export_svg(request: HttpRequest, workspace: Workspace, key: str) -> HttpResponse:
    """The visible portfolio timeline as a standalone SVG file, with its legend."""
    line = _line(request, workspace, key)
    response = HttpResponse(_portfolio_svg(request, workspace, line), content_type="image/svg+xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{line.key.lower()}-portfolio.svg"'
    return response


@workspace_view
@require_GET
def portfolio_export_pdf(request: HttpRequest, workspace: Workspace, key: str) -> HttpResponse:
    """The visible portfolio timeline as a PDF, drawn from the same SVG."""
    line = _line(request, workspace, key)
    portfolio = _portfolio(request, workspace, line)
    refusal = _too_big_for_pdf(sum(len(section.group.bars) for section in portfolio.sections))
    if refusal is not None:
        return refusal
    document = pdf.svg_to_pdf(_portfolio_svg(request, workspace, line, portfolio), title=f"{line.name} portfolio")
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{line.key.lower()}-portfolio.pdf"'
    return response


PORTFOLIO_CSV_COLUMNS = ("product", "kind", "key", "title", "status", "release", "start", "end")


@workspace_view
@require_GET
def portfolio_export_csv(request: HttpRequest, workspace: Workspace, key: str) -> HttpResponse:
    """The releases (and, when shown, the features) drawn in the visible window, lane by lane."""
    line = _line(request, workspace, key)
    portfolio = _portfolio(request, workspace, line)
    releases = {release.pk: release for release in portfolio.releases}
    rows = {row["id"]: row for row in portfolio.rows}
    out = io.StringIO()
    writer = SafeCsvWriter(out)
    writer.writerow(PORTFOLIO_CSV_COLUMNS)
    for section in portfolio.sections:
        for bar in section.group.bars:
            start = bar.start.isoformat() if bar.start else ""
            end = bar.end.isoformat() if bar.end else ""
            if bar.kind == "release":
                release = releases[bar.id]
                writer.writerow([section.label, "release", "", str(release), release.get_status_display(), "",
                                 start, end])
            else:
                row = rows[bar.id]
                writer.writerow([row["product_key"], "feature", row["key"], row["title"], row["status__name"],
                                 row["release__name"] or "", start, end])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{line.key.lower()}-portfolio.csv"'
    return response
