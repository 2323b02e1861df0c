"""Writes of the health topic. Invariant: one heartbeat row per worker, overwritten each run."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from ..models import WorkerHeartbeat


@transaction.atomic
def heartbeat_record(*, hostname: str) -> WorkerHeartbeat:
    """Record that the worker `hostname` is alive now. Idempotent."""
    heartbeat, _ = WorkerHeartbeat.objects.update_or_create(
        hostname=hostname, defaults={"beat_at": timezone.now()}
    )
    return heartbeat
