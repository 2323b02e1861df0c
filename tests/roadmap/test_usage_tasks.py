"""The usage tasks: the debounced rollup after ingestion, the per-product lock, the sweep that
heals lost triggers, partition maintenance, the beat schedule, Redis and the broker being
down, and one real Celery worker from events in to the page showing them."""

import json
import time
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.cache import cache
from django.utils import timezone

from roadmap import tasks
from roadmap.celery import app as celery_app
from roadmap.models import UsageDaily, UsageDirtyDay
from roadmap.services import ingest_keys, usage
from strategy.redis import raw_client

from ..factories import IngestKeyFactory, UsageDailyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_redis():
    cache.clear()
    yield
    cache.clear()


def events(count: int = 3, prefix: str = "e") -> list[dict]:
    moment = (timezone.now() - timedelta(minutes=1)).isoformat()
    return [{"id": f"{prefix}{n}", "name": "view", "user_id": f"u{n}", "session_id": f"s{n}", "timestamp": moment}
            for n in range(count)]


@pytest.fixture
def queued(monkeypatch):
    """The rollups queued (product id, countdown), instead of running them."""
    calls = []
    monkeypatch.setattr(tasks.usage_rollup_task, "apply_async",
                        lambda args, **options: calls.append((args[0], options.get("countdown"))))
    return calls


def test_many_batches_within_the_debounce_queue_one_rollup(product, queued, settings,
                                                           django_capture_on_commit_callbacks):
    settings.USAGE_ROLLUP_DEBOUNCE_SECONDS = 30
    with django_capture_on_commit_callbacks(execute=True):
        for batch in range(3):
            usage.usage_events_ingest(product_id=product.pk, events=events(prefix=f"b{batch}-"))

    assert queued == [(product.pk, 30)]


def test_after_the_debounce_window_the_next_batch_queues_again(product, queued,
                                                                django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        usage.usage_events_ingest(product_id=product.pk, events=events(prefix="a"))
    cache.delete(usage.DEBOUNCE_KEY.format(product_id=product.pk))  # the key's TTL ran out
    with django_capture_on_commit_callbacks(execute=True):
        usage.usage_events_ingest(product_id=product.pk, events=events(prefix="b"))

    assert [product_id for product_id, _countdown in queued] == [product.pk, product.pk]


def test_a_batch_of_duplicates_queues_nothing(product, queued, django_capture_on_commit_callbacks):
    batch = events()
    usage.usage_events_write(product_id=product.pk, rows=[row for _i, row in usage.check_batch(batch)[0]])

    with django_capture_on_commit_callbacks(execute=True):
        result = usage.usage_events_ingest(product_id=product.pk, events=batch)

    assert (result.accepted, result.duplicates, queued) == (0, 3, [])


def test_the_debounced_rollup_runs_after_commit(product, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        usage.usage_events_ingest(product_id=product.pk, events=events())

    day = timezone.localdate(timezone.now() - timedelta(minutes=1))
    assert UsageDaily.objects.get(product=product, day=day).dau == 3
    assert not UsageDirtyDay.objects.filter(product=product).exists()


def test_the_lock_keeps_a_second_worker_off_the_product(product):
    usage.usage_events_ingest(product_id=product.pk, events=events())
    lock_key = cache.make_and_validate_key(tasks.ROLLUP_LOCK_KEY.format(product_id=product.pk))
    held = raw_client().lock(lock_key, timeout=60, blocking=False)
    assert held.acquire()
    try:
        outcome = tasks.usage_rollup_task.delay(product.pk).get()
    finally:
        held.release()

    assert outcome == {"product_id": product.pk, "skipped": "locked"}
    assert UsageDirtyDay.objects.filter(product=product).exists()
    assert tasks.usage_rollup_task.delay(product.pk).get()["days"] == 1
    assert not UsageDirtyDay.objects.filter(product=product).exists()


def test_the_task_releases_its_lock(product):
    usage.usage_events_ingest(product_id=product.pk, events=events())

    tasks.usage_rollup_task.delay(product.pk).get()

    lock_key = cache.make_and_validate_key(tasks.ROLLUP_LOCK_KEY.format(product_id=product.pk))
    assert not raw_client().exists(lock_key)


def test_the_sweep_rolls_up_days_whose_trigger_was_lost(product, other_product, settings):
    settings.USAGE_ROLLUP_DEBOUNCE_SECONDS = 30
    usage.usage_events_ingest(product_id=product.pk, events=events())
    usage.usage_events_ingest(product_id=other_product.pk, events=events())
    UsageDirtyDay.objects.filter(product=product).update(marked_at=timezone.now() - timedelta(minutes=5))

    swept = tasks.usage_rollup_sweep_task.delay().get()

    assert swept == [product.pk]  # the fresh mark is left to its own debounced rollup
    assert not UsageDirtyDay.objects.filter(product=product).exists()
    assert UsageDirtyDay.objects.filter(product=other_product).exists()


def test_the_partition_task_makes_months_ahead_and_applies_retention(db, settings):
    settings.USAGE_EVENT_RETENTION_DAYS = 30
    usage.usage_partitions_ensure(months_ahead=0, today=timezone.now().date() - timedelta(days=200))

    outcome = tasks.usage_partitions_task.delay().get()

    names = [name for name, _first in usage.usage_partitions()]
    ahead = timezone.now().date().replace(day=1) + timedelta(days=95)
    assert f"roadmap_usage_event_p{ahead:%Y%m}" in names
    assert outcome["dropped"] and all(name not in names for name in outcome["dropped"])


def test_each_usage_task_has_a_beat_entry():
    schedule = celery_app.conf.beat_schedule

    assert schedule["usage-rollup-sweep"]["task"] == "roadmap.tasks.usage_rollup_sweep_task"
    assert schedule["usage-partitions"]["task"] == "roadmap.tasks.usage_partitions_task"
    assert "worker-heartbeat" in schedule and "mention-emails-sweep" in schedule
    for task in (tasks.usage_rollup_task, tasks.usage_rollup_sweep_task, tasks.usage_partitions_task):
        assert task.acks_late


def test_with_redis_and_the_broker_down_ingestion_succeeds_and_the_page_shows_the_last_values(
        client, client_as_viewer, product, broker_down, settings, caplog, django_capture_on_commit_callbacks):
    raw = ingest_keys.new_key()
    IngestKeyFactory(product=product, key=raw)
    UsageDailyFactory(product=product, day=timezone.localdate(), dau=321,
                      computed_at=timezone.now() - timedelta(hours=2))
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:1/0"}}

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/events", data=json.dumps({"events": events()}),
                               content_type="application/json", headers={"Authorization": f"Bearer {raw}"})

    assert response.status_code == 200
    assert response.json()["accepted"] == 3
    assert UsageDirtyDay.objects.filter(product=product).exists()
    assert "left to the sweep" in caplog.text
    page = client_as_viewer.get(f"/w/{product.workspace.slug}/products/{product.key}/usage/")
    assert page.status_code == 200
    assert "321" in page.content.decode() and "2\xa0hours ago" in page.content.decode()


def test_with_only_the_broker_down_ingestion_succeeds(product, broker_down, caplog,
                                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = usage.usage_events_ingest(product_id=product.pk, events=events())

    assert result.accepted == 3
    assert "was not queued" in caplog.text
    assert UsageDirtyDay.objects.filter(product=product).exists()


@pytest.mark.worker
def test_a_real_worker_rolls_up_and_the_page_shows_it(transactional_db, client, product, viewer, settings):
    settings.USAGE_ROLLUP_DEBOUNCE_SECONDS = 1
    raw = ingest_keys.new_key()
    IngestKeyFactory(product=product, key=raw)
    celery_app.conf.task_always_eager = False
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
            response = client.post("/api/v1/events", data=json.dumps({"events": events(7)}),
                                   content_type="application/json", headers={"Authorization": f"Bearer {raw}"})
            assert response.json()["accepted"] == 7
            deadline = time.monotonic() + 30
            while not UsageDaily.objects.filter(product=product).exists() and time.monotonic() < deadline:
                time.sleep(0.2)
    finally:
        celery_app.conf.task_always_eager = True

    assert not UsageDirtyDay.objects.filter(product=product).exists()
    client.force_login(viewer)
    page = client.get(f"/w/{product.workspace.slug}/products/{product.key}/usage/").content.decode()
    assert '<span class="usage-kpi__value">7</span>' in page
