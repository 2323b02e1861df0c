import smtplib

from celery import shared_task

from . import services


@shared_task(autoretry_for=(smtplib.SMTPException, OSError), retry_backoff=30, max_retries=5, acks_late=True)
def invitation_email_send_task(invitation_id: int) -> None:
    services.invitation_email_send(invitation_id=invitation_id)
