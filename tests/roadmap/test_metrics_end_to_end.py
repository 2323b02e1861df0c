"""One path end to end through a real Celery worker and Redis: usage events in through the
API, the debounced rollup on the worker, the key result bound to daily active users updated
by it, and the goal page and the product metrics page showing the value."""

import json
import re
import time
import uuid
from datetime import datetime, timedelta
from datetime import time as day_time
from decimal import Decimal
from html import unescape

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from roadmap import services
from roadmap.celery import app as celery_app
from roadmap.models import KeyResultBinding
from roadmap.services import ingest_keys
from strategy.models import KeyResult

from ..factories import GoalFactory, IngestKeyFactory, KeyResultFactory

pytestmark = pytest.mark.django_db


def text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


@pytest.fixture(autouse=True)
def _fresh_redis():
    cache.clear()
    yield
    cache.clear()


def yesterdays_events(users: int) -> list[dict]:
    """Two events in one session for each of `users` signed-in users, at noon yesterday."""
    noon = timezone.make_aware(datetime.combine(timezone.localdate() - timedelta(days=1), day_time(12)))
    # Ids unique to this run: the raw events table outlives other tests' data (it is not flushed
    # with Django's tables), and a repeated (product, id, time) would be ignored as a duplicate.
    run = uuid.uuid4().hex
    return [{"id": f"{run}-{user}-{n}", "name": "page_viewed", "user_id": f"user-{user}", "session_id": f"s{user}",
             "timestamp": (noon + timedelta(minutes=n)).isoformat()} for user in range(users) for n in range(2)]


@pytest.mark.worker
def test_events_in_rollup_on_the_worker_key_result_updated_pages_show_it(
        transactional_db, client, workspace, product, editor, viewer, settings, today):
    settings.USAGE_ROLLUP_DEBOUNCE_SECONDS = 1
    goal = GoalFactory(workspace=workspace, product=product, name="Grow daily use",
                       start_date=today - timedelta(days=10), end_date=today + timedelta(days=80))
    key_result = KeyResultFactory(goal=goal, name="Daily active shoppers", unit="users", start_value=0,
                                  target_value=20)
    services.key_result_bind(actor=editor, key_result=key_result, metric="dau", product=product)
    raw = ingest_keys.new_key()
    IngestKeyFactory(product=product, key=raw)

    celery_app.conf.task_always_eager = False
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
            response = client.post("/api/v1/events", data=json.dumps({"events": yesterdays_events(7)}),
                                   content_type="application/json", headers={"Authorization": f"Bearer {raw}"})
            assert response.json()["accepted"] == 14
            deadline = time.monotonic() + 40
            while KeyResult.objects.get(pk=key_result.pk).current_value == 0 and time.monotonic() < deadline:
                time.sleep(0.2)
    finally:
        celery_app.conf.task_always_eager = True

    key_result.refresh_from_db()
    assert key_result.current_value == Decimal(7)
    binding = KeyResultBinding.objects.get(key_result=key_result)
    assert binding.as_of == today - timedelta(days=1) and binding.computed_at is not None
    client.force_login(viewer)
    goal_page = text(client.get(reverse("strategy:goal_detail", args=[workspace.slug, goal.pk])).content.decode())
    assert "Daily active shoppers" in goal_page and "7 users" in goal_page and "35%" in goal_page
    assert "Fed by daily active users of Mobile App" in goal_page
    metrics_page = text(client.get(reverse("roadmap:product_metrics", args=[workspace.slug, product.key]))
                        .content.decode())
    assert "Daily active users 7" in metrics_page
    assert "Daily active shoppers" in metrics_page and "computed" in metrics_page
