"""A product's strategy: the why behind the roadmap."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..limits import NOTE_MAX_LENGTH, BoundedDateField, LongTextField
from .tenancy import Product, TimeStampedModel, Workspace, WorkspaceScopedQuerySet

colour_validator = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Use a hex colour such as #4f46e5."))


class StrategyRecord(TimeStampedModel):
    """What every strategy record has: its workspace, who created it, and a change history."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("created by"),
    )
    # Bumped on every save; an edit made from an older version is refused (services).
    version = models.PositiveIntegerField(default=1)

    objects = WorkspaceScopedQuerySet.as_manager()

    class Meta:
        abstract = True


class Vision(StrategyRecord):
    """Where a product is going and why customers will choose it. One per product;
    every saved edit is kept as a version that can be viewed and restored."""

    product = models.OneToOneField(Product, on_delete=models.CASCADE, related_name="vision")
    statement = LongTextField(_("vision statement"), blank=True)
    target_market = LongTextField(_("target market"), blank=True)
    customer_needs = LongTextField(_("customer needs"), blank=True)
    value_proposition = LongTextField(_("value proposition"), blank=True)
    differentiators = LongTextField(_("key differentiators"), blank=True)
    business_model = LongTextField(_("business model notes"), blank=True)

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    CONTENT_FIELDS = (
        "statement", "target_market", "customer_needs", "value_proposition", "differentiators", "business_model",
    )

    def __str__(self) -> str:
        return f"Vision of {self.product.name}"

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, name).strip() for name in self.CONTENT_FIELDS)


class Persona(StrategyRecord):
    """A portrait of a kind of user or buyer the product serves. A persona of a product
    line is shared by every product in that line."""

    class Importance(models.TextChoices):
        PRIMARY = "primary", _("Primary")
        SECONDARY = "secondary", _("Secondary")

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="personas")
    name = models.CharField(_("name"), max_length=100)
    role = models.CharField(_("role or title"), max_length=120, blank=True)
    description = LongTextField(_("description"), blank=True)
    goals = LongTextField(_("goals"), blank=True)
    pains = LongTextField(_("pains"), blank=True)
    quote = models.CharField(_("quote"), max_length=300, blank=True)
    colour = models.CharField(_("colour"), max_length=7, default="#6366f1", validators=[colour_validator])
    importance = models.CharField(
        _("importance"), max_length=10, choices=Importance.choices, default=Importance.PRIMARY
    )

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        ordering = ["importance", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def initials(self) -> str:
        return "".join(part[0] for part in self.name.split()[:2]).upper()


class Competitor(StrategyRecord):
    """Another company's offering that the product's customers could choose instead."""

    class Threat(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="competitors")
    name = models.CharField(_("name"), max_length=120)
    website = models.URLField(_("website"), blank=True)
    positioning = LongTextField(_("positioning"), blank=True)
    strengths = LongTextField(_("strengths"), blank=True)
    weaknesses = LongTextField(_("weaknesses"), blank=True)
    pricing_notes = LongTextField(_("pricing notes"), blank=True)
    threat = models.CharField(_("threat level"), max_length=10, choices=Threat.choices, default=Threat.MEDIUM)

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["product", "name"], name="strategy_competitor_name_unique_per_product"),
        ]

    def __str__(self) -> str:
        return self.name


class ComparisonCriterion(StrategyRecord):
    """A row of the competitor comparison: something customers weigh when choosing."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="comparison_criteria")
    name = models.CharField(_("criterion"), max_length=120)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["product", "name"], name="strategy_criterion_name_unique_per_product"),
        ]

    def __str__(self) -> str:
        return self.name


class CompetitorRating(StrategyRecord):
    """How well one competitor (or, with no competitor, the product itself) does on one criterion."""

    criterion = models.ForeignKey(ComparisonCriterion, on_delete=models.CASCADE, related_name="ratings")
    competitor = models.ForeignKey(
        Competitor, null=True, blank=True, on_delete=models.CASCADE, related_name="ratings"
    )
    score = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(0), MaxValueValidator(5)],
        help_text=_("0 (absent) to 5 (best in class)."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["criterion", "competitor"], nulls_distinct=False,
                name="strategy_rating_one_per_cell",
            ),
            models.CheckConstraint(condition=models.Q(score__lte=5), name="strategy_rating_score_at_most_5"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.score}"


class Goal(StrategyRecord):
    """A measurable outcome the organisation wants within a time frame, for the whole
    workspace (no product) or for one product. Progress comes from its key results."""

    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.CASCADE, related_name="goals",
        verbose_name=_("product"), help_text=_("Leave empty for a company-wide goal."),
    )
    name = models.CharField(_("goal"), max_length=200)
    description = LongTextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_goals",
        verbose_name=_("owner"),
    )
    start_date = BoundedDateField(_("starts"))
    end_date = BoundedDateField(_("ends"))

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        ordering = ["end_date", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")), name="strategy_goal_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date must be on or after the start date.")})


class KeyResult(StrategyRecord):
    """A number that shows whether a goal is being reached: from a start value towards a
    target, up or down, with check-ins recording the current value over time."""

    class Direction(models.TextChoices):
        UP = "up", _("Increase to")
        DOWN = "down", _("Decrease to")

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="key_results")
    name = models.CharField(_("metric"), max_length=200)
    unit = models.CharField(_("unit"), max_length=20, blank=True, help_text=_("For example %, €, users, ms."))
    direction = models.CharField(_("direction"), max_length=4, choices=Direction.choices, default=Direction.UP)
    start_value = models.DecimalField(_("start value"), max_digits=14, decimal_places=2)
    target_value = models.DecimalField(_("target value"), max_digits=14, decimal_places=2)
    current_value = models.DecimalField(_("current value"), max_digits=14, decimal_places=2)
    position = models.PositiveIntegerField(default=0)

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(target_value=models.F("start_value")),
                name="strategy_key_result_target_differs_from_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.start_value is None or self.target_value is None:
            return
        if self.target_value == self.start_value:
            raise ValidationError({"target_value": _("The target must differ from the start value.")})
        rising = self.target_value > self.start_value
        if rising != (self.direction == self.Direction.UP):
            raise ValidationError({"direction": _(
                "An increase needs a target above the start value; a decrease, one below it.")})


class CheckIn(models.Model):
    """A recorded value of a key result at a moment, with who recorded it and why."""

    key_result = models.ForeignKey(KeyResult, on_delete=models.CASCADE, related_name="check_ins")
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    note = LongTextField(_("note"), blank=True, max_length=NOTE_MAX_LENGTH)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("checked in"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["key_result", "created_at"], name="strategy_checkin_kr_time")]

    def __str__(self) -> str:
        return f"{self.key_result}: {self.value}"


class Initiative(StrategyRecord):
    """A strategic theme of work (for example "Self-serve onboarding") that serves goals
    and groups the features that deliver it."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACTIVE = "active", _("Active")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="initiatives")
    name = models.CharField(_("name"), max_length=150)
    description = LongTextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    start_date = BoundedDateField(_("starts"), null=True, blank=True)
    end_date = BoundedDateField(_("ends"), null=True, blank=True)
    colour = models.CharField(_("colour"), max_length=7, default="#0ea5e9", validators=[colour_validator])
    goals = models.ManyToManyField(Goal, blank=True, related_name="initiatives", verbose_name=_("goals served"))

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"], m2m_fields=[goals])

    class Meta:
        ordering = ["start_date", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(start_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="strategy_initiative_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date must be on or after the start date.")})
