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


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3, acks_late=True)
def key_results_refresh_task(product_ids: list[int] | None = None) -> int:
    """Bound key results (of these products, or all) take their metric's latest value."""
    return services.key_results_refresh(product_ids=product_ids)
