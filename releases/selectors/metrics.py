"""Reads of delivery metrics: the features' history as the arithmetic of releases/metrics.py
takes it, the latest stored snapshots (for the release page, the product's delivery page
and, through `release_forecasts`, the pages of apps above), and which products' snapshots
are stale. Each read is one query, whatever the number of releases or features."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import JSONObject

from strategy.models import Product

from .. import metrics
from ..models import Feature, ProductDeliverySnapshot, Release, ReleaseDeliverySnapshot, StatusCategory

# The columns of a release snapshot that pages read (not its series).
RELEASE_SNAPSHOT_FIELDS = (
    "day", "computed_at", "feature_count", "done_count", "estimate_total", "estimate_done", "scope_added_count",
    "scope_removed_count", "scope_added_estimate", "scope_removed_estimate", "remaining_count", "forecast_status",
    "forecast_p50", "forecast_p85", "forecast_p95", "on_time_probability", "data",
)


def delivery_versions(*, product_id: int) -> list[metrics.Version]:
    """Every saved version of every feature of the product (deleted ones included), oldest
    first, with its status category: one query."""
    rows = (Feature.history.filter(product_id=product_id).order_by("history_date", "history_id")
            .values_list("id", "history_date", "status__category", "estimate", "release_id", "history_type"))
    return [metrics.Version(feature_id, when, category or StatusCategory.NOT_STARTED, estimate, release_id,
                            history_type == "-")
            for feature_id, when, category, estimate, release_id, history_type in rows]


def latest_release_snapshot() -> JSONObject:
    """An annotation: the release's latest snapshot as JSON (None when never computed); turn
    it into a snapshot with `release_snapshot_of`. It rides on the query that loads the
    release, so a page showing releases pays no query for their forecasts."""
    latest = (ReleaseDeliverySnapshot.objects.filter(release_id=OuterRef("pk")).order_by("-day")
              .values(json=JSONObject(**{name: F(name) for name in RELEASE_SNAPSHOT_FIELDS}))[:1])
    return Subquery(latest)


def release_snapshot_of(release_id: int, value: dict | None) -> ReleaseDeliverySnapshot | None:
    """The unsaved snapshot the `latest_release_snapshot` annotation carried, its values
    typed as the model's fields type them (JSON gives dates and decimals as text)."""
    if value is None:
        return None
    fields = {name: ReleaseDeliverySnapshot._meta.get_field(name) for name in RELEASE_SNAPSHOT_FIELDS}
    typed = {name: value[name] if name == "data" else fields[name].to_python(value[name])
             for name in RELEASE_SNAPSHOT_FIELDS}
    return ReleaseDeliverySnapshot(release_id=release_id, **typed)


def release_forecasts(releases: Iterable[Release]) -> dict[int, ReleaseDeliverySnapshot]:
    """The latest delivery snapshot of each release that has one, by release id: progress,
    scope change and forecast dates with their confidence and when computed. One query for
    any number of releases; the caller has already checked that the user may see them."""
    ids = [release.pk for release in releases]
    if not ids:
        return {}
    latest = (ReleaseDeliverySnapshot.objects.filter(release_id__in=ids)
              .order_by("release_id", "-day").distinct("release_id"))
    return {snapshot.release_id: snapshot for snapshot in latest}


def product_delivery_latest(*, product: Product) -> ProductDeliverySnapshot | None:
    """The product's latest delivery snapshot (throughput, cycle times), or None."""
    return ProductDeliverySnapshot.objects.filter(product=product).order_by("-day").first()


def delivery_open_releases(*, product: Product, limit: int) -> list[Release]:
    """Up to `limit` releases of the product not released or cancelled, soonest first, each
    with its latest snapshot (`release.delivery`, or None): one query."""
    releases = list(
        Release.objects.filter(product=product)
        .exclude(status__in=[Release.Status.RELEASED, Release.Status.CANCELLED])
        .order_by("release_date", "start_date", "id")
        .annotate(delivery_json=latest_release_snapshot())[:limit])
    for release in releases:
        release.delivery = release_snapshot_of(release.pk, release.delivery_json)
    return releases


def delivery_stale_product_ids() -> list[int]:
    """Products whose delivery snapshot is missing, or older than the newest change of one of
    their features or releases (a lost trigger): what the sweep recomputes. One query."""
    computed = (ProductDeliverySnapshot.objects.filter(product_id=OuterRef("pk")).order_by("-computed_at")
                .values("computed_at")[:1])
    feature_change = (Feature.history.filter(product_id=OuterRef("pk")).order_by("-history_date")
                      .values("history_date")[:1])
    release_change = (Release.history.filter(product_id=OuterRef("pk")).order_by("-history_date")
                      .values("history_date")[:1])
    products: QuerySet = Product.objects.annotate(
        computed=Subquery(computed), feature_change=Subquery(feature_change),
        release_change=Subquery(release_change))
    stale = products.filter(Q(computed__isnull=True) | Q(computed__lt=F("feature_change"))
                            | Q(computed__lt=F("release_change")))
    return list(stale.order_by("pk").values_list("pk", flat=True))
