"""Queueing Celery tasks from a write. A task is queued only once the write has committed
(so it never reads rows that are not there yet, nor runs for a write that was rolled back),
and an unreachable broker never fails or holds up the request that made the change: the
change stands, and the task that could not be queued is logged by name and arguments."""

from __future__ import annotations

import logging

from celery import Task
from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


def queue_after_commit(task: Task, *args, countdown: float | None = None) -> None:
    """Queue `task(*args)` when the current transaction commits (to run `countdown` seconds
    later, for a debounced task, when given). Publishing gives up quickly
    when the broker is down (CELERY_TASK_PUBLISH_RETRY_POLICY and the connection timeouts in
    settings), and never waits on the result store; the failure is then logged, never raised."""

    def publish() -> None:
        try:
            # Nobody waits for the result; asking for one would subscribe to the result store
            # first, whose reconnect loop holds the request up for ~20 s when Redis is down.
            task.apply_async(args, ignore_result=True, countdown=countdown)
        except OperationalError:
            logger.warning("Broker unreachable: %s%r was not queued", task.name, args)

    transaction.on_commit(publish)
