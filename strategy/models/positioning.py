"""A product's positioning: its vision, personas, competitors and how they compare."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..limits import LongTextField
from .records import StrategyRecord, colour_validator
from .tenancy import ExternalIdentity, Product, external_id_unique


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


class Persona(ExternalIdentity, StrategyRecord):
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
        constraints = [external_id_unique("strategy_persona_external_id_unique")]

    def __str__(self) -> str:
        return self.name

    @property
    def initials(self) -> str:
        return "".join(part[0] for part in self.name.split()[:2]).upper()


class Competitor(ExternalIdentity, StrategyRecord):
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
            external_id_unique("strategy_competitor_external_id_unique"),
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
