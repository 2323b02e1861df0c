"""Celery tasks of the top layer: the worker heartbeat, the usage-metric rollups, the
refresh of key results bound to a metric, and webhook deliveries. Delivery-metric snapshots
are tasks of `releases`."""

import contextlib
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import OperationalError
from redis.exceptions import LockError, RedisError

from strategy.redis import raw_client

from . import services
from .models import WebhookDelivery
from .services import usage, webhooks


@shared_task(bind=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def worker_heartbeat_task(self) -> str:
    hostname = self.request.hostname or "eager"
    services.heartbeat_record(hostname=hostname)
    return hostname


# --- usage metrics ------------------------------------------------------------------------------

# A rollup of 5 million events takes well under a minute; the lock outlives the slowest
# rollup the task time limit allows, so it never expires under a running rollup.
ROLLUP_LOCK_SECONDS = 15 * 60
ROLLUP_LOCK_KEY = "usage:rollup-lock:{product_id}"
# A rollup that found another worker rolling the same product up tries again this much later.
LOCK_BUSY_RETRY_SECONDS = 30


@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError, RedisError), retry_backoff=5,
             retry_backoff_max=300, max_retries=6)
def usage_rollup_task(self, product_id: int) -> dict:
    """Roll up the product's dirty days, holding a per-product Redis lock so that two workers
    never roll up the same product at once. Busy: try again later (the dirty days wait)."""
    key = cache.make_and_validate_key(ROLLUP_LOCK_KEY.format(product_id=product_id))
    lock = raw_client().lock(key, timeout=ROLLUP_LOCK_SECONDS, blocking=False)
    if not lock.acquire():
        if self.request.retries < self.max_retries and not self.request.is_eager:
            raise self.retry(countdown=LOCK_BUSY_RETRY_SECONDS)
        return {"product_id": product_id, "skipped": "locked"}
    try:
        result = usage.usage_rollup(product_id=product_id)
    finally:
        with contextlib.suppress(LockError, RedisError):
            lock.release()
    if result.days:  # key results bound to this product's usage take the new figures
        services.key_results_refresh(product_ids=[product_id])
    return {"product_id": product_id, "days": len(result.days), "ranges": len(result.ranges)}


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=30, max_retries=3)
def usage_rollup_sweep_task() -> list[int]:
    """Queue a rollup for every product whose dirty days outlived their debounced rollup (a
    trigger lost to Redis or the broker being down, or a failed rollup)."""
    older_than = timedelta(seconds=2 * settings.USAGE_ROLLUP_DEBOUNCE_SECONDS)
    product_ids = usage.usage_dirty_products(older_than=older_than)
    for product_id in product_ids:
        usage_rollup_task.apply_async((product_id,), ignore_result=True)
    return product_ids


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=60, max_retries=5)
def usage_partitions_task() -> dict:
    """Make the event partitions of this month and the next three, and drop the months past
    retention (USAGE_EVENT_RETENTION_DAYS)."""
    created = usage.usage_partitions_ensure(months_ahead=3)
    dropped = usage.usage_partitions_drop_expired()
    return {"created": created, "dropped": dropped}


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3, acks_late=True)
def key_results_refresh_task(product_ids: list[int] | None = None) -> int:
    """Bound key results (of these products, or all) take their metric's latest value."""
    return services.key_results_refresh(product_ids=product_ids)


# --- webhooks ------------------------------------------------------------------------------


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def webhook_events_dispatch_task(refs: list[list]) -> int:
    """Build the events of one committed transaction and queue their deliveries."""
    return webhooks.webhook_events_dispatch(refs=refs)


@shared_task(bind=True, acks_late=True, max_retries=None)
def webhook_deliver_task(self, delivery_id: int) -> str | None:
    """One attempt of a delivery; a failed one comes back after its back-off (the count of
    attempts lives on the delivery, so WEBHOOK_MAX_ATTEMPTS is the limit, not Celery's)."""
    try:
        attempt = webhooks.webhook_delivery_attempt(delivery_id=delivery_id)
    except OperationalError as exc:
        raise self.retry(exc=exc, countdown=webhooks.retry_delay(self.request.retries + 1)) from exc
    if attempt is None:
        return None
    delivery = attempt.delivery
    while delivery.state == WebhookDelivery.State.RETRYING and self.request.is_eager:
        # Eager (tests, or no worker configured): the retries run at once, in this call.
        delivery = webhooks.webhook_delivery_attempt(delivery_id=delivery_id).delivery
    if delivery.state == WebhookDelivery.State.RETRYING:
        countdown = webhooks.retry_delay(delivery.attempt_count)
        raise self.retry(countdown=countdown)
    return delivery.state


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def webhook_redeliver_task(delivery_id: int) -> str | None:
    """A delivery sent again by hand: one attempt, logged like the others."""
    attempt = webhooks.webhook_delivery_attempt(delivery_id=delivery_id, redelivery=True)
    return attempt.delivery.state if attempt else None


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def webhook_goal_status_task(workspace_id: int) -> int:
    return webhooks.webhook_goal_status_check(workspace_id=workspace_id)


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=60, max_retries=3)
def webhook_sweep_task() -> dict:
    """Deliveries whose task was lost, and goal statuses the calendar moved."""
    return {"requeued": len(webhooks.webhook_deliveries_sweep()), "goals": webhooks.webhook_goal_status_sweep()}
