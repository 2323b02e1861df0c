"""The top layer's tables: share links and the worker heartbeat. Usage metrics (events,
rollups, key results bound to a metric, the dashboard) will live here too, because they read
products, features and goals together; delivery metrics stay in `releases` (its page shows
them)."""

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


class ShareLink(models.Model):
    """A read-only window onto ONE roadmap view of one product or product line, opened by
    an unguessable token without an account. Only the token's SHA-256 digest is stored; the
    token itself is shown once, when the link is created."""

    class View(models.TextChoices):
        TIMELINE = "timeline", _("Timeline")
        PORTFOLIO = "portfolio", _("Portfolio timeline")
        NOW_NEXT_LATER = "now_next_later", _("Now / Next / Later")
        RELEASE_TIMELINE = "release_timeline", _("Release timeline")

    workspace = models.ForeignKey("strategy.Workspace", on_delete=models.CASCADE, related_name="share_links")
    product = models.ForeignKey("strategy.Product", on_delete=models.CASCADE, related_name="share_links")
    view = models.CharField(_("view"), max_length=20, choices=View.choices)
    params = models.JSONField(_("view options"), default=dict, blank=True)
    token_digest = models.CharField(_("token digest"), max_length=64, unique=True)
    token_prefix = models.CharField(_("token prefix"), max_length=6)
    password_hash = models.CharField(_("password hash"), max_length=200, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    created_by = models.ForeignKey("strategy.User", null=True, on_delete=models.SET_NULL,
                                   related_name="share_links")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    view_count = models.PositiveIntegerField(_("views"), default=0)
    last_viewed_at = models.DateTimeField(_("last viewed"), null=True, blank=True)
    # Estimates are team-internal sizing; a link shows them only when its creator says so.
    show_estimates = models.BooleanField(_("show estimates"), default=False)
    # What the reader sees on top of the shared page, and what the team sees in the list.
    title = models.CharField(_("title"), max_length=120, blank=True)
    intro = models.TextField(_("introduction"), max_length=600, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["product", "-created_at"], name="roadmap_sharelink_product")]

    def __str__(self) -> str:
        return f"{self.token_prefix}… ({self.get_view_display()})"

    @property
    def has_password(self) -> bool:
        return bool(self.password_hash)

    def status_at(self, now) -> str:
        """"revoked", "expired" or "active" at `now`."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "active"
