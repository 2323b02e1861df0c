"""Reads of key results bound to a metric: the bindings a user may see, and the latest value
of each binding's metric, read for any number of bindings in a fixed few queries.

Usage metrics take the last *complete* day (the day before `today`, in settings.TIME_ZONE):
today's figures grow until midnight, and a key result that fell every morning would read as
a decline. Delivery metrics take the newest daily snapshot `releases` stored.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import QuerySet

from releases.models import ProductDeliverySnapshot, Release, ReleaseDeliverySnapshot
from strategy.models import KeyResult, Product, User

from ..models import (
    FEATURE_METRICS,
    RELEASE_METRICS,
    USAGE_METRICS,
    KeyResultBinding,
    Metric,
    UsageDaily,
    UsageFeatureDaily,
)

HUNDREDTH = Decimal("0.01")


@dataclass(frozen=True)
class Measurement:
    """A metric's latest value for a binding: the day its data describes and when its
    source computed it."""

    value: Decimal
    as_of: date
    computed_at: datetime


def binding_list(*, user: User) -> QuerySet[KeyResultBinding]:
    """Bindings `user` may see, with key result, goal, product and release loaded."""
    return (KeyResultBinding.objects.visible_to(user)
            .select_related("key_result__goal", "product", "release", "workspace")
            .order_by("id"))


def bindings_of(key_results: Sequence[KeyResult]) -> dict[int, KeyResultBinding]:
    """{key result id: its binding} for those that have one, in one query."""
    return {binding.key_result_id: binding for binding in KeyResultBinding.objects.filter(
        key_result__in=[kr.pk for kr in key_results]).select_related("product", "release")}


def binding_sources(*, user: User, key_result: KeyResult) -> tuple[QuerySet[Product], QuerySet[Release]]:
    """What a key result may be bound to: the products (not lines, not archived) and the
    releases of its workspace, for the binding form's choices."""
    products = (Product.objects.visible_to(user).filter(workspace_id=key_result.workspace_id,
                                                         archived_at__isnull=True)
                .exclude(kind=Product.Kind.LINE).order_by("name"))
    releases = (Release.objects.filter(product__in=products).exclude(status=Release.Status.CANCELLED)
                .select_related("product").order_by("product__name", "release_date", "id"))
    return products, releases


def _percent(part, whole) -> Decimal:
    return (Decimal(part) * 100 / Decimal(whole)).quantize(HUNDREDTH) if whole else Decimal(0)


def measurements(bindings: Iterable[KeyResultBinding], *, today: date) -> dict[int, Measurement]:
    """{binding id: the latest value of its metric} for the bindings whose metric has been
    computed; at most four queries for any number of bindings."""
    bindings = list(bindings)
    found: dict[int, Measurement] = {}
    usage = [b for b in bindings if b.metric in USAGE_METRICS]
    if usage:
        found.update(_usage_measurements(usage, today=today))
    releases = [b for b in bindings if b.metric in RELEASE_METRICS]
    if releases:
        snapshots = {s.release_id: s for s in ReleaseDeliverySnapshot.objects
                     .filter(release_id__in={b.release_id for b in releases})
                     .order_by("release_id", "-day").distinct("release_id")}
        for binding in releases:
            snapshot = snapshots.get(binding.release_id)
            if snapshot is None:
                continue
            if binding.metric == Metric.RELEASE_PROGRESS:
                value = _percent(snapshot.done_count, snapshot.feature_count)
            elif snapshot.on_time_probability is None:
                continue
            else:
                value = (Decimal(str(snapshot.on_time_probability)) * 100).quantize(HUNDREDTH)
            found[binding.pk] = Measurement(value, snapshot.day, snapshot.computed_at)
    throughput = [b for b in bindings if b.metric == Metric.THROUGHPUT]
    if throughput:
        snapshots = {s.product_id: s for s in ProductDeliverySnapshot.objects
                     .filter(product_id__in={b.product_id for b in throughput})
                     .order_by("product_id", "-day").distinct("product_id")}
        for binding in throughput:
            snapshot = snapshots.get(binding.product_id)
            if snapshot is not None:
                found[binding.pk] = Measurement(Decimal(snapshot.throughput_mean).quantize(HUNDREDTH), snapshot.day,
                                                snapshot.computed_at)
    return found


def _usage_measurements(bindings: list[KeyResultBinding], *, today: date) -> dict[int, Measurement]:
    days = {row.product_id: row for row in UsageDaily.objects
            .filter(product_id__in={b.product_id for b in bindings}, day__lt=today)
            .order_by("product_id", "-day").distinct("product_id")}
    featured = [b for b in bindings if b.metric in FEATURE_METRICS and b.product_id in days]
    features: dict[tuple[int, str], UsageFeatureDaily] = {}
    if featured:
        for row in UsageFeatureDaily.objects.filter(
                product_id__in={b.product_id for b in featured}, feature_key__in={b.feature_key for b in featured},
                day__in={days[b.product_id].day for b in featured}):
            if row.day == days[row.product_id].day:
                features[(row.product_id, row.feature_key)] = row
    found = {}
    for binding in bindings:
        day = days.get(binding.product_id)
        if day is None:
            continue
        feature = features.get((binding.product_id, binding.feature_key))
        if binding.metric == Metric.BOUNCE_RATE:
            value = _percent(day.bounced_sessions, day.sessions)
        elif binding.metric == Metric.FEATURE_ADOPTION:
            value = _percent(feature.users_7d if feature else 0, day.wau)
        elif binding.metric == Metric.FEATURE_USERS:
            value = Decimal(feature.users if feature else 0)
        else:
            value = Decimal(getattr(day, binding.metric))
        found[binding.pk] = Measurement(value, day.day, day.computed_at)
    return found
