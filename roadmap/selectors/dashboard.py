"""Reads of the metrics overview of a product and of the executive dashboard of a workspace:
each product's next release with its forecast, its delivery pace, its usage on the last
complete day, its goals by status and the adoption of its recently shipped features, each
with when it was computed. A product line sums up the products below it.

Everything is read from what Celery stored (`releases`' delivery snapshots, roadmap's usage
rollups), never computed in the request, so the pages render with the last values when Redis
or the worker is down. A fixed number of queries for any number of products.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Q

from releases.extensions import next_releases
from releases.models import Feature, ProductDeliverySnapshot, Release, ReleaseDeliverySnapshot
from strategy import metrics as goal_metrics
from strategy.extensions import covered_products
from strategy.models import Goal, KeyResult, Product

from ..models import UsageDaily
from .adoption import Adoption, feature_adoption, released_on

RECENT_DAYS = 90
USAGE_SERIES_DAYS = 30
GOAL_STATUSES = (goal_metrics.ON_TRACK, goal_metrics.AT_RISK, goal_metrics.OFF_TRACK)


@dataclass
class Usage:
    """Usage on the last complete day (summed over a product line's products); `computed_at`
    is the oldest of the rollups summed."""

    day: date
    dau: int
    wau: int
    mau: int
    sessions: int
    bounced: int
    computed_at: datetime

    @property
    def bounce_rate(self) -> float | None:
        return self.bounced * 100 / self.sessions if self.sessions else None

    def __add__(self, other: Usage) -> Usage:
        return Usage(max(self.day, other.day), self.dau + other.dau, self.wau + other.wau, self.mau + other.mau,
                     self.sessions + other.sessions, self.bounced + other.bounced,
                     min(self.computed_at, other.computed_at))


@dataclass
class NextRelease:
    release: Release
    snapshot: ReleaseDeliverySnapshot | None

    @property
    def on_time_percent(self) -> float | None:
        if self.snapshot is None or self.snapshot.on_time_probability is None:
            return None
        return self.snapshot.on_time_probability * 100


@dataclass
class ShippedFeature:
    feature: Feature
    released: date
    adoption: Adoption | None


@dataclass
class ProductMetrics:
    product: Product
    depth: int = 0
    next_release: NextRelease | None = None
    delivery: list[ProductDeliverySnapshot] = field(default_factory=list)
    usage: Usage | None = None
    usage_series: list[tuple[date, int]] = field(default_factory=list)
    goals: dict[str, int] = field(default_factory=dict)
    goal_total: int = 0
    shipped: list[ShippedFeature] = field(default_factory=list)

    @property
    def throughput(self) -> float | None:
        """Mean features done per week over the forecast window (summed over a line)."""
        if not self.delivery:
            return None
        return float(sum(snapshot.throughput_mean for snapshot in self.delivery))

    @property
    def delivery_computed_at(self) -> datetime | None:
        return min((snapshot.computed_at for snapshot in self.delivery), default=None)

    @property
    def adopted(self) -> list[ShippedFeature]:
        return [s for s in self.shipped if s.adoption is not None and s.adoption.current is not None]


def product_metrics(products: Sequence[Product], *, today: date, goals: Sequence[Goal] = (),
                    with_series: bool = False, brief: bool = False) -> dict[int, ProductMetrics]:
    """{product id: its metrics} for `products` (which the caller may see; a product line
    covers the products below it). `goals` are the goals to count, already visible to the
    caller (key results loaded); `with_series` adds the last 30 days of DAU; `brief` reads
    only the next release with its forecast and the usage (no delivery pace, no shipped
    features: two queries fewer, for the product hub's card)."""
    covered = covered_products(products)
    ids = sorted({pk for pks in covered.values() for pk in pks} | {p.pk for p in products})
    yesterday = today - timedelta(days=1)

    # Each product's next release only (a workspace plans hundreds ahead).
    upcoming = next_releases(ids, today=today)
    first_of = {release.product_id: release for release in upcoming.select_related("product")}
    # The newest snapshot of each of them, in one query whether or not any is upcoming.
    release_snapshots = {s.release_id: s for s in ReleaseDeliverySnapshot.objects
                         .filter(release__in=upcoming.values("pk")).defer("data")
                         .order_by("release_id", "-day").distinct("release_id")}
    delivery_rows = ProductDeliverySnapshot.objects.filter(product_id__in=ids).order_by("product_id", "-day")
    if not with_series:  # the weekly throughput chart is drawn on the overview only
        delivery_rows = delivery_rows.defer("data")
    delivery = {} if brief else {s.product_id: s for s in delivery_rows.distinct("product_id")}
    usage = {row.product_id: Usage(row.day, row.dau, row.wau, row.mau, row.sessions, row.bounced_sessions,
                                   row.computed_at)
             for row in UsageDaily.objects.filter(product_id__in=ids, day__lte=yesterday)
             .order_by("product_id", "-day").distinct("product_id")}
    series: dict[int, dict[date, int]] = defaultdict(dict)
    if with_series:
        for product_id, day, dau in UsageDaily.objects.filter(
                product_id__in=ids, day__gt=yesterday - timedelta(days=USAGE_SERIES_DAYS), day__lte=yesterday
        ).values_list("product_id", "day", "dau"):
            series[product_id][day] = dau

    shipped_features = [] if brief else list(
        Feature.objects.filter(product_id__in=ids).exclude(usage_key="")
        .filter(Q(release__release_date__range=(today - timedelta(days=RECENT_DAYS), yesterday))
                | Q(release__isnull=True, end_date__range=(today - timedelta(days=RECENT_DAYS), yesterday)))
        .exclude(release__status=Release.Status.CANCELLED)
        .select_related("release", "product").order_by("product_id", "number"))
    adoption = feature_adoption(shipped_features, today=today)
    shipped_of: dict[int, list[ShippedFeature]] = defaultdict(list)
    for feature in shipped_features:
        shipped_of[feature.product_id].append(ShippedFeature(feature, released_on(feature), adoption.get(feature.pk)))

    goal_counts: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(GOAL_STATUSES, 0))
    goal_totals: dict[int, int] = defaultdict(int)
    for goal in goals:
        if goal.product_id is None:
            continue
        status = _goal_status(goal, today)
        goal_totals[goal.product_id] += 1
        if status in GOAL_STATUSES:
            goal_counts[goal.product_id][status] += 1

    found = {}
    for product in products:
        mine = covered[product.pk]
        counted = set(mine) | {product.pk}  # a line's own goals count with its products'
        releases = [NextRelease(first_of[pk], release_snapshots.get(first_of[pk].pk)) for pk in mine if pk in first_of]
        usages = [usage[pk] for pk in mine if pk in usage]
        days: dict[date, int] = defaultdict(int)
        for pk in mine:
            for day, dau in series[pk].items():
                days[day] += dau
        found[product.pk] = ProductMetrics(
            product=product,
            next_release=min(releases, key=lambda r: (r.release.release_date, r.release.pk), default=None),
            delivery=[delivery[pk] for pk in mine if pk in delivery],
            usage=sum(usages[1:], usages[0]) if usages else None,
            usage_series=sorted(days.items()),
            goals={status: sum(goal_counts[pk][status] for pk in counted) for status in GOAL_STATUSES},
            goal_total=sum(goal_totals[pk] for pk in counted),
            shipped=sorted((s for pk in mine for s in shipped_of[pk]), key=lambda s: s.released, reverse=True),
        )
    return found


def _goal_status(goal: Goal, today: date) -> str:
    key_results: list[KeyResult] = list(goal.key_results.all())
    return goal_metrics.goal_health(
        key_results=[(kr.start_value, kr.target_value, kr.current_value) for kr in key_results],
        start=goal.start_date, end=goal.end_date, today=today).status
