"""Reads of saved views: what a person may open, by product and page."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from ..models import Product, SavedView, User


def saved_view_list(*, user: User, product: Product | None = None) -> QuerySet[SavedView]:
    """The views `user` may open (theirs and those shared with their workspaces), of one
    product if given, with product, workspace and owner loaded."""
    views = SavedView.objects.visible_to(user).select_related("product__workspace", "owner")
    return views.filter(product=product) if product is not None else views


def saved_view_get(*, user: User, pk: int) -> SavedView:
    """Raises Http404 for a view the user may not see (another person's private one)."""
    return get_object_or_404(saved_view_list(user=user), pk=pk)
