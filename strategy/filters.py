"""FilterSets shared by pages and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Product


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
