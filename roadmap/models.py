"""The top layer's tables: share links, the worker heartbeat, usage metrics (ingest keys,
raw usage events, their daily rollups) and key results bound to a metric, because they read
products, features and goals together; delivery metrics stay in `releases` (its page shows
them).

The raw events table, `roadmap_usage_event`, is partitioned by month and created by SQL in
migration 0004 (Django cannot declare a partitioned table); `UsageEvent` below only reads it.
So are the two activity tables the rollups keep (`roadmap_usage_actor_day`,
`roadmap_usage_feature_actor_day`), which only SQL in `roadmap.services.usage` touches."""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from strategy.models import WorkspaceScopedQuerySet


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
    # A release's messaging (key messages, personas, competitors) is go-to-market planning; a
    # release timeline link shows it only when its creator says so.
    show_messaging = models.BooleanField(_("show messaging"), default=False)
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


# --- usage metrics ----------------------------------------------------------------------


class IngestKey(models.Model):
    """The secret a product sends its usage events with (`Authorization: Bearer <key>`). Only
    the key's SHA-256 digest is stored; the key itself is shown once, when it is created. A
    revoked key stops working with the next request (nothing caches key validity)."""

    product = models.ForeignKey("strategy.Product", on_delete=models.CASCADE, related_name="ingest_keys")
    name = models.CharField(_("name"), max_length=100)
    key_digest = models.CharField(_("key digest"), max_length=64, unique=True)
    key_prefix = models.CharField(_("key prefix"), max_length=12)
    created_by = models.ForeignKey("strategy.User", null=True, on_delete=models.SET_NULL,
                                   related_name="ingest_keys")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["product", "-created_at"], name="roadmap_ingestkey_product")]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class UsageEvent(models.Model):
    """One raw usage event, read-only: the table is partitioned by month of `occurred_at`
    and written only by the ingest service's SQL. Its real key is (product, event_id,
    occurred_at); Django needs one column as primary key, so `event_id` stands in for reads."""

    product = models.ForeignKey("strategy.Product", on_delete=models.DO_NOTHING, db_constraint=False,
                                related_name="+")
    event_id = models.TextField(primary_key=True)
    name = models.TextField()
    # NULL, not "", is "not sent" in the raw table (the SQL checks one of the two is there).
    user_id = models.TextField(null=True)  # noqa: DJ001
    anonymous_id = models.TextField(null=True)  # noqa: DJ001
    session_id = models.TextField()
    occurred_at = models.DateTimeField()
    feature_key = models.TextField(null=True)  # noqa: DJ001
    properties = models.JSONField(default=dict)
    received_at = models.DateTimeField()

    class Meta:
        managed = False
        db_table = "roadmap_usage_event"

    def __str__(self) -> str:
        return f"{self.name} at {self.occurred_at:%Y-%m-%d %H:%M:%S}"


class UsageDirtyDay(models.Model):
    """A (product, day) with events the rollups have not counted yet. Ingestion upserts it in
    the transaction that inserts the events (moving `marked_at` on); the rollup deletes it
    only if `marked_at` is still the value it read, so events that arrive during a rollup
    leave their day dirty for the next one."""

    product = models.ForeignKey("strategy.Product", on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("day"))
    marked_at = models.DateTimeField(_("marked"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["product", "day"], name="roadmap_usagedirtyday_unique")]

    def __str__(self) -> str:
        return f"{self.product_id} {self.day}"


class UsageDaily(models.Model):
    """A product's usage on one day (days in settings.TIME_ZONE): distinct users that day
    (`dau`), in the 7 and 30 days ending that day (`wau`, `mau`), sessions, sessions with
    exactly one event that day (`bounced_sessions`) and events. Written by the rollups only."""

    product = models.ForeignKey("strategy.Product", on_delete=models.CASCADE, related_name="usage_days")
    day = models.DateField(_("day"))
    dau = models.PositiveIntegerField(_("daily active users"), default=0)
    wau = models.PositiveIntegerField(_("weekly active users"), default=0)
    mau = models.PositiveIntegerField(_("monthly active users"), default=0)
    sessions = models.PositiveIntegerField(_("sessions"), default=0)
    bounced_sessions = models.PositiveIntegerField(_("bounced sessions"), default=0)
    events = models.PositiveBigIntegerField(_("events"), default=0)
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        ordering = ["product", "day"]
        constraints = [models.UniqueConstraint(fields=["product", "day"], name="roadmap_usagedaily_unique")]

    def __str__(self) -> str:
        return f"{self.product_id} {self.day}: {self.dau} DAU"

    @property
    def bounce_rate(self) -> float | None:
        """Bounced sessions ÷ sessions, as a percentage; None on a day without sessions."""
        return self.bounced_sessions * 100 / self.sessions if self.sessions else None


class UsageFeatureDaily(models.Model):
    """Use of one feature key on one day: distinct users and events that day, and distinct
    users in the 7 days ending that day (`users_7d`, the numerator of weekly adoption; WAU of
    the same day is its denominator). A day appears while `users_7d` is above zero."""

    product = models.ForeignKey("strategy.Product", on_delete=models.CASCADE, related_name="usage_feature_days")
    day = models.DateField(_("day"))
    feature_key = models.CharField(_("feature key"), max_length=100)
    users = models.PositiveIntegerField(_("users"), default=0)
    users_7d = models.PositiveIntegerField(_("users in 7 days"), default=0)
    events = models.PositiveBigIntegerField(_("events"), default=0)
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        ordering = ["product", "day", "feature_key"]
        constraints = [models.UniqueConstraint(fields=["product", "day", "feature_key"],
                                               name="roadmap_usagefeaturedaily_unique")]

    def __str__(self) -> str:
        return f"{self.product_id} {self.day} {self.feature_key}: {self.users} users"


# --- key results bound to a metric -------------------------------------------------------


class Metric(models.TextChoices):
    """The metrics a key result can be bound to. Usage metrics come from roadmap's rollups of
    a product's usage events; delivery metrics from the snapshots `releases` stores."""

    DAU = "dau", _("Daily active users")
    WAU = "wau", _("Weekly active users")
    MAU = "mau", _("Monthly active users")
    SESSIONS = "sessions", _("Sessions per day")
    BOUNCE_RATE = "bounce_rate", _("Bounce rate (%)")
    FEATURE_ADOPTION = "feature_adoption", _("Feature adoption (% of weekly active users)")
    FEATURE_USERS = "feature_users", _("Feature users per day")
    RELEASE_PROGRESS = "release_progress", _("Release progress (% of features done)")
    THROUGHPUT = "throughput", _("Throughput (features done per week)")
    ON_TIME_PROBABILITY = "on_time_probability", _("Chance of making the release date (%)")


USAGE_METRICS = frozenset({Metric.DAU, Metric.WAU, Metric.MAU, Metric.SESSIONS, Metric.BOUNCE_RATE,
                           Metric.FEATURE_ADOPTION, Metric.FEATURE_USERS})
FEATURE_METRICS = frozenset({Metric.FEATURE_ADOPTION, Metric.FEATURE_USERS})
RELEASE_METRICS = frozenset({Metric.RELEASE_PROGRESS, Metric.ON_TIME_PROBABILITY})
SHORT_LABELS = {Metric.DAU: _("daily active users"), Metric.WAU: _("weekly active users"),
                Metric.MAU: _("monthly active users"), Metric.SESSIONS: _("sessions"),
                Metric.BOUNCE_RATE: _("bounce rate")}
METRIC_UNITS = {Metric.BOUNCE_RATE: "%", Metric.FEATURE_ADOPTION: "%", Metric.RELEASE_PROGRESS: "%",
                Metric.ON_TIME_PROBABILITY: "%"}


class KeyResultBinding(models.Model):
    """A key result that updates itself from a metric: a usage metric of a product (active
    users, sessions, bounce rate, a feature key's adoption or users) or a delivery metric (a
    release's progress or chance of making its date, a product's throughput). After each
    computation of its source the key result gets the new value as a check-in (one per day of
    the source's data, corrected in place when that day is recomputed). `value`, `as_of` and
    `computed_at` are the last value taken, the day it describes and when its source computed it."""

    workspace = models.ForeignKey("strategy.Workspace", on_delete=models.CASCADE, related_name="+")
    key_result = models.OneToOneField("strategy.KeyResult", on_delete=models.CASCADE, related_name="binding")
    metric = models.CharField(_("metric"), max_length=24, choices=Metric.choices)
    product = models.ForeignKey("strategy.Product", on_delete=models.CASCADE, related_name="+",
                                verbose_name=_("product"))
    release = models.ForeignKey("releases.Release", null=True, blank=True, on_delete=models.CASCADE,
                                related_name="+", verbose_name=_("release"))
    feature_key = models.CharField(_("feature key"), max_length=50, blank=True)
    created_by = models.ForeignKey("strategy.User", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("bound"), auto_now_add=True)
    value = models.DecimalField(_("last value"), max_digits=14, decimal_places=2, null=True, blank=True)
    as_of = models.DateField(_("data of"), null=True, blank=True)
    computed_at = models.DateTimeField(_("computed"), null=True, blank=True)
    check_in = models.ForeignKey("strategy.CheckIn", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")

    objects = WorkspaceScopedQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["product"], name="roadmap_krbinding_product")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(metric__in=sorted(RELEASE_METRICS)) | models.Q(release__isnull=False),
                name="roadmap_krbinding_release_metric_has_release"),
            models.CheckConstraint(
                condition=~models.Q(metric__in=sorted(FEATURE_METRICS)) | ~models.Q(feature_key=""),
                name="roadmap_krbinding_feature_metric_has_key"),
        ]

    def __str__(self) -> str:
        return f"{self.key_result_id} ← {self.metric}"

    @property
    def unit(self) -> str:
        return METRIC_UNITS.get(self.metric, "")

    @property
    def description(self) -> str:
        """The metric in a few words: "weekly active users of Mobile App", "adoption of
        csv-export in Mobile App", "chance Spring ships on time" (reads `product`, `release`)."""
        product = self.product.name
        match self.metric:
            case Metric.FEATURE_ADOPTION:
                return _("adoption of %(key)s in %(product)s") % {"key": self.feature_key, "product": product}
            case Metric.FEATURE_USERS:
                return _("daily users of %(key)s in %(product)s") % {"key": self.feature_key, "product": product}
            case Metric.RELEASE_PROGRESS:
                return _("progress of %(release)s") % {"release": self.release.name}
            case Metric.ON_TIME_PROBABILITY:
                return _("chance %(release)s ships on time") % {"release": self.release.name}
            case Metric.THROUGHPUT:
                return _("features done per week in %(product)s") % {"product": product}
        return _("%(metric)s of %(product)s") % {"metric": SHORT_LABELS[self.metric], "product": product}


# --- webhooks -----------------------------------------------------------------------------


class WebhookEvent(models.TextChoices):
    """What a webhook can be told about. A feature "moves" when its release or its workflow
    status changes (a board move, a reschedule into another release); any other edit is a
    change. A goal's status is computed from its key results and its dates, so it is watched
    rather than saved (see `roadmap.services.webhooks`)."""

    FEATURE_CREATED = "feature.created", _("Feature created")
    FEATURE_CHANGED = "feature.changed", _("Feature changed")
    FEATURE_MOVED = "feature.moved", _("Feature moved (release or status)")
    FEATURE_DELETED = "feature.deleted", _("Feature deleted")
    RELEASE_CREATED = "release.created", _("Release created")
    RELEASE_CHANGED = "release.changed", _("Release changed")
    RELEASE_DELETED = "release.deleted", _("Release deleted")
    GOAL_STATUS_CHANGED = "goal.status_changed", _("Goal status changed")
    IDEA_CREATED = "idea.created", _("Idea submitted")
    IDEA_STATUS_CHANGED = "idea.status_changed", _("Idea status changed")


class Webhook(models.Model):
    """An address outside Waymark told about changes in one workspace: each event it
    subscribes to is POSTed to `url` as JSON, signed with the webhook's `secret`
    (HMAC-SHA256 over the timestamp and the body), by the Celery worker."""

    workspace = models.ForeignKey("strategy.Workspace", on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(_("payload URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    events = ArrayField(models.CharField(max_length=40, choices=WebhookEvent.choices), verbose_name=_("events"))
    secret = models.CharField(_("signing secret"), max_length=80)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey("strategy.User", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = WorkspaceScopedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["workspace"], name="roadmap_webhook_workspace")]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event for one webhook: the JSON body sent (the same for every attempt, so a
    receiver can deduplicate by `Waymark-Delivery`), its state, and its attempts."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        RETRYING = "retrying", _("Retrying")
        SUCCEEDED = "succeeded", _("Delivered")
        FAILED = "failed", _("Failed")

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    uid = models.UUIDField(unique=True)
    event = models.CharField(_("event"), max_length=40)
    payload = models.JSONField(_("payload"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    attempt_count = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last response"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["webhook", "-created_at"], name="roadmap_whdelivery_webhook"),
            models.Index(fields=["state", "next_attempt_at"], name="roadmap_whdelivery_due",
                         condition=models.Q(state__in=["pending", "retrying"])),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.webhook_id} ({self.state})"


class WebhookAttempt(models.Model):
    """One POST of a delivery: when, the response code (none when the connection failed),
    how long it took, and the error or the start of the response body."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempts")
    attempted_at = models.DateTimeField(_("attempted"))
    status_code = models.PositiveSmallIntegerField(_("response"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    error = models.TextField(_("error"), blank=True)
    response_excerpt = models.TextField(_("response"), blank=True)
    redelivery = models.BooleanField(_("redelivered by hand"), default=False)

    class Meta:
        ordering = ["-attempted_at", "-id"]
        indexes = [models.Index(fields=["delivery", "-attempted_at"], name="roadmap_whattempt_delivery")]

    def __str__(self) -> str:
        return f"{self.delivery_id} at {self.attempted_at:%Y-%m-%d %H:%M:%S}: {self.status_code or self.error}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class WebhookGoalStatus(models.Model):
    """The status of a goal last told to webhooks, so that a recomputation can say when it
    changed (goal status is derived from key results and dates, never stored on the goal)."""

    goal = models.OneToOneField("strategy.Goal", on_delete=models.CASCADE, primary_key=True, related_name="+")
    status = models.CharField(max_length=20)
    checked_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.goal_id}: {self.status}"
