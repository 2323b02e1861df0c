"""FilterSets shared by pages and the API: products; personas, competitors and comparison
criteria; goals, key results and initiatives.

Related records are filtered by id with number filters, never with model-choice
filters: those would answer "not a valid choice" for an id that does not exist but
an empty list for another workspace's id, and so reveal which ids exist.

The goal FilterSet's `product` takes a product id, a product key (keys start with a letter,
so the two never meet) or "company" for company-wide goals. The pages hide goals that have ended unless a
time frame is chosen; they ask for that with `hide_ended=True`, so the API still lists
every goal by default.

Status is computed from key results and dates (strategy.metrics), not stored, so the
`status` filter only validates the choice here; callers narrow the goals with their
computed health (`selectors.goals_with_health`) through `keep_status`."""

from __future__ import annotations

from datetime import date

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .metrics import STATUS_LABELS
from .models import ComparisonCriterion, Competitor, Goal, Initiative, KeyResult, Persona, Product, SavedView


class ProductFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_search", label=_("Search"))
    workspace = django_filters.CharFilter(field_name="workspace__slug", label=_("Workspace (slug)"))
    parent = django_filters.NumberFilter(field_name="parent_id", label=_("Product line id"))
    archived = django_filters.BooleanFilter(
        method="filter_archived", label=_("Archived"),
        help_text=_("true: only archived; false or absent: only active."),
    )

    class Meta:
        model = Product
        fields = ["q", "workspace", "kind", "stage", "parent", "archived"]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(key__icontains=value)) if value else queryset

    def filter_archived(self, queryset, name, value):
        return queryset.filter(archived_at__isnull=not value)

    @property
    def qs(self):
        queryset = super().qs
        # Archived products stay out of sight unless asked for.
        if self.form.cleaned_data.get("archived") is None:
            queryset = queryset.filter(archived_at__isnull=True)
        return queryset


def _product_filter():
    return django_filters.NumberFilter(field_name="product_id", label=_("Product id"))


class PersonaFilterSet(django_filters.FilterSet):
    product = _product_filter()

    class Meta:
        model = Persona
        fields = ["product", "importance"]


class SavedViewFilterSet(django_filters.FilterSet):
    product = _product_filter()
    mine = django_filters.BooleanFilter(method="filter_mine", label=_("Only my own views"))

    class Meta:
        model = SavedView
        fields = ["product", "kind", "shared"]

    def filter_mine(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        if value is None or user is None:
            return queryset
        return queryset.filter(owner=user) if value else queryset.exclude(owner=user)


class CompetitorFilterSet(django_filters.FilterSet):
    product = _product_filter()

    class Meta:
        model = Competitor
        fields = ["product", "threat"]


class CriterionFilterSet(django_filters.FilterSet):
    product = _product_filter()

    class Meta:
        model = ComparisonCriterion
        fields = ["product"]


class KeyResultFilterSet(django_filters.FilterSet):
    goal = django_filters.NumberFilter(field_name="goal_id", label=_("Goal id"))

    class Meta:
        model = KeyResult
        fields = ["goal"]


class InitiativeFilterSet(django_filters.FilterSet):
    product = _product_filter()
    active_on = django_filters.DateFilter(
        method="filter_active_on", label=_("Active on"),
        help_text=_("Initiatives running on this date (YYYY-MM-DD). A missing start or end date "
                    "leaves that side open; initiatives without any date are left out."),
    )

    class Meta:
        model = Initiative
        fields = ["product", "status", "active_on"]

    def filter_active_on(self, queryset, name, value):
        dated = Q(start_date__isnull=False) | Q(end_date__isnull=False)
        started = Q(start_date__lte=value) | Q(start_date__isnull=True)
        not_ended = Q(end_date__gte=value) | Q(end_date__isnull=True)
        return queryset.filter(dated & started & not_ended)


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
    workspace = django_filters.CharFilter(field_name="workspace__slug", label=_("Workspace (slug)"))
    product = django_filters.CharFilter(
        method="filter_product", label=_("Product"),
        help_text=_("A product id, a product key, or “company” for company-wide goals."),
    )
    company_wide = django_filters.BooleanFilter(
        field_name="product", lookup_expr="isnull", label=_("Company-wide"),
        help_text=_("true: only goals without a product; false: only product goals."),
    )
    owner = django_filters.NumberFilter(field_name="owner_id", label=_("Owner (user id)"))
    status = django_filters.ChoiceFilter(
        choices=list(STATUS_LABELS.items()), method="filter_status", label=_("Status"),
        empty_label=_("Any status"),
    )
    timeframe = django_filters.ChoiceFilter(
        choices=TIMEFRAME_CHOICES, method="filter_timeframe", label=_("Time frame"),
        empty_label=_("Current & upcoming"),
    )
    active_on = django_filters.DateFilter(
        method="filter_active_on", label=_("Active on"),
        help_text=_("Goals whose time frame includes this date (YYYY-MM-DD)."),
    )
    starts_after = django_filters.DateFilter(
        field_name="start_date", lookup_expr="gte", label=_("Starts on or after"),
    )
    ends_before = django_filters.DateFilter(
        field_name="end_date", lookup_expr="lte", label=_("Ends on or before"),
    )

    class Meta:
        model = Goal
        fields = ["workspace", "product", "company_wide", "owner", "status", "timeframe", "active_on",
                  "starts_after", "ends_before"]

    def __init__(self, *args, today: date | None = None, hide_ended: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        self.hide_ended = hide_ended

    def filter_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset  # computed; see `keep_status`

    def filter_product(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        if value.lower() == COMPANY:
            return queryset.filter(product__isnull=True)
        if value.isdigit():
            return queryset.filter(product_id=int(value)) if len(value) <= 18 else queryset.none()
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

    def filter_active_on(self, queryset: QuerySet, name: str, value: date) -> QuerySet:
        return queryset.filter(start_date__lte=value, end_date__gte=value)

    @property
    def qs(self) -> QuerySet:
        if not hasattr(self, "_goal_qs"):
            queryset = super().qs
            # The pages' default: what is running now or coming, not what has ended.
            if self.hide_ended and not self._cleaned("timeframe"):
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
