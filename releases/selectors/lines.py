"""Reads of a product line's roll-ups: its products' open features (the line's backlog), their
features by status category (the line's board) and their releases (the line's releases).
A line holds no features or releases of its own; these read its products' (not archived,
lines in between included), each in one query whatever the number of rows."""

from __future__ import annotations

from django.db.models import Count, F, Q

from strategy.extensions import covered_products
from strategy.models import Product, User

from ..models import CLOSED_CATEGORIES, Feature, Release, StatusCategory

LINE_BACKLOG_WINDOW = 100  # rows of a line's backlog per window (more load as the person scrolls)
LINE_FEATURE_FIELDS = ("id", "number", "title", "product_id", "status__name", "status__category", "release__name",
                       "estimate", "end_date", "release__release_date", "assignee__full_name", "assignee__email")


def line_products(*, line: Product) -> list[Product]:
    """The products a line rolls up, by name (two queries)."""
    ids = covered_products([line])[line.pk]
    return list(Product.objects.filter(pk__in=ids).order_by("name", "key"))


def line_open_features(*, user: User, products: list[Product], offset: int = 0,
                       limit: int = LINE_BACKLOG_WINDOW) -> list[dict]:
    """The open features of `products` as plain rows, by product then backlog rank (each
    product keeps its own order): `limit` of them from `offset`, and the row before the
    window when there is one (its product says whether the window starts a new group); one
    query."""
    start = max(0, offset - 1)
    return list(Feature.objects.visible_to(user).filter(product__in=products)
                .exclude(status__category__in=CLOSED_CATEGORIES)
                .order_by("product__name", "product_id", "rank", "id")
                .values(*LINE_FEATURE_FIELDS, product_key=F("product__key"))[start:offset + limit])


def line_open_feature_count(*, user: User, products: list[Product]) -> int:
    return Feature.objects.visible_to(user).filter(product__in=products) \
        .exclude(status__category__in=CLOSED_CATEGORIES).count()


def line_status_counts(*, user: User, products: list[Product]) -> dict[int, dict[str, int]]:
    """{product id: {status category: features}} for the line's board; one query."""
    counts: dict[int, dict[str, int]] = {product.pk: {} for product in products}
    for row in (Feature.objects.visible_to(user).filter(product__in=products).order_by()
                .values("product_id", "status__category").annotate(n=Count("id"))):
        counts[row["product_id"]][row["status__category"]] = row["n"]
    return counts


def line_releases(*, user: User, products: list[Product]) -> list[dict]:
    """Every release of `products` with its progress, in date order; one query."""
    counted = ~Q(features__status__category=StatusCategory.WONT_DO)
    return list(Release.objects.visible_to(user).filter(product__in=products)
                .order_by("release_date", "name", "id")
                .values("id", "name", "version_label", "status", "start_date", "release_date", "product_id",
                        product_key=F("product__key"), product_name=F("product__name"))
                .annotate(feature_count=Count("features", filter=counted),
                          done_count=Count("features", filter=Q(features__status__category=StatusCategory.DONE))))
