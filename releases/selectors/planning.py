"""Reads of the planning pages: the backlog, what blocks its features, the tags in use, and
the conflicts of one or many products' plans."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import F, Func, QuerySet

from strategy.models import Product, User

from .. import metrics
from ..models import CLOSED_CATEGORIES, Dependency, Feature, Release
from .features import feature_queryset, feature_rows


def open_features(*, user: User, product: Product) -> QuerySet[Feature]:
    """The backlog: features not done and not won't-do."""
    return feature_queryset(user=user, product=product).exclude(status__category__in=CLOSED_CATEGORIES)


def blockers_for(*, product: Product, feature_ids: set[int] | None = None) -> dict[int, list[str]]:
    """{feature id: keys of the features it depends on that are not finished}, one query."""
    pairs = (Dependency.objects.filter(feature__product=product)
             .exclude(feature__status__category__in=CLOSED_CATEGORIES)
             .exclude(depends_on__status__category__in=CLOSED_CATEGORIES))
    if feature_ids is not None:
        pairs = pairs.filter(feature_id__in=feature_ids)
    found: dict[int, list[str]] = defaultdict(list)
    for feature_id, key, number in pairs.values_list("feature_id", "depends_on__product__key",
                                                     "depends_on__number").order_by("depends_on__number"):
        found[feature_id].append(f"{key}-{number}")
    return dict(found)


def tags_in_use(*, product: Product) -> list[str]:
    """Every tag on the product's features, in one query (unnest in PostgreSQL)."""
    tags = (Feature.objects.filter(product=product)
            .annotate(tag=Func(F("tags"), function="unnest"))
            .values_list("tag", flat=True).distinct().order_by("tag"))
    return list(tags)


def _conflicts(rows: list[dict], product_ids: list[int], *, dependencies: list[tuple[int, int]] | None = None,
               releases: list[Release] | None = None) -> list[metrics.Conflict]:
    """The conflict rules over the products' features (`rows`: all of them). Pages that have
    already read the dependencies or releases pass them in to save the queries."""
    if dependencies is None:
        dependencies = list(Dependency.objects.filter(feature__product_id__in=product_ids).values_list(
            "feature_id", "depends_on_id"))
    # Prerequisites in other products count for "ends before a feature it depends on".
    known = {r["id"] for r in rows}
    elsewhere = {depends_on for _feature, depends_on in dependencies if depends_on not in known}
    if elsewhere:
        rows = rows + feature_rows(Feature.objects.filter(pk__in=elsewhere))
    features = [
        metrics.FeatureRow(id=r["id"], key=r["key"], category=r["status__category"], estimate=r["estimate"],
                           end=r["effective_end"], own_end=r["end_date"], release_id=r["release_id"])
        for r in rows
    ]
    if releases is None:
        release_rows = [
            metrics.ReleaseRow(id=r["id"], name=r["name"], release_date=r["release_date"], status=r["status"],
                               capacity=r["capacity"])
            for r in Release.objects.filter(product_id__in=product_ids).values(
                "id", "name", "release_date", "status", "capacity")
        ]
    else:
        release_rows = [metrics.ReleaseRow(id=r.pk, name=r.name, release_date=r.release_date, status=r.status,
                                           capacity=r.capacity) for r in releases]
    return metrics.conflicts(features, release_rows, dependencies)


def conflicts_for(*, product: Product, feature_rows_: list[dict] | None = None,
                  dependencies: list[tuple[int, int]] | None = None,
                  releases: list[Release] | None = None) -> list[metrics.Conflict]:
    """Every conflict in the product's plan: at most four queries, fewer for what the caller
    passes in (all the product's feature rows, its dependency pairs, its releases); one more
    when features depend on features of other products."""
    rows = feature_rows_ if feature_rows_ is not None else feature_rows(Feature.objects.filter(product=product))
    return _conflicts(rows, [product.pk], dependencies=dependencies, releases=releases)


@dataclass
class ConflictIndex:
    """Conflicts looked up by feature and by release, for templates."""

    all: list[metrics.Conflict]
    by_feature: dict[int, list[metrics.Conflict]] = field(default_factory=dict)
    by_release: dict[int, list[metrics.Conflict]] = field(default_factory=dict)

    @classmethod
    def of(cls, conflicts: list[metrics.Conflict]) -> ConflictIndex:
        index = cls(all=conflicts)
        for conflict in conflicts:
            if conflict.feature_id:
                index.by_feature.setdefault(conflict.feature_id, []).append(conflict)
            if conflict.release_id:
                index.by_release.setdefault(conflict.release_id, []).append(conflict)
        return index


@dataclass
class Plan:
    """The conflicts of some products' plans, and which release each of their features is in."""

    conflicts: ConflictIndex
    release_of: dict[int, int | None]

    def of_feature(self, feature_id: int) -> list[metrics.Conflict]:
        return self.conflicts.by_feature.get(feature_id, [])

    def of_release(self, release_id: int) -> list[metrics.Conflict]:
        """The release's own conflicts and its features' (as the release page shows them)."""
        return [c for c in self.conflicts.all
                if c.release_id == release_id or (c.feature_id and self.release_of.get(c.feature_id) == release_id)]


def plan_for(*, product_ids: list[int]) -> Plan:
    """The conflicts of many products' plans at once, in four queries."""
    product_ids = sorted(set(product_ids))
    if not product_ids:
        return Plan(ConflictIndex.of([]), {})
    rows = feature_rows(Feature.objects.filter(product_id__in=product_ids))
    return Plan(ConflictIndex.of(_conflicts(rows, product_ids)), {r["id"]: r["release_id"] for r in rows})


def conflicts_among(*, product_ids: list[int]) -> tuple[dict[int, dict], list[metrics.Conflict]]:
    """The conflicts of some products' plans with the feature rows they name ({id: row}, keys
    included) for links: four queries at most, five when features depend on other products'."""
    product_ids = sorted(set(product_ids))
    if not product_ids:
        return {}, []
    # Only the columns the rules read (a product's whole plan: thousands of rows).
    rows = list(Feature.objects.filter(product_id__in=product_ids).order_by().values(
        "id", "number", "status__category", "estimate", "start_date", "end_date", "release_id",
        "release__start_date", "release__release_date", product_key=F("product__key")))
    for row in rows:
        row["key"] = f"{row['product_key']}-{row['number']}"
        row["effective_end"] = row["end_date"] or row["release__release_date"]
    return {row["id"]: row for row in rows}, _conflicts(rows, product_ids)
