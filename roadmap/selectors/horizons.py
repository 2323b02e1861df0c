"""Reads of the Now / Next / Later and release timeline views, and of the roadmap summary on
product pages: releases and feature rows of a product or a product line."""


from __future__ import annotations

from django.db.models import Q, QuerySet

from releases.models import Feature, Release, StatusCategory
from strategy.models import Product

HORIZON_FEATURE_FIELDS = (
    "id", "number", "title", "rank", "product_id", "product__key", "product__name",
    "status__name", "status__category", "release_id", "initiative_id", "initiative__name",
    "initiative__colour", "start_date", "end_date",
)
TIMELINE_FEATURE_FIELDS = (
    "id", "number", "title", "rank", "release_id", "product__key", "status__name", "status__category",
    "status__position", "estimate", "assignee_id", "assignee__full_name", "assignee__email",
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


def timeline_releases(product_ids: list[int]) -> QuerySet[Release]:
    """Releases of the products with their progress and milestones; two queries."""
    return (
        Release.objects.filter(product_id__in=product_ids)
        .select_related("product")
        .with_progress()
        .order_by("release_date", "start_date", "name", "id")
    )


def timeline_feature_rows(release_ids: list[int]) -> list[dict]:
    """The features of the expanded releases, with what an engineer reads; one query."""
    if not release_ids:
        return []
    return list(
        Feature.objects.filter(release_id__in=release_ids)
        .order_by("status__position", "rank", "id")
        .values(*TIMELINE_FEATURE_FIELDS)
    )
