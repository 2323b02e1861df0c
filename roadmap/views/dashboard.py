"""The metrics dashboards: a product's metrics overview (`product_metrics`, the "Metrics" entry
of the product's sidebar section) and the workspace's executive dashboard (`dashboard`).

Both read only what Celery stored (`roadmap.selectors.product_metrics`), so they render with
the last values, and how old each is, when Redis or the worker is down. What is computed here
is presentation: the figures formatted and the small charts built once in Python."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from releases.extensions import product_launch_summaries
from strategy import metrics as goal_metrics
from strategy import selectors as strategy_selectors
from strategy.chart_kit import day_label
from strategy.extensions import Summary, covered_products
from strategy.models import Product, Workspace
from strategy.web import product_for, workspace_view

from .. import selectors
from ..extensions import computed_ago
from ..render import metrics as charts
from ..selectors.dashboard import GOAL_STATUSES, ProductMetrics


def short_ago(when: datetime | None) -> str:
    """The age of a figure in a dense table: "5 min ago", "3 h ago" (the full time in its tooltip)."""
    if when is None:
        return ""
    seconds = (timezone.now() - when).total_seconds()
    if seconds < 60:
        return _("just now")
    if seconds < 3600:
        return _("%(n)d min ago") % {"n": seconds // 60}
    if seconds < 86400:
        return _("%(n)d h ago") % {"n": seconds // 3600}
    return _("%(n)d d ago") % {"n": seconds // 86400}


@dataclass
class Number:
    """A figure as the pages show it: the value, a quiet note beside it, and its age."""

    value: str
    note: str = ""
    age: str = ""
    computed_at: datetime | None = None
    url: str = ""
    percent: float | None = None

    @property
    def short_age(self) -> str:
        return short_ago(self.computed_at)


@dataclass
class AdoptionRow:
    title: str
    key: str
    url: str
    released: str
    share: str
    users: str
    chart: str
    age: str
    computed_at: datetime | None = None

    @property
    def short_age(self) -> str:
        return short_ago(self.computed_at)


@dataclass
class MetricsView:
    """One product's (or product line's) metrics, formatted."""

    product: Product
    depth: int
    url: str
    stage: str
    next_release: Number | None
    forecast: Number | None
    throughput: Number | None
    cycle_time: Number | None
    throughput_chart: str
    usage: dict[str, Number] = field(default_factory=dict)
    usage_chart: str = ""
    goals: list[tuple[str, str, int]] = field(default_factory=list)  # (status, label, count)
    goal_total: int = 0
    adoption: list[AdoptionRow] = field(default_factory=list)
    shipped_count: int = 0
    launch: Summary | None = None  # the next release's launch readiness (releases' "launch" summary)


def _age(when: datetime | None) -> str:
    return computed_ago(when) if when else ""


def _adoption_rows(workspace: Workspace, metrics: ProductMetrics) -> list[AdoptionRow]:
    rows = []
    for shipped in metrics.shipped:
        feature, adoption = shipped.feature, shipped.adoption
        current = adoption.current if adoption else None
        weeks = adoption.weeks if adoption else []
        rows.append(AdoptionRow(
            title=feature.title, key=feature.usage_key,
            url=reverse("releases:feature_detail", args=[workspace.slug, feature.product.key, feature.number]),
            released=day_label(shipped.released, year=True),
            share=f"{current.share:.0f}%" if current else "—",
            users=f"{current.users:,} of {current.active:,}" if current else _("no usage yet"),
            chart=charts.bars([(week.start, week.share) for week in weeks], unit="%", high=100.0, width=96,
                              height=24, label=_("Weekly adoption of %(key)s") % {"key": feature.usage_key})
            if weeks else "",
            age=_age(adoption.computed_at if adoption else None),
            computed_at=adoption.computed_at if adoption else None))
    return rows


def _metrics_view(workspace: Workspace, metrics: ProductMetrics, *, depth: int = 0,
                  detailed: bool = False) -> MetricsView:
    """`detailed` (the metrics page) adds the weekly throughput chart, from the snapshot's data."""
    product = metrics.product
    upcoming, next_release, forecast = metrics.next_release, None, None
    if upcoming is not None:
        release, snapshot = upcoming.release, upcoming.snapshot
        name = " ".join(filter(None, [release.product.key if product.is_line else "", release.version_label,
                                      release.name]))
        next_release = Number(name, note=day_label(release.release_date, year=True),
                              url=reverse("releases:release_detail", args=[workspace.slug, release.product.key,
                                                                           release.pk]))
        if snapshot is not None:
            chance = upcoming.on_time_percent
            if chance is not None:
                forecast = Number(f"{chance:.0f}%", percent=chance, age=_age(snapshot.computed_at),
                                  computed_at=snapshot.computed_at,
                                  note=_("85%% by %(date)s") % {"date": day_label(snapshot.forecast_p85, year=True)}
                                  if snapshot.forecast_p85 else _("no 85% date yet"))
            else:
                forecast = Number("—", note=_("not enough history"), age=_age(snapshot.computed_at),
                                  computed_at=snapshot.computed_at)
    throughput = cycle_time = None
    throughput_chart = ""
    if metrics.delivery:
        computed = metrics.delivery_computed_at
        throughput = Number(f"{metrics.throughput:.1f}", note=_("features done per week"), age=_age(computed),
                            computed_at=computed)
        if len(metrics.delivery) == 1:
            snapshot = metrics.delivery[0]
            if snapshot.cycle_p50 is not None:
                cycle_time = Number(_("%(days)s days") % {"days": f"{snapshot.cycle_p50:.0f}"},
                                    note=_("median, 85%% within %(days)s") % {"days": f"{snapshot.cycle_p85:.0f}"},
                                    age=_age(computed), computed_at=computed)
            weekly = ((snapshot.data or {}).get("throughput") or []) if detailed else []
            points = [(date.fromisoformat(str(week)), float(count)) for week, count in weekly][-12:]
            if points:
                throughput_chart = charts.bars(points, label=_("Features done per week, last %(n)d weeks") % {
                    "n": len(points)})
    usage: dict[str, Number] = {}
    if metrics.usage is not None:
        u = metrics.usage
        age = _age(u.computed_at)
        note = day_label(u.day)
        usage = {
            "dau": Number(f"{u.dau:,}", note=note, age=age, computed_at=u.computed_at),
            "wau": Number(f"{u.wau:,}", note=_("7 days to %(day)s") % {"day": note}, age=age,
                          computed_at=u.computed_at),
            "mau": Number(f"{u.mau:,}", note=_("30 days to %(day)s") % {"day": note}, age=age,
                          computed_at=u.computed_at),
            "bounce": Number(f"{u.bounce_rate:.0f}%" if u.bounce_rate is not None else "—",
                             note=_("%(sessions)s sessions") % {"sessions": f"{u.sessions:,}"}, age=age,
                             computed_at=u.computed_at, percent=u.bounce_rate),
        }
    usage_chart = charts.sparkline(metrics.usage_series, label=_("Daily active users, last %(n)d days") % {
        "n": len(metrics.usage_series)}, width=200, height=36) if len(metrics.usage_series) > 1 else ""
    return MetricsView(
        product=product, depth=depth,
        url=reverse("roadmap:product_metrics", args=[workspace.slug, product.key]),
        stage=product.get_stage_display(),
        next_release=next_release, forecast=forecast, throughput=throughput, cycle_time=cycle_time,
        throughput_chart=throughput_chart, usage=usage, usage_chart=usage_chart,
        goals=[(status, goal_metrics.STATUS_LABELS[status], metrics.goals.get(status, 0)) for status in GOAL_STATUSES],
        goal_total=metrics.goal_total,
        adoption=_adoption_rows(workspace, metrics), shipped_count=len(metrics.shipped),
    )


def _current_goals(request: HttpRequest, workspace: Workspace, today: date):
    """Goals running today, with their key results, as the user may see them."""
    return strategy_selectors.goal_queryset(user=request.user, workspace=workspace).filter(
        start_date__lte=today, end_date__gte=today)


@workspace_view
@require_GET
def product_metrics(request: HttpRequest, workspace: Workspace, key: str) -> HttpResponse:
    """A product's delivery and usage at a glance, linking to the detailed pages; for a
    product line, its own sums and a row per product below it."""
    product = product_for(request, workspace, key)
    today = timezone.localdate()
    children: list[Product] = []
    if product.is_line:
        children = list(strategy_selectors.product_list(user=request.user, workspace=workspace)
                        .filter(pk__in=covered_products([product])[product.pk]))
    goals = _current_goals(request, workspace, today)
    found = selectors.product_metrics([product, *children], today=today, goals=goals, with_series=True)
    bindings = (selectors.binding_list(user=request.user)
                .filter(Q(product=product) | Q(product__in=[child.pk for child in children])))
    return render(request, "roadmap/product_metrics.html", {
        "workspace": workspace, "product": product, "tab": "overview",
        "view": _metrics_view(workspace, found[product.pk], detailed=True),
        "children": [_metrics_view(workspace, found[child.pk]) for child in children],
        "bindings": bindings,
    })


@workspace_view
@require_GET
def dashboard(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    """The executive dashboard: every product's stage, next release with its forecast, goals
    by status and adoption of recently shipped features; product lines sum up their products."""
    today = timezone.localdate()
    products = list(strategy_selectors.product_list(user=request.user, workspace=workspace))
    tree = strategy_selectors.portfolio_tree(products)
    goals = list(_current_goals(request, workspace, today))
    found = selectors.product_metrics([node.product for node in tree], today=today, goals=goals)
    company = dict.fromkeys(GOAL_STATUSES, 0)
    company_total = 0
    for goal in goals:
        if goal.product_id is None:
            company_total += 1
            status = goal_metrics.goal_health(
                key_results=[(kr.start_value, kr.target_value, kr.current_value) for kr in goal.key_results.all()],
                start=goal.start_date, end=goal.end_date, today=today).status
            if status in company:
                company[status] += 1
    # Launch readiness of each product's next release, from the provider releases registers
    # with the product registry ("launch"), for all the products at once.
    launch = product_launch_summaries([node.product for node in tree])
    rows = [_metrics_view(workspace, found[node.product.pk], depth=node.depth) for node in tree]
    for row in rows:
        row.launch = launch.get(row.product.pk)
    return render(request, "roadmap/dashboard.html", {
        "workspace": workspace,
        "attention": selectors.attention_for(user=request.user, workspace=workspace, goals=goals, today=today),
        "rows": rows, "show_launch": True,
        "company_goals": [(status, goal_metrics.STATUS_LABELS[status], company[status]) for status in GOAL_STATUSES],
        "company_total": company_total,
        "today": today,
    })
