"""Celery tasks of feedback: thin wrappers over `feedback.services`, safe to run twice."""

import smtplib

from celery import shared_task
from django.db import OperationalError

from . import services
from .services import portal_access


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3, acks_late=True)
def features_demand_refresh_task(feature_ids: list[int]) -> int:
    return services.features_demand_refresh(feature_ids=feature_ids)


@shared_task(autoretry_for=(smtplib.SMTPException, OSError, OperationalError), retry_backoff=30, max_retries=5,
             acks_late=True)
def features_shipped_task(feature_ids: list[int]) -> list[int]:
    return services.features_ship(feature_ids=feature_ids)


@shared_task(autoretry_for=(smtplib.SMTPException, OSError, OperationalError), retry_backoff=30, max_retries=5,
             acks_late=True)
def idea_shipped_notify_task(idea_id: int) -> int:
    return services.shipped_notices_send(idea_id=idea_id)


@shared_task(autoretry_for=(smtplib.SMTPException, OSError), retry_backoff=30, max_retries=5, acks_late=True)
def portal_link_email_send_task(product_id: int, email: str, next_path: str = "") -> None:
    # The token is made in the task, so it never travels through the broker.
    portal_access.portal_link_email_send(product_id=product_id, email=email, next_path=next_path)
