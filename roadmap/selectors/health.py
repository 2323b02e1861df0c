"""The checks behind /healthz: can we reach PostgreSQL and Redis, and has a worker
run the heartbeat task recently."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import redis
from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone


@dataclass
class Check:
    ok: bool
    detail: str


def check_database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return Check(True, "reachable")
    except DatabaseError as exc:
        return Check(False, f"unreachable: {exc.__class__.__name__}")


def check_redis() -> Check:
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
        return Check(True, "reachable")
    except redis.RedisError as exc:
        return Check(False, f"unreachable: {exc.__class__.__name__}")
    finally:
        client.close()


def check_worker() -> Check:
    from ..models import WorkerHeartbeat

    try:
        last = WorkerHeartbeat.objects.order_by("-beat_at").values_list("beat_at", flat=True).first()
    except DatabaseError:
        return Check(False, "unknown: database unreachable")
    if last is None:
        return Check(False, "no heartbeat yet: is the worker (and beat) running?")
    age = timezone.now() - last
    seconds = int(age.total_seconds())
    if age > settings.WORKER_HEARTBEAT_STALE_AFTER:
        return Check(False, f"stale: last heartbeat {seconds}s ago")
    return Check(True, f"last heartbeat {seconds}s ago")


def health_report() -> tuple[bool, dict]:
    checks = {"database": check_database(), "redis": check_redis(), "worker": check_worker()}
    healthy = all(check.ok for check in checks.values())
    return healthy, {
        "status": "ok" if healthy else "unhealthy",
        "checks": {name: asdict(check) for name, check in checks.items()},
    }
