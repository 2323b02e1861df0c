from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.urls import reverse
from django.utils import timezone

from roadmap.celery import app as celery_app
from roadmap.models import WorkerHeartbeat
from roadmap.tasks import worker_heartbeat_task

pytestmark = pytest.mark.django_db


def beat(age: timedelta) -> None:
    WorkerHeartbeat.objects.update_or_create(hostname="worker@test", defaults={"beat_at": timezone.now() - age})


def test_health_is_ok_when_database_redis_and_a_recent_heartbeat_are_fine(client):
    beat(timedelta(seconds=30))
    response = client.get(reverse("roadmap:healthz"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {name: check["ok"] for name, check in body["checks"].items()} == {
        "database": True, "redis": True, "worker": True}


def test_health_fails_without_any_heartbeat(client):
    response = client.get(reverse("roadmap:healthz"))
    assert response.status_code == 503
    assert response.json()["checks"]["worker"]["ok"] is False
    assert "no heartbeat" in response.json()["checks"]["worker"]["detail"]


def test_a_heartbeat_older_than_three_minutes_is_stale(client):
    beat(timedelta(minutes=3, seconds=5))
    response = client.get(reverse("roadmap:healthz"))
    assert response.status_code == 503
    assert response.json()["checks"]["worker"]["detail"].startswith("stale")


def test_health_reports_unreachable_redis(client, settings):
    beat(timedelta(seconds=5))
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get(reverse("roadmap:healthz"))
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["redis"]["ok"] is False
    assert checks["database"]["ok"] is True


def test_health_needs_no_sign_in_and_is_never_cached(client):
    beat(timedelta(seconds=5))
    response = client.get(reverse("roadmap:healthz"))
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]


def test_the_heartbeat_task_overwrites_its_row():
    worker_heartbeat_task.delay()
    worker_heartbeat_task.delay()
    assert WorkerHeartbeat.objects.count() == 1


def test_beat_schedules_the_heartbeat_more_often_than_it_goes_stale(settings):
    entry = celery_app.conf.beat_schedule["worker-heartbeat"]
    assert entry["task"] in celery_app.tasks
    assert timedelta(seconds=entry["schedule"]) < settings.WORKER_HEARTBEAT_STALE_AFTER


@pytest.mark.worker
def test_a_real_worker_runs_the_heartbeat_and_health_turns_green(transactional_db, client):
    assert client.get(reverse("roadmap:healthz")).status_code == 503
    celery_app.conf.task_always_eager = False
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
            hostname = worker_heartbeat_task.delay().get(timeout=30)
    finally:
        celery_app.conf.task_always_eager = True
    assert hostname != "eager"
    assert WorkerHeartbeat.objects.filter(hostname=hostname).exists()
    response = client.get(reverse("roadmap:healthz"))
    assert response.status_code == 200, response.json()


def test_load_balancers_may_probe_health_with_head(client):
    beat(timedelta(seconds=5))
    assert client.head(reverse("roadmap:healthz")).status_code == 200


def test_health_reports_an_unreachable_database():
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "roadmap.settings.base",
           "DATABASE_URL": "postgres://postgres@127.0.0.1:1/waymark"}
    script = "import json; from roadmap.selectors import health_report; ok, r = health_report(); print(json.dumps(r))"
    result = subprocess.run([sys.executable, "manage.py", "shell", "-c", script], capture_output=True, text=True,
                            cwd=Path(__file__).resolve().parents[2], env=env, timeout=60)
    import json

    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["status"] == "unhealthy"
    assert report["checks"]["database"]["ok"] is False
    assert report["checks"]["worker"]["ok"] is False
