"""Delivery metrics stored as daily snapshots, and when they are computed.

Invariants protected here:
- one snapshot per release and per product per day: a recomputation the same day replaces
  the row (an upsert), so computing twice gives the same rows;
- two computations of one product never run at once (a Redis lock per product); the second
  is refused with `DeliveryBusy`, and its task retries later;
- many feature changes within `DEBOUNCE_SECONDS` queue one computation per product; a
  change whose trigger was lost (Redis or the broker down) is picked up by the stale sweep,
  and saving a feature never fails because of either.

The arithmetic is in releases/metrics.py; what it reads, in releases/selectors/metrics.py."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from redis.exceptions import LockError, RedisError

from strategy.background import queue_after_commit
from strategy.models import Product
from strategy.redis import raw_client

from .. import metrics, signals, tasks
from ..models import Feature, ProductDeliverySnapshot, Release, ReleaseDeliverySnapshot, StatusCategory
from ..selectors.metrics import delivery_stale_product_ids, delivery_versions

logger = logging.getLogger(__name__)

DEBOUNCE_SECONDS = 60
# Released releases keep getting a snapshot this long after their release date (late
# changes); after that only one that never had any gets one.
RELEASED_KEPT_FRESH = timedelta(days=30)
OPEN_CATEGORIES = (StatusCategory.NOT_STARTED, StatusCategory.IN_PROGRESS)
OPEN_RELEASE_STATUSES = (Release.Status.PLANNED, Release.Status.IN_PROGRESS)


class DeliveryBusy(Exception):
    """Another worker is computing this product's delivery metrics right now."""


def _key(name: str, product_id: int) -> str:
    return f"releases:delivery:{name}:{product_id}"


@contextmanager
def product_lock(product_id: int) -> Iterator[None]:
    """Hold the product's delivery lock (in Redis, shared by every worker) for the block.
    Raises DeliveryBusy when another holds it, and Redis's own errors when Redis is down."""
    # Django's cache has no lock: redis-py's, on the cache's own client (same Redis, same
    # settings). It expires with the task's hard time limit, so a worker killed while holding
    # it blocks the product no longer than its task could have run.
    client = raw_client()
    lock = client.lock(cache.make_and_validate_key(_key("lock", product_id)),
                       timeout=settings.CELERY_TASK_TIME_LIMIT)
    if not lock.acquire(blocking=False):
        raise DeliveryBusy(product_id)
    try:
        yield
    finally:
        try:
            lock.release()
        except LockError:  # expired while we worked: someone else may hold it now; leave theirs
            logger.warning("Delivery lock of product %s expired before the computation ended", product_id)


def product_delivery_refresh(*, product_id: int, today: date | None = None, now: datetime | None = None,
                             lock: bool = True) -> ProductDeliverySnapshot | None:
    """Compute and store today's delivery snapshots of the product and its releases (see
    `delivery_snapshots_write`), holding the product's lock unless `lock` is False. None
    when the product is gone. Raises DeliveryBusy when another computation holds the lock."""
    if not lock:
        return delivery_snapshots_write(product_id=product_id, today=today, now=now)
    with product_lock(product_id):
        return delivery_snapshots_write(product_id=product_id, today=today, now=now)


def _chosen_releases(releases: list[dict], with_snapshot: set[int], today: date) -> list[dict]:
    """Releases that get a snapshot: open ones, recently released ones, and any that never had one."""
    return [r for r in releases if r["id"] not in with_snapshot or (
        r["status"] != Release.Status.CANCELLED
        and (r["status"] != Release.Status.RELEASED or r["release_date"] >= today - RELEASED_KEPT_FRESH))]


@dataclass
class _ReleaseFigures:
    progress: metrics.Progress
    remaining: int


def _release_figures(features: Iterable[dict]) -> dict[int, _ReleaseFigures]:
    rows: dict[int, list[dict]] = defaultdict(list)
    for feature in features:
        if feature["release_id"] is not None:
            rows[feature["release_id"]].append(feature)
    return {release_id: _ReleaseFigures(
        metrics.progress((f["status__category"], f["estimate"]) for f in mine),
        sum(1 for f in mine if f["status__category"] in OPEN_CATEGORIES))
        for release_id, mine in rows.items()}


def _number(value) -> float:
    return float(value) if value is not None else 0.0


def delivery_snapshots_write(*, product_id: int, today: date | None = None,
                             now: datetime | None = None) -> ProductDeliverySnapshot | None:
    """Compute the product's throughput, cycle times and, for each of its releases that gets
    one, progress, scope change, burn-up and Monte Carlo forecast, and upsert the day's
    snapshots in one transaction. Six queries, whatever the size of the product. Safe to
    run twice: the second run replaces the first's rows of the day. Without the lock: call
    `product_delivery_refresh` instead, unless nothing else can compute this product."""
    product = Product.objects.filter(pk=product_id).first()
    if product is None:
        return None
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    tz = timezone.get_current_timezone()
    versions = delivery_versions(product_id=product_id)
    features = list(Feature.objects.filter(product_id=product_id).order_by()
                    .values("id", "release_id", "status__category", "estimate"))
    releases = list(Release.objects.filter(product_id=product_id).order_by("release_date", "id")
                    .values("id", "start_date", "release_date", "status"))
    with_snapshot = set(ReleaseDeliverySnapshot.objects.filter(release__product_id=product_id)
                        .values_list("release_id", flat=True).distinct())
    chosen = _chosen_releases(releases, with_snapshot, today)
    pace = metrics.throughput(versions, today=today, tz=tz)
    figures = _release_figures(features)
    empty = _ReleaseFigures(metrics.Progress(), 0)
    queued = metrics.release_queue(
        [(r["id"], r["status"] in OPEN_RELEASE_STATUSES, figures.get(r["id"], empty).remaining) for r in releases])
    # One simulation for the product, shared by its releases: a release with more work ahead
    # never gets an earlier date than one with less. Seeded by the product: a rerun the same
    # day gives the same dates.
    needed = metrics.simulate_weeks([queued[r["id"]] for r in chosen], pace.sample,
                                    seed=product_id) if any(pace.sample) else {}
    by_feature = metrics.timelines(versions)
    ever_in: dict[int, set[int]] = defaultdict(set)
    for version in versions:
        if version.release_id is not None:
            ever_in[version.release_id].add(version.feature_id)
    rows = []
    for release in chosen:
        mine = [v for fid in ever_in.get(release["id"], ()) for v in by_feature[fid]]
        figure = figures.get(release["id"], empty)
        # A release with nothing left of its own is done, whatever earlier releases still hold.
        ahead = queued[release["id"]] if figure.remaining else 0
        forecast = metrics.forecast(remaining=ahead, sample=pace.sample, today=today,
                                    release_date=release["release_date"], needed=needed.get(ahead))
        scope = metrics.scope_change(mine, release_id=release["id"], start=release["start_date"], today=today, tz=tz)
        series = metrics.burn_up(events=metrics.release_events(mine, release_id=release["id"], tz=tz),
                                 start=release["start_date"], end=release["release_date"], today=today)
        rows.append(ReleaseDeliverySnapshot(
            release_id=release["id"], day=today, computed_at=now,
            feature_count=figure.progress.total, done_count=figure.progress.done,
            estimate_total=figure.progress.estimate_total, estimate_done=figure.progress.estimate_done,
            scope_added_count=scope.added_count, scope_removed_count=scope.removed_count,
            scope_added_estimate=scope.added_estimate, scope_removed_estimate=scope.removed_estimate,
            remaining_count=figure.remaining, forecast_status=forecast.status,
            forecast_p50=forecast.dates[50], forecast_p85=forecast.dates[85], forecast_p95=forecast.dates[95],
            on_time_probability=forecast.probability,
            data={"burn_up": [[day.isoformat(), _number(done), _number(total)] for day, done, total in series],
                  "forecast": {"queued": ahead, "history_weeks": forecast.history_weeks,
                               "simulations": forecast.simulations,
                               "horizon": forecast.horizon.isoformat() if forecast.horizon else None,
                               "scope_started": scope.started}},
        ))
    cycle_p50, cycle_p85 = pace.cycle_p50, pace.cycle_p85
    keys = {pk: (number, title) for pk, number, title in Feature.objects.filter(
        pk__in=[c.feature_id for c in pace.cycle_times]).values_list("pk", "number", "title")}
    product_data = {
        "throughput": [[week.isoformat(), count] for week, count in pace.weeks],
        "sample": pace.sample,
        "cycle_times": [[f"{product.key}-{keys[c.feature_id][0]}", keys[c.feature_id][1][:120],
                         c.finished.isoformat(), c.days]
                        for c in pace.cycle_times if c.feature_id in keys],
    }
    with transaction.atomic():
        if rows:
            ReleaseDeliverySnapshot.objects.bulk_create(
                rows, batch_size=500, update_conflicts=True, unique_fields=["release", "day"],
                update_fields=[f.name for f in ReleaseDeliverySnapshot._meta.concrete_fields
                               if f.name not in ("id", "release", "day")])
        snapshot, _created = ProductDeliverySnapshot.objects.update_or_create(
            product_id=product_id, day=today, defaults={
                "computed_at": now, "done_in_window": pace.done_in_sample,
                "throughput_mean": Decimal(str(round(pace.mean, 2))), "history_weeks": len(pace.sample),
                "cycle_count": len(pace.cycle_times),
                "cycle_p50": Decimal(str(round(cycle_p50, 1))) if cycle_p50 is not None else None,
                "cycle_p85": Decimal(str(round(cycle_p85, 1))) if cycle_p85 is not None else None,
                "data": product_data,
            })
    signals.send_delivery_computed(product_id)
    return snapshot


# --- when: debounced after changes, nightly, and the stale sweep ----------------------------


def delivery_refresh_debounced(*, product_ids: Iterable[int]) -> list[int]:
    """Queue one computation per product, `DEBOUNCE_SECONDS` from now, unless one was queued in
    the last `DEBOUNCE_SECONDS` (a Redis key set only if absent, expiring then): many edits in
    a minute cause one computation, which reads them all. With Redis down nothing is queued
    and nothing raised: the stale sweep heals it. Returns the products queued."""
    queued = []
    for product_id in sorted(product_ids):
        try:
            fresh = cache.add(_key("debounce", product_id), 1, timeout=DEBOUNCE_SECONDS)
        except RedisError:
            logger.warning("Redis unreachable: delivery metrics of product %s left to the stale sweep", product_id)
            continue
        if fresh:
            queue_after_commit(tasks.product_delivery_refresh_task, product_id, countdown=DEBOUNCE_SECONDS)
            queued.append(product_id)
    return queued


def on_features_changed(sender, *, product_ids: frozenset[int], **kwargs) -> None:
    """The `features_changed` receiver: debounce a recomputation of each product."""
    delivery_refresh_debounced(product_ids=product_ids)


def delivery_refresh_all() -> int:
    """Queue a computation of every product (the nightly run, so each has a snapshot a day)."""
    ids = list(Product.objects.order_by("pk").values_list("pk", flat=True))
    for product_id in ids:
        queue_after_commit(tasks.product_delivery_refresh_task, product_id)
    return len(ids)


def delivery_stale_sweep() -> int:
    """Queue a computation of every product whose snapshot is missing or older than its
    latest feature or release change (a trigger lost while Redis was down heals here)."""
    ids = delivery_stale_product_ids()
    for product_id in ids:
        queue_after_commit(tasks.product_delivery_refresh_task, product_id)
    return len(ids)
