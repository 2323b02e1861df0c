"""The usage page of a product (active users, sessions and bounce rate, feature keys), which
every member reads, and its ingest keys page, where workspace admins create, rotate and revoke
the keys the product sends events with (everyone else sees the list)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from strategy import access
from strategy.chart_kit import format_number, format_percent
from strategy.forms import apply_service_errors
from strategy.web import product_for, workspace_view

from .. import charts
from ..forms import IngestKeyForm
from ..models import IngestKey
from ..selectors import usage as selectors
from ..services import ingest_keys as services

RANGES = (30, 90, 180)
DEFAULT_RANGE = 90


def _range(request: HttpRequest) -> int:
    try:
        days = int(request.GET.get("days", DEFAULT_RANGE))
    except ValueError:
        return DEFAULT_RANGE
    return days if days in RANGES else DEFAULT_RANGE


@workspace_view
@require_GET
def product_usage(request: HttpRequest, workspace, key: str) -> HttpResponse:
    product = product_for(request, workspace, key)
    today = timezone.localdate()
    days = _range(request)
    start = today - timedelta(days=days - 1)
    rows = selectors.usage_daily_series(product=product, start=start, end=today)
    latest = selectors.usage_latest(product=product, today=today)
    top = selectors.usage_top_feature_keys(product=product, start=start, end=today)
    adoption = selectors.feature_adoption_weekly(
        product=product, starts={row["feature_key"]: row["first_day"] for row in top}, end=today)
    for row in top:
        weeks = adoption.get(row["feature_key"], [])
        row["weeks"] = weeks
        row["latest_share"] = weeks[-1]["share"] if weeks else None
        row["spark"] = charts.adoption_sparkline([w["share"] for w in weeks], key=row["feature_key"])
    day_list = [row["day"] for row in rows]
    context = {
        "workspace": workspace, "product": product, "rows": rows, "latest": latest, "top": top,
        "days": days, "ranges": RANGES, "start": start, "today": today,
        "can_manage_keys": access.can(request.user, "ingest_keys.manage", product),
        "retention_days": settings.USAGE_EVENT_RETENTION_DAYS,
    }
    if rows:
        context.update({
            "users_chart": charts.series_chart(day_list, [
                charts.Series("Daily active users", "dau", [r["dau"] for r in rows]),
                charts.Series("Weekly active users", "wau", [r["wau"] for r in rows]),
                charts.Series("Monthly active users", "mau", [r["mau"] for r in rows]),
            ], label="Active users per day"),
            "sessions_chart": charts.series_chart(day_list, [
                charts.Series("Sessions", "sessions", [r["sessions"] for r in rows]),
                charts.Series("Bounced sessions", "bounced", [r["bounced_sessions"] for r in rows]),
            ], label="Sessions per day", width=480, height=220),
            "bounce_chart": charts.series_chart(day_list, [
                charts.Series("Bounce rate", "bounce", [r["bounce_rate"] for r in rows]),
            ], label="Bounce rate per day", percent=True, width=480, height=220),
            "table_rows": [{**r, "bounce_text": format_percent(r["bounce_rate"]),
                            "events_text": format_number(r["events"])} for r in reversed(rows)],
        })
    return render(request, "roadmap/product_usage.html", context)


def _keys(product) -> list[IngestKey]:
    return list(IngestKey.objects.filter(product=product).select_related("created_by"))


@workspace_view(post_requires="ingest_keys.manage")
@require_http_methods(["GET", "POST"])
def ingest_keys(request: HttpRequest, workspace, key: str) -> HttpResponse:
    """The product's ingest keys; admins create one here (its secret is shown in this one
    response, never again)."""
    product = product_for(request, workspace, key)
    can_manage = access.can(request.user, "ingest_keys.manage", product)
    form = IngestKeyForm(request.POST if request.method == "POST" else None)
    created = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                new, raw = services.ingest_key_create(actor=request.user, product=product,
                                                      name=form.cleaned_data["name"])
            except ValidationError as exc:
                apply_service_errors(form, exc)
                status = 400
            else:
                created = {"pk": new.pk, "key": raw}
                form = IngestKeyForm()
        else:
            status = 400
    return _keys_page(request, workspace, product, form=form, created=created, can_manage=can_manage,
                      status=status)


def _keys_page(request, workspace, product, *, form, created, can_manage, status=200) -> HttpResponse:
    now = timezone.now()
    keys = _keys(product)
    for item in keys:
        item.status = services.ingest_key_status(item, now)
    response = render(request, "roadmap/ingest_keys.html", {
        "workspace": workspace, "product": product, "form": form, "keys": keys, "can_manage": can_manage,
        "created": created, "endpoint": f"{settings.SITE_URL}{reverse('roadmap:events_ingest')}",
        "grace_hours": settings.USAGE_INGEST_KEY_ROTATION_GRACE_HOURS,
    }, status=status)
    # The new key appears in this one response, which nothing may cache.
    add_never_cache_headers(response)
    return response


def _key_of(product, pk: int) -> IngestKey:
    item = IngestKey.objects.filter(product=product, pk=pk).select_related("product").first()
    if item is None:
        raise Http404("No such ingest key.")
    return item


@workspace_view(requires="ingest_keys.manage")
@require_POST
def ingest_key_rotate(request: HttpRequest, workspace, key: str, pk: int) -> HttpResponse:
    product = product_for(request, workspace, key)
    old = _key_of(product, pk)
    try:
        new, raw = services.ingest_key_rotate(actor=request.user, key=old)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(reverse("roadmap:ingest_keys", args=[workspace.slug, product.key]))
    form = IngestKeyForm()
    return _keys_page(request, workspace, product, form=form, created={"pk": new.pk, "key": raw, "rotated": old},
                      can_manage=True)


@workspace_view(requires="ingest_keys.manage")
@require_POST
def ingest_key_revoke(request: HttpRequest, workspace, key: str, pk: int) -> HttpResponse:
    product = product_for(request, workspace, key)
    item = services.ingest_key_revoke(actor=request.user, key=_key_of(product, pk))
    messages.success(request, _("Ingest key %(name)s (%(prefix)s…) revoked: requests with it are refused from "
                                "now on.") % {"name": item.name, "prefix": item.key_prefix})
    return redirect(reverse("roadmap:ingest_keys", args=[workspace.slug, product.key]))
