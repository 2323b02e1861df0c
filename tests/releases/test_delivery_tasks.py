"""Delivery snapshots: the service that stores them, the Celery task around it, the
debounced trigger on feature changes, the per-product lock, the nightly run and the stale
sweep, against the real PostgreSQL and Redis (and once a real worker)."""

import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.cache import cache
from django.utils import timezone
from redis import Redis

from releases import services, tasks
from releases.metrics import week_start
from releases.models import Feature, ProductDeliverySnapshot, ReleaseDeliverySnapshot
from releases.services import metrics as delivery
from roadmap.celery import app as celery_app
from tests.conftest import count_queries
from tests.factories import ProductDeliverySnapshotFactory, ProductFactory, ReleaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_redis(settings):
    """No debounce key or lock left over from another test, and an empty task queue."""
    client = Redis.from_url(settings.CELERY_BROKER_URL)
    client.flushdb()
    yield client
    client.flushdb()


@pytest.fixture
def release(product, today):
    return ReleaseFactory(product=product, start_date=today - timedelta(days=20),
                          release_date=today + timedelta(days=40))


def backdate(feature: Feature, *days_ago: int) -> None:
    """Date the feature's versions, oldest first, that many days before now."""
    history = Feature.history.filter(id=feature.pk).order_by("history_date", "history_id")
    for version, days in zip(history, days_ago, strict=True):
        Feature.history.filter(history_id=version.history_id).update(
            history_date=timezone.now() - timedelta(days=days))


def finished(editor, product, workflow, release, title, *, started: int, done: int, estimate=3) -> Feature:
    """A feature planned, taken in progress `started` days ago and done `done` days ago."""
    feature = services.feature_create(actor=editor, product=product, title=title, release=release,
                                      status=workflow["Planned"], estimate=estimate)
    feature = services.feature_update(actor=editor, feature=feature, status=workflow["In development"])
    feature = services.feature_update(actor=editor, feature=feature, status=workflow["Shipped"])
    backdate(feature, started + 5, started, done)
    return feature


@pytest.fixture
def delivered(editor, product, workflow, release):
    """Six features done over the last weeks and three still open in the release."""
    for i, (started, done) in enumerate([(60, 50), (45, 38), (40, 30), (30, 23), (20, 16), (14, 9)], start=1):
        finished(editor, product, workflow, release, f"Done {i}", started=started, done=done)
    for i in range(3):
        services.feature_create(actor=editor, product=product, title=f"Open {i}", release=release,
                                status=workflow["Planned"], estimate=2)
    return product


# --- the service ----------------------------------------------------------------------


def test_the_service_stores_the_products_and_each_releases_figures(delivered, release, today):
    snapshot = services.product_delivery_refresh(product_id=delivered.pk)

    assert (snapshot.day, snapshot.cycle_count, snapshot.done_in_window) == (today, 6, 6)
    # The weeks since the first change (65 days ago), the current one left out.
    weeks = (week_start(today) - week_start(today - timedelta(days=65))).days // 7
    assert snapshot.cycle_p50 is not None and snapshot.history_weeks == weeks
    row = ReleaseDeliverySnapshot.objects.get(release=release)
    assert (row.feature_count, row.done_count, row.remaining_count) == (9, 6, 3)
    assert row.forecast_status == "forecast"
    assert row.forecast_p50 <= row.forecast_p85 <= row.forecast_p95
    assert 0 <= row.on_time_probability <= 1
    assert row.data["burn_up"][-1][1:] == [18.0, 24.0]  # done and scope points today


def test_recomputing_the_same_day_replaces_the_rows(delivered, release):
    first = services.product_delivery_refresh(product_id=delivered.pk)
    release_row = ReleaseDeliverySnapshot.objects.get(release=release)

    again = services.product_delivery_refresh(product_id=delivered.pk)

    assert ProductDeliverySnapshot.objects.count() == 1 and ReleaseDeliverySnapshot.objects.count() == 1
    assert again.pk == first.pk and again.computed_at > first.computed_at
    rerun = ReleaseDeliverySnapshot.objects.get(release=release)
    assert rerun.pk == release_row.pk
    fields = ["forecast_p50", "forecast_p85", "forecast_p95", "on_time_probability", "remaining_count", "data"]
    assert [getattr(rerun, f) for f in fields] == [getattr(release_row, f) for f in fields]


def test_each_day_keeps_its_own_snapshot(delivered, today):
    services.product_delivery_refresh(product_id=delivered.pk, today=today - timedelta(days=1))
    services.product_delivery_refresh(product_id=delivered.pk, today=today)

    assert list(ProductDeliverySnapshot.objects.order_by("day").values_list("day", flat=True)) == [
        today - timedelta(days=1), today]


def test_a_product_without_history_gets_a_snapshot_saying_so(product, release):
    services.product_delivery_refresh(product_id=product.pk)

    row = ReleaseDeliverySnapshot.objects.get(release=release)
    assert (row.forecast_status, row.forecast_p50, row.on_time_probability) == ("done", row.day, 1.0)
    assert ProductDeliverySnapshot.objects.get().cycle_p50 is None


def test_open_work_without_throughput_is_not_enough_history(editor, product, workflow, release):
    services.feature_create(actor=editor, product=product, title="Open", release=release, status=workflow["Planned"])

    services.product_delivery_refresh(product_id=product.pk)

    row = ReleaseDeliverySnapshot.objects.get(release=release)
    assert (row.forecast_status, row.forecast_p50, row.on_time_probability) == ("no_history", None, None)


def test_the_service_reads_a_fixed_number_of_queries(delivered, editor, product, workflow, release):
    services.product_delivery_refresh(product_id=delivered.pk)  # the day's rows exist: both runs update them
    few = count_queries(lambda: services.product_delivery_refresh(product_id=delivered.pk))
    for i in range(20):
        finished(editor, product, workflow, ReleaseFactory(product=product), f"More {i}", started=30, done=20)

    assert count_queries(lambda: services.product_delivery_refresh(product_id=delivered.pk)) == few


def test_the_task_for_a_deleted_product_does_nothing(product):
    product_id = product.pk
    product.delete()

    tasks.product_delivery_refresh_task(product_id)

    assert not ProductDeliverySnapshot.objects.exists()


# --- the lock -------------------------------------------------------------------------


def test_a_second_computation_of_the_same_product_is_refused_while_one_runs(delivered):
    other = ProductFactory(workspace=delivered.workspace, key="OTH")
    with services.product_lock(delivered.pk):
        with pytest.raises(services.DeliveryBusy):
            services.product_delivery_refresh(product_id=delivered.pk)
        services.product_delivery_refresh(product_id=other.pk)  # another product is not held up

    assert list(ProductDeliverySnapshot.objects.values_list("product_id", flat=True)) == [other.pk]
    services.product_delivery_refresh(product_id=delivered.pk)  # released: computes
    assert ProductDeliverySnapshot.objects.count() == 2


@pytest.mark.worker
def test_a_busy_product_is_computed_by_the_retry_once_the_lock_is_free(transactional_db, delivered, monkeypatch):
    monkeypatch.setattr(tasks, "BUSY_RETRY_SECONDS", 1)
    ProductDeliverySnapshot.objects.all().delete()  # computed eagerly while the fixture saved features
    celery_app.conf.task_always_eager = False
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
            with services.product_lock(delivered.pk):
                tasks.product_delivery_refresh_task.delay(delivered.pk)
                time.sleep(2)
                assert not ProductDeliverySnapshot.objects.exists()  # deferred, not run alongside
            assert wait_for(lambda: ProductDeliverySnapshot.objects.filter(product=delivered).exists())
    finally:
        celery_app.conf.task_always_eager = True


# --- the debounce ---------------------------------------------------------------------


def queued_tasks(redis: Redis) -> int:
    """Delivery computations waiting in the broker (other apps react to the same changes)."""
    messages = (json.loads(raw) for raw in redis.lrange("celery", 0, -1))
    return sum(message["headers"]["task"] == tasks.product_delivery_refresh_task.name for message in messages)


@pytest.fixture
def publishing():
    """Tasks published to Redis (where they wait: no worker runs) rather than run eagerly."""
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = True


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what waits for the commit at the end of the block (the test's transaction never commits)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_ten_changes_in_a_minute_queue_one_computation(editor, product, workflow, fresh_redis, publishing, committed):
    with committed():
        feature = services.feature_create(actor=editor, product=product, title="Busy feature")
    for i in range(9):
        with committed():
            feature = services.feature_update(actor=editor, feature=feature, title=f"Busy feature {i}")

    assert queued_tasks(fresh_redis) == 1
    assert 0 < fresh_redis.ttl(cache.make_and_validate_key(f"releases:delivery:debounce:{product.pk}")) <= 60


def test_the_computation_is_queued_a_minute_later(product, fresh_redis, publishing, committed):
    with committed():
        assert services.delivery_refresh_debounced(product_ids={product.pk}) == [product.pk]

    message = fresh_redis.lindex("celery", 0).decode()
    assert "product_delivery_refresh_task" in message and '"eta":' in message and '"eta": null' not in message


def test_each_product_is_debounced_on_its_own(product, fresh_redis, publishing, committed):
    other = ProductFactory(workspace=product.workspace, key="OTH")

    with committed():
        assert services.delivery_refresh_debounced(product_ids={product.pk, other.pk}) == sorted(
            [product.pk, other.pk])
        assert services.delivery_refresh_debounced(product_ids={product.pk, other.pk}) == []
    assert queued_tasks(fresh_redis) == 2


def test_a_change_after_the_quiet_minute_queues_again(product, fresh_redis, publishing, committed):
    with committed():
        services.delivery_refresh_debounced(product_ids={product.pk})
        cache.delete(f"releases:delivery:debounce:{product.pk}")  # the minute has passed
        assert services.delivery_refresh_debounced(product_ids={product.pk}) == [product.pk]
    assert queued_tasks(fresh_redis) == 2


# --- Redis or the broker down ----------------------------------------------------------


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:1/0"}}


def test_with_redis_down_saving_a_feature_still_works(editor, product, redis_down, caplog,
                                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        feature = services.feature_create(actor=editor, product=product, title="Saved anyway")

    assert Feature.objects.filter(pk=feature.pk).exists()
    assert "left to the stale sweep" in caplog.text
    assert delivery.delivery_stale_product_ids() == [product.pk]


def test_with_the_broker_down_saving_a_feature_still_works(editor, product, broker_down, caplog,
                                                           django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        feature = services.feature_create(actor=editor, product=product, title="Saved anyway")

    assert Feature.objects.filter(pk=feature.pk).exists()
    assert "product_delivery_refresh_task" in caplog.text and "was not queued" in caplog.text


# --- the stale sweep and the nightly run ---------------------------------------------------


def test_the_sweep_finds_products_never_computed_or_changed_since(editor, product, workflow, release):
    quiet = ProductFactory(workspace=product.workspace, key="QUI")
    feature = services.feature_create(actor=editor, product=product, title="Changed later")
    services.product_delivery_refresh(product_id=product.pk)
    services.product_delivery_refresh(product_id=quiet.pk)
    assert delivery.delivery_stale_product_ids() == []

    services.feature_update(actor=editor, feature=feature, title="Changed after the computation")

    assert delivery.delivery_stale_product_ids() == [product.pk]


def test_a_release_change_makes_the_product_stale(editor, product, release):
    services.product_delivery_refresh(product_id=product.pk)

    services.release_update(actor=editor, release=release, release_date=release.release_date + timedelta(days=7))

    assert delivery.delivery_stale_product_ids() == [product.pk]


def test_the_sweep_computes_what_is_stale(product, release, django_capture_on_commit_callbacks):
    ProductDeliverySnapshotFactory(product=product, computed_at=timezone.now() - timedelta(days=400))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.delivery_stale_sweep_task() == 1

    assert ProductDeliverySnapshot.objects.get(product=product, day=timezone.localdate()).computed_at > \
        timezone.now() - timedelta(minutes=1)
    assert ReleaseDeliverySnapshot.objects.filter(release=release).exists()


def test_the_nightly_run_computes_every_product(product, other_product, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.product_delivery_refresh_all_task() == 2

    assert set(ProductDeliverySnapshot.objects.values_list("product_id", flat=True)) == {product.pk,
                                                                                         other_product.pk}


def test_beat_runs_the_nightly_computation_and_the_sweep():
    schedule = celery_app.conf.beat_schedule

    assert schedule["delivery-refresh-nightly"]["task"] == tasks.product_delivery_refresh_all_task.name
    assert schedule["delivery-stale-sweep"]["task"] == tasks.delivery_stale_sweep_task.name
    assert schedule["delivery-stale-sweep"]["schedule"] == 900.0


# --- end to end ---------------------------------------------------------------------------


def wait_for(condition, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.worker
def test_a_real_worker_computes_a_snapshot_after_a_feature_change(transactional_db, editor, product, workflow,
                                                                  release, monkeypatch):
    monkeypatch.setattr(delivery, "DEBOUNCE_SECONDS", 1)
    celery_app.conf.task_always_eager = False
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
            started = datetime.now(tz=timezone.get_current_timezone())
            feature = services.feature_create(actor=editor, product=product, title="Saved carts", release=release,
                                              status=workflow["Planned"], estimate=5)
            services.feature_update(actor=editor, feature=feature, status=workflow["In development"])
            assert wait_for(lambda: ReleaseDeliverySnapshot.objects.filter(release=release).exists())
    finally:
        celery_app.conf.task_always_eager = True
    row = ReleaseDeliverySnapshot.objects.get(release=release)
    assert (row.feature_count, row.remaining_count, row.forecast_status) == (1, 1, "no_history")
    assert row.computed_at >= started


# --- the demo -----------------------------------------------------------------------------


def test_the_demo_has_history_enough_for_forecasts_and_launched_features_with_usage_keys(today):
    from django.core.management import call_command

    from releases.models import Release

    call_command("seed_demo")

    products = {s.product.key: s for s in ProductDeliverySnapshot.objects.select_related("product")}
    assert set(products) == {"SHOP", "MOB", "PAY", "INS"}
    for snapshot in products.values():
        assert snapshot.history_weeks == 12 and snapshot.done_in_window > 0 and snapshot.cycle_count > 0
    current = ReleaseDeliverySnapshot.objects.filter(release__status=Release.Status.IN_PROGRESS)
    assert current.count() == 4
    assert all(row.forecast_status == "forecast" and row.forecast_p50 for row in current)
    keyed = {f.usage_key: f for f in Feature.objects.exclude(usage_key="").select_related("release", "status")}
    assert set(keyed) == {"csv-export", "dark-mode", "offline-sync"}
    for feature in keyed.values():
        assert feature.release.status == Release.Status.RELEASED and feature.status.category == "done"
        assert today - timedelta(days=90) < feature.release.release_date < today  # launched within the usage window


@pytest.mark.parametrize(("zone", "weeks_back"), [("UTC", 1), ("Etc/GMT-2", 0)])  # Etc/GMT-2 is UTC+2
def test_a_done_at_half_past_eleven_utc_on_sunday_counts_in_the_installations_week(
        settings, editor, product, workflow, today, zone, weeks_back):
    settings.TIME_ZONE = zone
    monday = week_start(timezone.localdate())
    sunday_night = datetime.combine(monday - timedelta(days=1), datetime.min.time(), tzinfo=UTC).replace(
        hour=23, minute=30)
    feature = services.feature_create(actor=editor, product=product, title="Late", status=workflow["Planned"])
    feature = services.feature_update(actor=editor, feature=feature, status=workflow["In development"])
    services.feature_update(actor=editor, feature=feature, status=workflow["Shipped"])
    history = list(Feature.history.filter(id=feature.pk).order_by("history_date", "history_id"))
    for version, when in zip(history, [sunday_night - timedelta(days=4), sunday_night - timedelta(days=3),
                                       sunday_night], strict=True):
        Feature.history.filter(history_id=version.history_id).update(history_date=when)

    snapshot = services.product_delivery_refresh(product_id=product.pk)

    weeks = snapshot.data["throughput"]
    assert weeks[-1 - weeks_back] == [(monday - timedelta(weeks=weeks_back)).isoformat(), 1]
    assert sum(count for _week, count in weeks) == 1
