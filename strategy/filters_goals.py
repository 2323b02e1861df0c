"""The goal FilterSet shared by the goal pages (and, later, the API).

Status is computed from key results and dates (strategy.metrics), not stored, so the
`status` filter only validates the choice here; callers keep the goals whose computed
health has that status, after computing it."""

from __future__ import annotations

from datetime import date

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .metrics import STATUS_LABELS
from .models import Goal

CURRENT = "current"
UPCOMING = "upcoming"
PAST = "past"
ALL = "all"

TIMEFRAME_CHOICES = [
    (CURRENT, _("Current")),
    (UPCOMING, _("Upcoming")),
    (PAST, _("Past")),
    (ALL, _("All time frames")),
]
COMPANY = "company"  # the `product` value meaning company-wide goals


class GoalFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=list(STATUS_LABELS.items()), method="filter_status", label=_("Status"),
        empty_label=_("Any status"),
    )
    product = django_filters.CharFilter(
        method="filter_product", label=_("Product"),
        help_text=_("A product key, or “company” for company-wide goals."),
    )
    timeframe = django_filters.ChoiceFilter(
        choices=TIMEFRAME_CHOICES, method="filter_timeframe", label=_("Time frame"),
        empty_label=_("Current & upcoming"),
    )
    owner = django_filters.NumberFilter(field_name="owner_id", label=_("Owner (user id)"))

    class Meta:
        model = Goal
        fields = ["status", "product", "timeframe", "owner"]

    def __init__(self, *args, today: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()

    def filter_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset  # computed; see `keep_status`

    def filter_product(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        if value.lower() == COMPANY:
            return queryset.filter(product__isnull=True)
        return queryset.filter(product__key=value.upper())

    def filter_timeframe(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        today = self.today
        if value == CURRENT:
            return queryset.filter(start_date__lte=today, end_date__gte=today)
        if value == UPCOMING:
            return queryset.filter(start_date__gt=today)
        if value == PAST:
            return queryset.filter(end_date__lt=today)
        return queryset

    @property
    def qs(self) -> QuerySet:
        if not hasattr(self, "_goal_qs"):
            queryset = super().qs
            # By default: what is running now or coming, not what has ended.
            if not self._cleaned("timeframe"):
                queryset = queryset.filter(end_date__gte=self.today)
            self._goal_qs = queryset
        return self._goal_qs

    def _cleaned(self, name: str):
        if not self.is_bound:
            return None
        self.form.is_valid()
        return getattr(self.form, "cleaned_data", {}).get(name)

    @property
    def wanted_status(self) -> str:
        """The status asked for, or ""."""
        return self._cleaned("status") or ""

    def keep_status(self, goal_views: list) -> list:
        """Narrow computed goal views (with `.health`) to the status asked for."""
        wanted = self.wanted_status
        return [view for view in goal_views if view.health.status == wanted] if wanted else goal_views
