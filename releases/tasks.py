import smtplib

from celery import shared_task
from django.db import OperationalError
from redis.exceptions import RedisError

from . import services

# How long a computation waits when another worker is computing the same product.
BUSY_RETRY_SECONDS = 30


@shared_task(autoretry_for=(smtplib.SMTPException, OSError), retry_backoff=30, max_retries=5, acks_late=True)
def comment_mention_email_task(comment_id: int, user_id: int | None = None) -> None:
    services.comment_mention_email_send(comment_id=comment_id, user_id=user_id)


@shared_task(acks_late=True)
def mention_emails_sweep_task() -> int:
    return services.mention_emails_sweep()


@shared_task(bind=True, autoretry_for=(OperationalError, RedisError), retry_backoff=15, retry_jitter=True,
             max_retries=5, acks_late=True)
def product_delivery_refresh_task(self, product_id: int) -> None:
    """Store today's delivery snapshots of the product; idempotent. While another worker
    computes the same product, try again after it (its result may predate the change that
    queued this one)."""
    try:
        services.product_delivery_refresh(product_id=product_id)
    except services.DeliveryBusy as busy:
        raise self.retry(countdown=BUSY_RETRY_SECONDS, exc=busy) from busy


@shared_task(acks_late=True)
def product_delivery_refresh_all_task() -> int:
    return services.delivery_refresh_all()


@shared_task(acks_late=True)
def delivery_stale_sweep_task() -> int:
    return services.delivery_stale_sweep()


@shared_task(acks_late=True)
def import_run_task(import_id: int) -> None:
    """Write a confirmed import (releases.services.imports); an import no longer running
    (written already, by a first delivery of this task) is left alone."""
    services.import_run(import_id=import_id)


@shared_task(acks_late=True)
def import_undo_task(import_id: int) -> None:
    """Undo a large import (releases.services.imports); one no longer being undone is left alone."""
    services.import_undo_run(import_id=import_id)


@shared_task(autoretry_for=(smtplib.SMTPException, OSError), retry_backoff=30, max_retries=5, acks_late=True)
def notification_emails_send_task(notification_ids: list[int]) -> None:
    services.notification_emails_send(notification_ids=notification_ids)


@shared_task(autoretry_for=(smtplib.SMTPException, OSError), retry_backoff=60, max_retries=5, acks_late=True)
def notification_digest_send_task(user_id: int) -> None:
    services.notification_digest_send(user_id=user_id)


@shared_task(acks_late=True)
def notification_digests_queue_task() -> int:
    return services.notification_digests_queue()
