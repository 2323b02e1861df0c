"""The feature FilterSet shared by the planning pages (backlog, board, value/effort) and the
features API. Every filter combines with the others and lives in the query string, so a
filtered backlog is a link someone can share.

Query parameters:
- `status`: workflow status ids, repeatable (`status=3&status=5`) or comma-separated;
- `category`: a status category (not_started, in_progress, done, wont_do);
- `release`: a release id, or `none` for unscheduled features;
- `initiative`: an initiative id, or `none`;
- `tag`: one tag;
- `assignee`: a user id, or `none` for unassigned features;
- `q`: words of the title, or a feature number (`42` or `MOB-42`);
- `ordering`: `rank` (the backlog's manual order, the default), `-rice_score`, `rice_score`,
  `end` or `-end` (the effective end date: the feature's own, or its release's), `-demand`
  (highest demand first: the number feedback stores through `services.feature_demand_set`),
  `-score_with_demand` (prioritisation with demand, highest first; see below).

Score with demand: the RICE score raised by the feature's share of its product's demand,

    score with demand = RICE score × (1 + demand ÷ the highest demand among the product's features)

so the feature with the product's top demand has its score doubled, one with half that demand
gets × 1.5, and one without demand (or every feature, while no product feature has demand)
keeps its RICE score. Features without a RICE score have none and sort last. The highest
demand is taken over all the product's features, whatever the filters, so a feature's figure
does not change with what else is shown. Computed in SQL (`score_with_demand()`), added to the
rows as `score_with_demand` only while that order is asked for.
"""

from __future__ import annotations

import re
from decimal import Decimal

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import DecimalField, ExpressionWrapper, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import gettext_lazy as _

from .models import Feature, StatusCategory

NONE = "none"  # the value meaning "no release" / "nobody" / "no initiative"

RANK = "rank"
SCORE_WITH_DEMAND = "score_with_demand"  # the annotation the `-score_with_demand` order adds
ORDERING_CHOICES = [
    (RANK, _("Rank")),
    ("-rice_score", _("Highest RICE score")),
    ("rice_score", _("Lowest RICE score")),
    ("end", _("Soonest end date")),
    ("-end", _("Latest end date")),
    ("-demand", _("Highest demand")),
    (f"-{SCORE_WITH_DEMAND}", _("Score with demand")),
]
FILTER_NAMES = ("status", "category", "release", "initiative", "tag", "assignee", "q")

_NUMBER = re.compile(r"^(?:[A-Za-z][A-Za-z0-9]*-)?(\d{1,9})$")


class IdListField(forms.Field):
    """Ids from a repeated parameter (`status=3&status=5`) or a comma-separated one (`status=3,5`)."""

    widget = forms.SelectMultiple
    default_error_messages = {"invalid": _("Give ids as whole numbers.")}

    def to_python(self, value) -> list[int]:
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        ids = []
        for item in value:
            for part in str(item).split(","):
                part = part.strip()
                if not part:
                    continue
                if not part.isdigit() or len(part) > 18:
                    raise ValidationError(self.error_messages["invalid"], code="invalid")
                ids.append(int(part))
        return ids


class IdListFilter(django_filters.Filter):
    field_class = IdListField

    def filter(self, qs: QuerySet, value: list[int]) -> QuerySet:
        return qs.filter(**{f"{self.field_name}__in": value}) if value else qs


class FeatureFilterSet(django_filters.FilterSet):
    status = IdListFilter(field_name="status_id", label=_("Status ids"),
                          help_text=_("Repeat the parameter, or separate ids with commas."))
    category = django_filters.ChoiceFilter(field_name="status__category", choices=StatusCategory.choices,
                                           label=_("Status category"))
    release = django_filters.CharFilter(method="filter_release", label=_("Release"),
                                        help_text=_("A release id, or “none” for unscheduled features."))
    initiative = django_filters.CharFilter(method="filter_initiative", label=_("Initiative"),
                                           help_text=_("An initiative id, or “none”."))
    tag = django_filters.CharFilter(method="filter_tag", label=_("Tag"))
    assignee = django_filters.CharFilter(method="filter_assignee", label=_("Assignee"),
                                         help_text=_("A user id, or “none” for unassigned features."))
    q = django_filters.CharFilter(method="filter_search", label=_("Search"),
                                  help_text=_("Words of the title, or a feature number such as 42 or MOB-42."))
    ordering = django_filters.ChoiceFilter(choices=ORDERING_CHOICES, method="filter_ordering",
                                           label=_("Order"), empty_label=None)

    class Meta:
        model = Feature
        fields = ["status", "category", "release", "initiative", "tag", "assignee", "q", "ordering"]

    # --- filters -----------------------------------------------------------

    @staticmethod
    def _id_or_none(queryset: QuerySet, field: str, value: str) -> QuerySet:
        value = (value or "").strip().lower()
        if not value:
            return queryset
        if value == NONE:
            return queryset.filter(**{f"{field}__isnull": True})
        if not value.isdigit() or len(value) > 18:
            return queryset.none()
        return queryset.filter(**{field: int(value)})

    def filter_release(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return self._id_or_none(queryset, "release_id", value)

    def filter_initiative(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return self._id_or_none(queryset, "initiative_id", value)

    def filter_assignee(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return self._id_or_none(queryset, "assignee_id", value)

    def filter_tag(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip().lower()
        return queryset.filter(tags__contains=[value]) if value else queryset

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        match = _NUMBER.match(value)
        condition = Q(title__icontains=value)
        if match:
            condition |= Q(number=int(match.group(1)))
        return queryset.filter(condition)

    def filter_ordering(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset  # applied last, in `qs`, so the default order holds without the parameter

    # --- results -----------------------------------------------------------

    @property
    def ordering_value(self) -> str:
        """The order asked for (one of the ordering choices), `rank` by default."""
        if not self.is_bound or not self.form.is_valid():
            value = self.data.get("ordering") if self.is_bound else None
            return value if value in dict(ORDERING_CHOICES) else RANK
        return self.form.cleaned_data.get("ordering") or RANK

    @property
    def is_filtered(self) -> bool:
        """Whether any filter (not the order) narrows the features."""
        return self.is_bound and any(str(self.data.get(name, "")).strip() for name in FILTER_NAMES)

    @property
    def qs(self) -> QuerySet:
        if not hasattr(self, "_ordered_qs"):
            features = super().qs
            if self.ordering_value == f"-{SCORE_WITH_DEMAND}":
                features = features.annotate(**{SCORE_WITH_DEMAND: score_with_demand()})
            self._ordered_qs = features.order_by(*order_by(self.ordering_value))
        return self._ordered_qs


def score_with_demand() -> ExpressionWrapper:
    """RICE score × (1 + demand ÷ the highest demand among the product's features), in SQL;
    NULL without a RICE score, the RICE score itself while the product has no demand."""
    # The product's top demand, read off the (product, -demand) index for each row's product.
    top = Feature.objects.filter(product_id=OuterRef("product_id")).order_by("-demand").values("demand")[:1]
    share = Coalesce(F("demand") / NullIf(Subquery(top), Value(Decimal(0))), Value(Decimal(0)),
                     output_field=DecimalField())
    return ExpressionWrapper(F("rice_score") * (Value(Decimal(1)) + share), output_field=DecimalField())


def order_by(ordering: str) -> list:
    """ORDER BY terms for an ordering value; ties fall back to the rank. `-score_with_demand`
    orders by the annotation `FeatureFilterSet.qs` adds (`score_with_demand()`)."""
    end = Coalesce("end_date", "release__release_date")
    terms = {
        "-rice_score": [F("rice_score").desc(nulls_last=True)],
        "rice_score": [F("rice_score").asc(nulls_last=True)],
        "end": [end.asc(nulls_last=True)],
        "-end": [end.desc(nulls_last=True)],
        "-demand": [F("demand").desc()],
        f"-{SCORE_WITH_DEMAND}": [F(SCORE_WITH_DEMAND).desc(nulls_last=True)],
    }.get(ordering, [])
    return [*terms, "rank", "id"]
