"""A product's goals: objectives with key results measured by check-ins, and the initiatives
that pursue them."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..limits import NOTE_MAX_LENGTH, BoundedDateField, LongTextField
from .records import StrategyRecord, colour_validator
from .tenancy import ExternalIdentity, Product, external_id_unique


class Goal(ExternalIdentity, StrategyRecord):
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
            external_id_unique("strategy_goal_external_id_unique"),
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


class Initiative(ExternalIdentity, StrategyRecord):
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
            external_id_unique("strategy_initiative_external_id_unique"),
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
