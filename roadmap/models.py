"""Timelines, share links and metrics (later issues); for now the worker heartbeat."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """When a Celery worker last ran the beat-scheduled heartbeat task.
    One row per worker hostname; /healthz reads the newest."""

    hostname = models.CharField(_("worker"), max_length=200, unique=True)
    beat_at = models.DateTimeField(_("last heartbeat"))

    class Meta:
        ordering = ["-beat_at"]

    def __str__(self) -> str:
        return f"{self.hostname} at {self.beat_at:%Y-%m-%d %H:%M:%S}"
