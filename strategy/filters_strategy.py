"""FilterSets for strategy records, shared by pages and the API.

Related records are filtered by id with number filters, never with model-choice
filters: those would answer "not a valid choice" for an id that does not exist but
an empty list for another workspace's id, and so reveal which ids exist."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import ComparisonCriterion, Competitor, Initiative, KeyResult, Persona


def _product_filter():
    return django_filters.NumberFilter(field_name="product_id", label=_("Product id"))


class PersonaFilterSet(django_filters.FilterSet):
    product = _product_filter()

    class Meta:
        model = Persona
        fields = ["product", "importance"]


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
