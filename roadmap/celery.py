"""The Celery app and the one beat schedule: read here what runs when."""

import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "roadmap.settings.base")

app = Celery("waymark")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    "worker-heartbeat": {
        "task": "roadmap.tasks.worker_heartbeat_task",
        "schedule": 60.0,
        # A heartbeat nobody picked up within a minute is stale anyway.
        "options": {"expires": 55},
    },
    # Key results bound to a metric: rollups and delivery computations refresh them as they
    # finish; this sweep catches a trigger that was lost (Redis down, a worker restarted).
    "key-results-refresh": {
        "task": "roadmap.tasks.key_results_refresh_task",
        "schedule": 600.0,
        "options": {"expires": 590},
    },
    # Mention emails whose task could not be queued when the comment was saved (Redis down).
    "mention-emails-sweep": {
        "task": "releases.tasks.mention_emails_sweep_task",
        "schedule": 300.0,
        "options": {"expires": 290},
    },
    # Notification digests: one email per person with unread notifications of the kinds they
    # want daily, not yet in a digest (each person's task marks what it listed, so a rerun sends nothing).
    "notification-digests": {
        "task": "releases.tasks.notification_digests_queue_task",
        "schedule": crontab(hour=7, minute=0),
        "options": {"expires": 3600},
    },
    # Delivery metrics: a snapshot of every product each night, and products whose snapshot is
    # older than their latest change (a lost or debounced-away trigger) every 15 minutes.
    "delivery-refresh-nightly": {"task": "releases.tasks.product_delivery_refresh_all_task",
                                 "schedule": crontab(hour=2, minute=30)},
    "delivery-stale-sweep": {"task": "releases.tasks.delivery_stale_sweep_task", "schedule": 900.0,
                             "options": {"expires": 890}},
    # Usage rollups whose debounced trigger was lost (Redis or the broker down) or failed.
    "usage-rollup-sweep": {
        "task": "roadmap.tasks.usage_rollup_sweep_task",
        "schedule": 300.0,
        "options": {"expires": 290},
    },
    # Webhook deliveries whose task was lost, and goal statuses that moved with the calendar.
    "webhook-sweep": {
        "task": "roadmap.tasks.webhook_sweep_task",
        "schedule": 300.0,
        "options": {"expires": 290},
    },
    # Event partitions for the months ahead, and retention (drops months past it).
    "usage-partitions": {
        "task": "roadmap.tasks.usage_partitions_task",
        "schedule": crontab(hour=3, minute=17),
        "options": {"expires": 3600},
    },
}


@worker_ready.connect
def _heartbeat_on_start(sender, **kwargs) -> None:
    # Without this, /healthz reports the worker missing until beat's first run, a minute later.
    sender.app.send_task("roadmap.tasks.worker_heartbeat_task")
