"""Celery tasks of the top layer: the worker heartbeat, and the usage-metric rollups and
dashboard refreshes as they land. Delivery-metric snapshots are tasks of `releases`."""

from celery import shared_task
from django.db import OperationalError

from . import services


@shared_task(bind=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def worker_heartbeat_task(self) -> str:
    hostname = self.request.hostname or "eager"
    services.heartbeat_record(hostname=hostname)
    return hostname
