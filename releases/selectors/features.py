"""Reads of features: the scoped and loaded querysets, one feature with everything its page
shows, and the plain rows lists and boards draw."""

from __future__ import annotations

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    prefetch_related_objects,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from strategy.models import Goal, Product, User, Workspace

from ..filters import SCORE_WITH_DEMAND
from ..models import Comment, Dependency, Feature, Requirement
from .notifications import follows

FEATURE_ROW_FIELDS = (
    "id", "number", "title", "status_id", "status__name", "status__category", "release_id", "release__name",
    "initiative_id", "initiative__name", "initiative__colour", "estimate", "start_date", "end_date",
    "release__start_date", "release__release_date", "assignee_id", "assignee__full_name", "assignee__email",
    "tags", "rice_score", "reach", "impact", "confidence", "effort", "rank", "version", "demand",
)


def requirement_list(*, user: User) -> QuerySet[Requirement]:
    """Requirements of the features `user` may see, feature by feature in their order."""
    return (Requirement.objects.filter(feature__workspace__in=Workspace.objects.visible_to(user))
            .select_related("feature").order_by("feature_id", "position", "id"))


def dependency_list(*, user: User) -> QuerySet[Dependency]:
    """Dependencies between the features `user` may see, with both ends' products loaded."""
    return (Dependency.objects.filter(feature__workspace__in=Workspace.objects.visible_to(user))
            .select_related("feature__product", "depends_on__product").order_by("feature_id", "id"))


def feature_queryset(*, user: User, product: Product | None = None) -> QuerySet[Feature]:
    """Features `user` may see (of one product, if given), with what a list draws loaded."""
    features = (
        Feature.objects.visible_to(user)
        .select_related("product", "status", "release", "initiative", "assignee")
        .order_by("rank", "id")
    )
    return features.filter(product=product) if product is not None else features


def has_rows(model, table: str, column: str) -> RawSQL:
    """Whether `table` holds rows whose `column` is the row of `model` the query reads: raw
    SQL, as the ORM's EXISTS subqueries cost ~0.4 ms each to compile (2 ms of the feature page)."""
    sql = f"EXISTS (SELECT 1 FROM {table} r WHERE r.{column} = {model._meta.db_table}.id)"  # noqa: S608 - models' names
    return RawSQL(sql, (), output_field=BooleanField())  # noqa: S611 - no input in it


def feature_get(*, user: User, product: Product, number: int) -> Feature:
    """A feature with everything its page shows, and `followed`: whether `user` follows it.
    Raises Http404. The feature's own query says which of its relations hold rows, and only
    those are read: a feature without comments or requirements costs no query for them."""
    related = {  # what is read of each relation, and where its rows are
        "goals": (Goal.objects.all(), (Feature.goals.through._meta.db_table, "feature_id")),
        "requirements": (Requirement.objects.all(), (Requirement._meta.db_table, "feature_id")),
        "dependencies": (Dependency.objects.select_related(
            "depends_on__product", "depends_on__status", "depends_on__release"),
            (Dependency._meta.db_table, "feature_id")),
        "dependents": (Dependency.objects.select_related("feature__product", "feature__status", "feature__release"),
                       (Dependency._meta.db_table, "depends_on_id")),
        "comments": (Comment.objects.select_related("author"), (Comment._meta.db_table, "feature_id")),
    }
    feature = get_object_or_404(
        # The product is in hand: set below rather than joined again.
        feature_queryset(user=user, product=product).select_related(None)
        .select_related("status", "release", "initiative", "assignee")
        .annotate(followed=Exists(follows(user=user).filter(feature=OuterRef("pk"))),
                  **{f"has_{name}": has_rows(Feature, *rows) for name, (_read, rows) in related.items()}),
        number=number,
    )
    feature.product = product
    # An empty queryset is answered without asking the database.
    prefetch_related_objects([feature], *(
        Prefetch(name, queryset=read if getattr(feature, f"has_{name}") else read.none())
        for name, (read, _rows) in related.items()))
    return feature


def feature_rows(features: QuerySet[Feature], *, extra: tuple[str, ...] = (),
                 window: tuple[int, int] | None = None, product: Product | None = None) -> list[dict]:
    """Plain rows of the columns lists and boards draw, with `key`, `effective_start` and
    `effective_end` added, and `score_with_demand` when the order annotated it; one query.
    `extra`: more annotated columns to read; `window`: (offset, limit), a slice of the rows;
    `product`: the one product every row belongs to, whose key then needs no join (one join
    fewer saves PostgreSQL a third of the planning of a backlog's window)."""
    extra = (*([SCORE_WITH_DEMAND] if SCORE_WITH_DEMAND in features.query.annotations else []), *extra)
    if product is None:
        values = features.values(*FEATURE_ROW_FIELDS, *extra, product_key=F("product__key"))
    else:
        values = features.values(*FEATURE_ROW_FIELDS, *extra)
    if window is not None:
        values = values[window[0]:window[0] + window[1]]
    rows = list(values)
    for row in rows:
        if product is not None:
            row["product_key"] = product.key
        row["key"] = f"{row['product_key']}-{row['number']}"
        row["effective_start"] = row["start_date"] or row["release__start_date"]
        row["effective_end"] = row["end_date"] or row["release__release_date"]
    return rows


def features_with_counts(*, user: User) -> QuerySet[Feature]:
    """Features of every product `user` may see, with goal ids and the number of requirements
    loaded (the API's list)."""
    requirements = (Requirement.objects.filter(feature=OuterRef("pk")).order_by().values("feature")
                    .annotate(n=Count("id")).values("n"))
    return (
        feature_queryset(user=user)
        .prefetch_related(Prefetch("goals", queryset=Goal.objects.order_by("id").only("id")))
        .annotate(requirement_count=Coalesce(Subquery(requirements, output_field=IntegerField()), 0))
    )


VALUE_EFFORT_FIELDS = ("id", "number", "title", "status__category", "rice_score", "reach", "impact", "confidence",
                       "effort", "rank")


def value_effort_rows(features: QuerySet[Feature], *, product: Product) -> list[dict]:
    """The rows the value/effort matrix places (`features`: one product's, in order), with
    only the columns it reads and `key`; one query, joining the status alone (a big
    backlog's thousands of rows read half as fast with every column lists draw)."""
    rows = list(features.values(*VALUE_EFFORT_FIELDS))
    for row in rows:
        row["key"] = f"{product.key}-{row['number']}"
    return rows
