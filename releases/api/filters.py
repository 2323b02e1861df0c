"""FilterSets of the releases API that no page shares (the backlog's `FeatureFilterSet`
lives in releases/filters.py and serves both).

Related records are filtered by id with number filters, never with model-choice filters:
those would answer "not a valid choice" for an id that does not exist but an empty list for
another workspace's id, and so reveal which ids exist."""

import django_filters
from django.utils.translation import gettext_lazy as _

from ..filters import FeatureFilterSet
from ..models import Dependency, Milestone, Release, Requirement, StatusCategory, WorkflowStatus


def _workspace_filter(field_name: str = "workspace__slug"):
    return django_filters.CharFilter(field_name=field_name, label=_("Workspace (slug)"))


def _product_filter(field_name: str = "product_id"):
    return django_filters.NumberFilter(field_name=field_name, label=_("Product id"))


class WorkflowStatusFilterSet(django_filters.FilterSet):
    workspace = _workspace_filter()
    category = django_filters.ChoiceFilter(choices=StatusCategory.choices, label=_("Category"))
    include_retired = django_filters.BooleanFilter(
        method="filter_include_retired", label=_("Include retired"),
        help_text=_("true: retired statuses too; false or absent: only the statuses still offered."),
    )

    class Meta:
        model = WorkflowStatus
        fields = ["workspace", "category", "include_retired"]

    def filter_include_retired(self, queryset, name, value):
        return queryset  # applied in `qs`, so that leaving it out also hides retired statuses

    @property
    def qs(self):
        queryset = super().qs
        if not self.form.cleaned_data.get("include_retired"):
            queryset = queryset.filter(retired_at__isnull=True)
        return queryset


class ReleaseFilterSet(django_filters.FilterSet):
    workspace = _workspace_filter()
    product = _product_filter()
    status = django_filters.ChoiceFilter(choices=Release.Status.choices, label=_("Status"))
    active_on = django_filters.DateFilter(
        method="filter_active_on", label=_("Active on"),
        help_text=_("Releases whose span (start to release date) includes this date (YYYY-MM-DD)."),
    )
    starts_after = django_filters.DateFilter(field_name="start_date", lookup_expr="gte",
                                             label=_("Starts on or after"))
    ships_after = django_filters.DateFilter(field_name="release_date", lookup_expr="gte",
                                            label=_("Release date on or after"))
    ships_before = django_filters.DateFilter(field_name="release_date", lookup_expr="lte",
                                             label=_("Release date on or before"))

    class Meta:
        model = Release
        fields = ["workspace", "product", "status", "active_on", "starts_after", "ships_after", "ships_before"]

    def filter_active_on(self, queryset, name, value):
        return queryset.filter(start_date__lte=value, release_date__gte=value)


class MilestoneFilterSet(django_filters.FilterSet):
    release = django_filters.NumberFilter(field_name="release_id", label=_("Release id"))
    product = _product_filter("release__product_id")
    after = django_filters.DateFilter(field_name="date", lookup_expr="gte", label=_("On or after"))
    before = django_filters.DateFilter(field_name="date", lookup_expr="lte", label=_("On or before"))

    class Meta:
        model = Milestone
        fields = ["release", "product", "after", "before"]


class RequirementFilterSet(django_filters.FilterSet):
    feature = django_filters.NumberFilter(field_name="feature_id", label=_("Feature id"))
    done = django_filters.BooleanFilter(label=_("Done"))

    class Meta:
        model = Requirement
        fields = ["feature", "done"]


class DependencyFilterSet(django_filters.FilterSet):
    feature = django_filters.NumberFilter(field_name="feature_id", label=_("Feature id (the dependent one)"))
    depends_on = django_filters.NumberFilter(field_name="depends_on_id", label=_("Feature id it depends on"))
    product = _product_filter("feature__product_id")

    class Meta:
        model = Dependency
        fields = ["feature", "depends_on", "product"]


class FeatureApiFilterSet(FeatureFilterSet):
    """The backlog's filters (releases/filters.py), plus the product: the API lists the
    features of every product the user may see."""

    product = _product_filter()

    class Meta(FeatureFilterSet.Meta):
        fields = ["product", *FeatureFilterSet.Meta.fields]
