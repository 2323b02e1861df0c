"""Reads of the Now / Next / Later and release timeline views, and of the roadmap summary on
product pages: releases and feature rows of a product or a product line."""


from __future__ import annotations

from django.db.models import Case, Count, F, Q, QuerySet, When

from releases.models import Dependency, Feature, Release, StatusCategory
from strategy.models import Product

HORIZON_FEATURE_FIELDS = (
    "id", "number", "title", "rank", "product_id", "product__key", "product__name",
    "status__name", "status__category", "release_id", "initiative_id", "initiative__name",
    "initiative__colour", "start_date", "end_date",
)
TIMELINE_FEATURE_FIELDS = (
    "id", "number", "title", "rank", "release_id", "product__key", "status__name", "status__category",
    "status__position", "estimate", "assignee_id", "assignee__full_name", "assignee__email", "product_id",
)
RELEASE_FIELDS = ("id", "product_id", "name", "version_label", "start_date", "release_date", "status")


def roadmap_products(product: Product) -> list[Product]:
    """The products a roadmap of `product` covers: itself, or for a product line every
    product below it that is not archived (one query per level of nesting)."""
    if not product.is_line:
        return [product]
    found: list[Product] = []
    parents = [product.pk]
    seen = {product.pk}
    while parents:
        level = [p for p in Product.objects.filter(parent_id__in=parents, workspace_id=product.workspace_id,
                                                   archived_at__isnull=True).order_by("name", "id")
                 if p.pk not in seen]
        seen.update(p.pk for p in level)
        found.extend(p for p in level if not p.is_line)
        parents = [p.pk for p in level if p.is_line]
    return found


def release_rows(product_ids: list[int]) -> list[dict]:
    """The releases of these products (cancelled ones left out), in date order; one query."""
    return list(
        Release.objects.filter(product_id__in=product_ids)
        .exclude(status=Release.Status.CANCELLED)
        .order_by("release_date", "start_date", "id")
        .values(*RELEASE_FIELDS)
    )


def horizon_feature_rows(product_ids: list[int], *, current_release_ids: list[int]) -> list[dict]:
    """Open features of these products, plus the done features of their current releases,
    with only the columns an executive may read (no assignee, no estimate); one query."""
    shown = ~Q(status__category__in=(StatusCategory.DONE, StatusCategory.WONT_DO)) | Q(
        status__category=StatusCategory.DONE, release_id__in=current_release_ids)
    return list(
        Feature.objects.filter(product_id__in=product_ids)
        .filter(shown)
        .order_by("rank", "id")
        .values(*HORIZON_FEATURE_FIELDS)
    )


def horizon_feature_counts(product_ids: list[int], *, current_release_ids: list[int]) -> list[dict]:
    """The features of `horizon_feature_rows` counted (`n`) by what the horizon rules read of
    them: product, release, status category, and for features without a release (or with a
    cancelled one) their own dates (`start_date`, `end_date`; None for the others). One query, a few hundred rows for
    a line of ten thousand features."""
    shown = ~Q(status__category__in=(StatusCategory.DONE, StatusCategory.WONT_DO)) | Q(
        status__category=StatusCategory.DONE, release_id__in=current_release_ids)
    # The rules read a feature's own dates when it has no release, or a cancelled one.
    unscheduled = Q(release_id__isnull=True) | Q(release__status=Release.Status.CANCELLED)
    rows = list(
        Feature.objects.filter(product_id__in=product_ids)
        .filter(shown)
        .order_by()
        .values("product_id", "release_id", "status__category",
                own_start=Case(When(unscheduled, then=F("start_date"))),
                own_end=Case(When(unscheduled, then=F("end_date"))))
        .annotate(n=Count("id"))
    )
    for row in rows:  # under the names the rules read
        row["start_date"], row["end_date"] = row.pop("own_start"), row.pop("own_end")
    return rows


def timeline_releases(product_ids: list[int]) -> QuerySet[Release]:
    """Releases of the products with their progress and milestones; two queries."""
    return (
        Release.objects.filter(product_id__in=product_ids)
        .select_related("product")
        .with_progress()
        .order_by("release_date", "start_date", "name", "id")
    )


def timeline_feature_rows(release_ids: list[int], *, assignee_id: int | None = None) -> list[dict]:
    """The features of these releases (only `assignee_id`'s, when given), with what an
    engineer reads; one query."""
    if not release_ids:
        return []
    features = Feature.objects.filter(release_id__in=release_ids)
    if assignee_id is not None:
        features = features.filter(assignee_id=assignee_id)
    return list(features.order_by("status__position", "rank", "id").values(*TIMELINE_FEATURE_FIELDS))


def release_plan_rows(release_ids: list[int], *, assignee_id: int | None = None) -> list[dict]:
    """The features of these releases (only `assignee_id`'s, when given) with their own and
    their release's dates, for comparing the plan with an earlier one; one query."""
    features = Feature.objects.filter(release_id__in=release_ids)
    if assignee_id is not None:
        features = features.filter(assignee_id=assignee_id)
    return list(features.order_by("id").values(
        "id", "number", "product__key", "title", "start_date", "end_date", "release_id", "release__start_date",
        "release__release_date", "status__category"))


def releases_with_assignee(product_ids: list[int], assignee_id: int) -> set[int]:
    """The releases of these products holding features assigned to `assignee_id`; one query."""
    return set(Feature.objects.filter(product_id__in=product_ids, assignee_id=assignee_id, release__isnull=False)
               .values_list("release_id", flat=True).distinct())


_SIDE = ("number", "product__key", "title", "status__category")


def dependency_links(feature_ids: list[int], *, within: list[int] | None = None
                     ) -> tuple[dict[int, list[dict]], dict[int, list[dict]]]:
    """({feature id: what it is blocked by}, {feature id: what it blocks}) for these features,
    across products, each other feature as {key, number, product_key, title, category}; only
    among the products `within` when given (share links). One query."""
    if not feature_ids:
        return {}, {}
    pairs = Dependency.objects.filter(Q(feature_id__in=feature_ids) | Q(depends_on_id__in=feature_ids))
    if within is not None:
        pairs = pairs.filter(feature__product_id__in=within, depends_on__product_id__in=within)
    fields = [f"{side}__{name}" for side in ("feature", "depends_on") for name in _SIDE]
    wanted = set(feature_ids)
    blocked_by: dict[int, list[dict]] = {}
    blocking: dict[int, list[dict]] = {}

    def side(row: dict, name: str) -> dict:
        return {"key": f"{row[name + '__product__key']}-{row[name + '__number']}", "number": row[name + "__number"],
                "product_key": row[name + "__product__key"], "title": row[name + "__title"],
                "category": row[name + "__status__category"]}

    for row in pairs.order_by("id").values("feature_id", "depends_on_id", *fields):
        if row["feature_id"] in wanted:
            blocked_by.setdefault(row["feature_id"], []).append(side(row, "depends_on"))
        if row["depends_on_id"] in wanted:
            blocking.setdefault(row["depends_on_id"], []).append(side(row, "feature"))
    return blocked_by, blocking
