import smtplib

from celery import shared_task

from . import services


@shared_task(autoretry_for=(smtplib.SMTPException, OSError), retry_backoff=30, max_retries=5, acks_late=True)
def comment_mention_email_task(comment_id: int, user_id: int | None = None) -> None:
    services.comment_mention_email_send(comment_id=comment_id, user_id=user_id)


@shared_task(acks_late=True)
def mention_emails_sweep_task() -> int:
    return services.mention_emails_sweep()
