"""Delivery: workflow statuses, releases with milestones, and features with their
requirements, dependencies and comments."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Coalesce, JSONObject, Lower
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from strategy.limits import (
    COMMENT_MAX_LENGTH,
    LAUNCH_TEAM_MAX_LENGTH,
    LAUNCH_TEAMS_MAX_COUNT,
    OFFSET_DAYS_LIMIT,
    TAG_MAX_LENGTH,
    TAGS_MAX_COUNT,
    BoundedDateField,
    LongTextField,
)
from strategy.models import (
    ExternalIdentity,
    Product,
    TimeStampedModel,
    Workspace,
    WorkspaceScopedQuerySet,
    colour_validator,
    external_id_unique,
)

# The text-search configuration of stored search vectors (the workspace search reads it too).
SEARCH_CONFIG = "english"


class StatusCategory(models.TextChoices):
    """What a status means for progress; every status belongs to one."""

    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    WONT_DO = "wont_do", _("Won't do")


CLOSED_CATEGORIES = (StatusCategory.DONE, StatusCategory.WONT_DO)


class WorkflowStatus(TimeStampedModel):
    """A step of the workspace's feature workflow (Backlog, In development, Shipped…).
    Retired statuses keep their features but are no longer offered."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="workflow_statuses")
    name = models.CharField(_("name"), max_length=40)
    category = models.CharField(_("category"), max_length=12, choices=StatusCategory.choices)
    position = models.PositiveIntegerField(_("position"), default=0)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)

    objects = WorkspaceScopedQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]
        verbose_name_plural = _("workflow statuses")
        constraints = [
            models.UniqueConstraint(
                Lower("name"), "workspace", condition=models.Q(retired_at__isnull=True),
                name="releases_status_name_unique_in_workspace",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_closed(self) -> bool:
        return self.category in CLOSED_CATEGORIES


class ReleaseQuerySet(WorkspaceScopedQuerySet):
    def with_progress(self) -> ReleaseQuerySet:
        """Feature counts and estimates, all and done (won't-do features left out), and the
        milestones in date order: what every list of releases draws."""
        counted = ~models.Q(features__status__category=StatusCategory.WONT_DO)
        done = models.Q(features__status__category=StatusCategory.DONE)
        return self.annotate(
            feature_count=models.Count("features", filter=counted),
            done_count=models.Count("features", filter=done),
            planned_estimate=Coalesce(models.Sum("features__estimate", filter=counted), Decimal(0)),
            done_estimate=Coalesce(models.Sum("features__estimate", filter=done), Decimal(0)),
        ).prefetch_related(models.Prefetch("milestones", queryset=Milestone.objects.order_by("date", "id"))
                           ).with_late_phases()

    def with_late_phases(self) -> ReleaseQuerySet:
        """`late_phases`: the release's phases that end after its release date, as a list of
        {"name", "end"} (ISO date), for the conflict rules; a subquery, no query of its own."""
        late = (ReleasePhase.objects.filter(release=models.OuterRef("pk"), end_date__gt=models.OuterRef("release_date"))
                .order_by("end_date", "id")
                .values(json=JSONObject(name="phase_type__name", end="end_date")))
        return self.annotate(late_phases=ArraySubquery(late))


class Release(ExternalIdentity, TimeStampedModel):
    """A dated delivery of a product: what ships together, between a start and a release date."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        RELEASED = "released", _("Released")
        CANCELLED = "cancelled", _("Cancelled")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="releases")
    name = models.CharField(_("name"), max_length=120)
    version_label = models.CharField(_("version"), max_length=30, blank=True, help_text=_("For example 2.4."))
    theme = LongTextField(_("theme"), blank=True)
    start_date = BoundedDateField(_("starts"))
    release_date = BoundedDateField(_("release date"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PLANNED)
    capacity = models.DecimalField(
        _("capacity"), max_digits=8, decimal_places=1, null=True, blank=True,
        validators=[MinValueValidator(0)], help_text=_("How many estimate points the team can deliver."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Words of the name and version (weight A) and theme (B), kept by PostgreSQL for the workspace search.
    search = models.GeneratedField(
        expression=SearchVector("name", weight="A", config=SEARCH_CONFIG)
        + SearchVector("version_label", weight="A", config=SEARCH_CONFIG)
        + SearchVector("theme", weight="B", config=SEARCH_CONFIG),
        output_field=SearchVectorField(), db_persist=True,
    )
    version = models.PositiveIntegerField(default=1)

    objects = ReleaseQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at", "search"])

    class Meta:
        ordering = ["release_date", "name"]
        indexes = [GinIndex(fields=["search"], name="releases_release_search")]
        constraints = [
            external_id_unique("releases_release_external_id_unique"),
            models.CheckConstraint(
                condition=models.Q(release_date__gte=models.F("start_date")),
                name="releases_release_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(capacity__isnull=True) | models.Q(capacity__gte=0),
                name="releases_release_capacity_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.version_label}".strip()

    def clean(self) -> None:
        if self.start_date and self.release_date and self.release_date < self.start_date:
            raise ValidationError({"release_date": _("The release date must be on or after the start date.")})


class Milestone(TimeStampedModel):
    """A dated checkpoint inside a release (beta, code freeze, launch event)."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="milestones")
    name = models.CharField(_("name"), max_length=120)
    date = BoundedDateField(_("date"))
    description = LongTextField(_("description"), blank=True)

    class Meta:
        ordering = ["date", "id"]

    def __str__(self) -> str:
        return self.name


USAGE_KEY_MAX_LENGTH = 50
usage_key_validator = RegexValidator(
    r"^[a-z0-9]+(?:[-_.][a-z0-9]+)*\Z",
    _("Use lower-case letters and digits, joined by single hyphens, dots or underscores (e.g. csv-export)."),
    code="invalid_usage_key",
)


class Feature(ExternalIdentity, TimeStampedModel):
    """The unit of planned work: something users will get, with an estimate, a status in the
    workflow, optionally a release and an initiative, and the goals it serves."""

    IMPACT_CHOICES = [(0.25, _("Minimal (0.25)")), (0.5, _("Low (0.5)")), (1, _("Medium (1)")),
                      (2, _("High (2)")), (3, _("Massive (3)"))]

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="features")
    number = models.PositiveIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)
    description = LongTextField(_("description"), blank=True)
    status = models.ForeignKey(WorkflowStatus, on_delete=models.PROTECT, related_name="features",
                               verbose_name=_("status"))
    release = models.ForeignKey(Release, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="features", verbose_name=_("release"))
    initiative = models.ForeignKey("strategy.Initiative", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="features", verbose_name=_("initiative"))
    goals = models.ManyToManyField("strategy.Goal", blank=True, related_name="features",
                                   verbose_name=_("goals served"))
    estimate = models.DecimalField(_("estimate"), max_digits=6, decimal_places=1, null=True, blank=True,
                                   validators=[MinValueValidator(0)], help_text=_("In points."))
    start_date = BoundedDateField(_("starts"), null=True, blank=True,
                                  help_text=_("Leave empty to follow the release."))
    end_date = BoundedDateField(_("ends"), null=True, blank=True,
                                help_text=_("Leave empty to follow the release."))
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="assigned_features", verbose_name=_("assignee"))
    tags = ArrayField(models.CharField(max_length=TAG_MAX_LENGTH), size=TAGS_MAX_COUNT, blank=True, default=list,
                      verbose_name=_("tags"))
    reach = models.PositiveIntegerField(_("reach"), null=True, blank=True,
                                        help_text=_("People or events per quarter."))
    impact = models.DecimalField(_("impact"), max_digits=4, decimal_places=2, null=True, blank=True,
                                 choices=IMPACT_CHOICES)
    confidence = models.PositiveSmallIntegerField(
        _("confidence"), null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("0–100 %."),
    )
    effort = models.DecimalField(_("effort"), max_digits=6, decimal_places=1, null=True, blank=True,
                                 validators=[MinValueValidator(0.1)], help_text=_("Person-months."))
    rice_score = models.DecimalField(_("RICE score"), max_digits=14, decimal_places=1, null=True, blank=True)
    # Fractional rank: moving a feature rewrites only its own rank (see releases/ranking.py).
    rank = models.CharField(max_length=80, db_collation="C")
    # The "feature key" usage events carry (roadmap's usage rollups count events per key and
    # show adoption on the feature page); empty when the feature has none.
    usage_key = models.CharField(
        _("usage key"), max_length=USAGE_KEY_MAX_LENGTH, blank=True, default="", validators=[usage_key_validator],
        help_text=_("The feature key your product sends with usage events, e.g. csv-export. Unique per product."),
    )
    # Owned by a higher app (feedback's weighted demand from ideas and votes), stored here so
    # the backlog can sort by it; written only by `services.feature_demand_set`.
    demand = models.DecimalField(_("demand"), max_digits=12, decimal_places=2, default=0, editable=False)
    # What customers read in the release notes, and whether the feature appears there.
    customer_description = LongTextField(
        _("customer-facing description"), blank=True,
        help_text=_("What customers read about this feature in the release notes. Markdown is supported."))
    in_release_notes = models.BooleanField(_("in release notes"), default=False)
    # Words of the title (weight A) and description (B), kept by PostgreSQL for the workspace search.
    search = models.GeneratedField(
        expression=SearchVector("title", weight="A", config=SEARCH_CONFIG)
        + SearchVector("description", weight="B", config=SEARCH_CONFIG),
        output_field=SearchVectorField(), db_persist=True,
    )
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    objects = WorkspaceScopedQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at", "rank", "demand", "search"],
                                m2m_fields=[goals])

    class Meta:
        ordering = ["rank", "id"]
        constraints = [
            external_id_unique("releases_feature_external_id_unique"),
            models.UniqueConstraint(fields=["product", "number"], name="releases_feature_number_unique_per_product"),
            models.UniqueConstraint(fields=["product", "usage_key"], condition=~models.Q(usage_key=""),
                                    name="releases_feature_usage_key_unique_per_product"),
            models.CheckConstraint(condition=models.Q(estimate__isnull=True) | models.Q(estimate__gte=0),
                                   name="releases_feature_estimate_not_negative"),
            models.CheckConstraint(
                condition=models.Q(confidence__isnull=True) | models.Q(confidence__lte=100),
                name="releases_feature_confidence_at_most_100",
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(start_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="releases_feature_ends_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["product", "rank"], name="releases_feature_product_rank"),
            # The board's columns: each status's cards in rank order, counted and summed from the
            # index alone (its window functions then sort nothing: 3,200 features, 4 to 2 ms); the
            # backlog's totals (count, points, top score and demand) and the plan cache's
            # fingerprint (count, latest change) too (1.4 to 0.1 ms and 1 to 0.3 ms).
            models.Index(fields=["product", "status", "rank", "id"],
                         include=["estimate", "workspace", "rice_score", "demand", "updated_at"],
                         name="releases_feature_board_order"),
            # The backlog sorted by demand, highest first.
            models.Index(fields=["product", "-demand"], name="releases_feature_demand"),
            GinIndex(fields=["tags"], name="releases_feature_tags"),
            GinIndex(fields=["search"], name="releases_feature_search"),
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.title}"

    @property
    def key(self) -> str:
        return f"{self.product.key}-{self.number}"

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date must be on or after the start date.")})

    @property
    def effective_start(self) -> date | None:
        """The feature's own start, or its release's when it has none."""
        if self.start_date:
            return self.start_date
        return self.release.start_date if self.release_id and self.release else None

    @property
    def effective_end(self) -> date | None:
        if self.end_date:
            return self.end_date
        return self.release.release_date if self.release_id and self.release else None


class Requirement(TimeStampedModel):
    """A checklist item of a feature: a piece of it that can be ticked off."""

    feature = models.ForeignKey(Feature, on_delete=models.CASCADE, related_name="requirements")
    text = models.CharField(_("requirement"), max_length=300)
    done = models.BooleanField(_("done"), default=False)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text


class Dependency(TimeStampedModel):
    """`feature` cannot finish before `depends_on` does."""

    feature = models.ForeignKey(Feature, on_delete=models.CASCADE, related_name="dependencies")
    depends_on = models.ForeignKey(Feature, on_delete=models.CASCADE, related_name="dependents")

    class Meta:
        verbose_name_plural = _("dependencies")
        constraints = [
            models.UniqueConstraint(fields=["feature", "depends_on"], name="releases_dependency_unique"),
            models.CheckConstraint(condition=~models.Q(feature=models.F("depends_on")),
                                   name="releases_dependency_not_on_itself"),
        ]

    def __str__(self) -> str:
        return f"{self.feature_id} → {self.depends_on_id}"


class Comment(models.Model):
    """A remark on a feature; @mentions of workspace members notify them by email."""

    feature = models.ForeignKey(Feature, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body = LongTextField(_("comment"), max_length=COMMENT_MAX_LENGTH)
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+", through="Mention")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.body[:40]


class Mention(models.Model):
    """A member named in a comment. `emailed_at` records that they were told, so an email
    that could not be queued (broker down) goes out with the next sweep, and never twice."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="mention_rows")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # The table Django made for the plain many-to-many field this model replaced.
        db_table = "releases_comment_mentions"
        unique_together = [("comment", "user")]
        indexes = [models.Index(fields=["comment"], condition=models.Q(emailed_at__isnull=True),
                                name="releases_mention_unsent")]

    def __str__(self) -> str:
        return f"{self.user_id} in comment {self.comment_id}"


class DeliverySnapshot(models.Model):
    """What the two delivery snapshots share: the day it stands for (in the installation's
    time zone) and when it was computed. A recomputation the same day replaces the row, so
    the rows are a history of one snapshot per day."""

    day = models.DateField(_("day"))
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        abstract = True


class ReleaseDeliverySnapshot(DeliverySnapshot):
    """A release's delivery figures on one day: progress by count and estimate, scope added
    and removed since the release started, and the Monte Carlo forecast of when its remaining
    features are done (see releases/metrics.py for each definition). `data` holds the series:
    `burn_up` ([day, done, scope] per day) and `forecast` (percentile weeks, history used)."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="delivery_snapshots")
    feature_count = models.PositiveIntegerField(default=0)
    done_count = models.PositiveIntegerField(default=0)
    estimate_total = models.DecimalField(max_digits=10, decimal_places=1, default=0)
    estimate_done = models.DecimalField(max_digits=10, decimal_places=1, default=0)
    scope_added_count = models.PositiveIntegerField(default=0)
    scope_removed_count = models.PositiveIntegerField(default=0)
    scope_added_estimate = models.DecimalField(max_digits=10, decimal_places=1, default=0)
    scope_removed_estimate = models.DecimalField(max_digits=10, decimal_places=1, default=0)
    remaining_count = models.PositiveIntegerField(default=0)
    forecast_status = models.CharField(max_length=12, default="no_history")
    forecast_p50 = models.DateField(null=True, blank=True)
    forecast_p85 = models.DateField(null=True, blank=True)
    forecast_p95 = models.DateField(null=True, blank=True)
    on_time_probability = models.FloatField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["release", "day"], name="releases_release_snapshot_per_day")]

    def __str__(self) -> str:
        return f"{self.release_id} on {self.day}"


class ProductDeliverySnapshot(DeliverySnapshot):
    """A product's delivery figures on one day: weekly throughput, cycle time p50/p85 and how
    much history the forecasts had. `data` holds `throughput` ([week start, count] per ISO
    week, oldest first) and `cycle_times` ([key, title, done day, days] per done feature)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="delivery_snapshots")
    done_in_window = models.PositiveIntegerField(default=0)
    throughput_mean = models.DecimalField(max_digits=8, decimal_places=2, default=0)
    history_weeks = models.PositiveSmallIntegerField(default=0)
    cycle_count = models.PositiveIntegerField(default=0)
    cycle_p50 = models.DecimalField(max_digits=8, decimal_places=1, null=True, blank=True)
    cycle_p85 = models.DecimalField(max_digits=8, decimal_places=1, null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["product", "day"], name="releases_product_snapshot_per_day")]

    def __str__(self) -> str:
        return f"{self.product_id} on {self.day}"


# --- go to market: phases, launch checklists, messaging, release notes ------------------

DEFAULT_PHASE_TYPES = [("Plan", "#64748b"), ("Build", "#2563eb"), ("Beta", "#7c3aed"), ("Launch", "#15803d")]
DEFAULT_LAUNCH_TEAMS = ["Marketing", "Sales", "Support", "Docs"]


def default_launch_teams() -> list[str]:
    return list(DEFAULT_LAUNCH_TEAMS)


class PhaseType(TimeStampedModel):
    """A kind of phase a release goes through (Plan, Build, Beta, Launch…), named and
    coloured per workspace, in the workspace's order. Admins edit them."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="phase_types")
    name = models.CharField(_("name"), max_length=40)
    colour = models.CharField(_("colour"), max_length=7, default="#2563eb", validators=[colour_validator])
    position = models.PositiveIntegerField(_("position"), default=0)

    objects = WorkspaceScopedQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(Lower("name"), "workspace", name="releases_phase_type_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class ReleasePhase(TimeStampedModel):
    """A dated stretch of a release of one phase type (its beta, from 3 to 20 May). A phase
    that ends after its release's release date is a conflict."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="phases")
    phase_type = models.ForeignKey(PhaseType, on_delete=models.PROTECT, related_name="phases",
                                   verbose_name=_("phase"))
    start_date = BoundedDateField(_("starts"))
    end_date = BoundedDateField(_("ends"))

    class Meta:
        ordering = ["start_date", "end_date", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end_date__gte=models.F("start_date")),
                                   name="releases_phase_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.phase_type_id} {self.start_date}–{self.end_date}"

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("A phase must end on or after the day it starts.")})


class LaunchSettings(models.Model):
    """A workspace's launch settings: the teams to-dos belong to, and whether viewers may
    tick off the to-dos assigned to them. A workspace without a row uses the defaults."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="launch_settings")
    teams = ArrayField(models.CharField(max_length=LAUNCH_TEAM_MAX_LENGTH), size=LAUNCH_TEAMS_MAX_COUNT,
                       default=default_launch_teams, verbose_name=_("teams"))
    viewers_tick_own = models.BooleanField(
        _("viewers may tick off their own to-dos"), default=True,
        help_text=_("Viewers (sales, support) assigned a launch to-do may mark it done or not done."))

    def __str__(self) -> str:
        return f"launch settings of {self.workspace_id}"


class LaunchTemplate(TimeStampedModel):
    """A named list of launch to-dos, each due some days before or after the release date,
    applied to a release in one step."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="launch_templates")
    name = models.CharField(_("name"), max_length=120)
    description = models.CharField(_("description"), max_length=300, blank=True)

    objects = WorkspaceScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(Lower("name"), "workspace", name="releases_launch_template_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class LaunchTemplateItem(models.Model):
    """One to-do of a launch template, due `offset_days` from the release date (negative:
    before it)."""

    template = models.ForeignKey(LaunchTemplate, on_delete=models.CASCADE, related_name="items")
    title = models.CharField(_("title"), max_length=200)
    team = models.CharField(_("team"), max_length=LAUNCH_TEAM_MAX_LENGTH, blank=True)
    offset_days = models.IntegerField(
        _("days from launch"), default=0,
        validators=[MinValueValidator(-OFFSET_DAYS_LIMIT), MaxValueValidator(OFFSET_DAYS_LIMIT)],
        help_text=_("Negative: before the release date; 0: on it; positive: after it."))
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["offset_days", "position", "id"]

    def __str__(self) -> str:
        return self.title


class LaunchTodo(TimeStampedModel):
    """Something a team does to launch a release (brief sales, update the docs), with a due
    date that is either fixed or relative to the release date (`offset_days`; it then moves
    when the release moves). Closed when its release is cancelled."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        CLOSED = "closed", _("Closed with the release")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="todos")
    title = models.CharField(_("title"), max_length=200)
    team = models.CharField(_("team"), max_length=LAUNCH_TEAM_MAX_LENGTH, blank=True)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="launch_todos", verbose_name=_("assignee"))
    due_date = BoundedDateField(_("due"), null=True, blank=True)
    offset_days = models.IntegerField(
        _("days from launch"), null=True, blank=True,
        validators=[MinValueValidator(-OFFSET_DAYS_LIMIT), MaxValueValidator(OFFSET_DAYS_LIMIT)])
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.OPEN)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    template_item = models.ForeignKey(LaunchTemplateItem, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+")

    objects = WorkspaceScopedQuerySet.as_manager()

    class Meta:
        ordering = [models.F("due_date").asc(nulls_last=True), "id"]
        constraints = [
            models.UniqueConstraint(fields=["release", "template_item"],
                                    condition=models.Q(template_item__isnull=False),
                                    name="releases_todo_once_per_template_item"),
        ]
        indexes = [
            models.Index(fields=["assignee", "state", "due_date"], name="releases_todo_assignee"),
            models.Index(fields=["release", "state"], name="releases_todo_release"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_done(self) -> bool:
        return self.state == self.State.DONE


class ReleaseMessaging(TimeStampedModel):
    """How a release is told to customers: its key messages, the personas it targets and the
    competitors it answers."""

    release = models.OneToOneField(Release, on_delete=models.CASCADE, related_name="messaging")
    key_messages = LongTextField(_("key messages"), blank=True)
    personas = models.ManyToManyField("strategy.Persona", blank=True, related_name="+",
                                      verbose_name=_("target personas"))
    competitors = models.ManyToManyField("strategy.Competitor", blank=True, related_name="+",
                                         verbose_name=_("competitors answered"))

    def __str__(self) -> str:
        return f"messaging of {self.release_id}"


class ReleaseNote(TimeStampedModel):
    """A release's customer-facing notes in Markdown, drafted from its shipped features and
    published once to the product's public changelog."""

    release = models.OneToOneField(Release, on_delete=models.CASCADE, related_name="note")
    body = LongTextField(_("release notes"), blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")

    class Meta:
        indexes = [models.Index(fields=["published_at"], condition=models.Q(published_at__isnull=False),
                                name="releases_note_published")]

    def __str__(self) -> str:
        return f"notes of {self.release_id}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class Import(TimeStampedModel):
    """A file someone uploaded on a product's import page: the rows read from it, the plan its
    preview showed, and, once confirmed, what was written and what undoing it needs (the ids
    created, and the previous values of what was updated). Written only by
    `releases.services.imports`."""

    class Format(models.TextChoices):
        GENERIC = "generic", _("Waymark CSV")
        JIRA = "jira", _("Jira CSV")
        AHA = "aha", _("Aha! CSV")
        JSON = "json", _("JSON")

    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("Previewed")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        UNDOING = "undoing", _("Undoing")
        UNDONE = "undone", _("Undone")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="imports")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    undone_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    file_name = models.CharField(_("file"), max_length=255)
    format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PREVIEWED)
    # The rows as read from the file: [{"row": 2, "fields": {...}, "columns": {...}}]; the write
    # plans again from them, so what changed since the preview is taken into account; emptied once written.
    rows = models.JSONField(default=list)
    plan = models.JSONField(default=dict)  # what the preview showed (rows by outcome, releases, counts)
    result = models.JSONField(default=dict)  # what the write did: counts and refused rows
    undo = models.JSONField(default=dict)  # ids created and previous values of updated records
    total = models.PositiveIntegerField(_("rows to write"), default=0)
    written = models.PositiveIntegerField(_("rows written"), default=0)
    error = models.TextField(_("error"), blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    undone_at = models.DateTimeField(_("undone"), null=True, blank=True)

    objects = WorkspaceScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["product", "-created_at"], name="releases_import_product_recent")]

    def __str__(self) -> str:
        return self.file_name


class FeatureFollow(models.Model):
    """A person following a feature: they hear of its status changes. The creator, the
    assignee and commenters follow automatically; `is_following=False` remembers that someone
    unfollowed by hand, so that commenting or being assigned again does not re-add them."""

    feature = models.ForeignKey(Feature, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    is_following = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["feature", "user"], name="releases_featurefollow_once")]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.feature_id}"


class NotificationKind(models.TextChoices):
    MENTION = "mention", _("Mentioned in a comment")
    ASSIGNED = "assigned", _("Assigned to a feature")
    STATUS = "status", _("Status change on a feature I follow")
    COMMENT = "comment", _("Comment on a feature I own")


class NotificationQuerySet(WorkspaceScopedQuerySet):
    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """Something that happened to a feature that one person should hear of, in their inbox
    (and by email, as they chose). One row per recipient; `detail` holds what the inbox says
    beside the feature ("Planned → Shipped", the comment's first words) as it was then."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=20, choices=NotificationKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    feature = models.ForeignKey(Feature, on_delete=models.CASCADE, related_name="+")
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=False)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    digested_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "workspace", "-created_at"], name="releases_notification_inbox"),
            models.Index(fields=["recipient", "workspace"], condition=models.Q(read_at__isnull=True),
                         name="releases_notification_unread"),
            models.Index(fields=["recipient"], condition=models.Q(read_at__isnull=True, digested_at__isnull=True),
                         name="releases_notification_digest"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id} on {self.feature_id}"


class EmailChoice(models.TextChoices):
    IMMEDIATE = "immediate", _("Right away")
    DAILY = "daily", _("Daily digest")
    OFF = "off", _("Off")


class NotificationSettings(models.Model):
    """How a person wants to hear of each kind of notification by email (the inbox always
    shows them all), and when their last daily digest went out."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="notification_settings")
    mention = models.CharField(_("mentions"), max_length=10, choices=EmailChoice.choices,
                               default=EmailChoice.IMMEDIATE)
    assigned = models.CharField(_("assignments"), max_length=10, choices=EmailChoice.choices,
                                default=EmailChoice.IMMEDIATE)
    status = models.CharField(_("status changes"), max_length=10, choices=EmailChoice.choices,
                              default=EmailChoice.DAILY)
    comment = models.CharField(_("comments"), max_length=10, choices=EmailChoice.choices,
                               default=EmailChoice.DAILY)
    last_digest_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"notification settings of {self.user_id}"

    def choice_for(self, kind: str) -> str:
        return getattr(self, kind)
